"""The text: headings, paragraphs rejoined across page breaks (or a suspected lacuna), hyphens, sections."""
from __future__ import annotations

import re

from ..records import (Block, Section)
from ..textrules import (MONTHS, SMALL, SUPERSCRIPTS, ends_sentence, excerpt, first_word, slugify, spelling, starts_lowercase, unique)
from .common import Corpus, Run, Work
from .markers import PLAIN_MARKER, SUPERSCRIPT_MARKER


HEADING_DATE = re.compile(r"(?:,\s|\s(?:in|of|to|from|since|after|before|until|and)\s)(?:(?:"
                          + "|".join(m.capitalize() for m in MONTHS[:12])
                          + r")\s)?(?:1[5-9]|20)\d\d(?:\s?[–-]\s?\d{2,4})?$")
"""How a heading may end in figures: a year, a range of years or a month and year after a comma or after
'in', 'of', 'to', 'since'… ('The census of 1932')."""


def _is_heading(run: Run, previous: Run | None) -> bool:
    # A heading may carry a note's marker, superscript or glued to its last word ('method22').
    text = re.sub(rf"[{SUPERSCRIPTS}]+$|(?<=[^\W\d_])\d{{1,3}}$", "", run.text.strip())
    return (len(run.lines) == 1 and 0 < len(text) <= 100 and len(text.split()) <= 14
            and text[:1].isupper() and text[-1] not in ".,;:" + SUPERSCRIPTS
            and (not text[-1].isdigit() or bool(HEADING_DATE.search(text)))
            and (previous is None or ends_sentence(previous.text)))


def find_headings(runs: list[Run]) -> set[int]:
    """The runs (by id) that are section headings; never a line after which the text goes on in lower case
    (the first line of a paragraph that a page break cut off)."""
    return {id(r) for i, r in enumerate(runs) if _is_heading(r, runs[i - 1] if i else None)
            and not (i + 1 < len(runs) and starts_lowercase(runs[i + 1].text))}


def join_page_breaks(runs: list[Run], headings: set[int], corpus: Corpus, work: Work) -> list[Run]:
    out: list[Run] = []
    for run in runs:
        prev = out[-1] if out else None
        if prev is None or id(run) in headings or id(prev) in headings:
            out.append(run)
            continue
        if not ends_sentence(prev.text) or starts_lowercase(run.text):
            word = first_word(run.text)
            quoted = not ends_sentence(prev.text) and re.match(rf"^[‘“'\"]\s?[{SMALL}]", run.text)
            if starts_lowercase(run.text) or quoted or is_proper_noun(word, corpus):
                evidence = ("the next block begins in lower case" if starts_lowercase(run.text)
                            else "the paragraph breaks off mid-sentence and the next block goes on with a "
                                 "quotation in lower case" if quoted
                            else f"the paragraph breaks off mid-sentence and '{word}' is a name "
                                 f"(never lower case in the text)")
                work.repair("page-break-join", run.lines[0],
                            f"paragraph continued across a page break: {evidence}",
                            excerpt(prev.text[-40:] + " ¶ " + run.text[:40], 90))
                prev.merge(run)
                continue
            work.doubt("suspected-lacuna", prev.lines[-1],
                       f"paragraph ends mid-sentence ('…{prev.text[-30:]}') and the next begins a new "
                       f"sentence ('{run.text[:30]}…'): text is probably lost here",
                       excerpt=prev.text[-80:])
        out.append(run)
    last = out[-1] if out else None
    if last is not None and id(last) not in headings and not ends_sentence(last.text):
        work.doubt("suspected-lacuna", last.lines[-1], "the text ends mid-sentence before the notes",
                   excerpt=last.text[-80:])
    return out


def is_proper_noun(word: str, corpus: "Corpus") -> bool:
    """A capitalised word never written in lower case anywhere in the text is a name."""
    return bool(word) and word[:1].isupper() and word.lower() not in corpus.lower


def repair_hyphens(run: Run, corpus: Corpus, work: Work) -> None:
    """Re-join words a line-end hyphen split ('Tol-stoy') and restore hyphens a line break ate
    ('mother-inlaw'), when the rest of the text spells the word the other way at least twice."""
    if corpus.rare is None:
        return
    for m in reversed(list(corpus.rare.finditer(run.text))):
        word = m.group(0)
        best, best_n = corpus.respell[spelling(word)]
        fixed = _respell(word, best)
        kind = "dehyphenation" if fixed.count("-") < word.count("-") else "hyphen-restored"
        work.repair(kind, run.line_at(m.start()), f"'{best}' is spelled so {best_n} times elsewhere in the text",
                    word, fixed)
        run.text = run.text[:m.start()] + fixed + run.text[m.end():]
        delta = len(fixed) - len(word)
        run.starts = [(o + delta if o > m.start() else o, ln) for o, ln in run.starts]


def _respell(word: str, model: str) -> str:
    """word with its hyphens placed as in model (letters and their case kept)."""
    letters = [c for c in word if c != "-"]
    out, i = [], 0
    for c in model:
        if c == "-":
            out.append("-")
        elif i < len(letters):
            out.append(letters[i])
            i += 1
    return "".join(out) + "".join(letters[i:])


def build_sections(runs: list[Run], headings: set[int], work: Work):
    """(abstract, sections, the run each block was made from by block id)."""
    abstract = None
    by_id: dict[str, Run] = {}
    if runs and id(runs[0]) not in headings:
        first = runs[0]
        label = re.match(r"^Abstract[:.]?\s*", first.text)
        has_marker = bool(SUPERSCRIPT_MARKER.search(first.text)) or bool(PLAIN_MARKER.search(first.text))
        if label or (len(runs) > 1 and id(runs[1]) not in headings and not has_marker):
            abstract = Block("abstract", first.text[label.end():] if label else first.text, [], first.lines)
            by_id["abstract"] = first
            if label:
                first.text = first.text[label.end():]
                first.starts = [(max(0, o - label.end()), ln) for o, ln in first.starts]
            runs = runs[1:]
            if not label:
                work.doubt("inferred", first.lines[0], "the first paragraph after the title, which has no "
                           "note markers, is taken as the abstract", block="abstract",
                           excerpt=excerpt(first.text, 80))
    sections: list[Section] = []
    used_ids: set[str] = set()
    count = 0
    for run in runs:
        if id(run) in headings:
            sid = unique(slugify(re.sub(rf"[{SUPERSCRIPTS}]+$|(?<=[^\W\d_])\d{{1,3}}$", "", run.text.strip())), used_ids)
            sections.append(Section(sid, Block(sid, run.text, [], run.lines)))
            by_id[sid] = run
            continue
        if not sections:
            sections.append(Section(unique("opening", used_ids), None))
        count += 1
        sections[-1].paragraphs.append(Block(f"p{count}", run.text, [], run.lines))
        by_id[f"p{count}"] = run
    return abstract, sections, by_id
