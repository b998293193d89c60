"""Mixed reads and writes by 20 users: coordinators update their own measures through the API,
everyone reads the pages. Every acknowledged write (HTTP 201) is written to a ledger file, so the
orchestrator can check that none was lost."""

import json
import os
import random

from locust import HttpUser, between, task

USERS = json.loads(open(os.environ["MM_LOAD_USERS"], encoding="utf-8").read())
LEDGER = os.environ["MM_LOAD_LEDGER"]


class Coordinator(HttpUser):
    wait_time = between(0.05, 0.3)

    def on_start(self):
        self.me = random.choice(USERS)
        self.headers = {"Authorization": f"Bearer {self.me['token']}"}

    @task(4)
    def overview(self):
        self.client.get("/", name="/")

    @task(4)
    def filtered_list(self):
        self.client.get("/maatregelen?theme=contouren:b&status=in_uitvoering", name="/maatregelen?…")

    @task(3)
    def detail(self):
        self.client.get(f"/maatregelen/{random.choice(self.me['measures'])}", name="/maatregelen/[code]")

    @task(2)
    def api_list(self):
        self.client.get("/api/v1/measures?pageSize=50", headers=self.headers, name="/api/v1/measures")

    @task(3)
    def write_status(self):
        code = random.choice(self.me["measures"])
        # A write names the version it builds on (without one: 428): read the measure's ETag first.
        etag = self.client.get(f"/api/v1/measures/{code}", headers=self.headers, name="/api/v1/measures/[code]")
        body = {
            "status": "in_uitvoering",
            "as_of": "2026-01-15",
            "note": f"Belastingtest {random.random():.12f}",
            "evidence_url": "https://example.nl/brief",
        }
        with self.client.post(
            f"/api/v1/measures/{code}/status-updates",
            json=body,
            headers={**self.headers, "If-Match": etag.headers.get("ETag", "")},
            name="POST status-updates",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                with open(LEDGER, "a", encoding="utf-8") as ledger:
                    ledger.write(json.dumps({"code": code, "note": body["note"], "id": response.json()["id"]}) + "\n")
                response.success()
            elif response.status_code == 412:
                # Another user wrote to this measure between our read and our write: refused, and
                # correctly so (nothing overwritten). Counted, not a failure.
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
