"""Stored XSS and formula injection: a payload in every free-text field, checked wherever it is rendered.

Every field a user can write (found from the forms modules, and the per-item fields the views read
by name) is filled, through the real forms, with its own numbered payload: a script tag, an
attribute break-out with an event handler, and a leading `=`, `+`, `-` or `@` that spreadsheet
software would run as a formula. Then every GET route in `app.url_map` is fetched as every kind of
user (with the payload in the query string too, for reflection), pointed at the objects that hold
the payloads, and each response is checked by what it is:

- HTML: parsed with html.parser; a payload may appear only as text, never as a live tag or an
  event-handler attribute;
- chart JSON embedded in a page: valid JSON with no raw `<` (so it cannot close its script
  element), and labels escaped for plotly.js, which reads a little HTML (links) in labels;
- CSV and XLSX: no cell holding a payload begins with a formula character, and no XLSX cell is a
  formula;
- PDF: the payload's text comes out of pypdf as literal text.

Each payload must be seen rendered somewhere (so the checks above are not vacuous), and each kind
of export must have carried at least one.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import openpyxl
import permission_rules_api as api_rules
import permission_rules_case as case_rules
import permission_rules_credentials as credential_rules
import permission_rules_jobs as job_rules
import permission_rules_recruitment_shortlisting as shortlisting_rules
from pypdf import PdfReader
from sqlalchemy import select

from competency_portal.extensions import db
from competency_portal.models import Application as ApplicationModel
from competency_portal.models import Appraisal, Evidence, FrameworkDraft, SignOff, Vacancy
from competency_portal.services import vacancies as vacancy_service
from tests.portal_helpers import (
    KINDS,
    PASSWORD,
    PDF,
    TARGET_ROLE,
    Browser,
    assert_no_crash,
    body,
    browsers,
    upload,
)

# What spreadsheet software may run as a formula: the four signs, a tab, a carriage return or a line
# feed, and the full-width forms of the signs (which some locales' Excel treats as the signs).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Payloads lead with the signs: forms trim leading whitespace, so tests/test_exports.py checks those.
LEADS = "=+-@\uff1d\uff0b\uff0d\uff20"


class Payloads:
    """Numbered payloads, one per field, and where each was seen rendered."""

    def __init__(self):
        self.fields: dict[int, str] = {}
        self.seen: dict[int, set[str]] = {}

    def __call__(self, field: str, limit: int = 1000) -> str:
        n = 101 + len(self.fields)
        self.fields[n] = field
        lead = LEADS[n % len(LEADS)]
        full = (
            f'{lead}HYPERLINK("https://evil.example/{n}","x")<script>alert({n})</script>'
            f"\"'><img src=x onerror=alert({n})>"
        )
        short = f"{lead}<img src=x onerror=alert({n})>"
        value = full if len(full) <= limit else short
        assert len(value) <= limit, f"no payload fits {field} ({limit} characters)"
        return value

    def numbers_in(self, text: str) -> set[int]:
        return {int(n) for n in re.findall(r"alert\((\d+)\)", text) if int(n) in self.fields}

    def saw(self, text: str, where: str) -> set[int]:
        found = self.numbers_in(text)
        for n in found:
            self.seen.setdefault(n, set()).add(where)
        return found


# -- checking what comes back -------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects live tags a payload could have made, and the JSON inside script elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.json_blocks: list[str] = []
        self._script: dict | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.live.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and ("src", "x") in attrs:
            self.live.append("<img src=x ...>")
        if tag == "script":
            self._script, self._buffer = dict(attrs), []

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._script is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            content = "".join(self._buffer)
            if self._script.get("type") == "application/json":
                self.json_blocks.append(content)
            elif "alert(" in content:
                self.live.append(f"<script>{content[:60]}")
            self._script = None


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def check_html(text: str, where: str, payloads: Payloads) -> list[str]:
    problems = []
    payloads.saw(text, f"page {where}")
    if re.search(r"<script>alert\(|<img src=x onerror", text):
        problems.append(f"{where}: a payload appears as raw markup")
    doubled = re.search(r"&amp;(amp|lt|gt|quot|#\d+);", text)
    if doubled:  # escaped twice: people would read the entity instead of the character
        problems.append(f"{where}: text escaped twice: {text[max(0, doubled.start() - 40) : doubled.end() + 20]!r}")
    page = _Page()
    page.feed(text)
    page.close()
    problems += [f"{where}: live {tag}" for tag in page.live]
    for block in page.json_blocks:
        if "<" in block:
            problems.append(f"{where}: raw '<' inside a JSON script element (it could close the element)")
        try:
            figure = json.loads(block)
        except ValueError as exc:
            problems.append(f"{where}: JSON script element does not parse: {exc}")
            continue
        for s in _strings(figure):
            if payloads.saw(s, f"chart {where}") and re.search(r"<[a-zA-Z/]", s):
                problems.append(f"{where}: chart text with markup plotly.js would read: {s[:80]!r}")
    return problems


def check_cells(cells: list[tuple[str, object, str | None]], where: str, payloads: Payloads) -> list[str]:
    """(coordinate, value, XLSX data type or None) for every cell."""
    problems = []
    for coordinate, value, data_type in cells:
        if data_type == "f":
            problems.append(f"{where} {coordinate}: a formula cell: {str(value)[:60]!r}")
        if isinstance(value, str) and payloads.saw(value, where) and value.startswith(FORMULA_STARTS):
            problems.append(f"{where} {coordinate}: a payload cell starts with a formula character: {value[:40]!r}")
    return problems


def check_csv(data: bytes, where: str, payloads: Payloads) -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return check_cells(
        [(f"row {i + 1} column {j + 1}", v, None) for i, row in enumerate(rows) for j, v in enumerate(row)],
        f"CSV {where}",
        payloads,
    )


def check_xlsx(data: bytes, where: str, payloads: Payloads) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [
        (f"{ws.title}!{c.coordinate}", c.value, c.data_type)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    return check_cells(cells, f"XLSX {where}", payloads)


def check_pdf(data: bytes, where: str, payloads: Payloads) -> list[str]:
    # Table cells wrap long words anywhere, so the text is compared with the line breaks taken out.
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")
    found = payloads.saw(text, f"PDF {where}")
    problems = []
    for n in found:  # typed markup comes out as the literal characters, not eaten as reportlab markup
        if f"<script>alert({n})" not in text and f"onerror=alert({n})" not in text:
            problems.append(f"PDF {where}: payload {n} lost its literal markup")
    return problems


def check_response(response, where: str, payloads: Payloads) -> list[str]:
    kind = response.content_type or ""
    if kind.startswith("text/html"):
        return check_html(body(response), where, payloads)
    if kind.startswith("text/csv"):
        return check_csv(response.data, where, payloads)
    if kind.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        return check_xlsx(response.data, where, payloads)
    if kind.startswith("application/pdf"):
        return (
            check_pdf(response.data, where, payloads)
            if response.data.startswith(b"%PDF") and "attachments" not in where
            else []
        )
    return []


# -- writing a payload into every field, through the forms ---------------------------------------------


def _lock(model, ident: int) -> str:
    value = db.session.get(model, ident).lock_version
    db.session.rollback()
    return str(value)


def _date(prefix: str, day: date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _csv_file(header: list[str], row: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, row])
    return buffer.getvalue().encode()


def _token(preview) -> str:
    found = re.search(r'name="token"[^>]*value="([0-9a-f]+)"|value="([0-9a-f]+)"[^>]*name="token"', body(preview))
    assert found, "the import preview offers no confirm button: the file was refused"
    return found.group(1) or found.group(2)


def _id_after(response, pattern: str) -> int:
    found = re.search(pattern, response.headers.get("Location", ""))
    assert found, (
        f"expected a redirect matching {pattern}, got {response.status_code} {response.headers.get('Location')}"
    )
    return int(found.group(1))


def write_everything(app, world, users: dict[str, Browser], p: Payloads, problems: list[str]) -> dict:
    """Fill every free-text field with a payload through the real forms; the ids of what holds them."""

    def post(who: str, url: str, data: dict, expect: int = 302):
        response = users[who].post(url, data)
        assert_no_crash(response, f"POST {url}")
        assert response.status_code == expect, (
            f"POST {url} as {who}: {response.status_code} {response.headers.get('Location')}"
        )
        if response.status_code != 302:
            problems.extend(check_response(response, f"POST {url} (re-rendered)", p))
        return response

    owner_id = world.id("owner")
    item = world.item_ids[0]
    # People: the owner's name, job title, band and team; a new person (administrator's forms).
    post(
        "admin",
        f"/admin/people/{owner_id}",
        {
            "name": p("person name", 120),
            "email": world.emails["owner"],
            "job_title": p("job title", 120),
            "band": p("band", 40),
            "team": p("team name", 120),
            "roles": ["staff"],
            "target_role": TARGET_ROLE,
            "active": "y",
        },
    )
    post(
        "admin",
        "/admin/people/new",
        {
            "name": p("new person's name", 120),
            "email": "new.person@example.nhs.uk",
            "job_title": p("new person's job title", 120),
            "roles": "staff",
            "target_role": "",
        },
    )
    # The HR import: every column a person's details come from, previewed then confirmed.
    preview = post(
        "admin",
        "/admin/import",
        {
            "file": upload(
                _csv_file(
                    ["Name", "Email", "Job Title", "Band", "Team", "Supervisor Email", "Role"],
                    [
                        p("imported name", 120),
                        "imported.person@example.nhs.uk",
                        p("imported job title", 120),
                        p("imported band", 40),
                        p("imported team", 120),
                        world.emails["supervisor"],
                        "staff",
                    ],
                ),
                "staff.csv",
            )
        },
        expect=200,
    )
    problems.extend(check_response(preview, "staff import preview", p))
    post("admin", "/admin/import/confirm", {"token": _token(preview)})
    # Evidence: title and description (with an attachment), submitted; self-assessment note.
    made = post(
        "owner",
        "/portfolio/evidence/new",
        {
            "title": p("evidence title", 200),
            "evidence_type": "reflective_account",
            **_date("activity_date", date(2025, 3, 3)),
            "description": p("evidence description"),
            "items": [str(item)],
            "attachments": [upload(PDF, "care-plan.pdf")],
        },
    )
    evidence_id = _id_after(made, r"/portfolio/evidence/(\d+)$")
    post("owner", f"/portfolio/evidence/{evidence_id}/submit", {})
    post(
        "owner",
        "/portfolio/self-assessment",
        {f"rating-{item}": str(world.levels[item][0]), f"note-{item}": p("self-assessment note")},
    )
    # The form shown again with an error keeps what was typed: escaped there too.
    post(
        "owner",
        "/portfolio/evidence/new",
        {
            "title": p("evidence title, form re-shown", 200),
            "evidence_type": "reflective_account",
            **_date("activity_date", date(2025, 3, 3)),
            "description": p("description, form re-shown"),
        },
        expect=400,
    )
    # Sign-off: the decision comment and an item comment; then revocation with a reason.
    review = body(users["supervisor"].get(f"/supervision/evidence/{evidence_id}"))
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', review)
    post(
        "supervisor",
        f"/supervision/evidence/{evidence_id}",
        {
            "decision": "signed_off",
            "comment": p("sign-off comment"),
            f"comment-{item}": p("item comment"),
            f"level-{item}": str(world.levels[item][-1]),
            "version": version.group(1) or version.group(2),
        },
    )
    sign_off_id = db.session.scalar(select(SignOff.id).where(SignOff.evidence_id == evidence_id))
    db.session.rollback()
    post("supervisor", f"/supervision/sign-offs/{sign_off_id}/revoke", {"reason": p("revoke reason")})
    # Training: notes (the person's and an administrator's), registration body and number.
    post(
        "owner",
        "/training/records",
        {"subject": "fire-safety", **_date("completed_on", date(2025, 3, 3)), "note": p("training note")},
    )
    post(
        "owner",
        "/training/registration",
        {
            "body": p("registration body", 120),
            "number": p("registration number", 60),
            **_date("renewal_on", date(2030, 1, 31)),
        },
    )
    post(
        "admin",
        f"/people/{owner_id}/training/records",
        {
            "subject": "resuscitation",
            **_date("completed_on", date(2025, 3, 3)),
            "note": p("training note by an administrator"),
        },
    )
    # Appraisal: an objective's title and description, agreement, a progress note, the year-end summary.
    started = post("supervisor", f"/people/{owner_id}/appraisal/new", {"year": "2026/27"})
    appraisal_id = _id_after(started, r"/appraisals/(\d+)")
    added = post(
        "supervisor",
        f"/appraisals/{appraisal_id}/objectives/new",
        {
            "title": p("objective title", 200),
            "description": p("objective description"),
            **_date("due_on", date(2027, 3, 1)),
            "version": _lock(Appraisal, appraisal_id),
        },
    )
    assert added.status_code == 302
    appraisal = db.session.get(Appraisal, appraisal_id)
    objective_id = max(o.id for o in appraisal.objectives)
    db.session.rollback()
    for who in ("owner", "supervisor"):
        post(who, f"/appraisals/{appraisal_id}/agree", {"version": _lock(Appraisal, appraisal_id)})
    post(
        "owner",
        f"/appraisals/{appraisal_id}/objectives/{objective_id}/progress",
        {"status": "in_progress", "note": p("progress note"), "version": _lock(Appraisal, appraisal_id)},
    )
    post(
        "supervisor",
        f"/appraisals/{appraisal_id}/summary",
        {"summary": p("year-end summary"), "version": _lock(Appraisal, appraisal_id)},
    )
    # Recruitment: vacancy title and band, an application (name, statement, answers), scores with reasons,
    # moderation, a decision with its reason, the shortlist agreed so names reach the exports.
    member = shortlisting_rules.recruiter(db.session, "Member Recruiter")
    users["member"] = Browser(app, "member")
    users["member"].sign_in(member.email, PASSWORD)
    spec = shortlisting_rules.spec_version_id(db.session)
    opened = post(
        "recruiter",
        "/recruitment/vacancies/new",
        {
            "title": p("vacancy title", 200),
            "band": p("vacancy band", 40),
            "team_id": "",
            **_date("closing_on", date(2027, 2, 1)),
            "spec_version_id": str(spec),
            "panel": str(member.id),
        },
    )
    vacancy_id = _id_after(opened, r"/recruitment/vacancies/(\d+)$")
    answers = {
        f"answer-{c.id}": p(f"application answer on {c.code}") for c in vacancy_service.criteria(db.session, spec)[:3]
    }
    db.session.rollback()
    post(
        "recruiter",
        f"/recruitment/vacancies/{vacancy_id}/applications/new",
        {
            "candidate_name": p("candidate name", 200),
            "email": "candidate.payload@example.org",
            "supporting_statement": p("supporting statement"),
            **answers,
        },
    )
    codes = [c.code for c in vacancy_service.criteria(db.session, spec)[:2]]
    preview = post(
        "recruiter",
        f"/recruitment/vacancies/{vacancy_id}/applications/import",
        {
            "file": upload(
                _csv_file(
                    ["Candidate name", "Email", "Supporting statement", "Internal", "Guaranteed interview", *codes],
                    [
                        p("imported candidate name", 200),
                        "imported.candidate@example.org",
                        p("imported supporting statement"),
                        "no",
                        "no",
                        *(p(f"imported answer on {code}") for code in codes),
                    ],
                ),
                "applications.csv",
            )
        },
        expect=200,
    )
    problems.extend(check_response(preview, "application import preview", p))
    post("recruiter", f"/recruitment/vacancies/{vacancy_id}/applications/import/confirm", {"token": _token(preview)})
    application_ids = db.session.scalars(
        select(ApplicationModel.id).where(ApplicationModel.vacancy_id == vacancy_id).order_by(ApplicationModel.id)
    ).all()
    application_id = application_ids[0]
    db.session.rollback()
    post(
        "recruiter",
        f"/recruitment/vacancies/{vacancy_id}/advance",
        {"to": "shortlisting", "version": _lock(Vacancy, vacancy_id)},
    )
    criteria = shortlisting_rules.application_criteria(db.session, spec)
    disputed = criteria[0].item_id
    base = f"/recruitment/vacancies/{vacancy_id}"
    for who, reason in (("recruiter", p("lead's score reason")), ("member", p("member's score reason"))):
        for scored in application_ids:
            sheet = {}
            for c in criteria:
                sheet[f"score-{c.item_id}"] = (
                    "0" if (who == "recruiter" and c.item_id == disputed and scored == application_id) else "2"
                )
                sheet[f"reason-{c.item_id}"] = reason
            post(who, f"{base}/applications/{scored}/score", sheet)
        post(who, f"{base}/scores/submit", {})
    post(
        "recruiter",
        f"{base}/applications/{application_id}/criteria/{disputed}/moderate",
        {"value": "1", "reason": p("moderation reason")},
    )
    for decided in application_ids:
        post(
            "recruiter",
            f"{base}/applications/{decided}/decision",
            {"outcome": "shortlist", "reason": p(f"decision reason {decided}")},
        )
    post("recruiter", f"{base}/shortlist/agree", {})
    # A document imported as a draft framework: its words are the uploader's, shown on the review pages.
    document = f"Main duties\nClinical work\n• {p('imported duty', 300)}\n• {p('second imported duty', 300)}\n"
    post("admin", "/admin/frameworks", {"file": upload(document.encode(), "duties.txt")})
    draft = db.session.scalars(select(FrameworkDraft).order_by(FrameworkDraft.id.desc())).first()
    draft_id, draft_revision = draft.id, draft.revision
    group = draft.content["frameworks"][0]["domains"][0]["code"]
    db.session.rollback()
    post(
        "admin",
        f"/admin/drafts/{draft_id}/0/groups/{group}",
        {"revision": draft_revision, "title": p("group title", 300)},
    )
    post(
        "admin",
        "/admin/roles/new",
        {"revision": 0, "ident": "xss-role", "title": p("role profile title", 300),
         "description": p("role profile description"), f"include-{world.framework_slug}": "y",
         f"target-{world.framework_slug}": "3"},
    )  # fmt: skip
    return {
        "draft_id": draft_id,
        "index": 0,
        "framework": world.framework_slug,
        "action": "down",
        "evidence_id": evidence_id,
        "attachment_id": db.session.get(Evidence, evidence_id).current.attachments[0].id,
        "sign_off_id": sign_off_id,
        "person_id": owner_id,
        "assignment_id": world.supervision,
        "appraisal_id": appraisal_id,
        "objective_id": objective_id,
        "vacancy_id": vacancy_id,
        "application_id": application_ids,
        "item_id": disputed,
        "revision": 1,
        "code": world.item_code,
        "slug": world.framework_slug,
        **case_rules.url_values(world),
        **credential_rules.url_values(world),
        **api_rules.url_values(world),
        **job_rules.url_values(world),
    }


REFLECTION_KINDS = ("anonymous", "owner", "supervisor", "recruiter", "admin")

# Values a route's string parameters take, to fetch every variant.
VARIANTS = {"name": ("domains", "gaps", "history"), "chart": ("criteria", "distribution")}


def _urls(rule, values: dict) -> list[str]:
    """The rule filled in every way: each variant of a string parameter, each of a list of ids."""
    options = {**values, **VARIANTS}
    names = sorted(rule.arguments)
    out = []
    for combination in itertools.product(
        *(options[n] if isinstance(options[n], (list, tuple)) else [options[n]] for n in names)
    ):
        filled = dict(zip(names, combination, strict=True))
        if rule.endpoint == "catalogue.role":
            filled["slug"] = TARGET_ROLE
        elif rule.endpoint in ("admin.edit_role", "admin.role_items"):
            filled["slug"] = "xss-role"  # the role profile written with payloads above
        out.append(rule.build(filled, append_unknown=False)[1])
    return out


def test_every_free_text_field_is_escaped_everywhere_it_is_rendered(app, world):
    p = Payloads()
    problems: list[str] = []
    users = browsers(app, world)
    values = write_everything(app, world, users, p, problems)
    reflected = p("query string (reflected)", 200)
    query = "?" + urlencode(
        {"q": reflected, "next": reflected, "person": reflected, "object_id": reflected, "team": reflected}
    )
    fetched = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        for url in _urls(rule, values):
            for kind in (*KINDS, "member"):
                # Reflection depends on the page, not on who asks: the query is tried by kinds that between them
                # reach every page.
                for target in (url, url + query) if kind in REFLECTION_KINDS else (url,):
                    response = users[kind].get(target)
                    fetched += 1
                    assert_no_crash(response, f"GET {target} as {kind}")
                    if response.status_code == 200:
                        problems += check_response(response, f"{url} as {kind}", p)
    # Payloads in the path reach the 404 page.
    for url in (
        f"/frameworks/{quote(reflected)}",
        f"/roles/{quote(reflected)}",
        f"/frameworks/{world.framework_slug}/items/{quote(reflected)}",
    ):
        response = users["owner"].get(url)
        assert response.status_code == 404
        problems += check_html(body(response), url, p)
    assert not problems, "\n".join(problems)
    unseen = sorted(
        f"{n}: {field}" for n, field in p.fields.items() if not any(w.startswith("page ") for w in p.seen.get(n, ()))
    )
    assert not unseen, f"payloads never rendered on any page (so the checks above did not test them): {unseen}"
    carried = {
        kind: sorted(n for n, where in p.seen.items() if any(w.startswith(kind) for w in where))
        for kind in ("chart", "CSV", "XLSX", "PDF")
    }
    assert all(carried.values()), f"an export or chart carried no payload at all: {carried}"
    assert fetched > 400
