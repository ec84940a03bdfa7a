"""Where a batch's gradings run: a local pool of processes or a Dask cluster.

Each grading runs in a worker process of its own (never a thread beside another
grading: parsing notebooks is not thread-safe in CPython), and a grading that
fails for any reason becomes that submission's result, so a batch always ends
with one result per student.

Work travels as plain data (the submission's bytes in, the result record out), so
a remote worker needs no shared filesystem, only neurograde installed. Without a
scheduler address, a LocalCluster with one single-threaded worker process per
requested worker is started and closed around the batch. For a Slurm or PBS
cluster, start one with dask-jobqueue and pass its address:

    from dask_jobqueue import SLURMCluster
    cluster = SLURMCluster(cores=2, memory="8GB", walltime="02:00:00")
    cluster.scale(jobs=10)
    print(cluster.scheduler_address)     # then: neurograde grade ... --backend dask
                                         #       --scheduler tcp://...
"""

from __future__ import annotations

import base64
import contextlib
import multiprocessing
import signal
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import psutil

from autograder.assignments import Assignment, _load, get_assignment
from autograder.result import Figure, Result

BACKENDS = ("local", "dask")


def payload(path: Path, assignment: Assignment) -> dict:
    return {"name": path.name, "data": path.read_bytes(), "assignment": assignment.id,
            "suite_dir": str(assignment.suite_dir)}


def grade_payload(job: dict) -> dict:
    """Grade one submission given as bytes; runs on whichever worker gets it."""
    from autograder.engine import warm
    from autograder.engine.grader import grade_submission

    warm.enable()  # a worker grades many submissions: start its judges warm

    suite_dir = Path(job["suite_dir"])
    assignment = _load(suite_dir) if (suite_dir / "meta.toml").is_file() else \
        get_assignment(job["assignment"])
    with tempfile.TemporaryDirectory(prefix="neurograde-job-") as tmp:
        path = Path(tmp) / job["name"]
        path.write_bytes(job["data"])
        try:
            result = grade_submission(path, assignment)
        except Exception as exc:  # noqa: BLE001  (one submission's failure is its own result)
            from autograder.engine.grader import failed_result

            result = failed_result(path, assignment, f"{type(exc).__name__}: {exc}")
    return {"record": result.to_gradescope(),
            "figures": [{"title": f.title, "task": f.task,
                         "png": base64.b64encode(f.png).decode()} for f in result.figures]}


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the batch, which stops them and writes nothing half-done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def unpack(reply: dict) -> Result:
    result = Result.from_gradescope(reply["record"])
    result.figures = [Figure(f["title"], f["task"], base64.b64decode(f["png"]))
                      for f in reply["figures"]]
    return result


@contextlib.contextmanager
def executor(backend: str, workers: int, scheduler: str | None = None) -> Iterator[tuple]:
    """(submit, as_completed, cancel_all) for the chosen backend."""
    if backend == "local":
        before = {p.pid for p in psutil.Process().children()}
        pool = ProcessPoolExecutor(max_workers=max(1, workers), initializer=_ignore_interrupt,
                                   mp_context=multiprocessing.get_context("spawn"))

        def cancel_all(futures) -> None:
            for future in futures:
                future.cancel()
            from autograder.engine.sandbox import kill_tree

            for worker in psutil.Process().children():
                if worker.pid not in before:
                    kill_tree(worker.pid)
            pool.shutdown(wait=False, cancel_futures=True)

        with pool:
            yield pool.submit, as_completed, cancel_all
        return
    if backend != "dask":
        raise ValueError(f"Invalid value for argument `backend`: expected one of {BACKENDS}. "
                         f"Received: backend={backend!r}")
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise ValueError("The dask backend needs dask: pip install 'neurograde[dask]'") from None
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True,
                dashboard_address=None))
            client = stack.enter_context(Client(cluster))

        def submit(fn, job):
            return client.submit(fn, job, pure=False)

        yield submit, dask_completed, client.cancel
