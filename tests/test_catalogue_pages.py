"""The catalogue pages: what a person sees, and that bad input never becomes a server error."""

from __future__ import annotations

from sqlalchemy import event
from test_framework_load import demo_folder

from competency_portal.extensions import db

CPA = "cpa-care-coordinator-competencies"


def test_framework_list_groups_frameworks_by_kind(client, seeded):
    page = client.get("/frameworks/").get_data(as_text=True)
    assert "<h2>Competency frameworks" in page and "<h2>Person specifications" in page
    assert "CPA policy: Care Co-ordinator competencies" in page


def test_framework_page_shows_source_domains_items_and_history(client, seeded):
    page = client.get(f"/frameworks/{CPA}").get_data(as_text=True)
    assert "consultation draft" in page
    assert 'id="domain-RA"' in page and "Risk Assessment and Management" in page
    assert "To carry out initial assessments" in page
    assert "Review every 12 months" in page
    assert "Version history" in page


def test_person_specification_shows_requirement_and_how_assessed(client, seeded):
    page = client.get("/frameworks/leeds-recovery-centre-care-coordinator-person-spec").get_data(as_text=True)
    assert "Essential</strong>" in page and "Desirable</strong>" in page
    assert "Assessed by: Application" in page and "Assessed by: Interview" in page


def test_item_page_shows_crosswalk_equivalents(client, seeded):
    page = client.get(f"/frameworks/{CPA}/items/NA.1").get_data(as_text=True)
    assert "The same competence elsewhere" in page
    assert "/frameworks/cpa-care-coordinator-responsibilities/items/1.1" in page
    back = client.get("/frameworks/cpa-care-coordinator-responsibilities/items/1.1").get_data(as_text=True)
    assert f"/frameworks/{CPA}/items/NA.1" in back


def test_search_finds_items_across_frameworks(client, seeded):
    page = client.get("/frameworks/search?q=advocacy").get_data(as_text=True)
    assert "found for “advocacy”" in page
    assert f"/frameworks/{CPA}/items/CP.7" in page
    assert "/frameworks/cpa-care-coordinator-responsibilities/items/1.5" in page


def test_search_needs_every_word_and_treats_wildcards_as_text(client, seeded):
    assert "0 items found" in client.get("/frameworks/search?q=advocacy+zebra").get_data(as_text=True)
    assert "0 items found" in client.get("/frameworks/search?q=%25%25").get_data(as_text=True)
    assert "0 items found" in client.get("/frameworks/search?q=_").get_data(as_text=True)


def test_search_by_item_code(client, seeded):
    assert f"/frameworks/{CPA}/items/RA.5" in client.get("/frameworks/search?q=RA.5").get_data(as_text=True)


def test_an_over_long_search_gets_a_clear_message(client, seeded):
    response = client.get("/frameworks/search?q=" + "a" * 201)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and "Enter 200 characters or fewer" in page
    assert 'href="#q"' in page


def test_unknown_frameworks_items_and_versions_are_404_pages(client, seeded):
    for url in ["/frameworks/nope", f"/frameworks/{CPA}/items/ZZ.1", f"/frameworks/{CPA}/versions/99", "/roles/nope"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.get_data(as_text=True)


def test_an_earlier_version_is_still_shown_and_marked(client, runner, tmp_path):
    from test_framework_files import FRAMEWORK, write

    folder = demo_folder(tmp_path)
    runner.invoke(args=["frameworks", "load", str(folder)])
    write(folder, "fw.yaml", FRAMEWORK.replace('"1.0"', '"1.1"').replace("Review risk.", "Review risk yearly."))
    runner.invoke(args=["frameworks", "load", str(folder)])
    old = client.get("/frameworks/demo-framework/versions/1").get_data(as_text=True)
    assert "This is an earlier version" in old and "Review risk." in old
    current = client.get("/frameworks/demo-framework").get_data(as_text=True)
    assert "Review risk yearly." in current and "earlier version" not in current
    assert 'href="/frameworks/demo-framework/versions/1"' in current


def test_role_profile_page_lists_targets(client, seeded):
    page = client.get("/roles/care-coordinator-band-6").get_data(as_text=True)
    assert "Care Coordinator (Band 6)" in page and "Target level" in page
    assert "3 (Competent)" in page and "4 (Proficient)" in page


def test_pages_carry_security_headers_and_a_nonce_not_unsafe_inline(client, seeded):
    response = client.get("/frameworks/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_page_loads_assets_from_another_site(client, seeded):
    for url in ["/", "/frameworks/", f"/frameworks/{CPA}", "/frameworks/search?q=risk"]:
        page = client.get(url).get_data(as_text=True)
        assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page, url


def test_framework_page_queries_do_not_grow_with_the_framework(app, client, seeded):
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get(f"/frameworks/{CPA}")
        small = len(statements)
        statements.clear()
        client.get("/frameworks/leeds-recovery-centre-care-coordinator-duties")
        large = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert small == large and small <= 6
