"""The benchmark harness's own measurements."""

from __future__ import annotations

import numpy as np

from workbench.evaluate import run_measured


def test_run_measured_reports_the_childs_peak_not_the_parents():
    ballast = np.ones(2**26)  # 512 MiB resident in this process
    run = run_measured("help", ["--help"])
    assert run.returncode == 0
    assert 10 < run.peak_mib < 300  # wait4's ru_maxrss alone would say over 512
    assert ballast.sum() == 2**26
