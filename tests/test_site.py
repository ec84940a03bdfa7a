"""The course website and notebooks: built from the notes, readable offline.

The quick tests check that the committed notebooks match the notes and that no
prose string of the notes lost a backslash to a Python escape. The slow ones build
the site once (`python -m tools.build_site`, which executes every notebook top to
bottom), crawl its links, and open every page in headless Chromium: maths typeset,
every image loaded, nothing fetched from another host. Screenshots for review are
saved under pytest's temporary folder, or in $NEUROGRADE_SCREENSHOTS if set; the test
prints where.
"""

from __future__ import annotations

import ast
import functools
import http.server
import io
import os
import re
import subprocess
import sys
import threading
import time
import tokenize
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.cdp import CHROMIUM, Chromium
from tools.notebooks import FIGURE_SAVE, REPO_ROOT, notes_to_notebook, parse_notes, stale_notebooks, topics

NOTES = topics()
TOPICS = [notes.parent.name for notes in NOTES]
ASSIGNMENT_OF = {notes.parent.name: parse_notes(notes).header["Assignment"] for notes in NOTES}
BUILD_TIMEOUT_S = 900
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
LITERAL_NEWLINE = re.compile(r"\\n(?![A-Za-z])")  # a "\n" that reached the text as two characters


# -- the notebooks ---------------------------------------------------------------------

def test_every_topic_names_its_assignment():
    assert TOPICS, "course/ has no notes"
    for topic, assignment in ASSIGNMENT_OF.items():
        assert (REPO_ROOT / "assignments" / assignment / f"{assignment}.ipynb").is_file(), topic


def test_committed_notebooks_match_the_notes():
    stale = [str(path.relative_to(REPO_ROOT)) for path in stale_notebooks()]
    assert not stale, f"regenerate with `python -m tools.notebooks`: {stale}"


@pytest.mark.parametrize("notes", NOTES, ids=TOPICS)
def test_notebook_runs_the_notes_code_and_shows_every_figure(notes):
    parsed = parse_notes(notes)
    code = [text for kind, text in parsed.blocks if kind == "code"]
    for links in ("repo", "site"):
        nb = notes_to_notebook(notes, links=links)
        assert [c.source for c in nb.cells if c.cell_type == "code"] == code
        images = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        for figure in FIGURE_SAVE.findall(notes.read_text()):
            assert f"](figures/{figure})" in images, figure
    repo = notes_to_notebook(notes, links="repo")
    assignment = ASSIGNMENT_OF[notes.parent.name]
    assert f"../../assignments/{assignment}/{assignment}.ipynb" in repo.cells[0].source


# -- the prose of the notes ------------------------------------------------------------

