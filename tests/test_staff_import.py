"""The staff CSV parser: a pure function of the file's bytes and a snapshot of people already held."""

from __future__ import annotations

import pytest

from competency_portal.models import Role
from competency_portal.services.staff_import import (
    CREATE,
    MAX_BYTES,
    MAX_ROWS,
    NO_CHANGE,
    UPDATE,
    ExistingPerson,
    column_key,
    parse,
)

HEADER = "Name,Email,Job Title,Band,Team,Supervisor Email,Role\n"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode("utf-8")


def held(**people: ExistingPerson) -> dict[str, ExistingPerson]:
    return {p.email: p for p in people.values()}


SUPERVISOR = ExistingPerson(
    id=1,
    email="sam.lead@nhs.example",
    name="Sam Lead",
    job_title="Team Lead",
    band="7",
    team="North CMHT",
    roles=frozenset({Role.STAFF, Role.SUPERVISOR}),
)
STAFF = ExistingPerson(
    id=2,
    email="ann.nurse@nhs.example",
    name="Ann Nurse",
    job_title="Staff Nurse",
    band="5",
    team="North CMHT",
    roles=frozenset({Role.STAFF}),
    supervisor_emails=frozenset({"sam.lead@nhs.example"}),
)


def test_a_good_file_creates_everyone():
    preview = parse(
        csv_bytes(
            "Lee Lead,lee.lead@nhs.example,Team Lead,7,South CMHT,,staff;supervisor",
            "Pat Nurse,PAT.Nurse@NHS.example ,Staff Nurse,5,South CMHT,lee.lead@nhs.example,",
            'Ria Admin,ria@nhs.example,Workforce Lead,8a,,,"Admin, Staff"',
        ),
        {},
    )
    assert preview.problem is None
    assert preview.ok
    assert [r.number for r in preview.rows] == [2, 3, 4]
    assert [r.action for r in preview.rows] == [CREATE, CREATE, CREATE]
    lee, pat, ria = preview.rows
    assert lee.roles == {Role.STAFF, Role.SUPERVISOR}
    assert pat.email == "pat.nurse@nhs.example"  # normalised
    assert pat.roles == {Role.STAFF}  # blank role means staff
    assert pat.supervisor_email == "lee.lead@nhs.example"  # in the same file
    assert ria.roles == {Role.ADMIN, Role.STAFF}
    assert ria.team is None


def test_columns_match_whatever_the_case_spaces_and_underscores_and_extras_are_ignored():
    header = "EMPLOYEE_NUMBER,e_mail,NAME,job_title,BAND,TeamName,Team,supervisor_email,ROLE,Payroll\n"
    # "e_mail" is "email"; "TeamName" and "Payroll" are not ours
    preview = parse(csv_bytes("123,a@nhs.example,Al,Nurse,5,x,North,,staff,P9", header=header), {})
    assert preview.ok, preview.problem or preview.rows[0].errors
    assert preview.rows[0].name == "Al"
    assert preview.rows[0].team == "North"
    assert preview.rows[0].employee_number == "123"
    assert preview.ignored_columns == ["TeamName", "Payroll"]
    assert column_key(" Supervisor_ Email ") == "supervisoremail"


def test_a_byte_order_mark_is_tolerated():
    preview = parse(b"\xef\xbb\xbf" + csv_bytes("Al Nurse,al@nhs.example,Nurse,5,North,,staff"), {})
    assert preview.ok
    assert preview.rows[0].name == "Al Nurse"


def test_a_file_in_another_encoding_is_refused():
    data = (
        "Name,Email,Job Title,Band,Team,Supervisor Email,Role\nZoë Brontë,zoe@nhs.example,Nurse,5,North,,staff\n"
    ).encode("cp1252")
    preview = parse(data, {})
    assert not preview.ok
    assert preview.rows == []
    assert "UTF-8" in preview.problem


def test_missing_columns_are_named():
    preview = parse(csv_bytes("Al,al@nhs.example,North", header="Name,Email,Team\n"), {})
    assert not preview.ok
    assert "“job title”" in preview.problem and "“supervisor email”" in preview.problem and "“role”" in preview.problem
    assert "“team”" not in preview.problem.split("must name")[0]


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (HEADER.encode(), "no people"),
        (b"x" * (MAX_BYTES + 1), "larger than 2 MB"),
        (b"Name,Email,Email,Job Title,Band,Team,Supervisor Email,Role\n", "more than once"),
    ],
)
def test_whole_file_problems(data, words):
    preview = parse(data, {})
    assert not preview.ok
    assert words in preview.problem


def test_too_many_rows_are_refused():
    rows = [f"P{i},p{i}@nhs.example,,,,," for i in range(MAX_ROWS + 1)]
    preview = parse(csv_bytes(*rows), {})
    assert not preview.ok
    assert f"more than {MAX_ROWS:,}" in preview.problem
    just_enough = parse(csv_bytes(*rows[:MAX_ROWS]), {})
    assert just_enough.problem is None
    assert len(just_enough.rows) == MAX_ROWS


