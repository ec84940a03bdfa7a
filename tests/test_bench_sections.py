"""bench/sections.py: a bench script rewrites its own section of a report, nothing else."""

from bench.sections import replace_between, replace_section, split_sections

REPORT = """# Report

Intro.

## Speed

old figures

```
# a comment in a code block, not a heading
```

## Why (by hand)

kept words
"""


def test_a_section_is_replaced_up_to_the_next_heading_of_its_level():
    out = replace_section(REPORT, ["## Speed", "", "new figures", ""])
    assert out == REPORT.replace("old figures\n\n```\n# a comment in a code block, not a "
                                 "heading\n```\n", "new figures\n")
    assert replace_section(out, ["## Speed", "", "new figures"]) == out  # idempotent


def test_a_new_section_goes_before_the_named_heading_or_at_the_end():
    before = replace_section(REPORT, ["## Memory", "", "1 GB"], before="## Why")
    assert before.index("## Memory") < before.index("## Why") and "kept words" in before
    assert replace_section(REPORT, ["## Memory", "", "1 GB"]).endswith("kept words\n\n## Memory\n\n1 GB\n")


def test_a_key_finds_a_section_whose_heading_changes():
    text = "# Part A: 3 seeds\n\nold\n\n# Part B: x\n\nother\n"
    out = replace_section(text, ["# Part A: 20 seeds", "", "new"], key="# Part A")
    assert out == "# Part A: 20 seeds\n\nnew\n\n# Part B: x\n\nother\n"


def test_sections_split_at_their_level_and_markers_keep_what_is_around_them():
    assert [s[0] for s in split_sections(REPORT, 2)[1:]] == ["# Report", "## Speed",
                                                             "## Why (by hand)"]
    markers = ("<!-- part -->", "<!-- /part -->")
    text = replace_between("## Notes\n\nby hand\n", markers, ["one"])
    assert text == "## Notes\n\nby hand\n\n<!-- part -->\none\n<!-- /part -->\n"
    assert replace_between(text, markers, ["two"]) == text.replace("one", "two")
