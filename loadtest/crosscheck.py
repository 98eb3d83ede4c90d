"""With two or more servers: does the portal behave the same whichever server answers?

Run while the load is on, by people kept out of it (`database.Cast.checkers`), pinning each request
to a chosen server:

- sessions: signed in on the first server, pages and a form work on the second; signing out on
  the second ends the session on both (the old cookie, sent again, is turned away);
- lock-outs: failed sign-ins for one account, alternating between servers, lock it after exactly
  the account limit (as on one server), then both refuse even the right password, and the counts
  are in this run's Redis keys, not the database's fallback table;
- notifications: evidence submitted on the first server is in the supervisor's notifications on
  the second, and the sign-off made there is in the owner's on the first;
- uploads: the attachment uploaded through the first server downloads through the second, for its
  owner and the supervisor, with the same SHA-256; and, after the load, attachments acknowledged
  under load download through every server with the SHA-256 the ledger holds.

The emails (`expected_emails` against the mailbox) are checked once the worker has caught up.
Each check returns what went wrong; an empty list is a pass.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from loadtest.client import Client, Stats, UnexpectedResponse, redirect_path
from loadtest.database import PASSWORD, Cast
from loadtest.journeys import Ledger, attachment, decision_form, evidence_form

WRONG = "The email address or password is not right"
REFUSED = "Too many failed attempts"
_ITEMS = re.compile(r'name="items" type="checkbox" value="(\d+)"')
_DOWNLOAD = re.compile(r'href="(/portfolio/evidence/\d+/attachments/\d+)"')
PHRASES = {"signed_off": "signed off your evidence", "returned": "returned your evidence for changes"}


@dataclass
class Results:
    """Each check's problems by name (in the order run), and the emails the checks' own actions cause."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    emails: Counter = field(default_factory=Counter)  # (to, message) -> how many

    def run(self, name: str, check: Callable[[], list[str]]) -> None:
        """Run one check; an unexpected answer or exception is that check's failure."""
        try:
            self.problems[name] = check()
        except UnexpectedResponse as exc:
            self.problems[name] = [str(exc)]
        except Exception as exc:  # noqa: BLE001 - any failure of a check is reported as that check's
            self.problems[name] = [f"{exc.__class__.__name__}: {exc}"]


def sessions(urls: list[str], email: str) -> list[str]:
    """Signed in on one server, used on another, signed out there: gone everywhere."""
    first, second = urls[0], urls[1]
    browser = Client(first, Stats(), who=email)
    browser.sign_in(email, PASSWORD)
    elsewhere = browser.pinned(second)
    elsewhere.get("/dashboard")  # a page on the other server, with this session
    token_from = elsewhere.get("/sign-out").text  # a form token made by the other server ...
    browser.post("/notifications/read", {}, token_from=token_from)  # ... is good on the first
    saved = browser.http.cookies.copy()
    elsewhere.post("/sign-out", {}, token_from=elsewhere.get("/sign-out").text)
    problems = []
    for url in urls:
        replay = Client(url, Stats(), who=email)
        replay.http.cookies = saved.copy()
        answer = replay.get("/dashboard", expect=(200, 302))
        if answer.status_code != 302 or redirect_path(answer) != "/sign-in":
            problems.append(f"the session signed out on {second} still opens /dashboard on {url}")
    return problems


def _attempt(url: str, email: str, password: str) -> tuple[int, str]:
    client = Client(url, Stats(), who=email)
    page = client.get("/sign-in")
    answer = client.post("/sign-in", {"email": email, "password": password}, token_from=page.text, expect=(302, 400))
    return answer.status_code, answer.text


def lock_outs(urls: list[str], email: str, limit: int, counted_in_redis: Callable[[], bool]) -> list[str]:
    """`limit` failures spread over the servers lock the account on all of them, and not one sooner."""
    problems = []
    for n in range(limit):
        url = urls[n % len(urls)]
        status, text = _attempt(url, email, f"wrong guess {n}")
        expected = REFUSED if n == limit - 1 else WRONG
        if status != 400 or expected not in text:
            said = "refused as too many" if REFUSED in text else "answered as a wrong password"
            problems.append(f"failure {n + 1} of {limit}, on {url}: {said}, not {expected!r}")
    for url in urls:
        status, text = _attempt(url, email, PASSWORD)
        if status != 400 or REFUSED not in text:
            problems.append(f"{url} let the right password in while the account was locked out")
    if not counted_in_redis():
        problems.append("the failures were not counted in this run's Redis keys (or the database also counted them)")
    return problems


