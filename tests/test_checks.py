"""Stalled-measure checks: every rule at the edge of its threshold, persistence, and the seeded
catalogue's three known stalled measures."""

import json
import multiprocessing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select

from measures.checks import rules as checks
from measures.checks.rules import Thresholds, evaluate, run_checks
from measures.register import services
from models import CheckRun, Flag, FlagAcknowledgement
from tests.conftest import NOW

# Rules at the edges of dated history, persisted flags (a partial unique index), the run lock across processes.
pytestmark = pytest.mark.postgres

T = Thresholds(stale_months=12, max_postponements=1, long_running_years=3)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def rules_fired(session, day: date, code: str) -> set[str]:
    session.info.clear()  # the per-date cache: the tests change data between evaluations
    return {f.rule for f in evaluate(session, at(day), T).findings if f.measure_code == code}


def record(session, measure, status, on, *, problem=False, document=None, note=""):
    services.record_status(
        session=session,
        measure=measure,
        status_code=status,
        as_of=on,
        note=note,
        recorded_by="t",
        now=NOW,
        evidence_document_id=document.id if document else None,
        reports_problem=problem,
    )
    session.commit()


@pytest.fixture
def owned(create_organisation):
    create_organisation("Politie")


# --- each rule, firing and not firing at the edge of its threshold -----------------------------


def test_deadline_passed_edge(session, owned, create_measure):
    create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 12, 31))
    assert "deadline_verstreken" not in rules_fired(session, date(2020, 12, 31), "M")
    assert "deadline_verstreken" in rules_fired(session, date(2021, 1, 1), "M")


@pytest.mark.parametrize("status", ["gerealiseerd", "beeindigd"])
def test_deadline_passed_ignores_closed_measures(session, owned, create_measure, status):
    create_measure("M", lead="Politie", status=status, deadline=date(2020, 12, 31))
    assert "deadline_verstreken" not in rules_fired(session, date(2022, 1, 1), "M")


def test_deadline_passed_reads_the_deadline_as_it_was_then(session, owned, create_measure):
    measure = create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 12, 31))
    services.change_deadline(
        session=session,
        measure=measure,
        new_deadline=date(2022, 12, 31),
        basis="",
        reason="Uitstel",
        decided_on=date(2021, 6, 1),
        recorded_by="t",
        now=NOW,
    )
    session.commit()
    assert "deadline_verstreken" in rules_fired(session, date(2021, 3, 1), "M")  # before the postponement
    assert "deadline_verstreken" not in rules_fired(session, date(2021, 7, 1), "M")


def test_stale_edge(session, owned, create_measure):
    create_measure("M", lead="Politie", status="in_uitvoering", status_on=date(2020, 3, 15), deadline=date(2030, 1, 1))
    assert "geen_update" not in rules_fired(session, date(2021, 3, 15), "M")  # exactly 12 months
    assert "geen_update" in rules_fired(session, date(2021, 3, 16), "M")


def test_stale_counts_from_announcement_when_never_updated(session, owned, create_measure):
    create_measure("M", lead="Politie", deadline=date(2030, 1, 1), announced_on=date(2020, 1, 10))
    assert "geen_update" not in rules_fired(session, date(2021, 1, 10), "M")
    assert "geen_update" in rules_fired(session, date(2021, 1, 11), "M")


def test_postponed_edge(session, owned, create_measure):
    measure = create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    services.change_deadline(
        session=session,
        measure=measure,
        new_deadline=date(2021, 1, 1),
        basis="",
        reason="a",
        decided_on=date(2019, 6, 1),
        recorded_by="t",
        now=NOW,
    )
    session.commit()
    assert "vaak_uitgesteld" not in rules_fired(session, date(2019, 7, 1), "M")  # once is not more than 1
    services.change_deadline(
        session=session,
        measure=measure,
        new_deadline=date(2022, 1, 1),
        basis="",
        reason="b",
        decided_on=date(2019, 8, 1),
        recorded_by="t",
        now=NOW,
    )
    session.commit()
    assert "vaak_uitgesteld" in rules_fired(session, date(2019, 8, 1), "M")
    assert "vaak_uitgesteld" not in rules_fired(session, date(2019, 7, 31), "M")  # the second was not yet decided


