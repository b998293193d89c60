"""WTForms for the register. Labels and messages are Dutch, through Flask-Babel."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from measures.accounts import passwords
from measures.core.text import DateError, clean_text, parse_date
from measures.register.queries import SORTS, MeasureFilter
from models.measure import JOINT_LEAD
from models.user import ROLES

MAX_SEARCH = 200


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


class MeasureFilterForm(BaseForm):
    """The list's filters. Read from the query string, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Zoeken"),
        validators=[
            Optional(),
            Length(max=MAX_SEARCH, message=_l("Zoektekst mag hoogstens %(max)d tekens lang zijn.")),
        ],
    )
    theme = SelectMultipleField(_l("Thema"), validate_choice=True)
    owner = SelectField(default="", label=_l("Eigenaar"), validate_choice=True)
    status = SelectField(default="", label=_l("Status"), validate_choice=True)
    document = SelectField(default="", label=_l("Brondocument"), validate_choice=True)
    overdue = BooleanField(_l("Alleen deadline verstreken"))
    flagged = SelectField(default="", label=_l("Vastgelopen"), validate_choice=True)
    sort = SelectField(default="code", label=_l("Sorteren op"), validate_choice=True)
    page = IntegerField(
        _l("Pagina"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100000, message=_l("Kies een paginanummer van 1 tot en met %(max)d.")),
        ],
    )

    def __init__(self, vocabulary: dict, **kwargs):
        super().__init__(**kwargs)
        any_choice = [("", _l("Alle"))]
        # "" is each scheme's "Alle": the form sends one theme field per scheme, empty when unused.
        self.theme.choices = options(
            [("", _l("Alle"))] + [(t["key"], t["name"]) for s in vocabulary["schemes"] for t in s["themes"]]
        )
        self.owner.choices = options(
            any_choice + [(o.abbreviation, f"{o.abbreviation} – {o.name}") for o in vocabulary["organisations"]]
        )
        self.status.choices = options(any_choice + [(s.code, s.label) for s in vocabulary["statuses"]])
        self.document.choices = options(any_choice + [(d.key, f"{d.reference}") for d in vocabulary["documents"]])
        self.flagged.choices = options(
            [
                ("", _l("Alle maatregelen")),
                ("1", _l("Vastgelopen (elk niveau)")),
                ("2", _l("Vastgelopen, niveau middel of hoog")),
                ("3", _l("Vastgelopen, niveau hoog")),
            ]
        )
        sort_labels = {
            "code": _l("Code"),
            "titel": _l("Titel"),
            "status": _l("Status"),
            "deadline": _l("Deadline"),
            "gewijzigd": _l("Laatst gewijzigd"),
        }
        self.sort.choices = options(
            [(name, sort_labels[name]) for name in SORTS]
            + [(f"-{name}", f"{sort_labels[name]} ({_l('aflopend')})") for name in SORTS]
        )

    def validate(self, extra_validators=None) -> bool:
        """Validate, naming the field in a choice error instead of WTForms' generic message."""
        ok = super().validate(extra_validators)
        for field_ in (self.theme, self.owner, self.status, self.document, self.flagged, self.sort):
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
            themes=[key for key in (self.theme.data or []) if key],
            owner=self.owner.data or "",
            status=self.status.data or "",
            document=self.document.data or "",
            overdue=bool(self.overdue.data),
            flagged=int(self.flagged.data or 0),
            sort=sort.lstrip("-"),
            descending=sort.startswith("-"),
            page=self.page.data or 1,
        )


