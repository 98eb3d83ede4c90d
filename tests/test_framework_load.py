"""Loading frameworks: all or nothing, idempotent, versioned, with clear errors from the CLI."""

from __future__ import annotations

from sqlalchemy import func, select
from test_framework_files import FRAMEWORK, SCALE, write

from competency_portal.models import Crosswalk, Framework, FrameworkVersion, Item, RoleProfile

OTHER = FRAMEWORK.replace("id: demo-framework", "id: other-framework").replace(
    "title: Demo framework", "title: Other framework"
)
ROLE = """\
kind: role_profile
id: demo-role
title: Demo role
requirements:
  - framework: demo-framework
    target: 3
    items: {A.2: 0}
"""
CROSSWALK = """\
kind: crosswalk
id: demo-walk
title: Demo crosswalk
pairs:
  - a: demo-framework:A.1
    b: other-framework:A.1
    note: Both ask for assessment.
"""


def demo_folder(tmp_path):
    write(tmp_path, "scale.yaml", SCALE)
    write(tmp_path, "fw.yaml", FRAMEWORK)
    write(tmp_path, "other.yaml", OTHER)
    write(tmp_path, "role.yaml", ROLE)
    write(tmp_path, "walk.yaml", CROSSWALK)
    return tmp_path


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_load_writes_frameworks_roles_and_crosswalks(runner, session, tmp_path):
    result = runner.invoke(args=["frameworks", "load", str(demo_folder(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "framework demo-framework: new" in result.output
    assert count(session, Framework) == 2 and count(session, Item) == 4
    role = session.scalar(select(RoleProfile))
    assert sorted((t.item.code, t.target_level) for t in role.targets) == [("A.1", 3), ("A.2", 0)]
    assert len(session.scalar(select(Crosswalk)).pairs) == 1


def test_loading_the_same_content_twice_changes_nothing(runner, session, tmp_path):
    folder = demo_folder(tmp_path)
    runner.invoke(args=["frameworks", "load", str(folder)])
    again = runner.invoke(args=["frameworks", "load", str(folder)])
    assert again.exit_code == 0
    assert "Loaded 0 changes; 5 unchanged." in again.output
    assert count(session, FrameworkVersion) == 2 and count(session, RoleProfile) == 1


def test_one_bad_file_in_a_folder_loads_nothing(runner, session, tmp_path):
    folder = demo_folder(tmp_path)
    write(
        folder, "broken.yaml", FRAMEWORK.replace("id: demo-framework", "id: broken").replace("code: A.2", "code: A.1")
    )
    result = runner.invoke(args=["frameworks", "load", str(folder)])
    assert result.exit_code == 1
    assert "broken.yaml:14: domains[0].items[1].code" in result.output
    assert "nothing was loaded" in result.output
    assert "Traceback" not in result.output
    assert count(session, Framework) == 0 and count(session, Item) == 0


def test_a_failure_while_writing_leaves_the_database_as_it_was(runner, session, tmp_path, monkeypatch):
    from competency_portal.frameworks import loader

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_write_crosswalk", explode)
    result = runner.invoke(args=["frameworks", "load", str(demo_folder(tmp_path))])
    assert result.exit_code != 0
    session.rollback()
    assert count(session, Framework) == 0 and count(session, RoleProfile) == 0


def test_changed_content_becomes_a_new_version_and_keeps_the_old(runner, session, tmp_path):
    folder = demo_folder(tmp_path)
    runner.invoke(args=["frameworks", "load", str(folder)])
    old_item_ids = set(session.scalars(select(Item.id)))
    write(
        folder, "fw.yaml", FRAMEWORK.replace('"1.0"', '"1.1"').replace("Review risk.", "Review risk at least yearly.")
    )

    diff = runner.invoke(args=["frameworks", "diff", str(folder)])
    assert diff.exit_code == 0
    assert "framework demo-framework: new version (revision 2)" in diff.output
    assert "version 1.0 -> 1.1" in diff.output and "item A.2 changed (statement)" in diff.output
    assert count(session, FrameworkVersion) == 2  # diff writes nothing

    result = runner.invoke(args=["frameworks", "load", str(folder)])
    assert result.exit_code == 0, result.output
    versions = session.scalars(
        select(FrameworkVersion)
        .join(Framework)
        .where(Framework.slug == "demo-framework")
        .order_by(FrameworkVersion.revision)
    ).all()
    assert [(v.revision, v.version_label) for v in versions] == [(1, "1.0"), (2, "1.1")]
    assert old_item_ids <= set(session.scalars(select(Item.id)))  # earlier items are kept
    # The role profile and crosswalk were resolved again against the new version.
    role = session.scalars(select(RoleProfile).order_by(RoleProfile.revision.desc())).first()
    assert role.revision == 2 and {t.item.version.revision for t in role.targets} == {2}
    walk = session.scalars(select(Crosswalk).order_by(Crosswalk.revision.desc())).first()
    assert walk.revision == 2


def test_a_change_that_breaks_a_loaded_role_profile_is_refused(runner, session, tmp_path):
    folder = demo_folder(tmp_path)
    runner.invoke(args=["frameworks", "load", str(folder)])
    only_fw = tmp_path / "only"
    write(only_fw, "fw.yaml", FRAMEWORK.replace("code: A.2", "code: A.3"))
    result = runner.invoke(args=["frameworks", "load", str(only_fw / "fw.yaml")])
    assert result.exit_code == 1
    assert "(loaded role profile demo-role)" in result.output and "has no item 'A.2'" in result.output
    assert count(session, FrameworkVersion) == 2


def test_references_to_missing_items_and_frameworks_are_refused(runner, session, tmp_path):
    folder = demo_folder(tmp_path)
    write(folder, "walk.yaml", CROSSWALK.replace("other-framework:A.1", "other-framework:Z.9"))
    write(folder, "role.yaml", ROLE.replace("framework: demo-framework", "framework: no-such-framework"))
    result = runner.invoke(args=["frameworks", "validate", str(folder)])
    assert result.exit_code == 1
    assert "walk.yaml:6: pairs[0].b: framework 'other-framework' has no item 'Z.9'" in result.output
    assert "role.yaml:5: requirements[0].framework: framework 'no-such-framework' does not exist" in result.output


def test_targets_must_be_levels_of_the_scale(runner, tmp_path):
    folder = demo_folder(tmp_path)
    write(folder, "role.yaml", ROLE.replace("target: 3", "target: 2"))
    result = runner.invoke(args=["frameworks", "validate", str(folder)])
    assert result.exit_code == 1
    assert "2 is not a level of the 'proficiency' scale; use one of 0, 3" in result.output


def test_a_framework_cannot_change_kind(runner, tmp_path):
    folder = demo_folder(tmp_path)
    runner.invoke(args=["frameworks", "load", str(folder)])
    write(folder, "fw.yaml", FRAMEWORK.replace("kind: competency_framework", "kind: job_description"))
    result = runner.invoke(args=["frameworks", "load", str(folder)])
    assert result.exit_code == 1 and "cannot change kind" in result.output


def test_list_shows_id_kind_version_and_items(runner, tmp_path):
    empty = runner.invoke(args=["frameworks", "list"])
    assert "No frameworks are loaded" in empty.output
    runner.invoke(args=["frameworks", "load", str(demo_folder(tmp_path))])
    lines = runner.invoke(args=["frameworks", "list"]).output.splitlines()
    row = next(line for line in lines if line.startswith("demo-framework"))
    assert row.split() == ["demo-framework", "competency_framework", "1.0", "1", "2"]


def test_a_missing_path_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["frameworks", "validate", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_the_real_framework_files_validate_and_load(seeded):
    slugs = set(seeded.scalars(select(Framework.slug)))
    assert {
        "cpa-care-coordinator-competencies",
        "cpa-care-coordinator-responsibilities",
        "tameside-mhsw-care-coordinator-person-spec",
        "leeds-recovery-centre-care-coordinator-person-spec",
        "mid-essex-care-coordinator-cpn-duties",
    } <= slugs


def test_validate_checks_the_files_even_before_the_database_exists(tmp_path, monkeypatch):
    """A newcomer can validate framework files on a fresh machine; only the comparison with what is loaded waits."""
    from competency_portal import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)  # an unmigrated SQLite file, whichever database the suite runs on
    bare = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "testing-only",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        }
    )
    runner = bare.test_cli_runner()
    (tmp_path / "files").mkdir()
    folder = demo_folder(tmp_path / "files")
    result = runner.invoke(args=["frameworks", "validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "files valid" in result.output and "Checked as if nothing were loaded" in result.output
    write(folder, "role.yaml", ROLE.replace("target: 3", "target: 2"))
    refused = runner.invoke(args=["frameworks", "validate", str(folder)])
    assert refused.exit_code == 1 and "2 is not a level of the 'proficiency' scale" in refused.output
