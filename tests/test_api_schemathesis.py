"""schemathesis over every operation of the OpenAPI document: no 5xx, and every answer keeps to the document.

Generated requests (paths, query parameters, their combinations) are sent to the app in process,
with an administrator's token (who may see everyone, so most answers are full ones), a staff
member's (who sees only themself, so most answers about others are 404s), a recruiter's (their
vacancies; 403 elsewhere), and a reporting tool's client token (frameworks and figures, and 403 for
any person's record).
"""

from __future__ import annotations

from datetime import datetime, timezone

import schemathesis
from hypothesis import HealthCheck, given, settings

from competency_portal.extensions import db
from competency_portal.models import User
from competency_portal.services import api_clients, api_tokens

EXAMPLES = 25  # per operation, per token


def _secrets(world) -> dict[str, str]:
    now = datetime.now(timezone.utc)
    admin, owner = db.session.get(User, world.id("admin")), db.session.get(User, world.id("owner"))
    made = {
        "admin": api_tokens.make(
            db.session, admin, "schemathesis", ["frameworks", "people", "figures"], 30, now
        ).secret,
        "owner": api_tokens.make(db.session, owner, "schemathesis", ["frameworks", "people"], 30, now).secret,
    }
    registered = api_clients.register(db.session, admin, "schemathesis", ["frameworks", "figures"], now)
    made["client"] = api_clients.issue(db.session, registered.client.client_id, registered.secret, None, now).token
    db.session.commit()
    return made


def test_every_operation_answers_as_its_document_says(app, world):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    secrets = _secrets(world)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11, [op.label for op in operations]
    for operation in operations:
        for kind, secret in secrets.items():
            try:
                _check(operation, secret)()
            except Exception as error:  # name the operation and the token's person in the failure
                raise AssertionError(f"{operation.label} as {kind}: {error}") from error


def _check(operation, secret: str):
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {secret}"})

    return check