def test_an_earlier_deadline_is_not_a_postponement(session, owned, create_measure):
    measure = create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    for new in (date(2019, 6, 1), date(2019, 3, 1)):
        services.change_deadline(
            session=session,
            measure=measure,
            new_deadline=new,
            basis="",
            reason="eerder",
            decided_on=date(2019, 1, 1),
            recorded_by="t",
            now=NOW,
        )
    session.commit()
    assert "vaak_uitgesteld" not in rules_fired(session, date(2019, 2, 1), "M")


def test_negative_evidence_fires_on_the_latest_evidenced_update_only(session, owned, create_measure, create_document):
    letter = create_document("nr-2019-11", "Brief Nationaal Rapporteur", date(2019, 11, 28), "brief_rapporteur")
    measure = create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2030, 1, 1))
    record(
        session,
        measure,
        "deels_gerealiseerd",
        date(2019, 11, 28),
        problem=True,
        document=letter,
        note="niet volledig geïmplementeerd",
    )
    assert "negatief_bewijs" not in rules_fired(session, date(2019, 11, 27), "M")
    assert "negatief_bewijs" in rules_fired(session, date(2019, 11, 28), "M")
    # An owner's update without evidence does not wipe the finding...
    record(session, measure, "in_uitvoering", date(2020, 1, 1), note="loopt")
    assert "negatief_bewijs" in rules_fired(session, date(2020, 2, 1), "M")
    # ...later evidence that says nothing is wrong does.
    record(session, measure, "in_uitvoering", date(2020, 3, 1), document=letter)
    assert "negatief_bewijs" not in rules_fired(session, date(2020, 3, 1), "M")


def test_long_running_edge(session, owned, create_measure):
    create_measure(
        "M",
        lead="Politie",
        status="in_uitvoering",
        deadline=date(2030, 1, 1),
        announced_on=date(2018, 5, 25),
        status_on=date(2018, 5, 25),
    )
    assert "lang_lopend" not in rules_fired(session, date(2021, 5, 25), "M")
    assert "lang_lopend" in rules_fired(session, date(2021, 5, 26), "M")


def test_monitoring_gap(session, owned, create_measure):
    create_measure("A", lead="Politie", status="in_uitvoering", deadline=date(2030, 1, 1))
    create_measure("B", status="in_uitvoering", deadline=date(2030, 1, 1))
    create_measure("C", lead="Politie", status="in_uitvoering")
    create_measure("D", status="gerealiseerd")
    day = date(2019, 1, 1)
    assert "monitoringgat" not in rules_fired(session, day, "A")
    assert "monitoringgat" in rules_fired(session, day, "B")
    assert "monitoringgat" in rules_fired(session, day, "C")
    assert "monitoringgat" not in rules_fired(session, day, "D")  # finished: nothing left to monitor


def test_contested_completion_shows_both_claims(session, owned, create_measure, create_document):
    rapporteur = create_document(
        "nr-2017-02", "Brief Nationaal Rapporteur, februari 2017", date(2017, 2, 1), "brief_rapporteur"
    )
    letter = create_document()
    measure = create_measure("M", announced_on=date(2018, 5, 25))
    record(
        session,
        measure,
        "in_uitvoering",
        date(2017, 2, 1),
        problem=True,
        document=rapporteur,
        note="geen bindend document",
    )
    assert "betwiste_afronding" not in rules_fired(session, date(2018, 1, 1), "M")  # not claimed finished yet
    record(session, measure, "gerealiseerd", date(2018, 5, 25), document=letter, note="traject afgerond")
    session.info.clear()
    findings = [f for f in evaluate(session, at(date(2019, 12, 5)), T).findings if f.measure_code == "M"]
    assert [f.rule for f in findings] == ["betwiste_afronding"]
    facts = findings[0].facts
    assert facts["owner_claim"]["note"] == "traject afgerond" and facts["rapporteur"]["note"] == "geen bindend document"
    assert "traject afgerond" in findings[0].explanation and "geen bindend document" in findings[0].explanation
    # Later rapporteur evidence that the goal was met settles it.
    record(session, measure, "gerealiseerd", date(2020, 6, 1), document=rapporteur, note="nu bindend vastgelegd")
    assert "betwiste_afronding" not in rules_fired(session, date(2020, 6, 1), "M")


