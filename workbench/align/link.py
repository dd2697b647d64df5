"""What every aligner returns: a :class:`Link` per bead; and its one-line error."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import WorkbenchError


class AlignError(WorkbenchError):
    """A one-line, actionable alignment problem."""


@dataclass(frozen=True)
class Link:
    """One bead: source sentence indices, target sentence indices, its raw score and its
    calibrated confidence (:mod:`workbench.align.confidence`; None until computed)."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float
    confidence: float | None = None

    @property
    def link_type(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"

    def ladder(self) -> str:
        """Vecalign/Bertalign's ``[i, j]:[k]:score`` line."""
        return f"{list(self.src)}:{list(self.tgt)}:{self.score:.6f}"
