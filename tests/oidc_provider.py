"""A real OpenID Connect provider for the tests: tests/oidc/provider.mjs (oidc-provider on node), started
and steered from Python, and an HTTP-level walk through its sign-in and sign-out pages.

    provider = start_provider([{"sub": "u-1", "email": "a@example.org", "name": "A", "employee_number": "1"}])
    provider.issuer, provider.client_id, provider.client_secret, provider.metadata_url
    provider.fault("wrong_audience")  # the next id_token says aud "someone-else"; then it clears
    provider.stop()

Fault modes: none, wrong_key, wrong_audience, wrong_issuer, expired, future_iat, nonce and
missing_claim:<name>. Tests import the session-scoped fixture with
`from oidc_provider import oidc_provider  # noqa: F401`.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import selectors
import shutil
import socket
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
SCRIPT = OIDC_DIR / "provider.mjs"
CLIENT_ID = "competency-portal"
READY_TIMEOUT = 15.0
MAX_HOPS = 10

TEST_USERS = [
    {"sub": "u-staff", "email": "sam.staff@example.nhs.uk", "name": "Sam Staff", "employee_number": "100001"},
    {"sub": "u-unknown", "email": "nobody@example.nhs.uk", "name": "No Body", "employee_number": "999999"},
    {"sub": "u-gone", "email": "gone@example.nhs.uk", "name": "Gone Away", "employee_number": "100002"},
]


class OidcProvider:
    """A running test provider: its issuer and client credentials, and the /_test/ controls."""

    def __init__(self, process, issuer, client_id, client_secret, users, workdir):
        self.process = process
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.users = users
        self._workdir = workdir

    @property
    def metadata_url(self) -> str:
        """The discovery document's URL (for Authlib's server_metadata_url)."""
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        """The discovery document."""
        return requests.get(self.metadata_url, timeout=10).json()

    def _control(self, method: str, path: str, body: dict | None = None) -> dict:
        response = requests.request(method, f"{self.issuer}/_test/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def fault(self, mode: str) -> None:
        """Tamper with the next id_token the token endpoint returns (see the module docstring)."""
        self._control("POST", "fault", {"mode": mode})

    def rotate(self) -> str:
        """Sign id_tokens with a new key from now on; the JWKS serves it. Returns its kid."""
        return self._control("POST", "rotate")["kid"]

    def slow(self, seconds: float) -> None:
        """Delay every request but the /_test/ ones by this many seconds (0 turns it off)."""
        self._control("POST", "slow", {"seconds": seconds})

    def state(self) -> dict:
        """Counts so far: {"logouts": completed RP-initiated logouts, "tokens": token endpoint answers, ...}."""
        return self._control("GET", "state")

    def reset(self) -> None:
        """No fault and no delay (the counts and the current signing key are kept)."""
        self._control("POST", "reset")

    def stop(self) -> None:
        """Stop the node process and remove its files (safe to call twice)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self._workdir, ignore_errors=True)


def provider_available() -> str | None:
    """None if the provider can be started here, else why not (for pytest.skip)."""
    if shutil.which("node") is None:
        return "node is not on PATH (the test OpenID Connect provider runs on node)"
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return "tests/oidc/node_modules/oidc-provider is not installed (run `make install`)"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(process: subprocess.Popen, timeout: float) -> str | None:
    """The issuer from the `ready ISSUER` line, or None if it did not come in time."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                continue
            line = process.stdout.readline()
            if not line:
                return None
            if line.startswith("ready "):
                return line.split(" ", 1)[1].strip()
    return None


def start_provider(
    users: list[dict], port: int | None = None, *, client_id: str = CLIENT_ID, client_secret: str | None = None
) -> OidcProvider:
    """Start tests/oidc/provider.mjs on 127.0.0.1 (a free port unless one is given), once it is ready."""
    reason = provider_available()
    if reason:
        raise RuntimeError(f"cannot start the test OpenID Connect provider: {reason}")
    client_secret = client_secret or secrets.token_urlsafe(24)
    workdir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    users_file = workdir / "users.json"
    users_file.write_text(json.dumps(users), encoding="utf-8")
    chosen = port or _free_port()
    command = ["node", str(SCRIPT), "--port", str(chosen), "--users", str(users_file)]
    command += ["--client-id", client_id, "--client-secret", client_secret]
    with open(workdir / "stderr.log", "w+", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=OIDC_DIR)
        issuer = _wait_ready(process, READY_TIMEOUT)
        if issuer is None:
            process.kill()
            process.wait(timeout=5)
            process.stdout.close()
            stderr.seek(0)
            log = stderr.read()
            shutil.rmtree(workdir, ignore_errors=True)
            raise RuntimeError(f"the test OpenID Connect provider did not start on port {chosen}:\n{log}")
    provider = OidcProvider(process, issuer, client_id, client_secret, users, workdir)
    atexit.register(provider.stop)
    return provider


class _Forms(HTMLParser):
    """The forms of a page: each {"id", "action", "method", "fields": {name: value}, "buttons": [text]}."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._button: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            form = {"id": attrs.get("id", ""), "action": attrs.get("action", ""), "method": attrs.get("method", "")}
            self.forms.append({**form, "fields": {}, "buttons": []})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and self.forms:
            self._button = {"name": attrs.get("name", ""), "value": attrs.get("value", ""), "text": ""}

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None and self.forms:
            self.forms[-1]["buttons"].append({**self._button, "text": self._button["text"].strip()})
            self._button = None


def _form(response: requests.Response, button: str) -> dict:
    """The form on the page whose button reads `button`."""
    parser = _Forms()
    parser.feed(response.text)
    for form in parser.forms:
        if any(b["text"] == button for b in form["buttons"]):
            return form
    raise AssertionError(f"no {button!r} form at {response.url} ({response.status_code}):\n{response.text[:2000]}")


def _submit(session: requests.Session, response: requests.Response, button: str, **fields) -> requests.Response:
    """Press the button of a form on the page (the button's own name=value is sent too)."""
    form = _form(response, button)
    data = dict(form["fields"])
    for b in form["buttons"]:
        if b["text"] == button and b["name"]:
            data[b["name"]] = b["value"]
    data.update(fields)
    return session.post(urljoin(response.url, form["action"]), data=data, allow_redirects=False, timeout=30)


def _auto_submitted(response: requests.Response) -> dict | None:
    """The form of oidc-provider's self-submitting page (its form_post helper), if this is one."""
    if "document.forms[0].submit()" not in response.text:
        return None
    parser = _Forms()
    parser.feed(response.text)
    return parser.forms[0] if len(parser.forms) == 1 else None


def _walk(session: requests.Session, response: requests.Response, provider_origin: str):
    """Follow redirects while they stay on the provider: the URL that leaves it, or the page it ends on."""
    for _ in range(MAX_HOPS):
        if not response.is_redirect:
            form = _auto_submitted(response)
            if form is None or _origin(urljoin(response.url, form["action"])) != provider_origin:
                return None, response
            # What a browser's script does: oidc-provider posts its own forms so (a sign-out before a
            # sign-in as someone else, a sign-out with no session).
            action = urljoin(response.url, form["action"])
            response = session.post(action, data=form["fields"], allow_redirects=False, timeout=30)
            continue
        location = urljoin(response.url, response.headers["Location"])
        parts = urlsplit(location)
        if f"{parts.scheme}://{parts.netloc}" != provider_origin:
            return location, response
        response = session.get(location, allow_redirects=False, timeout=30)
    raise AssertionError(f"more than {MAX_HOPS} redirects at the provider, last {response.url}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _through_login(authorize_url: str, button: str, fields: dict, session: requests.Session | None) -> str:
    session = session or requests.Session()
    origin = _origin(authorize_url)
    response = session.get(authorize_url, allow_redirects=False, timeout=30)
    location, page = _walk(session, response, origin)
    if location:  # signed in at the provider already: straight back to the client
        return location
    location, page = _walk(session, _submit(session, page, button, **fields), origin)
    if location is None:
        raise AssertionError(f"the provider did not send the browser back ({page.status_code}):\n{page.text[:2000]}")
    return location


def sign_in_at_provider(authorize_url: str, email: str, session: requests.Session | None = None) -> str:
    """Sign in at the provider as the user with this email; the client's redirect_uri with code and state."""
    return _through_login(authorize_url, "Sign in", {"email": email}, session)


def cancel_at_provider(authorize_url: str, session: requests.Session | None = None) -> str:
    """Press Cancel on the provider's sign-in page; the redirect_uri with error=access_denied and state."""
    return _through_login(authorize_url, "Cancel", {}, session)


def logout_at_provider(end_session_url: str, session: requests.Session | None = None) -> str:
    """Confirm "Sign out" at the end_session URL; the URL it then sends the browser to."""
    session = session or requests.Session()
    origin = _origin(end_session_url)
    response = session.get(end_session_url, allow_redirects=False, timeout=30)
    location, page = _walk(session, response, origin)
    if location:
        return location
    response = _submit(session, page, "Sign out")
    location, page = _walk(session, response, origin)
    return location or page.url


@pytest.fixture(scope="session")
def oidc_provider():
    """The test provider with TEST_USERS, for the whole run; skipped where it cannot run, unless
    REQUIRE_BROWSER=1 (then that fails). Tests that set a fault or delay call reset() themselves."""
    reason = provider_available()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    try:
        provider = start_provider(TEST_USERS)
    except RuntimeError:  # the free port it picked was taken before node bound it: once more, on another
        provider = start_provider(TEST_USERS)
    try:
        yield provider
    finally:
        provider.stop()
