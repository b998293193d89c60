"""What each benchmarked figure shows, read two ways: by the app, and by the least SQL we could write.

For every figure there is one function that returns what the page (or job, or export) shows, read
through the app's own query functions, and one or more *floors*: plain SQL for exactly that data,
written independently of the app. The benchmark asserts that every floor returns the same rows as
the app, times them all, and keeps the fastest as the figure's floor. Each floor's SQL is printed
in RESULTS.md.

The rows are compared in a canonical form (tuples and sorted lists), so that a floor may assemble
them in any order; the little Python that assembles them (a dict by id, a sort of 25 rows) is part
of the floor's time.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from measures.core import clock
from measures.register.bulk import LIST_COLUMNS
from measures.register.open_data import CSV_COLUMNS
from measures.register.queries import OVERVIEW_TOP
from models.measure import ALREADY_REALISED, JOINT_LEAD


@dataclass
class Floor:
    name: str
    run: Callable[[Connection, dict], object]  # returns the canonical rows
    sql: list[str] = field(default_factory=list)  # shown in RESULTS.md


def q(conn: Connection, sql: str, **params) -> list:
    """Run one statement with those of `params` that it names; a list parameter is expanded (`IN :ids`)."""
    params = {name: value for name, value in params.items() if re.search(rf":{name}\b", sql)}
    statement = text(sql)
    expanding = [name for name, value in params.items() if isinstance(value, list | tuple)]
    if expanding:
        statement = statement.bindparams(*(bindparam(name, expanding=True) for name in expanding))
    return conn.execute(statement, params).all()


def _day(value) -> date | None:
    """A date as SQLite (text) or PostgreSQL (date) returns it."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _sql(*statements: str) -> list[str]:
    return [re.sub(r"\s+", " ", s).strip() for s in statements]


# --- overview --------------------------------------------------------------------------------


def overview_app(session) -> dict:
    from measures.register import queries

    data = queries.overview(session, clock.today())
    flags = queries.flag_counts(session)
    return {
        "statuses": [s.code for s in data["statuses"]],
        "themes": [(row["theme"].id, row["theme"].code) for s in data["schemes"] for row in s["rows"]],
        "counts": sorted(
            (row["theme"].id, st, n) for s in data["schemes"] for row in s["rows"] for st, n in row["counts"].items()
        ),
        "without": sorted((s["scheme"].id, st, n) for s in data["schemes"] for st, n in s["without"].items()),
        "totals": sorted(data["totals"].items()),
        "realised": data["realised_at_announcement"],
        "by_level": sorted((level, n) for level, n in flags["by_level"].items() if n),
        "silent": flags["silent"],
        "facts": sorted((fact, n) for fact, n in flags["silence_facts"].items() if n),
        "highest": flags["highest"],
        "top": [
            (s.measure_code, s.measure.title, sorted((f.rule, f.explanation) for f in [*s.stall, *s.silence]))
            for s in flags["top"]
        ],
        "last_run": str(flags["last_run"].started_at)[:10] if flags["last_run"] else None,
    }


OVERVIEW_COMMON = _sql(
    "SELECT code FROM status ORDER BY position",
    "SELECT t.id, t.code FROM theme t JOIN theme_scheme s ON s.id = t.scheme_id ORDER BY s.position, t.position",
    "SELECT status_code, count(*) FROM measure GROUP BY status_code",
    "SELECT count(*) FROM measure WHERE announcement = :already AND status_code = 'gerealiseerd'",
    """SELECT level, count(*) FROM (SELECT measure_id, max(severity) AS level FROM flag
       WHERE resolved_on IS NULL GROUP BY measure_id) s GROUP BY level""",
    "SELECT count(DISTINCT measure_id) FROM flag WHERE resolved_on IS NULL AND kind = 'silence'",
    # the first measures of the highest level, in the checks' order (score, oldest evidence, code)
    """SELECT f.measure_id FROM flag f JOIN measure m ON m.id = f.measure_id WHERE f.resolved_on IS NULL
       AND f.severity = 3 GROUP BY f.measure_id, m.code ORDER BY max(f.score) DESC,
       min(CASE WHEN f.kind = 'stall' THEN f.evidence_on END) IS NULL,
       min(CASE WHEN f.kind = 'stall' THEN f.evidence_on END), m.code LIMIT :top""",
    "SELECT max(started_at) FROM check_run WHERE persisted",
)
OVERVIEW_TOP_FLAGS = _sql(
    """SELECT m.id, m.code, m.title, f.rule, f.explanation FROM flag f JOIN measure m ON m.id = f.measure_id
       WHERE f.resolved_on IS NULL AND f.measure_id IN :ids"""
)
OVERVIEW_TWO_GROUPS = _sql(
    """SELECT mt.theme_id, m.status_code, count(*) FROM measure_theme mt JOIN measure m ON m.id = mt.measure_id
       GROUP BY mt.theme_id, m.status_code""",
    """SELECT mt.scheme_id, m.status_code, count(*) FROM measure_theme mt JOIN measure m ON m.id = mt.measure_id
       GROUP BY mt.scheme_id, m.status_code""",
)
OVERVIEW_ONE_GROUP = _sql(
    """SELECT mt.scheme_id, mt.theme_id, m.status_code, count(*) FROM measure_theme mt
       JOIN measure m ON m.id = mt.measure_id GROUP BY mt.scheme_id, mt.theme_id, m.status_code"""
)
SILENCE_FACTS_JSON = {
    "sqlite": _sql(
        """SELECT 'geen_' || j.value, count(DISTINCT f.measure_id) FROM flag f, json_each(f.facts, '$.missing') j
           WHERE f.resolved_on IS NULL AND f.rule = 'monitoringgat' GROUP BY j.value""",
        """SELECT rule, count(DISTINCT measure_id) FROM flag WHERE resolved_on IS NULL AND kind = 'silence'
           AND rule <> 'monitoringgat' GROUP BY rule""",
    ),
    "postgresql": _sql(
        """SELECT 'geen_' || j.value, count(DISTINCT f.measure_id) FROM flag f,
           jsonb_array_elements_text(f.facts::jsonb -> 'missing') j
           WHERE f.resolved_on IS NULL AND f.rule = 'monitoringgat' GROUP BY j.value""",
        """SELECT rule, count(DISTINCT measure_id) FROM flag WHERE resolved_on IS NULL AND kind = 'silence'
           AND rule <> 'monitoringgat' GROUP BY rule""",
    ),
}
SILENCE_FACTS_ROWS = _sql("SELECT measure_id, rule, facts FROM flag WHERE resolved_on IS NULL AND kind = 'silence'")


