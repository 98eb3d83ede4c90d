"""The code keeps its own layout: each kind of rule has one home (see the README's development section).

- Role and ownership decisions only in `competency_portal/policy/`: elsewhere no comparison reads a
  role (`Role.ADMIN in user.roles`, `UserRole.role == Role.SUPERVISOR`) or sets a person's id against
  an owner (`evidence.owner_id == current_user.id`); templates read flags, never roles or owners.
- Services and the pure rule packages never import a blueprint, Flask's request objects, or
  `url_for`: the web layer builds links.
- Every CSV and XLSX is written by `competency_portal/exports.py`.
- No module of the package is over 300 lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "competency_portal"
MAX_LINES = 300

# Where roles and owners may be compared: the policy, and the models that define roles and owners.
DECIDERS = (PACKAGE / "policy", PACKAGE / "models")
# Names that hold the person acting or looking (a view's current_user, a service's actor).
PEOPLE = {"current_user", "actor", "user", "viewer", "me"}
ACTING = {"current_user", "actor", "viewer"}  # whose roles decide (a `user` may be a record being edited)


def _modules(under: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _reads_role(node: ast.AST) -> bool:
    """`Role.X` (a role named in code), or the roles a person holds (`user.roles`)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "Role" or (node.attr == "roles" and node.value.id in ACTING)
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return any(_reads_role(e) for e in node.elts)
    return False


def _person_id(node: ast.AST) -> bool:
    """`current_user.id`, `actor.id`, ... : the id of the person acting."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "id"
        and isinstance(node.value, ast.Name)
        and node.value.id in PEOPLE
    )


def _instance_owner(node: ast.AST) -> bool:
    """`evidence.owner_id`, `sign_off.signer_id`: an object's owner (not a model column in a query)."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr.endswith("_id")
        and not (isinstance(node.value, ast.Name) and node.value.id[:1].isupper())
    )


def _decisions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        where = f"{_name(path)}:{node.lineno}: {ast.unparse(node)}"
        if any(_reads_role(s) for s in sides):
            found.append(where)
        elif any(_person_id(a) and (_instance_owner(b) or _person_id(b)) for a in sides for b in sides if a is not b):
            found.append(where)
        elif any(isinstance(n, ast.Name) and n.id == "current_user" for s in sides for n in ast.walk(s)):
            found.append(where)  # a view comparing the signed-in person with anything is deciding
    return found


def test_roles_and_owners_are_compared_only_in_the_policy():
    outside = [p for p in _modules() if not any(p.is_relative_to(d) for d in DECIDERS)]
    found = [hit for p in outside for hit in _decisions(p)]
    assert not found, "decide these in competency_portal/policy/ and ask it:\n" + "\n".join(found)


def test_the_layout_check_catches_a_decision(tmp_path):
    """The scan above finds each kind of decision it forbids (so an empty result means something)."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "a = Role.ADMIN in user.roles\n"
        "b = UserRole.role == Role.SUPERVISOR\n"
        "c = evidence.owner_id == current_user.id\n"
        "d = actor.id != appraisal.user_id\n"
        "e = person == current_user\n"
        "f = who.id == current_user.id\n"
        "ok = select(Evidence).where(Evidence.owner_id == user.id)\n"
        "ok = row.roles != held.roles or role.slug in bundle.roles\n"
    )
    assert [hit.split(": ", 1)[0].rsplit(":", 1)[1] for hit in _decisions(sample)] == ["1", "2", "3", "4", "5", "6"]


TEMPLATE_DECISIONS = re.compile(
    r"current_user_roles|current_user\.roles|current_user\.id|\.roles\b(?![\"'])[^%}]*\)?\s*%\}|owner_id\s*[!=]="
    r"|in\s*\(?\s*\w+\.roles|\"(admin|supervisor|recruiter|staff)\"\s+in\b"
)


def test_templates_read_flags_not_roles_or_owners():
    templates = sorted((ROOT / "templates").rglob("*.html")) + sorted(PACKAGE.rglob("templates/**/*.html"))
    found = []
    for path in templates:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "{%" in line and TEMPLATE_DECISIONS.search(line):
                found.append(f"{_name(path)}:{number}: {line.strip()}")
    assert templates and not found, "pass a flag from the policy instead:\n" + "\n".join(found)


BLUEPRINTS = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py") if "Blueprint(" in p.read_text())
# The layers below the web: they take plain values and sessions, and never know about requests or URLs.
BELOW_THE_WEB = [
    *_modules(PACKAGE / "services"),
    *_modules(PACKAGE / "readiness"),
    *_modules(PACKAGE / "shortlisting"),
    *_modules(PACKAGE / "charts"),
    PACKAGE / "exports.py",
]
WEB_ONLY = {"request", "session", "url_for", "redirect", "flash", "g", "render_template", "abort"}


def _imports(path: Path) -> list[tuple[str, set[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, {alias.name for alias in node.names}))
    return found


def test_services_never_import_a_blueprint_or_the_request():
    assert len(BLUEPRINTS) >= 8 and len(BELOW_THE_WEB) > 20
    found = []
    for path in BELOW_THE_WEB:
        for module, names in _imports(path):
            if any(
                module == f"competency_portal.{bp}" or module.startswith(f"competency_portal.{bp}.")
                for bp in BLUEPRINTS
            ):
                found.append(f"{_name(path)} imports {module}")
            if module in ("flask", "flask_login") and names & (WEB_ONLY | {"current_user"}):
                found.append(f"{_name(path)} imports {sorted(names & (WEB_ONLY | {'current_user'}))} from {module}")
            if module == "competency_portal" and names & set(BLUEPRINTS):
                found.append(f"{_name(path)} imports {sorted(names & set(BLUEPRINTS))}")
    assert not found, "\n".join(found)


def test_services_do_not_write_paths_of_pages():
    """A notification names what it points at; the web layer turns that into a link."""
    found = []
    page = re.compile(r"""["']/(portfolio|supervision|appraisals?|admin|recruitment|people|team|dashboard)\b""")
    for path in BELOW_THE_WEB:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if page.search(line):
                found.append(f"{_name(path)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_services_leave_the_transaction_to_the_view():
    found = []
    for path in BELOW_THE_WEB:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.(commit|rollback)\(\)", line) and path.name not in ("demo.py",):
                found.append(f"{_name(path)}:{number}: {line.strip()}")
    assert not found, "the view commits once (competency_portal/web.py):\n" + "\n".join(found)


def test_every_spreadsheet_is_written_by_the_export_module():
    found = []
    for path in _modules():
        if path == PACKAGE / "exports.py":
            continue
        text = path.read_text()
        for module, _names in _imports(path):
            if module == "openpyxl" or module.startswith("openpyxl."):
                found.append(f"{_name(path)} imports {module}")
        if re.search(r"csv\.(writer|DictWriter)\b", text):
            found.append(f"{_name(path)} writes CSV itself")
    assert not found, "write it with competency_portal/exports.py:\n" + "\n".join(found)


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_no_module_is_over_300_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{_name(path)} has {lines} lines; split it along the line it already has"
