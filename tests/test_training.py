"""Mandatory training: the framework file, red/amber/green states, records, pages and permissions."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select
from test_framework_files import problems_for, write
from test_framework_load import demo_folder
from world import NOW, PASSWORD, person, supervise

from competency_portal.extensions import db
from competency_portal.models import AuditEvent, DbsCheck, Registration, Role, TrainingRecord, TrainingSubject
from competency_portal.services import training
from competency_portal.services import training_records as records
from competency_portal.services import training_rules as rules
from competency_portal.services.training_rules import State
from tests.portal_helpers import Browser, body, diff, snapshot

TODAY = NOW.date()

TRAINING = """\
kind: training
id: demo-training
title: Demo mandatory training
subjects:
  - id: fire-safety
    title: Fire safety
    renewal_months: 24
  - id: resuscitation
    title: Resuscitation
    renewal_months: 12
    roles:
      demo-role: null
  - id: infection-prevention
    title: Infection prevention
    renewal_months: 12
    roles:
      demo-role: 36
  - id: induction
    title: Trust induction
    renewal_months: null
"""


def training_folder(tmp_path, text: str = TRAINING):
    folder = demo_folder(tmp_path)
    write(folder, "training.yaml", text)
    return folder


def subjects(session) -> dict[str, TrainingSubject]:
    session.expire_all()
    return {s.slug: s for s in session.scalars(select(TrainingSubject))}


# -- the framework file ------------------------------------------------------------------


def test_a_training_file_loads_with_per_role_rules(runner, session, tmp_path):
    result = runner.invoke(args=["frameworks", "load", str(training_folder(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "training demo-training: new" in result.output and "4 subjects" in result.output
    loaded = subjects(session)
    assert [s.slug for s in sorted(loaded.values(), key=lambda s: s.position)] == [
        "fire-safety",
        "resuscitation",
        "infection-prevention",
        "induction",
    ]
    assert loaded["resuscitation"].role_rules == {"demo-role": None}
    assert loaded["infection-prevention"].role_rules == {"demo-role": 36}
    assert loaded["induction"].renewal_months is None and not loaded["fire-safety"].retired


def test_loading_the_same_training_file_again_changes_nothing(runner, session, tmp_path):
    folder = training_folder(tmp_path)
    runner.invoke(args=["frameworks", "load", str(folder)])
    before = snapshot()
    again = runner.invoke(args=["frameworks", "load", str(folder)])
    assert again.exit_code == 0 and "Loaded 0 changes; 6 unchanged." in again.output
    assert not diff(before, snapshot())


def test_a_changed_period_updates_the_subject_in_place(runner, session, tmp_path):
    folder = training_folder(tmp_path)
    runner.invoke(args=["frameworks", "load", str(folder)])
    ids = {slug: s.id for slug, s in subjects(session).items()}
    write(folder, "training.yaml", TRAINING.replace("renewal_months: 24", "renewal_months: 36"))
    changes = runner.invoke(args=["frameworks", "diff", str(folder)])
    assert (
        "training demo-training: updated" in changes.output
        and "subject fire-safety changed (renewal_months)" in changes.output
    )
    assert runner.invoke(args=["frameworks", "load", str(folder)]).exit_code == 0
    loaded = subjects(session)
    assert loaded["fire-safety"].renewal_months == 36 and {slug: s.id for slug, s in loaded.items()} == ids


def test_a_subject_taken_out_of_the_file_is_retired_and_its_records_kept(runner, session, tmp_path, app, monkeypatch):
    folder = training_folder(tmp_path)
    runner.invoke(args=["frameworks", "load", str(folder)])
    sam = person(session, "Sam Staff", target_role=None)
    records.add_record(session, sam, "induction", date(2024, 1, 5), None, None, sam, TODAY)
    session.commit()
    write(folder, "training.yaml", TRAINING.split("  - id: induction")[0])
    diffed = runner.invoke(args=["frameworks", "diff", str(folder)])
    assert "subject induction retired (records of it are kept)" in diffed.output
    result = runner.invoke(args=["frameworks", "load", str(folder)])
    assert result.exit_code == 0, result.output
    loaded = subjects(session)
    assert loaded["induction"].retired and not loaded["fire-safety"].retired
    assert session.scalar(select(func.count()).select_from(TrainingRecord)) == 1
    # Retired subjects are no longer required or offered, but their history still shows.
    assert "induction" not in [s.slug for s in training.current_subjects(session)]
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    page = signed_in(app, sam).get("/training")
    assert "Trust induction (no longer mandatory): 1 record" in body(page)
    assert '<option value="induction"' not in body(page)
    # Putting it back restores it.
    write(folder, "training.yaml", TRAINING)
    assert "subject induction restored" in runner.invoke(args=["frameworks", "load", str(folder)]).output
    assert not subjects(session)["induction"].retired


def test_an_unknown_role_is_refused_with_file_line_and_key(runner, session, tmp_path):
    folder = training_folder(tmp_path, TRAINING.replace("demo-role: null", "no-such-role: null"))
    result = runner.invoke(args=["frameworks", "load", str(folder)])
    assert result.exit_code == 1
    assert (
        "training.yaml:12: subjects[1].roles.no-such-role: role profile 'no-such-role' does not exist" in result.output
    )
    assert "nothing was loaded" in result.output and "Traceback" not in result.output
    assert session.scalar(select(func.count()).select_from(TrainingSubject)) == 0


def test_a_role_that_is_already_loaded_may_be_named(runner, session, tmp_path):
    runner.invoke(args=["frameworks", "load", str(demo_folder(tmp_path))])
    only = tmp_path / "only"
    write(only, "training.yaml", TRAINING)
    result = runner.invoke(args=["frameworks", "load", str(only)])
    assert result.exit_code == 0, result.output


def test_training_file_mistakes_are_named(tmp_path):
    dup = TRAINING.replace("id: resuscitation", "id: fire-safety")
    assert "training.yaml:8: subjects[1].id: subject id 'fire-safety' is already used by subjects[0]" in " ".join(
        problems_for(write(tmp_path / "a", "training.yaml", dup))
    )
    too_long = problems_for(
        write(tmp_path / "b", "training.yaml", TRAINING.replace("renewal_months: 24", "renewal_months: 240"))
    )
    assert any("training.yaml:7: subjects[0].renewal_months: 240 is out of range" in p for p in too_long)
    missing = problems_for(write(tmp_path / "c", "training.yaml", TRAINING.replace("    renewal_months: 24\n", "")))
    assert any("subjects[0].renewal_months: 'renewal_months' is missing; add it" in p for p in missing)
    bad_role = problems_for(write(tmp_path / "d", "training.yaml", TRAINING.replace("demo-role: 36", "demo-role: 0")))
    assert any("subjects[2].roles.demo-role: 0 is out of range" in p for p in bad_role)
    folder = tmp_path / "e"
    write(folder, "one.yaml", TRAINING)
    write(folder, "two.yaml", TRAINING.replace("id: demo-training", "id: more-training"))
    assert any("two.yaml:1: kind: there is already a training file" in p for p in problems_for(folder))


def test_the_real_training_file_loads_with_every_core_skills_subject(seeded):
    loaded = subjects(seeded)
    periods = {slug: s.renewal_months for slug, s in loaded.items()}
    assert periods == {
        "equality-diversity-human-rights": 36,
        "health-safety-welfare": 36,
        "conflict-resolution": 36,
        "fire-safety": 24,
        "infection-prevention-control": 12,
        "moving-handling": 24,
        "safeguarding-adults": 36,
        "safeguarding-children": 36,
        "prevent": 36,
        "resuscitation": 12,
        "information-governance": 12,
    }
    assert loaded["infection-prevention-control"].role_rules == {"leeds-recovery-centre-care-coordinator": 36}


# -- red, amber, green -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "state"),
    [
        (-400, State.EXPIRED),
        (-1, State.EXPIRED),
        (0, State.EXPIRED),
        (1, State.DUE_30),
        (29, State.DUE_30),
        (30, State.DUE_30),
        (31, State.DUE_60),
        (59, State.DUE_60),
        (60, State.DUE_60),
        (61, State.DUE_90),
        (89, State.DUE_90),
        (90, State.DUE_90),
        (91, State.IN_DATE),
        (1000, State.IN_DATE),
    ],
)
def test_states_at_the_boundaries(days, state):
    assert rules.state_on(TODAY + timedelta(days=days), TODAY) == state


def test_every_state_has_words_and_a_colour():
    for state in State:
        assert state.label and state.tag_class.startswith("nhsuk-tag--")
    assert State.EXPIRED.label == "Expired" and State.IN_DATE.label == "In date"
    assert State.NOT_REQUIRED.label == "Not required for this role" and State.NOT_REQUIRED.rag == "none"
    assert {State.MISSING.rag, State.EXPIRED.rag, State.DUE_30.rag, State.DUE_90.rag, State.IN_DATE.rag} == {
        "red",
        "amber",
        "green",
    }


FIRE = SimpleNamespace(
    id=1, slug="fire", title="Fire safety", renewal_months=24, role_rules={"no-fire": None, "fire-yearly": 12}
)
ONCE = SimpleNamespace(id=2, slug="induction", title="Induction", renewal_months=None, role_rules={})


def rec(completed: date, expires: date | None = None, rid: int = 1):
    return SimpleNamespace(id=rid, completed_on=completed, expires_on=expires)


def test_expiry_comes_from_the_role_or_subject_period_or_the_certificate():
    done = date(2025, 1, 31)
    assert rules.subject_row(FIRE, "any-role", rec(done), TODAY).expires_on == date(2027, 1, 31)
    yearly = rules.subject_row(FIRE, "fire-yearly", rec(done), TODAY)
    assert yearly.expires_on == date(2026, 1, 31) and yearly.state == State.EXPIRED and yearly.months == 12
    assert rules.subject_row(FIRE, None, rec(done, expires=date(2026, 12, 1)), TODAY).state == State.DUE_30
    assert rules.subject_row(ONCE, None, rec(done), TODAY).state == State.IN_DATE
    # add_months clamps to the end of the month.
    assert rules.subject_row(FIRE, "fire-yearly", rec(date(2024, 2, 29)), TODAY).expires_on == date(2025, 2, 28)


def test_expired_yesterday_missing_and_not_required():
    yesterday = TODAY - timedelta(days=1)
    expired = rules.subject_row(FIRE, None, rec(date(yesterday.year - 2, yesterday.month, yesterday.day)), TODAY)
    assert expired.expires_on == yesterday and expired.state == State.EXPIRED and expired.label == "Expired"
    assert rules.subject_row(FIRE, None, None, TODAY).state == State.MISSING
    not_needed = rules.subject_row(FIRE, "no-fire", None, TODAY)
    assert not_needed.state == State.NOT_REQUIRED and not_needed.rag == "none"
    assert rules.subject_row(FIRE, "no-fire", rec(date(2010, 1, 1)), TODAY).state == State.NOT_REQUIRED


def test_the_latest_record_counts():
    old, new = rec(date(2020, 1, 1), rid=5), rec(date(2026, 1, 1), rid=3)
    assert rules.latest([old, new]) is new
    same_day = rec(date(2026, 1, 1), rid=9)
    assert rules.latest([old, new, same_day]) is same_day


def test_registration_and_dbs_states():
    assert rules.registration_row(None, TODAY).state == State.MISSING
    reg = SimpleNamespace(body="NMC", number="12A3456E", renewal_on=TODAY + timedelta(days=45))
    row = rules.registration_row(reg, TODAY)
    assert row.state == State.DUE_60 and "NMC 12A3456E" in row.title
    assert rules.DBS_RENEWAL_MONTHS == 36
    check = SimpleNamespace(
        checked_on=date(TODAY.year - 3, TODAY.month, TODAY.day) + timedelta(days=20), level="enhanced"
    )
    assert rules.dbs_row(check, TODAY).state == State.DUE_30
    old = SimpleNamespace(checked_on=date(2020, 1, 1), level="enhanced")
    assert rules.dbs_row(old, TODAY).state == State.EXPIRED
    assert rules.dbs_row(None, TODAY).state == State.MISSING


def test_summary_counts():
    rows = [
        rules.Row("a", "A", s)
        for s in (State.EXPIRED, State.MISSING, State.DUE_30, State.DUE_90, State.IN_DATE, State.NOT_REQUIRED)
    ]
    counts = rules.summary_counts(rows)
    assert (counts.red, counts.amber, counts.green, counts.not_required, counts.required) == (2, 2, 1, 1, 5)
    assert counts.sentence == "2 expired or not recorded, 2 due within 90 days, 1 in date, 1 not required for the role."
    assert [r.state for r in rules.needing_attention(rows)] == [
        State.EXPIRED,
        State.MISSING,
        State.DUE_30,
        State.DUE_90,
    ]


# -- records and queries -----------------------------------------------------------------


def test_records_are_never_overwritten_and_the_latest_counts(seeded):
    sam = person(seeded, "Sam Staff")
    first = records.add_record(seeded, sam, "fire-safety", date(2023, 1, 10), None, "First time", sam, TODAY)
    second = records.add_record(seeded, sam, "fire-safety", date(2025, 6, 1), None, "Refresher", sam, TODAY)
    seeded.commit()
    found = training.history(seeded, sam, TODAY)
    fire = next(s for s in found.subjects if s.slug == "fire-safety")
    assert [r.id for r in found.records[fire.id]] == [second.id, first.id]
    row = next(r for r in found.status.subjects if r.key == "fire-safety")
    assert row.completed_on == date(2025, 6, 1) and row.expires_on == date(2027, 6, 1) and row.state == State.IN_DATE
    actions = seeded.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == sam.id)).all()
    assert actions.count("training_recorded") == 2


def test_the_bulk_status_uses_the_same_number_of_queries_for_2_and_10_people(seeded):
    people = [person(seeded, f"Person {n}") for n in range(10)]
    for n, p in enumerate(people):
        records.add_record(seeded, p, "fire-safety", date(2025, 1, 1 + n), None, None, p, TODAY)
        records.add_record(seeded, p, "fire-safety", date(2026, 1, 1 + n), None, None, p, TODAY)
        records.add_dbs_check(seeded, p, date(2024, 12, 1), "enhanced", None, p, TODAY)
        seeded.add(Registration(user_id=p.id, body="NMC", number=f"N{n}", renewal_on=date(2028, 1, 1)))
    seeded.commit()

    def queries(group):
        seeded.expire_all()
        group = [seeded.get(type(p), p.id) for p in group]
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            result = training.statuses_for(seeded, group, TODAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements), result

    two, _ = queries(people[:2])
    ten, result = queries(people)
    assert two == ten <= 4
    fire = next(r for r in result[people[9].id].subjects if r.key == "fire-safety")
    assert fire.completed_on == date(2026, 1, 10)
    assert result[people[0].id].dbs.state == State.IN_DATE and result[people[0].id].registration.state == State.IN_DATE


def test_the_summary_partial_renders_words_not_just_colour(app, seeded):
    sam = person(seeded, "Sam Staff")
    status = training.statuses_for(seeded, [sam], TODAY)[sam.id]
    template = app.jinja_env.from_string(
        '{% from "training/_summary.html" import training_summary %}{{ training_summary(rows, link="/training") }}'
    )
    html = template.render(rows=status.all_rows)
    assert "13 expired or not recorded, 0 due within 90 days, 0 in date." in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Not recorded</strong>' in html and 'href="/training"' in html


# -- pages -------------------------------------------------------------------------------


def signed_in(app, user) -> Browser:
    browser = Browser(app, user.name)
    browser.sign_in(user.email, PASSWORD)
    return browser


def completion(subject="fire-safety", day="3", month="3", year="2025", **extra) -> dict:
    return {
        "subject": subject,
        "completed_on-day": day,
        "completed_on-month": month,
        "completed_on-year": year,
        **extra,
    }


@pytest.fixture
def people_world(app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_NOW", NOW)
    staff = person(seeded, "Sam Staff")
    other = person(seeded, "Olu Other")
    sup = person(seeded, "Sue Supervisor", roles=(Role.STAFF, Role.SUPERVISOR))
    stranger = person(seeded, "Stan Stranger", roles=(Role.STAFF, Role.SUPERVISOR))
    admin = person(seeded, "Ada Admin", roles=(Role.ADMIN,), target_role=None)
    supervise(seeded, sup, staff)
    return SimpleNamespace(staff=staff, other=other, sup=sup, stranger=stranger, admin=admin)


def errors(response) -> list[str]:
    found = re.search(r'nhsuk-error-summary__list">(.*?)</ul>', body(response), re.S)
    return re.findall(r'<a href="[^"]*">([^<]+)</a>', found.group(1)) if found else []


def records_of(user) -> list[TrainingRecord]:
    found = db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.user_id == user.id).order_by(TrainingRecord.id)
    ).all()
    db.session.rollback()
    return found


def test_my_training_page_shows_states_in_words_and_history(app, people_world):
    w = people_world
    me = signed_in(app, w.staff)
    page = me.get("/training")
    assert page.status_code == 200
    text = body(page)
    assert "<title>My training" in text and "Not recorded" in text and "Renew every" in text
    assert me.post("/training/records", completion(note="Online module")).status_code == 302
    assert me.post("/training/records", completion(day="1", month="10", year="2026")).status_code == 302
    text = body(me.get("/training"))
    assert "Fire safety: 2 records" in text and "Online module" in text
    assert "1 October 2026 (current)" in text and "1 October 2028" in text
    assert '<strong class="nhsuk-tag nhsuk-tag--green">In date</strong>' in text
    assert len(records_of(w.staff)) == 2


def test_registration_and_dbs_are_recorded_and_audited(app, people_world):
    me = signed_in(app, people_world.staff)
    reg = me.post(
        "/training/registration",
        {
            "body": "NMC",
            "number": "12A3456E",
            "renewal_on-day": "31",
            "renewal_on-month": "12",
            "renewal_on-year": "2026",
        },
    )
    assert reg.status_code == 302
    dbs = me.post(
        "/training/dbs",
        {"checked_on-day": "1", "checked_on-month": "12", "checked_on-year": "2023", "level": "enhanced"},
    )
    assert dbs.status_code == 302
    text = body(me.get("/training"))
    assert "Professional registration (NMC 12A3456E)" in text and "Due within 60 days" in text
    assert "Renew by 1 December 2026" in text and "Due within 30 days" in text
    # A new registration entry replaces the current one; the earlier one is kept.
    me.post(
        "/training/registration",
        {
            "body": "NMC",
            "number": "12A3456E",
            "renewal_on-day": "31",
            "renewal_on-month": "12",
            "renewal_on-year": "2029",
        },
    )
    assert "Registrations: 2 recorded" in body(me.get("/training"))
    actions = set(db.session.scalars(select(AuditEvent.action)))
    db.session.rollback()
    assert {"registration_recorded", "dbs_check_recorded"} <= actions


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (completion(year="2027"), "The date completed must be today or in the past"),
        (completion(day="31", month="2"), "The date completed must be a real date"),
        (completion(day="", month="", year=""), "Enter the date completed"),
        (completion(subject="no-such-subject"), "Choose a training subject from the list"),
        (completion(subject=""), "Choose a training subject"),
        (
            completion(**{"expires_on-day": "1", "expires_on-month": "1", "expires_on-year": "2025"}),
            "The certificate expiry date must be after the date completed",
        ),
        (
            completion(**{"expires_on-day": "1", "expires_on-month": "", "expires_on-year": "2029"}),
            "The certificate expiry date must include a month",
        ),
        (completion(note="x" * 2001), "Enter a note of 2,000 characters or fewer"),
    ],
)
def test_bad_completions_are_refused_with_a_clear_message(app, people_world, form, message):
    me = signed_in(app, people_world.staff)
    before = snapshot()
    response = me.post("/training/records", form)
    assert response.status_code == 400 and message in errors(response), errors(response)
    assert "Traceback" not in body(response)
    assert not diff(before, snapshot())


def test_bad_registration_and_dbs_entries_are_refused(app, people_world):
    me = signed_in(app, people_world.staff)
    before = snapshot()
    reg = me.post(
        "/training/registration",
        {"body": "", "number": "1", "renewal_on-day": "31", "renewal_on-month": "2", "renewal_on-year": "2027"},
    )
    assert reg.status_code == 400 and {
        "Enter the registration body, for example NMC",
        "The renewal date must be a real date",
    } <= set(errors(reg))
    dbs = me.post(
        "/training/dbs", {"checked_on-day": "1", "checked_on-month": "1", "checked_on-year": "2030", "level": "super"}
    )
    assert dbs.status_code == 400
    assert {"The date of the dbs check must be today or in the past", "Choose the level of the DBS check"} <= set(
        errors(dbs)
    )
    assert not diff(before, snapshot())


def test_other_staff_and_unrelated_supervisors_get_404(app, people_world):
    w = people_world
    for user in (w.other, w.stranger):
        assert signed_in(app, user).get(f"/people/{w.staff.id}/training").status_code == 404
    assert signed_in(app, w.admin).get("/people/999999/training").status_code == 404


def test_a_supervisor_sees_a_supervisees_training_read_only(app, people_world):
    w = people_world
    signed_in(app, w.staff).post("/training/records", completion(note="Classroom session"))
    sup = signed_in(app, w.sup)
    page = sup.get(f"/people/{w.staff.id}/training")
    assert page.status_code == 200
    text = body(page)
    assert "Sam Staff" in text and "Classroom session" in text and "you supervise Sam Staff" in text
    assert "<form" not in text.split("</header>", 1)[1].split("<footer", 1)[0]
    before = snapshot()
    assert sup.post(f"/people/{w.staff.id}/training/records", completion()).status_code == 403
    assert not diff(before, snapshot())
    # Your own page at the people URL goes to /training.
    own = signed_in(app, w.staff).get(f"/people/{w.staff.id}/training")
    assert own.status_code == 302 and own.headers["Location"].endswith("/training")


def test_an_administrator_adds_a_record_for_someone(app, people_world):
    w = people_world
    admin = signed_in(app, w.admin)
    page = admin.get(f"/people/{w.staff.id}/training")
    assert page.status_code == 200 and f'action="/people/{w.staff.id}/training/records"' in body(page)
    response = admin.post(
        f"/people/{w.staff.id}/training/records", completion("resuscitation", note="From the ESR record")
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/people/{w.staff.id}/training")
    [saved] = records_of(w.staff)
    assert saved.recorded_by_id == w.admin.id and saved.completed_on == date(2025, 3, 3)
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "training_recorded"))
    assert event_.actor_id == w.admin.id and event_.subject_id == w.staff.id
    db.session.rollback()
    assert "(recorded by an administrator)" in body(signed_in(app, w.staff).get("/training"))
    bad = admin.post(f"/people/{w.staff.id}/training/records", completion(subject="no-such-subject"))
    assert bad.status_code == 400 and "Choose a training subject from the list" in errors(bad)
    assert admin.post("/people/999999/training/records", completion()).status_code == 404


def test_staff_cannot_add_records_for_another_person(app, people_world):
    w = people_world
    me = signed_in(app, w.staff)
    before = snapshot()
    assert me.post(f"/people/{w.other.id}/training/records", completion()).status_code == 403
    # The self-service route ignores any person id sent with the form: the record is always mine.
    assert (
        me.post(
            "/training/records", {**completion(), "user_id": str(w.other.id), "person_id": str(w.other.id)}
        ).status_code
        == 302
    )
    assert records_of(w.other) == [] and len(records_of(w.staff)) == 1
    assert diff(before, snapshot())  # only the staff member's own record changed


def test_dbs_checks_and_registrations_belong_to_the_person_signed_in(app, people_world):
    w = people_world
    signed_in(app, w.staff).post(
        "/training/dbs",
        {
            "checked_on-day": "1",
            "checked_on-month": "1",
            "checked_on-year": "2025",
            "level": "basic",
            "user_id": str(w.other.id),
        },
    )
    owners = db.session.scalars(select(DbsCheck.user_id)).all()
    db.session.rollback()
    assert owners == [w.staff.id]