def _overview_floor(grouping: list[str], facts_sql: list[str] | None) -> Callable:
    def run(conn: Connection, p: dict) -> dict:
        statuses, themes, totals, realised, levels, silent, top, last_run = (
            q(conn, sql, already=ALREADY_REALISED, top=OVERVIEW_TOP) for sql in OVERVIEW_COMMON
        )
        if len(grouping) == 2:
            counts = [tuple(r) for r in q(conn, grouping[0])]
            per_scheme: dict[int, dict[str, int]] = {}
            for scheme_id, status, n in q(conn, grouping[1]):
                per_scheme.setdefault(scheme_id, {})[status] = n
        else:
            counts, per_scheme = [], {}
            for scheme_id, theme_id, status, n in q(conn, grouping[0]):
                counts.append((theme_id, status, n))
                per_scheme.setdefault(scheme_id, {})
                per_scheme[scheme_id][status] = per_scheme[scheme_id].get(status, 0) + n
        scheme_ids = [r[0] for r in q(conn, "SELECT id FROM theme_scheme ORDER BY position")]
        total = dict(totals)
        without = sorted(
            (sid, status, total[status] - per_scheme.get(sid, {}).get(status, 0))
            for sid in scheme_ids
            for status in total
        )
        if facts_sql is not None:
            facts = sorted((k, n) for statement in facts_sql for k, n in q(conn, statement))
        else:
            by_fact: dict[str, set] = {}
            for measure_id, rule, facts_json in q(conn, SILENCE_FACTS_ROWS[0]):
                names = (
                    [f"geen_{m}" for m in json.loads(facts_json or "{}").get("missing", [])]
                    if rule == "monitoringgat"
                    else [rule]
                )
                for name in names:
                    by_fact.setdefault(name, set()).add(measure_id)
            facts = sorted((k, len(v)) for k, v in by_fact.items())
        order = [r[0] for r in top]
        listed: dict[int, tuple] = {}
        for mid, code, title, rule, explanation in q(conn, OVERVIEW_TOP_FLAGS[0], ids=order) if order else []:
            listed.setdefault(mid, (code, title, []))[2].append((rule, explanation))
        return {
            "statuses": [r[0] for r in statuses],
            "themes": [tuple(r) for r in themes],
            "counts": sorted(counts),
            "without": without,
            "totals": sorted(total.items()),
            "realised": realised[0][0],
            "by_level": sorted((level, n) for level, n in levels if level),
            "silent": silent[0][0],
            "facts": facts,
            "highest": dict(levels).get(3, 0),
            "top": [(listed[mid][0], listed[mid][1], sorted(listed[mid][2])) for mid in order],
            "last_run": str(last_run[0][0])[:10] if last_run[0][0] else None,
        }

    return run


def overview_floors(dialect: str) -> list[Floor]:
    floors = []
    for gname, grouping in (("two GROUP BYs", OVERVIEW_TWO_GROUPS), ("one GROUP BY", OVERVIEW_ONE_GROUP)):
        floors.append(
            Floor(
                f"{gname}, silence facts in SQL",
                _overview_floor(grouping, SILENCE_FACTS_JSON[dialect]),
                OVERVIEW_COMMON + OVERVIEW_TOP_FLAGS + grouping + SILENCE_FACTS_JSON[dialect],
            )
        )
        floors.append(
            Floor(
                f"{gname}, silence facts counted from the flag rows",
                _overview_floor(grouping, None),
                OVERVIEW_COMMON + OVERVIEW_TOP_FLAGS + grouping + SILENCE_FACTS_ROWS,
            )
        )
    return floors


# --- the list, filtered, page 1 --------------------------------------------------------------

VOCABULARY_SQL = _sql(
    "SELECT s.code, t.code FROM theme t JOIN theme_scheme s ON s.id = t.scheme_id ORDER BY s.position, t.position",
    "SELECT code FROM status ORDER BY position",
    "SELECT abbreviation FROM organisation ORDER BY abbreviation",
    "SELECT key FROM source_document ORDER BY date",
)


def _vocabulary_app(vocabulary: dict) -> dict:
    return {
        "themes": [tuple(t["key"].split(":")) for s in vocabulary["schemes"] for t in s["themes"]],
        "statuses": [s.code for s in vocabulary["statuses"]],
        "organisations": [o.abbreviation for o in vocabulary["organisations"]],
        "documents": [d.key for d in vocabulary["documents"]],
    }


def _vocabulary_floor(conn: Connection) -> dict:
    themes, statuses, organisations, documents = (q(conn, sql) for sql in VOCABULARY_SQL)
    return {
        "themes": [tuple(r) for r in themes],
        "statuses": [r[0] for r in statuses],
        "organisations": [r[0] for r in organisations],
        "documents": [r[0] for r in documents],
    }


def _page_rows(page, *, with_flags: bool) -> list[tuple]:
    """What a page of the list shows of each row (the as-of list shows no flags yet)."""
    return [
        (
            i["measure"].code,
            i["measure"].title,
            i["lead"],
            i["status_label"],
            i["measure"].deadline,
            tuple(f"{t['scheme']}:{t['code']}" for t in i["themes"]),
            i["overdue"],
            *((i["flag_severity"],) if with_flags else ()),
            tuple(ind.compact() for ind in i["indicators"]),
        )
        for i in page.items
    ]


def list_app(session, flt, page_size: int) -> dict:
    from measures.register import queries

    page = queries.list_measures(session, flt, as_of=clock.today(), page_size=page_size)
    return {
        "vocabulary": _vocabulary_app(queries.vocabulary(session)),
        "total": page.total,
        "rows": _page_rows(page, with_flags=True),
    }


# The filters of the two list figures, each written three ways.
LIST_CONDITIONS = {
    "theme": {
        "IN subquery": """m.status_code = :status AND m.id IN (SELECT mt.measure_id FROM measure_theme mt
            JOIN theme t ON t.id = mt.theme_id JOIN theme_scheme sc ON sc.id = t.scheme_id
            WHERE sc.code = :scheme AND t.code = :theme)""",
        "EXISTS": """m.status_code = :status AND EXISTS (SELECT 1 FROM measure_theme mt WHERE mt.measure_id = m.id
            AND mt.theme_id = (SELECT t.id FROM theme t JOIN theme_scheme sc ON sc.id = t.scheme_id
            WHERE sc.code = :scheme AND t.code = :theme))""",
        "theme id first": """m.status_code = :status AND m.id IN (SELECT measure_id FROM measure_theme
            WHERE theme_id = :theme_id)""",
    },
    # The level the checks give a measure today, as the projection holds it (the list's flag column).
    "flagged": {
        "IN subquery": """m.id IN (SELECT measure_id FROM measure_state WHERE valid_from <= :today
            AND (valid_to IS NULL OR valid_to > :today) AND stall_level >= :level)""",
        "EXISTS": """EXISTS (SELECT 1 FROM measure_state ms WHERE ms.measure_id = m.id AND ms.valid_from <= :today
            AND (ms.valid_to IS NULL OR ms.valid_to > :today) AND ms.stall_level >= :level)""",
        "theme id first": None,
    },
}
LIST_PAGE = """SELECT m.id, m.code, m.title, o.abbreviation, m.lead_joint, s.label, s.is_open, m.deadline
    FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id JOIN status s ON s.code = m.status_code
    WHERE {cond} ORDER BY m.code LIMIT :size"""
LIST_PAGE_WINDOW = """SELECT m.id, m.code, m.title, o.abbreviation, m.lead_joint, s.label, s.is_open, m.deadline,
    count(*) OVER () FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id
    JOIN status s ON s.code = m.status_code WHERE {cond} ORDER BY m.code LIMIT :size"""
LIST_COUNT = "SELECT count(*) FROM measure m WHERE {cond}"
PAGE_THEMES = """SELECT mt.measure_id, sc.code, t.code FROM measure_theme mt JOIN theme t ON t.id = mt.theme_id
    JOIN theme_scheme sc ON sc.id = t.scheme_id WHERE mt.measure_id IN :ids ORDER BY sc.position, t.code"""
PAGE_FLAGS = """SELECT measure_id, stall_level FROM measure_state WHERE measure_id IN :ids AND valid_from <= :today
    AND (valid_to IS NULL OR valid_to > :today)"""
# The page's indicators in force on the day, each with its latest value by then (the compact reading).
PAGE_INDICATORS = """SELECT i.measure_id, i.target_value, i.direction, i.baseline_value,
    (SELECT x.value FROM indicator_measurement x WHERE x.indicator_id = i.id AND x.measured_on <= :today
     ORDER BY x.measured_on DESC, x.id DESC LIMIT 1)
    FROM indicator i LEFT JOIN indicator_retirement r ON r.indicator_id = i.id
    WHERE i.measure_id IN :ids AND i.stated_on <= :today AND (r.id IS NULL OR r.retired_on > :today)
    ORDER BY i.measure_id, i.id"""


