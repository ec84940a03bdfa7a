"""neurograde side by side with otter-grader and nbgrader: the same checks graded three ways.

Needs otter-grader 7, installed from PyPI beforehand (`pip install -e ".[bench]"`, or
`pip install "otter-grader>=7,<8"`); nbgrader comes with neurograde. Nothing is downloaded
at run time, and no container is used: otter grades with `otter run` (its local,
non-containerized grading of one submission), nbgrader with `nbgrader autograde` of a
notebook whose test cells are plain asserts, neurograde with `neurograde grade`, each
as a command (a new process for each grading, as an instructor runs them).

    python bench/peers.py                            # 5 runs, a batch of 20: bench/PEERS.md
    python bench/peers.py --runs 1 --batch 2 --out /tmp/PEERS.md     # a quick try
    python bench/peers.py --workload batch --batch-peer nbgrader-by-hand   # one peer only

Workloads, the same checks and the same solution for the three tools:
  trivial     a notebook of three one-line functions and 5 one-line tests (pure overhead);
  perceptron  the perceptron assignment's public checks (autograder/suites/perceptron/public/)
              on the reference solution's code (solutions/perceptron/perceptron.ipynb);
              neurograde runs that public suite as it is, otter and nbgrader the same
              checks as asserts in their own formats (PERCEPTRON_CHECKS below);
  batch       `--batch` submissions of the perceptron workload, with each tool's parallel
              mode where it has one (neurograde `--workers`; otter's is Docker containers,
              nbgrader has none): each peer also graded `--workers` at a time by this
              script (otter: that many `otter run` at once; nbgrader: that many courses,
              each autograding its share), so the batch ratio is also taken against that.

The notebook graded is the reference's setup and solution cells: its demo cells (plots and
training runs shown in class, which neurograde skips and the peers would run) are left
out, so that the three tools run the same code. Neurograde grades with suites built for
the benchmark in the temporary folder (NEUROGRADE_SUITES), public tests only.

Each round grades every workload with every tool (in a rotating order, so that the tools
share the machine's load), after one round not timed (caches, bytecode). Figures are
medians over `--runs` rounds; each ratio (neurograde / peer) is taken round by round,
and its median reported. Every grading must score full marks, or the script stops.
Goals: neurograde at most 0.5x each peer on trivial and perceptron, ahead of each on batch.
Everything generated (courses, gradebooks, kernels' files, results, caches) goes into one
temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import __version__  # noqa: E402
from autograder.assignments import SUITES_ENV, get_assignment  # noqa: E402
from autograder.engine.grader import versions  # noqa: E402
from bench.grading import machine  # noqa: E402

TOOLS = ("neurograde", "otter", "nbgrader")
WORKLOADS = ("trivial", "perceptron", "batch")
GOAL_RATIO = 0.5  # trivial and perceptron: neurograde at most this times each peer
NEUROGRADE = "import sys; from autograder.cli import main; sys.exit(main())"  # the console script

TRIVIAL_SOURCE = '''\
def add(a, b):
    ### BEGIN SOLUTION
    return a + b
    ### END SOLUTION


def mul(a, b):
    ### BEGIN SOLUTION
    return a * b
    ### END SOLUTION


def neg(a):
    ### BEGIN SOLUTION
    return -a
    ### END SOLUTION
'''
# (name, points, task, check): the check is Python run where the student's names are
# defined (the notebook's namespace for otter and nbgrader); one statement a line.
TRIVIAL_CHECKS = [
    ("add", 1, "add", "assert add(2, 3) == 5"),
    ("add_negative", 1, "add", "assert add(-2, -3) == -5"),
    ("mul", 1, "mul", "assert mul(4, 5) == 20"),
    ("mul_zero", 1, "mul", "assert mul(4, 0) == 0"),
    ("neg", 1, "neg", "assert neg(7) == -7"),
]
# autograder/suites/perceptron/public/test_public.py, test by test, as asserts on the
# notebook's objects (neurograde's copy of the Keras model becomes the model itself).
PERCEPTRON_CHECKS = [
    ("step_basics", 1, "step",
     "np.testing.assert_array_equal(np.asarray(step(np.array([-2.0, 0.0, 3.0]))), [0, 1, 1])"),
    ("mp_neuron_and", 1, "mp_neuron",
     "outs = [int(mp_neuron(np.array(x), np.array([1, 1]), 2)) "
     "for x in ([0, 0], [0, 1], [1, 0], [1, 1])]\n"
     "assert outs == [0, 0, 0, 1], outs"),
    ("predict_shape", 1, "predict",
     "X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, -3.0]])\n"
     "np.testing.assert_array_equal(np.asarray(predict(X, np.array([1.0, 1.0]), -1.5)), [0, 1, 0])"),
    ("and_converges", 2, "train_perceptron",
     "X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])\n"
     "t = np.array([0, 0, 0, 1])\n"
     "res = train_perceptron(X, t, eta=0.5, w_init=np.zeros(2))\n"
     "assert res.converged, 'training on AND should converge'\n"
     "np.testing.assert_array_equal(np.asarray(predict(X, res.w, res.b)), t)"),
    ("or_table", 1, "logic_gate",
     "X, t = logic_gate('or')\n"
     "np.testing.assert_array_equal(np.asarray(X), [[0, 0], [0, 1], [1, 0], [1, 1]])\n"
     "np.testing.assert_array_equal(np.asarray(t), [0, 1, 1, 1])"),
    ("xor_by_hand_outputs", 1, "xor_by_hand",
     "W1, b1, W2, b2 = xor_by_hand()\n"
     "X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)\n"
     "hidden = (X @ np.asarray(W1, float) + np.asarray(b1, float) >= 0).astype(float)\n"
     "out = (hidden @ np.asarray(W2, float) + np.asarray(b2, float) >= 0).astype(int)\n"
     "np.testing.assert_array_equal(out.ravel(), [0, 1, 1, 0])"),
    ("pocket_on_and", 1, "train_pocket",
     "X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])\n"
     "t = np.array([0, 0, 0, 1])\n"
     "res = train_pocket(X, t, eta=1.0, w_init=np.zeros(2))\n"
     "assert res.converged and res.errors == 0, (res.converged, res.errors)\n"
     "np.testing.assert_array_equal((X @ np.asarray(res.w, float) + float(res.b) >= 0).astype(int), t)"),
    ("pocket_on_xor", 1, "train_pocket",
     "X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])\n"
     "t = np.array([0, 1, 1, 0])\n"
     "res = train_pocket(X, t, eta=1.0, max_epochs=10, w_init=np.zeros(2))\n"
     "assert not res.converged and res.epochs == 10, (res.converged, res.epochs)\n"
     "assert res.errors == int(np.sum((X @ np.asarray(res.w, float) + float(res.b) >= 0) != t))"),
    ("mlp_shapes", 1, "build_xor_mlp",
     "model = build_xor_mlp(4)\n"
     "assert tuple(model.input_shape) == (None, 2), model.input_shape\n"
     "assert tuple(model.output_shape) == (None, 1), model.output_shape\n"
     "compiled = model.get_compile_config()\n"
     "assert compiled and compiled.get('optimizer') is not None and compiled.get('loss'), "
     "'the model is not compiled'"),
]
TRIVIAL_META = """title = "peers benchmark: five trivial tests"
uses_keras = false
test_timeout = 30.0
import_timeout = 60.0
time_budget = 120.0
memory_mb = 1024
"""


@dataclass
class Workload:
    name: str
    suite: str                  # neurograde's suite id (a folder under <tmp>/suites)
    plain: nbformat.NotebookNode  # the submission: setup and solution cells
    checks: list                # (name, points, task, check)
    students: list[str] = field(default_factory=lambda: ["alice"])

    @property
    def max_score(self) -> float:
        return float(sum(points for _, points, _, _ in self.checks))


# ---------------------------------------------------------------- the notebooks


def _cell(source: str, grade_id: str, *, solution=False, points=None) -> nbformat.NotebookNode:
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = float(points)
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def _notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def perceptron_notebook() -> nbformat.NotebookNode:
    """The reference's setup and solution cells, without neurograde's hand-over or demos."""
    reference = get_assignment("perceptron").solutions_dir / "perceptron.ipynb"
    cells = []
    for cell in nbformat.read(reference, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade") or "demo" in cell.metadata.get("tags", []):
            continue
        lines = [line for line in cell.source.splitlines()
                 if not re.search(r"\bautograder\b|\bChecker\b|^checker\b", line)]
        cells.append(_cell("\n".join(lines).strip() + "\n", meta["grade_id"],
                           solution=bool(meta.get("solution"))))
    return _notebook(cells)


def nbgrader_notebook(work: Workload) -> nbformat.NotebookNode:
    """The submission with one nbgrader test cell of plain asserts per check."""
    tests = [_cell(check, f"test_{name}", points=points) for name, points, _, check in work.checks]
    return _notebook([*work.plain.cells, *tests])


def otter_test(name: str, points: float, check: str) -> str:
    """An otter test file (OK format: one doctest case) running `check`."""
    lines = [f"{'>>>' if not line.startswith(' ') else '...'} {line}" for line in check.splitlines()]
    case = {"code": "\n".join(lines) + "\n", "hidden": False, "locked": False}
    test = {"name": name, "points": points,
            "suites": [{"cases": [case], "scored": True, "setup": "", "teardown": "",
                        "type": "doctest"}]}
    return f"OK_FORMAT = True\n\ntest = {test!r}\n"


def neurograde_trivial_tests() -> str:
    """The trivial checks as a neurograde suite: the student's names through `sub`."""
    out = ["from autograder.marks import graded", ""]
    for name, points, task, check in TRIVIAL_CHECKS:
        body = re.sub(r"\b(add|mul|neg)\(", r"sub.\1(", check)
        out += ["", f"@graded(points={points}, task={task!r})", f"def test_{name}(sub):",
                textwrap.indent(body, "    "), ""]
    return "\n".join(out)


