"""An HTTP client for the portal on 127.0.0.1: signs in once, carries the CSRF token, times requests.

Production session cookies are `Secure`, and `requests` (like a browser) only sends Secure cookies
over HTTPS. The load test talks plain HTTP to gunicorn on the loopback interface, where TLS would
be terminated by the reverse proxy in a real deployment, so `Client` sends the cookies the portal
set for 127.0.0.1 back itself, in the Cookie header, and only to 127.0.0.1. The portal is unchanged.

A client may be given several servers (the same portal on different ports): each request then goes
to one of them at random, with the same cookies, as behind a load balancer without sticky sessions.
Recruiters (and administrators) must give a code from their authenticator in production, so
`sign_in` takes the person's TOTP secret and enters a fresh code when the portal asks for one.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyotp
import requests

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_ID = re.compile(r"/\d+")
TIMEOUT = 60  # seconds for any one request
SIGN_IN = "/sign-in"  # the sign-in form, its POST and the code step: argon2 makes them slow by design
_steps: dict[str, int] = {}  # the last TOTP time step each person used: a code is accepted only once
_steps_lock = threading.Lock()


def csrf_token(html: str) -> str | None:
    """The CSRF token in a page's form, if it has one."""
    found = _TOKEN.search(html)
    return (found.group(1) or found.group(2)) if found else None


@dataclass
class Stats:
    """Every request's duration and every error, shared by all simulated users (thread-safe)."""

    durations: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)  # "GET /portfolio/evidence/<id>" -> durations
    by_server: dict[str, int] = field(default_factory=dict)  # base URL -> requests sent to it
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None = None, page: str = "", server: str = "") -> None:
        """Record one request: how long it took, its page and server, and its error if it failed."""
        with self.lock:
            self.durations.append(seconds)
            self.by_page.setdefault(page, []).append(seconds)
            self.by_server[server] = self.by_server.get(server, 0) + 1
            if error:
                self.errors.append(error)

    def error(self, message: str) -> None:
        """Record a failure that was not one request's."""
        with self.lock:
            self.errors.append(message)

    def p95_ms(self, durations: list[float] | None = None) -> float:
        """The 95th percentile, in milliseconds, of every request (or of `durations`)."""
        with self.lock:
            ordered = sorted(self.durations if durations is None else durations)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000

    def without_sign_in(self) -> list[float]:
        """The durations of every request but sign-in's (the form, its POST and the code step)."""
        with self.lock:
            pages = list(self.by_page.items())
        return [t for page, times in pages if not page.split(" ", 1)[-1].startswith(SIGN_IN) for t in times]

    def slowest(self, n: int = 5) -> list[tuple[str, int, float]]:
        """The `n` pages with the highest p95: (page, requests, p95 ms)."""
        with self.lock:
            pages = {page: list(times) for page, times in self.by_page.items()}
        rows = [(page, len(times), self.p95_ms(times)) for page, times in pages.items()]
        return sorted(rows, key=lambda row: -row[2])[:n]


class UnexpectedResponse(RuntimeError):
    """The portal answered with something a user would see as a failure."""


class Client:
    """One simulated person's browser: a session, the base URL, and the shared stats."""

    def __init__(self, base_url: str | list[str], stats: Stats | None = None, who: str = ""):
        bases = [base_url] if isinstance(base_url, str) else list(base_url)
        if not bases or any(urlsplit(base).hostname != "127.0.0.1" for base in bases):
            raise ValueError("the load test only talks to 127.0.0.1")
        self.bases = [base.rstrip("/") for base in bases]
        self.stats = stats or Stats()
        self.who = who
        self.http = requests.Session()

    @property
    def base(self) -> str:
        """The first server's URL (the only one, for a client of one server)."""
        return self.bases[0]

    def pinned(self, base_url: str) -> Client:
        """The same browser (cookies shared), sending every request to one server."""
        other = Client(base_url, self.stats, self.who)
        other.http = self.http
        return other

    def _cookie_header(self) -> dict[str, str]:
        # Secure cookies included: requests would hold them back over http (see the module docstring).
        pairs = [f"{c.name}={c.value}" for c in self.http.cookies if c.domain in ("127.0.0.1", "127.0.0.1.local")]
        return {"Cookie": "; ".join(pairs)} if pairs else {}

    def request(self, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs) -> requests.Response:
        """One request, timed; an unexpected status or a failure to answer is an error (and raised)."""
        started = time.monotonic()
        page = f"{method} {_ID.sub('/<id>', path)}"
        base = random.choice(self.bases)  # noqa: S311 - spreading load, not security
        try:
            response = self.http.request(
                method,
                base + path,
                allow_redirects=False,
                timeout=TIMEOUT,
                headers=self._cookie_header(),
                **kwargs,
            )
        except requests.RequestException as exc:
            message = f"{self.who}: {method} {path}: {exc.__class__.__name__}"
            self.stats.add(time.monotonic() - started, message, page, base)
            raise UnexpectedResponse(message) from None
        elapsed = time.monotonic() - started
        if response.status_code not in expect:
            message = f"{self.who}: {method} {path}: {response.status_code} (expected {'/'.join(map(str, expect))})"
            self.stats.add(elapsed, message, page, base)
            raise UnexpectedResponse(message)
        self.stats.add(elapsed, page=page, server=base)
        return response

    def get(self, path: str, expect: tuple[int, ...] = (200,)) -> requests.Response:
        """A GET (see `request`)."""
        return self.request("GET", path, expect)

    def post(
        self, path: str, data: dict, token_from: str | None = None, expect: tuple[int, ...] = (302,), files=None
    ) -> requests.Response:
        """POST a form with a CSRF token (read from `token_from`, a page's HTML, or fetched from /notifications)."""
        token = csrf_token(token_from) if token_from else None
        if token is None:
            token = csrf_token(self.get("/notifications").text)
        return self.request("POST", path, expect, data={**data, "csrf_token": token}, files=files)

    def sign_in(self, email: str, password: str, totp_secret: str | None = None) -> None:
        """Sign in through the form (once per simulated person; argon2 makes it deliberately slow), and
        with a code from the authenticator when the portal asks for one."""
        page = self.get("/sign-in")
        response = self.post("/sign-in", {"email": email, "password": password}, token_from=page.text)
        where = redirect_path(response)
        if where == "/sign-in/code" and totp_secret:
            form = self.get(where).text
            response = self.post(where, {"code": fresh_code(email, totp_secret)}, token_from=form)
            where = redirect_path(response)
        if where.startswith("/sign-in"):
            raise UnexpectedResponse(f"{self.who}: sign-in as {email} was refused (sent to {where})")


def fresh_code(email: str, secret: str) -> str:
    """A code for a time step this person has not used yet (waiting for the next step if need be)."""
    totp = pyotp.TOTP(secret)
    while True:
        with _steps_lock:
            step = int(time.time() // totp.interval)
            if step > _steps.get(email, 0):
                _steps[email] = step
                return totp.at(step * totp.interval)
        time.sleep(max(0.05, (step + 1) * totp.interval - time.time()))


def redirect_path(response: requests.Response) -> str:
    """Where a redirect points (path only)."""
    return urlsplit(response.headers.get("Location", "")).path
