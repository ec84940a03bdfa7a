"""The Gradescope door: an autograder.zip for one assignment, and what runs inside it.

Gradescope's autograder specification: the zip holds `setup.sh` (run once, as
root, when Gradescope builds the image) and `run_autograder` (run once per
submission, working directory /autograder) at its root; the zip is unpacked into
/autograder/source, the student's files land in /autograder/submission, and the
grade must be written to /autograder/results/results.json.

The bundle carries a neurograde wheel holding the engine and this assignment's
suite only (public and hidden), so it grades exactly as `neurograde grade` does
and reveals nothing about the other assignments. `setup.sh` installs that wheel
and its dependencies from PyPI into a virtual environment; `run_autograder` calls
`python -m autograder.instructor.gradescope`, which grades with the same engine and always
writes a results.json, even when the grader itself fails, so the student reads a
reason rather than a blank page.

results.json holds only the fields Gradescope documents (score, execution_time,
output, stdout_visibility, extra_data, and per test name, score, max_score, status,
visibility, output, extra_data); what else the engine's record carries (the total
out of which, each test's task) goes into extra_data.

Two environment variables let the bundle run outside Gradescope's image, which is
how the tests run it: NEUROGRADE_GRADESCOPE_ROOT moves the container root (default
/autograder) to a folder laid out the same way, and NEUROGRADE_VENV_OPTIONS adds
options to setup.sh's `python -m venv` (`--system-site-packages` reuses the
dependencies a machine already has, so that `pip install` works offline with
PIP_NO_INDEX=1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
import zipfile
from pathlib import Path

from autograder.assignments import get_assignment
from autograder.errors import NeurogradeError
from autograder.instructor.distribution import build_wheel
from autograder.result import Result

ROOT_ENV = "NEUROGRADE_GRADESCOPE_ROOT"
PYTHON_ENV = "NEUROGRADE_PYTHON"
VENV_OPTIONS_ENV = "NEUROGRADE_VENV_OPTIONS"
DEFAULT_ROOT = Path("/autograder")
VENV = "neurograde-venv"  # under the root: created by setup.sh

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
# It installs the neurograde wheel carried in this bundle, with its dependencies
# from PyPI, into a virtual environment that run_autograder uses.
set -euo pipefail
ROOT="${{{root_env}:-/autograder}}"
SOURCE="$ROOT/source"
export DEBIAN_FRONTEND=noninteractive
PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \\
        'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
        PYTHON="$(command -v "$candidate")"
        break
    fi
done
if [ -z "$PYTHON" ]; then  # older Ubuntu images: Python 3.11 from the distribution
    apt-get update
    apt-get install -y python3.11 python3.11-venv
    PYTHON="$(command -v python3.11)"
fi
VERSION="$("$PYTHON" -c 'import sys; print(f"{{sys.version_info[0]}}.{{sys.version_info[1]}}")')"
if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
    apt-get update
    apt-get install -y "python$VERSION-venv" || apt-get install -y python3-venv
fi
# Options for the venv (unquoted: split into words), e.g. --system-site-packages.
"$PYTHON" -m venv ${{{venv_options_env}:-}} "$ROOT/{venv}"
"$ROOT/{venv}/bin/python" -m pip install --upgrade pip
"$ROOT/{venv}/bin/python" -m pip install "$SOURCE/{wheel}"
"$ROOT/{venv}/bin/python" -c "import autograder, keras, tensorflow"
chmod +x "$SOURCE/run_autograder"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this once per submission: grade /autograder/submission and write
# /autograder/results/results.json. Everything happens in `python -m autograder.instructor.gradescope`.
set -uo pipefail
ROOT="${{{root_env}:-/autograder}}"
PYTHON="${{{python_env}:-$ROOT/{venv}/bin/python}}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
export TF_CPP_MIN_LOG_LEVEL=3
mkdir -p "$ROOT/results"
"$PYTHON" -m autograder.instructor.gradescope --root "$ROOT" --assignment {assignment}
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
    # Python itself could not start the grader: still give the student a reason.
    message="The autograder could not start (exit code $status): please tell your instructor."
    {{
        printf '{{"score": 0, "execution_time": 0, "output": "%s",' "$message"
        printf ' "stdout_visibility": "hidden", "tests": []}}\\n'
    }} > "$ROOT/results/results.json"
fi
exit 0
"""


