"""Where a notification's target is in the portal: the one place a target becomes a link.

Services name what a notification is about (`about=("evidence", 12)`); this turns that into the
page's path, for the notifications page and (registered by create_app) for emails, which are
built outside any request, as from the command line.
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

# target kind -> (endpoint, the endpoint's id argument, or None for a page of its own)
TARGETS: dict[str, tuple[str, str | None]] = {
    "evidence": ("evidence.show", "evidence_id"),
    "review": ("supervision.review", "evidence_id"),
    "queue": ("supervision.queue", None),
    "sharing": ("evidence.sharing", None),
    "appraisal": ("appraisal.show", "appraisal_id"),
    "job": ("main.job", "job_id"),
    "vacancy": ("recruitment.vacancy", "vacancy_id"),
}


def target_url(kind: str | None, target_id: int | None) -> str | None:
    """The path of the page a target names, or None for none (or a kind this portal no longer has)."""
    if kind not in TARGETS:
        return None
    endpoint, argument = TARGETS[kind]
    if argument is not None and target_id is None:
        return None
    values = {} if argument is None else {argument: target_id}
    if has_request_context():
        return url_for(endpoint, **values)
    # Outside a request (an email from the command line) there is no host to build against; the path is enough.
    adapter = current_app.url_map.bind("", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)


def notification_links(notes) -> dict[int, str | None]:
    """Each notification's link, by its id."""
    return {n.id: target_url(n.target, n.target_id) for n in notes}
