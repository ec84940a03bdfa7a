"""Where a batch's gradings run: a local pool of threads (each grading is its own
sandboxed child process anyway) or a Dask cluster.

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
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.assignments import Assignment, _load, get_assignment
from autograder.result import Figure, Result

BACKENDS = ("local", "dask")


def payload(path: Path, assignment: Assignment) -> dict:
    return {"name": path.name, "data": path.read_bytes(), "assignment": assignment.id,
            "suite_dir": str(assignment.suite_dir)}


def grade_payload(job: dict) -> dict:
    """Grade one submission given as bytes; runs on whichever worker gets it."""
    from autograder.engine.grader import grade_submission

    suite_dir = Path(job["suite_dir"])
    assignment = _load(suite_dir) if (suite_dir / "meta.toml").is_file() else \
        get_assignment(job["assignment"])
    with tempfile.TemporaryDirectory(prefix="neurograde-job-") as tmp:
        path = Path(tmp) / job["name"]
        path.write_bytes(job["data"])
        result = grade_submission(path, assignment)
    return {"record": result.to_gradescope(),
            "figures": [{"title": f.title, "task": f.task,
                         "png": base64.b64encode(f.png).decode()} for f in result.figures]}


def unpack(reply: dict) -> Result:
    result = Result.from_gradescope(reply["record"])
    result.figures = [Figure(f["title"], f["task"], base64.b64decode(f["png"]))
                      for f in reply["figures"]]
    return result


@contextlib.contextmanager
def executor(backend: str, workers: int, scheduler: str | None = None) -> Iterator[tuple]:
    """(submit, as_completed, cancel_all) for the chosen backend."""
    if backend == "local":
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            yield pool.submit, as_completed, lambda futures: [f.cancel() for f in futures]
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
