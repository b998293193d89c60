"""The APScheduler process: a BlockingScheduler with the daily check job, and nothing else.

Start it as its own process (`flask --app app run-scheduler`), never inside web workers or the
reloader. The job is safe to run twice: the run's unique key ('dagelijks:<date>') lets only the
first process through, even when two schedulers are started by mistake.
"""

import logging
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from measures.checks.notifications import send_digests
from measures.checks.rules import Thresholds, run_checks
from measures.core import clock
from models.db import session_scope

log = logging.getLogger(__name__)


def daily_check(app: Flask, now: datetime | None = None):
    """Run today's checks once, persist the flags and send the digests."""
    now = now or clock.now()
    with app.app_context(), session_scope(app) as session:
        run, _evaluation = run_checks(
            session,
            now=now,
            thresholds=Thresholds.from_config(app.config),
            trigger="scheduler",
            persist=True,
            run_key=f"dagelijks:{clock.day_of(now).isoformat()}",
            notify=lambda s, flags: send_digests(app, s, flags),
        )
        if run is not None:
            log.info(
                "Dagelijkse controle: %d signaleringen, %d nieuw, %d opgelost",
                run.flags_found,
                run.flags_opened,
                run.flags_resolved,
            )
        return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    hour, minute = (int(part) for part in app.config["CHECK_TIME"].split(":"))
    scheduler = BlockingScheduler(timezone=app.config["BABEL_DEFAULT_TIMEZONE"])
    scheduler.add_job(
        daily_check,
        CronTrigger(hour=hour, minute=minute, timezone=app.config["BABEL_DEFAULT_TIMEZONE"]),
        args=[app],
        id="dagelijkse-controle",
        coalesce=True,
        misfire_grace_time=int(app.config["CHECK_MISFIRE_GRACE_SECONDS"]),
        max_instances=1,
        replace_existing=True,
    )
    return scheduler