def _page_indicators(conn: Connection, ids: list[int], day: date) -> dict[int, tuple[str, ...]]:
    from measures.register.indicators import compact_reading

    found: dict[int, list[str]] = {}
    for mid, target, direction, baseline, value in q(conn, PAGE_INDICATORS, ids=ids, today=day):
        found.setdefault(mid, []).append(
            compact_reading(
                Decimal(str(value)) if value is not None else None,
                Decimal(str(target)),
                direction,
                Decimal(str(baseline)) if baseline is not None else None,
            )
        )
    return {mid: tuple(readings) for mid, readings in found.items()}


def _list_floor(cond: str, window: bool) -> Callable:
    def run(conn: Connection, p: dict) -> dict:
        params = dict(p["params"])
        if ":today" in cond:
            params["today"] = p["today"]
        if ":theme_id" in cond:
            params["theme_id"] = q(
                conn,
                "SELECT t.id FROM theme t JOIN theme_scheme sc ON sc.id = t.scheme_id WHERE sc.code = :scheme AND t.code = :theme",
                scheme=params["scheme"],
                theme=params["theme"],
            )[0][0]
        if window:
            rows = q(conn, LIST_PAGE_WINDOW.format(cond=cond), size=p["size"], **params)
            total = rows[0][8] if rows else q(conn, LIST_COUNT.format(cond=cond), **params)[0][0]
        else:
            total = q(conn, LIST_COUNT.format(cond=cond), **params)[0][0]
            rows = q(conn, LIST_PAGE.format(cond=cond), size=p["size"], **params)
        ids = [r[0] for r in rows]
        themes: dict[int, list[str]] = {}
        severity: dict[int, int] = {}
        if ids:
            for mid, scheme, code in q(conn, PAGE_THEMES, ids=ids):
                themes.setdefault(mid, []).append(f"{scheme}:{code}")
            severity = dict(q(conn, PAGE_FLAGS, ids=ids, today=p["today"]))
        readings = _page_indicators(conn, ids, p["today"]) if ids else {}
        today = p["today"]
        return {
            "vocabulary": _vocabulary_floor(conn),
            "total": total,
            "rows": [
                (
                    code,
                    title,
                    lead or (JOINT_LEAD if joint else None),
                    label,
                    _day(deadline),
                    tuple(themes.get(mid, [])),
                    bool(is_open) and deadline is not None and _day(deadline) < today,
                    severity.get(mid, 0),
                    readings.get(mid, ()),
                )
                for mid, code, title, lead, joint, label, is_open, deadline, *_ in rows
            ],
        }

    return run


def list_floors(kind: str) -> list[Floor]:
    floors = []
    for name, cond in LIST_CONDITIONS[kind].items():
        if cond is None:
            continue
        for window in (False, True):
            page = LIST_PAGE_WINDOW if window else LIST_PAGE
            sql = ([] if window else [LIST_COUNT.format(cond=cond)]) + [
                page.format(cond=cond),
                PAGE_THEMES,
                PAGE_FLAGS,
                PAGE_INDICATORS,
            ]
            floors.append(
                Floor(
                    f"{name}, {'count in a window' if window else 'count apart'}",
                    _list_floor(cond, window),
                    _sql(*sql, *VOCABULARY_SQL),
                )
            )
    return floors


# --- the detail page -------------------------------------------------------------------------


def detail_app(session, code: str) -> dict:
    from measures.register import queries
    from measures.review import services as review

    data = queries.measure_detail(session, code, clock.today())
    mid = data["measure"].id
    flags = queries.flags_for_measure(session, mid)
    return {
        "measure": (
            data["measure"].code,
            data["measure"].title,
            data["status"].label,
            data["lead"].abbreviation if data["lead"] else None,
        ),
        "document": data["document"].key if data["document"] else None,
        "co_owners": [o.abbreviation for o in data["co_owners"]],
        "themes": [(t["scheme"].code, t["theme"].code) for t in data["themes"]],
        "budget": [b.id for b in data["budget"]],
        "updates": [
            (u["entry"].id, u["status"].label, u["document"].key if u["document"] else None) for u in data["updates"]
        ],
        "deadlines": [d.id for d in data["deadlines"]],
        "audit": [a.id for a in data["audit"]],
        "aliases": sorted(a.code for a in data["aliases"]),
        "merged_into": data["merged_into"],
        "flags": sorted((i["flag"].id, len(i["acknowledgements"])) for i in flags["open"] + flags["resolved"]),
        "assessments": [(a["assessment"].id, len(a["replies"])) for a in review.assessments_for(session, mid)],
        "recommendations": [r.code for r in review.recommendations_for_measure(session, mid)],
        "indicators": [(i.code, tuple(m.id for m in i.measurements)) for i in data["indicators"]],
    }


DETAIL_MEASURE = """SELECT m.id, m.code, m.title, s.label, o.abbreviation, d.key FROM measure m
    JOIN status s ON s.code = m.status_code LEFT JOIN organisation o ON o.id = m.lead_organisation_id
    LEFT JOIN source_document d ON d.id = m.source_document_id WHERE m.code = :code"""
DETAIL_PARTS = {
    "co_owners": """SELECT o.abbreviation FROM measure_co_owner c JOIN organisation o ON o.id = c.organisation_id
        WHERE c.measure_id = {id} ORDER BY o.abbreviation""",
    "themes": """SELECT sc.code, t.code FROM measure_theme mt JOIN theme t ON t.id = mt.theme_id
        JOIN theme_scheme sc ON sc.id = t.scheme_id WHERE mt.measure_id = {id} ORDER BY sc.position""",
    "budget": "SELECT id FROM budget_line WHERE measure_id = {id} ORDER BY id",
    "updates": """SELECT u.id, s.label, d.key FROM status_update u JOIN status s ON s.code = u.status_code
        LEFT JOIN source_document d ON d.id = u.evidence_document_id WHERE u.measure_id = {id}
        ORDER BY u.as_of DESC, u.id DESC""",
    "deadlines": "SELECT id FROM deadline_change WHERE measure_id = {id} ORDER BY decided_on, id",
    "audit": "SELECT id FROM audit_record WHERE measure_id = {id} ORDER BY changed_at DESC, id DESC",
    "aliases": "SELECT code FROM measure_alias WHERE measure_id = {id} ORDER BY code",
    "merged_into": """SELECT m.code FROM measure_alias a JOIN measure m ON m.id = a.measure_id
        WHERE a.code = :code AND m.code <> :code""",
    "flags": """SELECT f.id, count(a.id) FROM flag f LEFT JOIN flag_acknowledgement a ON a.flag_id = f.id
        WHERE f.measure_id = {id} GROUP BY f.id""",
    "assessments": """SELECT a.id, count(r.id) FROM assessment a LEFT JOIN assessment_reply r ON r.assessment_id = a.id
        WHERE a.measure_id = {id} GROUP BY a.id, a.as_of ORDER BY a.as_of DESC, a.id DESC""",
    "recommendations": """SELECT r.code FROM recommendation r JOIN recommendation_measure rm ON rm.recommendation_id = r.id
        WHERE rm.measure_id = {id} ORDER BY r.issued_on, r.code""",
    "indicators": """SELECT i.code, x.id FROM indicator i LEFT JOIN indicator_retirement r ON r.indicator_id = i.id
        LEFT JOIN indicator_measurement x ON x.indicator_id = i.id AND x.measured_on <= :today
        WHERE i.measure_id = {id} AND i.stated_on <= :today AND (r.id IS NULL OR r.retired_on > :today)
        ORDER BY i.id, x.measured_on, x.id""",
}


