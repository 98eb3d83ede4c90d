"""Background jobs: asked for in the same transaction as the change (the outbox), run after commit
without a queue, retried with backoff, shown to administrators when they fail, and run by a real
RQ worker over the machine's Redis, which may die mid-job without anything being lost."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
from job_helpers import Mailbox, queue_name, wait_until, worker
from redis_server import redis_url  # noqa: F401 - the fixture
from sqlalchemy import func, select
from test_admin import HEADER, as_admin, cheap_password_hashing, import_token, imports_dir, post, upload  # noqa: F401
from test_admin import admin as admin  # noqa: F401

from competency_portal import clock
from competency_portal.extensions import db
from competency_portal.jobs import dispatch
from competency_portal.models import AuditEvent, InvalidTransition, Job, JobState, Notification, Role, User
from competency_portal.services import people
from competency_portal.services.notify import notify
from loadtest.server import free_port


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def pat(session):
    user = people.create_person(session, name="Pat Nurse", email="pat@nhs.example", roles={Role.STAFF}, password=None)
    session.commit()
    return user


@pytest.fixture
def queued(app, redis_url):  # noqa: F811
    """Jobs committed in this test go to a queue of the test's own on the machine's Redis."""
    name = queue_name()
    found = dispatch.register(db.engine, {**app.config, "REDIS_URL": redis_url, "JOBS_QUEUE": name})
    yield found
    found.queue().empty()
    dispatch.register(db.engine, app.config)


ORGANISATION = "/organisation"


def jobs(session, kind: str | None = None) -> list[Job]:
    session.expire_all()
    query = select(Job).order_by(Job.id)
    return list(session.scalars(query.where(Job.kind == kind) if kind else query))


def test_an_email_is_asked_for_with_the_change_and_only_if_it_commits(session, pat, mailbox):
    notify(session, pat, "Your evidence was signed off", mail=mailbox.settings())
    session.rollback()
    assert jobs(session) == [] and mailbox.received == []

    notify(session, pat, "Your evidence was signed off", mail=mailbox.settings())
    session.commit()  # no REDIS_URL: the job runs in this process straight after the commit
    [job] = jobs(session, "email")
    assert job.state == JobState.DONE and job.attempts == 1
    [(to, body)] = mailbox.received
    assert to == "pat@nhs.example" and "Your evidence was signed off" in body


def test_an_email_that_cannot_be_sent_is_retried_with_backoff_then_listed_for_administrators(
    app,
    session,
    pat,
    mailbox,
    as_admin,  # noqa: F811
    monkeypatch,
):
    down = {"server": "127.0.0.1", "port": free_port(), "sender": "portal@nhs.example"}
    notify(session, pat, "Cover starts today", mail=down)
    session.commit()  # the person's change is kept although the mail server is down
    [job] = jobs(session, "email")
    assert job.state == JobState.RETRYING and job.attempts == 1 and "ConnectionRefusedError" in job.error
    waits = []
    start = clock.as_utc(job.next_attempt_at) - timedelta(seconds=10)
    runner = app.test_cli_runner()
    moment = start
    while job.state == JobState.RETRYING:
        waits.append((clock.as_utc(job.next_attempt_at) - moment).total_seconds())
        moment = clock.as_utc(job.next_attempt_at)
        monkeypatch.setitem(app.config, "PORTAL_NOW", moment)
        assert runner.invoke(args=["jobs", "run-due"]).exit_code == 0
        [job] = jobs(session, "email")
    assert waits[:4] == [10, 30, 90, 270]  # each wait longer than the last
    assert job.state == JobState.FAILED and job.attempts == 6

    page = as_admin.get("/admin/jobs").get_data(as_text=True)
    assert "Email to pat@nhs.example" in page and "ConnectionRefusedError" in page and "Try again" in page

    job.payload = {**job.payload, "mail": mailbox.settings()}  # the mail server's address is mended
    session.commit()
    response = post(as_admin, f"/admin/jobs/{job.id}/try-again", token_from="/admin/jobs")
    assert response.status_code == 302
    [job] = jobs(session, "email")
    assert job.state == JobState.DONE and [to for to, _ in mailbox.received] == ["pat@nhs.example"]
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "job_retried")) == 1
    again = post(as_admin, f"/admin/jobs/{job.id}/try-again", token_from="/admin/import", follow_redirects=True)
    assert "Only a failed job can be tried again" in again.get_data(as_text=True)


def test_a_job_moves_only_through_its_states(session):
    job = Job(kind="email", label="Email", payload={}, attempts=0, progress_done=0, max_attempts=2)
    now = clock.now()
    with pytest.raises(InvalidTransition):
        job.finish(now, {})
    with pytest.raises(InvalidTransition):
        job.try_again(now)
    job.start(now)
    with pytest.raises(InvalidTransition):
        job.start(now)
    job.fail(now, "boom", timedelta(seconds=10))
    assert job.state == JobState.RETRYING
    job.start(now)
    job.fail(now, "boom", timedelta(seconds=10))
    assert job.state == JobState.FAILED  # no attempts left


def test_only_the_person_who_started_a_job_and_administrators_may_follow_it(app, session, pat, admin):  # noqa: F811
    job = Job(
        kind="staff_import",
        label="Import staff",
        payload={},
        started_by_id=admin.id,
        attempts=0,
        progress_done=0,
        max_attempts=3,
    )
    session.add(job)
    session.commit()
    other = app.test_client()
    people.set_password(pat, "portal-test-password-1")
    session.commit()
    from test_admin import sign_in

    sign_in(other, pat.email, "portal-test-password-1")
    assert other.get(f"/jobs/{job.id}").status_code == 404
    mine = app.test_client()
    sign_in(mine, admin.email)
    assert "Import staff" in mine.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_a_real_worker_runs_a_staff_import_and_the_admin_follows_it(app, session, as_admin, admin, imports_dir, queued):  # noqa: F811
    data = (HEADER + "Sid Staff,sid@nhs.example,Nurse,5,North,,staff\n").encode()
    token = import_token(upload(as_admin, data))
    response = post(as_admin, "/admin/import/confirm", {"token": token}, token_from="/admin/import")
    follow = response.headers["Location"]
    assert "Waiting to start" in as_admin.get(follow).get_data(as_text=True)  # nothing runs it yet
    with worker(app.config["SQLALCHEMY_DATABASE_URI"], queued.redis_url, queued.queue_name):
        wait_until(lambda: "Staff imported" in as_admin.get(follow).get_data(as_text=True), what="the import")
    assert "1 person created" in as_admin.get(follow).get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(User).where(User.email == "sid@nhs.example")) is not None
    note = session.scalar(select(Notification).where(Notification.user_id == admin.id, Notification.target == "job"))
    assert note is not None and note.message == "Import staff: done."
    assert "1 person created, 0 updated, 0 unchanged." in as_admin.get(f"/jobs/{note.target_id}").get_data(as_text=True)


def test_a_job_committed_while_redis_is_down_is_handed_over_later(app, session, pat, mailbox, queued):
    real = queued.redis_url
    dispatch.register(db.engine, {**app.config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    notify(session, pat, "Your appraisal is booked", mail=mailbox.settings())
    session.commit()  # Redis cannot be reached: the job stays in the database, queued
    [job] = jobs(session, "email")
    assert job.state == JobState.QUEUED
    with worker(app.config["SQLALCHEMY_DATABASE_URI"], real, queued.queue_name):
        wait_until(lambda: mailbox.received, what="the email")
        wait_until(lambda: jobs(session, "email")[0].state == JobState.DONE, what="the job to be done")


def test_a_worker_killed_mid_job_loses_nothing(app, session, pat, mailbox, queued):
    mailbox.stall.set()
    notify(session, pat, "Your PDR is due", mail=mailbox.settings())
    session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with worker(url, queued.redis_url, queued.queue_name) as first:
        wait_until(mailbox.stalled.is_set, what="the worker to be part-way through the email")
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-job
        first.wait(timeout=10)
    [job] = jobs(session, "email")
    assert job.state == JobState.RUNNING and mailbox.received == []
    mailbox.stall.clear()
    with worker(url, queued.redis_url, queued.queue_name, JOBS_LEASE_SECONDS="1"):
        wait_until(lambda: jobs(session, "email")[0].state == JobState.DONE, what="the job to be run again")
    [job] = jobs(session, "email")
    assert job.attempts == 2 and [to for to, _ in mailbox.wait_for(1)] == ["pat@nhs.example"]


def test_a_framework_change_queues_one_recompute_and_the_organisation_view_says_so(
    app,
    seeded,
    as_admin,  # noqa: F811
    queued,
):
    from competency_portal.jobs.handlers import READINESS
    from competency_portal.models import Item

    items = seeded.scalars(select(Item).limit(2)).all()
    for item in items:  # two changes to frameworks, in two transactions, before any worker runs
        item.statement += " (revised)"
        seeded.commit()
    [waiting] = [j for j in jobs(seeded, READINESS) if j.state == JobState.QUEUED]
    page = as_admin.get(ORGANISATION).get_data(as_text=True)
    assert "These figures are from before it" in page and f"/jobs/{waiting.id}" in page
    assert queued.run_here(waiting.id) == JobState.DONE
    assert "These figures are from before it" not in as_admin.get(ORGANISATION).get_data(as_text=True)


def test_a_file_a_job_made_is_kept_a_week_then_deleted(app, session, as_admin, admin, monkeypatch):  # noqa: F811
    from competency_portal import storage

    asked = post(as_admin, f"/admin/people/{admin.id}/data", {}, token_from=f"/admin/people/{admin.id}/data")
    job_page = asked.headers["Location"]
    assert as_admin.get(f"{job_page}/file").status_code == 200
    [job] = jobs(session, "subject_access_archive")
    stored = job.result["file"]
    monkeypatch.setitem(app.config, "PORTAL_NOW", clock.as_utc(job.finished_at) + timedelta(days=6))
    assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).output.endswith("0 old file(s) deleted.\n")
    monkeypatch.setitem(app.config, "PORTAL_NOW", clock.as_utc(job.finished_at) + timedelta(days=8))
    gone = as_admin.get(f"{job_page}/file")
    assert gone.status_code == 410 and "no longer kept" in gone.get_data(as_text=True)
    assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).output.endswith("1 old file(s) deleted.\n")
    with pytest.raises(FileNotFoundError):
        storage.from_config(app.config).read(stored)
    assert as_admin.get(f"{job_page}/file").status_code == 404  # nothing left to download
    assert "Download" not in as_admin.get(job_page).get_data(as_text=True)
