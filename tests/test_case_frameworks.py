"""Frameworks published as CASE 1.1 packages, and CASE packages loaded as frameworks."""

from __future__ import annotations

import copy
import json
import re

from case_schema import errors
from sqlalchemy import select
from test_framework_uploads import token, upload

from competency_portal.extensions import db
from competency_portal.frameworks import loader
from competency_portal.frameworks.loaded import content_hash
from competency_portal.frameworks.problems import FrameworkFileError
from competency_portal.frameworks.validate import read_named
from competency_portal.models import CrosswalkPair, Framework, FrameworkDraft, FrameworkVersion, Item

CASE = "/ims/case/v1p1"


def _version(slug: str, revision: int | None = None) -> FrameworkVersion:
    stmt = select(FrameworkVersion).join(Framework).where(Framework.slug == slug)
    stmt = stmt.where(FrameworkVersion.revision == (revision or Framework.current_revision))
    return db.session.scalar(stmt)


def _package(client, slug: str, revision: int | None = None) -> dict:
    response = client.get(f"{CASE}/CFPackages/{_version(slug, revision).case_identifier}")
    assert response.status_code == 200
    return response.get_json()


def _by_id(package: dict) -> dict[str, dict]:
    return {item["identifier"]: item for item in package["CFPackage"]["CFItems"]}


def test_every_seeded_framework_is_a_valid_case_package_with_its_tree_in_order(client, seeded):
    documents = client.get(f"{CASE}/CFDocuments").get_json()
    assert errors("documents", documents) == []
    assert len(documents["CFDocuments"]) == 7
    for doc in documents["CFDocuments"]:
        package = client.get(doc["CFPackageURI"]["uri"].removeprefix("http://localhost")).get_json()
        assert errors("package", package) == [], doc["title"]
        version = _version(doc["extensions"]["nhsCompetencyPortal"]["id"])
        items = _by_id(package)
        parents = {
            a["originNodeURI"]["identifier"]: (a["destinationNodeURI"]["identifier"], a["sequenceNumber"])
            for a in package["CFPackage"]["CFAssociations"]
            if a["associationType"] == "isChildOf"
        }
        assert len(items) == len(version.domains) + version.item_count
        for d_pos, domain in enumerate(version.domains, start=1):
            assert parents[domain.case_identifier] == (version.case_identifier, d_pos)
            assert items[domain.case_identifier]["fullStatement"] == domain.title
            for i_pos, item in enumerate(domain.items, start=1):
                assert parents[item.case_identifier] == (domain.case_identifier, i_pos)
                assert items[item.case_identifier]["humanCodingScheme"] == item.code
                assert items[item.case_identifier]["fullStatement"] == item.statement


def test_crosswalk_pairs_are_exact_matches_and_person_spec_criteria_keep_their_rules(client, seeded):
    package = _package(client, "cpa-care-coordinator-competencies")
    version = _version("cpa-care-coordinator-competencies")
    ours = {item.id for d in version.domains for item in d.items}
    pairs = db.session.scalars(select(CrosswalkPair)).all()
    expected = {(p.item_a_id, p.item_b_id) for p in pairs if p.item_a_id in ours or p.item_b_id in ours}
    matches = [a for a in package["CFPackage"]["CFAssociations"] if a["associationType"] == "exactMatchOf"]
    assert len(matches) == len(expected) > 0
    first = db.session.get(Item, next(iter(sorted(expected)))[0])
    assert any(m["originNodeURI"]["identifier"] == first.case_identifier and m["notes"] for m in matches)

    spec = _package(client, "tameside-mhsw-care-coordinator-person-spec")["CFPackage"]
    criteria = [i for i in spec["CFItems"] if i["CFItemType"] == "Criterion"]
    assert criteria and all(i["extensions"]["nhsCompetencyPortal"]["requirement"] in ("essential", "desirable")
                            for i in criteria)  # fmt: skip
    assert {c["alternativeLabel"] for c in criteria} <= {"Essential", "Desirable"}


def test_the_scale_is_a_rubric_and_every_part_has_its_own_valid_answer(client, seeded):
    package = _package(client, "cpa-care-coordinator-competencies")["CFPackage"]
    rubric = package["CFRubrics"][0]
    assert len(rubric["CFRubricCriteria"]) == _version("cpa-care-coordinator-competencies").item_count
    assert [lv["quality"] for lv in rubric["CFRubricCriteria"][0]["CFRubricCriterionLevels"]][:2] == [
        "Not yet demonstrated",
        "Aware",
    ]
    answers = {
        "document": f"{CASE}/CFDocuments/{package['CFDocument']['identifier']}",
        "item": f"{CASE}/CFItems/{package['CFItems'][1]['identifier']}",
        "item_associations": f"{CASE}/CFItemAssociations/{package['CFItems'][1]['identifier']}",
        "rubric": f"{CASE}/CFRubrics/{rubric['identifier']}",
        "item_types": package["CFItems"][1]["CFItemTypeURI"]["uri"].removeprefix("http://localhost"),
    }
    for form, url in answers.items():
        response = client.get(url)
        assert response.status_code == 200
        assert errors(form, response.get_json()) == [], form
    assert client.get(answers["item"]).get_json()["CFDocumentURI"]["identifier"] == package["CFDocument"]["identifier"]