def test_each_error_is_reported_on_its_own_row():
    preview = parse(
        csv_bytes(
            "Good Person,good@nhs.example,Nurse,5,North,,staff",  # 2: fine
            "Bad Email,not-an-email,Nurse,5,North,,staff",  # 3
            ",noname@nhs.example,Nurse,5,North,,staff",  # 4
            "Odd Role,odd@nhs.example,Nurse,5,North,,staff;wizard",  # 5
            "Again,GOOD@nhs.example,Nurse,5,North,,staff",  # 6: duplicate of row 2
            "Orphan,orphan@nhs.example,Nurse,5,North,nobody@nhs.example,staff",  # 7
            "Selfish,self@nhs.example,Nurse,5,North,self@nhs.example,staff;supervisor",  # 8
            "Long Team,long@nhs.example,Nurse,5," + "T" * 121 + ",,staff",  # 9
            "Long Name " + "x" * 120 + ",longname@nhs.example,Nurse,5,North,,staff",  # 10
            "Not A Supervisor,ns@nhs.example,Nurse,5,North,good@nhs.example,staff",  # 11: good@ is only staff
        ),
        {},
    )
    assert not preview.ok
    errors = {r.number: r.errors for r in preview.rows}
    assert errors[2] == []
    assert errors[3] == ["“not-an-email” is not a valid email address"]
    assert errors[4] == ["Enter the person’s name"]
    assert errors[5] == ["Role “wizard” is not known: use staff, supervisor, recruiter, admin"]
    assert errors[6] == ["Email good@nhs.example is also on row 2: each person must appear once"]
    assert errors[7] == ["Supervisor nobody@nhs.example is not in the file and is not a person in the portal"]
    assert errors[8] == ["The supervisor email is the person’s own: a person cannot supervise themself"]
    assert errors[9] == ["Team is longer than 120 characters"]
    assert errors[10] == ["Name is longer than 120 characters"]
    assert len(errors[11]) == 1 and "does not have the supervisor role" in errors[11][0]
    assert [r.number for r in preview.error_rows] == [3, 4, 5, 6, 7, 8, 9, 10, 11]


def test_a_supervisor_may_be_an_existing_person_or_later_in_the_file():
    preview = parse(
        csv_bytes(
            "New Nurse,new@nhs.example,Nurse,5,North,sam.lead@nhs.example,staff",  # existing supervisor
            "Other Nurse,other@nhs.example,Nurse,5,North,later@nhs.example,staff",  # supervisor on a later row
            "Later Lead,later@nhs.example,Lead,7,North,,supervisor",
        ),
        held(s=SUPERVISOR),
    )
    assert preview.ok, [r.errors for r in preview.rows]


def test_an_existing_supervisor_without_the_role_or_deactivated_is_an_error():
    inactive = ExistingPerson(
        id=3, email="gone@nhs.example", name="Gone", roles=frozenset({Role.SUPERVISOR}), active=False
    )
    preview = parse(
        csv_bytes(
            "A,a@nhs.example,,,,ann.nurse@nhs.example,",
            "B,b@nhs.example,,,,gone@nhs.example,",
        ),
        held(a=STAFF, g=inactive),
    )
    assert "does not have the supervisor role" in preview.rows[0].errors[0]
    assert "deactivated" in preview.rows[1].errors[0]


def test_updates_creates_and_no_change():
    preview = parse(
        csv_bytes(
            # Sam: identical (the team differs only in capitals, so it is the same team)
            "Sam Lead,sam.lead@nhs.example,Team Lead,7,north cmht,,staff;supervisor",
            # Ann: promoted; same supervisor
            "Ann Nurse,ann.nurse@nhs.example,Senior Nurse,6,North CMHT,sam.lead@nhs.example,staff",
            # new
            "Neil New,neil@nhs.example,Nurse,5,South CMHT,sam.lead@nhs.example,",
        ),
        held(s=SUPERVISOR, a=STAFF),
    )
    assert preview.ok
    sam, ann, neil = preview.rows
    assert (sam.action, sam.changes, sam.existing_id) == (NO_CHANGE, [], 1)
    assert (ann.action, ann.changes, ann.existing_id) == (UPDATE, ["job title", "band"], 2)
    assert (neil.action, neil.existing_id) == (CREATE, None)
    assert (preview.count(CREATE), preview.count(UPDATE), preview.count(NO_CHANGE)) == (1, 1, 1)