class BundleError(NeurogradeError, RuntimeError):
    """The Gradescope bundle could not be built."""


def build_gradescope_bundle(assignment_id: str, out_zip: str | Path) -> Path:
    """Write Gradescope's autograder.zip for `assignment_id` to `out_zip`.

    The zip holds setup.sh and run_autograder at its root, and a neurograde wheel
    whose only suite is this assignment's (public and hidden tests).
    """
    assignment = get_assignment(assignment_id)
    if not assignment.hidden_dir.is_dir() or not any(assignment.hidden_dir.glob("test_*.py")):
        raise BundleError(
            f"Invalid value for argument `assignment_id`: {assignment.id} has no hidden tests "
            f"in {assignment.hidden_dir}, so there is nothing to grade on Gradescope.")
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="neurograde-bundle-") as tmp:
        wheel = build_wheel(Path(tmp), keep=lambda rel: rel.parts[0] in (assignment.id, "README.md"))
        fields = dict(root_env=ROOT_ENV, python_env=PYTHON_ENV, venv_options_env=VENV_OPTIONS_ENV,
                      venv=VENV, wheel=wheel.name, assignment=assignment.id)
        with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            _add(zf, "setup.sh", SETUP_SH.format(**fields).encode(), executable=True)
            _add(zf, "run_autograder", RUN_AUTOGRADER.format(**fields).encode(), executable=True)
            _add(zf, wheel.name, wheel.read_bytes())
    return out_zip


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o755 if executable else 0o644) << 16
    zf.writestr(info, data)


def run_in_container(root: Path, assignment_id: str) -> dict:
    """Grade the submission under root/submission; write and return results.json's record.

    Never raises for a bad submission or a failing grader: the record then says
    what went wrong, with score 0, which is what Gradescope shows the student.
    """
    from autograder.engine.batch import pick_file
    from autograder.engine.grader import grade_submission

    results_path = root / "results" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        assignment = get_assignment(assignment_id)
        submission = pick_file(root / "submission", assignment)
        if submission is None:
            record = _failure_record(
                f"No .ipynb or .py file was found in your submission. Upload your "
                f"notebook, {assignment.id}.ipynb.")
        else:
            record = results_json(grade_submission(submission, assignment))
    except Exception as exc:  # noqa: BLE001  (the student must still get a record)
        traceback.print_exc()  # goes to Gradescope's stdout, which only instructors see
        record = _failure_record(f"The autograder itself failed ({type(exc).__name__}: {exc}). "
                                 "This is not your fault: please tell your instructor.")
    tmp = results_path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, results_path)
    return record


# Gradescope's documented values (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
TEST_FIELDS = ("name", "score", "max_score", "status", "visibility", "output")
# Instructors read the grader's stdout on Gradescope; students never do.
STDOUT_VISIBILITY = "hidden"


def results_json(result: Result) -> dict:
    """The engine's record as Gradescope's results.json: documented fields only.

    The total out of which and each test's task, which Gradescope has no field
    for, go into extra_data.
    """
    record = result.to_gradescope()
    extra = {**record["extra_data"], "max_score": record["max_score"]}
    tests = []
    for test in record["tests"]:
        entry = {k: test[k] for k in TEST_FIELDS if k in test}
        entry["extra_data"] = {k: v for k, v in test.items() if k not in TEST_FIELDS}
        tests.append(entry)
    return {"score": record["score"], "execution_time": record["execution_time"],
            "output": record["output"], "stdout_visibility": STDOUT_VISIBILITY,
            "tests": tests, "extra_data": extra}


def _failure_record(message: str) -> dict:
    return {"score": 0.0, "execution_time": 0.0, "output": message,
            "stdout_visibility": STDOUT_VISIBILITY, "tests": [], "extra_data": {"error": message}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.instructor.gradescope",
                                     description="Grade a submission inside Gradescope.")
    parser.add_argument("--root", type=Path,
                        default=Path(os.environ.get(ROOT_ENV, DEFAULT_ROOT)))
    parser.add_argument("--assignment", required=True)
    args = parser.parse_args(argv)
    import autograder

    # Gradescope shows this stdout to instructors only: say which engine graded.
    print(f"neurograde {autograder.__version__} from {Path(autograder.__file__).parent}")
    record = run_in_container(args.root, args.assignment)
    total = record.get("extra_data", {}).get("max_score", 0)
    print(f"{args.assignment}: {record.get('score', 0):g} / {total:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