def _detail_floor(by_subquery: bool) -> Callable:
    def run(conn: Connection, p: dict) -> dict:
        mid, code, title, label, lead, document = q(conn, DETAIL_MEASURE, code=p["code"])[0]
        ident = "(SELECT id FROM measure WHERE code = :code)" if by_subquery else ":id"
        parts = {
            name: q(conn, sql.format(id=ident), code=p["code"], id=mid, today=clock.today())
            for name, sql in DETAIL_PARTS.items()
        }
        measured: dict[str, list] = {}
        for indicator, measurement in parts["indicators"]:
            measured.setdefault(indicator, [])
            if measurement is not None:
                measured[indicator].append(measurement)
        merged = parts["merged_into"]
        return {
            "measure": (code, title, label, lead),
            "document": document,
            "co_owners": [r[0] for r in parts["co_owners"]],
            "themes": [tuple(r) for r in parts["themes"]],
            "budget": [r[0] for r in parts["budget"]],
            "updates": [tuple(r) for r in parts["updates"]],
            "deadlines": [r[0] for r in parts["deadlines"]],
            "audit": [r[0] for r in parts["audit"]],
            "aliases": [r[0] for r in parts["aliases"]],
            "merged_into": merged[0][0] if merged else None,
            "flags": sorted(tuple(r) for r in parts["flags"]),
            "assessments": [tuple(r) for r in parts["assessments"]],
            "recommendations": [r[0] for r in parts["recommendations"]],
            "indicators": [(code, tuple(ids)) for code, ids in measured.items()],
        }

    return run


def detail_floors() -> list[Floor]:
    return [
        Floor(
            "the measure's id first, then by id",
            _detail_floor(False),
            _sql(DETAIL_MEASURE, *(s.format(id=":id") for s in DETAIL_PARTS.values())),
        ),
        Floor(
            "each part by the code's id in a subquery",
            _detail_floor(True),
            _sql(
                DETAIL_MEASURE,
                *(s.format(id="(SELECT id FROM measure WHERE code = :code)") for s in DETAIL_PARTS.values()),
            ),
        ),
    ]


# --- the as-of list, page 1 ------------------------------------------------------------------


def as_of_list_app(session, as_of: date, page_size: int) -> dict:
    from measures.register import queries

    page = queries.list_measures(session, queries.MeasureFilter(), as_of=as_of, page_size=page_size)
    return {
        "total": page.total,
        "rows": _page_rows(page, with_flags=True),
    }


LATEST_STATUS_SEEK = """(SELECT u.status_code FROM status_update u WHERE u.measure_id = m.id AND u.as_of <= :d
    ORDER BY u.as_of DESC, u.id DESC LIMIT 1)"""
LATEST_DEADLINE_SEEK = """(SELECT c.new_deadline FROM deadline_change c WHERE c.measure_id = m.id AND c.decided_on <= :d
    ORDER BY c.decided_on DESC, c.id DESC LIMIT 1)"""
AS_OF_COUNT = "SELECT count(*) FROM measure WHERE announced_on <= :d"
AS_OF_PAGE_SEEK = f"""SELECT m.id, m.code, m.title, o.abbreviation, m.lead_joint, {LATEST_STATUS_SEEK}, {LATEST_DEADLINE_SEEK}
    FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id WHERE m.announced_on <= :d
    ORDER BY m.code LIMIT :size"""
AS_OF_PAGE_WINDOW = [
    """SELECT m.id, m.code, m.title, o.abbreviation, m.lead_joint FROM measure m
       LEFT JOIN organisation o ON o.id = m.lead_organisation_id WHERE m.announced_on <= :d ORDER BY m.code LIMIT :size""",
    """SELECT measure_id, status_code FROM (SELECT measure_id, status_code, row_number() OVER (PARTITION BY measure_id
       ORDER BY as_of DESC, id DESC) AS r FROM status_update WHERE as_of <= :d AND measure_id IN :ids) k WHERE r = 1""",
    """SELECT measure_id, new_deadline FROM (SELECT measure_id, new_deadline, row_number() OVER (PARTITION BY measure_id
       ORDER BY decided_on DESC, id DESC) AS r FROM deadline_change WHERE decided_on <= :d AND measure_id IN :ids) k WHERE r = 1""",
]
AS_OF_ALL_WINDOW = [
    """SELECT m.id, m.code, m.title, o.abbreviation, m.lead_joint, u.status_code, c.new_deadline FROM measure m
       LEFT JOIN organisation o ON o.id = m.lead_organisation_id
       LEFT JOIN (SELECT measure_id, status_code, row_number() OVER (PARTITION BY measure_id ORDER BY as_of DESC, id DESC) AS r
                  FROM status_update WHERE as_of <= :d) u ON u.measure_id = m.id AND u.r = 1
       LEFT JOIN (SELECT measure_id, new_deadline, row_number() OVER (PARTITION BY measure_id ORDER BY decided_on DESC, id DESC) AS r
                  FROM deadline_change WHERE decided_on <= :d) c ON c.measure_id = m.id AND c.r = 1
       WHERE m.announced_on <= :d ORDER BY m.code LIMIT :size""",
]
ROLLBACK = """SELECT measure_id, field, old_value FROM audit_record WHERE measure_id IN :ids AND changed_at > :moment
    AND field IN ('title', 'lead', 'themes') ORDER BY changed_at DESC, id DESC"""
STATUS_LABELS = "SELECT code, label, is_open FROM status"
SCHEME_POSITIONS = "SELECT code, position FROM theme_scheme"


def _as_of_floor(mode: str) -> Callable:
    def run(conn: Connection, p: dict) -> dict:
        d = p["as_of"]
        total = q(conn, AS_OF_COUNT, d=d)[0][0]
        if mode == "seek":
            rows = [tuple(r) for r in q(conn, AS_OF_PAGE_SEEK, d=d, size=p["size"])]
        elif mode == "all":
            rows = [tuple(r) for r in q(conn, AS_OF_ALL_WINDOW[0], d=d, size=p["size"])]
        else:
            page = q(conn, AS_OF_PAGE_WINDOW[0], d=d, size=p["size"])
            ids = [r[0] for r in page]
            status = dict(q(conn, AS_OF_PAGE_WINDOW[1], d=d, ids=ids)) if ids else {}
            deadline = dict(q(conn, AS_OF_PAGE_WINDOW[2], d=d, ids=ids)) if ids else {}
            rows = [(*r, status.get(r[0]), deadline.get(r[0])) for r in page]
        ids = [r[0] for r in rows]
        themes: dict[int, list[str]] = {}
        fields: dict[int, dict] = {}
        levels: dict[int, int] = {}
        if ids:
            for mid, scheme, code in q(conn, PAGE_THEMES, ids=ids):
                themes.setdefault(mid, []).append(f"{scheme}:{code}")
            for mid, name, old in q(conn, ROLLBACK, ids=ids, moment=clock.end_of_day(d)):
                fields.setdefault(mid, {})[name] = json.loads(old) if old is not None else None  # oldest last wins
            levels = dict(q(conn, PAGE_FLAGS, ids=ids, today=d))
        readings = _page_indicators(conn, ids, d) if ids else {}
        labels = {code: (label, is_open) for code, label, is_open in q(conn, STATUS_LABELS)}
        positions = dict(q(conn, SCHEME_POSITIONS))

        def in_order(keys) -> tuple:
            return tuple(sorted(keys, key=lambda k: (positions[k.split(":")[0]], k)))

        out = []
        for mid, code, title, lead, joint, status, deadline in rows:
            status = status or "onbekend"
            f = fields.get(mid, {})
            deadline = _day(deadline)
            out.append(
                (
                    code,
                    f.get("title", title),
                    f["lead"] if "lead" in f else (lead or (JOINT_LEAD if joint else None)),
                    labels[status][0],
                    deadline,
                    in_order(f["themes"] if "themes" in f else themes.get(mid, [])),
                    bool(labels[status][1]) and deadline is not None and deadline < d,
                    levels.get(mid, 0),
                    readings.get(mid, ()),
                )
            )
        return {"total": total, "rows": out}

    return run


