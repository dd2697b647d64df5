"""Resumable work: one row per unit of a stage, claimed by one process at a time."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from .records import JOB_STATES, JOB_UNIT_COLUMNS, JobRow, JobUnit, job_row
from .sql import now


class JobTables:
    """Resumable work: one row per unit of a stage, claimed by one process at a time; part of
    :class:`~workbench.store.Workspace`."""

    conn: sqlite3.Connection

    def record_job(self, unit: JobUnit, state: str, detail: str = "") -> None:
        """Remember a unit of a stage's work (what resumes skip, and what the app shows)."""
        if state not in JOB_STATES:
            raise ValueError(f"unknown job state {state!r}")
        with self.transaction():
            self._put_job(unit, state, detail)

    def _put_job(self, unit: JobUnit, state: str, detail: str) -> None:
        self.conn.execute(
            "INSERT INTO jobs(stage, src_doc, tgt_doc, embedder, kind, model, source_lang,"
            " target_lang, state, detail, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(stage, ifnull(src_doc, 0), ifnull(tgt_doc, 0), embedder, kind, model,"
            " source_lang, target_lang) DO UPDATE SET state = excluded.state,"
            " detail = excluded.detail, updated_at = excluded.updated_at",
            (
                unit.stage,
                unit.src_doc,
                unit.tgt_doc,
                unit.embedder,
                unit.kind,
                unit.model,
                unit.source_lang,
                unit.target_lang,
                state,
                detail,
                now(),
            ),
        )

    def job(self, unit: JobUnit) -> JobRow | None:
        row = self.conn.execute(
            f"SELECT * FROM jobs WHERE {JOB_UNIT_COLUMNS}", unit.params()
        ).fetchone()
        return job_row(row) if row is not None else None

    def jobs(self, stage: str, state: str | None = None) -> list[JobRow]:
        """A stage's jobs (in one state when given), oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM jobs WHERE stage = ? AND (? IS NULL OR state = ?) ORDER BY id",
            (stage, state, state),
        )
        return [job_row(r) for r in rows]

    def claim_job(self, unit: JobUnit, token: str, alive: Callable[[JobRow], bool]) -> str:
        """Claim a unit for a run (state ``running``, ``token`` as detail) in one write
        transaction: ``claimed``, or ``done``, or ``busy`` when a running claim is
        ``alive`` (a stale one, its run gone, is taken over)."""
        with self.transaction():
            job = self.job(unit)
            if job is not None and job.state == "done":
                return "done"
            if job is not None and job.state == "running" and alive(job):
                return "busy"
            self._put_job(unit, "running", token)
        return "claimed"

    def release_claims(self, units: Iterable[JobUnit], token: str) -> None:
        """Drop the claims ``token`` holds on ``units`` that were not finished."""
        with self.transaction() as conn:
            conn.executemany(
                f"DELETE FROM jobs WHERE {JOB_UNIT_COLUMNS} AND state = 'running' AND detail = ?",
                [(*unit.params(), token) for unit in units],
            )

    def forget_align_jobs(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Make the next run align these document pairs again, whatever embedder and kind
        did them before (claims being worked on stay)."""
        with self.transaction():
            for src_doc, tgt_doc in pairs:
                self._forget_align_jobs(src_doc, tgt_doc)

    def _forget_align_jobs(self, src_doc: int, tgt_doc: int) -> None:
        self.conn.execute(
            "DELETE FROM jobs WHERE stage = 'align' AND src_doc = ? AND tgt_doc = ?"
            " AND state != 'running'",
            (src_doc, tgt_doc),
        )

    def failed_jobs(self, stage: str) -> list[JobRow]:
        """The failed jobs of a stage (``detail``: a missing translation model, say)."""
        return self.jobs(stage, state="failed")
