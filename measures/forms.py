"""WTForms for the register. Labels and messages are Dutch, through Flask-Babel."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, NumberRange, Optional

from measures.queries import SORTS, MeasureFilter

MAX_SEARCH = 200


class MeasureFilterForm(FlaskForm):
    """The list's filters. Read from the query string, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Zoeken"), validators=[Optional(), Length(max=MAX_SEARCH, message=_l("Zoektekst mag hoogstens %(max)d tekens lang zijn."))])
    theme = SelectMultipleField(_l("Thema"), validate_choice=True)
    owner = SelectField(default="", label=_l("Eigenaar"), validate_choice=True)
    status = SelectField(default="", label=_l("Status"), validate_choice=True)
    document = SelectField(default="", label=_l("Brondocument"), validate_choice=True)
    overdue = BooleanField(_l("Alleen deadline verstreken"))
    sort = SelectField(default="code", label=_l("Sorteren op"), validate_choice=True)
    page = IntegerField(_l("Pagina"), validators=[Optional(), NumberRange(min=1, max=100000, message=_l("Kies een paginanummer van 1 tot en met %(max)d."))])

    def __init__(self, vocabulary: dict, **kwargs):
        super().__init__(**kwargs)
        any_choice = [("", _l("Alle"))]
        self.theme.choices = [(t["key"], t["name"]) for s in vocabulary["schemes"] for t in s["themes"]]
        self.owner.choices = any_choice + [(o.abbreviation, f"{o.abbreviation} – {o.name}") for o in vocabulary["organisations"]]
        self.status.choices = any_choice + [(s.code, s.label) for s in vocabulary["statuses"]]
        self.document.choices = any_choice + [(d.key, f"{d.reference}") for d in vocabulary["documents"]]
        sort_labels = {"code": _l("Code"), "titel": _l("Titel"), "status": _l("Status"), "deadline": _l("Deadline"), "gewijzigd": _l("Laatst gewijzigd")}
        self.sort.choices = [(name, sort_labels[name]) for name in SORTS] + [(f"-{name}", f"{sort_labels[name]} ({_l('aflopend')})") for name in SORTS]

    def validate(self, extra_validators=None) -> bool:
        """Validate, naming the field in a choice error instead of WTForms' generic message."""
        ok = super().validate(extra_validators)
        for field_ in (self.theme, self.owner, self.status, self.document, self.sort):
            if field_.errors:
                field_.errors = [_l("Onbekende keuze voor %(label)s.", label=field_.label.text)]
        # A page that is not a number needs one message, not also the range message.
        self.page.errors = list(self.page.errors)[:1]
        return ok

    def to_filter(self) -> MeasureFilter:
        """Return the filter state; call only after validate() succeeded."""
        sort = self.sort.data or "code"
        return MeasureFilter(
            q=(self.q.data or "").strip(),
            themes=list(self.theme.data or []),
            owner=self.owner.data or "",
            status=self.status.data or "",
            document=self.document.data or "",
            overdue=bool(self.overdue.data),
            sort=sort.lstrip("-"),
            descending=sort.startswith("-"),
            page=self.page.data or 1,
        )