def as_of_list_floors() -> list[Floor]:
    tail = [PAGE_THEMES, ROLLBACK, PAGE_FLAGS, PAGE_INDICATORS, STATUS_LABELS, SCHEME_POSITIONS]
    return [
        Floor("page first, index seeks per row", _as_of_floor("seek"), _sql(AS_OF_COUNT, AS_OF_PAGE_SEEK, *tail)),
        Floor(
            "page first, window functions over its ids",
            _as_of_floor("page"),
            _sql(AS_OF_COUNT, *AS_OF_PAGE_WINDOW, *tail),
        ),
        Floor(
            "window functions over every measure, then the page",
            _as_of_floor("all"),
            _sql(AS_OF_COUNT, *AS_OF_ALL_WINDOW, *tail),
        ),
    ]


# --- the two-date comparison -----------------------------------------------------------------


def compare_app(session, start: date, end: date) -> dict:
    """What the comparison page shows: every kind of change counted, the first COMPARE_SHOWN of each."""
    from measures.register.history import compare
    from measures.review.views import COMPARE_SHOWN

    c = compare(session, start, end, shown=COMPARE_SHOWN)
    d = c.as_dict()
    return {
        "counts": sorted(c.counts.items()),
        "added": [a["code"] for a in d["added"]],
        "status_changes": [
            (s["code"], s["title"], s["from"], s["to"], s["as_of"], s["evidence"], s["note"])
            for s in d["status_changes"]
        ],
        "deadline_changes": [(x["code"], x["decided_on"], x["from"], x["to"]) for x in d["deadline_changes"]],
        "postponements": [(x["code"], x["decided_on"], x["from"], x["to"]) for x in d["postponements"]],
        "budget_changes": [b["code"] for b in d["budget_changes"]],
        "flags_opened": [(f["code"], f["rule"], f["on"]) for f in d["flags_opened"]],
        "flags_closed": [(f["code"], f["rule"], f["on"]) for f in d["flags_closed"]],
        "assessments": [(a["code"], a["light"], a["as_of"]) for a in d["assessments"]],
        "measurements": [(x["code"], x["indicator_code"], x["on"], x["value"]) for x in d["measurements"]],
    }


COMPARE_SEEK = """SELECT m.id, m.code, m.title, m.announced_on <= :start,
    (SELECT u.status_code FROM status_update u WHERE u.measure_id = m.id AND u.as_of <= :start ORDER BY u.as_of DESC, u.id DESC LIMIT 1),
    (SELECT u.id FROM status_update u WHERE u.measure_id = m.id AND u.as_of <= :end ORDER BY u.as_of DESC, u.id DESC LIMIT 1)
    FROM measure m WHERE m.announced_on <= :end ORDER BY m.code"""
COMPARE_WINDOW = """SELECT m.id, m.code, m.title, m.announced_on <= :start, a.status_code, b.id FROM measure m
    LEFT JOIN (SELECT measure_id, status_code, row_number() OVER (PARTITION BY measure_id ORDER BY as_of DESC, id DESC) AS r
               FROM status_update WHERE as_of <= :start) a ON a.measure_id = m.id AND a.r = 1
    LEFT JOIN (SELECT measure_id, id, row_number() OVER (PARTITION BY measure_id ORDER BY as_of DESC, id DESC) AS r
               FROM status_update WHERE as_of <= :end) b ON b.measure_id = m.id AND b.r = 1
    WHERE m.announced_on <= :end ORDER BY m.code"""
COMPARE_STATUS_AT_END = """SELECT u.id, u.status_code FROM status_update u WHERE u.id IN :ids"""
COMPARE_LATEST = """SELECT u.id, u.status_code, u.as_of, u.note, d.citation, u.evidence_url FROM status_update u
    LEFT JOIN source_document d ON d.id = u.evidence_document_id WHERE u.id IN :ids"""
# Each dated kind of change: counted, and its first :shown in the page's order.
COMPARE_DEADLINES = """FROM deadline_change c JOIN measure m ON m.id = c.measure_id
    WHERE c.decided_on > :start AND c.decided_on <= :end AND m.announced_on <= :end{extra}"""
COMPARE_DEADLINE_ROWS = (
    """SELECT m.code, c.decided_on, c.old_deadline, c.new_deadline """
    + COMPARE_DEADLINES
    + """
    ORDER BY c.decided_on, m.code, c.id LIMIT :shown"""
)
POSTPONED = " AND c.old_deadline IS NOT NULL AND c.new_deadline IS NOT NULL AND c.new_deadline > c.old_deadline"
COMPARE_FLAGS = """FROM flag f JOIN measure m ON m.id = f.measure_id
    WHERE f.{day} > :start AND f.{day} <= :end AND m.announced_on <= :end"""
COMPARE_FLAG_ROWS = "SELECT m.code, f.rule, f.{day} " + COMPARE_FLAGS + " ORDER BY f.{day}, m.code, f.id LIMIT :shown"
COMPARE_ASSESSMENTS = """FROM assessment a JOIN measure m ON m.id = a.measure_id
    WHERE a.as_of > :start AND a.as_of <= :end AND m.announced_on <= :end"""
COMPARE_MEASUREMENTS = """FROM indicator_measurement x JOIN measure m ON m.id = x.measure_id
    JOIN indicator i ON i.id = x.indicator_id
    WHERE x.measured_on > :start AND x.measured_on <= :end AND i.stated_on <= :end AND m.announced_on <= :end"""
COMPARE_BUDGETS = """SELECT measure_id, old_value, new_value FROM audit_record WHERE field = 'budget'
    AND changed_at > :start_moment AND changed_at <= :end_moment ORDER BY changed_at, id"""
COMPARE_TITLES = """SELECT measure_id, old_value FROM audit_record WHERE field = 'title' AND changed_at > :end_moment
    ORDER BY changed_at DESC, id DESC"""


def _compare_ranges() -> list[str]:
    deadlines = [COMPARE_DEADLINES.format(extra=extra) for extra in ("", POSTPONED)]
    flags = [COMPARE_FLAGS.format(day=day) for day in ("first_seen_on", "resolved_on")]
    return [
        *(f"SELECT count(*) {body}" for body in (*deadlines, *flags, COMPARE_ASSESSMENTS, COMPARE_MEASUREMENTS)),
        *(COMPARE_DEADLINE_ROWS.format(extra=extra) for extra in ("", POSTPONED)),
        *(COMPARE_FLAG_ROWS.format(day=day) for day in ("first_seen_on", "resolved_on")),
        f"SELECT m.code, a.light, a.as_of {COMPARE_ASSESSMENTS} ORDER BY a.as_of, a.id LIMIT :shown",
        f"SELECT m.code, i.code, x.measured_on, x.value {COMPARE_MEASUREMENTS} ORDER BY x.measured_on, m.code, x.id LIMIT :shown",
        COMPARE_BUDGETS,
        COMPARE_TITLES,
    ]


