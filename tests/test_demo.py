"""Demo data: every role, a team at mixed stages, only into an empty non-production database."""

from __future__ import annotations

from datetime import date

import pytest

from competency_portal.models import Role
from competency_portal.services import demo, people
from competency_portal.services.signoff import verified_levels


def test_demo_data_covers_every_role_and_mixed_stages(runner, seeded):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0 and "password for all: portal-demo-2026" in result.output
    roles = set()
    for line in result.output.splitlines()[1:]:
        user = people.find_by_email(seeded, line.split()[0])
        roles |= user.roles
    assert roles == set(Role)
    verified = [len(verified_levels(seeded, people.find_by_email(seeded, email).id)) for _, email, *_ in demo.SUPERVISEES]
    assert verified[0] > verified[1] > verified[2] > verified[3] == 0
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_demo_data_is_never_added_twice_or_in_production(runner, seeded):
    runner.invoke(args=["demo", "seed"])
    assert "already has people" in runner.invoke(args=["demo", "seed"]).output
    with pytest.raises(demo.DemoRefused, match="never written in production"):
        demo.seed(seeded, date(2026, 11, 20), "production")
