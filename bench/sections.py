"""Rewriting one section of a bench report, keeping the rest (hand-written text included).

A section runs from its Markdown heading to the next heading of its level or above
(lines inside ``` fences never count as headings); a generated part that shares its
heading with hand-written text sits between a pair of HTML comment markers instead.
"""

from __future__ import annotations


def _level(line: str) -> int:
    hashes = len(line) - len(line.lstrip("#"))
    return hashes if hashes and line[hashes:hashes + 1] == " " else 0


def _headings(lines: list[str]) -> list[tuple[int, int]]:
    """(index, level) of each heading line outside code fences."""
    found, fenced = [], False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and _level(line):
            found.append((i, _level(line)))
    return found


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def split_sections(text: str, level: int) -> list[list[str]]:
    """The text cut before each heading of `level` or above (the part before the first
    such heading comes first, possibly empty)."""
    lines = text.splitlines()
    cuts = [i for i, lvl in _headings(lines) if lvl <= level]
    return [lines[a:b] for a, b in zip([0, *cuts], [*cuts, len(lines)], strict=True)]


def replace_section(text: str, lines: list[str], *, key: str | None = None,
                    before: str | None = None) -> str:
    """`text` with the section whose heading starts with `key` (default: `lines[0]`, the
    new section's heading) replaced by `lines`. A section not there yet goes before the
    heading that starts with `before` when there is one, else at the end."""
    heading, level = lines[0], _level(lines[0])
    old, new = text.splitlines(), _trimmed(list(lines))
    headings = _headings(old)
    start = next((i for i, lvl in headings if lvl == level and old[i].startswith(key or heading)),
                 None)
    if start is None:
        at = next((i for i, _ in headings if before and old[i].startswith(before)), None)
        if at is None:
            return "\n".join([*_trimmed(old), *([""] if old else []), *new]) + "\n"
        return "\n".join([*old[:at], *new, "", *old[at:]]) + "\n"
    end = next((i for i, lvl in headings if i > start and lvl <= level), len(old))
    rest = old[end:]
    return "\n".join([*old[:start], *new, *([""] if rest else []), *rest]) + "\n"


def replace_between(text: str, markers: tuple[str, str], lines: list[str]) -> str:
    """`text` with what lies between the two marker lines replaced by `lines` (the markers
    kept); a pair not there yet goes at the end."""
    section = "\n".join([markers[0], *lines, markers[1]])
    if markers[0] in text:
        head, rest = text.split(markers[0], 1)
        return head + section + rest.split(markers[1], 1)[1]
    return text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
