"""The rubric students read: under each part of a notebook, what the grader asks.

Every graded test's docstring is a question ("Within 15 epochs, is the most likely
next symbol legal at >= 95% of held-out positions?"). The build writes those
questions, with their points, into a markdown cell above each part of the source
notebook, so the student notebook generated from it says what is graded and for how
much, and cannot drift from the suites:

    ### Exercise 3: `train_perceptron` (19 points)

    - (2 points) Does training on AND converge ...? *public: the test cell below runs it*
    - (3 points) Does one misclassified sample change w and b exactly by ...?

Only the questions are shown, never a test's code or the values it computes. The
bars and error cases a test grades belong in its question for that reason.

Each rubric cell belongs to one test cell (its grade_id is `rubric_<test cell's
grade_id>`) and lists that cell's tasks. The build creates a missing one right above
the first solution cell of its part and rewrites every one from the suites; an
instructor may move it anywhere above its test cell. `neurograde audit` checks the student notebook
against the suites (`check_rubric`) and that every graded ValueError case, and every
"unchanged" promise, is in the function's docstring (`check_contract`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import Assignment
from autograder.engine.grader import collect_tests
from autograder.outputs.gradebook import cell_tasks

PREFIX = "rubric_"
_PARAMETRIZED = re.compile(r"^(?P<question>.*?) \[(?P<case>[^\[\]]+)\]$")
# A question that grades a function for leaving its arguments alone.
_KEEPS_INPUTS = re.compile(r"\b(left|leaves?) [^?]*unchanged|exactly as before")
_HEADING = re.compile(r"^### Exercise (?P<n>\d+): (?P<label>.+) \((?P<points>[\d.]+) points?\)$",
                      re.MULTILINE)


@dataclass
class Question:
    text: str
    points: float
    public: bool
    cases: list[str] = field(default_factory=list)


def _points(value: float) -> str:
    value = round(value, 6)
    return f"{value:g} point" + ("" if value == 1 else "s")


def questions(assignment: Assignment) -> dict[str, list[Question]]:
    """task -> its tests' questions in suite order, parametrized cases merged into one."""
    out: dict[str, list[Question]] = {}
    for test in collect_tests(assignment):
        match = _PARAMETRIZED.match(test.name)
        text, case = (match["question"], match["case"]) if match else (test.name, None)
        public = test.visibility == "visible"
        items = out.setdefault(test.task, [])
        same = next((q for q in items if q.text == text and q.points == test.max_score
                     and q.public == public and q.cases), None)
        if case is not None and same is not None:
            same.cases.append(case)
        else:
            items.append(Question(text, test.max_score, public, [case] if case else []))
    return out


def label(assignment: Assignment, task: str) -> str:
    """How a task is named in its heading: meta.toml's [exercise_names], else `task`."""
    return assignment.extra.get("exercise_names", {}).get(task, f"`{task}`")


def rubric_markdown(assignment: Assignment, tasks: list[str], first: int,
                    asked: dict[str, list[Question]]) -> str:
    lines = []
    for number, task in enumerate(tasks, start=first):
        items = asked.get(task, [])
        total = sum(q.points * max(1, len(q.cases)) for q in items)
        if lines:
            lines.append("")
        lines += [f"### Exercise {number}: {label(assignment, task)} ({_points(total)})", ""]
        for q in items:
            worth = _points(q.points)
            if q.cases:
                worth += f" each: {', '.join(q.cases)}"
            public = " *(public: the test cell below runs it)*" if q.public else ""
            lines.append(f"- ({worth}) {q.text}{public}")
    lines += ["", "*Public checks run in the test cell below; all of them run again, with the "
              "others, when your work is graded.*"]
    return "\n".join(lines)