class LoginForm(BaseForm):
    email = StringField(
        _l("E-mailadres"), validators=[InputRequired(message=_l("Vul uw e-mailadres in.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Wachtwoord"), validators=[InputRequired(message=_l("Vul uw wachtwoord in.")), Length(max=1000)]
    )


class UserForm(BaseForm):
    email = StringField(
        _l("E-mailadres"),
        validators=[
            InputRequired(message=_l("Vul een e-mailadres in.")),
            Email(message=_l("Geef een geldig e-mailadres.")),
            Length(max=254),
        ],
    )
    name = StringField(_l("Naam"), validators=[InputRequired(message=_l("Vul een naam in.")), Length(max=200)])
    role = SelectField(_l("Rol"), choices=options(ROLES.items()))
    organisation = SelectField(_l("Organisatie"), default="")
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[InputRequired(message=_l("Vul een wachtwoord in."))],
        description=_l("Minstens 15 tekens, bijvoorbeeld een zin van een paar woorden; geen veelgebruikt wachtwoord."),
    )

    def __init__(self, organisations, **kwargs):
        super().__init__(**kwargs)
        self.organisation.choices = options(
            [("", _l("Geen"))] + [(o.abbreviation, f"{o.abbreviation} – {o.name}") for o in organisations]
        )

    def validate_password(self, field):
        found = passwords.problems(field.data or "", email=self.email.data or "", name=self.name.data or "")
        if found:
            raise ValidationError(" ".join(str(reason) for reason in found))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[InputRequired(message=_l("Vul uw huidige wachtwoord in.")), Length(max=1000)],
    )
    new_password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[InputRequired(message=_l("Vul een nieuw wachtwoord in.")), Length(max=1000)],
        description=_l(
            "Minstens 15 tekens, bijvoorbeeld een zin van een paar woorden. Geen veelgebruikt of gelekt wachtwoord, geen reeks, en niet uw naam of e-mailadres."
        ),
    )
    confirm = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        validators=[InputRequired(message=_l("Herhaal het nieuwe wachtwoord."))],
    )

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_l("De twee nieuwe wachtwoorden zijn niet gelijk."))


class VersionedForm(BaseForm):
    """A form that edits a measure carries the version it was loaded at (optimistic locking)."""

    version = HiddenField(validators=[InputRequired()])

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class StatusUpdateForm(VersionedForm):
    status = SelectField(_l("Nieuwe status"), validators=[InputRequired(message=_l("Kies een status."))])
    as_of = StrictDateField(
        _l("Stand per"),
        validators=[InputRequired(message=_l("Vul de datum in waarop deze stand geldt."))],
        description=_l("De datum waarop deze stand gold, bijvoorbeeld de datum van het bewijsstuk."),
    )
    note = TextAreaField(
        _l("Toelichting"),
        validators=[Length(max=5000, message=_l("De toelichting mag hoogstens %(max)d tekens lang zijn."))],
        description=_l("Verplicht als de status teruggaat of de maatregel wordt beëindigd."),
    )
    reports_problem = BooleanField(
        _l("Het bewijs meldt een knelpunt: de maatregel is niet (volledig) uitgevoerd of zit vast")
    )
    evidence_document = SelectField(_l("Bewijs: brondocument"), default="")
    evidence_url = URLField(
        _l("Bewijs: link"),
        validators=[
            Optional(),
            URL(require_tld=True, message=_l("Geef een volledige link, beginnend met https://.")),
            Length(max=500),
        ],
    )

    def __init__(self, statuses, documents, current_status=None, **kwargs):
        super().__init__(**kwargs)
        self._statuses = {s.code: s for s in statuses}
        self._current = current_status
        self.status.choices = options([("", _l("Kies een status"))] + [(s.code, s.label) for s in statuses])
        self.evidence_document.choices = options(
            [("", _l("Geen"))] + [(d.key, f"{d.reference} ({d.date:%d-%m-%Y})") for d in documents]
        )

    def validate_note(self, field):
        new = self._statuses.get(self.status.data)
        if new is None or self._current is None:
            return
        backwards = new.rank < self._current.rank
        if (backwards or new.code == "beeindigd") and not (field.data or "").strip():
            raise ValidationError(_l("Leg uit waarom de status teruggaat of de maatregel wordt beëindigd."))

    def validate_evidence_url(self, field):
        check_web_link(field)


class DeadlineForm(VersionedForm):
    new_deadline = StrictDateField(
        _l("Nieuwe deadline"), validators=[InputRequired(message=_l("Vul de nieuwe deadline in."))]
    )
    reason = TextAreaField(
        _l("Reden"),
        validators=[InputRequired(message=_l("Geef de reden voor de wijziging.")), Length(max=5000)],
        description=_l("Waarom verandert de deadline? Dit komt in de deadlinegeschiedenis."),
    )
    basis = StringField(
        _l("Grondslag"),
        validators=[Optional(), Length(max=500)],
        description=_l("Waar komt de nieuwe datum vandaan, bijvoorbeeld een Kamerbrief."),
    )


