"""Which tasks can a variant's change reach? (`neurograde audit` grades it on those only)

A variant patches the reference solution. A test can score differently on it only if
it runs changed code, and a test runs the submission's code only by asking the runner
for a name (`sub.train_step`): the judge reports the names each test asked for
(`TestResult.reads`). A name reaches the changed code if its definition, or one it
refers to, changed. Grading a variant on the other tasks would only repeat the
reference's results there: every test has its own seed, whatever ran before it.

Tasks, not single tests, are the unit: tests of one task may share a result (one
training run read by three tests), and the first of them is the one that asks.

Where the answer cannot be read from the source, everything is reached (`None`):
a change to code that runs on import, a name added or removed, shared state the
change may write, or a reference that looks names up at run time (`globals()`, `eval`).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterable
from pathlib import Path

from autograder.engine.protocol import EVERY_NAME
from autograder.result import Result

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Calls that reach names the source never spells out.
DYNAMIC_LOOKUPS = {"globals", "locals", "vars", "eval", "exec", "__import__", "modules"}


class _BlankBodies(ast.NodeTransformer):
    """A definition as it runs on import: decorators, defaults, bases; no function body."""

    def visit_FunctionDef(self, node):
        node = self.generic_visit(node)
        node.body = [ast.Pass()]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef


def _as_imported(node: ast.stmt) -> ast.stmt:
    """A statement as it runs on import: a definition without its function bodies."""
    if isinstance(node, DEFINITIONS):
        return _BlankBodies().visit(copy.deepcopy(node))
    return node


def _used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _bound(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _is_constant(value: ast.AST | None) -> bool:
    """A literal no function can change in place (numbers, strings, tuples of them)."""
    return value is not None and all(
        isinstance(n, ast.Constant | ast.Tuple | ast.UnaryOp | ast.BinOp | ast.Load
                   | ast.unaryop | ast.operator) for n in ast.walk(value))


def _closure(refers: dict[str, set[str]], names: Iterable[str]) -> set[str]:
    """The names that are keys of `refers`, and every key their entries lead to."""
    seen, todo = set(), [n for n in names if n in refers]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [n for n in refers[name] if n in refers]
    return seen


class SourceGraph:
    """The top-level names of one module and what each one's code refers to."""

    def __init__(self, source: str):
        tree = ast.parse(source)
        # (name, code, code as run on import) for each top-level statement
        self.parts = [(getattr(node, "name", None), ast.dump(node), ast.dump(_as_imported(node)))
                      for node in tree.body]
        self.refers: dict[str, set[str]] = {}  # top-level name -> names its code uses
        self.variables: set[str] = set()  # module variables a function might change in place
        self.on_import: set[str] = set()  # names used by code that runs on import
        self.dynamic = any(isinstance(n, ast.Name | ast.Attribute) and
                           (getattr(n, "id", None) or getattr(n, "attr", None)) in DYNAMIC_LOOKUPS
                           for n in ast.walk(tree))
        constants: dict[str, bool] = {}
        for node in tree.body:
            self.on_import |= _used(_as_imported(node))
            if isinstance(node, DEFINITIONS):
                self.refers.setdefault(node.name, set()).update(_used(node))
                continue
            for name in _bound(node):
                self.refers.setdefault(name, set()).update(_used(node))
                constant = isinstance(node, ast.Assign | ast.AnnAssign) and \
                    _is_constant(node.value)
                constants[name] = constant and name not in constants  # bound once, to a literal
        self.variables = {name for name, constant in constants.items() if not constant}
        for node in ast.walk(tree):  # `global X` in a function: X is state it may rebind
            if isinstance(node, ast.Global):
                self.variables |= set(node.names)
                for name in node.names:
                    self.refers.setdefault(name, set())

    def closure(self, names: Iterable[str]) -> set[str]:
        """The names, and every top-level name their code refers to, transitively."""
        return _closure(self.refers, names)