def _string_tokens(notes: Path):
    """(token text, value, is prose) for every string literal of a notes file."""
    source = notes.read_text(encoding="utf-8")
    tree = ast.parse(source)
    prose_starts = {(node.lineno, node.col_offset) for node in tree.body
                    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.STRING:
            continue
        try:
            value = ast.literal_eval(token.string)
        except ValueError:  # an f-string: check the text between its fields
            node = ast.parse(token.string, mode="eval").body
            value = "".join(part.value for part in ast.walk(node)
                            if isinstance(part, ast.Constant) and isinstance(part.value, str))
        if isinstance(value, str):
            yield token, value, token.start in prose_starts


@pytest.mark.parametrize("notes", NOTES, ids=TOPICS)
def test_prose_strings_are_raw_and_free_of_control_characters(notes):
    problems = []
    for token, value, is_prose in _string_tokens(notes):
        where = f"{notes.parent.name}/notes.py:{token.start[0]}"
        if is_prose:
            prefix = token.string[:token.string.index('"')].lower()
            if "\\" in value and "r" not in prefix:
                problems.append(f"{where}: prose with backslashes must be a raw string (r\"\"\")")
            for match in CONTROL.finditer(value):
                line = token.start[0] + value.count("\n", 0, match.start())
                problems.append(f"{where}: control character {match.group()!r} near line {line} "
                                f"(an escape such as \\t in a non-raw string?)")
        if LITERAL_NEWLINE.search(value):
            problems.append(f"{where}: a literal backslash-n in {token.string[:40]!r}...")
    assert not problems, "\n".join(problems)


BLOCK_START = re.compile(r"[-+*>#]\s|\d+[.)]\s")  # a list item, quote or heading in Markdown


def _inline_maths_broken_by_a_block(text: str) -> list[str]:
    """Lines that continue an inline $...$ but start like a Markdown block: Markdown ends
    the paragraph there, so the maths is cut in two and shown as text with '$' in it."""
    found, open_, lines = [], False, text.split("\n")
    for number, line in enumerate(lines):
        if open_ and BLOCK_START.match(line.lstrip()):
            found.append(f"line {number + 1} of the string: {line.strip()[:60]!r}")
        for part in re.split(r"\$\$", line)[::2]:  # outside display maths
            open_ ^= len(re.findall(r"(?<!\\)\$", part)) % 2 == 1
    return found


@pytest.mark.parametrize("notes", NOTES, ids=TOPICS)
def test_inline_maths_is_not_cut_by_a_line_that_starts_a_block(notes):
    problems = [f"{notes.parent.name}/notes.py:{token.start[0]}: {where}"
                for token, value, is_prose in _string_tokens(notes) if is_prose
                for where in _inline_maths_broken_by_a_block(value)]
    assert not problems, "rewrap so that no line inside $...$ starts with '+ ', '- ', " \
                         "'* ', '> ', '# ' or '1. ':\n" + "\n".join(problems)


def test_the_readme_starts_students_at_the_site():
    """Self-study begins with the website: its build is the section's first command, and
    the page the README names is where that build writes by default."""
    from tools.build_site import DEFAULT_OUT
    from tools.readme_commands import README, block_commands

    first = block_commands("For students and self-study")[0]
    assert first.endswith("python -m tools.build_site"), first
    section = README.read_text().split("## For students and self-study", 1)[1]
    assert f"`{(DEFAULT_OUT / 'index.html').relative_to(REPO_ROOT)}`" in section.split("\n\n")[1]


# -- the built site --------------------------------------------------------------------

@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """One fresh build for all the site tests (executes all the notebooks)."""
    out = tmp_path_factory.mktemp("course-site") / "site"
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "tools.build_site", "--out", str(out), "--no-cache",
                          "--jobs", "2"], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=BUILD_TIMEOUT_S)
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    print(f"\nsite built in {time.perf_counter() - start:.0f} s: {out}\n{run.stdout}")
    return out


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for attribute in ("href", "src"):
            if attrs.get(attribute):
                self.links.append((tag, attribute, attrs[attribute]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.mark.slow
def test_every_topic_has_a_page_linked_to_its_assignment_and_back(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for topic, assignment in ASSIGNMENT_OF.items():
        page = site / topic / "notes.html"
        assert page.is_file(), f"no page for {topic}"
        assert f"{topic}/notes.html" in index
        links = {url for _, _, url in _parse(page).links}
        assert f"../assignments/{assignment}.html" in links, f"{topic} does not link to its assignment"
        back = [url for _, _, url in _parse(site / "assignments" / f"{assignment}.html").links
                if url.startswith(f"../{topic}/notes.html#")]
        assert back, f"the {assignment} page has no 'Read first' links into {topic}"
        assert any(url.endswith(f"/{assignment}.ipynb") for _, _, url in
                   _parse(site / "assignments" / f"{assignment}.html").links), "no notebook download"


@pytest.mark.slow
def test_no_broken_internal_link_and_nothing_from_another_host(site):
    # (the theme copies Jinja macro files ending in .html into _static/: templates, not pages)
    pages = {path: _parse(path) for path in site.rglob("*.html") if "_static" not in path.parts}
    broken, external = [], []
    for path, page in pages.items():
        for tag, attribute, url in page.links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if not (tag == "a" and attribute == "href"):  # a script, style, font or image
                    external.append(f"{path.relative_to(site)}: <{tag} {attribute}={url}>")
                continue
            if parts.scheme in ("mailto", "data", "javascript"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(site)}: {url} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{path.relative_to(site)}: {url} (no such anchor)")
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        external += [f"{css.relative_to(site)}: url({scheme}//...)"
                     for scheme in re.findall(r"url\(\s*['\"]?(https?:)?//", text)]
    assert not broken, "\n".join(broken[:40])
    assert not external, "\n".join(external[:40])


_WAIT_AND_INSPECT = """(async () => {
  document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; });
  await Promise.all([...document.images].map(i => i.complete ? 0 :
      new Promise(done => { i.onload = i.onerror = done; })));
  if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  await document.fonts.ready;
  const math = [...document.querySelectorAll('.math')];
  const article = document.querySelector('article') || document.body;
  return {
    math: math.length,
    typeset: math.filter(m => m.querySelector('mjx-container')).length,
    mathErrors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
    images: [...article.querySelectorAll('img')].length,
    notLoaded: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    strayDollars: [...article.querySelectorAll('p, li, td')].filter(e => e.innerText.includes('$'))
        .map(e => e.innerText.slice(0, 100)),
    brokenFonts: [...document.fonts].filter(f => f.status === 'error').map(f => f.family),
  };
})()"""

_SCROLL_TO = """(async () => {{
  const target = document.querySelector({selector!r});
  if (!target) return false;
  target.scrollIntoView({{block: 'center'}});
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  return true;
}})()"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served_site(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler,
                                                                                directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                    "(apt-get install -y chromium); CI installs it")
def test_pages_in_headless_chromium(served_site, tmp_path_factory):
    # Under pytest's temporary folder unless NEUROGRADE_SCREENSHOTS names a folder to keep them in.
    keep = os.environ.get("NEUROGRADE_SCREENSHOTS")
    shots = Path(keep) if keep else tmp_path_factory.mktemp("site-screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the site: {shots}")
    browser = Chromium(shots / "profile", width=1280, height=900)
    problems = []
    try:
        pages = ["index.html", *(f"{t}/notes.html" for t in TOPICS),
                 *(f"assignments/{a}.html" for a in ASSIGNMENT_OF.values())]
        for page in pages:
            browser.open(served_site + page)
            seen = browser.evaluate(_WAIT_AND_INSPECT)
            name = page.removesuffix(".html").replace("/", "_")
            browser.screenshot(shots / f"{name}.png")
            foreign = [u for u in browser.requests() if not u.startswith((served_site, "data:", "blob:"))]
            failed = [f for f in browser.failures() if "/favicon.ico:" not in f]  # the browser's own ask
            found = [f"requests to other hosts {foreign}" if foreign else "",
                     f"failed loads {failed}" if failed else "",
                     f"maths not typeset: {seen['typeset']} of {seen['math']}"
                     if seen["typeset"] != seen["math"] else "",
                     f"TeX errors {seen['mathErrors']}" if seen["mathErrors"] else "",
                     f"images not loaded {seen['notLoaded']}" if seen["notLoaded"] else "",
                     f"'$' left in the text (maths not recognised): {seen['strayDollars'][:3]}"
                     if seen["strayDollars"] else "",
                     f"fonts failed {seen['brokenFonts']}" if seen["brokenFonts"] else ""]
            if page.endswith("notes.html"):
                topic = page.split("/")[0]
                figures = FIGURE_SAVE.findall((REPO_ROOT / "course" / topic / "notes.py").read_text())
                found.append(f"{seen['images']} images for {len(figures)} figures"
                             if seen["images"] < len(figures) else "")
                found.append("no maths" if seen["math"] == 0 else "")
                for selector, suffix in (("mjx-container[display='true']", "maths"),
                                         ("article img", "figure")):
                    if browser.evaluate(_SCROLL_TO.format(selector=selector)):
                        browser.screenshot(shots / f"{name}_{suffix}.png")
            problems += [f"{page}: {text}" for text in found if text]
    finally:
        browser.close()
    assert not problems, "\n".join(problems)
    import matplotlib.image as mpimg

    for shot in shots.glob("*.png"):
        pixels = mpimg.imread(shot)[..., :3]
        assert pixels.std() > 0.05, f"{shot.name} looks blank"


class _KernelRace:
    """A stand-in for nbclient's NotebookClient whose kernel fails to start `failures` times
    with `message`, then runs; `starts` counts the starts."""

    def __init__(self, failures: int, message: str):
        self.failures, self.message, self.starts = failures, message, 0

    def __call__(self, nb, **_):
        return self

    def execute(self):
        self.starts += 1
        if self.starts <= self.failures:
            raise RuntimeError(self.message)


@pytest.mark.parametrize("failures, message, starts, raises", [
    (1, "Kernel died before replying to kernel_info", 2, False),  # the port race: started again
    (3, "Kernel died before replying to kernel_info", 3, True),  # never starts: given up
    (1, "Kernel didn't respond in 60 seconds", 1, True),  # anything else: not retried
])
def test_site_build_starts_a_kernel_again_only_when_it_never_started(
        tmp_path, monkeypatch, failures, message, starts, raises):
    import nbclient
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from tools import build_site

    path = tmp_path / "notes.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), path)
    race = _KernelRace(failures, message)
    monkeypatch.setattr(nbclient, "NotebookClient", race)
    if raises:
        with pytest.raises(RuntimeError, match=message):
            build_site.execute(str(path))
    else:
        build_site.execute(str(path))
    assert race.starts == starts
