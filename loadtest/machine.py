"""Where a load run's CPU went, and the machine it ran on: for reading its timings honestly.

On a machine of two cores shared with other work, a slow p95 may mean the portal is slow or that
the run simply did not get the cores. `cpu` reads the processor time (user and system, from
/proc) of a set of processes: the load client itself, each server's gunicorn master and workers
(its process group), the job worker, and the PostgreSQL backends serving the run's database.
Compared with the run's wall time and the cores there are, it says how much of the machine the run
had. On a system without /proc each figure is simply missing.
"""

from __future__ import annotations

import os
import platform
import resource
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (name) ": state, ppid, pgrp, ...


def cpu_of_pids(pids: list[int]) -> float:
    """Seconds of CPU (user + system) the live processes have used so far."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def group(pgid: int) -> list[int]:
    """The live processes of a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[2]) == pgid:
                found.append(int(entry.name))
    return found


def cpu_of_self() -> float:
    """Seconds of CPU this process (the load client's threads) has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_backends(app) -> list[int]:
    """The PostgreSQL backends connected to the app's database, if it is PostgreSQL on this machine."""
    from sqlalchemy import text

    from competency_portal.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql" or db.engine.url.host not in ("127.0.0.1", "localhost", None):
            return []
        pids = db.session.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        ).all()
        db.session.remove()
    return list(pids)


def describe() -> str:
    """The machine in one line: cores, processor, memory, load average."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = 0
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({model or platform.machine()}), {memory:.0f} GiB, load average {load}"
