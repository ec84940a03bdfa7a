"""Run one grading child process under limits and watch it.

The child gets its own temporary directory as cwd and HOME, a clean environment,
rlimits on CPU time and file size, and, where the kernel lets us (as root), its own
network namespace (no network) and mount namespace in which every filesystem but
its working directory is read-only. The parent watches memory (resident size of
the child's whole process tree) and wall time, and kills the tree when either
runs out. Events arrive on a private pipe; the parent stamps them
with its own clock and decides when to kill.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
PASS_THROUGH_ENV = ("PATH", "LANG", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT")
CLONE_NEWNET, CLONE_NEWNS = 0x40000000, 0x00020000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
PR_SET_CHILD_SUBREAPER = 36
POLL_SECONDS = 0.05
# Set by a front door on Ctrl-C: every watcher kills its child and gives up.
SHUTDOWN = threading.Event()


class Interrupted(RuntimeError):
    """Grading was interrupted by the user; no result should be written."""


@dataclass
class Limits:
    memory_mb: int = 4096
    cpu_seconds: int = 600
    file_size_mb: int = 256


@dataclass
class ChildRun:
    events: list[dict] = field(default_factory=list)
    returncode: int | None = None
    killed: str | None = None  # why the parent killed it: "timeout", "memory"
    killed_detail: str = ""
    hang_traceback: str = ""
    log_tail: str = ""


def child_env(workdir: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in PASS_THROUGH_ENV if k in os.environ}
    env.update({
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "PYTHONPATH": PACKAGE_PARENT,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "TF_DETERMINISTIC_OPS": "1",
        "CUDA_VISIBLE_DEVICES": "-1",
        "KERAS_BACKEND": "tensorflow",
        "KERAS_HOME": str(workdir / ".keras"),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(workdir / ".mpl"),
        "NO_PROXY": "*",
    })
    return env


def _limit_child(limits: Limits, workdir: Path) -> Callable[[], None]:
    """Runs in the child between fork and exec: limits, then isolation where allowed."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        size = limits.file_size_mb * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        libc = ctypes.CDLL(None, use_errno=True)
        # Orphans of processes the student starts stay under the harness, which kills them.
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        # Needs privileges; without them the child runs with rlimits only (the
        # harness reports which isolation it got).
        with contextlib.suppress(OSError):
            _isolate(libc, str(workdir).encode())

    return apply


def _isolate(libc, workdir: bytes) -> None:
    """New network namespace (no network) and a read-only view of every filesystem
    except the child's own working directory."""
    if libc.unshare(CLONE_NEWNET | CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(ctypes.get_errno(), "mount --make-rprivate /")
    if libc.mount(workdir, workdir, None, MS_BIND, None) != 0:
        raise OSError(ctypes.get_errno(), "bind mount of the working directory")
    with open("/proc/self/mountinfo", "rb") as fh:
        mountpoints = [line.split()[4] for line in fh]
    for mountpoint in mountpoints:
        if mountpoint == workdir or mountpoint in (b"/proc", b"/dev", b"/dev/pts") or \
                mountpoint.startswith((b"/proc/", b"/sys")):
            continue
        libc.mount(None, mountpoint, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)


@functools.lru_cache(maxsize=1)
def pid_namespace_prefix() -> tuple[str, ...]:
    """`unshare` arguments that run the harness as PID 1 of its own PID namespace.

    Inside it the child cannot see or signal the grader or any other process
    (`kill(-1)` reaches only its own namespace), and when the harness dies the
    kernel kills everything it started. Empty when this machine does not allow it
    (not root, or no util-linux `unshare`).
    """
    prefix = ("unshare", "--pid", "--fork", "--kill-child", "--mount-proc")
    if shutil.which("unshare") is None:
        return ()
    try:
        probe = subprocess.run([*prefix, "--mount", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return prefix if probe.returncode == 0 else ()


def tree_rss_mb(proc: psutil.Process) -> float:
    total = 0
    with contextlib.suppress(psutil.Error):
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
    return total / 2**20


def kill_tree(pid: int) -> None:
    with contextlib.suppress(psutil.Error):
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
        for p in procs:
            with contextlib.suppress(psutil.Error):
                p.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_child(config: dict, workdir: Path, limits: Limits,
              deadline: Callable[[list[dict], float], tuple[float, str]]) -> ChildRun:
    """Start the harness with `config` and watch it until it exits or is killed.

    `deadline(events, now)` returns (time by which the next event must arrive or
    the child is killed, a description of what it was doing).
    """
    read_fd, write_fd = os.pipe()
    config = {**config, "events_fd": write_fd, "workdir": str(workdir),
              "traceback_file": str(workdir / ".hang-traceback.txt")}
    config_path = workdir / ".grading-config.json"
    config_path.write_text(json.dumps(config))
    (workdir / "pytest.ini").write_text("[pytest]\n")
    log_path = workdir / ".child.log"
    run = ChildRun()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [*pid_namespace_prefix(), sys.executable, "-m", "autograder.engine.harness",
             str(config_path)],
            cwd=workdir, env=child_env(workdir), stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
            start_new_session=True, preexec_fn=_limit_child(limits, workdir),
        )
    os.close(write_fd)
    try:
        _watch(proc, read_fd, run, limits, deadline)
    finally:
        kill_tree(proc.pid)
        proc.wait()
        os.close(read_fd)
    run.returncode = proc.returncode
    run.log_tail = _tail(log_path)
    tb_path = Path(config["traceback_file"])
    if run.killed and tb_path.exists():
        run.hang_traceback = _tail(tb_path)
    return run


def _watch(proc, read_fd: int, run: ChildRun, limits: Limits, deadline) -> None:
    ps = psutil.Process(proc.pid)
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ)
    os.set_blocking(read_fd, False)
    pending = [b""]

    def drain() -> bool:
        """Read what is there; False once the pipe is closed."""
        while True:
            try:
                chunk = os.read(read_fd, 1 << 16)
            except BlockingIOError:
                return True
            if not chunk:
                return False
            *lines, pending[0] = (pending[0] + chunk).split(b"\n")
            now = time.monotonic()
            for line in lines:
                event = _parse(line)
                if event is not None:
                    event["t"] = now
                    run.events.append(event)

    while True:
        if SHUTDOWN.is_set():
            raise Interrupted("grading interrupted")
        selector.select(timeout=POLL_SECONDS)
        if not drain():
            return
        if proc.poll() is not None:  # exited; a grandchild may still hold the pipe
            drain()
            return
        now = time.monotonic()
        limit, doing = deadline(run.events, now)
        if now > limit:
            run.killed, run.killed_detail = "timeout", doing
            return
        rss = tree_rss_mb(ps)
        if rss > limits.memory_mb:
            run.killed = "memory"
            run.killed_detail = f"{doing} (used {rss:,.0f} MB, limit {limits.memory_mb:,} MB)"
            return


def _parse(line: bytes) -> dict | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


def _tail(path: Path, size: int = 8192) -> str:
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - size))
        return fh.read().decode("utf-8", "replace")