def test_unknown_and_malformed_identifiers_get_cases_error_and_a_repeat_gets_304(client, seeded):
    for url in (f"{CASE}/CFItems/not-a-uuid", f"{CASE}/CFPackages/00000000-0000-4000-8000-000000000000"):
        response = client.get(url)
        assert response.status_code == 404
        minor = response.get_json()["imsx_codeMinor"]["imsx_codeMinorField"][0]
        assert minor["imsx_codeMinorFieldValue"] == "unknownobject"
    item = db.session.scalars(select(Item)).first()
    assert client.get(f"{CASE}/CFItems/{item.case_identifier.upper()}").get_json()["identifier"] == item.case_identifier
    url = f"{CASE}/CFDocuments"
    first = client.get(url)
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_public_url_names_every_uri(app, client, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://competency.northfield.nhs.uk")
    text = json.dumps(_package(client, "cpa-care-coordinator-responsibilities"))
    uris = re.findall(r'"uri": "([^"]+)"', text)
    assert uris and all(u.startswith("https://competency.northfield.nhs.uk/ims/case/v1p1/") for u in uris)


def test_a_new_version_deprecates_the_old_and_each_kept_item_is_replaced_by_its_successor(client, seeded):
    slug = "cpa-care-coordinator-responsibilities"
    package = _package(client, slug)
    changed = copy.deepcopy(package)
    first_item = next(i for i in changed["CFPackage"]["CFItems"] if i["CFItemType"] != "Domain")
    first_item["fullStatement"] += " (reworded)"
    changed["CFPackage"]["CFDocument"]["version"] = "2026-review"
    loader.load(db.session, read_named({"changed.json": json.dumps(changed).encode()}))
    db.session.commit()
    old, new = _version(slug, 1), _version(slug, 2)
    assert new.version_label == "2026-review" and new.case_identifier != old.case_identifier
    old_package = _package(client, slug, 1)["CFPackage"]
    assert old_package["CFDocument"]["adoptionStatus"] == "Deprecated"
    replaced = {
        (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
        for a in old_package["CFAssociations"]
        if a["associationType"] == "replacedBy"
    }
    assert (old.case_identifier, new.case_identifier) in replaced
    successors = {i.code: i.case_identifier for d in new.domains for i in d.items}
    for domain in old.domains:
        for item in domain.items:
            assert (item.case_identifier, successors[item.code]) in replaced
    assert _package(client, slug, 2)["CFPackage"]["CFDocument"]["adoptionStatus"] == "Adopted"


def test_export_then_import_gives_back_the_same_framework(client, seeded):
    for version in db.session.scalars(select(FrameworkVersion)).all():
        body = client.get(f"{CASE}/CFPackages/{version.case_identifier}?download=1")
        assert "attachment" in body.headers["Content-Disposition"]
        bundle = read_named({"package.json": body.data})
        (parsed,) = bundle.frameworks.values()
        assert content_hash(parsed.spec) == version.content_hash, version.title
        changes = [c for c in loader.plan(db.session, bundle) if c.kind == "framework"]
        assert [c.action for c in changes] == ["unchanged"]


def test_another_trusts_package_loads_from_the_command_line_as_a_new_framework(client, runner, seeded, tmp_path):
    package = _package(client, "leeds-recovery-centre-care-coordinator-duties")
    facts = package["CFPackage"]["CFDocument"]["extensions"]["nhsCompetencyPortal"]
    facts["id"] = "westshire-care-coordinator-duties"
    path = tmp_path / "westshire.json"
    path.write_text(json.dumps(package))
    result = runner.invoke(args=["frameworks", "load", str(path)])
    assert result.exit_code == 0, result.output
    copy_of = _version("westshire-care-coordinator-duties")
    original = _version("leeds-recovery-centre-care-coordinator-duties")
    assert [(i.code, i.statement) for d in copy_of.domains for i in d.items] == [
        (i.code, i.statement) for d in original.domains for i in d.items
    ]


FOREIGN = {
    "CFPackage": {
        "CFDocument": {
            "identifier": "0b7f2d4e-1c1a-4a8e-9a53-1f7c2d9e0a11",
            "uri": "https://case.example.org/ims/case/v1p1/CFDocuments/0b7f2d4e-1c1a-4a8e-9a53-1f7c2d9e0a11",
            "creator": "Example Mental Health Partnership",
            "title": "Preceptorship competencies (Band 5)",
            "version": "3.0",
            "lastChangeDateTime": "2026-01-10T09:00:00Z",
        },
        "CFItems": [
            {"identifier": "a1", "fullStatement": "Safe practice", "humanCodingScheme": "SP"},
            {"identifier": "a2", "fullStatement": "Administer medicines safely", "humanCodingScheme": "SP 1"},
            {"identifier": "a3", "fullStatement": "Check the prescription against the chart"},
            {"identifier": "a4", "fullStatement": "Communicate with people and carers"},
        ],
        "CFAssociations": [
            {"associationType": "isChildOf", "sequenceNumber": 1, "originNodeURI": {"identifier": "a1"},
             "destinationNodeURI": {"identifier": "0b7f2d4e-1c1a-4a8e-9a53-1f7c2d9e0a11"}},
            {"associationType": "isChildOf", "sequenceNumber": 1, "originNodeURI": {"identifier": "a2"},
             "destinationNodeURI": {"identifier": "a1"}},
            {"associationType": "isChildOf", "sequenceNumber": 1, "originNodeURI": {"identifier": "a3"},
             "destinationNodeURI": {"identifier": "a2"}},
            {"associationType": "isChildOf", "sequenceNumber": 2, "originNodeURI": {"identifier": "a4"},
             "destinationNodeURI": {"identifier": "0b7f2d4e-1c1a-4a8e-9a53-1f7c2d9e0a11"}},
        ],
    }
}  # fmt: skip


def test_a_package_from_another_publisher_is_read_from_case_alone(app):
    (parsed,) = read_named({"preceptorship.json": json.dumps(FOREIGN).encode()}).frameworks.values()
    spec = parsed.spec
    assert (spec.id, spec.kind, spec.version) == ("preceptorship-competencies-band-5", "competency_framework", "3.0")
    assert spec.source.organisation == "Example Mental Health Partnership"
    assert [(d.code, d.title, [(i.code, i.statement) for i in d.items]) for d in spec.domains] == [
        ("SP", "Safe practice", [("SP-1", "Administer medicines safely"),
                                 ("SP.2", "Check the prescription against the chart")]),
        ("GEN", "General", [("GEN.1", "Communicate with people and carers")]),
    ]  # fmt: skip
    assert "Imported from the CASE package https://case.example.org/" in spec.notes


def _refusal(body: bytes) -> str:
    try:
        read_named({"their.json": body})
    except FrameworkFileError as error:
        return str(error)
    raise AssertionError("the package was accepted")


def test_broken_packages_are_refused_saying_what_is_wrong(app):
    no_statement = copy.deepcopy(FOREIGN)
    no_statement["CFPackage"]["CFItems"][2]["fullStatement"] = " "
    no_items = copy.deepcopy(FOREIGN)
    no_items["CFPackage"]["CFItems"] = []
    cases = {
        b'{"CFPackage": {"CFDocument": {}, ': "this is not valid JSON",
        b'{"CFDocument": {"title": "a", "title": "b"}}': "appears twice",
        json.dumps(no_statement).encode(): "CFItem a3 has no fullStatement",
        json.dumps(no_items).encode(): "has no CFItems",
        b'{"CFPackage": {"CFItems": [{"identifier": "x", "fullStatement": "y"}]}}': "has no CFDocument",
        b"[1, 2]": "must be a JSON object",
    }
    for body, expected in cases.items():
        assert expected in _refusal(body), body


def test_an_administrator_uploads_a_case_package_in_the_browser_and_loads_it(as_admin, client):
    package = copy.deepcopy(FOREIGN)
    response = upload(as_admin, ("preceptorship.json", json.dumps(package).encode()))
    assert response.status_code == 302
    plan = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "framework preceptorship-competencies-band-5</strong>: new" in plan
    draft = db.session.scalars(select(FrameworkDraft)).one()
    loaded = as_admin.post(
        f"/admin/drafts/{draft.id}/load",
        data={"csrf_token": token(as_admin, "/admin/frameworks"), "revision": draft.revision},
    )
    assert loaded.status_code == 302
    page = client.get("/frameworks/preceptorship-competencies-band-5").get_data(as_text=True)
    assert "Administer medicines safely" in page and "Download it as a CASE package (JSON)" in page


def test_a_public_url_that_is_not_an_address_stops_the_portal_at_start():
    from competency_portal.config import ConfigError, from_environment

    try:
        from_environment({"PUBLIC_URL": "competency.trust.nhs.uk"})
    except ConfigError as error:
        assert "PUBLIC_URL" in str(error)
    else:
        raise AssertionError("a PUBLIC_URL without https:// was accepted")
    assert from_environment({"PUBLIC_URL": "https://competency.trust.nhs.uk/"})["PUBLIC_URL"] == (
        "https://competency.trust.nhs.uk"
    )