def test_changes_to_roles_team_and_supervisor_are_updates_and_blank_cells_change_nothing():
    other = ExistingPerson(id=4, email="other.lead@nhs.example", name="Other Lead", roles=frozenset({Role.SUPERVISOR}))
    preview = parse(
        csv_bytes(
            "Ann Nurse,ann.nurse@nhs.example,,,,other.lead@nhs.example,staff;recruiter",
            "Sam Lead,sam.lead@nhs.example,,,West CMHT,,staff;supervisor",
        ),
        held(s=SUPERVISOR, a=STAFF, o=other),
    )
    assert preview.ok
    ann, sam = preview.rows
    assert ann.changes == ["roles", "supervisor"]
    assert sam.changes == ["team"]


def test_the_importing_admin_cannot_remove_their_own_admin_role():
    me = ExistingPerson(id=9, email="me@nhs.example", name="Me", roles=frozenset({Role.ADMIN, Role.STAFF}))
    preview = parse(csv_bytes("Me,me@nhs.example,,,,,staff"), held(m=me), actor_email="ME@nhs.example")
    assert not preview.ok
    assert "your own account" in preview.rows[0].errors[0]
    # someone else's file may change it (another admin's import)
    assert parse(csv_bytes("Me,me@nhs.example,,,,,staff"), held(m=me), actor_email="other@nhs.example").ok


def test_quoted_fields_blank_lines_and_short_rows():
    preview = parse(
        csv_bytes(
            '"Nurse, Pat",pat@nhs.example,"Nurse, community",5,North,,"staff, supervisor"',
            "",
            "Short Row,short@nhs.example",
        ),
        {},
    )
    assert preview.ok, [r.errors for r in preview.rows]
    pat, short = preview.rows
    assert pat.name == "Nurse, Pat" and pat.job_title == "Nurse, community"
    assert pat.roles == {Role.STAFF, Role.SUPERVISOR}
    assert short.number == 4  # the blank line still counts as a row of the file
    assert short.job_title is None and short.roles == {Role.STAFF}


PROFILES = {
    "care-coordinator-band-6": "Care Coordinator (Band 6)",
    "mid-essex-cpn-band-6": "Care Coordinator / CPN (Band 6)",
}
WITH_ROLE = "Name,Email,Job Title,Band,Team,Supervisor Email,Role,Target Role\n"


def test_a_target_role_is_read_by_its_short_name_or_its_title_in_any_capitals():
    preview = parse(
        csv_bytes(
            "Al Nurse,al@nhs.example,Nurse,5,North,,staff,care-coordinator-band-6",
            "Bo Nurse,bo@nhs.example,Nurse,5,North,,staff,care coordinator / cpn (band 6)",
            "Cy Nurse,cy@nhs.example,Nurse,5,North,,staff,",
            header=WITH_ROLE,
        ),
        {},
        role_profiles=PROFILES,
    )
    assert preview.ok and preview.has_target_role
    assert [r.target_role for r in preview.rows] == ["care-coordinator-band-6", "mid-essex-cpn-band-6", None]


def test_an_unknown_target_role_is_an_error_on_its_row_naming_the_values_allowed():
    preview = parse(
        csv_bytes(
            "Good,good@nhs.example,Nurse,5,North,,staff,care-coordinator-band-6",
            "Al Nurse,al@nhs.example,Nurse,5,North,,staff,Care Coordinator",
            header=WITH_ROLE,
        ),
        {},
        role_profiles=PROFILES,
    )
    assert not preview.ok and [r.number for r in preview.error_rows] == [3]
    assert preview.rows[1].errors == [
        "Target role “Care Coordinator” is not a role profile: use one of care-coordinator-band-6 "
        "(Care Coordinator (Band 6)); mid-essex-cpn-band-6 (Care Coordinator / CPN (Band 6)), "
        "or leave the cell blank"
    ]


def test_a_new_target_role_is_an_update_and_a_blank_one_changes_nothing():
    ann = ExistingPerson(**{**STAFF.__dict__, "target_role": "care-coordinator-band-6"})
    preview = parse(
        csv_bytes(
            "Ann Nurse,ann.nurse@nhs.example,Staff Nurse,5,North CMHT,sam.lead@nhs.example,staff,mid-essex-cpn-band-6",
            header=WITH_ROLE,
        ),
        held(sup=SUPERVISOR, ann=ann),
        role_profiles=PROFILES,
    )
    assert preview.rows[0].action == UPDATE and preview.rows[0].changes == ["target role"]
    blank = parse(
        csv_bytes(
            "Ann Nurse,ann.nurse@nhs.example,Staff Nurse,5,North CMHT,sam.lead@nhs.example,staff,", header=WITH_ROLE
        ),
        held(sup=SUPERVISOR, ann=ann),
        role_profiles=PROFILES,
    )
    assert blank.rows[0].action == NO_CHANGE


def test_a_file_without_a_target_role_column_still_imports_and_says_so():
    preview = parse(csv_bytes("Al Nurse,al@nhs.example,Nurse,5,North,,staff"), {}, role_profiles=PROFILES)
    assert preview.ok and not preview.has_target_role and preview.rows[0].target_role is None
