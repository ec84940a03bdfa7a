"""The HTML feedback page: content, escaping, pictures under their task, and a real render."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from autograder.outputs.feedback import render_feedback_html, write_feedback_html
from autograder.result import Figure, Result, TestResult

ATTACK = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"


def _png(color: str, label: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=80)
    ax.plot([0, 1, 2, 3], [3, 1, 2, 0], color=color, linewidth=4)
    ax.set_title(label)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _test(name, task, points, passed, output="", visibility="after_published"):
    return TestResult(name=name, task=task, score=points if passed else 0.0, max_score=points,
                      status="passed" if passed else "failed", visibility=visibility,
                      output=output)


@pytest.fixture(scope="module")
def result() -> Result:
    return Result(
        assignment="perceptron",
        tests=[
            _test("Does step give 1 at zero?", "step", 1, True),
            _test("Does training on AND converge?", "train_perceptron", 2, False,
                  "expected every input classified after 20 epochs, got 3 of 4 right.\n"
                  f"Your code printed: {ATTACK}"),
            _test("Does it stop when converged?", "train_perceptron", 1, True),
            _test("Secret property", "build_xor_mlp", 2, False, "the secret reason",
                  visibility="hidden"),
        ],
        figures=[Figure("Decision boundary of your perceptron on AND", "train_perceptron",
                        _png("tab:red", "AND")),
                 Figure(f"Loose picture {ATTACK}", "not_a_task", _png("tab:blue", "other"))],
        extra_data={"grader_version": "0.1.0", "seed": 7, "submission_sha256": "ab" * 32,
                    "warnings": ["cell 3 uses %matplotlib <magic>: ignored"]},
    )


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.imgs: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.imgs.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Collect:
    parser = _Collect()
    parser.feed(page)
    return parser


def test_page_has_score_tasks_failures_and_pictures(result):
    page = render_feedback_html(result, "alice")
    parsed = _parse(page)
    text = " ".join(parsed.text)
    assert "Feedback for alice" in text and "2 / 6 points (33%)" in " ".join(text.split())
    for task, points in (("step", "1 / 1"), ("train_perceptron", "1 / 3"),
                         ("build_xor_mlp", "0 / 2")):
        assert re.search(rf"<td>{task}</td><td class=\"num\">{points}</td>", page)
    assert "expected every input classified after 20 epochs" in text
    # Pictures: real PNGs, byte for byte, the task's own inside the task's section.
    srcs = [img["src"] for img in parsed.imgs]
    assert [base64.b64decode(s.split(",", 1)[1]) for s in srcs] == [f.png for f in result.figures]
    section = page[page.index("<span>train_perceptron</span>"):]
    section = section[:section.index("</section>")]
    assert "Decision boundary of your perceptron on AND" in section
    assert "Other pictures" in page and "cell 3 uses %matplotlib &lt;magic&gt;" in page


def test_page_is_self_contained(result):
    page = render_feedback_html(result, "alice")
    assert "<style>" in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    assert "<link" not in page and "<script" not in page


def test_student_text_is_escaped(result):
    page = render_feedback_html(result, "<b>bob</b>")
    parsed = _parse(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert len(parsed.imgs) == 2  # only the two figures, not the student's <img onerror>
    assert ATTACK in "".join(parsed.text)  # shown as text, whole
    assert "&lt;b&gt;bob&lt;/b&gt;" in page


def test_hidden_test_messages_are_withheld(result):
    page = render_feedback_html(result, "alice")
    assert "Secret property" in page and "the secret reason" not in page


def test_all_passed_page_and_unreadable_submission():
    perfect = Result("toy", [_test("t", "add", 3, True)],
                     figures=[Figure("your adder", "add", _png("tab:green", "add"))])
    page = render_feedback_html(perfect, "carol")
    assert "Every test passed" in page and "your adder" in page
    broken = Result("toy", [_test("t", "add", 3, False, "not graded")],
                    error="your notebook is not valid JSON <oops>")
    page = render_feedback_html(broken, "dave")
    assert "Could not grade:" in page and "not valid JSON &lt;oops&gt;" in page


def test_write_is_atomic(tmp_path, result):
    path = write_feedback_html(tmp_path / "out" / "alice.html", result, "alice")
    assert path.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert not list(path.parent.glob("*.partial"))


CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)


def _chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                    "(apt-get install -y chromium); CI installs it")
def test_page_renders_in_headless_chromium(tmp_path, result):
    page = write_feedback_html(tmp_path / "alice.html", result, "alice")
    shot = tmp_path / "alice.png"
    run = _chromium(tmp_path, "--window-size=1000,1800", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), run.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]  # (height, width, 3), floats in [0, 1]
    assert pixels.shape[:2] == (1800, 1000)
    assert pixels.std() > 0.05  # not a blank page
    red = (pixels[..., 0] > 0.7) & (pixels[..., 1] < 0.45) & (pixels[..., 2] < 0.45)
    assert red.sum() > 200  # the failed-test accents and the red curve of the figure
    # The browser's own DOM: the student's markup stayed text and ran nothing.
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert "<title>perceptron: feedback for alice</title>" in dom
    assert "pwned" not in dom.split("<title>")[1].split("</title>")[0]
    assert dom.count("<img") == 2 and "<script" not in dom
