"""A child process for the fault tests: starts a long write, signals halfway, and waits to be killed.

python -m tests.fault_child import|report DATABASE_URL MARKER_FILE
"""

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, select

from app import create_app
from measures.register import bulk, services
from measures.reports import build as reports
from models import Measure, User
from models.db import get_engine


def main() -> None:
    what, url, marker = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "fault-test", "TESTING": True})
    if what == "import":
        original = services.record_status
        calls = {"n": 0}

        def slow_record_status(**kwargs):
            calls["n"] += 1
            if calls["n"] == 50:  # halfway through the 100 rows: tell the parent, then hang
                marker.write_text("halfway")
                time.sleep(600)
            return original(**kwargs)

        bulk.services.record_status = slow_record_status
        with app.app_context(), Session(get_engine(app)) as session:
            user = session.exec(select(User)).first()
            codes = session.exec(select(Measure.code).order_by(Measure.code)).all()
            rows = [
                {
                    "code": codes[i % len(codes)],
                    "status": "in_uitvoering",
                    "stand_per": date(2025, 1, 1 + i % 28).isoformat(),
                    "toelichting": f"rij {i}",
                }
                for i in range(100)
            ]
            result = bulk.import_statuses(session=session, rows=rows, user=user, now=datetime.now(UTC))
            if result.ok:
                session.commit()
    else:
        original = reports.render_pdf

        def slow_render_pdf(html, app=None):
            pdf = original(html, app)
            marker.write_text("halfway")  # the PDF exists in memory, nothing is stored yet
            time.sleep(600)
            return pdf

        reports.render_pdf = slow_render_pdf
        # A peildatum before the programme: a short report, since the kill comes after the rendering anyway.
        reports.produce(app, as_of=date(2018, 1, 1), since=None, scheme="", generated_by="fault", save=True)


if __name__ == "__main__":
    main()