class BudgetLineForm(Form):
    """One budget line; an empty line is ignored."""

    amount = DecimalField(
        _l("Bedrag (€)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=Decimal("999999999999"), message=_l("Geef een bedrag van 0 of meer.")),
        ],
    )
    kind = SelectField(
        _l("Soort"),
        choices=options(
            [("structureel", _l("Structureel")), ("eenmalig", _l("Eenmalig")), ("onbekend", _l("Onbekend"))]
        ),
    )
    per = SelectField(_l("Periode"), choices=options([("jaar", _l("per jaar")), ("totaal", _l("totaal"))]))
    from_year = IntegerField(
        _l("Vanaf jaar"),
        validators=[Optional(), NumberRange(min=1990, max=2100, message=_l("Geef een jaartal tussen 1990 en 2100."))],
    )
    to_year = IntegerField(
        _l("Tot en met jaar"),
        validators=[Optional(), NumberRange(min=1990, max=2100, message=_l("Geef een jaartal tussen 1990 en 2100."))],
    )
    funding = StringField(_l("Financieringsbron"), validators=[Optional(), Length(max=300)], filters=[clean_text])

    def validate_from_year(self, field):
        if self.amount.data is not None and field.data is None:
            raise ValidationError(_l("Vul het beginjaar in."))

    def validate_to_year(self, field):
        if field.data is not None and self.from_year.data is not None and field.data < self.from_year.data:
            raise ValidationError(_l("Het eindjaar ligt voor het beginjaar."))


class MeasureForm(VersionedForm):
    title = StringField(_l("Titel"), validators=[InputRequired(message=_l("Vul een titel in.")), Length(max=300)])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional(), Length(max=10000)])
    lead = SelectField(_l("Trekker"), default="")
    co_owners = SelectMultipleField(_l("Mede-eigenaren"), default=[])
    themes = SelectMultipleField(_l("Thema's"), default=[])
    budget = FieldList(FormField(BudgetLineForm), min_entries=1, max_entries=20)

    def __init__(self, organisations, schemes, **kwargs):
        super().__init__(**kwargs)
        self.lead.choices = options(
            [("", _l("Onbekend")), (JOINT_LEAD, _l("Gezamenlijk: geen trekker genoemd"))]
            + [(o.abbreviation, f"{o.abbreviation} – {o.name}") for o in organisations]
        )
        self.co_owners.choices = options([(o.abbreviation, f"{o.abbreviation} – {o.name}") for o in organisations])
        self.schemes = schemes
        # "" is each scheme's "Geen": the form sends one theme field per scheme, empty when unused.
        self.themes.choices = options(
            [("", _l("Geen"))] + [(t["key"], t["name"]) for scheme in schemes for t in scheme["themes"]]
        )

    def validate_themes(self, field):
        chosen = [key for key in (field.data or []) if key]
        field.data = chosen
        if len({key.split(":")[0] for key in chosen}) != len(chosen):
            raise ValidationError(_l("Kies per indeling hoogstens één thema."))

    def validate_co_owners(self, field):
        if self.lead.data and self.lead.data in (field.data or []):
            raise ValidationError(_l("De trekker is niet ook mede-eigenaar."))


class NewMeasureForm(MeasureForm):
    version = HiddenField(default="0")
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(message=_l("Vul een code in.")),
            Length(max=40),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                message=_l("Gebruik letters, cijfers, punt, streepje of liggend streepje."),
            ),
        ],
        description=_l("Een vaste code, bijvoorbeeld STM-1-12. Deze verandert nooit meer."),
    )
    source_document = SelectField(_l("Brondocument"), default="")
    source_section = StringField(_l("Vindplaats in de bron"), validators=[Optional(), Length(max=300)])
    source_quote = TextAreaField(_l("Letterlijk citaat"), validators=[Optional(), Length(max=10000)])

    def __init__(self, organisations, schemes, documents, **kwargs):
        super().__init__(organisations, schemes, **kwargs)
        self.source_document.choices = options(
            [("", _l("Geen"))] + [(d.key, f"{d.reference} ({d.date:%d-%m-%Y})") for d in documents]
        )


