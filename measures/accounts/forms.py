"""Forms for signing in, users and roles, passwords and API tokens."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length, ValidationError

from measures.accounts import passwords
from measures.core.forms import BaseForm, options
from models.user import ROLES


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


class TokenForm(BaseForm):
    name = StringField(
        _l("Naam van het token"),
        validators=[InputRequired(message=_l("Geef het token een naam.")), Length(max=100)],
        description=_l("Bijvoorbeeld de naam van het systeem dat het token gebruikt."),
    )