def changed_names(reference: str, variant: str) -> set[str] | None:
    """The top-level names whose code the variant changed, and the shared state that code
    may write; None when the change cannot be confined (see the module's docstring)."""
    before, after = SourceGraph(reference), SourceGraph(variant)
    if before.dynamic or after.dynamic or len(before.parts) != len(after.parts):
        return None
    changed = set()
    for (name, code, on_import), (name2, code2, on_import2) in zip(before.parts, after.parts,
                                                                   strict=True):
        if name != name2 or on_import != on_import2:
            return None  # a definition added, removed, renamed, or run differently on import
        if code != code2:
            changed.add(name)
    # What changed code refers to, it may also write (a cache, a list it appends to).
    for name in list(changed):
        changed |= (before.refers.get(name, set()) | after.refers.get(name, set())) & \
            (before.variables | after.variables)
    if before.closure(before.on_import) & changed:
        return None  # code that runs on import uses it
    return changed


def tasks_reaching(reference: Result, source: str, changed: set[str]) -> set[str]:
    """Tasks with a test whose names (as the reference's grading read them) reach `changed`."""
    graph = SourceGraph(source)
    return {t.task for t in reference.tests
            if EVERY_NAME in t.reads or (set(t.reads) | graph.closure(t.reads)) & changed}


# ---------------------------------------------------------------- the suite's own state

MUTATORS = {"append", "extend", "insert", "update", "setdefault", "add", "pop", "popitem",
            "clear", "remove", "discard"}


def _state_written(tree: ast.Module) -> set[str]:
    """Module-level names the module's functions change: `X[k] = v`, `X.append(v)`, `global X`."""
    bound = {n for node in tree.body if not isinstance(node, DEFINITIONS) for n in _bound(node)}
    declared_global, written = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            declared_global |= set(node.names)
        elif isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.value, ast.Name):
            store = isinstance(node.ctx, ast.Store | ast.Del)
            if store or (isinstance(node, ast.Attribute) and node.attr in MUTATORS):
                written.add(node.value.id)
    return (written & bound) | declared_global


def _graded_task(node: ast.stmt) -> str | None:
    for decorator in getattr(node, "decorator_list", ()):
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "graded":
            for keyword in decorator.keywords:
                if keyword.arg == "task" and isinstance(keyword.value, ast.Constant):
                    return keyword.value.value
    return None


def state_shared_across_tasks(suite_dir: Path) -> list[str]:
    """Module state of a suite (a cache of a training run) that tests of more than one task
    use: each names the state and the tasks. Where there is any, a variant's task-by-task
    narrowing would be unsound, and the audit grades every task."""
    files = sorted(suite_dir.rglob("*.py"))
    trees = {f: ast.parse(f.read_text()) for f in files}
    within = {".".join(f.relative_to(suite_dir).with_suffix("").parts): f for f in files}

    def suite_file(module: str | None) -> Path | None:
        """The suite's file a `from <module> import ...` names (by its path in the suite)."""
        return next((f for path, f in within.items()
                     if module and (module == path or module.endswith("." + path))), None)
    # (file, function) -> the state, as (file, name), its code uses, transitively in its file
    stateful: dict[tuple[Path, str], set[tuple[Path, str]]] = {}
    for f, tree in trees.items():
        state = _state_written(tree)
        refers = {node.name: _used(node) for node in tree.body if isinstance(node, DEFINITIONS)}
        for name in refers:
            uses = {(f, n) for fn in _closure(refers, [name]) for n in refers[fn] & state}
            if uses:
                stateful[(f, name)] = uses
    users: dict[tuple[Path, str], set[str]] = {}
    for f, tree in trees.items():
        imported = {alias.asname or alias.name: (suite_file(node.module), alias.name)
                    for node in tree.body if isinstance(node, ast.ImportFrom)
                    and suite_file(node.module) for alias in node.names}
        own = _state_written(tree)
        for node in tree.body:
            task = _graded_task(node)
            if task is None:
                continue
            for name in _used(node):
                where = imported.get(name, (f, name))
                for state in stateful.get(where, set()) | ({where} if name in own else set()):
                    users.setdefault(state, set()).add(task)
    return [f"{state[0].name}'s {state[1]}: tasks {', '.join(sorted(tasks))}"
            for state, tasks in sorted(users.items()) if len(tasks) > 1]