class ImportForm(BaseForm):
    file = FileField(
        _l("Bestand (XLSX of CSV)"),
        validators=[
            FileRequired(message=_l("Kies een bestand.")),
            FileAllowed(["xlsx", "csv"], message=_l("Alleen .xlsx- of .csv-bestanden.")),
        ],
        description=_l(
            "Hetzelfde formaat als de export: kolommen code, status, stand_per en eventueel toelichting, bewijs_document, bewijs_link."
        ),
    )


class AcknowledgeFlagForm(BaseForm):
    note = TextAreaField(
        _l("Toelichting"),
        validators=[InputRequired(message=_l("Schrijf wat er met deze signalering gebeurt.")), Length(max=5000)],
        description=_l("Wat gebeurt er met deze signalering? De toelichting blijft bij de signalering staan."),
    )


class AssessmentForm(BaseForm):
    light = RadioField(
        _l("Oordeel"),
        choices=options(
            [
                ("op_schema", _l("Op schema")),
                ("vraagt_aandacht", _l("Vraagt aandacht")),
                ("ernstig_vertraagd", _l("Ernstig vertraagd")),
            ]
        ),
        validators=[InputRequired(message=_l("Kies een oordeel."))],
    )
    text = TextAreaField(
        _l("Toelichting"), validators=[InputRequired(message=_l("Onderbouw het oordeel.")), Length(max=10000)]
    )
    as_of = StrictDateField(
        _l("Datum van het oordeel"), validators=[InputRequired(message=_l("Vul de datum van het oordeel in."))]
    )
    evidence_document = SelectField(_l("Bewijs: brondocument"), default="")
    evidence_url = URLField(
        _l("Bewijs: link"),
        validators=[
            Optional(),
            URL(require_tld=True, message=_l("Geef een volledige link, beginnend met https://.")),
            Length(max=500),
        ],
    )

    def __init__(self, documents, **kwargs):
        super().__init__(**kwargs)
        self.evidence_document.choices = options(
            [("", _l("Geen"))] + [(d.key, f"{d.reference} ({d.date:%d-%m-%Y})") for d in documents]
        )

    def validate_evidence_url(self, field):
        check_web_link(field)


class ReplyForm(BaseForm):
    text = TextAreaField(
        _l("Reactie"), validators=[InputRequired(message=_l("Schrijf een reactie.")), Length(max=10000)]
    )


class RecommendationForm(BaseForm):
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(message=_l("Vul een code in.")),
            Length(max=60),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                message=_l("Gebruik letters, cijfers, punt, streepje of liggend streepje."),
            ),
        ],
    )
    kind = SelectField(
        _l("Soort"), choices=options([("aanbeveling", _l("Aanbeveling")), ("bevinding", _l("Bevinding"))])
    )
    title = StringField(_l("Titel"), validators=[InputRequired(message=_l("Vul een titel in.")), Length(max=300)])
    text = TextAreaField(_l("Tekst"), validators=[InputRequired(message=_l("Vul de tekst in.")), Length(max=10000)])
    addressee = StringField(_l("Gericht aan"), validators=[Optional(), Length(max=300)])
    document = SelectField(
        _l("Brondocument"), validators=[InputRequired(message=_l("Kies het document waarin de aanbeveling staat."))]
    )
    quote = TextAreaField(_l("Letterlijk citaat"), validators=[Optional(), Length(max=10000)])
    measures = SelectMultipleField(_l("Maatregelen die eraan beantwoorden"), default=[])

    def __init__(self, documents, measures, **kwargs):
        super().__init__(**kwargs)
        self.document.choices = options(
            [("", _l("Kies een document"))] + [(d.key, f"{d.reference} ({d.date:%d-%m-%Y})") for d in documents]
        )
        self.measures.choices = options([(m.code, f"{m.code} {m.title}") for m in measures])


class LinkMeasureForm(BaseForm):
    measure = SelectField(_l("Maatregel"), validators=[InputRequired(message=_l("Kies een maatregel."))])

    def __init__(self, measures, **kwargs):
        super().__init__(**kwargs)
        self.measure.choices = options(
            [("", _l("Kies een maatregel"))] + [(m.code, f"{m.code} {m.title}") for m in measures]
        )


class TokenForm(BaseForm):
    name = StringField(
        _l("Naam van het token"),
        validators=[InputRequired(message=_l("Geef het token een naam.")), Length(max=100)],
        description=_l("Bijvoorbeeld de naam van het systeem dat het token gebruikt."),
    )
