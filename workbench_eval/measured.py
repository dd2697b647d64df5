"""``python -m workbench_eval.measured ARGS``: ``workbench ARGS`` that writes its own peak
memory at exit, for :func:`workbench_eval.harness.run_measured` to read (the file named by
``WORKBENCH_PEAK_FILE``)."""

import atexit
import os

from workbench.cli import main


def _write_peak_rss(path: str) -> None:
    """Write this process's own peak RSS in KiB (``VmHWM``) for a benchmark to read.

    The parent cannot use ``wait4``'s ``ru_maxrss``: Linux carries the spawning
    process's memory over the exec, so a child of a 3 GB parent "peaks" at 3 GB.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    with open(path, "w", encoding="ascii") as out:
                        out.write(line.split()[1])
    except OSError:  # not Linux: the caller falls back to ru_maxrss
        pass


if __name__ == "__main__":
    if os.environ.get("WORKBENCH_PEAK_FILE"):
        atexit.register(_write_peak_rss, os.environ.pop("WORKBENCH_PEAK_FILE"))
    main()
