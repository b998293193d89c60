"""Forms of the checks: acknowledging a flag."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from measures.core.forms import BaseForm


class AcknowledgeFlagForm(BaseForm):
    note = TextAreaField(
        _l("Toelichting"),
        validators=[InputRequired(message=_l("Schrijf wat er met deze signalering gebeurt.")), Length(max=5000)],
        description=_l("Wat gebeurt er met deze signalering? De toelichting blijft bij de signalering staan."),
    )
