"""The password rule, after NIST SP 800-63B: long enough, not common, not a pattern, not about us; no composition rules."""

import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

# A password that is the only factor must be at least 15 characters (SP 800-63B-4, 3.1.1.2);
# a passphrase of four ordinary words is that long and easy to remember.
MIN_LENGTH = 15
MAX_LENGTH = 256  # at least 64 must be allowed; Argon2 takes any length, the limit only bounds work
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
# Words anyone attacking this site would try first.
CONTEXT_WORDS = ("maatregelmonitor", "mensenhandel")
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common and breached passwords, lower case."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def normalise(password: str) -> str:
    """Return the password as it is hashed and compared: Unicode NFKC (SP 800-63B asks for normalisation)."""
    return unicodedata.normalize("NFKC", password)


def _is_repetitive(text: str) -> bool:
    # One short unit repeated ("aaaa…", "abcabc…"), or hardly any different characters.
    return len(set(text)) < 5 or (text + text).find(text, 1) < len(text)


def _is_sequential(text: str) -> bool:
    squeezed = "".join(text.lower().split())
    if len(squeezed) < 4:
        return False
    for sequence in SEQUENCES:
        forwards = sequence * 3
        if squeezed in forwards or squeezed in forwards[::-1]:
            return True
    return False


def problems(password: str, *, email: str = "", name: str = "") -> list:
    """Return what is wrong with `password` for this account, in Dutch; an empty list when it is fine."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return [
            _l(
                "Het wachtwoord moet minstens %(min)d tekens lang zijn; een zin van een paar woorden werkt goed.",
                min=MIN_LENGTH,
            )
        ]
    if len(password) > MAX_LENGTH:
        return [_l("Het wachtwoord mag hoogstens %(max)d tekens lang zijn.", max=MAX_LENGTH)]
    lowered = password.lower()
    squeezed = "".join(lowered.split())
    found = []
    if not squeezed or _is_repetitive(squeezed):
        found.append(_l("Het wachtwoord herhaalt steeds hetzelfde; kies iets minder voorspelbaars."))
    elif _is_sequential(squeezed):
        found.append(_l("Het wachtwoord is een reeks (zoals abcdef of 123456); kies iets minder voorspelbaars."))
    stripped = squeezed.rstrip("0123456789!?.-_ ")
    if lowered in common_passwords() or squeezed in common_passwords() or stripped in common_passwords():
        found.append(
            _l("Dit wachtwoord komt voor in lijsten van veelgebruikte of gelekte wachtwoorden; kies een ander.")
        )
    local_part = email.strip().lower().split("@")[0]
    context = [*CONTEXT_WORDS, local_part, email.strip().lower(), "".join(name.lower().split())]
    if any(len(word) >= 4 and word in squeezed for word in context):
        found.append(_l("Het wachtwoord bevat de naam van deze site, uw naam of uw e-mailadres; kies een ander."))
    return found