def test_a_measure_evidenced_as_realised_is_never_flagged_as_stalled(session, owned, create_measure, create_document):
    letter = create_document()
    measure = create_measure("M", lead="Politie", announced_on=date(2010, 1, 1), deadline=date(2011, 1, 1))
    services.change_deadline(
        session=session,
        measure=measure,
        new_deadline=date(2012, 1, 1),
        basis="",
        reason="a",
        decided_on=date(2010, 6, 1),
        recorded_by="t",
        now=NOW,
    )
    services.change_deadline(
        session=session,
        measure=measure,
        new_deadline=date(2013, 1, 1),
        basis="",
        reason="b",
        decided_on=date(2010, 7, 1),
        recorded_by="t",
        now=NOW,
    )
    record(session, measure, "gerealiseerd", date(2012, 1, 1), document=letter)
    assert rules_fired(session, date(2026, 1, 1), "M") == set()


def test_rules_name_no_measure():
    source = Path(checks.__file__).read_text(encoding="utf-8")
    for marker in ("CT-", "NR-", "STM-", "webcrawler", "NVM", "eerstelijns"):
        assert marker not in source


def test_levels_come_from_evidence_and_order_is_level_score_oldest_evidence(
    session, owned, create_measure, create_document
):
    letter = create_document("nr-2019-11", "Brief", date(2019, 11, 28), "brief_rapporteur")
    stuck = create_measure("STUCK", lead="Politie", status="in_uitvoering", deadline=date(2030, 1, 1))
    record(session, stuck, "deels_gerealiseerd", date(2019, 11, 28), problem=True, document=letter)
    # Late, stale, no owner: one piece of stall evidence and three kinds of silence.
    create_measure("PILE", status="gepland", status_on=date(2018, 1, 1), deadline=date(2018, 6, 1))
    create_measure(
        "LATE", lead="Politie", status="in_uitvoering", status_on=date(2019, 6, 1), deadline=date(2019, 6, 1)
    )
    # An update after the deadline confirms it is still open: stronger than a deadline gone quiet.
    confirmed = create_measure(
        "CONFIRMED", lead="Politie", status="in_uitvoering", status_on=date(2019, 1, 1), deadline=date(2019, 3, 1)
    )
    record(session, confirmed, "in_uitvoering", date(2019, 9, 1), note="loopt nog")
    session.info.clear()
    evaluation = evaluate(session, at(date(2019, 12, 5)), T)
    signals = {s.measure_code: s for s in evaluation.signals}
    assert signals["STUCK"].level == checks.HOOG
    assert signals["CONFIRMED"].level == checks.MIDDEL
    # Silence never raises a level: PILE has three kinds of silence and stays at its one stall fact.
    assert signals["PILE"].level == signals["LATE"].level == checks.LAAG
    assert set(signals["PILE"].silence_facts) == {"geen_update", "geen_trekker"}
    assert [s.measure_code for s in evaluation.signals] == ["STUCK", "CONFIRMED", "PILE", "LATE"]
    # The findings follow the same order, and each carries its own rule's level.
    assert list(dict.fromkeys(f.measure_code for f in evaluation.findings)) == ["STUCK", "CONFIRMED", "PILE", "LATE"]
    pile = [f for f in evaluation.findings if f.measure_code == "PILE"]
    assert {f.rule: (f.kind, f.rule_severity) for f in pile} == {
        "deadline_verstreken": ("stall", checks.LAAG),
        "geen_update": ("silence", 0),
        "monitoringgat": ("silence", 0),
    }
    assert all(f.severity == checks.LAAG for f in pile)
    assert "sinds de deadline geen update" in next(f for f in pile if f.rule == "deadline_verstreken").explanation


