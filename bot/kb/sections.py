"""What a release-notes section lists, read from its heading path ('Fixed issues', 'New features')."""

from __future__ import annotations

import re

GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Security", re.compile(r"security|vulnerab|advisor", re.I)),
    ("Known issues", re.compile(r"known", re.I)),
    ("Fixed", re.compile(r"fix|bug|resolved", re.I)),
    ("New", re.compile(r"new|feature|added|highlight|enhance", re.I)),
    ("Removed", re.compile(r"removed|deprecat|dropped", re.I)),
    ("Changed", re.compile(r"change|improve|update", re.I)),
)
ORDER = ("New", "Fixed", "Security", "Changed", "Removed", "Known issues", "Other changes")
RELEASE_DOCS = ("release_notes", "patch_notes", "changelog")
_SKIP = re.compile(r"install|upgrade|how to|download|who should|checksum|contributor", re.I)


def group_of(section: str) -> str | None:
    """The group a section lists (its own heading first, then its parents'); None for install and
    upgrade sections; 'Other changes' for a release's other sections."""
    last = section.split(">")[-1]
    for name, pattern in GROUPS:
        if pattern.search(last):
            return name
    if _SKIP.search(last):
        return None
    for name, pattern in GROUPS:  # a subsection of "Fixed issues" is still fixes
        if pattern.search(section):
            return name
    return None if _SKIP.search(section) else "Other changes"


def lists_items(section: str) -> bool:
    """A section that lists a release's items (fixed, new, known, changed), not its install notes."""
    group = group_of(section)
    return group is not None and group != "Other changes"


_ISSUE = re.compile(r"^\W*([A-Z]{2,5}-\d+)\b|\(([A-Z]{2,5}-\d+)\)")


def issue_id(item: str) -> str | None:
    """The issue id an item is about: the one it opens with ('CX-4821: ...') or its first one in
    parentheses ('64 PTZ presets (VX-3188)'); not a model it mentions ('on the CX-900')."""
    m = _ISSUE.search(item)
    return (m.group(1) or m.group(2)) if m else None
