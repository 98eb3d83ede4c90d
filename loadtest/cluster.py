"""What `make load SERVERS=N` runs beside the simulated users: N gunicorns, a job worker and a mailbox.

The servers are the production one (`server.Server`) on free ports of 127.0.0.1, all started with
one environment: one database, one SECRET_KEY (a session cookie made by one is good on the others),
one upload folder, and one Redis (REDIS_URL, else the machine's on 127.0.0.1:6379) for the sign-in
throttling counts and the job queue, under a key prefix and a queue name of this run's own so that
runs sharing a Redis never meet. One `flask jobs worker` takes the jobs, and sends notification
emails to `Mailbox`, an SMTP server (aiosmtpd) in this process. With one server (plain `make load`)
none of the extras is started: the portal runs as it always has, jobs in-process and no email.
"""

from __future__ import annotations

import email
import email.policy
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from loadtest.server import ROOT, Server, free_port

LOCAL_REDIS = "redis://127.0.0.1:6379/0"
FLASK = Path(sys.executable).with_name("flask")


class Unavailable(RuntimeError):
    """Something several servers need (Redis) is not there; the message says what to do."""


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps every message: (recipient, first line of the body)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        first = (body.get_content() if body is not None else "").strip().splitlines()
        with self.lock:
            for to in envelope.rcpt_tos:
                self.received.append((to, first[0] if first else ""))
        return "250 OK"

    def start(self) -> Mailbox:
        """Listen (in a thread of this process)."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def count(self) -> int:
        """How many messages have arrived."""
        with self.lock:
            return len(self.received)


def redis_url() -> str:
    """REDIS_URL, or the machine's Redis; refused (Unavailable) if it does not answer."""
    import redis

    url = os.environ.get("REDIS_URL") or LOCAL_REDIS
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        raise Unavailable(
            f"several servers share sign-in limits and background jobs through Redis, and none answers at {url} "
            f"({exc.__class__.__name__}); start one or set REDIS_URL"
        ) from None
    return url


@dataclass
class Cluster:
    """N servers on one database, Redis and upload folder, with a job worker and a mailbox (N > 1)."""

    env: dict[str, str]
    workdir: Path
    count: int = 1
    workers: int = 4
    threads: int = 1
    servers: list[Server] = field(default_factory=list)
    worker: subprocess.Popen | None = None
    mailbox: Mailbox | None = None
    run_id: str = field(default_factory=lambda: f"loadtest-{os.getpid()}-{secrets.token_hex(4)}")

    @property
    def urls(self) -> list[str]:
        """Every server's base URL."""
        return [server.url for server in self.servers]

    def shared_env(self) -> dict[str, str]:
        """The environment of every process: one Redis prefix and queue for this run, and the mailbox."""
        if self.count == 1:
            return self.env
        if self.mailbox is None:
            self.mailbox = Mailbox().start()
        return {
            **self.env,
            "REDIS_URL": redis_url(),
            "THROTTLE_KEY_PREFIX": self.run_id,
            "JOBS_QUEUE": self.run_id,
            "JOBS_RELAY_SECONDS": "5",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.mailbox.port),
            "MAIL_FROM": "competency-portal@loadtest.example.nhs.uk",
        }

    def start(self) -> Cluster:
        """Start the worker (with more than one server) and the servers, and wait until all are ready."""
        env = self.env = self.shared_env()
        try:
            if self.count > 1:
                with open(self.workdir / "worker.log", "ab") as log:
                    self.worker = subprocess.Popen(
                        [str(FLASK), "--app", "competency_portal", "jobs", "worker"],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
            for n in range(self.count):
                log = self.workdir / f"gunicorn-{n}.log"
                self.servers.append(Server(env, workers=self.workers, threads=self.threads, log_path=log))
            ready = [threading.Thread(target=s.start, kwargs={"timeout": 120}, daemon=True) for s in self.servers]
            for thread in ready:  # in parallel: each gunicorn takes seconds to import the app
                thread.start()
            for thread in ready:
                thread.join()
            for server in self.servers:
                if server.process is None or server.process.poll() is not None:
                    raise RuntimeError(f"a server did not start; see {server.log_path}")
            if self.worker is not None:
                self._wait_for_worker(timeout=120)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_worker(self, timeout: float) -> None:
        """Until the job worker listens on this run's queue (so emails flow while the load is on)."""
        import redis
        from rq import Queue, Worker

        queue = Queue(self.run_id, connection=redis.Redis.from_url(self.env["REDIS_URL"]))
        deadline = time.monotonic() + timeout
        while not Worker.all(queue=queue):
            if self.worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the job worker did not start; see {self.workdir / 'worker.log'}")
            time.sleep(0.2)

    def cpu(self, app) -> dict[str, float]:
        """Seconds of CPU used so far: this process (the load client), the servers, the worker, the database."""
        from loadtest import machine

        used = {"load client": machine.cpu_of_self()}
        used["servers"] = sum(
            machine.cpu_of_pids(machine.group(s.process.pid)) for s in self.servers if s.process is not None
        )
        if self.worker is not None:
            used["job worker"] = machine.cpu_of_pids(machine.group(self.worker.pid))
        backends = machine.database_backends(app)
        if backends:
            used["database"] = machine.cpu_of_pids(backends)
        return used

    def worker_alive(self) -> bool:
        """Whether the job worker is still running (True when there is none to run)."""
        return self.worker is None or self.worker.poll() is None

    def stop_servers(self) -> None:
        """Stop every server, gracefully (the worker and mailbox stay, to finish the jobs)."""
        for server in self.servers:
            server.stop()

    def stop(self) -> None:
        """Stop everything started, and forget this run's keys in Redis."""
        self.stop_servers()
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)  # RQ's warm shutdown: the job in hand is finished
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait(timeout=30)
        if self.mailbox is not None:
            self.mailbox.stop()
        if self.count > 1:
            _forget_keys(self.env["REDIS_URL"], self.run_id)


def _forget_keys(url: str, run_id: str) -> None:
    """Delete the throttling counts and the queue's own keys this run left in Redis (jobs' keys expire)."""
    import redis

    connection = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        for pattern in (f"{run_id}:*", f"rq:*{run_id}*"):
            keys = list(connection.scan_iter(match=pattern, count=500))
            if keys:
                connection.delete(*keys)
    except redis.RedisError:
        pass  # only tidiness: every key is this run's own, and the next run uses new names


def wait_for_jobs(app, cluster: Cluster, timeout: float) -> int:
    """Wait until the worker has finished every job in the database (or `timeout`); how many are left."""
    from sqlalchemy import func, select

    from competency_portal.extensions import db
    from competency_portal.models import Job, JobState

    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            left = db.session.scalar(
                select(func.count()).select_from(Job).where(Job.state.not_in([JobState.DONE, JobState.FAILED]))
            )
            db.session.remove()
        if not left or time.monotonic() > deadline or not cluster.worker_alive():
            return int(left or 0)
        time.sleep(0.5)


def throttle_counts_in_redis(app, cluster: Cluster) -> bool:
    """Whether sign-in failures were counted under this run's Redis prefix, and none in the database."""
    import redis
    from sqlalchemy import func, select

    from competency_portal.extensions import db
    from competency_portal.models import ThrottleCounter

    connection = redis.Redis.from_url(cluster.env["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    in_redis = next(iter(connection.scan_iter(match=f"{cluster.run_id}:*", count=1000)), None) is not None
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(ThrottleCounter))
        db.session.remove()
    return in_redis and rows == 0
