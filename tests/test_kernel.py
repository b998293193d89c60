"""The shared kernel: one clock with the register's day, and the rules the code itself keeps."""

from datetime import UTC, date, datetime

import pytest

from measures.core import clock


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 1, 15, 23, 30, tzinfo=UTC), date(2026, 1, 16)),  # 00:30 in Amsterdam (winter)
        (datetime(2026, 7, 15, 22, 30, tzinfo=UTC), date(2026, 7, 16)),  # 00:30 in Amsterdam (summer)
        (datetime(2026, 7, 15, 21, 59, tzinfo=UTC), date(2026, 7, 15)),
    ],
)
def test_the_registers_day_is_amsterdams(moment, day):
    assert clock.day_of(moment) == day


def test_today_follows_the_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2027, 1, 1)


def test_the_end_of_a_day_is_midnight_in_amsterdam():
    assert clock.end_of_day(date(2026, 7, 15)) == datetime(2026, 7, 15, 22, 0, tzinfo=UTC)


# --- one writer, one judge ---------------------------------------------------------------------------

import ast  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from models.user import ROLES  # noqa: E402

MEASURES = Path(__file__).resolve().parents[1] / "measures"
VIEW_MODULES = sorted(
    p
    for p in MEASURES.rglob("*.py")
    if p.name in ("views.py", "edit_views.py") or p.parts[-2:] == ("api", "resources.py")
)
WRITES = {"add", "add_all", "delete", "merge", "flush"}


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def test_there_are_view_modules_to_check():
    assert len(VIEW_MODULES) >= 7, VIEW_MODULES


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(MEASURES)))
def test_a_view_writes_only_through_a_service(path):
    """A view reads, calls a service and commits or rolls back; it never adds, deletes or flushes."""
    writes = [
        f"{path.name}:{node.lineno} .{node.func.attr}()"
        for node in _calls(path)
        if node.func.attr in WRITES
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"db", "session", "get_session"}
    ]
    assert writes == []


def test_only_the_judge_names_roles():
    """Who may do what is decided in core/permissions.py: no other module compares a role by name.
    (Account management lists the roles to choose from; that is data, not a decision.)"""
    allowed = {MEASURES / "core" / "permissions.py", MEASURES / "accounts" / "forms.py"}
    found = []
    for path in MEASURES.rglob("*.py"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                names = [n for n in [node.left, *node.comparators] if isinstance(n, ast.Constant) and n.value in ROLES]
                if names:
                    found.append(f"{path.relative_to(MEASURES)}:{node.lineno}")
    assert found == []


# --- one definition per term -------------------------------------------------------------------------

from measures.register.terms import is_overdue  # noqa: E402

TEMPLATES = MEASURES.parent / "templates"
TERMS = MEASURES / "register" / "terms.py"
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _named(node, name: str) -> bool:
    """Return whether a node is `x.name` or `x["name"]`."""
    if isinstance(node, ast.Attribute):
        return node.attr == name
    return isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == name


def test_overdue_is_an_open_measure_past_its_deadline():
    day = date(2020, 1, 1)
    assert is_overdue(date(2019, 12, 31), is_open=True, on=day)
    assert not is_overdue(date(2019, 12, 31), is_open=False, on=day)
    assert not is_overdue(date(2020, 1, 1), is_open=True, on=day)
    assert not is_overdue(None, is_open=True, on=day)
    # The report's snapshot holds ISO strings; the one definition compares them the same way.
    assert is_overdue("2019-12-31", is_open=True, on="2020-01-01")


def test_the_closed_statuses_are_codes_from_the_status_table(session, vocabulary):
    # Codes, not rows: `status in closed` must hold for gerealiseerd (a set of rows once made every
    # closed measure with a passed deadline "verstreken" in the list).
    from measures.register.terms import closed_status_codes

    assert closed_status_codes(session) == {"gerealiseerd", "beeindigd"}


DAYS = re.compile(r"as_of|today|day|now")


def _name_of(node) -> str:
    return ast.unparse(node)


def test_overdue_has_one_definition():
    """Only register/terms.py compares a deadline with the day in view (today, as of); every page,
    check and report asks it. (A deadline compared with an update's date is another question.)"""
    found = []
    for path in MEASURES.rglob("*.py"):
        if path == TERMS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(isinstance(op, ORDERING) for op in node.ops):
                operands = [node.left, *node.comparators]
                if any(_named(n, "deadline") for n in operands) and any(DAYS.search(_name_of(n)) for n in operands):
                    found.append(f"{path.relative_to(MEASURES)}:{node.lineno}")
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"deadline\s*[<>]=?\s|status_code\s+(not\s+)?in\s*\(", line):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert found == []


def test_stalled_has_one_definition():
    """Whether a signal means 'stalled' is asked of checks.rules.is_stalled, not read off its level."""
    found = []
    for path in MEASURES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            tests = []
            if isinstance(node, ast.If | ast.IfExp):
                tests.append(node.test)
            elif isinstance(node, ast.comprehension):
                tests.extend(node.ifs)
            elif isinstance(node, ast.BoolOp):
                tests.extend(node.values)
            tests += [t.operand for t in tests if isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not)]
            if any(_named(t, "level") for t in tests):
                found.append(f"{path.relative_to(MEASURES)}:{node.lineno}")
    assert found == []