def _test_cells(nb) -> list[tuple[int, str]]:
    return [(i, c.metadata["nbgrader"]["grade_id"]) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")]


def _rubric_index(nb) -> dict[str, int]:
    return {c.metadata.get("nbgrader", {}).get("grade_id", "")[len(PREFIX):]: i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown"
            and c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(PREFIX)}


def _read(path: Path):
    import nbformat  # its validator costs seconds at import: only where a notebook is read

    return nbformat.read(str(path), as_version=4)


def _new_cell(grade_id: str):
    import nbformat

    cell = nbformat.v4.new_markdown_cell("")
    cell.id = f"{PREFIX}{grade_id}"[:64].replace("_", "-")
    cell.metadata = {"nbgrader": {"grade": False, "grade_id": f"{PREFIX}{grade_id}",
                                  "locked": True, "schema_version": 3, "solution": False,
                                  "task": False}}
    return cell


def update_notebook(path: Path, assignment: Assignment) -> bool:
    """Write the rubric cells of a source notebook from the suites; True if it changed."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    before = nbformat.writes(nb)
    tasks_of = cell_tasks(path)
    asked = questions(assignment)
    wanted = {gid for _, gid in _test_cells(nb) if gid in tasks_of}
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in
                {j for gid, j in _rubric_index(nb).items() if gid not in wanted}]
    for grade_id in [gid for _, gid in _test_cells(nb) if gid in wanted]:
        if grade_id in _rubric_index(nb):
            continue
        cells = _test_cells(nb)
        k = [gid for _, gid in cells].index(grade_id)
        span = range(cells[k - 1][0] + 1 if k else 0, cells[k][0] + 1)
        where = next((j for j in span if nb.cells[j].metadata.get("nbgrader", {})
                      .get("solution")), None)
        if where is None:
            where = next(j for j in span if nb.cells[j].cell_type == "code")
        nb.cells.insert(where, _new_cell(grade_id))
    number = 1
    positions = _rubric_index(nb)
    for _, grade_id in _test_cells(nb):
        if grade_id not in tasks_of:
            continue
        tasks = list(tasks_of[grade_id])
        nb.cells[positions[grade_id]].source = rubric_markdown(assignment, tasks, number, asked)
        number += len(tasks)
    if nbformat.writes(nb) == before:
        return False
    nbformat.write(nb, str(path))
    return True


# ---------------------------------------------------------------- audit checks


def _rubric_exercises(notebook: Path) -> dict[str, tuple[float, str]]:
    """heading label -> (points in the heading, the exercise's text), from rubric cells."""
    nb = _read(notebook)
    out = {}
    for i in _rubric_index(nb).values():
        text = nb.cells[i].source
        heads = list(_HEADING.finditer(text))
        for k, head in enumerate(heads):
            end = heads[k + 1].start() if k + 1 < len(heads) else len(text)
            out[head["label"]] = (float(head["points"]), text[head.end():end])
    return out


def check_rubric(assignment: Assignment, notebook: Path) -> list[str]:
    """What the notebook's rubric misses of the suites: tasks, points, questions."""
    exercises = _rubric_exercises(notebook)
    problems = []
    for task, items in questions(assignment).items():
        name = label(assignment, task)
        if name not in exercises:
            problems.append(f"no exercise heading for {name}")
            continue
        points, text = exercises[name]
        total = sum(q.points * max(1, len(q.cases)) for q in items)
        if abs(points - total) > 1e-9:
            problems.append(f"{name}: the heading says {points:g} points, the suite {total:g}")
        problems += [f"{name}: not in the rubric: {q.text!r}" for q in items
                     if q.text not in text]
    return problems


@dataclass(frozen=True)
class ErrorCase:
    function: str
    argument: str
    where: str  # test file and line


def _called_name(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """`sub.f`, `named(sub, "f")` or a local name bound to either -> "f"."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "sub":
        return node.attr
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "named" \
            and len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
        return node.args[1].value
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    return None


def error_cases(assignment: Assignment) -> list[ErrorCase]:
    """Each (function, argument) some `expect_raises_value_error(sub.f, ..., argument="a")`
    in the suites grades, with the first place it does."""
    found: dict[tuple[str, str], ErrorCase] = {}
    for path in sorted([*assignment.public_dir.glob("test_*.py"),
                        *assignment.hidden_dir.glob("test_*.py")]):
        tree = ast.parse(path.read_text())
        for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
            aliases = {}
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                        and isinstance(node.targets[0], ast.Name):
                    name = _called_name(node.value, {})
                    if name:
                        aliases[node.targets[0].id] = name
            for node in ast.walk(scope):
                if not (isinstance(node, ast.Call) and node.args
                        and getattr(node.func, "id", "") == "expect_raises_value_error"):
                    continue
                argument = next((k.value.value for k in node.keywords if k.arg == "argument"
                                 and isinstance(k.value, ast.Constant)), None)
                function = _called_name(node.args[0], aliases)
                if function and argument and (function, argument) not in found:
                    found[function, argument] = ErrorCase(function, argument,
                                                          f"{path.name}:{node.lineno}")
    return sorted(found.values(), key=lambda c: (c.function, c.argument))


def docstrings(notebook: Path) -> dict[str, str]:
    """Name -> docstring of every function, class and method in the notebook's code;
    a class also answers for its __init__ (class and __init__ docstrings together)."""
    nb = _read(notebook)
    out: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                text = ast.get_docstring(node) or ""
                init = next((n for n in node.body if isinstance(n, ast.FunctionDef)
                             and n.name == "__init__"), None)
                if init is not None:
                    text += "\n" + (ast.get_docstring(init) or "")
                out[node.name] = text
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                out.setdefault(node.name, ast.get_docstring(node) or "")
    return out


def raises_section(doc: str) -> str:
    """The text of a Google-style "Raises:" section, up to the next section or the end."""
    match = re.search(r"^\s*Raises:\s*$(?P<body>.*?)(?=^\s*[A-Z][A-Za-z ]*:\s*$|\Z)", doc,
                      re.MULTILINE | re.DOTALL)
    return match["body"] if match else ""


def check_contract(assignment: Assignment, notebook: Path) -> list[str]:
    """Graded properties the function's docstring does not state: each ValueError case
    (its argument named in a "Raises:" section) and each "unchanged" promise."""
    docs = docstrings(notebook)
    problems = []
    for case in error_cases(assignment):
        if case.function not in docs:
            problems.append(f"{case.function}: graded ({case.where}) but not in the notebook")
            continue
        if not re.search(rf"\b{re.escape(case.argument)}\b", raises_section(docs[case.function])):
            problems.append(f"{case.function}: a ValueError naming `{case.argument}` is graded "
                            f"({case.where}) but its docstring's Raises: section does not say so")
    for task, items in questions(assignment).items():
        if any(_KEEPS_INPUTS.search(q.text) for q in items) and task in docs \
                and "unchanged" not in docs[task]:
            problems.append(f"{task}: graded to leave its inputs unchanged, but its docstring "
                            "does not say so")
    return problems
