"""Generate a synthetic programme ten times the catalogue's size, straight into a database.

10,000 measures across 50 organisations, 100,000 status updates in a skewed distribution (most
measures have a few, the longest histories hundreds), deadline changes (some postponed),
rapporteur-evidenced findings, and the flags that the daily check leaves, on top of the real
reference data (statuses, themes, documents). Deterministic: the same seed gives the same data.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert
from sqlmodel import Session, select

from measures.checks.rules import Thresholds, run_checks
from measures.register import states
from measures.register.seed import seed
from models import (
    DeadlineChange,
    Flag,
    Indicator,
    IndicatorMeasurement,
    Measure,
    MeasureCoOwner,
    MeasureTheme,
    Organisation,
    SourceDocument,
    StatusUpdate,
    Theme,
)

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
STATUSES = ["gepland", "in_uitvoering", "deels_gerealiseerd", "gerealiseerd", "beeindigd", "onbekend"]


def generate(
    session: Session,
    *,
    measures: int = 10_000,
    organisations: int = 50,
    updates: int = 100_000,
    rng_seed: int = 2018,
    thresholds: Thresholds | None = None,
) -> dict:
    """Fill an empty, migrated database; return the counts. With `thresholds`, the daily check
    then runs on CHECK_DAYS and leaves its flags, as the scheduler would have."""
    rng = random.Random(rng_seed)
    seed(session=session, now=NOW, check=False)
    session.commit()
    for i in range(organisations):
        session.add(
            Organisation(
                abbreviation=f"ORG{i:02d}", name=f"Synthetische organisatie {i:02d}", kind="uitvoeringsorganisatie"
            )
        )
    session.commit()
    org_ids = [o.id for o in session.exec(select(Organisation).where(Organisation.abbreviation.like("ORG%"))).all()]
    documents = session.exec(select(SourceDocument)).all()
    rapporteur_docs = [d.id for d in documents if d.kind == "brief_rapporteur"]
    other_docs = [d.id for d in documents if d.kind != "brief_rapporteur"]
    themes = session.exec(select(Theme)).all()
    by_scheme: dict[int, list[Theme]] = {}
    for t in themes:
        by_scheme.setdefault(t.scheme_id, []).append(t)

    measure_rows = []
    for i in range(measures):
        announced = date(2016, 1, 1) + timedelta(days=rng.randrange(0, 3000))
        measure_rows.append(
            {
                "code": f"SYN-{i:05d}",
                "title": f"Synthetische maatregel {i} over {rng.choice(['opsporing', 'opvang', 'preventie', 'gemeenten', 'arbeidsuitbuiting'])}",
                "description": "Gegenereerd voor de benchmark.",
                "lead_organisation_id": rng.choice(org_ids) if rng.random() > 0.1 else None,
                "source_document_id": rng.choice(other_docs),
                "source_section": "benchmark",
                "source_quote": "",
                "announcement": "programma",
                "announced_on": announced,
                "status_code": "onbekend",
                "deadline": None,
                "deadline_basis": "onbekend",
                "created_at": NOW,
                "updated_at": NOW,
                "version": 1,
            }
        )
    session.execute(insert(Measure), measure_rows)
    session.commit()
    ids = session.exec(
        select(Measure.id, Measure.announced_on).where(Measure.code.like("SYN-%")).order_by(Measure.id)
    ).all()

    links, theme_links = [], []
    for measure_id, _ in ids:
        if rng.random() < 0.3:
            links.append({"measure_id": measure_id, "organisation_id": rng.choice(org_ids)})
        for scheme_id, scheme_themes in by_scheme.items():
            if rng.random() < 0.8:
                theme = rng.choice(scheme_themes)
                theme_links.append(
                    {"measure_id": measure_id, "theme_id": theme.id, "scheme_id": scheme_id, "basis": ""}
                )
    seen = set()
    links = [
        l
        for l in links
        if (l["measure_id"], l["organisation_id"]) not in seen and not seen.add((l["measure_id"], l["organisation_id"]))
    ]
    session.execute(insert(MeasureCoOwner), links)
    session.execute(insert(MeasureTheme), theme_links)

    # Status updates: a skewed number per measure (most have a few, some have hundreds, as in a
    # real register where a handful of measures are reported on in every letter), dated between
    # the announcement and now; some from the rapporteur.
    update_rows = []
    latest: dict[int, tuple[date, str]] = {}
    for (measure_id, announced), count in zip(ids, _skewed_counts(rng, len(ids), updates), strict=True):
        span = max(1, (NOW.date() - announced).days)
        for day in sorted(announced + timedelta(days=rng.randrange(span)) for _ in range(count)):
            status = rng.choices(STATUSES, weights=[10, 40, 20, 15, 5, 10])[0]
            from_rapporteur = rng.random() < 0.05
            update_rows.append(
                {
                    "measure_id": measure_id,
                    "status_code": status,
                    "as_of": day,
                    "note": "Synthetische update.",
                    "evidence_document_id": rng.choice(rapporteur_docs)
                    if from_rapporteur
                    else (rng.choice(other_docs) if rng.random() < 0.5 else None),
                    "evidence_url": None,
                    "evidence_quote": None,
                    "reports_problem": from_rapporteur and rng.random() < 0.6,
                    "recorded_by": "benchmark",
                    "recorded_at": NOW,
                    "measure_version": 1,
                }
            )
            latest[measure_id] = (day, status)
    for start in range(0, len(update_rows), 20_000):
        session.execute(insert(StatusUpdate), update_rows[start : start + 20_000])

    deadline_rows = []
    for measure_id, announced in ids:
        if rng.random() < 0.7:
            deadline = announced + timedelta(days=rng.randrange(365, 1500))
            deadline_rows.append(_deadline(measure_id, None, deadline, announced))
            for k in range(rng.choice([0, 0, 0, 1, 2, 3])):
                new = deadline + timedelta(days=rng.randrange(90, 400))
                deadline_rows.append(_deadline(measure_id, deadline, new, announced + timedelta(days=200 * (k + 1))))
                deadline = new
    session.execute(insert(DeadlineChange), deadline_rows)
    session.commit()

    # The cached current status and deadline (with its basis), as the services would have left them.
    current_deadline: dict[int, tuple[date, date]] = {}
    for row in deadline_rows:
        key = row["measure_id"]
        if key not in current_deadline or row["decided_on"] >= current_deadline[key][0]:
            current_deadline[key] = (row["decided_on"], row["new_deadline"])
    connection = session.connection()
    connection.exec_driver_sql(
        "UPDATE measure SET status_code = ?, deadline = ?, deadline_basis = ? WHERE id = ?"
        if connection.dialect.name == "sqlite"
        else "UPDATE measure SET status_code = %s, deadline = %s, deadline_basis = %s WHERE id = %s",
        [
            (
                latest[mid][1] if mid in latest else "onbekend",
                current_deadline.get(mid, (None, None))[1],
                "benchmark" if mid in current_deadline else "onbekend",
                mid,
            )
            for mid, _ in ids
        ],
    )
    session.commit()
    n_indicators, n_measurements = _indicators(session, ids, random.Random(rng_seed + 1))
    # The rows went in by bulk insert, past the services: derive the projection from them.
    states.rebuild(session)
    session.commit()
    open_flags = leave_flags(session, thresholds, CHECK_DAYS) if thresholds is not None else 0
    counts = [n for n in _per_measure(update_rows).values()]
    return {
        "measures": len(ids),
        "open_flags": open_flags,
        "longest_history": max(counts, default=0),
        "median_history": sorted(counts)[len(counts) // 2] if counts else 0,
        "organisations": len(org_ids),
        "status_updates": len(update_rows),
        "deadline_changes": len(deadline_rows),
        "indicators": n_indicators,
        "measurements": n_measurements,
    }


def _indicators(session: Session, ids: list, rng: random.Random) -> tuple[int, int]:
    """One indicator on every tenth measure: from 0 at its announcement to 100 three years on, with
    up to six measurements since, some behind their line (their own random stream: the rest of the
    programme is the same as before indicators existed)."""
    rows = [
        {
            "code": f"SYN-I-{measure_id}",
            "measure_id": measure_id,
            "name": "Synthetische indicator",
            "unit": "procent",
            "direction": "stijgend",
            "baseline_value": 0,
            "baseline_on": announced,
            "baseline_precision": "dag",
            "baseline_basis": "onbekend",
            "target_value": 100,
            "target_on": announced + timedelta(days=3 * 365),
            "target_precision": "dag",
            "basis": "onbekend",
            "stated_on": announced,
            "recorded_by": "benchmark",
            "recorded_at": NOW,
            "measure_version": 1,
        }
        for n, (measure_id, announced) in enumerate(ids)
        if n % 10 == 0
    ]
    session.execute(insert(Indicator), rows)
    session.commit()
    found = session.exec(select(Indicator.id, Indicator.measure_id, Indicator.stated_on)).all()
    measurements = []
    for indicator_id, measure_id, since in found:
        span = max(1, (NOW.date() - since).days)
        for k, day in enumerate(sorted(since + timedelta(days=rng.randrange(span)) for _ in range(rng.randrange(7)))):
            measurements.append(
                {
                    "indicator_id": indicator_id,
                    "measure_id": measure_id,
                    "value": min(100, rng.randrange(0, 40) + 15 * k),
                    "measured_on": day,
                    "measured_precision": "dag",
                    "note": "",
                    "recorded_by": "benchmark",
                    "recorded_at": NOW,
                    "measure_version": 1,
                }
            )
    if measurements:
        session.execute(insert(IndicatorMeasurement), measurements)
    session.commit()
    return len(rows), len(measurements)


def _per_measure(rows: list[dict]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["measure_id"]] = counts.get(row["measure_id"], 0) + 1
    return counts


def _skewed_counts(rng: random.Random, n: int, total: int, longest: int = 800) -> list[int]:
    """Split `total` updates over `n` measures by a Pareto law (alpha 1.2: about 80 % of the updates
    on 20 % of the measures): most measures get one to a few, the longest histories hundreds."""
    if n == 0:
        return []
    weights = [min(rng.paretovariate(1.2), 1e6) for _ in range(n)]
    scale = max(0, total - n) / sum(weights)
    counts = [1 + min(longest - 1, int(w * scale)) for w in weights]
    # Rounding and the cap leave a remainder; hand it out one by one, heaviest first, up to the cap.
    order = sorted(range(n), key=lambda i: -weights[i])
    short = total - sum(counts)
    while short > 0 and any(counts[i] < longest for i in order):
        for i in order:
            if short == 0:
                break
            if counts[i] < longest:
                counts[i] += 1
                short -= 1
    return counts


def leave_flags(session: Session, thresholds: Thresholds, days: list[date]) -> int:
    """Run the daily check, with its writes, on each of `days` in order: the flags (open and
    resolved) that the scheduler would have left. Returns the number of open flags."""
    for day in days:
        run_checks(
            session,
            now=datetime.combine(day, time(12), tzinfo=UTC),
            thresholds=thresholds,
            trigger="scheduler",
            persist=True,
            run_key=f"dagelijks:{day.isoformat()}",
        )
    return session.exec(select(func.count()).select_from(Flag).where(Flag.resolved_on.is_(None))).one()


# The days on which the generator runs the daily check: once a year from the programme's start,
# then the day before the benchmark's "now", so that "now" is the next daily run.
CHECK_DAYS = [*(date(year, 1, 2) for year in range(2019, 2027)), NOW.date() - timedelta(days=1)]


def _deadline(measure_id, old, new, decided_on):
    return {
        "measure_id": measure_id,
        "old_deadline": old,
        "new_deadline": new,
        "basis": "benchmark",
        "reason": "benchmark",
        "decided_on": decided_on,
        "evidence_document_id": None,
        "recorded_by": "benchmark",
        "recorded_at": NOW,
        "measure_version": 1,
    }