def _compare_floor(main_sql: str) -> Callable:
    def run(conn: Connection, p: dict) -> dict:
        start, end, shown = p["start"], p["end"], p["shown"]
        rows = q(conn, main_sql, start=start, end=end)
        moments = {"start_moment": clock.end_of_day(start), "end_moment": clock.end_of_day(end)}
        (
            n_deadlines,
            n_postponed,
            n_opened,
            n_closed,
            n_assessments,
            n_measurements,
            deadlines,
            postponed,
            opened,
            closed,
            assessments,
            measurements,
            budgets,
            titles,
        ) = (q(conn, sql, start=start, end=end, shown=shown, **moments) for sql in _compare_ranges())
        old_titles = {mid: json.loads(old) for mid, old in titles}  # the oldest later record wins (last)
        title = {r[0]: old_titles.get(r[0], r[2]) for r in rows}
        end_ids = [r[5] for r in rows if r[5] is not None]
        status_at_end = {}
        for i in range(0, len(end_ids), 5000):
            status_at_end.update(dict(q(conn, COMPARE_STATUS_AT_END, ids=end_ids[i : i + 5000])))
        added, changed = [], []
        for mid, mcode, _title, existed, before, after_id in rows:
            if not existed:
                added.append(mcode)
            elif (before or "onbekend") != status_at_end.get(after_id, "onbekend"):
                changed.append((mid, mcode, before or "onbekend", after_id))
        facts = {}
        shown_ids = [after_id for *_, after_id in changed[:shown] if after_id is not None]
        if shown_ids:
            facts = {r[0]: r[1:] for r in q(conn, COMPARE_LATEST, ids=shown_ids)}
        changes = []
        for mid, mcode, before, after_id in changed[:shown]:
            after = facts.get(after_id)
            changes.append(
                (
                    mcode,
                    title[mid],
                    before,
                    after[0] if after else "onbekend",
                    _day(after[1]).isoformat() if after else None,
                    (after[3] or after[4]) if after else None,
                    after[2] if after else "",
                )
            )
        edits: dict[int, list] = {}
        for mid, old, new in budgets:
            edits.setdefault(mid, []).append((old, new))
        existed = {r[0] for r in rows if r[3]}
        code = {r[0]: r[1] for r in rows}
        budget = sorted(
            code[mid]
            for mid, e in edits.items()
            if mid in existed and mid in code and json.loads(e[0][0] or "[]") != json.loads(e[-1][1] or "[]")
        )

        def dated(rows_) -> list:
            return [
                (c, _day(on).isoformat(), _day(o).isoformat() if o else None, _day(n).isoformat() if n else None)
                for c, on, o, n in rows_
            ]

        return {
            "counts": sorted(
                {
                    "added": len(added),
                    "status_changes": len(changed),
                    "postponements": n_postponed[0][0],
                    "deadline_changes": n_deadlines[0][0],
                    "budget_changes": len(budget),
                    "flags_opened": n_opened[0][0],
                    "flags_closed": n_closed[0][0],
                    "assessments": n_assessments[0][0],
                    "measurements": n_measurements[0][0],
                }.items()
            ),
            "added": added[:shown],
            "status_changes": changes,
            "deadline_changes": dated(deadlines),
            "postponements": dated(postponed),
            "budget_changes": budget[:shown],
            "flags_opened": [(c, r, _day(on).isoformat()) for c, r, on in opened],
            "flags_closed": [(c, r, _day(on).isoformat()) for c, r, on in closed],
            "assessments": [(c, light, _day(on).isoformat()) for c, light, on in assessments],
            "measurements": [(c, i, _day(on).isoformat(), float(v)) for c, i, on, v in measurements],
        }

    return run


def compare_floors() -> list[Floor]:
    tail = [COMPARE_STATUS_AT_END, COMPARE_LATEST, *_compare_ranges()]
    return [
        Floor("index seeks per measure", _compare_floor(COMPARE_SEEK), _sql(COMPARE_SEEK, *tail)),
        Floor("window functions", _compare_floor(COMPARE_WINDOW), _sql(COMPARE_WINDOW, *tail)),
    ]


# --- the daily check: what the rules read ------------------------------------------------------


def check_inputs_app(session, day: date) -> dict:
    from measures.checks.rules import Context

    ctx = Context.load(session, day)

    def update(u):
        return (u.status_code, u.as_of, u.note, u.evidence, u.reports_problem, u.as_of_precision) if u else None

    return {
        "states": sorted(
            (
                s.id,
                s.code,
                s.announced_on,
                s.lead,
                tuple(sorted(s.co_owners)),
                update(s.latest),
                update(s.latest_evidenced),
                s.deadline,
                s.deadline_precision,
                s.postponements,
                (s.assessment.light, s.assessment.as_of) if s.assessment else None,
            )
            for s in ctx.states
        ),
        "rapporteur": sorted(
            (mid, f.as_of, f.note, f.quote, f.reports_problem, f.reference, f.precision)
            for mid, f in ctx.rapporteur.items()
        ),
        "last_open": sorted(ctx.last_open_update.items()),
    }


EVIDENCED = "(u.evidence_document_id IS NOT NULL OR u.evidence_url IS NOT NULL)"
CHECK_SEEK = f"""WITH k AS (SELECT m.id, m.code, m.announced_on, o.abbreviation AS lead, m.lead_joint,
      (SELECT u.id FROM status_update u WHERE u.measure_id = m.id AND u.as_of <= :d ORDER BY u.as_of DESC, u.id DESC LIMIT 1) AS latest,
      (SELECT u.id FROM status_update u WHERE u.measure_id = m.id AND u.as_of <= :d AND {EVIDENCED}
       ORDER BY u.as_of DESC, u.id DESC LIMIT 1) AS evidenced,
      (SELECT u.id FROM status_update u JOIN source_document d ON d.id = u.evidence_document_id AND d.kind = 'brief_rapporteur'
       WHERE u.measure_id = m.id AND u.as_of <= :d ORDER BY u.as_of DESC, u.id DESC LIMIT 1) AS rapporteur,
      (SELECT max(u.as_of) FROM status_update u WHERE u.measure_id = m.id AND u.as_of <= :d AND u.status_code IN :open) AS last_open,
      (SELECT c.id FROM deadline_change c WHERE c.measure_id = m.id AND c.decided_on <= :d ORDER BY c.decided_on DESC, c.id DESC LIMIT 1) AS deadline,
      (SELECT count(*) FROM deadline_change c WHERE c.measure_id = m.id AND c.decided_on <= :d AND c.new_deadline > c.old_deadline) AS postponed,
      (SELECT a.id FROM assessment a WHERE a.measure_id = m.id AND a.as_of <= :d ORDER BY a.as_of DESC, a.id DESC LIMIT 1) AS assessment
    FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id WHERE m.announced_on <= :d)
    SELECT k.id, k.code, k.announced_on, k.lead, k.lead_joint,
      l.status_code, l.as_of, l.note, ld.citation, l.evidence_url, l.reports_problem, l.as_of_precision,
      e.status_code, e.as_of, e.note, ed.citation, e.evidence_url, e.reports_problem, e.as_of_precision,
      r.as_of, r.note, r.evidence_quote, r.reports_problem, rd.citation, r.as_of_precision,
      k.last_open, c.new_deadline, c.new_deadline_precision, k.postponed, a.light, a.as_of
    FROM k LEFT JOIN status_update l ON l.id = k.latest LEFT JOIN source_document ld ON ld.id = l.evidence_document_id
    LEFT JOIN status_update e ON e.id = k.evidenced LEFT JOIN source_document ed ON ed.id = e.evidence_document_id
    LEFT JOIN status_update r ON r.id = k.rapporteur LEFT JOIN source_document rd ON rd.id = r.evidence_document_id
    LEFT JOIN deadline_change c ON c.id = k.deadline LEFT JOIN assessment a ON a.id = k.assessment"""


def _ranked(table: str, order: str, where: str, extra_join: str = "") -> str:
    return f"""(SELECT t.id, t.measure_id FROM (SELECT u.id, u.measure_id, row_number() OVER (PARTITION BY u.measure_id
        ORDER BY {order}) AS r FROM {table} u {extra_join} WHERE {where}) t WHERE t.r = 1)"""


