"""What every form shares: text cleaning, the one date field, choices. Labels and messages are Dutch."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    PasswordField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from measures.core.text import DateError, clean_text, parse_date


class BaseForm(FlaskForm):
    """Every form: each text field (not a password) drops control characters as it reads its input."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options = dict(options, filters=[*unbound_field.kwargs.get("filters", ()), clean_text])
            return super().bind_field(form, unbound_field, options)


class StrictDateField(DateField):
    """A date as JJJJ-MM-DD only, within the register's range: the parser the API and the import use too."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = " ".join(valuelist).strip()
        if not raw:
            self.data = None
            return
        try:
            self.data = parse_date(raw)
        except DateError as error:
            self.data = None
            raise ValueError(_l("Ongeldige datum: %(reason)s", reason=str(error))) from error


def check_web_link(field) -> None:
    """Refuse evidence links that are not web addresses (javascript:, file:, ...)."""
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        raise ValidationError(_l("Geef een volledige link, beginnend met https://."))


def options(pairs) -> list[SelectChoice]:
    """Return (value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
