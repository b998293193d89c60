"""The two steps of reading a document in on a page: the file, then its particulars to confirm."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from measures.core.forms import BaseForm, StrictDateField, options
from models.document import DOCUMENT_KINDS

EXTENSIONS = ["pdf", "html", "htm", "docx", "txt", "md"]


class UploadForm(BaseForm):
    file = FileField(
        _l("Bestand"),
        validators=[
            FileRequired(message=_l("Kies een bestand.")),
            FileAllowed(EXTENSIONS, message=_l("Alleen PDF, HTML, DOCX, TXT of MD.")),
        ],
        description=_l(
            "Een Kamerbrief, rapport of bericht als PDF, HTML (de pagina van officielebekendmakingen.nl), Word (DOCX) of tekst; hoogstens 5 MB."
        ),
    )


class ConfirmForm(BaseForm):
    reference = StringField(
        _l("Kenmerk"),
        validators=[
            InputRequired(message=_l("Vul het kenmerk in, bijvoorbeeld Kamerstuk 28 638 nr. 170.")),
            Length(max=200),
        ],
    )
    date = StrictDateField(_l("Datum"), validators=[InputRequired(message=_l("Vul de datum van het document in."))])
    kind = SelectField(_l("Soort"), validate_choice=True)
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=300)])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = options(list(DOCUMENT_KINDS.items()))
