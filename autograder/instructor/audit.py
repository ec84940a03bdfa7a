"""Proof that a hidden suite is fair and strict (`neurograde audit ID`).

- the reference solution scores full marks (as its notebook and as a .py);
- the untouched student notebook scores 0, every test saying why;
- every buggy variant loses points in the tasks its metadata names (and, when it
  is local, nowhere else);
- every alternative correct solution scores full marks;
- the student notebook's rubric lists every question the suites ask, with its
  points, and each function's docstring states the ValueError cases and the
  "left unchanged" promises the suites grade (autograder/instructor/rubric.py);
- regrading the reference under other seeds changes no test's outcome;
- which tests catch which variants (a test that catches none is flagged), and
  each test's runtime.

A variant is graded on the tasks its change can reach (autograder/instructor/reach.py):
the reference's grading says which of the submission's names each test reads, and a
test that reads nothing the change reaches would only repeat the reference's result.
`every_task=True` grades every variant on every task instead.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.assignments import Assignment
from autograder.engine import warm
from autograder.engine.grader import DEFAULT_SEED, grade_submission
from autograder.engine.protocol import SCAN_READ
from autograder.instructor.reach import changed_names, state_shared_across_tasks, tasks_reaching
from autograder.instructor.rubric import check_contract, check_rubric
from autograder.instructor.variants import (
    Mutant,
    alternatives,
    load_mutants,
    reference_source,
    skipped_tasks_for,
    write_mutant,
)
from autograder.result import Result


@dataclass
class Check:
    what: str
    ok: bool
    detail: str = ""


@dataclass
class AuditReport:
    assignment: str
    checks: list[Check] = field(default_factory=list)
    # test name -> names of the variants that made it fail
    catches: dict[str, list[str]] = field(default_factory=dict)
    runtimes: dict[str, float] = field(default_factory=dict)
    flaky: list[str] = field(default_factory=list)
    # variant -> the tasks it was graded on, where its change could not reach them all
    narrowed: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # said with the report, checked nowhere

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and not self.flaky

    def idle_tests(self) -> list[str]:
        """Tests no variant made fail: each deserves a variant, or a second look."""
        return [name for name, caught in self.catches.items() if not caught]


def failures(result: Result) -> str:
    return "; ".join(f"[{t.task}] {t.name}: {t.output}" for t in result.tests if not t.passed)


def check_full_marks(what: str, result: Result) -> Check:
    ok = result.max_score > 0 and result.score == result.max_score
    return Check(what, ok, "" if ok else f"{result.score:g}/{result.max_score:g}: "
                 + failures(result))


def check_stub(result: Result) -> Check:
    passed = [t.name for t in result.tests if t.passed]
    silent = [t.name for t in result.tests if not t.passed and not t.output.strip()]
    ok = result.max_score > 0 and not passed and not silent
    detail = (f"passes {passed}" if passed else "") + (f" fails silently: {silent}" if silent
                                                       else "")
    return Check("stub scores 0, every test says why", ok, detail.strip())


def check_stated(assignment: Assignment, notebook: Path) -> list[Check]:
    """Is everything graded written where the student reads it?"""
    rubric, contract = check_rubric(assignment, notebook), check_contract(assignment, notebook)
    return [Check("the notebook's rubric lists every test's question and points", not rubric,
                  "; ".join(rubric)),
            Check("docstrings state every graded error case and unchanged input", not contract,
                  "; ".join(contract))]


def check_mutant(mutant: Mutant, result: Result) -> Check:
    failed = result.failed_tasks()
    missed = set(mutant.breaks) - failed
    extra = failed - set(mutant.breaks) if mutant.local else set()
    detail = []
    if missed:
        detail.append(f"not caught in {sorted(missed)}")
    if extra:
        detail.append(f"also lost points in {sorted(extra)}: {failures(result)}")
    return Check(f"variant {mutant.name} loses points in {list(mutant.breaks)}",
                 not missed and not extra, "; ".join(detail))


def grade_mutant(assignment: Assignment, mutant: Mutant, workdir: Path) -> tuple[Check, Result]:
    path = write_mutant(assignment, mutant, workdir / mutant.name)
    result = grade_submission(path, assignment, exclude_tasks=skipped_tasks_for(assignment, mutant))
    return check_mutant(mutant, result), result


@dataclass(frozen=True)
class Grading:
    """One grading of the audit, run in a worker process of its own."""
    label: str
    path: Path
    assignment: str
    seed: int = DEFAULT_SEED
    exclude_tasks: tuple[str, ...] = ()

    def run(self) -> Result:
        return grade_submission(self.path, self.assignment, seed=self.seed,
                                exclude_tasks=list(self.exclude_tasks) or None)


def _run(grading: Grading) -> Result:
    warm.enable()  # a pool worker grades many variants: start its judges warm
    return grading.run()


def narrowed(grading: Grading, mutant: Mutant, source: str, reference: Result,
             assignment: Assignment | None = None) -> Grading:
    """The variant's grading, left to the tasks its change can reach and those it names."""
    variant = mutant.apply(source)
    changed = changed_names(source, variant)
    if changed is None:
        return grading
    if assignment is not None and assignment.source_scan and \
            assignment.scan_source(variant) != assignment.scan_source(source):
        changed.add(SCAN_READ)
    every = {t.task for t in reference.tests}
    keep = tasks_reaching(reference, source, changed) | set(mutant.breaks)
    skipped = set(grading.exclude_tasks) | (every - keep)
    return replace(grading, exclude_tasks=tuple(sorted(skipped)))


