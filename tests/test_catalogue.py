"""The catalogue stays honest: every entry is quoted from its source and refers to known things."""

import re
from pathlib import Path

import pytest

from measures.register.catalogue import CATALOGUE_DIR, SOURCES_DIR, load_catalogue, normalise, validate


def test_real_catalogue_is_valid():
    problems = validate(load_catalogue())
    assert problems == [], "\n".join(problems)


def test_sources_are_beside_the_repository():
    assert (SOURCES_DIR / "002_a1b06333d24a812e.txt").exists()


def test_normalise_folds_whitespace_and_case_only():
    assert normalise("  Een\n  Webcrawler\t") == "een webcrawler"
    assert normalise("geïmplementeerd") != normalise("geimplementeerd")
    assert normalise("zo’n") != normalise("zo'n")


GOOD_MEASURE = """
document = "kst-28638-161"

[[measures]]
code = "CT-B-99"
title = "Webcrawler"
description = "Ontwikkeling van een webcrawler."
announcement = "reeds_in_gang_gezet"
section = "b) Versterking opsporing"
quote = "Daarnaast wordt dit geld ingezet voor de   ontwikkeling van een WEBCRAWLER"
lead = "Politie"
co_owners = ["OM"]
lead_basis = "De politie en het OM hebben vanaf 2017 extra middelen ter beschikking gekregen."
themes = ["contouren:b", "actielijn:1"]
actielijn_basis = "Factsheet: rij ‘Police webcrawler (digital search application for online sex advertisements)’ onder actielijn 1."
{extra}

[[updates]]
measure = "CT-B-99"
status = "in_uitvoering"
as_of = "2018-05-25"
note = "Reeds in gang gezet."
quote = "Daarnaast wordt dit geld ingezet voor de ontwikkeling van een webcrawler"
"""


def _problems(directory: Path, text: str) -> list[str]:
    (directory / "kst-28638-161.toml").write_text(text, encoding="utf-8")
    return validate(load_catalogue(directory))


def test_good_entry_passes_with_whitespace_and_case_folded(small_catalogue):
    assert _problems(small_catalogue, GOOD_MEASURE.format(extra="")) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            ('quote = "Daarnaast wordt dit geld ingezet voor de   ontwikkeling van een WEBCRAWLER"', 'quote = ""'),
            "geen citaat",
        ),
        (("ontwikkeling van een WEBCRAWLER", "ontwikkeling van een zoekrobot"), "citaat komt niet voor"),
        (("ontwikkeling van een WEBCRAWLER", "ontwikkeling van een webcrawler,"), "citaat komt niet voor"),
        (('lead = "Politie"', 'lead = "Marechaussee"'), "onbekende trekker"),
        (('co_owners = ["OM"]', 'co_owners = ["XYZ"]'), "onbekende mede-eigenaar"),
        (('"contouren:b"', '"contouren:z"'), "onbekend thema"),
        (('"actielijn:1"', '"contouren:c"'), "meer dan één thema"),
        (('document = "kst-28638-161"', 'document = "kst-0"'), "onbekend document"),
        (('status = "in_uitvoering"', 'status = "klaar"'), "onbekende status"),
        (('measure = "CT-B-99"', 'measure = "CT-X-01"'), "onbekende maatregel"),
        (('as_of = "2018-05-25"', 'as_of = "2018-13-01"'), "ongeldige datum"),
    ],
)
def test_validator_catches(small_catalogue, change, expected):
    old, new = change
    problems = _problems(small_catalogue, GOOD_MEASURE.format(extra="").replace(old, new, 1))
    assert any(expected in p for p in problems), problems


def test_deadline_needs_a_basis(small_catalogue):
    problems = _problems(small_catalogue, GOOD_MEASURE.format(extra='deadline = "2020-12-31"'))
    assert any("deadline zonder grondslag" in p for p in problems)


def test_budget_amount_must_be_decimal_text(small_catalogue):
    extra = """
[[measures.budget]]
amount = 2000000.5
kind = "structureel"
per = "jaar"
from_year = 2018
quote = "ontwikkeling van een webcrawler"
"""
    problems = _problems(small_catalogue, GOOD_MEASURE.format(extra=extra))
    assert any("geen float" in p for p in problems)


