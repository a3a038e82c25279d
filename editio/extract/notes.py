"""The endnotes: numbered items (as printed, or recovered from the sequence), continuations across page
breaks, notes that break off."""
from __future__ import annotations

import re

from ..textrules import (SUPERSCRIPTS, ends_sentence, excerpt, starts_lowercase, superscript_value)
from .common import Line, Run, Work


NOTE_ITEM = re.compile(r"^(?:[-–•*]\s+)?(?P<n>\d{1,3})[.)]\s+(?P<text>.*)$")


BARE_NOTE_ITEM = re.compile(rf"^(?:[-–•*]\s+)?(?:(?P<n>\d{{1,3}})\s+|(?P<sup>[{SUPERSCRIPTS}]{{1,3}})\s*)(?P<text>\S.*)$")
"""A note numbered '12 Text' or '¹² Text' (no full stop): taken only as the next number in the sequence (or
the one after unnumbered items that may be the notes between), after a note that ended its sentence, since a
wrapped line may begin with a number ('12 May 1926, …')."""


BULLET_ITEM = re.compile(r"^[-–•*]\s+(?P<text>.*)$")


def read_notes(lines: list[Line], work: Work) -> list[tuple[int, Run]]:
    items: list[tuple[int | None, Run]] = []
    current, broken = None, False
    # Notes printed one a line (not wrapped: a line followed by another ends a sentence, page breaks aside):
    # a plain line after a complete note is an item of its own.
    followed = [a.text for a, b in zip(lines, lines[1:]) if a.text.strip() and b.text.strip()]
    one_a_line = sum(map(ends_sentence, followed)) >= 0.9 * len(followed)
    next_number, upcoming = [], None  # the number of the next numbered line after each line
    for ln in reversed(lines):
        next_number.append(upcoming)
        m = NOTE_ITEM.match(ln.text.strip()) or BARE_NOTE_ITEM.match(ln.text.strip())
        if m:
            upcoming = int(m.group("n")) if m.group("n") else superscript_value(m.group("sup"))
    next_number.reverse()
    for i, ln in enumerate(lines):
        text = ln.text.strip()
        if not text:
            current = None if current is None or ends_sentence(current[1].text) else current
            broken = current is not None
            continue
        numbered = NOTE_ITEM.match(text)
        last_n = next((n for n, _ in reversed(items) if n is not None), 0)
        unnumbered = len(items) - next((i + 1 for i in range(len(items) - 1, -1, -1) if items[i][0] is not None), 0)
        n = int(numbered.group("n")) if numbered else 0
        # A number that is not the next, after a note broken off mid-sentence, is a wrapped line of that
        # note ('…*Red Quartermaster*,' / '214. The argument …'), not a note of its own.
        if last_n < n and (n <= last_n + 1 + unnumbered or current is None or ends_sentence(current[1].text)):
            current = (n, Run(numbered.group("text"), [ln.no]))
            items.append(current)
            continue
        bare = BARE_NOTE_ITEM.match(text)
        bare_n = (int(bare.group("n")) if bare.group("n") else superscript_value(bare.group("sup"))) if bare else 0
        if last_n < bare_n <= last_n + 1 + unnumbered and (one_a_line or current is None
                                                            or ends_sentence(current[1].text)):
            current = (bare_n, Run(bare.group("text"), [ln.no]))
            items.append(current)
            continue
        bullet = BULLET_ITEM.match(text)
        # After a complete note, a capitalised plain line starts an item of its own where notes are one a
        # line, or where the numbering leaves exactly one gap before the next numbered note (a note that
        # lost its number among wrapped notes).
        gap = current is not None and current[0] is not None and next_number[i] == current[0] + 2
        if bullet or current is None or ((one_a_line or gap) and ends_sentence(current[1].text)
                                         and text[:1].isupper()):
            current = (None, Run(bullet.group("text") if bullet else text, [ln.no]))
            items.append(current)
        else:
            if broken:
                n = current[0] or last_n
                work.repair("note-continuation-merged", ln.no, f"note {n} continues across a page break (it broke "
                            "off mid-sentence)", excerpt(current[1].text[-30:] + " | " + text[:30], 80))
            current[1].merge(Run(text, [ln.no]))
        broken = False
    notes: list[tuple[int, Run]] = []
    for i, (n, run) in enumerate(items):
        if n is not None and notes and n <= notes[-1][0]:
            # Only when a recovered number has taken it: keep the text, never a second note n.
            work.doubt("note-sequence", run.lines[0], f"note {n} is numbered again after note {notes[-1][0]}; "
                       f"its text is kept as a further paragraph of note {notes[-1][0]}", note=notes[-1][0],
                       excerpt=run.text[:80])
            notes[-1][1].merge(run, "\n\n")
            continue
        if n is not None:
            if notes and n != notes[-1][0] + 1:
                work.doubt("note-sequence", run.lines[0], f"note {n} follows note {notes[-1][0]}: "
                           f"{n - notes[-1][0] - 1} note(s) missing from the notes")
            notes.append((n, run))
            continue
        following = next((m for m, _ in items[i + 1:] if m is not None), None)
        prev_n, prev = notes[-1] if notes else (0, None)
        if prev is not None and (starts_lowercase(run.text) or not ends_sentence(prev.text)):
            why = ("the note broke off mid-sentence" if not starts_lowercase(run.text)
                   else "it begins in lower case" if run.text[:1].isalpha()
                   else f"it begins '{run.text.split()[0]}' and goes on in lower case")
            work.repair("note-continuation-merged", run.lines[0],
                        f"unnumbered item continues note {prev_n} across a page break ({why})",
                        excerpt(prev.text[-30:] + " | " + run.text[:30], 80))
            prev.merge(run)
        elif following is not None and following == prev_n + 2:
            work.repair("note-number-recovered", run.lines[0], f"unnumbered note between notes {prev_n} and "
                        f"{prev_n + 2} is note {prev_n + 1}", run.text[:40], str(prev_n + 1))
            notes.append((prev_n + 1, run))
        elif prev is not None:
            work.doubt("note-sequence", run.lines[0], f"unnumbered item after note {prev_n} taken as a further "
                       f"paragraph of it (no number is missing)", note=prev_n, excerpt=run.text[:80])
            prev.merge(run, "\n\n")
        elif following in (None, 2):
            work.repair("note-number-recovered", run.lines[0], "unnumbered first note is note 1", run.text[:40], "1")
            notes.append((1, run))
        else:
            work.doubt("note-sequence", run.lines[0], "text between the 'Notes' heading and the first note "
                       "belongs to no note and is left out", excerpt=run.text[:80])
    if not notes:
        work.fail(lines[0].no - 1 if lines else 0, "the 'Notes' heading is followed by no notes", "",
                  "check that the notes follow the heading, one per line, numbered '1.', '2.', ...")
    return notes


def breaks_off(text: str) -> bool:
    """Whether a note stops where no citation or sentence can end: after a comma, colon, dash, an opening
    bracket or a connective ('…, in', '(APRF, f. 3'), or with a bracket left open."""
    core = text.rstrip()
    return (core[-1:] in ",;:([–—-/" or bool(re.search(r"\b(?:and|or|the|of|in|to|by|for|with|see|cf)$", core))
            or core.count("(") > core.count(")"))