def test_deadline_passed_is_middel_only_when_an_update_after_it_confirms_the_measure_open(
    session, owned, create_measure
):
    measure = create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 12, 31))
    level = lambda: next(  # noqa: E731
        f.rule_severity for f in _findings(session, date(2021, 6, 1), "M") if f.rule == "deadline_verstreken"
    )
    assert level() == checks.LAAG
    record(session, measure, "in_uitvoering", date(2020, 12, 31))  # on the deadline day: not after it
    assert level() == checks.LAAG
    record(session, measure, "in_uitvoering", date(2021, 1, 15))
    assert level() == checks.MIDDEL


def _findings(session, day, code):
    session.info.clear()
    return [f for f in evaluate(session, at(day), T).findings if f.measure_code == code]


@pytest.mark.parametrize(
    ("rule_levels", "expected"),
    [
        ({}, 0),
        ({"deadline_verstreken": 1}, 1),
        ({"vaak_uitgesteld": 2}, 2),
        # two independent kinds of evidence raise one step
        ({"deadline_verstreken": 1, "vaak_uitgesteld": 2}, 3),
        ({"deadline_verstreken": 2, "vaak_uitgesteld": 2}, 3),
        # the same kind twice says the same thing once
        ({"negatief_bewijs": 3, "betwiste_afronding": 3}, 3),
        ({"negatief_bewijs": 3, "deadline_verstreken": 1}, 3),
    ],
)
def test_stall_level_escalates_only_on_independent_kinds(rule_levels, expected):
    assert checks.stall_level(rule_levels) == expected


def test_same_family_does_not_escalate_but_two_families_do():
    families = {r.code: r.family for r in checks.RULES}
    assert families["negatief_bewijs"] == families["betwiste_afronding"]
    assert len({families["deadline_verstreken"], families["vaak_uitgesteld"], families["negatief_bewijs"]}) == 3
    assert all(r.family is None for r in checks.RULES if r.kind == "silence")


def test_postponed_and_overdue_is_the_highest_level(session, owned, create_measure):
    measure = create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2019, 1, 1))
    for new, decided in ((date(2020, 1, 1), date(2018, 6, 1)), (date(2021, 1, 1), date(2019, 6, 1))):
        services.change_deadline(
            session=session,
            measure=measure,
            new_deadline=new,
            basis="",
            reason="later",
            decided_on=decided,
            recorded_by="t",
            now=NOW,
        )
    session.commit()
    rules = {f.rule: f for f in _findings(session, date(2021, 6, 1), "M")}
    assert rules["vaak_uitgesteld"].rule_severity == checks.MIDDEL
    assert rules["deadline_verstreken"].rule_severity == checks.LAAG
    assert rules["vaak_uitgesteld"].severity == checks.HOOG


def test_a_failing_rule_is_logged_and_the_others_still_run(session, owned, create_measure, caplog):
    create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))

    def broken(ctx, thresholds):
        raise RuntimeError("kapot")

    rules = (checks.Rule("kapot", "Kapot", broken), *checks.RULES)
    result = evaluate(session, at(date(2021, 1, 1)), T, rules=rules)
    assert result.failed_rules == {"kapot": "RuntimeError: kapot"}
    assert "deadline_verstreken" in {f.rule for f in result.findings}
    assert "Controle kapot mislukt" in caplog.text


# --- persistence ------------------------------------------------------------------------------


def _run(session, day, **kwargs):
    session.info.clear()
    run, _ = run_checks(session, now=at(day), thresholds=T, trigger="test", persist=True, **kwargs)
    return run


def _flags(session):
    return session.exec(select(Flag).order_by(Flag.id)).all()


