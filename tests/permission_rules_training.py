"""Permission expectations for the training routes, merged into tests/test_permissions.py.

GET: endpoint -> {kind of user: expected outcome of a GET} (see test_permissions for the kinds and outcomes).
url_values(world): extra URL parameters for those routes (create what they point at, and commit).
post_cases(world): endpoint -> (url, form data, {kind: refusal outcome}, (allowed kind, status) or None).
"""

from __future__ import annotations

from tests.portal_helpers import KINDS

SIGNIN = "sign-in"  # as in test_permissions: a redirect to sign in and back


def _row(anonymous, owner, other_staff, supervisor, unrelated_supervisor, recruiter, admin) -> dict:
    return dict(
        zip(KINDS, (anonymous, owner, other_staff, supervisor, unrelated_supervisor, recruiter, admin), strict=True)
    )


POST_ONLY = {kind: 405 for kind in KINDS}

# {person_id} is the owner, whom the supervisor supervises.
GET: dict[str, dict] = {
    "training.mine": _row(SIGNIN, 200, 200, 200, 200, 200, 200),
    "training.person": _row(SIGNIN, "->/training", 404, 200, 404, 404, 200),
    "training.add_record": POST_ONLY,
    "training.registration": POST_ONLY,
    "training.dbs": POST_ONLY,
    "training.add_record_for": POST_ONLY,
}


def url_values(world) -> dict:
    """Extra URL parameters for the training routes (person_id is the owner's, set by test_permissions)."""
    return {}


def _completion(subject: str = "fire-safety") -> dict:
    return {
        "subject": subject,
        "completed_on-day": "3",
        "completed_on-month": "3",
        "completed_on-year": "2025",
        "note": "Face-to-face session",
    }


def post_cases(world) -> dict:
    """Refusal cases for the training POST routes."""
    not_admin = {kind: 403 for kind in ("owner", "other_staff", "supervisor", "unrelated_supervisor", "recruiter")}
    return {
        # Everyone signed in records their own training: only the anonymous visitor is refused. (The controls
        # use other_staff: an earlier control resets the owner's password, which signs the owner out.)
        "training.add_record": ("/training/records", _completion(), {}, ("other_staff", 302)),
        "training.registration": (
            "/training/registration",
            {
                "body": "NMC",
                "number": "12A3456E",
                "renewal_on-day": "31",
                "renewal_on-month": "1",
                "renewal_on-year": "2030",
            },
            {},
            ("other_staff", 302),
        ),
        "training.dbs": (
            "/training/dbs",
            {"checked_on-day": "3", "checked_on-month": "3", "checked_on-year": "2025", "level": "enhanced"},
            {},
            ("other_staff", 302),
        ),
        # Only administrators add records for someone else; supervisors see a supervisee's training read-only.
        "training.add_record_for": (
            f"/people/{world.id('owner')}/training/records",
            _completion("resuscitation"),
            not_admin,
            ("admin", 302),
        ),
    }
