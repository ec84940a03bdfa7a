"""What a notebook's test cells call: quick public checks for students, and the
hand-over to the engine when nbgrader autogrades.

A test cell of a source notebook reads:

    ### BEGIN HIDDEN TESTS
    checker.grading = True
    ### END HIDDEN TESTS
    checker.check("step", "mp_neuron")
    ### BEGIN HIDDEN TESTS
    checker.grade("step", "mp_neuron")
    ### END HIDDEN TESTS

Students see only `checker.check(...)`: it runs the public tests of those tasks
against the notebook's own namespace and prints what passes and what does not
(it never raises, so "Run All" goes on). Under `nbgrader autograde` the hidden
lines take over: `check` stays silent and `grade` grades the whole notebook file
once with the engine (in a sandboxed child, like `neurograde grade`) and returns
the points of the cell's tasks, which nbgrader records as the cell's partial
credit. Nothing is written to stderr, which nbgrader would count as a failure.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import warnings
from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.result import Result

# Whole-notebook results of this kernel, by (assignment, notebook path).
_GRADED: dict[tuple[str, str], Result] = {}


class _KernelFixtures:
    """The fixtures public tests use, served from the notebook's namespace."""

    def __init__(self, namespace, suite_dir: Path, tasks: set[str]):
        self.namespace, self.suite_dir, self.tasks = namespace, suite_dir, tasks
        self.outcomes: list[tuple[str, str, bool, str]] = []

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "graded(points, task, visibility, timeout): worth")

    @pytest.fixture
    def sub(self):
        from autograder.engine.remote import LocalSubmission

        return LocalSubmission(self.namespace)

    @pytest.fixture
    def seed(self):
        return 0

    @pytest.fixture
    def data_dir(self):
        return self.suite_dir / "data"

    @pytest.fixture
    def figures(self):
        class Ignore:
            def add(self, fig, title):
                import matplotlib.pyplot as plt

                plt.close(fig)

        return Ignore()

    def pytest_collection_modifyitems(self, items):
        items[:] = [i for i in items if (m := i.get_closest_marker("graded"))
                    and m.kwargs["task"] in self.tasks]

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        if call.when == "call" or (call.when == "setup" and report.failed):
            task = item.get_closest_marker("graded").kwargs["task"]
            doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
            message = ""
            if call.excinfo is not None:
                exc = call.excinfo.value
                message = str(exc) if isinstance(exc, AssertionError) else \
                    f"{type(exc).__name__}: {exc}"
                if isinstance(exc, NotImplementedError):
                    message = "not implemented yet"
            self.outcomes.append((task, doc, report.passed, message))


class Checker:
    """One per notebook: `checker = Checker("perceptron")` in its setup cell."""

    def __init__(self, assignment: str):
        self.assignment = get_assignment(assignment)
        self.grading = False

    def check(self, *tasks: str) -> None:
        """Run the public tests of these tasks on this notebook and print the outcome."""
        if self.grading:
            return
        namespace = sys.modules["__main__"]
        plugin = _KernelFixtures(namespace, self.assignment.suite_dir, set(tasks))
        with _quiet(), tempfile.TemporaryDirectory() as tmp:
            ini = Path(tmp) / "pytest.ini"
            ini.write_text("[pytest]\n")
            pytest.main([str(self.assignment.public_dir), "-c", str(ini), "--rootdir", tmp,
                         "-p", "no:cacheprovider", "-p", "no:terminal",
                         "--assert=plain", "--import-mode=importlib", "-W", "ignore"],
                        plugins=[plugin])
        for task, name, passed, message in plugin.outcomes:
            mark = "ok  " if passed else "FAIL"
            print(f"{mark} [{task}] {name}" + ("" if passed else f"\n       {message}"))
        if not plugin.outcomes:
            print(f"(no public test for {', '.join(tasks)})")
        elif all(passed for *_, passed, _ in plugin.outcomes):
            print("All public checks pass. Hidden tests check more when you submit.")

    def grade(self, *tasks: str, notebook: str | Path | None = None) -> float:
        """Points this notebook earns for these tasks (engine-graded, once per notebook)."""
        path = Path(notebook) if notebook else self._notebook_on_disk()
        key = (self.assignment.id, str(path.resolve()))
        if key not in _GRADED:
            from autograder.engine.grader import grade_submission

            with _quiet():
                _GRADED[key] = grade_submission(path, self.assignment)
        result = _GRADED[key]
        for t in result.tests:
            if t.task in tasks and not t.passed:
                print(f"FAIL [{t.task}] {t.name}\n       {t.output}")
        return round(sum(t.score for t in result.tests if t.task in tasks), 6)

    def _notebook_on_disk(self) -> Path:
        here = Path.cwd()
        preferred = here / f"{self.assignment.id}.ipynb"
        if preferred.is_file():
            return preferred
        notebooks = sorted(here.glob("*.ipynb"))
        if len(notebooks) == 1:
            return notebooks[0]
        raise FileNotFoundError(f"cannot find {preferred.name} in {here}")


@contextlib.contextmanager
def _quiet():
    """Silence warnings and stderr: nbgrader fails a test cell that writes to stderr."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield
