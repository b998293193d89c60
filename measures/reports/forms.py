"""The form that asks for a progress report: its date, since when, and which grouping."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from measures.core import clock
from measures.core.forms import BaseForm, StrictDateField, options


class ReportForm(BaseForm):
    as_of = StrictDateField(_l("Peildatum"), validators=[InputRequired(message=_l("Vul de peildatum in."))])
    since = StrictDateField(
        _l("Wijzigingen sinds"), validators=[Optional()], description=_l("Leeg: de peildatum van de vorige editie.")
    )
    scheme = SelectField(_l("Indeling"), default="")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scheme.choices = options(
            [
                ("", _l("Beide indelingen")),
                ("contouren", _l("Thema's contourenbrief")),
                ("actielijn", _l("Actielijnen")),
            ]
        )

    def validate_as_of(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("De peildatum mag niet in de toekomst liggen."))
        if field.data and field.data < date(2010, 1, 1):
            raise ValidationError(_l("Kies een peildatum vanaf 2010."))

    def validate_since(self, field):
        if field.data and self.as_of.data and field.data >= self.as_of.data:
            raise ValidationError(_l("‘Wijzigingen sinds’ moet vóór de peildatum liggen."))
