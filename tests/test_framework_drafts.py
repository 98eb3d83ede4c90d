"""Administrators turn a document into a loaded framework in the browser: upload, review, load."""

from __future__ import annotations

import yaml
from importer_docs import lists_docx, prose_docx
from sqlalchemy import select
from test_admin import csrf_from, events, person, sign_in

from competency_portal.extensions import db
from competency_portal.models import CrosswalkPair, DraftState, Framework, FrameworkDraft, Role

token = csrf_from  # the CSRF token on the form at a path


def upload(client, name: str, data: bytes):
    from io import BytesIO

    return client.post(
        "/admin/frameworks",
        data={"csrf_token": token(client, "/admin/frameworks"), "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def the_draft() -> FrameworkDraft:
    db.session.expire_all()
    return db.session.scalars(select(FrameworkDraft)).one()


def post(client, path: str, draft: FrameworkDraft, **data):
    data.setdefault("revision", draft.revision)
    data["csrf_token"] = token(client, f"/admin/drafts/{draft.id}")
    return client.post(path, data=data)


def test_a_document_becomes_a_draft_shown_beside_its_source(as_admin):
    response = upload(as_admin, "cpn.docx", prose_docx())
    assert response.status_code == 302
    draft = the_draft()
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Review the draft" in page and "Clinical practice" in page
    assert "You will assess risk at every contact" in page
    assert 'aria-label="The document as read"' in page and "paragraph 6" in page
    assert [e.object_id for e in events(db.session, "framework_draft_started")] == [str(draft.id)]


def test_only_administrators_reach_the_import(client, session, seeded):
    staff = person(session, "Sam Staff", "sam@nhs.example", Role.STAFF)
    sign_in(client, staff.email)
    assert client.get("/admin/frameworks").status_code == 403


def test_an_unreadable_document_is_refused_on_the_page(as_admin):
    response = upload(as_admin, "scan.pdf", b"%PDF-1.4\n%%EOF\n")
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.scalars(select(FrameworkDraft)).first() is None


def test_editing_an_item_and_accepting_an_equivalent_then_loading_links_them(as_admin):
    upload(as_admin, "cpn.docx", prose_docx())
    draft = the_draft()
    item = draft.content["frameworks"][0]["domains"][0]["items"][1]
    assert item["_suggestions"], "the importer suggests loaded items for a risk duty"
    best = item["_suggestions"][0]
    key = f"{best['framework']}:{best['code']}"
    path = f"/admin/drafts/{draft.id}/0/items/{item['code']}"
    response = post(
        as_admin,
        path,
        draft,
        statement="You will assess risk at every contact.",
        domain="CP",
        **{f"decision-{key}": "accepted"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    draft = the_draft()
    saved = draft.content["frameworks"][0]["domains"][0]["items"][1]
    assert saved["statement"] == "You will assess risk at every contact."
    assert saved["_suggestions"][0]["decision"] == "accepted"
    # Check, then load: the diff is shown first, then everything is loaded together.
    plan = as_admin.get(f"/admin/drafts/{draft.id}/load").get_data(as_text=True)
    assert "community-psychiatric-nurse-duties</strong>: new" in plan
    assert "community-psychiatric-nurse-duties-equivalents</strong>: new" in plan
    loaded = post(as_admin, f"/admin/drafts/{draft.id}/load", draft)
    assert loaded.status_code == 302
    assert db.session.scalar(select(Framework).where(Framework.slug == "community-psychiatric-nurse-duties"))
    pair = db.session.scalars(select(CrosswalkPair)).all()
    assert any(p.note.startswith("Suggested by the importer") for p in pair)
    assert the_draft().state is DraftState.LOADED
    assert as_admin.get(loaded.headers["Location"]).status_code == 200


def test_an_edit_made_on_an_old_revision_is_refused_not_overwritten(as_admin):
    upload(as_admin, "cpn.docx", prose_docx())
    draft = the_draft()
    old = draft.revision
    code = draft.content["frameworks"][0]["domains"][0]["items"][0]["code"]
    path = f"/admin/drafts/{draft.id}/0/items/{code}"
    assert post(as_admin, path, draft, statement="First administrator's words.", domain="CP").status_code == 302
    response = post(as_admin, path, draft, revision=old, statement="Second administrator's words.", domain="CP")
    assert response.status_code == 400
    assert "changed this draft" in response.get_data(as_text=True)
    statement = the_draft().content["frameworks"][0]["domains"][0]["items"][0]["statement"]
    assert statement == "First administrator's words."


def test_split_merge_move_and_delete(as_admin):
    upload(as_admin, "cpn.docx", prose_docx())
    draft = the_draft()
    base = f"/admin/drafts/{draft.id}/0/items"
    post(as_admin, f"{base}/CP.1/split", draft, parts="Hold a caseload.\nPlan care with each person.")
    draft = the_draft()
    assert [i["statement"] for i in draft.content["frameworks"][0]["domains"][0]["items"]][:2] == [
        "Hold a caseload.",
        "Plan care with each person.",
    ]
    post(as_admin, f"{base}/CP.1/merge", draft)
    draft = the_draft()
    assert (
        draft.content["frameworks"][0]["domains"][0]["items"][0]["statement"]
        == "Hold a caseload. Plan care with each person."
    )
    post(as_admin, f"{base}/CP.1/down", draft)
    draft = the_draft()
    assert draft.content["frameworks"][0]["domains"][0]["items"][1]["code"] == "CP.1"
    post(as_admin, f"{base}/CP.1/delete", draft)
    draft = the_draft()
    assert "CP.1" not in {i["code"] for d in draft.content["frameworks"][0]["domains"] for i in d["items"]}
    assert len(events(db.session, "framework_draft_edited")) == 4


def test_flagged_guesses_stop_the_load_and_link_to_the_item(as_admin):
    upload(as_admin, "flags.txt", b"Main duties\nClinical work\n- Visit people at home. To write up each visit.\n")
    draft = the_draft()
    page = as_admin.get(f"/admin/drafts/{draft.id}/load").get_data(as_text=True)
    assert "to fix before loading" in page and "read as a heading from its layout alone" in page
    assert "tick that you have looked at it" in page and ".yaml" not in page.split("to fix before loading")[1][:600]
    assert f"/admin/drafts/{draft.id}/0/items/" in page
    refused = post(as_admin, f"/admin/drafts/{draft.id}/load", draft)
    assert refused.status_code == 302 and the_draft().state is DraftState.EDITING
    item = the_draft().content["frameworks"][0]["domains"][0]["items"][0]
    post(as_admin, f"/admin/drafts/{draft.id}/0/items/{item['code']}", the_draft(), statement=item["statement"],
         domain=item["code"].split(".")[0], checked="y")  # fmt: skip
    assert "check" not in the_draft().content["frameworks"][0]["domains"][0]["items"][0]


def test_a_person_specification_item_keeps_its_flag_and_methods(as_admin):
    upload(as_admin, "lists.docx", lists_docx())
    draft = the_draft()
    spec_index = next(i for i, f in enumerate(draft.content["frameworks"]) if f["kind"] == "person_specification")
    path = f"/admin/drafts/{draft.id}/{spec_index}/items/QUA.2"
    page = as_admin.get(path).get_data(as_text=True)
    assert "Essential or desirable" in page and "How it is assessed" in page
    statement = "Non-medical prescribing qualification"
    post(as_admin, path, draft, statement=statement, domain="QUA", requirement="essential",
         assessed_by=["application", "interview"])  # fmt: skip
    saved = the_draft().content["frameworks"][spec_index]["domains"][0]["items"][1]
    assert (saved["requirement"], saved["assessed_by"]) == ("essential", ["application", "interview"])


def test_the_draft_downloads_as_yaml_the_command_line_reads(as_admin):
    upload(as_admin, "cpn.docx", prose_docx())
    draft = the_draft()
    response = as_admin.get(f"/admin/drafts/{draft.id}/0.yaml")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    document = yaml.safe_load(response.get_data(as_text=True))
    assert document["kind"] == "job_description"
    assert not any(k.startswith("_") for d in document["domains"] for i in d["items"] for k in i)


def test_a_new_version_of_a_loaded_framework_shows_the_diff(as_admin):
    upload(as_admin, "cpn.docx", prose_docx())
    draft = the_draft()
    post(as_admin, f"/admin/drafts/{draft.id}/load", draft)
    upload(as_admin, "cpn.docx", prose_docx())
    second = db.session.scalars(select(FrameworkDraft).where(FrameworkDraft.state == DraftState.EDITING)).one()
    post(as_admin, f"/admin/drafts/{second.id}/0/items/CP.1/delete", second)
    second = db.session.get(FrameworkDraft, second.id)
    plan = as_admin.get(f"/admin/drafts/{second.id}/load").get_data(as_text=True)
    assert "new version (revision 2)" in plan and "item CP.1 removed" in plan


def test_discarding_closes_the_draft(as_admin):
    upload(as_admin, "cpn.docx", prose_docx())
    draft = the_draft()
    response = post(as_admin, f"/admin/drafts/{draft.id}/discard", draft)
    assert response.status_code == 302
    assert the_draft().state is DraftState.DISCARDED
    page = as_admin.get(f"/admin/drafts/{draft.id}").get_data(as_text=True)
    assert "can no longer be changed" in page


def test_staff_self_assess_and_record_evidence_against_an_imported_framework(as_admin, app, session):
    """The issue's whole path: a document in, reviewed and loaded, in a role profile, and then used by staff."""
    upload(as_admin, "cpn.docx", prose_docx())
    draft = the_draft()
    assert post(as_admin, f"/admin/drafts/{draft.id}/load", draft).status_code == 302
    role = {"csrf_token": token(as_admin, "/admin/roles/new"), "revision": 0, "ident": "northfield-cpn",
            "title": "Northfield CPN", "include-community-psychiatric-nurse-duties": "y",
            "target-community-psychiatric-nurse-duties": "3"}  # fmt: skip
    assert as_admin.post("/admin/roles/new", data=role).status_code == 302
    staff = person(session, "Sam Staff", "sam@nhs.example", Role.STAFF, target_role="northfield-cpn")
    client = app.test_client()  # a second browser, for the member of staff
    sign_in(client, staff.email)
    page = client.get("/portfolio/self-assessment").get_data(as_text=True)
    assert "You will assess risk at every contact and write a safety plan that the person has agreed." in page
    evidence = client.get("/portfolio/evidence/new").get_data(as_text=True)
    assert "You will chair multidisciplinary reviews when the consultant is not available." in evidence


def test_naming_the_framework_and_its_organisation(as_admin):
    upload(as_admin, "lists.docx", lists_docx())
    draft = the_draft()
    path = f"/admin/drafts/{draft.id}/0/identity"
    assert "Not stated in the document" in as_admin.get(path).get_data(as_text=True)
    response = post(as_admin, path, draft, replaces="", ident="northfield-cpn-duties", title="Northfield CPN duties",
                    version="2026", organisation="Northfield Community NHS Trust")  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    framework = the_draft().content["frameworks"][0]
    assert (framework["id"], framework["version"], framework["source"]["organisation"]) == (
        "northfield-cpn-duties", "2026", "Northfield Community NHS Trust"
    )  # fmt: skip
    bad = post(as_admin, path, the_draft(), replaces="", ident="Not A Slug", title="T", version="1", organisation="O")
    assert bad.status_code == 400 and "lower-case letters" in bad.get_data(as_text=True)


def test_items_made_by_a_split_get_their_own_suggestions(as_admin):
    upload(as_admin, "cpn.docx", prose_docx())
    draft = the_draft()
    parts = "Hold a caseload of adults with severe mental illness.\nReview risk assessments and risk management plans."
    post(as_admin, f"/admin/drafts/{draft.id}/0/items/CP.1/split", draft, parts=parts)
    items = the_draft().content["frameworks"][0]["domains"][0]["items"]
    assert items[1]["statement"] == "Review risk assessments and risk management plans."
    assert any(s["code"] == "RA.5" for s in items[1]["_suggestions"])
