"""Warm judges: one clean process imports TensorFlow once and forks a judge per grading.

A judge started cold spends about 6 s of CPU importing TensorFlow and Keras before
it runs a test, and a batch pays that for every submission. In a process that
grades many submissions (a batch or audit worker), `enable()` starts a *judge
starter*: a process that imports the judge's libraries once and then only forks.
For each grading of a Keras assignment the parent asks it for a judge; the fork
gets the parent's pipes, working folder, environment and limits, and runs the same
`autograder.engine.judge.main` a cold judge runs.

Runners are started warm the same way, one level down: every judge of a Keras
assignment, warm or cold, first imports the frameworks and forks a *runner starter*,
a copy of itself made before it reads anything of the grading. Each runner is forked
from that copy, enters the full sandbox (autograder.engine.sandbox: limits, its own
mount, network and PID namespaces, no capabilities) and then serves the judge like
a runner started as a new interpreter. So a grading imports TensorFlow once (in the
judge), or never (in a batch worker with a judge starter), instead of twice.

Trust is unchanged. The starters never receive a submission, a configuration or a
result: only folders, an environment, limits and descriptors, so every judge and
every runner starts from the same clean memory, which holds the engine's public code
and the frameworks, nothing secret. The judge starter reaps its judges and reports
each exit status to the parent; a runner is handed to its judge (a subreaper) as a
child of its own. If a starter is ever unusable, grading goes on with cold starts.

    parent --fds, folder, env--> judge starter --fork--> judge (config on its stdin)
    parent <----pid, exit code-- judge starter
    judge --fds, folders, limits--> runner starter --fork--> runner (in its sandbox)
    judge <--pid (then the runner is the judge's child)-- runner starter
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from autograder.engine import sandbox

PR_SET_DUMPABLE = 4
REPLY_SECONDS = 120.0  # the starter's first answer waits for its imports, on a busy machine
MAX_MESSAGE = 1 << 16

_starter: JudgeStarter | None = None
_enabled = False


def enable() -> None:
    """This process will grade several submissions: start judges warm from now on
    (unless NEUROGRADE_WARM=0, which bench/ uses to measure the difference)."""
    global _enabled
    _enabled = os.environ.get("NEUROGRADE_WARM", "1") != "0"


def disable() -> None:
    """Start judges cold again (and stop this process's starter)."""
    global _enabled, _starter
    _enabled = False
    if _starter is not None:
        _starter.close()
        _starter = None


def warm_runners(config) -> bool:
    """Whether the judge of this grading forks its runners (a Keras assignment, and no
    forbidden modules: a forked runner has the judge's modules loaded already)."""
    return bool(config.uses_keras and not config.forbidden_modules
                and os.environ.get("NEUROGRADE_WARM", "1") != "0")


def starter_for(uses_keras: bool) -> JudgeStarter | None:
    """The process's judge starter, started on first use; None where judges start cold."""
    global _starter
    if not (_enabled and uses_keras):
        return None
    if _starter is None or not _starter.usable:
        _starter = JudgeStarter()
    return _starter


class WarmJudge:
    """The parent's handle on a judge the starter forked (as subprocess.Popen offers)."""

    def __init__(self, starter: JudgeStarter, pid: int, stdin_fd: int):
        self.starter, self.pid, self.returncode = starter, pid, None
        self.stdin = open(stdin_fd, "wb")  # noqa: SIM115  (closed by the caller)

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.starter.exit_code(self.pid, timeout=0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = self.starter.exit_code(self.pid, timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired("judge", timeout)
        return self.returncode


class JudgeStarter:
    """The parent's side: start the starter process, ask it for judges, hear their exits."""

    def __init__(self):
        self.usable = True
        self._folder = tempfile.TemporaryDirectory(prefix="neurograde-starter-")
        self._exits: dict[int, int] = {}
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._socket = here
        self._log = tempfile.TemporaryFile(dir=self._folder.name)  # noqa: SIM115
        code = (f"import sys; sys.path.insert(0, {sandbox.PACKAGE_PARENT!r}); "
                f"from autograder.engine.warm import serve; serve({there.fileno()})")
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", code], cwd=self._folder.name,
            env=sandbox.child_env(Path(self._folder.name)), stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, pass_fds=(there.fileno(),),
            start_new_session=True)
        there.close()
        atexit.register(self.close)

    def start_judge(self, workdir: Path, limits: sandbox.Limits, events_fd: int,
                    log_fd: int, warm_runners: bool) -> WarmJudge | None:
        """A judge forked for this grading, or None (then start it cold)."""
        stdin_r, stdin_w = os.pipe()
        request = {"cwd": str(workdir), "env": sandbox.child_env(workdir), "limits": asdict(limits),
                   "warm_runners": warm_runners}
        reply = None
        try:
            socket.send_fds(self._socket, [json.dumps(request).encode()],
                            [stdin_r, events_fd, log_fd])
            end = time.monotonic() + REPLY_SECONDS
            while reply is None and self.usable and time.monotonic() < end:
                message = self._receive(end - time.monotonic())
                reply = message if message and "pid" in message else None
        except OSError:
            pass
        finally:
            os.close(stdin_r)
        if reply is None:
            os.close(stdin_w)
            self._give_up()
            return None
        return WarmJudge(self, reply["pid"], stdin_w)

    def exit_code(self, pid: int, timeout: float | None) -> int | None:
        """The judge's exit status as Popen gives it, once the starter has reaped it."""
        end = None if timeout is None else time.monotonic() + timeout
        while pid not in self._exits:
            if not self.usable:
                return -9  # the starter is gone, and its judges were killed with it
            left = None if end is None else max(0.0, end - time.monotonic())
            if self._receive(left) is None and left == 0:
                return None
        return self._exits.pop(pid)

    def _receive(self, timeout: float | None) -> dict | None:
        """One message from the starter (exits are recorded); None on timeout or loss."""
        self._socket.settimeout(timeout)
        try:
            data = self._socket.recv(MAX_MESSAGE)
        except (TimeoutError, BlockingIOError):
            return None
        except OSError:
            data = b""
        if not data:
            self._give_up()
            return None
        message = json.loads(data)
        if "exit" in message:
            self._exits[message["exit"]] = message["code"]
        return message

    def _give_up(self) -> None:
        self.usable = False
        sandbox.kill_tree(self._proc.pid)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def close(self) -> None:
        atexit.unregister(self.close)
        self.usable = False
        with contextlib.suppress(OSError):
            self._socket.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)
        sandbox.kill_tree(self._proc.pid)
        self._proc.wait()
        self._log.close()
        self._folder.cleanup()


# ---------------------------------------------------------------- the starter process


def serve(socket_fd: int) -> None:
    """Import once, then fork a judge per request until the parent goes away."""
    import keras  # noqa: F401  (what every judge of a Keras assignment needs)
    import tensorflow  # noqa: F401

    import autograder.engine.judge  # noqa: F401  (pytest and the judge's own code)

    parent = socket.socket(fileno=socket_fd)
    selector = selectors.DefaultSelector()
    selector.register(parent, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is parent:
                try:
                    data, fds, _, _ = socket.recv_fds(parent, MAX_MESSAGE, 3)
                except OSError:
                    data, fds = b"", []
                if not data:
                    os._exit(0)  # the parent is gone; its judges go with their sessions
                pid = os.fork()
                if pid == 0:
                    _become_judge(json.loads(data), fds)
                for fd in fds:
                    os.close(fd)
                exited = os.pidfd_open(pid)
                selector.register(exited, selectors.EVENT_READ, pid)
                parent.send(json.dumps({"pid": pid}).encode())
            else:
                selector.unregister(key.fd)
                os.close(key.fd)
                _, status = os.waitpid(key.data, 0)
                parent.send(json.dumps({"exit": key.data,
                                        "code": os.waitstatus_to_exitcode(status)}).encode())


def _become_judge(request: dict, fds: list[int]) -> None:
    """In the fork: take the grading's descriptors, folder and environment, then judge."""
    try:
        stdin_r, events_fd, log_fd = fds
        os.dup2(stdin_r, 0)
        # Nothing of the starter's stays open: its socket, the other judges' exit handles.
        _take_over(log_fd, (events_fd,), Path(request["cwd"]), request["env"])
        sandbox._limits_then(sandbox.Limits(**request["limits"]), None)()
        from autograder.engine.judge import main

        main(events_fd, request["warm_runners"])
    except BaseException:  # noqa: BLE001  (reported on the judge's log, like a cold start)
        traceback.print_exc()
        sys.stderr.flush()
    os._exit(70)


# ---------------------------------------------------------------- runners


class AdoptedRunner:
    """The judge's handle on a runner the runner starter forked: once the starter's
    go-between has exited, the runner is the judge's own child (the judge is a
    subreaper), so it is waited for as any child is."""

    signal_itself = True  # no wrapper process stands between the judge and the runner

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: it is gone, how is unknown
                self.returncode = -9
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired("runner", timeout)
            time.sleep(0.01)
        return self.returncode


class RunnerStarter:
    """The judge's side of its runner starter."""

    def __init__(self, pid: int, channel: socket.socket):
        self.pid, self._channel, self.usable = pid, channel, True

    @classmethod
    def fork(cls) -> RunnerStarter:
        """Call before the judge reads its configuration: the copy must hold nothing of it."""
        sandbox.runner_isolation()  # the machine's answers, known before the copy is made
        from autograder.engine import runner  # noqa: F401  (in memory: a runner sees no engine)
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            here.close()
            _serve_runners(there)
        there.close()
        return cls(pid, here)

    def start_runner(self, run_root: Path, workdir: Path, limits: sandbox.Limits,
                     hide: list[str], fds: tuple[int, int], log: int) -> AdoptedRunner:
        """A runner in its sandbox, serving requests on `fds`; OSError if the starter fails."""
        request = {"run_root": str(run_root), "workdir": str(workdir), "limits": asdict(limits),
                   "hide": hide}
        try:
            socket.send_fds(self._channel, [json.dumps(request).encode()], [*fds, log])
            self._channel.settimeout(REPLY_SECONDS)
            reply = self._channel.recv(MAX_MESSAGE)
            answer = json.loads(reply) if reply else {"error": "the runner starter is gone"}
            if "pid" not in answer:
                raise ConnectionError(answer["error"])
            return AdoptedRunner(answer["pid"])
        except OSError:
            self.usable = False
            raise


def _serve_runners(channel: socket.socket) -> None:
    """The runner starter: fork each runner through a go-between that exits at once."""
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # not the judge's stdin: nothing of the grading reaches this copy
        _close_all_but(channel.fileno())
        while True:
            data, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, 3)
            if not data:
                os._exit(0)  # the judge is gone
            found_r, found_w = os.pipe()
            middle = os.fork()
            if middle == 0:
                if sandbox.pid_namespace_prefix():  # the runner: PID 1 of a namespace of its own
                    sandbox.unshare_pid_namespace(ctypes.CDLL(None, use_errno=True))
                runner = os.fork()
                if runner == 0:
                    _become_runner(json.loads(data), fds)
                os.write(found_w, str(runner).encode())
                os._exit(0)
            os.close(found_w)
            for fd in fds:
                os.close(fd)
            runner_pid = int(os.read(found_r, 32) or b"0")
            os.close(found_r)
            os.waitpid(middle, 0)  # now the runner is the judge's child
            channel.send(json.dumps({"pid": runner_pid} if runner_pid > 0 else
                                    {"error": "the runner could not be forked"}).encode())
    except BaseException:  # noqa: BLE001  (the judge sees the channel close)
        traceback.print_exc()
    os._exit(70)


def _become_runner(request: dict, fds: list[int]) -> None:
    """In the fork: the runner's descriptors, folder, environment and sandbox, then serve."""
    try:
        request_fd, answer_fd, log_fd = fds
        workdir = Path(request["workdir"])
        _take_over(log_fd, (request_fd, answer_fd), workdir, sandbox.child_env(workdir))
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # as a new interpreter would be
        isolate = sandbox.prepare_isolation(Path(request["run_root"]), request["hide"])
        sandbox._limits_then(sandbox.Limits(**request["limits"]), isolate)()
        if sandbox.pid_namespace_prefix():
            sandbox.settle_pid_namespace(libc)
        sys.modules["autograder.engine.runner"].run(request_fd, answer_fd)
    except BaseException:  # noqa: BLE001  (on the runner's log, as a failed start would be)
        traceback.print_exc()
        sys.stderr.flush()
    os._exit(70)


def _take_over(log_fd: int, keep: tuple[int, ...], workdir: Path, env: dict) -> None:
    """A fork becomes a grading's process: its own session, output to `log_fd`, only
    the descriptors in `keep` (and 0 to 2), its folder and its environment."""
    os.setsid()
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    _close_all_but(*keep)
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None  # computed again from the new TMPDIR


def _close_all_but(*keep: int) -> None:
    """Close every descriptor above 2 except `keep`."""
    low = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))