# ---------------------------------------------------------------- the three tools


class Bench:
    """The temporary folder: suites, courses, otter autograders, submissions, results."""

    def __init__(self, tmp: Path, workers: int):
        self.tmp, self.workers, self.count = tmp, workers, 0
        kernels = tmp / "jupyter" / "kernels" / "python3"
        kernels.mkdir(parents=True)
        # Notebooks run in kernels of this very interpreter (the one whose packages are measured).
        (kernels / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3", "language": "python"}))
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
                    SUITES_ENV: str(tmp / "suites"), "JUPYTER_PATH": str(tmp / "jupyter"),
                    "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime"),
                    "IPYTHONDIR": str(tmp / "ipython"), "XDG_CACHE_HOME": str(tmp / "cache"),
                    "MPLCONFIGDIR": str(tmp / "matplotlib"), "MPLBACKEND": "Agg"}

    def run(self, argv: list[str], cwd: Path, what: str) -> None:
        self.count += 1
        log = self.tmp / "logs" / f"{self.count:04d}.log"
        log.parent.mkdir(exist_ok=True)
        with log.open("w") as out:
            done = subprocess.run(argv, cwd=cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=3600)
        if done.returncode:
            tail = log.read_text()[-3000:]
            raise SystemExit(f"{what} failed (exit {done.returncode}): {' '.join(argv)}\n{tail}")

    # -- setting up (not timed)

    def prepare(self, work: Workload, perceptron_suite: Path | None) -> None:
        base = self.tmp / work.name
        # neurograde: a suite of public tests only, and the submissions
        suite = self.tmp / "suites" / work.suite
        (suite / "public").mkdir(parents=True, exist_ok=True)
        if perceptron_suite is None:
            (suite / "meta.toml").write_text(TRIVIAL_META)
            (suite / "public" / "test_checks.py").write_text(neurograde_trivial_tests())
        else:
            shutil.copy(perceptron_suite / "meta.toml", suite / "meta.toml")
            shutil.copytree(perceptron_suite / "public", suite / "public", dirs_exist_ok=True)
        plain = base / "submissions"
        plain.mkdir(parents=True)
        work.plain.metadata["neurograde"] = {"assignment": work.suite}
        for student in work.students:
            nbformat.write(work.plain, plain / f"{student}.ipynb")
        # otter: tests in its own format, zipped by `otter generate` into an autograder
        tests = base / "otter" / "tests"
        tests.mkdir(parents=True)
        for i, (name, points, _, check) in enumerate(work.checks, 1):
            (tests / f"q{i}_{name}.py").write_text(otter_test(f"q{i}_{name}", points, check))
        self.run([sys.executable, "-m", "otter", "generate", "-t", "tests", "-o", "autograder.zip",
                  "--no-config", "--no-requirements", "--no-environment"], base / "otter",
                 "otter generate")
        # nbgrader: one course (and one per parallel share for the batch)
        shares = [work.students] + ([work.students[i::self.workers] for i in range(self.workers)]
                                    if len(work.students) > 1 else [])
        for i, students in enumerate(shares):
            self.make_course(work, base / f"course{i}", students)

    def make_course(self, work: Workload, course: Path, students: list[str]) -> None:
        from nbgrader.api import Gradebook

        source = course / "source" / work.suite
        source.mkdir(parents=True)
        (course / "nbgrader_config.py").write_text(
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(course)!r}\n"
            "c.CourseDirectory.course_id = 'peers'\n"
            f"c.CourseDirectory.db_url = {'sqlite:///' + str(course / 'gradebook.db')!r}\n"
            "c.Execute.timeout = 600\n")
        notebook = nbgrader_notebook(work)
        nbformat.write(notebook, source / f"{work.suite}.ipynb")
        self.run([sys.executable, "-m", "nbgrader", "generate_assignment", work.suite],
                 course, "nbgrader generate_assignment")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for student in students:
                gb.add_student(student)
        for student in students:
            folder = course / "submitted" / student / work.suite
            folder.mkdir(parents=True)
            nbformat.write(notebook, folder / f"{work.suite}.ipynb")

    # -- grading (timed), each returning {student: score}

    def neurograde(self, work: Workload, out: Path, parallel: bool) -> dict[str, float]:
        submissions = self.tmp / work.name / "submissions"
        target = submissions if len(work.students) > 1 else submissions / f"{work.students[0]}.ipynb"
        self.run([sys.executable, "-c", NEUROGRADE, "grade", str(target), "--assignment", work.suite,
                  "--workers", str(self.workers), "--out", str(out)], self.tmp, "neurograde grade")
        return {s: json.loads((out / f"{s}.json").read_text())["score"] for s in work.students}

    def otter(self, work: Workload, out: Path, parallel: bool) -> dict[str, float]:
        base = self.tmp / work.name

        def one(student: str) -> float:
            folder = out / student
            folder.mkdir(parents=True)
            self.run([sys.executable, "-m", "otter", "run", "-a", str(base / "otter" / "autograder.zip"),
                      "-o", str(folder), "--no-logo", str(base / "submissions" / f"{student}.ipynb")],
                     folder, "otter run")
            tests = json.loads((folder / "results.json").read_text())["tests"]
            return sum(t.get("score") or 0 for t in tests)

        return dict(zip(work.students, _map(one, work.students, self.workers if parallel else 1)))

    def nbgrader(self, work: Workload, out: Path, parallel: bool) -> dict[str, float]:
        from nbgrader.api import Gradebook

        base = self.tmp / work.name
        courses = [base / f"course{i + 1}" for i in range(self.workers)] if parallel else \
            [base / "course0"]

        def autograde(course: Path) -> dict[str, float]:
            self.run([sys.executable, "-m", "nbgrader", "autograde", work.suite, "--force"], course,
                     "nbgrader autograde")
            with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
                return {s.student.id: s.score for s in gb.find_assignment(work.suite).submissions}

        scores: dict[str, float] = {}
        for part in _map(autograde, courses, len(courses)):
            scores.update(part)
        return scores


