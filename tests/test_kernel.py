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
