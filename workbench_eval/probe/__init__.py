"""Issue 23's reliability probe: bad inputs and faults against the real workbench.

Each case builds its input in a folder of its own under ``workdir``, runs the workbench
(its Python API, or ``python -m workbench`` where what the command line does is the
point: exit codes, one line on stderr, no traceback) and checks one invariant. A case
*holds* when the invariant does; anything else (an unexpected exception included) is
*broken*, and its detail says what was seen. The probe changes nothing outside
``workdir``; ``workbench eval probe`` prints its table.

Cases that need a workspace with links copy one prepared workspace (the seeds and
tests/data/stories, one ``run`` of about 10 s). Cases that share an expensive scenario
(a user's decisions, then a run) run the scenario once and each checks one of its facts.
"""

from __future__ import annotations

from .base import ProbeCase
from .runner import Probe, run_probe

__all__ = ["Probe", "ProbeCase", "run_probe"]
