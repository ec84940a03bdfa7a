"""Build the course website from the notes.

    python -m tools.build_site                  # writes build/site/index.html
    python -m tools.build_site --out DIR --jobs 2 --no-cache

Steps: stage `docs/` (Sphinx configuration, index and assignment pages) and every
`course/NN_topic/notes.py` as a notebook into a source folder; execute the notebooks
(in parallel, each in its own folder, so the figures the code saves land beside the
page that shows them); then run Sphinx with MyST-NB and the Jupyter Book theme on it.
Nothing is downloaded: MathJax and the theme's assets come from installed packages
and are served by the site itself (open `build/site/index.html`, or serve the folder
with `python -m http.server -d build/site`).

Executed notebooks are cached in `build/site-cache/`, keyed by their code cells, the
data files beside them and the versions of the main libraries, so editing prose
rebuilds in seconds;
`--no-cache` runs everything afresh.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from tools.notebooks import REPO_ROOT, notes_to_notebook, parse_notes, topics

DOCS = REPO_ROOT / "docs"
ASSIGNMENTS = REPO_ROOT / "assignments"
DEFAULT_OUT = REPO_ROOT / "build" / "site"
CELL_TIMEOUT_S = 600


def stage(src: Path) -> list[Path]:
    """Lay out the Sphinx source folder; return the topic notebooks (not yet executed)."""
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("__pycache__"))
    notebooks = []
    for notes in topics():
        target = src / notes.parent.name / "notes.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notes_to_notebook(notes, links="site"), target)
        if (notes.parent / "data").is_dir():  # small files the notes read (e.g. benchmark results)
            shutil.copytree(notes.parent / "data", target.parent / "data")
        notebooks.append(target)
    downloads = src / "_assignment_notebooks"
    downloads.mkdir()
    for notebook in sorted(ASSIGNMENTS.glob("*/*.ipynb")):
        if notebook.stem == notebook.parent.name:
            shutil.copy2(notebook, downloads / notebook.name)
    return notebooks


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("numpy", "keras", "tensorflow", "tensorflow-cpu", "scikit-learn", "matplotlib"):
        with contextlib.suppress(PackageNotFoundError):
            found.append(f"{name}=={version(name)}")
    return f"python {sys.version.split()[0]}; " + "; ".join(found)


def cache_key(path: Path) -> str:
    """The staged notebook's code cells, the data files beside it and the library versions."""
    code = [cell.source for cell in nbformat.read(path, 4).cells if cell.cell_type == "code"]
    data = [(str(f.relative_to(path.parent)), hashlib.sha256(f.read_bytes()).hexdigest())
            for f in sorted((path.parent / "data").rglob("*")) if f.is_file()]
    return hashlib.sha256(json.dumps([_versions(), code, data]).encode()).hexdigest()[:20]


# jupyter_client chooses a kernel's free TCP ports before the kernel binds them, so kernels
# started side by side can race for one port ("ZMQError: Address already in use") and the
# loser dies before its first reply; no cell has run then, and a new start is safe.
KERNEL_NEVER_STARTED = "Kernel died before replying to kernel_info"
KERNEL_STARTS = 3


def execute(path: str, threads: int = 1) -> tuple[str, float]:
    """Run one notebook top to bottom in its own folder and save it with its outputs.

    `threads` caps the math libraries' thread pools in the kernel, so that notebooks
    running side by side share the cores instead of fighting over them."""
    from nbclient import NotebookClient

    os.environ.pop("NEUROGRADE_FIGURES", None)  # figures go beside the notebook
    os.environ.update(MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3", PYDEVD_DISABLE_FILE_VALIDATION="1")
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
                 "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = str(threads)
    start = time.perf_counter()
    for attempt in range(1, KERNEL_STARTS + 1):
        nb = nbformat.read(path, as_version=4)
        try:
            NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                           extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no banners
                           resources={"metadata": {"path": str(Path(path).parent)}}).execute()
            break
        except RuntimeError as exc:  # only a kernel that never started is started again
            if KERNEL_NEVER_STARTED not in str(exc) or attempt == KERNEL_STARTS:
                raise
    nbformat.write(nb, path)
    return path, time.perf_counter() - start


def _reuse(hit: Path, path: Path) -> None:
    """Give the freshly staged notebook (current prose) the cached outputs of its code
    cells (same code, by the cache key) and the cached figures."""
    nb, cached = nbformat.read(path, 4), nbformat.read(hit / "notes.ipynb", 4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    ran = [cell for cell in cached.cells if cell.cell_type == "code"]
    for cell, old in zip(code, ran, strict=True):
        cell.outputs, cell.execution_count = old.outputs, old.execution_count
    nbformat.write(nb, path)
    for item in hit.iterdir():
        if item.is_dir():
            shutil.copytree(item, path.parent / item.name, dirs_exist_ok=True)


def execute_all(notebooks: list[Path], jobs: int, cache: Path | None) -> None:
    todo = []
    for path in notebooks:
        hit = cache / f"{path.parent.name}-{cache_key(path)}" if cache else None
        if hit is not None and (hit / "notes.ipynb").is_file():
            _reuse(hit, path)
            print(f"  {path.parent.name}: outputs and figures from the cache", flush=True)
        else:
            todo.append((path, hit))
    if not todo:
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context) as pool:
        threads = max(1, (os.cpu_count() or 1) // max(1, jobs))
        futures = {pool.submit(execute, str(path), threads): (path, hit) for path, hit in todo}
        failures = []
        for future, (path, hit) in futures.items():
            try:
                _, seconds = future.result()
            except Exception as exc:  # report every notebook that fails, not only the first
                failures.append(f"{path.parent.name}: {exc}")
                continue
            print(f"  {path.parent.name}: executed in {seconds:.0f} s", flush=True)
            if hit is not None:
                if hit.exists():
                    shutil.rmtree(hit)
                shutil.copytree(path.parent, hit)
    if failures:
        raise SystemExit("notebooks failed:\n" + "\n".join(failures))


def sphinx(src: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    doctrees = out.parent / (out.name + "-doctrees")
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-E",
               "-d", str(doctrees), str(src), str(out)]
    subprocess.run(command, check=True)
    shutil.rmtree(doctrees, ignore_errors=True)


def build(out: Path = DEFAULT_OUT, jobs: int = 2, cache: Path | None = None) -> Path:
    """Build the site into `out`; return its index.html."""
    out = out.resolve()
    src = out.parent / (out.name + "-src")
    start = time.perf_counter()
    for notes in topics():
        parse_notes(notes)  # fail early on a malformed notes file
    notebooks = stage(src)
    print(f"staged {len(notebooks)} topics in {src}", flush=True)
    execute_all(notebooks, jobs, cache)
    sphinx(src, out)
    index = out / "index.html"
    print(f"site written to {index} in {time.perf_counter() - start:.0f} s", flush=True)
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default build/site)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    parser.add_argument("--no-cache", action="store_true", help="execute every notebook afresh")
    args = parser.parse_args(argv)
    cache = None if args.no_cache else args.out.resolve().parent / (args.out.name + "-cache")
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    build(args.out, args.jobs, cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
