"""What every probe case shares: the case record, expectations, running the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[2]


SEEDS = ROOT / "seeds"


DATA = ROOT / "tests" / "data"


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class ProbeCase:
    """One probed input or fault: did the invariant hold, and what was seen."""

    name: str
    group: str
    held: bool
    detail: str


class Broken(Exception):
    """An invariant that did not hold; the message says what was seen."""


def expect(condition: object, detail: str) -> None:
    """Stop the case as broken with ``detail`` unless ``condition`` holds."""
    if not condition:
        raise Broken(detail)


def short_case(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters (control characters shown escaped)."""
    line = " | ".join(part for part in text.splitlines() if part.strip())
    line = CONTROL.sub(lambda match: repr(match[0])[1:-1], line)
    return line if len(line) <= limit else line[: limit - 3] + "..."


@dataclass
class Ran:
    """What one ``python -m workbench`` printed and returned."""

    code: int
    out: str
    err: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        """The non-empty lines on stderr, as a terminal shows them (split at newlines)."""
        return [line for line in self.err.split("\n") if line.strip()]

    def clean(self) -> None:
        """Every failure reached the user as a sentence: no traceback, no internal error."""
        expect("Traceback" not in self.err, f"traceback on stderr: {short_case(self.err[-300:])}")
        expect("internal error" not in self.err, f"internal error: {short_case(self.err)}")


def _env() -> dict[str, str]:
    """The environment of the commands: no dropped models installed, no default workspace
    (every command names its own), no debug tracebacks."""
    env = {**os.environ, "WORKBENCH_MODELS": "", "NO_COLOR": "1"}
    for name in ("WORKBENCH_WORKSPACE", "WORKBENCH_DEBUG"):
        env.pop(name, None)
    return env


def _command(*args: object) -> list[str]:
    return [sys.executable, "-m", "workbench", *(str(a) for a in args)]


def cli(
    *args: object,
    cwd: Path,
    timeout: float = 120,
    preexec_fn: Callable[[], None] | None = None,
    stdout: int | None = None,
) -> Ran:
    """Run ``python -m workbench ARGS`` in ``cwd`` and collect what it said."""
    start = time.monotonic()
    done = subprocess.run(
        _command(*args),
        cwd=cwd,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        preexec_fn=preexec_fn,
        env=_env(),
    )
    decode = partial(bytes.decode, encoding="utf-8", errors="replace")
    return Ran(
        done.returncode, decode(done.stdout or b""), decode(done.stderr), time.monotonic() - start
    )


def spawn(*args: object, cwd: Path) -> subprocess.Popen:
    """Start ``python -m workbench ARGS`` in a process group of its own (killable whole)."""
    return subprocess.Popen(
        _command(*args),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    )


def one_line_error(ran: Ran, code: int, *words: str) -> str:
    """A failure said in one line ``error: ...`` holding ``words``, with exit ``code``."""
    ran.clean()
    expect(ran.code == code, f"exit {ran.code}, not {code}: {short_case(ran.err)}")
    expect(len(ran.lines) == 1, f"{len(ran.lines)} lines on stderr: {short_case(ran.err)}")
    for word in words:
        expect(word in ran.lines[0], f"{word!r} not in: {short_case(ran.lines[0])}")
    return f"exit {ran.code}: {short_case(ran.lines[0], 120)}"


class Scenarios(Protocol):
    """What a group of cases needs of the probe: a scenario built once and shared
    (:meth:`workbench_eval.probe.runner.Probe.scenario`)."""

    def scenario(self, name: str, build: Callable[..., object]) -> Any: ...


def realign_after_removing_the_newest(ws, method: str = "probe") -> tuple[int, int]:
    """Remove the newest alignment (as a regrouping does) and align its pair again:
    ``(removed id, new id)``. Fault injection the probe and the tests share."""
    doomed = max(ws.alignment_rows(), key=lambda r: r.id)
    with ws.transaction() as conn:
        conn.execute("DELETE FROM alignments WHERE id = ?", (doomed.id,))
    again = ws.save_alignment(
        event_id=doomed.event_id,
        src_doc=doomed.src_doc,
        tgt_doc=doomed.tgt_doc,
        mode="comparable",
        method=method,
        params={},
        links=[([0], [0], 1.0, "1-1", 0.9)],
    )
    return doomed.id, again
