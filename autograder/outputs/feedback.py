"""One self-contained HTML feedback page per submission.

The page is what an instructor hands back to a student: the score, a table of
tasks and points, every failed test with its message, and the pictures the tests
made from the student's own work (`Result.figures`), grouped under their task.
Everything is inline (CSS, PNGs as base64 data URIs), so the page opens from an
email attachment or an LMS upload without a server, and it loads nothing from
the network.

Every string that comes from a result (test messages can quote the student's
output, student ids come from file names) is HTML-escaped. Messages of tests
whose visibility is "hidden" are withheld, as Gradescope withholds them.
"""

from __future__ import annotations

import base64
import os
from html import escape
from pathlib import Path

from autograder.result import Figure, Result, TestResult

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

CSS = """
:root { --ok: #1a7f37; --partial: #9a6700; --bad: #cf222e; --ink: #1f2328;
        --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 880px; margin: 0 auto; padding: 24px 20px 48px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 16px; margin-bottom: 8px; }
.assignment { color: var(--muted); margin: 0; text-transform: uppercase; letter-spacing: .06em;
              font-size: 12px; }
h1 { font-size: 24px; margin: 2px 0 10px; }
h2 { font-size: 18px; margin: 28px 0 10px; }
h3 { font-size: 16px; margin: 0 0 8px; display: flex; justify-content: space-between; }
.score { font-size: 16px; }
.score strong { font-size: 32px; }
.bar { height: 8px; background: var(--soft); border-radius: 4px; overflow: hidden;
       margin-top: 8px; border: 1px solid var(--line); }
.bar span { display: block; height: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: 700; border-bottom: none; }
.ok { color: var(--ok); } .partial { color: var(--partial); } .failed { color: var(--bad); }
.task { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
.test { margin: 10px 0 0; }
.test .name { font-weight: 600; margin: 0; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--soft);
      border-left: 3px solid var(--bad); padding: 8px 10px; margin: 4px 0 0;
      font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.notice { border-radius: 8px; padding: 10px 14px; margin: 14px 0; }
.notice.error { background: #ffebe9; border: 1px solid #ffcecb; }
.notice.warning { background: #fff8c5; border: 1px solid #f2e08a; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr));
           gap: 12px; margin-top: 14px; }
figure { margin: 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 13px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"""


def _status(score: float, max_score: float) -> tuple[str, str]:
    if score >= max_score:
        return "ok", "passed"
    return ("partial", "partial") if score > 0 else ("failed", "failed")


def _pts(x: float) -> str:
    return f"{x:g}"


def _failed_test(t: TestResult) -> str:
    if t.visibility == "hidden":
        body = "<pre>Details of this test are not shown.</pre>"
    else:
        body = f"<pre>{escape(t.output or 'failed')}</pre>"
    return (f'<div class="test"><p class="name">{escape(t.name)} '
            f'<span class="failed">(0 / {_pts(t.max_score)})</span></p>{body}</div>')


def _figure(fig: Figure) -> str:
    if not fig.png.startswith(PNG_MAGIC):
        return ""
    data = base64.b64encode(fig.png).decode("ascii")
    title = escape(fig.title or "figure")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{title}">'
            f"<figcaption>{title}</figcaption></figure>")


def _figures(figures: list[Figure]) -> str:
    shown = "".join(_figure(f) for f in figures)
    return f'<div class="figures">{shown}</div>' if shown else ""


def _task_section(task: str, score: float, max_score: float, failures: list[TestResult],
                  figures: list[Figure]) -> str:
    css, _ = _status(score, max_score)
    parts = [f'<section class="task"><h3><span>{escape(task)}</span>'
             f'<span class="{css}">{_pts(score)} / {_pts(max_score)}</span></h3>']
    parts += [_failed_test(t) for t in failures]
    parts.append(_figures(figures))
    parts.append("</section>")
    return "".join(parts)


def render_feedback_html(result: Result, student: str) -> str:
    """The feedback page for `student`'s `result`, as one self-contained HTML string."""
    score, max_score = result.score, result.max_score
    pct = 100 * score / max_score if max_score else 0.0
    bar_color = "var(--ok)" if pct >= 100 else "var(--partial)" if pct >= 50 else "var(--bad)"
    tasks = result.tasks()
    rows = []
    for task, (s, m) in tasks.items():
        css, word = _status(s, m)
        rows.append(f'<tr><td>{escape(task)}</td><td class="num">{_pts(s)} / {_pts(m)}</td>'
                    f'<td class="{css}">{word}</td></tr>')
    figures_by_task: dict[str, list[Figure]] = {}
    for fig in result.figures:
        key = fig.task if fig.task in tasks else ""
        figures_by_task.setdefault(key, []).append(fig)
    sections = []
    for task, (s, m) in tasks.items():
        failures = [t for t in result.tests if t.task == task and not t.passed]
        if failures or figures_by_task.get(task):
            sections.append(_task_section(task, s, m, failures, figures_by_task.get(task, [])))
    if figures_by_task.get(""):
        sections.append('<section class="task"><h3><span>Other pictures</span></h3>' +
                        _figures(figures_by_task[""]) + "</section>")
    notices = []
    if result.error:
        notices.append(f'<div class="notice error"><strong>Could not grade:</strong> '
                       f"{escape(result.error)}</div>")
    notices += [f'<div class="notice warning"><strong>Warning:</strong> {escape(str(w))}</div>'
                for w in result.extra_data.get("warnings", [])]
    extra = result.extra_data
    footer = " · ".join(escape(str(x)) for x in (
        f"neurograde {extra.get('grader_version', '')}".strip(),
        f"seed {extra['seed']}" if "seed" in extra else "",
        f"submission sha256 {str(extra['submission_sha256'])[:12]}"
        if extra.get("submission_sha256") else "") if x)
    title = f"{result.assignment}: feedback for {student}"
    all_passed = bool(result.tests) and all(t.passed for t in result.tests)
    details = ('<p class="ok">Every test passed. Well done.</p>' if all_passed else "") + \
        "".join(sections)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body><main>
<header><p class="assignment">{escape(result.assignment)}</p>
<h1>Feedback for {escape(student)}</h1>
<div class="score"><strong>{_pts(score)}</strong> / {_pts(max_score)} points ({pct:.0f}%)</div>
<div class="bar" role="img" aria-label="{pct:.0f}% of the points">
<span style="width: {min(pct, 100):.1f}%; background: {bar_color}"></span></div>
</header>
{"".join(notices)}
<h2>Tasks</h2>
<table><thead><tr><th>Task</th><th class="num">Points</th><th>Status</th></tr></thead>
<tbody>{"".join(rows)}</tbody>
<tfoot><tr><td>Total</td><td class="num">{_pts(score)} / {_pts(max_score)}</td><td></td></tr></tfoot>
</table>
<h2>Details</h2>
{details}
<footer>{footer}</footer>
</main></body></html>
"""


def write_feedback_html(path: str | Path, result: Result, student: str) -> Path:
    """Write the feedback page atomically (a Ctrl-C never leaves half a page)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(render_feedback_html(result, student), encoding="utf-8")
    os.replace(tmp, path)
    return path