def test_validation_names_a_missing_sources_folder_in_one_line(tmp_path):
    missing = tmp_path / "geen-shared" / "sources"
    problems = validate(load_catalogue(), missing)
    assert problems == [f"bronnenmap ontbreekt: {missing} (zet MM_SOURCES_DIR); de citaten zijn niet gecontroleerd"]


def test_structure_alone_is_checked_without_sources(small_catalogue):
    (small_catalogue / "kst-28638-161.toml").write_text(
        GOOD_MEASURE.format(extra="").replace('lead = "Politie"', 'lead = "NIEMAND"'), encoding="utf-8"
    )
    problems = validate(load_catalogue(small_catalogue), None)
    assert any("NIEMAND" in p for p in problems)
    assert not any("citaat" in p for p in problems)


@pytest.mark.slow  # init-db and seed in subprocesses
def test_the_app_seeds_without_the_sources_folder(tmp_path):
    """A clone without ../shared: `flask seed` (as `make run` calls it) loads the catalogue quietly."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "MM_SOURCES_DIR": str(tmp_path / "geen-shared"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'los.db'}",
        "MM_ENV_NAME": "development",
    }
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for args in (["init-db"], ["seed"]):
        result = subprocess.run([*flask, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert f"Catalogus geladen: {len(load_catalogue().measures)} maatregelen toegevoegd" in result.stdout
    assert "citaat" not in result.stdout + result.stderr


AUDIT_DIR = CATALOGUE_DIR / "audit"
VERDICTS = {"juist", "te_ruim", "onjuist", "bron_zwijgt", "dubbel", "ontbreekt"}


def _audit_rows():
    import csv

    for path in sorted(AUDIT_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            yield from ((path.name, row) for row in csv.DictReader(handle))


def test_audit_quotes_its_sources_verbatim_and_uses_known_verdicts():
    """The re-audit cites the sentence it judged by: each part occurs in the named source file."""
    import re

    texts = {p.name: normalise(p.read_text(encoding="utf-8")) for p in SOURCES_DIR.glob("*") if p.name != "README.md"}
    checked = 0
    for name, row in _audit_rows():
        assert row["verdict"] in VERDICTS, (name, row["entry"], row["verdict"])
        assert row["verdict"] == "juist" or row["correction"].strip(), (name, row["entry"], row["field"])
        sentence = row["source_sentence"].strip()
        if not sentence:
            continue
        text = "".join(t for file, t in texts.items() if file in row["source"])
        assert text, (name, row["entry"], row["source"])
        for part in re.split(r"\s*\[(?:\.\.\.|…)\]\s*", sentence):
            assert normalise(part) in text, (name, row["entry"], row["field"], part[:80])
        checked += 1
    assert checked > 1000


def test_audit_covers_every_catalogue_entry():
    entries = {row["entry"] for _, row in _audit_rows()}
    catalogue = load_catalogue()
    assert {m["code"] for m in catalogue.measures} <= entries
    assert {r["code"] for r in catalogue.recommendations} <= entries
    assert {f"update:{u['measure']}:{u['as_of']}" for u in catalogue.updates} <= entries


HANDLINGS = {"verwerkt", "afgewezen"}


def test_every_finding_of_the_audit_is_handled():
    """A finding is applied or rejected with a reason; nothing stays a mere work list."""
    for name, row in _audit_rows():
        where = (name, row["entry"], row["field"])
        if row["verdict"] == "juist":
            assert row["afhandeling"] == "", where
        else:
            assert row["afhandeling"] in HANDLINGS, where
            assert row["afhandeling"] == "verwerkt" or row["toelichting"].strip(), where


ASSIGNMENT = re.compile(r'^(lead|announcement|status) = "([^"]+)"(?! of )')


def test_findings_applied_as_written_are_in_the_catalogue():
    """Where a correction is an assignment ('lead = "gezamenlijk"'), or a merge, and it was applied,
    the catalogue says so: a later edit cannot silently undo an audited correction."""
    catalogue = load_catalogue()
    measures = {m["code"]: m for m in catalogue.measures}
    updates = {(u["measure"], str(u["as_of"])): u for u in catalogue.updates}
    merged = {m["code"]: m["into"] for m in catalogue.merged}
    checked = 0
    for name, row in _audit_rows():
        if row["afhandeling"] != "verwerkt":
            continue
        entry, correction = row["entry"].split(" ")[0], row["correction"]
        where = (name, row["entry"], row["field"], correction[:60])
        target = measures.get(entry)
        if entry.startswith("update:"):
            _, code, as_of = entry.split(":", 2)
            target = updates.get((code, as_of))
            if code in merged:  # the update went with its measure
                assert target is None, where
                checked += 1
                continue
        into = re.match(r"^merge into (\S+?):", correction)
        if into:
            assert merged.get(entry) == into.group(1), where
            checked += 1
            continue
        match = ASSIGNMENT.match(correction)
        if match and target is not None:
            field, value = match.groups()
            assert str(target.get(field, "onbekend")) == value, where
            checked += 1
        elif correction.startswith("problem = true") and target is not None:
            assert target.get("problem") is True, where
            checked += 1
    assert checked >= 25


def _with_documents(directory: Path, extra: str) -> None:
    path = directory / "documents.toml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_an_update_cannot_cite_a_document_dated_before_the_state_it_reports(small_catalogue):
    text = GOOD_MEASURE.format(extra="").replace('as_of = "2018-05-25"', 'as_of = "2019-01-01"')
    problems = _problems(small_catalogue, text)
    assert any("kan geen stand van 2019-01-01 melden" in p for p in problems)


def test_a_year_known_only_to_the_year_covers_the_whole_year(small_catalogue):
    _with_documents(
        small_catalogue,
        '\n[[documents]]\nkey = "later"\ntitle = "t"\ndate = "2019-01-01"\ndate_precision = "jaar"\nkind = "bericht"\n'
        'reference = "r"\nauthor = "onbekend"\nconsulted = false\nvia = "kst-28638-161"\n',
    )
    text = GOOD_MEASURE.format(extra="").replace('as_of = "2018-05-25"', 'as_of = "2019-12-31"\nevidence = "later"')
    assert _problems(small_catalogue, text) == []
    late = text.replace('as_of = "2019-12-31"', 'as_of = "2020-01-01"')
    assert any("kan geen stand van 2020-01-01 melden" in p for p in _problems(small_catalogue, late))


def test_a_document_not_consulted_is_quoted_through_the_document_it_is_known_via(small_catalogue):
    _with_documents(
        small_catalogue,
        '\n[[documents]]\nkey = "cited"\ntitle = "t"\ndate = "2018-06-01"\nkind = "kamerstuk"\n'
        'reference = "Kamerstuk X"\nauthor = "JenV"\nconsulted = false\nvia = "kst-28638-161"\n'
        '\n[[documents]]\nkey = "orphan"\ntitle = "t"\ndate = "2018-06-01"\nkind = "kamerstuk"\n'
        'reference = "Kamerstuk Y"\nauthor = "JenV"\nconsulted = false\n',
    )
    text = GOOD_MEASURE.format(extra="").replace('as_of = "2018-05-25"', 'as_of = "2018-05-25"\nevidence = "cited"')
    problems = _problems(small_catalogue, text)
    assert problems == ["document orphan: niet geraadpleegd, dus 'via' een geraadpleegd document nodig"]
    wrong = text.replace(
        'quote = "Daarnaast wordt dit geld ingezet voor de ontwikkeling van een webcrawler"',
        'quote = "Niet in de brief."',
    )
    assert any("citaat komt niet voor in 002_a1b06333d24a812e.txt" in p for p in _problems(small_catalogue, wrong))


def test_a_structural_budget_line_needs_a_quote_that_says_so(small_catalogue):
    budget = """
[[measures.budget]]
amount = "2000000.00"
kind = "structureel"
per = "jaar"
from_year = 2018
funding = "onbekend"
quote = "Daarnaast wordt dit geld ingezet voor de ontwikkeling van een webcrawler"
"""
    problems = _problems(small_catalogue, GOOD_MEASURE.format(extra=budget))
    assert any("structureel, maar het citaat zegt dat niet" in p for p in problems)
