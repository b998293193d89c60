"""Dutch by default, English on request; dates Dutch and times in Europe/Amsterdam."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from measures.core import jinja as filters

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@pytest.mark.smoke
def test_dutch_is_the_default(client):
    html = client.get("/maatregelen").get_data(as_text=True)
    assert '<html lang="nl"' in html and "Filter toepassen" in html


def test_english_on_request_and_remembered(client):
    html = client.get("/maatregelen?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in html and "Filter toepassen" not in html
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
    assert '<html lang="nl"' in client.get("/?lang=nl").get_data(as_text=True)


def test_unknown_language_falls_back_to_dutch(client):
    assert '<html lang="nl"' in client.get("/?lang=xx").get_data(as_text=True)


def test_every_message_has_an_english_translation():
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert missing == []


def test_compiled_catalogue_is_up_to_date():
    folder = TRANSLATIONS / "en" / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po), read_mo(mo)

    def pairs(catalog):
        def norm(value):
            return tuple(value) if isinstance(value, (list, tuple)) else (value,)

        return {norm(m.id): norm(m.string) for m in catalog if m.id}

    assert pairs(source) == pairs(compiled), "run `make translations`"


def test_every_interface_text_is_in_the_catalogue():
    # Extract afresh and compare: a new _("...") without a translation fails here.
    from babel.messages.extract import extract_from_dir

    root = TRANSLATIONS.parent
    method_map = [
        ("**/.venv/**", "ignore"),
        ("**/tests/**", "ignore"),
        ("**/static/**", "ignore"),
        ("**.py", "python"),
        ("templates/**.html", "jinja2"),
    ]
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            root,
            method_map,
            keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None},
        )
    }
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert sorted(found - known) == []


def test_dates_money_and_times_are_dutch(app):
    with app.test_request_context("/"):
        assert filters.nl_date(date(2018, 5, 25)) == "25 mei 2018"
        assert filters.short_date(date(2020, 12, 31)) == "31-12-2020"
        assert filters.euro(Decimal("2000000")) == "€ 2.000.000"
        assert filters.euro(Decimal("1234.5")) == "€ 1.234,50"
        # 23:30 UTC on 31 Dec is already New Year in Amsterdam.
        assert filters.nl_datetime(datetime(2020, 12, 31, 23, 30, tzinfo=UTC)) == "1 januari 2021, 00:30"