def _map(fn, items: list, workers: int) -> list:
    if workers <= 1:
        return [fn(x) for x in items]
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


# ---------------------------------------------------------------- measuring and reporting


BATCH_PEERS = {  # --batch-peer NAME -> (row label, tool, graded several at a time by this script)
    "otter": ("otter", "otter", False),
    "otter-by-hand": ("otter, by hand", "otter", True),
    "nbgrader": ("nbgrader", "nbgrader", False),
    "nbgrader-by-hand": ("nbgrader, by hand", "nbgrader", True),
}


def rows_for(workload: str, batch_peers=tuple(BATCH_PEERS)) -> list[tuple[str, str, bool]]:
    """(row label, tool, graded several at a time by this script) for one workload; neurograde
    first."""
    if workload != "batch":
        return [(t, t, False) for t in TOOLS]
    return [("neurograde", "neurograde", True), *(BATCH_PEERS[p] for p in batch_peers)]


def tool_versions() -> dict[str, str]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    out = {"neurograde": f"{__version__}" + (f" (commit {commit})" if commit else "")}
    for dist in ("otter-grader", "nbgrader", "nbconvert", "nbclient", "ipykernel", "pytest"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def report(args, figures: dict, ratios: dict, workloads: list[str], started: str) -> str:
    tv = tool_versions()
    runtime = versions()
    lines = [
        "# neurograde, otter-grader and nbgrader side by side",
        "",
        f"`python bench/peers.py --runs {args.runs} --batch {args.batch} --workers {args.workers}"
        + "".join(f" --batch-peer {p}" for p in args.batch_peer
                  if len(args.batch_peer) < len(BATCH_PEERS))
        + "".join(f" --workload {w}" for w in workloads if len(workloads) < len(WORKLOADS))
        + "`, "
        f"{started}, on {machine()}; Python {runtime.pop('python')}, "
        + ", ".join(f"{k} {v}" for k, v in runtime.items()) + ".",
        "",
        "Tools: " + ", ".join(f"{k} {v}" for k, v in tv.items()) + ". otter-grader was installed "
        "from PyPI before the run (`pip install -e \".[bench]\"`); nothing was downloaded while "
        "it ran and no container was used.",
        "",
    ]
    if args.runs < 5 or args.batch < 20:
        lines += ["**A quick try, not a measurement: the figures below need `--runs 5 --batch 20` "
                  "(the defaults) on a quiet machine.**", ""]
    lines += [
        "What each tool runs, as a command, a new process each time:",
        "",
        "- **neurograde**: `neurograde grade SUBMISSION --assignment ID` (a folder and "
        f"`--workers {args.workers}` for the batch), with a suite of the public tests only "
        "(for the perceptron, `autograder/suites/perceptron/public/` as it is).",
        "- **otter**: `otter run -a autograder.zip SUBMISSION`, otter's grading without "
        "containers, of an autograder zip made by `otter generate` from OK-format tests (one "
        "doctest per check). Its batch mode, `otter grade`, needs Docker: the batch is one "
        f"`otter run` after another, and, as *by hand*, {args.workers} at a time.",
        "- **nbgrader**: `nbgrader autograde ID --force` in a course of its own "
        "(nbgrader_config.py and gradebook), the notebook's test cells being the same checks as "
        "plain asserts. It has no parallel mode: *by hand* is "
        f"{args.workers} courses, each autograding its share of the batch, at once.",
        "",
        "Workloads: **trivial**, three one-line functions and 5 one-line tests (the overhead of "
        f"each tool); **perceptron**, the perceptron assignment's {len(PERCEPTRON_CHECKS)} public "
        f"checks ({sum(points for _, points, _, _ in PERCEPTRON_CHECKS)} points) on "
        "the reference solution's setup and solution cells (its demo cells left out: neurograde "
        "skips them and the peers would run them); **batch**, "
        f"{args.batch} copies of the perceptron submission.",
        "",
        f"Wall seconds; median (min-max) of {args.runs} rounds after one not timed. Every "
        "grading scored full marks.",
        "",
        "| workload | tool | median | min | max | all runs |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for w in workloads:
        for label, _, _ in rows_for(w, args.batch_peer):
            t = figures[w][label]
            lines.append(f"| {w} | {label} | {statistics.median(t):.2f} | {min(t):.2f} | "
                         f"{max(t):.2f} | {', '.join(f'{x:.2f}' for x in t)} |")
    lines += ["", "Ratios, neurograde / peer: the median of the ratios taken round by round.", "",
              "| workload | peer | ratio | goal | |", "| --- | --- | --- | --- | --- |"]
    for w in workloads:
        for label, _, _ in rows_for(w, args.batch_peer)[1:]:
            r = statistics.median(ratios[w][label])
            goal, met = (("< 1 (ahead)", r < 1) if w == "batch" else
                         (f"<= {GOAL_RATIO}", r <= GOAL_RATIO))
            lines.append(f"| {w} | {label} | {r:.2f}x | {goal} | {'met' if met else 'NOT met'} |")
    if "batch" in workloads:
        lines += ["", f"Batch throughput (submissions a minute, {args.batch} submissions): " +
                  "; ".join(f"{label}: {60 * args.batch / statistics.median(figures['batch'][label]):.1f}"
                            for label, _, _ in rows_for("batch", args.batch_peer)) + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--batch", type=int, default=20, help="submissions in the batch (default 20)")
    parser.add_argument("--workers", type=int, default=2,
                        help="submissions graded at once in the batch (default 2)")
    parser.add_argument("--batch-peer", action="append", choices=tuple(BATCH_PEERS),
                        help="a peer of the batch (repeatable; default all four: each tool one "
                             "submission after another, and by hand, several at a time)")
    parser.add_argument("--workload", action="append", choices=WORKLOADS,
                        help="only this workload (repeatable; default all three)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("PEERS.md"))
    args = parser.parse_args()
    args.batch_peer = args.batch_peer or list(BATCH_PEERS)
    try:
        otter_version = metadata.version("otter-grader")
    except metadata.PackageNotFoundError:
        otter_version = ""
    if not otter_version.startswith("7."):
        raise SystemExit("otter-grader 7 is needed, installed beforehand: "
                         "pip install -e \".[bench]\" (or pip install \"otter-grader>=7,<8\")")
    chosen = [w for w in WORKLOADS if w in (args.workload or WORKLOADS)]
    started = time.strftime("%Y-%m-%d %H:%M")
    perceptron = get_assignment("perceptron")

    with tempfile.TemporaryDirectory(prefix="neurograde-peers-") as tmp:
        bench = Bench(Path(tmp), args.workers)
        works = {
            "trivial": Workload("trivial", "peers_trivial", _notebook(
                [_cell(TRIVIAL_SOURCE, "functions", solution=True)]), TRIVIAL_CHECKS),
            "perceptron": Workload("perceptron", "peers_perceptron", perceptron_notebook(),
                                   PERCEPTRON_CHECKS),
            "batch": Workload("batch", "peers_perceptron", perceptron_notebook(), PERCEPTRON_CHECKS,
                              [f"student{i:03d}" for i in range(args.batch)]),
        }
        for w in chosen:
            print(f"preparing {w}", flush=True)
            bench.prepare(works[w], None if w == "trivial" else perceptron.suite_dir)

        figures = {w: {label: [] for label, _, _ in rows_for(w, args.batch_peer)} for w in chosen}
        ratios = {w: {label: [] for label, _, _ in rows_for(w, args.batch_peer)[1:]} for w in chosen}
        for round_ in range(args.runs + 1):
            timed = round_ > 0
            for w in chosen:
                if not timed and w == "batch" and "perceptron" in chosen:
                    continue  # the perceptron workload has warmed the same code and suite
                rows = rows_for(w, args.batch_peer)
                shift = round_ % len(rows)
                seconds = {}
                for label, tool, parallel in rows[shift:] + rows[:shift]:
                    out = bench.tmp / "results" / f"{w}-{round_}-{label.replace(', ', '-')}"
                    out.mkdir(parents=True)
                    start = time.perf_counter()
                    scores = getattr(bench, tool)(works[w], out, parallel)
                    seconds[label] = time.perf_counter() - start
                    wrong = {s: v for s, v in scores.items() if v != works[w].max_score}
                    if wrong or len(scores) != len(works[w].students):
                        raise SystemExit(f"{label} on {w}: expected {works[w].max_score:g} for each "
                                         f"of {len(works[w].students)} students, got {scores}")
                    print(f"{'round ' + str(round_) if timed else 'warm-up'} {w} {label}: "
                          f"{seconds[label]:.2f} s", flush=True)
                if timed:
                    for label in seconds:
                        figures[w][label].append(seconds[label])
                        if label != "neurograde":
                            ratios[w][label].append(seconds["neurograde"] / seconds[label])

    text = report(args, figures, ratios, chosen, started)
    args.out.write_text(text)
    print(text)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