CHECK_WINDOW = f"""SELECT m.id, m.code, m.announced_on, o.abbreviation, m.lead_joint,
      l.status_code, l.as_of, l.note, ld.citation, l.evidence_url, l.reports_problem, l.as_of_precision,
      e.status_code, e.as_of, e.note, ed.citation, e.evidence_url, e.reports_problem, e.as_of_precision,
      r.as_of, r.note, r.evidence_quote, r.reports_problem, rd.citation, r.as_of_precision,
      lo.last_open, c.new_deadline, c.new_deadline_precision, coalesce(p.postponed, 0), a.light, a.as_of
    FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id
    LEFT JOIN {_ranked("status_update", "u.as_of DESC, u.id DESC", "u.as_of <= :d")} lk ON lk.measure_id = m.id
    LEFT JOIN status_update l ON l.id = lk.id LEFT JOIN source_document ld ON ld.id = l.evidence_document_id
    LEFT JOIN {_ranked("status_update", "u.as_of DESC, u.id DESC", "u.as_of <= :d AND " + EVIDENCED)} ek ON ek.measure_id = m.id
    LEFT JOIN status_update e ON e.id = ek.id LEFT JOIN source_document ed ON ed.id = e.evidence_document_id
    LEFT JOIN {_ranked("status_update", "u.as_of DESC, u.id DESC", "u.as_of <= :d", "JOIN source_document d ON d.id = u.evidence_document_id AND d.kind = 'brief_rapporteur'")} rk ON rk.measure_id = m.id
    LEFT JOIN status_update r ON r.id = rk.id LEFT JOIN source_document rd ON rd.id = r.evidence_document_id
    LEFT JOIN (SELECT measure_id, max(as_of) AS last_open FROM status_update WHERE as_of <= :d AND status_code IN :open
               GROUP BY measure_id) lo ON lo.measure_id = m.id
    LEFT JOIN {_ranked("deadline_change", "u.decided_on DESC, u.id DESC", "u.decided_on <= :d")} ck ON ck.measure_id = m.id
    LEFT JOIN deadline_change c ON c.id = ck.id
    LEFT JOIN (SELECT measure_id, count(*) AS postponed FROM deadline_change WHERE decided_on <= :d
               AND new_deadline > old_deadline GROUP BY measure_id) p ON p.measure_id = m.id
    LEFT JOIN {_ranked("assessment", "u.as_of DESC, u.id DESC", "u.as_of <= :d")} ak ON ak.measure_id = m.id
    LEFT JOIN assessment a ON a.id = ak.id
    WHERE m.announced_on <= :d"""
CHECK_SIDE = [
    "SELECT code FROM status WHERE is_open",
    """SELECT c.measure_id, o.abbreviation FROM measure_co_owner c JOIN organisation o ON o.id = c.organisation_id""",
    """SELECT measure_id, field, old_value FROM audit_record WHERE changed_at > :moment AND field IN ('lead', 'co_owners')
       ORDER BY changed_at DESC, id DESC""",
]


def _check_floor(main_sql: str) -> Callable:
    def run(conn: Connection, p: dict) -> dict:
        d = p["day"]
        open_codes = [r[0] for r in q(conn, CHECK_SIDE[0])]
        co: dict[int, list[str]] = {}
        for mid, abbreviation in q(conn, CHECK_SIDE[1]):
            co.setdefault(mid, []).append(abbreviation)
        rolled: dict[int, dict] = {}
        for mid, name, old in q(conn, CHECK_SIDE[2], moment=clock.end_of_day(d)):
            rolled.setdefault(mid, {})[name] = json.loads(old) if old is not None else None
        states, rapporteur, last_open = [], [], []
        for r in q(conn, main_sql, d=d, open=open_codes):
            mid = r[0]
            f = rolled.get(mid, {})
            lead = f["lead"] if "lead" in f else (r[3] or (JOINT_LEAD if r[4] else None))

            def update(status, on, note, reference, url, problem, precision):
                return (
                    (status, _day(on), note, reference or url, bool(problem), precision) if status is not None else None
                )

            states.append(
                (
                    mid,
                    r[1],
                    _day(r[2]),
                    lead,
                    tuple(sorted(f["co_owners"] if "co_owners" in f else co.get(mid, []))),
                    update(*r[5:12]),
                    update(*r[12:19]),
                    _day(r[26]),
                    r[27] if r[26] is not None else "dag",
                    r[28],
                    (r[29], _day(r[30])) if r[29] is not None else None,
                )
            )
            if r[19] is not None:
                rapporteur.append((mid, _day(r[19]), r[20], r[21], bool(r[22]), r[23], r[24]))
            if r[25] is not None:
                last_open.append((mid, _day(r[25])))
        return {"states": sorted(states), "rapporteur": sorted(rapporteur), "last_open": sorted(last_open)}

    return run


def check_floors() -> list[Floor]:
    return [
        Floor("index seeks per measure", _check_floor(CHECK_SEEK), _sql(CHECK_SEEK, *CHECK_SIDE)),
        Floor("window functions", _check_floor(CHECK_WINDOW), _sql(CHECK_WINDOW, *CHECK_SIDE)),
    ]


# --- the flags a check leaves -------------------------------------------------------------------

FLAG_COLUMNS = (
    "measure_id",
    "rule",
    "kind",
    "rule_severity",
    "severity",
    "score",
    "evidence_on",
    "explanation",
    "facts",
    "first_seen_on",
    "last_seen_on",
    "resolved_on",
)


def flag_rows(conn: Connection) -> list[tuple]:
    """The flag table as a check leaves it, without ids (what two runs must agree on)."""
    rows = q(conn, f"SELECT {', '.join(FLAG_COLUMNS)} FROM flag")
    return sorted(
        tuple(
            _day(v) if isinstance(v, date | str) and c.endswith("_on") else v
            for c, v in zip(FLAG_COLUMNS, r, strict=True)
        )
        for r in rows
    )


# --- the exports ---------------------------------------------------------------------------------

THEME_OF = """(SELECT t.code FROM measure_theme mt JOIN theme t ON t.id = mt.theme_id JOIN theme_scheme sc ON sc.id = t.scheme_id
    WHERE mt.measure_id = m.id AND sc.code = '{scheme}' ORDER BY t.position DESC LIMIT 1)"""
LIST_EXPORT_SEEK = f"""SELECT m.code, m.title, o.abbreviation, m.lead_joint, {THEME_OF.format(scheme="contouren")},
    {THEME_OF.format(scheme="actielijn")}, m.status_code, u.as_of, u.note, d.key, u.evidence_url, m.deadline, m.deadline_basis
    FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id
    LEFT JOIN status_update u ON u.id = (SELECT x.id FROM status_update x WHERE x.measure_id = m.id
                                         ORDER BY x.as_of DESC, x.id DESC LIMIT 1)
    LEFT JOIN source_document d ON d.id = u.evidence_document_id ORDER BY m.code"""
THEMES_GROUPED = """(SELECT mt.measure_id, max(t.code) AS code FROM measure_theme mt JOIN theme t ON t.id = mt.theme_id
    JOIN theme_scheme sc ON sc.id = t.scheme_id WHERE sc.code = '{scheme}' GROUP BY mt.measure_id)"""