def audit(assignment: Assignment, seeds: int = 3, workers: int | None = None,
          progress: Callable[[str], None] = lambda _: None,
          every_task: bool = False) -> AuditReport:
    """Grade the reference, the stub, every variant and alternative (`workers` at
    a time, default one per core) and check each result against what it must be.

    The reference is graded as its notebook under the default seed and as a .py
    under each other seed: the .py must score full marks, and no test may change
    its outcome between seeds (with one seed the .py shares the notebook's).
    Variants wait for the reference's grading, which says which tasks each can reach.
    """
    report = AuditReport(assignment.id)
    notebook = assignment.solutions_dir / f"{assignment.id}.ipynb"
    with tempfile.TemporaryDirectory(prefix="neurograde-audit-") as tmp:
        tmp = Path(tmp)
        module = tmp / f"{assignment.id}.py"
        module.write_text(reference_source(assignment))
        other_seeds = [DEFAULT_SEED + k for k in range(1, seeds)] or [DEFAULT_SEED]
        gradings = [Grading("reference notebook", notebook, assignment.id)]
        gradings += [Grading(f"reference .py under seed {s}", module, assignment.id, s)
                     for s in other_seeds]
        gradings.append(Grading("student stub", assignment.student_dir / f"{assignment.id}.ipynb",
                                assignment.id))
        mutants = load_mutants(assignment)
        first_variant = len(gradings)
        gradings += [Grading(f"variant {m.name}", write_mutant(assignment, m, tmp / m.name),
                             assignment.id,
                             exclude_tasks=tuple(skipped_tasks_for(assignment, m) or ()))
                     for m in mutants]
        variants = range(first_variant, len(gradings))
        gradings += [Grading(f"alternative {p.name}", p, assignment.id)
                     for p in alternatives(assignment)]
        source = reference_source(assignment)

        def narrow(reference: Result) -> dict[int, Grading]:
            out = {i: narrowed(gradings[i], m, source, reference, assignment)
                   for i, m in zip(variants, mutants, strict=True)}
            every = sorted({t.task for t in reference.tests})
            report.narrowed = {m.name: [t for t in every if t not in out[i].exclude_tasks]
                               for i, m in zip(variants, mutants, strict=True)
                               if set(out[i].exclude_tasks) != set(gradings[i].exclude_tasks)}
            return out

        shared = state_shared_across_tasks(assignment.suite_dir)
        if shared and not every_task:
            report.notes.append("every variant was graded on every task: tests of several tasks "
                                "share results of the student's code (" + "; ".join(shared) + ")")
        narrowing = not (every_task or shared)
        results = _grade_all(gradings, workers, progress,
                             held=variants if narrowing else (), release=narrow)

    reference, *rest = results
    py_results, rest = rest[:len(other_seeds)], rest[len(other_seeds):]
    stub, rest = rest[0], rest[1:]
    mutant_results, alternative_results = rest[:len(mutants)], rest[len(mutants):]

    report.checks.append(check_full_marks("reference notebook scores full marks", reference))
    report.runtimes = {t.name: t.duration for t in reference.tests}
    report.catches = {t.name: [] for t in reference.tests}
    report.checks.append(check_full_marks("reference .py scores full marks", py_results[0]))
    report.checks.append(check_stub(stub))
    report.checks += check_stated(assignment, assignment.student_dir / f"{assignment.id}.ipynb")
    for mutant, result in zip(mutants, mutant_results, strict=True):
        report.checks.append(check_mutant(mutant, result))
        for t in result.tests:
            if not t.passed:
                report.catches.setdefault(t.name, []).append(mutant.name)
    for path, result in zip(alternatives(assignment), alternative_results, strict=True):
        report.checks.append(check_full_marks(f"alternative {path.name} scores full marks", result))

    baseline = {t.name: t.status for t in reference.tests}
    for again in py_results:
        report.flaky += [t.name for t in again.tests
                         if baseline.get(t.name) != t.status and t.name not in report.flaky]
    if report.flaky:
        report.checks.append(Check(f"no test changes outcome across {seeds} seeds", False,
                                   f"flaky: {report.flaky}"))
    elif seeds > 1:
        report.checks.append(Check(f"no test changes outcome across {seeds} seeds", True))
    return report


def _grade_all(gradings: list[Grading], workers: int | None, progress: Callable[[str], None],
               held: range | tuple = (),
               release: Callable[[Result], dict[int, Grading]] | None = None) -> list[Result]:
    """Results in the order of `gradings`; progress names each as it finishes.

    The gradings at the indices in `held` wait for the first one's result:
    `release(result)` gives them as they are to be run.
    """
    workers = max(1, min(workers or os.cpu_count() or 1, len(gradings)))
    results: dict[int, Result] = {}
    context = multiprocessing.get_context("spawn")  # never fork a process that has threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # Whole gradings (the reference, the alternatives: all of them train) first and the
        # variants that skip training after, so that the last ones to finish are short.
        order = sorted((i for i in range(len(gradings)) if i not in held),
                       key=lambda i: bool(gradings[i].exclude_tasks))
        futures = {pool.submit(_run, gradings[i]): i for i in order}
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                i = futures.pop(future)
                results[i] = future.result()
                progress(f"{len(results)}/{len(gradings)} graded ({gradings[i].label})")
                if i == 0 and held:
                    for j, grading in release(results[0]).items():
                        gradings[j] = grading
                        futures[pool.submit(_run, grading)] = j
    return [results[i] for i in range(len(gradings))]
