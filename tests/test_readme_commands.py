"""tools.readme_commands reads README.md's command lines as a reader finds them."""

from __future__ import annotations

import pytest

from tools.readme_commands import block_commands, quick_start_command

TEXT = """\
# Title

## Doors

Intro.

    outer --command      # a comment

### First door

Some prose first.

    one --a
    cd somewhere

    two --b

More prose.

    not this block

### Second door

```bash
fenced --x
# a comment line
fenced --y
```

## Later

    later
"""


@pytest.fixture
def readme(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(TEXT)
    return path


def test_first_indented_block_under_a_heading(readme):
    assert block_commands("First door", readme) == ["one --a", "cd somewhere", "two --b"]
    assert block_commands("Doors", readme) == ["outer --command      # a comment"]


def test_fenced_block(readme):
    assert block_commands("Second door", readme) == ["fenced --x", "# a comment line",
                                                      "fenced --y"]


def test_missing_heading_or_block_is_an_error(readme, tmp_path):
    with pytest.raises(ValueError, match="0 headings"):
        block_commands("Third door", readme)
    empty = tmp_path / "EMPTY.md"
    empty.write_text("## Nothing\n\nJust prose.\n\n## Next\n\n    cmd\n")
    with pytest.raises(ValueError, match="no code block"):
        block_commands("Nothing", empty)


def test_the_readme_names_every_door():
    """The headings tests/test_readme_doors.py runs, and the commands they start with."""
    assert block_commands("The nbgrader door")[0].startswith("neurograde nbgrader-setup")
    assert block_commands("The Gradescope door")[0].startswith("neurograde gradescope perceptron")
    student = block_commands("The student release")
    assert student[0].startswith("neurograde release") and "neurograde check" in student[-1]
    assert "pytest" in quick_start_command("test")
