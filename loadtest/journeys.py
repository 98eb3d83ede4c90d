"""What each simulated person does, and the ledger of every write the server acknowledged.

- staff: sign in, dashboard, portfolio, record evidence with an attachment, link another item,
  submit it to their supervisor;
- supervisors: sign in, the sign-off queue, open the oldest piece, decide (sign off or return);
- recruiters: sign in, vacancies, the vacancy, its shortlist, score an application; the lead also
  enters new applications.
A write counts as acknowledged when the server answers with the redirect that means it was saved;
the ledger keeps what it should have saved, for `verify` to look for afterwards. Every loop is
bounded by a deadline and by a count.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

from loadtest.client import Client, UnexpectedResponse, redirect_path
from loadtest.database import PASSWORD, Cast

MAX_ROUNDS = 10_000  # per simulated person, whatever the duration
_ITEMS = re.compile(r'name="items" type="checkbox" value="(\d+)"')
_QUEUE = re.compile(r'href="/supervision/evidence/(\d+)"')
_VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
_LEVEL = re.compile(r'name="level-(\d+)"')
_OPTION = re.compile(r'<option value="(\d+)"')
_SCORE = re.compile(r'name="score-(\d+)"')


@dataclass
class Ledger:
    """Acknowledged writes (thread-safe): what the database must hold afterwards."""

    created: dict[int, tuple[str, str, str]] = field(
        default_factory=dict
    )  # evidence id -> (owner email, title, attachment sha256)
    links: dict[int, set[int]] = field(default_factory=dict)  # evidence id -> items linked, as last acknowledged
    submitted: set[int] = field(default_factory=set)
    decisions: list[tuple[int, str, str]] = field(default_factory=list)  # (evidence id, signer email, decision)
    scores: dict[tuple[str, int, int], int] = field(
        default_factory=dict
    )  # (scorer email, application, item) -> last value
    applications: list[tuple[int, str]] = field(default_factory=list)  # (vacancy id, candidate email)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        """How many acknowledged writes the ledger holds."""
        with self.lock:
            return (
                len(self.created)
                + len(self.links)
                + len(self.submitted)
                + len(self.decisions)
                + len(self.scores)
                + len(self.applications)
            )


@dataclass
class Pace:
    """When to stop, and how long a person pauses between pages."""

    deadline: float
    think: float

    def more(self, rounds: int) -> bool:
        """Whether a person should go round once more."""
        return rounds < MAX_ROUNDS and time.monotonic() < self.deadline

    def pause(self) -> None:
        """Think for a random while (0 to twice the mean), never past the deadline."""
        if self.think > 0:
            time.sleep(min(random.uniform(0, 2 * self.think), max(0.0, self.deadline - time.monotonic())))


def attachment(tag: str) -> tuple[bytes, str]:
    """A plain-text attachment, different every time, and its SHA-256."""
    data = (
        f"Reflective account {tag}: what I did, what it showed, what I will do next. {secrets.token_hex(16)}\n" * 200
    ).encode()
    return data, hashlib.sha256(data).hexdigest()


def evidence_form(title: str, items: list[int]) -> dict:
    """The new-evidence form: a reflective account linked to `items`."""
    return {
        "title": title,
        "evidence_type": "reflective_account",
        "activity_date-day": "3",
        "activity_date-month": "3",
        "activity_date-year": "2025",
        "description": f"What I did and what it shows ({title}).",
        "items": [str(i) for i in items],
    }


def decision_form(page: str, returning: bool) -> dict:
    """The review form filled in: the highest level for each item and sign off, or no levels and return."""
    version = _VERSION.search(page)
    form = {"version": version.group(1) or version.group(2)}
    for chunk in page.split('name="level-')[1:]:
        item_id = _LEVEL.match('name="level-' + chunk).group(1)
        levels = _OPTION.findall(chunk.split("</select>", 1)[0])
        form[f"level-{item_id}"] = "none" if returning else levels[-1]
    form.update(
        {"decision": "returned", "comment": "Add what the carer said."}
        if returning
        else {"decision": "signed_off", "comment": "Clear and well reflected."}
    )
    return form


def staff(client: Client, email: str, ledger: Ledger, pace: Pace) -> None:
    """Record evidence with an attachment, link one more item, submit; over and over."""
    client.sign_in(email, PASSWORD)
    rounds = 0
    while pace.more(rounds):
        rounds += 1
        client.get("/dashboard")
        pace.pause()
        client.get("/portfolio")
        page = client.get("/portfolio/evidence/new").text
        offered = [int(i) for i in _ITEMS.findall(page)]
        if len(offered) < 2:
            raise UnexpectedResponse(f"{email}: the evidence form offers {len(offered)} items")
        pace.pause()
        title = f"Load {email.split('@')[0]} {rounds}"
        data, sha = attachment(title)
        first = random.sample(offered, 1)
        response = client.post(
            "/portfolio/evidence/new",
            evidence_form(title, first),
            token_from=page,
            files={"attachments": (f"{title}.txt", data, "text/plain")},
        )
        evidence_id = int(redirect_path(response).rsplit("/", 1)[-1])
        with ledger.lock:
            ledger.created[evidence_id] = (email, title, sha)
            ledger.links[evidence_id] = set(first)
        shown = client.get(f"/portfolio/evidence/{evidence_id}").text
        pace.pause()
        edit = client.get(f"/portfolio/evidence/{evidence_id}/edit").text
        both = first + random.sample([i for i in offered if i not in first], 1)
        client.post(f"/portfolio/evidence/{evidence_id}/edit", evidence_form(title, both), token_from=edit)
        with ledger.lock:
            ledger.links[evidence_id] = set(both)
        client.post(f"/portfolio/evidence/{evidence_id}/submit", {}, token_from=shown)
        with ledger.lock:
            ledger.submitted.add(evidence_id)
        pace.pause()


def supervisor(client: Client, email: str, ledger: Ledger, pace: Pace) -> None:
    """Work the queue oldest first: open, choose a level per item, sign off (or now and then return)."""
    client.sign_in(email, PASSWORD)
    rounds = 0
    while pace.more(rounds):
        rounds += 1
        waiting = _QUEUE.findall(client.get("/supervision/").text)
        if not waiting:
            client.get("/team")
            pace.pause()
            continue
        evidence_id = int(waiting[0])
        page = client.get(f"/supervision/evidence/{evidence_id}").text
        pace.pause()
        form = decision_form(page, returning=random.random() < 0.2)
        response = client.post(f"/supervision/evidence/{evidence_id}", form, token_from=page)
        if redirect_path(response) != "/supervision/":
            raise UnexpectedResponse(
                f"{email}: deciding on {evidence_id} went to {redirect_path(response)}, not the queue"
            )
        with ledger.lock:
            ledger.decisions.append((evidence_id, email, form["decision"]))


def recruiter(client: Client, email: str, vacancy, ledger: Ledger, pace: Pace, totp: str | None = None) -> None:
    """Look at the vacancy and its shortlist, score an application; the lead also enters applications."""
    client.sign_in(email, PASSWORD, totp)
    base = f"/recruitment/vacancies/{vacancy.id}"
    lead = email == vacancy.lead
    rounds = 0
    while pace.more(rounds):
        rounds += 1
        client.get("/recruitment")
        client.get(base)
        pace.pause()
        client.get(base + "/shortlist")
        application_id = random.choice(vacancy.applications)
        page = client.get(f"{base}/applications/{application_id}/score").text
        pace.pause()
        values = {int(item): random.randint(0, 3) for item in dict.fromkeys(_SCORE.findall(page))}
        form = {f"score-{item}": str(v) for item, v in values.items()}
        form.update({f"reason-{item}": f"Load test reason {v}" for item, v in values.items()})
        client.post(f"{base}/applications/{application_id}/score", form, token_from=page)
        with ledger.lock:
            for item, value in values.items():
                ledger.scores[(email, application_id, item)] = value
        if lead and rounds % 4 == 0:
            new = client.get(base + "/applications/new").text
            candidate = f"load.{vacancy.id}.{rounds}.{secrets.token_hex(3)}@example.org"
            response = client.post(
                base + "/applications/new",
                {
                    "candidate_name": f"Load Candidate {rounds}",
                    "email": candidate,
                    "supporting_statement": "Five years in a crisis team.",
                },
                token_from=new,
            )
            if redirect_path(response) != base:
                raise UnexpectedResponse(f"{email}: adding an application went to {redirect_path(response)}")
            with ledger.lock:
                ledger.applications.append((vacancy.id, candidate))
        pace.pause()


def people(cast: Cast) -> list[tuple[str, str, object, str | None]]:
    """(kind, email, vacancy or None, authenticator secret or None) for every simulated person."""
    out = [("staff", email, None, None) for email in cast.staff]
    out += [("supervisor", email, None, None) for email in cast.supervisors]
    out += [("recruiter", email, v, cast.totp.get(email)) for v in cast.vacancies for email in (v.lead, v.member)]
    return out


def run_person(
    kind: str, email: str, vacancy, totp: str | None, base_url: str | list[str], stats, ledger: Ledger, pace: Pace
) -> None:
    """One simulated person until the deadline (their requests spread over every server given); an
    unexpected answer is counted and they carry on."""
    while pace.more(0):
        client = Client(base_url, stats, who=email)
        try:
            if kind == "staff":
                staff(client, email, ledger, pace)
            elif kind == "supervisor":
                supervisor(client, email, ledger, pace)
            else:
                recruiter(client, email, vacancy, ledger, pace, totp)
            return
        except UnexpectedResponse:
            pass  # already counted as an error
        except Exception as exc:  # noqa: BLE001 - a page that did not say what a user expects is an error too
            stats.error(f"{email}: {exc.__class__.__name__}: {exc}")
        time.sleep(0.5)  # then start again with a fresh session
