"""The report queue: one rendering at a time, claimed in the database, generic errors, stale jobs failed."""

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from measures.reports import build as reports
from measures.reports import jobs as report_queue
from models import ReportEdition, ReportJob
from models.db import session_scope
from tests.conftest import PASSWORD

pytestmark = pytest.mark.postgres  # jobs claimed in the database; concurrent workers and unique numbers


def _fake_produce(log: list, lock: threading.Lock, fail: bool = False):
    """A stand-in for the renderer: takes the next number, 'renders' a while, then inserts the edition."""
    running = {"now": 0}

    def produce(app, *, as_of, since, scheme, generated_by, save, progress):
        with lock:
            running["now"] += 1
            log.append(running["now"])
        try:
            with session_scope(app) as session:
                number = reports.next_edition_number(session)
            progress(45, "PDF opmaken")
            time.sleep(0.05)
            if fail:
                raise RuntimeError(
                    "(sqlite3.IntegrityError) UNIQUE constraint failed: report_edition.number [SQL: INSERT …]"
                )
            edition = ReportEdition(
                number=number,
                as_of=as_of,
                generated_by=generated_by,
                snapshot="{}",
                snapshot_sha256="0" * 64,
                pdf=b"%PDF",
                pdf_sha256="0" * 64,
            )
            with session_scope(app) as session:
                session.add(edition)
                session.flush()
                session.expunge(edition)
            return b"%PDF", {}, edition
        finally:
            with lock:
                running["now"] -= 1

    return produce


def _enqueue(app, n: int, who: str = "p") -> list[int]:
    ids = []
    with session_scope(app) as session:
        for i in range(n):
            job = report_queue.enqueue(
                session, as_of=date(2019, 12, 5), since=None, scheme="", requested_by=f"{who}{i}", now=datetime.now(UTC)
            )
            ids.append(job.id)
    return ids


def test_parallel_workers_render_one_job_at_a_time_with_unique_numbers(app, monkeypatch):
    concurrency, lock = [], threading.Lock()
    monkeypatch.setattr(reports, "produce", _fake_produce(concurrency, lock))
    _enqueue(app, 6)
    workers = [threading.Thread(target=report_queue.run_queue, args=(app,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    report_queue.run_queue(app)  # a worker that lost a claim leaves the rest to the next kick
    with session_scope(app) as session:
        jobs = session.exec(select(ReportJob)).all()
        numbers = session.exec(select(ReportEdition.number)).all()
    assert max(concurrency) == 1
    assert {job.status for job in jobs} == {"klaar"} and sorted(numbers) == [1, 2, 3, 4, 5, 6]
    assert all(job.running is None for job in jobs)


def test_a_second_claim_waits_while_one_job_renders(app):
    _enqueue(app, 2)
    now = datetime.now(UTC)
    first = report_queue.claim_next(app, now)
    assert first is not None and report_queue.claim_next(app, now) is None


def test_a_failed_job_shows_a_generic_message_and_logs_the_detail(app, client, create_user, monkeypatch, caplog):
    monkeypatch.setattr(reports, "produce", _fake_produce([], threading.Lock(), fail=True))
    (job_id,) = _enqueue(app, 1)
    report_queue.run_queue(app)
    create_user("lezer", email="l@jenv.nl")
    client.post("/login", data={"email": "l@jenv.nl", "password": PASSWORD})
    for path in (f"/rapportages/taken/{job_id}", "/rapportages"):
        html = client.get(path).get_data(as_text=True)
        assert "UNIQUE" not in html and "SQL" not in html and "De fout is vastgelegd" in html
    assert "UNIQUE constraint failed" in caplog.text


def test_a_job_whose_worker_died_is_failed_after_the_timeout(app, client, create_user):
    (job_id,) = _enqueue(app, 1)
    now = datetime.now(UTC)
    assert report_queue.claim_next(app, now - timedelta(hours=1)) == job_id  # then the worker is killed
    create_user("lezer", email="l@jenv.nl")
    client.post("/login", data={"email": "l@jenv.nl", "password": PASSWORD})
    assert "onderbroken" in client.get("/rapportages").get_data(as_text=True)
    with session_scope(app) as session:
        job = session.get(ReportJob, job_id)
        assert job.status == "mislukt" and job.running is None
    _enqueue(app, 1, who="q")
    assert report_queue.claim_next(app, now) is not None  # the queue is free again


def test_a_user_may_have_only_a_few_jobs_in_the_queue(app, client, create_user, monkeypatch):
    monkeypatch.setattr(report_queue, "kick", lambda app: None)  # nothing renders: the jobs stay open
    user = create_user("programmacoordinator", email="p@jenv.nl")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    for _ in range(report_queue.MAX_OPEN_PER_USER):
        assert client.post("/rapportages", data={"as_of": "2019-12-05"}).status_code == 302
    refused = client.post("/rapportages", data={"as_of": "2019-12-05"})
    assert refused.status_code == 429 and "in de wachtrij" in refused.get_data(as_text=True)


@pytest.fixture(autouse=True)
def _no_background_threads(app):
    app.config["REPORT_SYNC"] = True
