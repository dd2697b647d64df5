"""Limits on what the workbench unpacks, and clean-up of what killed processes left.

Zip archives (``.argosmodel`` model packages, ``.docx`` files) are checked from their
central directory before a byte is decompressed: the number of members, the total
unpacked size, each member's size and each member's compression ratio (every member: a
small one may exceed the ratio by :data:`RATIO_SLACK`), and that no member holds more
compressed data than its declared size could need. Python's zipfile never returns more
than a member's declared size, but read whole it inflates all of a member's compressed
data first (up to 2 GiB) and cuts afterwards; the last check closes that door, so declared
sizes bound what extraction and parsing can cost.
Each limit has a default and an environment variable that raises it (README,
"Reliability").

Temporary folders are named ``tmp-PID-...`` after the process that made them, so the
next start can remove those whose process is gone (killed with ``kill -9``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

RATIO_SLACK = 64 << 10
"""What a member may unpack to beyond ``ratio x compressed size``: tiny files compress
well (an empty XML part, a run of spaces), but 300 members of 1 MiB of zeros do not pass."""
DEFLATE_OVERHEAD = 1024
"""Deflate never makes data longer than its length + 5 bytes per 16 KiB block + a few; a
member's compressed data beyond 1% + this is data its declared size cannot account for."""

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


class LimitError(InputError, ValueError):
    """An archive over a limit, or a limit setting that cannot be read (one line)."""


@dataclass(frozen=True)
class ZipLimits:
    """How much one archive may unpack to; ``prefix`` names the environment variables."""

    total: int
    member: int
    ratio: float
    prefix: str
    members: int = 10_000

    @classmethod
    def from_env(
        cls, prefix: str, total: str, member: str, ratio: float, members: int
    ) -> ZipLimits:
        """Defaults, overridden by ``{prefix}_MAX_SIZE``, ``_MAX_MEMBER``, ``_MAX_RATIO`` and
        ``_MAX_MEMBERS``."""
        env = os.environ
        return cls(
            parse_size(env.get(f"{prefix}_MAX_SIZE", total), f"{prefix}_MAX_SIZE"),
            parse_size(env.get(f"{prefix}_MAX_MEMBER", member), f"{prefix}_MAX_MEMBER"),
            _parse_ratio(env.get(f"{prefix}_MAX_RATIO", str(ratio)), f"{prefix}_MAX_RATIO"),
            prefix,
            parse_size(env.get(f"{prefix}_MAX_MEMBERS", str(members)), f"{prefix}_MAX_MEMBERS"),
        )


def model_limits() -> ZipLimits:
    """Model packages: real Argos packages unpack to a few hundred MB in a few dozen
    files and hardly compress."""
    return ZipLimits.from_env("WORKBENCH_MODEL", "2G", "2G", 100, 1_000)


def docx_limits() -> ZipLimits:
    """.docx files: python-docx holds every part in memory and parses the XML whole; a
    real one has a few dozen parts (more with many images)."""
    return ZipLimits.from_env("WORKBENCH_DOCX", "256M", "64M", 100, 5_000)


def parse_size(text: str, name: str) -> int:
    """``1048576``, ``512K``, ``64M``, ``2G`` (powers of 1024) as a number of bytes."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise LimitError(f"{name}={text!r} is not a size (examples: 64M, 2G, 1048576)")
    return int(float(match[1]) * _UNITS[match[2].lower()])


def _parse_ratio(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise LimitError(f"{name}={text!r} is not a positive number")
    return value


def human(size: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"  # pragma: no cover


def check_zip(archive: zipfile.ZipFile, limits: ZipLimits) -> None:
    """Refuse an archive whose members would unpack beyond ``limits`` (nothing is read)."""
    members = archive.infolist()
    if len(members) > limits.members:
        raise LimitError(
            f"holds {len(members):,} files, over the {limits.members:,} limit"
            f" (raise it with {limits.prefix}_MAX_MEMBERS)"
        )
    total = 0
    for info in members:
        size = info.file_size
        if size > limits.member:
            raise LimitError(
                f"{info.filename!r} unpacks to {human(size)}, over the {human(limits.member)}"
                f" limit for one file (raise it with {limits.prefix}_MAX_MEMBER)"
            )
        if size > limits.ratio * info.compress_size + RATIO_SLACK:
            ratio = size / max(info.compress_size, 1)
            raise LimitError(
                f"{info.filename!r} is compressed {ratio:.0f}:1, over the {limits.ratio:g}:1"
                f" limit (a zip bomb?; raise it with {limits.prefix}_MAX_RATIO)"
            )
        if info.compress_size > size + size // 100 + DEFLATE_OVERHEAD:
            raise LimitError(
                f"{info.filename!r} holds {human(info.compress_size)} of compressed data but"
                f" declares {human(size)} unpacked (a zip bomb?)"
            )
        total += size
        if total > limits.total:
            raise LimitError(
                f"unpacks to more than {human(limits.total)} (raise the limit with"
                f" {limits.prefix}_MAX_SIZE)"
            )


# --- temporary folders and processes -----------------------------------------------------


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie, killed but not reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def make_temp_dir(parent: Path) -> Path:
    """A fresh temporary folder inside ``parent``, named after this process."""
    return Path(tempfile.mkdtemp(prefix=f"tmp-{os.getpid()}-", dir=parent))


def sweep_temp_dirs(parent: Path) -> list[Path]:
    """Remove ``tmp*`` folders in ``parent`` left by processes that are gone; return them.

    ``tmp-PID-...`` folders of a live process stay (it may be extracting right now);
    ``tmp...`` folders without a process id were made by older versions: always stale.
    """
    removed = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith("tmp") or not entry.is_dir() or entry.is_symlink():
            continue
        pid = entry.name.split("-")[1] if entry.name.startswith("tmp-") else ""
        if pid.isdigit() and process_alive(int(pid)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed
