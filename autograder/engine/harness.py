"""Entry point of the grading child process: `python -m autograder.engine.harness CONFIG`.

The child imports the frameworks the suite needs, then runs pytest on the suite
with `autograder.engine.plugin`, which imports the submission and reports every step to
the parent over a pipe. The parent (autograder.engine.sandbox) decides the grade; this
process only reports what happened.
"""

from __future__ import annotations

import json
import os
import sys


def _prepare_frameworks(uses_keras: bool) -> None:
    if not uses_keras:
        return
    import keras  # noqa: F401  (imported before student code, seeded per test)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    tf.get_logger().setLevel("ERROR")


def _report_isolation(config: dict) -> None:
    """Tell the parent what the sandbox achieved (recorded in the result)."""
    import socket

    readonly = not os.access(os.path.dirname(os.__file__), os.W_OK) and \
        not os.access("/", os.W_OK)
    interfaces = [name for _, name in socket.if_nameindex()]
    line = json.dumps({"event": "isolation", "filesystem_read_only": readonly,
                       "network": interfaces != ["lo"],
                       "own_pid_namespace": os.getpid() == 1}) + "\n"
    os.write(config["events_fd"], line.encode())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0]) as fh:
        config = json.load(fh)
    os.environ["NEUROGRADE_CONFIG"] = argv[0]
    _report_isolation(config)
    _prepare_frameworks(config["uses_keras"] and not config.get("collect_only"))

    import pytest

    args = [
        *config["test_paths"],
        "-p", "autograder.engine.plugin",
        "-p", "no:cacheprovider",
        "-p", "no:randomly",
        "--assert=plain",  # failure messages come from the tests' own words
        "-q", "--no-header", "--disable-warnings",
        "--rootdir", config["workdir"],
        "-c", os.path.join(config["workdir"], "pytest.ini"),
        "--import-mode=importlib",
        "-o", "console_output_style=classic",
    ]
    return int(pytest.main(args))


def _kill_descendants() -> None:
    """Processes the student started (orphans included: we are their subreaper)."""
    import contextlib

    import psutil

    with contextlib.suppress(psutil.Error):
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    _kill_descendants()
    os._exit(code)  # skip interpreter teardown: TensorFlow can hang in it
