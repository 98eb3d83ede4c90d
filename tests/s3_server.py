"""A real S3-compatible server for the tests: moto's standalone server, in a subprocess on 127.0.0.1.

`MotoServer` starts `python -m moto.server` on a free loopback port (nothing leaves the machine),
with dummy AWS credentials in the environment (what boto3 reads, so the portal's own client and
every gunicorn the tests start use them too), and makes a fresh bucket per test. `Backend` gives
the crash-safety and storage tests one face for both backends: the settings to run the portal with,
and what is stored and pending, read directly from the folder or the bucket (not through the portal).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config

from competency_portal import storage
from loadtest.server import free_port

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-2"
DUMMY_CREDENTIALS: dict[str, str | None] = {
    "AWS_ACCESS_KEY_ID": "testing-not-a-key",
    "AWS_SECRET_ACCESS_KEY": "testing-not-a-secret",
    "AWS_SESSION_TOKEN": None,
    "AWS_EC2_METADATA_DISABLED": "true",  # never ask a metadata service for credentials
    "AWS_CONFIG_FILE": os.devnull,  # nor read the machine's own AWS profiles
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


class MotoServer:
    """moto's S3 server in a subprocess; `stop` ends it."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self._saved_env: dict[str, str | None] = {}

    def start(self, timeout: float = 60.0) -> MotoServer:
        """Start the server and wait until it answers S3 requests."""
        for name, value in DUMMY_CREDENTIALS.items():
            self._saved_env[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto.server exited with {self.process.returncode}; see {self.log_path}")
            try:
                self.client().list_buckets()
                return self
            except Exception:  # not listening yet
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto.server did not answer on {self.url} within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """End the server and put the environment back."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def client(self):
        """A boto3 client of the tests' own, for reaching past the portal."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def new_bucket(self) -> str:
        """A fresh, empty bucket's name."""
        name = f"portal-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name


@dataclass
class Backend:
    """One storage backend as a test sees it: the portal's settings, and the store looked at directly."""

    name: str
    root: Path  # the upload folder (local), unused by S3 but always set
    server: MotoServer | None = None
    bucket: str | None = None
    prefix: str = "portal/"
    lease_seconds: int = 3
    config: dict = field(init=False)

    def __post_init__(self):
        self.config = {"STORAGE_BACKEND": self.name, "UPLOAD_FOLDER": str(self.root)}
        if self.name == "s3":
            self.config.update(
                {
                    "S3_BUCKET": self.bucket,
                    "S3_ENDPOINT_URL": self.server.url,
                    "S3_REGION": REGION,
                    "S3_PREFIX": self.prefix,
                    "S3_PENDING_LEASE_SECONDS": self.lease_seconds,
                }
            )

    @property
    def env(self) -> dict[str, str]:
        """The same settings as environment variables, for a server process."""
        return {name: str(value) for name, value in self.config.items()}

    def store(self):
        """The portal's storage for these settings."""
        return storage.from_config(self.config)

    def _keys(self, folder: str) -> set[str]:
        start = f"{self.prefix}{folder}/"
        pages = self.server.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start)
        return {entry["Key"][len(start) :] for page in pages for entry in page.get("Contents", [])}

    def files(self) -> set[str]:
        """Every stored file's name (a half-written one too)."""
        if self.name == "s3":
            return self._keys(storage.s3.FILES)
        return {p.name for p in self.root.glob("??/*")}

    def pending(self) -> set[str]:
        """The names of the pending markers."""
        if self.name == "s3":
            return self._keys(storage.PENDING)
        folder = self.root / storage.PENDING
        return {p.name for p in folder.iterdir()} if folder.is_dir() else set()

    def replace(self, name: str, data: bytes) -> None:
        """Overwrite a stored file's bytes behind the portal's back."""
        if self.name == "s3":
            self.server.client().put_object(Bucket=self.bucket, Key=f"{self.prefix}files/{name}", Body=data)
        else:
            (self.root / name[:2] / name).write_bytes(data)

    def wait_for_leases(self) -> None:
        """Long enough for every marker written so far to outlive its lease (S3); nothing to wait for on disk."""
        if self.name == "s3":
            time.sleep(self.lease_seconds + 3)

    def with_lease(self, seconds: int) -> Backend:
        """The same store, with markers judged only after `seconds` (S3)."""
        return Backend(self.name, self.root, self.server, self.bucket, self.prefix, seconds)


_DIE_AFTER_SAVING = """
import json, os, sys
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from competency_portal import storage
session = Session(create_engine("sqlite://"))
session.execute(text("SELECT 1"))
name = storage.from_config(json.loads(sys.argv[1])).save(sys.argv[2].encode(), session)
print(name, flush=True)
os._exit(0)  # dies as a SIGKILL would: no commit, no rollback, no clean-up
"""


def saved_by_a_process_that_dies(backend: Backend, content: str) -> str:
    """The name of a file saved for a transaction by a process that then died before it ended."""
    done = subprocess.run(
        [sys.executable, "-c", _DIE_AFTER_SAVING, json.dumps(backend.config), content],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()
