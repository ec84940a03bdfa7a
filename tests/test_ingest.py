"""Which notebook cells become graded code, and how IPython lines are neutralised."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.engine.ingest import SubmissionError, ingest, ingest_notebook_text


def notebook(*cells) -> str:
    return nbformat.writes(new_notebook(cells=list(cells)))


def cell(source: str, **nbgrader):
    c = new_code_cell(source)
    if nbgrader:
        c.metadata["nbgrader"] = nbgrader
    return c


def test_keeps_solution_setup_and_student_cells_only():
    demo = cell("train_for_an_hour()")
    demo.metadata["tags"] = ["demo"]
    text = notebook(
        new_markdown_cell("# Title"),
        cell("import numpy as np", grade=False, solution=False, locked=True),
        cell("def f():\n    return 1", grade=False, solution=True),
        cell("assert f() == 1", grade=True, solution=False, points=2),
        demo,
        cell("def helper():\n    return 2"),  # added by the student
    )
    source = ingest_notebook_text(text).source
    assert "import numpy as np" in source and "def f()" in source and "def helper()" in source
    assert "assert f() == 1" not in source and "train_for_an_hour" not in source


def test_ipython_lines_become_pass():
    text = notebook(cell("!pip install foo\n%matplotlib inline\nx = 1\nif x:\n    %time y = 2"))
    source = ingest_notebook_text(text).source
    assert "pip install" not in source.replace("# IPython: !pip install foo", "")
    compile(source, "nb", "exec")  # valid Python
    assert "x = 1" in source


def test_cell_magics():
    kept = ingest_notebook_text(notebook(cell("%%time\nz = 3"), cell("w = 4"))).source
    assert "z = 3" in kept
    dropped = ingest_notebook_text(notebook(cell("%%bash\nrm -rf /"), cell("w = 4"))).source
    assert "rm -rf" not in dropped and "w = 4" in dropped


def test_syntax_error_cell_is_dropped_with_warning():
    ing = ingest_notebook_text(notebook(cell("def ok():\n    return 1"), cell("def bad(:\n")))
    assert "def ok" in ing.source and "def bad" not in ing.source
    assert any("cell 2" in w and "syntax error" in w for w in ing.warnings)


def test_lines_map_back_to_cells():
    ing = ingest_notebook_text(notebook(new_markdown_cell("x"), cell("a = 1\nb = 2"),
                                        cell("c = 3\nd = 4")))
    line_of_d = ing.source.splitlines().index("d = 4") + 1
    assert ing.where(line_of_d) == "cell 3, line 2"


@pytest.mark.parametrize("text,message", [
    ("{ not json", "not a readable notebook"),
    ('{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a readable"),
    ('{"cells": [3], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a readable"),
    ("[1, 2]", "not a readable"),
    (notebook(new_markdown_cell("only prose")), "no code cells"),
], ids=["not-json", "cells-not-a-list", "cell-not-an-object", "not-an-object", "only-prose"])
def test_malformed_notebooks(tmp_path, text, message):
    path = tmp_path / "perceptron.ipynb"
    path.write_text(text)
    with pytest.raises(SubmissionError, match=message):
        ingest(path)


def test_empty_and_wrong_kind(tmp_path):
    (tmp_path / "a.py").write_text("   \n")
    with pytest.raises(SubmissionError, match="empty"):
        ingest(tmp_path / "a.py")
    (tmp_path / "a.txt").write_text("x = 1")
    with pytest.raises(SubmissionError, match="expected a .ipynb"):
        ingest(tmp_path / "a.txt")


def test_assignment_hint_from_metadata_or_name(tmp_path):
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.metadata["neurograde"] = {"assignment": "rnn"}
    assert ingest_notebook_text(nbformat.writes(nb), "whatever.ipynb").assignment_hint == "rnn"
    (tmp_path / "alice_perceptron.py").write_text("x = 1")
    assert ingest(tmp_path / "alice_perceptron.py").assignment_hint == "perceptron"


def test_cells_with_odd_metadata_are_read_not_refused():
    import json

    odd = {"cell_type": "code", "source": ["x = 1"], "outputs": [], "execution_count": None,
           "metadata": {"tags": "not a list", "nbgrader": ["not", "a", "dict"]}}
    text = json.dumps({"cells": [odd], "metadata": [], "nbformat": 4, "nbformat_minor": 5})
    assert "x = 1" in ingest_notebook_text(text, "perceptron.ipynb").source


def test_version_4_is_read_without_nbformat_and_older_notebooks_are_converted():
    import subprocess
    import sys

    v4 = notebook(cell("x = 1"))
    code = ("import sys; from autograder.engine.ingest import ingest_notebook_text as read; "
            f"assert 'x = 1' in read({v4!r}).source; assert 'nbformat' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    v3 = ('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": '
          '[{"cell_type": "code", "input": "y = 2", "language": "python", "outputs": []}]}]}')
    assert "y = 2" in ingest_notebook_text(v3, "perceptron.ipynb").source
