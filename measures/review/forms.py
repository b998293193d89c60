"""Forms of the rapporteur's view: assessments, replies, recommendations and their links."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, InputRequired, Length, Optional, Regexp

from measures.core.forms import BaseForm, StrictDateField, check_web_link, options


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