def test_run_twice_never_duplicates(session, owned, create_measure):
    create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    first = _run(session, date(2021, 1, 1))
    second = _run(session, date(2021, 1, 2))
    flags = _flags(session)
    assert first.flags_opened == len(flags) and second.flags_opened == 0
    assert len({(f.measure_id, f.rule) for f in flags}) == len(flags)
    assert all(f.first_seen_on == date(2021, 1, 1) and f.last_seen_on == date(2021, 1, 2) for f in flags)


def test_flag_resolves_itself_and_a_new_firing_opens_a_new_one(session, owned, create_measure):
    measure = create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    _run(session, date(2021, 1, 1))
    services.change_deadline(
        session=session,
        measure=measure,
        new_deadline=date(2022, 1, 1),
        basis="",
        reason="Nieuw plan",
        decided_on=date(2021, 1, 5),
        recorded_by="t",
        now=NOW,
    )
    session.commit()
    run = _run(session, date(2021, 1, 6))
    deadline_flags = [f for f in _flags(session) if f.rule == "deadline_verstreken"]
    assert run.flags_resolved >= 1
    assert [(f.first_seen_on, f.resolved_on) for f in deadline_flags] == [(date(2021, 1, 1), date(2021, 1, 6))]
    _run(session, date(2022, 2, 1))
    deadline_flags = [f for f in _flags(session) if f.rule == "deadline_verstreken"]
    assert [(f.first_seen_on, f.resolved_on) for f in deadline_flags] == [
        (date(2021, 1, 1), date(2021, 1, 6)),
        (date(2022, 2, 1), None),
    ]


def test_past_date_run_does_not_touch_flags(session, owned, create_measure):
    create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    _run(session, date(2021, 1, 1))
    before = [(f.id, f.resolved_on) for f in _flags(session)]
    session.info.clear()
    run, evaluation = run_checks(session, now=at(date(2019, 1, 1)), thresholds=T, trigger="cli", persist=False)
    # Nothing fired in 2019; a persisting run would now have resolved today's flags.
    assert run.persisted is False and evaluation.findings == []
    assert [(f.id, f.resolved_on) for f in _flags(session)] == before and before


def test_acknowledge_flag_through_the_detail_page(client, auth, session, owned, create_measure, create_user):
    create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    _run(session, date(2021, 1, 1))
    flag = next(f for f in _flags(session) if f.rule == "deadline_verstreken")
    user = create_user("coordinator", "Politie")
    auth.login(user.email)
    html = client.get("/maatregelen/M").get_data(as_text=True)
    assert (
        "Deadline verstreken" in html and "deadline 01-01-2020 verstreken" in html and f"signalering-{flag.id}" in html
    )
    empty = client.post(f"/signaleringen/{flag.id}/bevestigen", data={f"flag{flag.id}-note": ""})
    assert empty.status_code == 303
    response = client.post(
        f"/signaleringen/{flag.id}/bevestigen", data={f"flag{flag.id}-note": "Nieuwe planning volgt in maart."}
    )
    assert response.status_code == 302
    ack = session.exec(select(FlagAcknowledgement)).one()
    assert (
        ack.flag_id == flag.id
        and ack.note == "Nieuwe planning volgt in maart."
        and "Coordinator Politie" in ack.acknowledged_by
    )
    assert "Nieuwe planning volgt in maart." in client.get("/maatregelen/M").get_data(as_text=True)
    session.refresh(flag)
    assert flag.resolved_on is None  # acknowledging is not resolving; flags are never deleted


def test_acknowledge_needs_ownership(client, auth, session, owned, create_organisation, create_measure, create_user):
    create_organisation("OM")
    create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    _run(session, date(2021, 1, 1))
    flag = _flags(session)[0]
    for role, org, expected in (
        ("coordinator", "OM", 403),
        ("rapporteur", "Politie", 403),
        ("lezer", "Politie", 403),
        ("programmacoordinator", None, 302),
    ):
        auth.login(create_user(role, org).email)
        assert (
            client.post(f"/signaleringen/{flag.id}/bevestigen", data={f"flag{flag.id}-note": "x"}).status_code
            == expected
        )
        auth.logout()
    assert client.post(f"/signaleringen/{flag.id}/bevestigen", data={}).status_code == 302  # anonymous: to login


