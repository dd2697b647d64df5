"""``workbench eval ...``: the commands that reproduce the figures in BENCHMARKS.md.

``workbench/cli/main.py`` mounts :data:`eval_app` as ``eval`` (loading this module only when
``eval`` is run or listed); the commands share its options, console and error handling.
Each imports its benchmark module when it runs, so ``workbench eval --help`` stays fast.
"""

from __future__ import annotations

# each module registers its commands on eval_app; help lists them in this order
# isort: off
from . import text  # noqa: F401
from . import align  # noqa: F401
from . import scale  # noqa: F401
from . import events  # noqa: F401
from . import probe  # noqa: F401

# isort: on
from .common import eval_app

__all__ = ["eval_app"]
