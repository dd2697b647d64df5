"""Translation and embedding on a Ray cluster: ``--engine ray [--address ADDR]``.

The work is the texts the workspace cache does not hold yet. The driver writes them as
sharded Parquet (``key``, ``text``) into a job folder in the workspace; Ray Data reads
the shards and sends batches through a pool of actors, each of which loads the model
once and runs *the same code* as the local engine (:class:`CTranslate2Backend`, the
embedders), so results are identical. Each actor writes its results as a Parquet part
(written to a temporary name, then renamed: a part is complete or absent) and returns
only a count, which drives the progress bar. The driver imports finished parts into
the workspace cache as they are reported.

Resuming: the job's folder and state are recorded in the workspace ``jobs`` table.
After an interruption the next run imports every finished part left in the folder,
then sends only what is still missing. With no address a local Ray instance is
started (what the tests do). Ray is an optional extra: ``pip install -e '.[ray]'``.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import WorkbenchError
from .progress import Progress
from .store import JobUnit, Workspace

SHARD_ROWS = 4096  # texts per input shard


class EngineError(WorkbenchError):
    """A one-line, actionable problem with the execution engine."""


@dataclass
class Engine:
    """Where translation and embedding run. ``local``: this process; ``ray``: a Ray cluster."""

    kind: str = "local"
    address: str | None = None  # None: start a local Ray instance
    workers: int = 2  # actors in the pool (each loads the model once)
    batch_size: int = 64  # texts per actor call

    def __post_init__(self) -> None:
        if self.kind not in ("local", "ray"):
            raise EngineError(f"unknown engine {self.kind!r}: use local or ray")
        if self.workers < 1 or self.batch_size < 1:
            raise EngineError("workers and batch size must be at least 1")

    @property
    def distributed(self) -> bool:
        return self.kind == "ray"


@dataclass(frozen=True)
class Task:
    """What an actor loads and runs: ``factory(recipe)`` on the worker returns the function
    each batch of texts goes through. ``factory`` is a module-level function of the caller
    (the embedder's or the translator's module), pickled by reference, so the task travels
    to any worker and this module never imports the modules that use it."""

    factory: Callable[[dict], Callable[[list[str]], list]]
    recipe: dict = field(default_factory=dict)

    def load(self) -> Callable[[list[str]], list]:
        return self.factory(self.recipe)


class _Worker:
    """A Ray Data actor: loads the task's model once, then maps batches to result parts."""

    def __init__(self, task: Task, out_dir: str):
        self.run = task.load()
        self.out_dir = Path(out_dir)

    def __call__(self, batch: dict) -> dict:
        import pyarrow as pa
        import pyarrow.parquet as pq

        keys, texts = list(batch["key"]), list(batch["text"])
        results = self.run(texts)
        name = f"part-{uuid.uuid4().hex}.parquet"
        table = pa.table({"key": keys, "text": texts, "result": results})
        temporary = self.out_dir / f".{name}.tmp"
        pq.write_table(table, temporary)
        os.replace(temporary, self.out_dir / name)  # a part is complete or absent
        return {"part": [name], "rows": [len(keys)]}


def connect(engine: Engine) -> None:
    """Join the cluster at ``engine.address``, or start a local Ray instance."""
    try:
        import ray
    except ImportError:
        raise EngineError("Ray is not installed: pip install -e '.[ray]'") from None
    if ray.is_initialized():
        return
    # A local instance gets one logical CPU more than its actors need: Ray Data lists and
    # reads the Parquet shards in tasks of their own, which would otherwise wait forever
    # behind actors holding every CPU. On a cluster, leave a CPU free the same way.
    cpus = None if engine.address else max(os.cpu_count() or 1, engine.workers) + 1
    try:
        ray.init(
            address=engine.address,
            num_cpus=cpus,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = engine.address or "a local instance"
        raise EngineError(f"cannot start or reach Ray at {where}: {error}") from None


def job_folder(workspace: Workspace, unit: JobUnit) -> Path:
    """The job's folder, remembered in the workspace so a resumed run finds it again."""
    job = workspace.job(unit)
    if job is not None and job.state == "running":
        folder = Path(json.loads(job.detail)["folder"])
        if folder.is_dir():
            return folder
    folder = workspace.path / "jobs" / f"{unit.stage}-{uuid.uuid4().hex[:12]}"
    (folder / "out").mkdir(parents=True)
    workspace.record_job(unit, "running", json.dumps({"folder": str(folder)}))
    return folder


def finished_parts(folder: Path) -> Iterator[dict[str, list]]:
    """The result rows of every complete part in a job folder (leftovers of a stopped run)."""
    import pyarrow.parquet as pq

    for part in sorted((folder / "out").glob("part-*.parquet")):
        yield _read_part(pq, part)


def _read_part(pq, part: Path) -> dict[str, list]:
    return pq.read_table(part).to_pydict()


def run_on_ray(
    workspace: Workspace,
    engine: Engine,
    task: Task,
    unit: JobUnit,
    items: dict[str, str],
    store: Callable[[dict[str, list]], None],
    progress: Progress | None = None,
) -> int:
    """Compute ``items`` (key -> text) on the cluster, ``store``-ing each finished part.

    Returns how many texts the cluster computed in this call.
    """
    folder = job_folder(workspace, unit)
    for rows in finished_parts(folder):  # a previous run's finished work comes first
        store(rows)
        for done in rows["key"]:
            items.pop(done, None)
    computed = 0
    if items:
        computed = _compute(engine, task, folder, items, store, progress)
    workspace.record_job(unit, "done", json.dumps({"computed": computed}))
    shutil.rmtree(folder, ignore_errors=True)
    return computed


def _compute(engine, task, folder, items, store, progress) -> int:
    import pyarrow.parquet as pq

    connect(engine)
    import ray

    in_dir = folder / "in"
    shutil.rmtree(in_dir, ignore_errors=True)
    shards = write_shards(
        in_dir, sorted(items.items(), key=lambda kv: len(kv[1])), shard_size(len(items), engine)
    )
    dataset = ray.data.read_parquet([str(s) for s in shards], override_num_blocks=len(shards))
    results = dataset.map_batches(
        _Worker,
        fn_constructor_kwargs={"task": task, "out_dir": str(folder / "out")},
        batch_size=engine.batch_size,
        concurrency=engine.workers,
        num_cpus=1,
    )
    done = 0
    for batch in results.iter_batches(batch_size=None):
        for part, rows in zip(batch["part"], batch["rows"], strict=True):
            store(_read_part(pq, folder / "out" / str(part)))
            done += int(rows)
            if progress:
                progress(done, len(items))
    return done


def shard_size(rows: int, engine: Engine) -> int:
    """Rows per shard: at most SHARD_ROWS, and at least 4 shards per worker when the job
    is small (Ray Data hands one shard to one actor: a single shard would idle the rest)."""
    wanted = -(-rows // (4 * engine.workers))  # ceiling division
    return max(engine.batch_size, min(SHARD_ROWS, wanted))


def write_shards(folder: Path, rows: list[tuple[str, str]], size: int = SHARD_ROWS) -> list[Path]:
    """(key, text) rows as numbered Parquet shards of ``size`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, start in enumerate(range(0, len(rows), size)):
        chunk = rows[start : start + size]
        path = folder / f"shard-{number:05d}.parquet"
        pq.write_table(
            pa.table({"key": [k for k, _ in chunk], "text": [t for _, t in chunk]}), path
        )
        paths.append(path)
    return paths
