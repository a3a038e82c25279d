"""Note markers in every printed form, kept where the sequence of notes confirms them, a misread digit
repaired; the notes whose marker is lost reported with the stretch where it stood."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..records import (Block, Edition, Marker)
from ..textrules import (CAPITAL, MONTHS, SUPERSCRIPTS, superscript_value)
from .common import Run, Work


ABBREVIATION_BEFORE = re.compile(r"\b(?:p|pp|vol|vols|no|nos|l|ll|f|ff|op|d|ch|fig|n|nn|c|ca|art|sec)\.$", re.I)


PLAIN_MARKER = re.compile(r"(?<=[.,;:!?'’\"”)\]—])( ?)(\d{1,3})(?=\s|$)")


WORD_MARKER = re.compile(r"(?<=[^\W\d_])(\d{1,3})(?=[\s.,;:!?)'’\"”]|$)")
"""A number glued to the end of a word ('Kuibyshev23 argued', a title's 'OPPOSITION1'): a marker whose
superscript the extraction lost, when the sequence of notes has a place for it."""


YEAR_MARKER = re.compile(r"(?:[–-]|,\s)(?:1[5-9]|20)\d\d(\d{1,2})$")
"""A number glued to the year that ends a title or heading ('…Front, 1918–19191'): its marker, when the
sequence has a place for it."""


SECOND_MARKER = re.compile(rf" (\d{{1,3}})(?=\s*$|\s+[{CAPITAL}])")


DETERMINERS = set("the a an this these those his her its their our".split())
"""Words no count stands before ('rule, 2 the aftermath'): a number before one is a marker."""


SUPERSCRIPT_MARKER = re.compile(rf"( ?)([{SUPERSCRIPTS}]+)")


@dataclass
class _Candidate:
    block: int
    start: int
    end: int
    value: int
    printed: str
    form: str
    line: int


def _candidates(block_index: int, block: Block, run: Run, work: Work) -> list[_Candidate]:
    found = []
    for m in SUPERSCRIPT_MARKER.finditer(block.text):
        found.append(_Candidate(block_index, m.start(), m.end(), superscript_value(m.group(2)),
                                m.group(0), "superscript", run.line_at(m.end() - 1)))
    if work.markers_known:
        return found
    for m in PLAIN_MARKER.finditer(block.text):
        line = run.line_at(m.end() - 1)
        before = block.text[:m.start()]
        after = block.text[m.end():].lstrip()
        next_word = (re.match(r"[\w%]+", after) or [""])[0].lower() if after else ""
        value = int(m.group(2))
        if not m.group(1) and (len(m.group(2)) == 3 and re.search(r"\d,$", before) or re.search(r"\d—$", before)):
            continue  # the digits after a thousands separator ('31,000') or in a range ('1928—29')
        reason = None
        if next_word in MONTHS:
            reason = "a date (a month follows)"
        elif after.startswith(("%", "per cent", "percent")):
            reason = "a percentage"
        elif ABBREVIATION_BEFORE.search(before.rstrip()):
            reason = "a locator (an abbreviation such as 'p.' or 'vol.' precedes)"
        elif after[:1].islower() and not _glued_to_clause(m, before) and next_word not in DETERMINERS:
            reason = "a count (the sentence goes on in lower case)"
        if reason:
            work.doubt("rejected-number", line, f"'{m.group(2)}' not taken as a note marker: {reason}",
                       block=block.id, excerpt=block.text[max(0, m.start() - 30):m.end() + 20])
            continue
        form = "after-space" if m.group(1) else ("after-quote" if before[-1:] in "'’\"”" else "glued")
        found.append(_Candidate(block_index, m.start(), m.end(), value, m.group(0), form, line))
    for m in WORD_MARKER.finditer(block.text):
        after = block.text[m.end():].lstrip()
        if after.startswith("%") or (re.match(r"[a-z]+", after.lower()) or [""])[0] in MONTHS:
            continue
        found.append(_Candidate(block_index, m.start(), m.end(), int(m.group(1)), m.group(0), "after-word",
                                run.line_at(m.end() - 1)))
    m = YEAR_MARKER.search(block.text)
    if m:
        found.append(_Candidate(block_index, m.start(1), m.end(1), int(m.group(1)), m.group(1), "after-word",
                                run.line_at(m.end(1) - 1)))
    # Two markers side by side ('by 1934.11 12'): the second after a space, right after the first, before
    # the end of the paragraph or a new sentence.
    for c in list(found):
        m = SECOND_MARKER.match(block.text, c.end)
        if m and c.form != "superscript":
            found.append(_Candidate(block_index, m.start(), m.end(), int(m.group(1)), m.group(0), "after-space",
                                    run.line_at(m.end() - 1)))
    return sorted(found, key=lambda c: c.start)


def _glued_to_clause(m: re.Match, before: str) -> bool:
    """'the exchanges,17 and the unions': a number glued to a comma (or ; : a closing bracket, a dash or a
    closing quotation mark: 'exempted—27 and', 'itself’29 and') after a word is a marker even before lower
    case; counts and thousands keep a space or follow a digit ('in 1926, 312', '3,000', '(1921)10')."""
    return not m.group(1) and before[-1:] in ",;:)—’”" and (before[-2:-1].isalpha() or before[-2:-1] in "'’\"”)")


def _ends_a_sentence(blocks: list[Block], c: _Candidate) -> bool:
    """Whether the candidate stands after a sentence's end, before the next sentence or the block's end."""
    text = blocks[c.block].text
    before = text[:c.start].rstrip().rstrip("'’\"”)")
    after = text[c.end:]
    return before[-1:] in ".!?" and (not after.strip() or bool(re.match(rf"\s+[{CAPITAL}'‘\"“(]", after)))


def place_markers(blocks: list[Block], runs: dict[str, Run], numbers: set[int], work: Work) -> list[int]:
    """Find marker candidates in reading order, keep the longest increasing run of numbers,
    repair a misread number where the sequence leaves exactly one gap for it, and take the
    accepted markers out of the text (their offsets recorded). Returns the numbers the text calls after
    the last note, going on from it in order (notes lost from the end of the text)."""
    candidates: list[_Candidate] = []
    for i, block in enumerate(blocks):
        candidates.extend(_candidates(i, block, runs[block.id], work))
    # Where a superscript prints a number, a plain number of the same value is not its marker ('By the end
    # of August, 16 Cossack regiments … stopped.¹⁶').
    printed = {c.value for c in candidates if c.form == "superscript"}
    # Of two plain numbers of one value, the one that ends a sentence is the marker, not a count within it
    # (', 16 Cossack regiments … stopped.16').
    plain = defaultdict(list)
    for c in candidates:
        if c.form != "superscript":
            plain[c.value].append(c)
    counts = {id(c) for same in plain.values() if len(same) > 1
              and sum(map(lambda c: _ends_a_sentence(blocks, c), same)) == 1
              for c in same if not _ends_a_sentence(blocks, c)}
    kept = _longest_increasing([c for c in candidates if c.value in numbers and id(c) not in counts
                                and (c.form == "superscript" or c.value not in printed)])
    called = {c.value for c in kept}
    last = max(numbers)
    accepted: list[tuple[_Candidate, int]] = []
    kept_set = {id(c) for c in kept}
    for idx, c in enumerate(candidates):
        if id(c) in kept_set:
            accepted.append((c, c.value))
            continue
        prev = max((k.value for k in kept if _order(k) < _order(c)), default=0)
        nxt = min((k.value for k in kept if _order(k) > _order(c)), default=last + 1)
        missing = [k for k in range(prev + 1, nxt) if _one_digit_apart(k, c.value) and k in numbers]
        if len(missing) == 1 and nxt - prev == 2 and missing[0] not in called:
            called.add(missing[0])
            work.repair("marker-repaired", c.line,
                        f"printed '{c.value}' stands between markers {prev} and {nxt}, where only "
                        f"{missing[0]} is missing; one digit misread", c.printed.strip(), str(missing[0]))
            accepted.append((c, missing[0]))
        else:
            block = blocks[c.block]
            why = (f"there is no note {c.value}" if c.value not in numbers
                   else f"out of sequence (between markers {prev} and {nxt})")
            work.doubt("rejected-number", c.line, f"'{c.printed.strip()}' not taken as a note marker: {why}",
                       block=block.id, excerpt=block.text[max(0, c.start - 30):c.end + 20])
    by_block: dict[int, list[tuple[_Candidate, int]]] = defaultdict(list)
    for c, n in accepted:
        by_block[c.block].append((c, n))
    for i, items in by_block.items():
        block = blocks[i]
        text, removed, markers = block.text, 0, []
        for c, n in sorted(items, key=lambda t: t[0].start):
            start = c.start - removed
            text = text[:start] + text[start + len(c.printed):]
            removed += len(c.printed)
            markers.append(Marker(n=n, offset=start, printed=c.printed, form=c.form, line=c.line,
                                  printed_n=c.value if c.value != n else None))
        block.text, block.markers = text, markers
    return _calls_beyond(candidates, last)


def _calls_beyond(candidates: list[_Candidate], last: int) -> list[int]:
    """Marker candidates that go on from the last note's number in order ('⁵⁵', '⁵⁶', … after note 54),
    a lost marker or two allowed."""
    out: list[int] = []
    for c in candidates:
        if (out[-1] if out else last) < c.value <= (out[-1] if out else last) + 3:
            out.append(c.value)
    return out


def _order(c: _Candidate) -> tuple[int, int]:
    return (c.block, c.start)


def _one_digit_apart(a: int, b: int) -> bool:
    sa, sb = str(a), str(b)
    return len(sa) == len(sb) and sum(x != y for x, y in zip(sa, sb)) == 1


def _longest_increasing(cands: list[_Candidate]) -> list[_Candidate]:
    if not cands:
        return []
    best = [1] * len(cands)
    back = [-1] * len(cands)
    for i, c in enumerate(cands):
        for j in range(i):
            if cands[j].value < c.value and best[j] + 1 > best[i]:
                best[i], back[i] = best[j] + 1, j
    i = max(range(len(cands)), key=lambda k: (best[k], -k))
    out = []
    while i >= 0:
        out.append(cands[i])
        i = back[i]
    return out[::-1]


def report_unanchored(edition: Edition, work: Work) -> None:
    """Each note without a marker, with the stretch of text where its marker must have stood."""
    blocks = list(edition.blocks())
    positions = {m.n: (bi, m.offset) for bi, b in enumerate(blocks) for m in b.markers}
    for note in edition.notes:
        if note.n in positions:
            continue
        before = max((k for k in positions if k < note.n), default=None)
        after = min((k for k in positions if k > note.n), default=None)
        start = positions[before] if before else (0, 0)
        end = positions[after] if after else (len(blocks) - 1, len(blocks[-1].text))
        stretch = _stretch(blocks, start, end)
        between = f"between marker {before or 'the start'} and marker {after or 'the end'}"
        work.doubt("unanchored-note", note.lines[0], f"note {note.n} has no marker in the text; it must "
                   f"stand {between}", note=note.n, block=blocks[start[0]].id, excerpt=stretch)


def _stretch(blocks: list[Block], start: tuple[int, int], end: tuple[int, int]) -> str:
    (b0, o0), (b1, o1) = start, end
    if b0 == b1:
        return blocks[b0].text[o0:o1]
    parts = [blocks[b0].text[o0:]] + [b.text for b in blocks[b0 + 1:b1]] + [blocks[b1].text[:o1]]
    return " ¶ ".join(p.strip() for p in parts if p.strip())
