"""Forms of the register: the list filter, measures, statuses, deadlines and the import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from measures.core.forms import AmountField, BaseForm, NumberField, StrictDateField, check_web_link, options
from measures.core.text import clean_text
from measures.register.queries import SORTS, MeasureFilter
from measures.register.services import needs_note
from models.measure import JOINT_LEAD

MAX_SEARCH = 200


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

    evidence_quote = TextAreaField(
        _l("Bewijs: citaat"),
        validators=[Optional(), Length(max=2000, message=_l("Het citaat mag hoogstens %(max)d tekens lang zijn."))],
        description=_l(
            "De zin uit het brondocument, letterlijk; als de tekst van het document in het register staat, wordt het citaat ertegen gecontroleerd."
        ),
    )
    # The proposal (measures.sources) this form was filled from; accepted when the status is saved.
    proposal = HiddenField()

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
        if needs_note(self._current, new) and not (field.data or "").strip():
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

    amount = AmountField(
        _l("Bedrag (€)"), description=_l("In euro, bijvoorbeeld 1.000.000 of 1.250,50."), validators=[Optional()]
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
    budget = FieldList(FormField(BudgetLineForm), _l("Budgetregel"), min_entries=1, max_entries=20)

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


PRECISIONS = options((("dag", _l("op de dag")), ("maand", _l("alleen de maand")), ("jaar", _l("alleen het jaar"))))


def _documents_choices(documents) -> list:
    return options([("", _l("Geen"))] + [(d.key, f"{d.reference} ({d.date:%d-%m-%Y})") for d in documents])


class _Evidence:
    """The evidence fields a measurement shares with a status update."""

    evidence_document = SelectField(_l("Bewijs: brondocument"), default="")
    evidence_quote = TextAreaField(
        _l("Bewijs: citaat"),
        validators=[Optional(), Length(max=2000, message=_l("Het citaat mag hoogstens %(max)d tekens lang zijn."))],
        description=_l(
            "De zin uit het brondocument, letterlijk; als de tekst van het document in het register staat, wordt het citaat ertegen gecontroleerd."
        ),
    )
    evidence_url = URLField(
        _l("Bewijs: link"),
        validators=[
            Optional(),
            URL(require_tld=True, message=_l("Geef een volledige link, beginnend met https://.")),
            Length(max=500),
        ],
    )

    def validate_evidence_url(self, field):
        check_web_link(field)


class MeasurementForm(_Evidence, VersionedForm):
    indicator = SelectField(_l("Indicator"), validators=[InputRequired(message=_l("Kies een indicator."))])
    value = NumberField(_l("Gemeten waarde"), validators=[InputRequired(message=_l("Vul de gemeten waarde in."))])
    measured_on = StrictDateField(
        _l("Gemeten per"),
        validators=[InputRequired(message=_l("Vul de datum in waarop deze waarde gold."))],
        description=_l("De datum waarop de waarde gold, bijvoorbeeld de peildatum in het bewijsstuk."),
    )
    precision = SelectField(_l("Hoe precies is die datum bekend?"), choices=PRECISIONS, default="dag")
    note = TextAreaField(
        _l("Toelichting"),
        validators=[Length(max=2000, message=_l("De toelichting mag hoogstens %(max)d tekens lang zijn."))],
    )

    def __init__(self, indicators, documents, **kwargs):
        super().__init__(**kwargs)
        self.indicator.choices = options(
            [("", _l("Kies een indicator"))] + [(i.code, f"{i.name} ({i.unit})") for i in indicators]
        )
        self.evidence_document.choices = _documents_choices(documents)


class IndicatorForm(VersionedForm):
    name = StringField(
        _l("Naam"),
        validators=[InputRequired(message=_l("Geef de indicator een naam.")), Length(max=200)],
        description=_l("Wat wordt er geteld, bijvoorbeeld: regio's met zorgcoördinatie."),
    )
    unit = StringField(
        _l("Eenheid"),
        validators=[InputRequired(message=_l("Vul de eenheid in, bijvoorbeeld regio's of procent.")), Length(max=60)],
    )
    direction = SelectField(
        _l("Richting"),
        choices=options((("stijgend", _l("hoger is beter")), ("dalend", _l("lager is beter")))),
        default="stijgend",
    )
    target_value = NumberField(_l("Streefwaarde"), validators=[InputRequired(message=_l("Vul de streefwaarde in."))])
    target_on = StrictDateField(
        _l("Streefdatum"),
        validators=[Optional()],
        description=_l("Leeg laten als het doel op de deadline van de maatregel moet zijn gehaald."),
    )
    target_precision = SelectField(_l("Hoe precies is de streefdatum bekend?"), choices=PRECISIONS, default="dag")
    basis_document = SelectField(_l("Grondslag: brondocument"), default="")
    basis = TextAreaField(
        _l("Grondslag: citaat"),
        validators=[Optional(), Length(max=2000, message=_l("Het citaat mag hoogstens %(max)d tekens lang zijn."))],
        description=_l("De zin die het doel noemt, letterlijk. Leeg: de grondslag is onbekend."),
    )
    baseline_value = NumberField(_l("Nulmeting: waarde"), validators=[Optional()])
    baseline_on = StrictDateField(_l("Nulmeting: datum"), validators=[Optional()])
    baseline_precision = SelectField(_l("Hoe precies is die datum bekend?"), choices=PRECISIONS, default="dag")
    baseline_document = SelectField(_l("Nulmeting: brondocument"), default="")
    baseline_basis = TextAreaField(
        _l("Nulmeting: citaat"),
        validators=[Optional(), Length(max=2000, message=_l("Het citaat mag hoogstens %(max)d tekens lang zijn."))],
    )

    def __init__(self, documents, **kwargs):
        super().__init__(**kwargs)
        self.basis_document.choices = _documents_choices(documents)
        self.baseline_document.choices = _documents_choices(documents)

    def validate_baseline_on(self, field):
        if (field.data is None) != (self.baseline_value.data is None):
            raise ValidationError(_l("Een nulmeting heeft een waarde en een datum, of geen van beide."))


class IndicatorRetirementForm(VersionedForm):
    retired_on = StrictDateField(
        _l("Ingetrokken per"),
        validators=[InputRequired(message=_l("Vul de datum in vanaf wanneer de indicator niet meer geldt."))],
        description=_l("Vóór deze datum blijft de indicator staan zoals zij was, met haar metingen."),
    )
    reason = TextAreaField(
        _l("Reden"),
        validators=[
            InputRequired(message=_l("Geef de reden waarom de indicator wordt ingetrokken.")),
            Length(max=2000, message=_l("De reden mag hoogstens %(max)d tekens lang zijn.")),
        ],
        description=_l("Bijvoorbeeld: de streefwaarde was verkeerd overgenomen; vervangen door een nieuwe indicator."),
    )