def test_flags_show_in_overview_list_filter_and_my_measures(client, auth, session, owned, create_measure, create_user):
    create_measure("LATE", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    create_measure(
        "FINE", lead="Politie", status="in_uitvoering", status_on=date(2020, 12, 1), deadline=date(2030, 1, 1)
    )
    create_measure("QUIET", lead="Politie", status="in_uitvoering", status_on=date(2019, 1, 1))  # silent only
    _run(session, date(2021, 1, 1))
    overview = client.get("/").get_data(as_text=True)
    assert "1 maatregel met aanwijzingen dat zij vastloopt." in overview
    # Silence is counted apart, with its own label, and never as a stall level.
    assert "Van 2 maatregelen weet het register te weinig" in overview  # QUIET, and LATE gone quiet too
    assert 'class="silence-badge"' in overview
    listing = client.get("/maatregelen?flagged=1").get_data(as_text=True)
    assert ">LATE<" in listing and ">FINE<" not in listing
    auth.login(create_user("coordinator", "Politie").email)
    mine = client.get("/mijn-maatregelen").get_data(as_text=True)
    assert mine.index(">LATE ") < mine.index(">FINE ")
    runs = client.get("/controles").get_data(as_text=True)
    assert "geslaagd" in runs


# --- the run lock, across processes -------------------------------------------------------------


def _scheduled_run(url: str, barrier, results):
    from app import create_app
    from measures.checks.scheduler import daily_check

    app = create_app({"DATABASE_URL": url, "TESTING": True})
    barrier.wait()
    run = daily_check(app, now=datetime(2021, 1, 1, 6, 30, tzinfo=UTC))
    results.put(run.id if run is not None else None)


@pytest.mark.slow  # two spawned processes
def test_two_schedulers_run_the_daily_check_once(app, session, owned, create_measure):
    create_measure("M", lead="Politie", status="in_uitvoering", deadline=date(2020, 1, 1))
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(target=_scheduled_run, args=(app.config["DATABASE_URL"], barrier, results)) for _ in range(2)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    outcomes = sorted([results.get(timeout=5), results.get(timeout=5)], key=lambda r: r is None)
    assert outcomes[0] is not None and outcomes[1] is None
    assert session.exec(select(func.count()).select_from(CheckRun)).one() == 1
    flags = _flags(session)
    assert flags and len({(f.measure_id, f.rule) for f in flags}) == len(flags)


def test_scheduler_job_settings(app):
    from measures.checks.scheduler import build_scheduler

    app.config["CHECK_TIME"] = "05:45"
    scheduler = build_scheduler(app)
    job = scheduler.get_jobs()[0]
    assert job.coalesce is True and job.misfire_grace_time == 3600 and job.max_instances == 1
    assert str(job.trigger) == "cron[hour='5', minute='45']"
    assert scheduler.running is False  # building it starts nothing


# --- the seeded catalogue -----------------------------------------------------------------------

KNOWN_STALLED = {
    "CT-B-04": "webcrawler",
    "CT-B-02": "eerstelijns",
    "CT-C-07": "Nationaal Verwijsmechanisme",
}


@pytest.mark.parametrize("as_of", [None, "2019-12-05"])
def test_seeded_stalled_measures_carry_the_highest_severity(runner, seeded, as_of):
    args = ["check-stalled", "--format", "json"] + (["--as-of", as_of] if as_of else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    flags = json.loads(result.output)
    assert {"measure_code", "rule", "severity", "explanation"} <= set(flags[0])
    top = max(f["severity"] for f in flags)
    for code in KNOWN_STALLED:
        mine = [f for f in flags if f["measure_code"] == code]
        assert mine and all(f["severity"] == top for f in mine), code
        # Each cites its evidence: a date and a document.
        evidence = [f for f in mine if f["rule"] in ("negatief_bewijs", "betwiste_afronding", "deadline_verstreken")]
        assert evidence, code
        # ... the document that said it: a letter read here, or one known via the fact sheet.
        cites = ("Nationaal Rapporteur", "Kamerstuk", "via factsheet")
        assert any(any(c in f["explanation"] for c in cites) for f in evidence), code


def test_seeded_contested_nvm_shows_both_claims(runner, seeded):
    flags = json.loads(runner.invoke(args=["check-stalled", "--format", "json", "--as-of", "2019-12-05"]).output)
    nvm = next(f for f in flags if f["measure_code"] == "CT-C-07")
    assert nvm["rule"] == "betwiste_afronding"
    # The rapporteur's letter is known to the month (February 2017): dated on the month's last day.
    assert nvm["facts"]["owner_claim"]["as_of"] == "2018-05-25" and nvm["facts"]["rapporteur"]["as_of"] == "2017-02-28"
    assert "de Nationaal Rapporteur (februari 2017," in nvm["explanation"]
    assert "afgerond" in nvm["facts"]["owner_claim"]["note"] and "bindend" in nvm["explanation"]


def test_seeded_2019_explanations_cite_the_rapporteur_letter(runner, seeded):
    flags = json.loads(runner.invoke(args=["check-stalled", "--format", "json", "--as-of", "2019-12-05"]).output)
    for code in ("CT-B-04", "CT-B-02"):
        negative = next(f for f in flags if f["measure_code"] == code and f["rule"] == "negatief_bewijs")
        assert "28-11-2019, Brief Nationaal Rapporteur" in negative["explanation"]
        assert "niet volledig en/of duurzaam geïmplementeerd" in negative["explanation"]


def test_check_stalled_text_output_prints_each_rules_own_level_and_the_measures_apart(runner, seeded):
    result = runner.invoke(args=["check-stalled", "--as-of", "2019-12-05"])
    assert result.exit_code == 0 and "niet opgeslagen" in result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["maatregel", "niveau", "regel", "regelniveau", "toelichting"]
    rows = [line.split(None, 2) for line in lines[1:-1]]
    # A silence rule prints as "stilte", a laag rule as laag, whatever the measure's own level.
    assert any("stilte" in line for line in lines)
    nvm = [line for line in lines if line.startswith("CT-C-07")]
    assert nvm and all(line.split()[1] == "hoog" for line in nvm)
    quiet = [line for line in lines if "Geen recente update" in line]
    assert quiet and all("stilte" in line and "[  hoog]" not in line for line in quiet)
    assert all(len(row) == 3 for row in rows)
    assert "61 maatregelen met een monitoringgat" in lines[-1] or "monitoringgat" in lines[-1]


def test_check_stalled_for_the_same_past_date_twice(runner, seeded):
    first = runner.invoke(args=["check-stalled", "--as-of", "2019-12-05", "--format", "json"])
    second = runner.invoke(args=["check-stalled", "--as-of", "2019-12-05", "--format", "json"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert json.loads(first.output) == json.loads(second.output)


def test_check_stalled_refuses_a_future_date_and_saves_nothing(runner, seeded, session):
    runs_before = session.exec(select(func.count()).select_from(CheckRun)).one()
    result = runner.invoke(args=["check-stalled", "--as-of", "2999-01-01"])
    assert result.exit_code == 2
    assert "ligt in de toekomst" in result.output and "Traceback" not in result.output
    assert session.exec(select(func.count()).select_from(CheckRun)).one() == runs_before


def test_seeded_realised_measures_with_evidence_are_not_flagged_as_stalled(runner, seeded, session):
    flags = json.loads(runner.invoke(args=["check-stalled", "--format", "json"]).output)
    stalled_rules = {"deadline_verstreken", "geen_update", "vaak_uitgesteld", "negatief_bewijs", "lang_lopend"}
    from measures.register.history import programme_as_of

    realised = {
        s.code
        for s in programme_as_of(session, NOW.date())
        if s.latest_evidenced
        and s.latest_evidenced.status_code == "gerealiseerd"
        and not s.latest_evidenced.reports_problem
    }
    assert realised
    assert not [f for f in flags if f["measure_code"] in realised and f["rule"] in stalled_rules]
