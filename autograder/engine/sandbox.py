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
import os
import re
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from autograder.engine import protocol

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
THREAD_ENV = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
              "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PASS_THROUGH_ENV = ("PATH", "LANG", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT")
CLONE_NEWNET, CLONE_NEWNS = 0x40000000, 0x00020000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
PR_SET_CHILD_SUBREAPER = 36
POLL_SECONDS = 0.05
REWALK_SECONDS = 0.25  # how often a memory watch looks for new processes in a tree
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


def child_env(workdir: Path, python_path: str | None = None) -> dict[str, str]:
    env = {k: os.environ[k] for k in PASS_THROUGH_ENV if k in os.environ}
    env.update({
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
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
    # NEUROGRADE_THREADS=N pins TensorFlow's ops and BLAS to N threads in judges and
    # runners (a reduction split over another number of threads may round differently);
    # by default ("auto") the libraries choose. bench/TF_THREADS.md compares 1 with auto.
    threads = os.environ.get("NEUROGRADE_THREADS", "auto")
    if threads != "auto":
        env.update({name: threads for name in THREAD_ENV})
    if python_path:
        env["PYTHONPATH"] = python_path
    return env


def _limits_then(limits: Limits, isolate: Callable[[ctypes.CDLL], None] | None):
    """Runs in a child between fork and exec: rlimits, then isolation where allowed."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        size = limits.file_size_mb * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        libc = ctypes.CDLL(None, use_errno=True)
        # Orphans of processes the student starts stay under us, and are killed with us.
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        if isolate is not None:
            # Only planned where the machine allows it (and the result records which
            # isolation the runner got), so a failure here fails closed: the runner
            # never starts half isolated on the machine's own file system.
            isolate(libc)

    return apply


def runner_visible_paths() -> list[str]:
    """What a runner's file system shows: the system, Python and its site-packages."""
    import site

    paths = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys", "/dev",
             sys.base_prefix, sys.prefix, *site.getsitepackages()]
    user_site = site.getusersitepackages()
    if os.path.isdir(user_site):
        paths.append(user_site)
    return sorted({os.path.realpath(p) if not os.path.islink(p) else p for p in paths
                   if os.path.lexists(p)})


# What a hidden module's source is replaced with: the standard library may still
# import it (pathlib -> urllib.parse -> ipaddress), but nothing in it can be used.
ABSENT_MODULE_FILE = b"absent_module.py"
ABSENT_MODULE = '''"""Not available where this submission runs."""


def __getattr__(name):
    raise ImportError(f"module `{__name__}` may not be used in this assignment")
'''


def _isolate_runner(run_root: bytes, visible: list[bytes], hide: list[bytes]):
    """New network namespace (no network), and a new root file system made of
    read-only views of `visible` (less `hide`) and of the run's own folder, whose
    `work/` alone is writable. Nothing else on the machine exists there: not the
    instructor's files, not other submissions' runs, not the judge's folder."""

    absent_module = run_root + b"/lib/" + ABSENT_MODULE_FILE

    def isolate(libc) -> None:
        if libc.unshare(CLONE_NEWNET | CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "unshare")
        _mount(libc, None, b"/", None, MS_REC | MS_PRIVATE)
        stage = run_root + b".root"
        _mount(libc, b"tmpfs", stage, b"tmpfs", 0, b"size=16m,mode=0755")
        for path in visible:
            _bind(libc, path, stage + path, read_only=path != b"/dev")
        _bind(libc, run_root + b"/lib", stage + run_root + b"/lib", read_only=True)
        _bind(libc, run_root + b"/work", stage + run_root + b"/work", read_only=False)
        # A /dev/shm of its own: the machine's is shared by every process.
        _mount(libc, b"tmpfs", stage + b"/dev/shm", b"tmpfs", 0, b"size=64m,mode=1777")
        os.makedirs(stage + b"/proc", exist_ok=True)
        os.makedirs(stage + b"/tmp", exist_ok=True)
        for path in hide:
            target = stage + path
            if os.path.isdir(target):
                _mount(libc, b"tmpfs", target, b"tmpfs", MS_RDONLY, b"size=4k,mode=0555")
            elif os.path.lexists(target):
                # A module's source gets a stub (the standard library may import it too).
                source = absent_module if target.endswith(b".py") else b"/dev/null"
                _mount(libc, source, target, None, MS_BIND)
        _mount(libc, None, stage, None, MS_REMOUNT | MS_RDONLY)
        os.chroot(stage)
        os.chdir(run_root + b"/work")

    return isolate


def _bind(libc, source: bytes, target: bytes, read_only: bool) -> None:
    if os.path.islink(source):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "ab").close()
    _mount(libc, source, target, None, MS_BIND | MS_REC)
    if read_only:
        _mount(libc, None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def _mount(libc, source, target, fstype, flags, data=None) -> None:
    if libc.mount(source, target, fstype, flags, data) != 0:
        raise OSError(ctypes.get_errno(), f"mount {target!r}")


@functools.lru_cache(maxsize=1)
def pid_namespace_prefix() -> tuple[str, ...]:
    """Commands that run a program as PID 1 of its own PID namespace, with no capabilities.

    Inside it the runner cannot see or signal the judge or any other process
    (`kill(-1)` reaches only its own namespace), when it dies the kernel kills
    everything it started, and with an empty capability bounding set it cannot undo
    its mounts. Empty when this machine does not allow it (not root, or no util-linux).
    """
    prefix = ("unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
              "setpriv", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs")
    if shutil.which("unshare") is None or shutil.which("setpriv") is None:
        return ()
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return prefix if probe.returncode == 0 else ()


@functools.lru_cache(maxsize=1)
def can_isolate_mounts() -> bool:
    """Whether this process may make network and mount namespaces (root)."""
    if shutil.which("unshare") is None:
        return False
    try:
        probe = subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True,
                               timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CLONE_NEWPID = 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
LINUX_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def unshare_pid_namespace(libc) -> None:
    """The next child of the caller is PID 1 of a new PID namespace."""
    if libc.unshare(CLONE_NEWPID) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWPID)")


def settle_pid_namespace(libc) -> None:
    """For a forked runner, as PID 1 of its namespace (after its file-system isolation),
    what `unshare --pid --mount-proc setpriv --bounding-set=-all --inh-caps=-all
    --no-new-privs` gives an executed one: /proc of its own namespace, no capabilities
    (effective, permitted, inheritable, ambient or bounding) and no way to gain any.
    Checked in /proc/self/status: never a runner with privileges."""
    _mount(libc, b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    cap = 0
    while libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    if cap == 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    none = (_CapData * 2)()
    if libc.capset(ctypes.byref(_CapHeader(LINUX_CAPABILITY_VERSION_3, 0)), none) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    status = dict(line.split(":\t", 1) for line in Path("/proc/self/status").read_text().splitlines()
                  if ":\t" in line)
    left = {k: status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
            if int(status[k], 16)}
    if left or status["NoNewPrivs"].strip() != "1" or os.getpid() != 1:
        raise PermissionError(f"the runner kept privileges: {left or status['NoNewPrivs']}")


def runner_isolation() -> dict:
    """The isolation a runner gets on this machine (each result records it)."""
    return {
        "own_pid_namespace": bool(pid_namespace_prefix()),
        "capabilities_dropped": bool(pid_namespace_prefix()),
        "network_namespace": can_isolate_mounts(),
        "read_only_filesystem": can_isolate_mounts(),
        "hidden_paths": can_isolate_mounts(),
    }


def prepare_isolation(run_root: Path, hide: list[str]) -> Callable[[ctypes.CDLL], None] | None:
    """The runner's file-system isolation step, where the machine allows it."""
    if not can_isolate_mounts():
        return None
    os.makedirs(f"{run_root}.root", exist_ok=True)
    (run_root / "lib" / os.fsdecode(ABSENT_MODULE_FILE)).write_text(ABSENT_MODULE)
    return _isolate_runner(os.fsencode(run_root), [os.fsencode(p) for p in runner_visible_paths()],
                           [os.fsencode(p) for p in hide])


def spawn_runner(script: Path, run_root: Path, workdir: Path, limits: Limits, hide: list[str], *,
                 fds: tuple[int, int], log: int) -> tuple[subprocess.Popen, dict]:
    """Start the runner in the full sandbox; returns the process and the isolation it got."""
    isolate = prepare_isolation(run_root, hide)
    proc = subprocess.Popen(
        [*pid_namespace_prefix(), sys.executable, "-I", str(script), *map(str, fds)],
        cwd=workdir, env=child_env(workdir), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        pass_fds=fds, start_new_session=True, preexec_fn=_limits_then(limits, isolate),
    )
    return proc, runner_isolation()


def exit_reason(code: int | None, doing: str) -> str:
    """Why a process that exited on its own stopped, in the student's terms."""
    if code is not None and code < 0:
        sig = signal.Signals(-code)
        if sig == signal.SIGXCPU:
            return f"stopped {doing}: it used up its CPU time."
        if sig == signal.SIGXFSZ:
            return f"stopped {doing}: it wrote too much output or too large a file."
        return f"the process running your code was killed by {sig.name} {doing}."
    return (f"the process running your code exited with code {code} {doing}: does your code "
            "call sys.exit(), os._exit() or quit()?")


_FAULTHANDLER_FRAME = re.compile(r'File "([^"]+)", line (\d+) in (\S+)')


def hang_location(dump: str, filename: str) -> tuple[str, int] | None:
    """(function, line) of the innermost frame of `filename` in a faulthandler dump."""
    for match in _FAULTHANDLER_FRAME.finditer(dump):
        name, line, func = match.groups()
        if name == filename:
            return func, int(line)
    return None


def signal_tree(pid: int, sig: int, *, include_root: bool = False) -> None:
    """Signal the processes below `pid` (and `pid` itself with include_root)."""
    with contextlib.suppress(psutil.Error):
        root = psutil.Process(pid)
        for p in [root] * include_root + root.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                p.send_signal(sig)


class TreeMemory:
    """The resident memory of a process and all its descendants, in MB.

    Finding the descendants reads every process's entry in /proc (about 5 ms on a
    machine with a hundred processes), so it is done at most every REWALK_SECONDS;
    the memory of the processes found is read at every call. A process the tree
    starts is counted from the next walk on.
    """

    def __init__(self, proc):
        self.root: psutil.Process | None = proc if isinstance(proc, psutil.Process) else None
        self.pid = proc.pid
        self.members: list[psutil.Process] = []
        self.walked = float("-inf")

    def mb(self) -> float:
        now = time.monotonic()
        if now - self.walked >= REWALK_SECONDS:
            self.walked = now
            with contextlib.suppress(psutil.Error):
                self.root = self.root or psutil.Process(self.pid)
                self.members = [self.root, *self.root.children(recursive=True)]
        total = 0
        for p in self.members:
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


JUDGE_MEMORY_MB = 3072  # the judge's own share (pytest, the suite, TensorFlow) on top of the runner's


def run_judge(config_json: str, workdir: Path, limits: Limits,
              deadline: Callable[[list[dict], float], tuple[float, str]],
              starter=None, warm_runners: bool = False) -> ChildRun:
    """Start the judge with its configuration on stdin and watch it until it exits.

    With a `starter` (autograder.engine.warm), the judge is forked from a process
    that has its libraries imported already; otherwise it starts as a new interpreter.
    With `warm_runners`, the judge forks its runners from a clean copy of itself.

    Events come on a private pipe and are validated one by one (protocol.parse_event);
    the parent stamps them with its own clock. `deadline(events, now)` returns (time
    by which the next event must arrive or the judge is killed, what it was doing).
    Nothing is read from the file system: the judge's output goes to an unnamed file.
    """
    read_fd, write_fd = os.pipe()
    run = ChildRun()
    with tempfile.TemporaryFile(dir=workdir) as log:
        proc = starter and starter.start_judge(workdir, limits, write_fd, log.fileno(), warm_runners)
        if proc is None:
            code = (f"import sys; sys.path.insert(0, {PACKAGE_PARENT!r}); "
                    f"from autograder.engine.judge import main; main({write_fd}, {warm_runners})")
            proc = subprocess.Popen(
                [sys.executable, "-I", "-c", code],
                cwd=workdir, env=child_env(workdir), stdin=subprocess.PIPE,
                stdout=log, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
                start_new_session=True, preexec_fn=_limits_then(limits, None),
            )
        os.close(write_fd)
        try:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.write(config_json.encode())
                proc.stdin.close()
            _watch(proc, read_fd, run, Limits(limits.memory_mb + JUDGE_MEMORY_MB), deadline)
        finally:
            kill_tree(proc.pid)
            proc.wait()
            os.close(read_fd)
        run.returncode = proc.returncode
        size = os.fstat(log.fileno()).st_size
        run.log_tail = os.pread(log.fileno(), 8192, max(0, size - 8192)).decode("utf-8", "replace")
    return run


def _watch(proc, read_fd: int, run: ChildRun, limits: Limits, deadline) -> None:
    ps = psutil.Process(proc.pid)
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ)
    os.set_blocking(read_fd, False)
    reader = EventReader()
    memory = TreeMemory(ps)
    measured = 0.0  # when the tree's memory was last measured

    while True:
        selector.select(timeout=POLL_SECONDS)
        try:
            open_ = reader.drain(read_fd, run.events)
        except protocol.ProtocolError as exc:
            run.killed, run.killed_detail = "protocol", str(exc)
            return
        if not open_:
            return
        if proc.poll() is not None:  # exited; a grandchild may still hold the pipe
            with contextlib.suppress(protocol.ProtocolError):
                reader.drain(read_fd, run.events)
            return
        now = time.monotonic()
        limit, doing = deadline(run.events, now)
        if now > limit:
            run.killed, run.killed_detail = "timeout", doing
            return
        if now - measured < POLL_SECONDS:  # once a poll, not once an event
            continue
        measured = now
        rss = memory.mb()
        if rss > limits.memory_mb:
            run.killed = "memory"
            run.killed_detail = f"{doing} (used {rss:,.0f} MB, limit {limits.memory_mb:,} MB)"
            return


class EventReader:
    """Split the judge's pipe into checked events, in linear time and bounded memory."""

    def __init__(self):
        self.buffer = bytearray()
        self.total = 0

    def drain(self, fd: int, events: list[dict]) -> bool:
        """Read what is there into `events`; False once the pipe is closed."""
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                return True
            if not chunk:
                return False
            self.total += len(chunk)
            if self.total > protocol.MAX_EVENT_BYTES:
                raise protocol.ProtocolError("the judge sent more than the event budget")
            scan_from = len(self.buffer)
            self.buffer += chunk
            now = time.monotonic()
            start = 0
            while (end := self.buffer.find(b"\n", max(start, scan_from))) != -1:
                event = protocol.parse_event(bytes(self.buffer[start:end]))
                event["t"] = now
                events.append(event)
                start = end + 1
            del self.buffer[:start]
            if len(self.buffer) > protocol.MAX_EVENT_LINE:
                raise protocol.ProtocolError("an event line is over the size limit")