LIST_EXPORT_WINDOW = f"""SELECT m.code, m.title, o.abbreviation, m.lead_joint, tc.code, ta.code, m.status_code,
    u.as_of, u.note, d.key, u.evidence_url, m.deadline, m.deadline_basis
    FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id
    LEFT JOIN {THEMES_GROUPED.format(scheme="contouren")} tc ON tc.measure_id = m.id
    LEFT JOIN {THEMES_GROUPED.format(scheme="actielijn")} ta ON ta.measure_id = m.id
    LEFT JOIN (SELECT id, measure_id, row_number() OVER (PARTITION BY measure_id ORDER BY as_of DESC, id DESC) AS r
               FROM status_update) k ON k.measure_id = m.id AND k.r = 1
    LEFT JOIN status_update u ON u.id = k.id LEFT JOIN source_document d ON d.id = u.evidence_document_id
    ORDER BY m.code"""
LIST_EXPORT_HEADER = LIST_COLUMNS  # the format's columns (the floor writes the same file)


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def list_export_rows(conn: Connection, sql: str) -> list[list[str]]:
    rows = []
    for code, title, lead, joint, theme, line, status, on, note, key, url, deadline, basis in q(conn, sql):
        rows.append(
            [
                code,
                title,
                lead or (JOINT_LEAD if joint else "onbekend"),
                theme or "",
                line or "",
                status,
                _text(_day(on)),
                note or "",
                key or "",
                url or "",
                _text(_day(deadline)),
                basis,
            ]
        )
    return rows


OPEN_DATA_SEEK = """SELECT m.id, m.code, m.title, m.description, m.announcement, m.announced_on, o.abbreviation, m.lead_joint,
    coalesce(u.status_code, 'onbekend'), st.label, c.new_deadline, c.new_deadline_precision, c.basis,
    (SELECT count(*) FROM deadline_change p WHERE p.measure_id = m.id AND p.decided_on <= :d AND p.new_deadline > p.old_deadline),
    m.lead_basis, lb.citation, lb.reference, m.co_owners_basis, cb.citation, cb.reference,
    sd.reference, m.source_section, m.source_quote, m.version
    FROM measure m LEFT JOIN organisation o ON o.id = m.lead_organisation_id
    LEFT JOIN status_update u ON u.id = (SELECT x.id FROM status_update x WHERE x.measure_id = m.id AND x.as_of <= :d
                                         ORDER BY x.as_of DESC, x.id DESC LIMIT 1)
    LEFT JOIN status st ON st.code = coalesce(u.status_code, 'onbekend')
    LEFT JOIN deadline_change c ON c.id = (SELECT y.id FROM deadline_change y WHERE y.measure_id = m.id AND y.decided_on <= :d
                                           ORDER BY y.decided_on DESC, y.id DESC LIMIT 1)
    LEFT JOIN source_document lb ON lb.id = m.lead_basis_document_id
    LEFT JOIN source_document cb ON cb.id = m.co_owners_basis_document_id
    LEFT JOIN source_document sd ON sd.id = m.source_document_id
    WHERE m.announced_on <= :d ORDER BY m.code"""
OPEN_DATA_SIDE = [
    """SELECT mt.measure_id, sc.code, t.code FROM measure_theme mt JOIN theme t ON t.id = mt.theme_id
       JOIN theme_scheme sc ON sc.id = t.scheme_id""",
    "SELECT c.measure_id, o.abbreviation FROM measure_co_owner c JOIN organisation o ON o.id = c.organisation_id",
    """SELECT b.measure_id, b.amount, b.kind, b.per, b.from_year, b.to_year, b.funding, b.quote, d.key FROM budget_line b
       LEFT JOIN source_document d ON d.id = b.document_id ORDER BY b.id""",
]
OPEN_DATA_HEADER = CSV_COLUMNS
OPEN_DATA_INDICATORS = [
    """SELECT i.id, i.measure_id, i.code, i.name, i.unit, i.direction, i.baseline_value, i.baseline_on,
       i.baseline_precision, i.baseline_basis, bd.key, bd.citation, i.target_value, i.target_on, i.target_precision,
       i.basis, td.key, td.citation, i.stated_on FROM indicator i
       LEFT JOIN source_document bd ON bd.id = i.baseline_document_id
       LEFT JOIN source_document td ON td.id = i.basis_document_id
       WHERE i.stated_on <= :d ORDER BY i.measure_id, i.id""",
    """SELECT x.indicator_id, x.id, x.measured_on, x.measured_precision, x.value, x.note, d.key, d.citation,
       x.evidence_url, x.evidence_quote, x.recorded_by FROM indicator_measurement x
       LEFT JOIN source_document d ON d.id = x.evidence_document_id
       WHERE x.measured_on <= :d ORDER BY x.measured_on, x.id""",
]


def _open_data_indicators(conn: Connection, day: date) -> dict[int, list]:
    """Per measure its indicators as of `day` (the export's serialisation of the facts read here)."""
    from measures.register.indicators import IndicatorFact, MeasurementFact

    measured: dict[int, list] = {}
    for iid, xid, on, precision, value, note, key, citation, url, quote, by in q(conn, OPEN_DATA_INDICATORS[1], d=day):
        measured.setdefault(iid, []).append(
            MeasurementFact(xid, _day(on), precision, Decimal(str(value)), note, key, citation, url, quote, by)
        )
    found: dict[int, list] = {}
    for row in q(conn, OPEN_DATA_INDICATORS[0], d=day):
        iid, mid = row[0], row[1]
        found.setdefault(mid, []).append(
            IndicatorFact(
                iid, row[2], row[3], row[4], row[5],
                Decimal(str(row[6])) if row[6] is not None else None, _day(row[7]) if row[7] else None, row[8], row[9],
                row[10], row[11], Decimal(str(row[12])), _day(row[13]) if row[13] else None, row[14], row[15], row[16],
                row[17], _day(row[18]), tuple(measured.get(iid, ())),
            )
        )  # fmt: skip
    return found


def open_data_rows(conn: Connection, day: date) -> list[list]:
    """The open-data CSV's rows as of `day` (today: no field edit can lie after it, so nothing is
    rolled back), in the CSV's column order; numbers stay numbers."""
    themes: dict[int, list[str]] = {}
    for mid, scheme, code in q(conn, OPEN_DATA_SIDE[0]):
        themes.setdefault(mid, []).append(f"{scheme}:{code}")
    co: dict[int, list[str]] = {}
    for mid, abbreviation in q(conn, OPEN_DATA_SIDE[1]):
        co.setdefault(mid, []).append(abbreviation)
    budget: dict[int, list[dict]] = {}
    for mid, amount, kind, per, from_year, to_year, funding, quote, key in q(conn, OPEN_DATA_SIDE[2]):
        line = {"amount": f"{float(amount):.2f}", "kind": kind, "per": per, "from_year": from_year, "to_year": to_year}
        line |= {"funding": funding, "quote": quote, **({"document": key} if key else {})}
        budget.setdefault(mid, []).append(line)

    def basis(quote, citation, reference):
        return f"{quote} ({citation or reference})" if quote else ""

    indicators = _open_data_indicators(conn, day)
    rows = []
    for r in q(conn, OPEN_DATA_SEEK, d=day):
        mid = r[0]
        deadline = _day(r[10])
        measured = [i.as_dict(deadline, r[11] if deadline else "dag") for i in indicators.get(mid, [])]
        rows.append(
            [
                r[1],
                r[2],
                r[3],
                r[4],
                _text(_day(r[5])),
                "; ".join(sorted(themes.get(mid, []))),
                r[6] or (JOINT_LEAD if r[7] else ""),
                "; ".join(sorted(co.get(mid, []))),
                r[8],
                r[9],
                _text(deadline),
                r[11] if deadline else "",
                r[12] or "onbekend",
                basis(r[14], r[15], r[16]),
                basis(r[17], r[18], r[19]),
                r[13],
                json.dumps(budget.get(mid, []), ensure_ascii=False),
                json.dumps(measured, ensure_ascii=False) if measured else "",
                r[20] or "",
                r[21],
                r[22],
                r[23],
            ]
        )
    return rows
