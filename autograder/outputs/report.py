"""Terminal output: a table of tasks and points, one line of reason per failure."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.result import Result


def _points(score: float, max_score: float) -> str:
    return f"{score:g} / {max_score:g}"


def task_table(result: Result, title: str | None = None) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("Task")
    table.add_column("Points", justify="right")
    table.add_column("", justify="center")
    for task, (score, max_score) in result.tasks().items():
        mark = Text("ok", style="green") if score == max_score else \
            Text("partial", style="yellow") if score > 0 else Text("failed", style="red")
        table.add_row(task, _points(score, max_score), mark)
    table.add_section()
    table.add_row(Text("Total", style="bold"), Text(_points(result.score, result.max_score),
                                                   style="bold"), "")
    return table


def print_result(result: Result, console: Console, title: str | None = None,
                 max_failures: int | None = None) -> None:
    console.print(task_table(result, title))
    if result.error:
        console.print(f"[red]Could not grade:[/red] {result.error}")
    for warning in result.extra_data.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {warning}")
    failures = [t for t in result.tests if not t.passed]
    shown = failures if max_failures is None else failures[:max_failures]
    for t in shown:
        line = Text("  x ", style="red")
        line.append(f"[{t.task}] ", style="bold")
        line.append(f"{t.name}: ")
        line.append(t.output.splitlines()[0] if t.output else "failed", style="dim")
        console.print(line)
    if len(shown) < len(failures):
        console.print(f"  ... and {len(failures) - len(shown)} more failed tests")


def batch_table(results: dict[str, Result], title: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("Student")
    table.add_column("Score", justify="right")
    table.add_column("%", justify="right")
    table.add_column("Failed tasks")
    for student in sorted(results):
        r = results[student]
        pct = 100 * r.score / r.max_score if r.max_score else 0.0
        style = "green" if pct == 100 else "yellow" if pct >= 50 else "red"
        failed = ", ".join(t for t, (s, m) in r.tasks().items() if s < m)
        table.add_row(student, _points(r.score, r.max_score), Text(f"{pct:.0f}", style=style),
                      r.error or failed or "-")
    return table


def print_audit(report, console: Console) -> None:
    checks = Table(title=f"Audit of {report.assignment}", box=box.SIMPLE_HEAVY,
                   title_justify="left")
    checks.add_column("")
    checks.add_column("Check")
    checks.add_column("Detail", overflow="fold")
    for c in report.checks:
        checks.add_row(Text("ok", style="green") if c.ok else Text("FAIL", style="bold red"),
                       c.what, c.detail[:400])
    console.print(checks)
    tests = Table(title="Which variants each test catches", box=box.SIMPLE,
                  title_justify="left")
    tests.add_column("Test", overflow="fold")
    tests.add_column("s", justify="right")
    tests.add_column("Caught variants", overflow="fold")
    for name, caught in report.catches.items():
        tests.add_row(name, f"{report.runtimes.get(name, 0):.2f}",
                      ", ".join(caught) if caught else Text("none (flagged)", style="yellow"))
    console.print(tests)
    if report.narrowed:
        sizes = sorted(len(tasks) for tasks in report.narrowed.values())
        console.print(f"{len(report.narrowed)} variant(s) were graded only on the tasks their "
                      f"change can reach, {sizes[0]} to {sizes[-1]} each (elsewhere they would "
                      "repeat the reference's results; --every-task grades them on all).",
                      highlight=False)
    for note in report.notes:
        console.print(note, highlight=False)
    idle = report.idle_tests()
    if idle:
        console.print(f"[yellow]{len(idle)} test(s) caught no variant: add a variant that "
                      "they catch, or check that they can fail.[/yellow]")
    verdict = "[green]PASS[/green]" if report.ok else "[bold red]FAIL[/bold red]"
    console.print(f"Audit of {report.assignment}: {verdict}")
