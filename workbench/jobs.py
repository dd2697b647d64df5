"""Claims on units of work, so that runs started together (two terminals, the app and the
CLI) never do the same unit twice, and a unit a killed run left is taken over."""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from datetime import UTC, datetime

from .limits import process_alive
from .store import JobRow, JobUnit, Workspace, WorkspaceError


class JobClaims:
    """Claims on ``jobs`` rows, so that concurrent runs never do the same unit twice.

    A claim is the row's state ``running`` with ``run HOST:PID:TOKEN`` as its detail,
    taken inside a write transaction. A claim left by a process that is gone (killed,
    crashed) is stale and taken over; so is one from another host older than
    :data:`CLAIM_TTL` seconds. Claims this object took and did not finish are released
    when it closes.
    """

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.token = f"run {socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.taken: list[JobUnit] = []

    def __enter__(self) -> JobClaims:
        ACTIVE_CLAIMS.add(self.token)
        return self

    def __exit__(self, *exc) -> None:
        ACTIVE_CLAIMS.discard(self.token)
        with contextlib.suppress(WorkspaceError):  # else left behind: stale once we are gone
            self.workspace.release_claims(self.taken, self.token)

    def claim(self, unit: JobUnit) -> str:
        """``claimed`` (this run does the unit), ``done`` or ``busy`` (another run has it)."""
        state = self.workspace.claim_job(unit, self.token, claim_alive)
        if state == "claimed":
            self.taken.append(unit)
        return state


CLAIM_TTL = 3600.0
"""Seconds after which a claim from another host counts as abandoned."""
ACTIVE_CLAIMS: set[str] = set()  # claims held by runs in this process (threads, the app)


def claim_alive(job: JobRow) -> bool:
    """Whether the run that claimed a job may still be doing it."""
    host, _, rest = job.detail.removeprefix("run ").partition(":")
    pid_text, _, _token = rest.partition(":")
    if host == socket.gethostname() and pid_text.isdigit():
        if int(pid_text) == os.getpid():
            return job.detail in ACTIVE_CLAIMS
        return process_alive(int(pid_text))
    try:
        claimed = datetime.fromisoformat(job.updated_at)
    except ValueError:
        return False
    return (datetime.now(UTC) - claimed).total_seconds() < CLAIM_TTL