def notifications_and_uploads(urls: list[str], cast: Cast, results: Results) -> list[str]:
    """Submit on one server, read and decide on another; the upload downloaded through the other too.
    Returns the notifications' problems, and puts the uploads' in `results`."""
    first, second = urls[0], urls[1]
    staff_email, supervisor_email = cast.checkers["staff"], cast.checkers["supervisor"]
    staff = Client(first, Stats(), who=staff_email)
    staff.sign_in(staff_email, PASSWORD)
    page = staff.get("/portfolio/evidence/new").text
    title = f"Cross-server check {secrets.token_hex(4)}"
    data, sha = attachment(title)
    made = staff.post(
        "/portfolio/evidence/new",
        evidence_form(title, [int(i) for i in _ITEMS.findall(page)[:1]]),
        token_from=page,
        files={"attachments": (f"{title}.txt", data, "text/plain")},
    )
    evidence_id = int(redirect_path(made).rsplit("/", 1)[-1])
    shown = staff.get(f"/portfolio/evidence/{evidence_id}").text
    staff.post(f"/portfolio/evidence/{evidence_id}/submit", {}, token_from=shown)
    submitted = f"{cast.names[staff_email]} submitted evidence for sign-off: {title}"
    results.emails[(supervisor_email, submitted)] += 1

    uploads, notes = [], []
    link = _DOWNLOAD.search(shown)
    if link is None:
        uploads.append(f"the evidence page on {first} links to no attachment")
    elif _sha(staff.pinned(second).get(link.group(1)).content) != sha:
        uploads.append(f"the attachment uploaded through {first} downloads through {second} with another SHA-256")
    supervisor = Client(second, Stats(), who=supervisor_email)
    supervisor.sign_in(supervisor_email, PASSWORD)
    if html.escape(submitted) not in supervisor.get("/notifications").text:
        notes.append(f"the submission made on {first} is not in the supervisor's notifications on {second}")
    review = supervisor.get(f"/supervision/evidence/{evidence_id}").text
    if link is not None and _sha(supervisor.get(link.group(1)).content) != sha:
        uploads.append(f"the supervisor's download through {second} differs from the upload through {first}")
    supervisor.post(f"/supervision/evidence/{evidence_id}", decision_form(review, returning=False), token_from=review)
    decided = f"{cast.names[supervisor_email]} {PHRASES['signed_off']}: {title}"
    results.emails[(staff_email, decided)] += 1
    if html.escape(decided) not in staff.get("/notifications").text:
        notes.append(f"the sign-off made on {second} is not in the owner's notifications on {first}")
    results.problems["uploads"] = uploads
    return notes


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def during_load(
    urls: list[str], cast: Cast, limit: int, counted_in_redis: Callable[[], bool], results: Results
) -> Results:
    """The session, lock-out, notification and upload checks, in that order (into `results`)."""
    results.run("sessions", lambda: sessions(urls, cast.checkers["staff"]))
    results.run("lock-outs", lambda: lock_outs(urls, cast.checkers["locked"], limit, counted_in_redis))
    results.run("notifications", lambda: notifications_and_uploads(urls, cast, results))
    results.problems.setdefault("uploads", ["not checked: the notifications check stopped first"])
    return results


def uploads_under_load(urls: list[str], ledger: Ledger, owners: int = 3, each: int = 3) -> list[str]:
    """A few owners' attachments acknowledged under load, downloaded through every server: the right bytes."""
    by_owner: dict[str, list[tuple[int, str]]] = {}
    with ledger.lock:
        for evidence_id, (owner, _title, sha) in ledger.created.items():
            by_owner.setdefault(owner, []).append((evidence_id, sha))
    problems = [] if by_owner else ["not checked: no attachment was acknowledged under load"]
    for owner in random.sample(sorted(by_owner), min(owners, len(by_owner))):
        browser = Client(urls, Stats(), who=owner)
        browser.sign_in(owner, PASSWORD)
        for evidence_id, sha in random.sample(by_owner[owner], min(each, len(by_owner[owner]))):
            for url in urls:
                here = browser.pinned(url)
                link = _DOWNLOAD.search(here.get(f"/portfolio/evidence/{evidence_id}").text)
                if link is None or _sha(here.get(link.group(1)).content) != sha:
                    problems.append(f"evidence {evidence_id}'s attachment, through {url}, is missing or differs")
    return problems


def expected_emails(cast: Cast, ledger: Ledger) -> Counter:
    """The email each acknowledged submission and decision must cause: (to, first line) -> 1."""
    expected: Counter = Counter()
    with ledger.lock:
        for evidence_id in ledger.submitted:
            owner, title, _ = ledger.created[evidence_id]
            expected[(cast.supervisor_of[owner], f"{cast.names[owner]} submitted evidence for sign-off: {title}")] += 1
        for evidence_id, signer, decision in ledger.decisions:
            if evidence_id in ledger.created:
                owner, title, _ = ledger.created[evidence_id]
                expected[(owner, f"{cast.names[signer]} {PHRASES[decision]}: {title}")] += 1
    return expected


def emails(expected: Counter, received: list[tuple[str, str]], strict: bool) -> list[str]:
    """Every expected email arrived once; with `strict` (no errors in the run), and no other."""
    got = Counter(received)
    problems = [f"never arrived: to {to}: {line}" for (to, line), n in expected.items() if got[(to, line)] < n]
    problems += [f"arrived {got[key]} times: to {key[0]}: {key[1]}" for key in expected if got[key] > expected[key]]
    if strict:
        problems += [f"not expected: to {to}: {line}" for (to, line) in got if (to, line) not in expected]
    return problems
