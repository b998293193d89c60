"""The whole permission matrix: every role against every action, on an own measure, another
organisation's measure, and anonymously. Anonymous goes to login; forbidden is 403."""

from datetime import date

import pytest
from sqlmodel import func, select

from models import AuditRecord, DeadlineChange, Measure, StatusUpdate, User

ROLES = ("admin", "programmacoordinator", "coordinator", "rapporteur", "lezer")


@pytest.fixture
def world(session, create_organisation, create_measure, create_user):
    """Two organisations, a measure each, and one account per role in the first organisation."""
    create_organisation("Politie")
    create_organisation("OM")
    own = create_measure("OWN-1", "Eigen maatregel", lead="Politie", status="gepland")
    co_owned = create_measure("CO-1", "Mede-eigen maatregel", lead="OM", co_owners=["Politie"], status="gepland")
    other = create_measure("OTHER-1", "Maatregel van het OM", lead="OM", status="gepland")
    users = {role: create_user(role, "Politie") for role in ROLES}
    return {"own": own, "co_owned": co_owned, "other": other, "users": users}


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def _post_status(client, measure):
    return client.post(
        f"/maatregelen/{measure.code}/status",
        data={
            "status": "in_uitvoering",
            "as_of": "2020-01-01",
            "note": "",
            "evidence_document": "",
            "version": str(measure.version),
        },
    )


def _post_deadline(client, measure):
    return client.post(
        f"/maatregelen/{measure.code}/deadline",
        data={"new_deadline": "2030-01-01", "reason": "Nieuwe planning", "version": str(measure.version)},
    )


def _post_edit(client, measure):
    return client.post(
        f"/maatregelen/{measure.code}/bewerken",
        data={
            "title": "Gewijzigd",
            "lead": "Politie",
            "version": str(measure.version),
            "budget-0-kind": "structureel",
            "budget-0-per": "jaar",
        },
    )


# (action, how to do it, which table grows when it succeeds)
WRITES = {
    "status": (_post_status, StatusUpdate),
    "deadline": (_post_deadline, DeadlineChange),
    "edit": (_post_edit, AuditRecord),
}
# Who may write on which measure ("own" = their organisation leads it, "co_owned", "other").
ALLOWED = {
    ("status", "programmacoordinator"): {"own", "co_owned", "other"},
    ("status", "coordinator"): {"own", "co_owned"},
    ("deadline", "programmacoordinator"): {"own", "co_owned", "other"},
    ("deadline", "coordinator"): {"own", "co_owned"},
    ("edit", "programmacoordinator"): {"own", "co_owned", "other"},
}


@pytest.mark.parametrize("target", ["own", "co_owned", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", WRITES)
def test_measure_write_matrix(client, auth, session, world, action, role, target):
    post, table = WRITES[action]
    measure = world[target]
    auth.login(world["users"][role].email)
    before = _count(session, table)
    response = post(client, measure)
    if target in ALLOWED.get((action, role), set()):
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert _count(session, table) > before
    else:
        assert response.status_code == 403
        assert _count(session, table) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", WRITES)
def test_measure_forms_matrix(client, auth, world, action, role):
    paths = {"status": "status", "deadline": "deadline", "edit": "bewerken"}
    auth.login(world["users"][role].email)
    for target in ("own", "other"):
        response = client.get(f"/maatregelen/{world[target].code}/{paths[action]}")
        expected = 200 if target in ALLOWED.get((action, role), set()) else 403
        assert response.status_code == expected, (target, response.status_code)


@pytest.mark.parametrize("action", WRITES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_measure_writes_go_to_login(client, session, world, action, method):
    paths = {"status": "status", "deadline": "deadline", "edit": "bewerken"}
    path = f"/maatregelen/OWN-1/{paths[action]}"
    before = _count(session, WRITES[action][1])
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert _count(session, WRITES[action][1]) == before


PAGES = {
    "/maatregelen/nieuw": {"programmacoordinator"},
    "/maatregelen/import": {"programmacoordinator", "coordinator"},
    "/beheer/gebruikers": {"admin"},
    "/mijn-maatregelen": set(ROLES),
}


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(client, auth, world, path, role):
    auth.login(world["users"][role].email)
    assert client.get(path).status_code == (200 if role in PAGES[path] else 403)


@pytest.mark.parametrize("path", [*PAGES, "/beheer/gebruikers/1/actief"])
def test_anonymous_pages_go_to_login(client, path):
    response = client.post(path) if path.endswith("actief") else client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
def test_new_measure_matrix(client, auth, session, world, role):
    auth.login(world["users"][role].email)
    response = client.post(
        "/maatregelen/nieuw",
        data={"code": "NEW-1", "title": "Nieuw", "lead": "", "budget-0-kind": "structureel", "budget-0-per": "jaar"},
    )
    created = session.exec(select(Measure).where(Measure.code == "NEW-1")).first() is not None
    assert (response.status_code, created) == ((302, True) if role == "programmacoordinator" else (403, False))


@pytest.mark.parametrize("role", ROLES)
def test_user_management_matrix(client, auth, session, world, role):
    auth.login(world["users"][role].email)
    target = world["users"]["lezer"] if role != "lezer" else world["users"]["rapporteur"]
    response = client.post(f"/beheer/gebruikers/{target.id}/actief")
    session.refresh(target)
    if role == "admin":
        assert response.status_code == 302 and target.active is False
    else:
        assert response.status_code == 403 and target.active is True
    response = client.post(
        "/beheer/gebruikers",
        data={
            "email": "nieuw@example.nl",
            "name": "Nieuw",
            "role": "lezer",
            "organisation": "",
            "password": "een lang genoeg wachtwoord",
        },
    )
    exists = session.exec(select(User).where(User.email == "nieuw@example.nl")).first() is not None
    assert exists == (role == "admin")


@pytest.mark.smoke
def test_rapporteur_never_changes_a_status(client, auth, session, world):
    auth.login(world["users"]["rapporteur"].email)
    for measure in (world["own"], world["other"]):
        assert _post_status(client, measure).status_code == 403
    assert {m.status_code for m in session.exec(select(Measure)).all()} == {"gepland"}
    assert session.exec(select(func.max(StatusUpdate.as_of))).one() == date(2018, 5, 25)
