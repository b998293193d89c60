"""What every form shares: text cleaning, the one date field, amounts, choices. Labels and messages are Dutch."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    PasswordField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

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


MAX_AMOUNT = Decimal("999999999999")
# Dutch thousands separators only: 1.000 or 12.500.000 (a dot before groups of three digits).
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_amount(raw: str) -> Decimal:
    """Read an amount in euro as people type it: 1.000.000, 1.250,50, 1250.50, € 1 000 (ValueError with
    a Dutch reason otherwise). With both a dot and a comma, the last one is the decimal separator; a
    lone comma is decimal; lone dots are thousands when they split groups of three (1.000), else decimal."""
    text = re.sub(r"[\s\u00a0\u202f€]", "", raw).removeprefix("EUR")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else ""
    elif _THOUSANDS.match(text):
        text = text.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(_l("Geef een bedrag in euro, bijvoorbeeld 1.000.000 of 1.250,50."))
    try:
        amount = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern above admits only decimals
        raise ValueError(_l("Geef een bedrag in euro, bijvoorbeeld 1.000.000 of 1.250,50.")) from error
    if amount < 0:
        raise ValueError(_l("Geef een bedrag van 0 of meer."))
    if amount > MAX_AMOUNT:
        raise ValueError(_l("Geef een bedrag van hoogstens 999.999.999.999 euro."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_l("Geef een bedrag met hoogstens twee cijfers achter de komma."))
    return amount.quantize(Decimal("0.01"))


def format_amount(amount: Decimal) -> str:
    """An amount as Dutch people write it: 1.250.000,50; whole euros without cents (1.000.000)."""
    whole, cents = f"{amount:,.2f}".split(".")
    return whole.replace(",", ".") + ("" if cents == "00" else f",{cents}")


class AmountField(Field):
    """An amount in euro: a text box (not type=number, whose arrows and locale trip people up) that
    reads Dutch and plain notation alike and shows the amount in Dutch notation; one Dutch message
    per problem, never a browser or library message."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_amount(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if raw:
            self.data = parse_amount(raw)


def check_web_link(field) -> None:
    """Refuse evidence links that are not web addresses (javascript:, file:, ...)."""
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        raise ValidationError(_l("Geef een volledige link, beginnend met https://."))


def options(pairs) -> list[SelectChoice]:
    """Return (value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class NumberField(AmountField):
    """A count or a measured value (an indicator's): read and shown like an amount, in Dutch or
    plain notation, without euros, with one Dutch message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                _l("Geef een getal van 0 of meer, met hoogstens twee cijfers achter de komma, bijvoorbeeld 30 of 12,5.")
            ) from error
