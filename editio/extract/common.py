"""What the extraction stages share: source lines, runs of text being assembled with the lines they come
from, what is gathered as it goes (repairs, doubts, the one error), and the words of the whole text."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..problems import EditionError, Problem
from ..records import (Doubt, Repair)
from ..textrules import (WORD, spelling)


@dataclass
class Line:
    no: int
    text: str
    page: str = ""
    """The printed page the line stands on, where the reader knows it (a PDF's); '' for a text seed."""


@dataclass
class Run:
    """A run of text being assembled (a block of the body, a note, an entry), knowing the source
    line each stretch of it comes from."""

    text: str
    lines: list[int]
    starts: list[tuple[int, int]] = field(default_factory=list)
    """(offset in text, source line) where each source line's text begins."""
    section: str = ""
    """For a bibliography entry: the subheading it stands under."""
    listed: str = ""
    """For a bibliography entry under a subheading of archives or newspapers: 'archive' or 'periodical'."""

    def __post_init__(self):
        if not self.starts:
            self.starts = [(0, self.lines[0])]

    def merge(self, other: "Run", separator: str | None = None) -> None:
        joined = self.text + separator + other.text if separator is not None else join(self.text, other.text)
        base = len(joined) - len(other.text)
        self.text = joined
        self.starts += [(o + base, ln) for o, ln in other.starts]
        self.lines += other.lines

    def line_at(self, offset: int) -> int:
        return next((ln for o, ln in reversed(self.starts) if o <= offset), self.lines[0])


@dataclass
class Work:
    """What extraction gathers as it goes."""

    label: str
    repairs: list[Repair] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    markers_known: bool = False
    """Set by a reader that knows every marker from the source itself (a PDF's raised glyphs, a manuscript's
    note references), written as superscripts: a number in the line is then never a marker."""

    def repair(self, kind, line, detail, before="", after=""):
        self.repairs.append(Repair(kind, line, detail, before, after))

    def doubt(self, kind, line, detail, **kw):
        self.doubts.append(Doubt(kind, line, detail, **kw))

    def fail(self, line, what, value, todo):
        raise EditionError([Problem(self.label, line, what, value, todo)])


NOTES_HEADINGS = {"notes", "endnotes"}
"""What the line before the notes reads (lower case, a colon aside)."""
REFERENCES_HEADINGS = {"references", "bibliography", "works cited", "sources and literature", "reference list",
                       "select bibliography", "sources", "literature", "sources and bibliography"}
"""What the line before the bibliography reads."""


def find_heading(lines: list[Line], names: set[str], start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        if lines[i].text.strip().rstrip(":").lower() in names:
            return i
    return None


def split_blocks(lines: list[Line]) -> list[Run]:
    """Runs of non-blank lines, wrapped lines joined."""
    runs, current = [], None
    for ln in lines:
        if not ln.text.strip():
            current = None
            continue
        if current is None:
            current = Run(ln.text.strip(), [ln.no])
            runs.append(current)
        else:
            current.merge(Run(ln.text.strip(), [ln.no]))
    return runs


def join(a: str, b: str) -> str:
    """Two pieces of one paragraph; a line-end hyphen is kept, the halves joined without a space (before a
    capital it is a real hyphen, 'Griazi-Tsaritsyn'; before lower case repair_hyphens decides on the
    evidence of the whole text)."""
    if a.endswith("-") and not a.endswith(" -") and b[:1].isalpha():
        return a + b
    return a + " " + b


@dataclass
class Corpus:
    """Evidence from the whole text: which words occur in lower case, and which spellings occur
    once where the same word, hyphenated otherwise, occurs at least twice (a line-break's damage)."""

    lower: set[str]
    respell: dict[str, tuple[str, int]]
    """Rare spelling -> (the usual spelling, how often it occurs)."""
    rare: re.Pattern | None
    """Finds the rare spellings in a text (None when there are none)."""


def word_corpus(texts: list[str]) -> Corpus:
    words = Counter(WORD.findall("\n".join(texts)))  # no word goes over a line
    spellings: Counter[str] = Counter()
    for w, n in words.items():  # each distinct word once: an article has some 20,000 words, 4,000 distinct
        spellings[spelling(w)] += n
    by_word: dict[str, list[str]] = defaultdict(list)
    for sp in spellings:
        by_word[sp.replace("-", "")].append(sp)
    respell = {}
    for variants in by_word.values():
        if len(variants) > 1:
            best = max(variants, key=lambda v: spellings[v])
            for v in variants:
                if v != best and spellings[v] == 1 and spellings[best] >= 2:
                    respell[v] = (best, spellings[best])
    rare = re.compile("|".join(rf"(?<![\w-]){re.escape(v)}(?:['’]s)?(?![\w-])" for v in sorted(respell)),
                      re.IGNORECASE) if respell else None
    return Corpus({w for w in words if w[:1].islower()}, respell, rare)


PAGE_MARK = re.compile("\ue000([\U000F0000-\U000FFFFF]*)\ue001")
"""Where a new printed page begins inside a line's text, as a reader that knows the pages writes it: the page's
number in private-use characters (so that no rule reads its figures) between two marks."""


def page_mark(label: str) -> str:
    return "\ue000" + "".join(chr(0xF0000 + ord(c)) for c in label) + "\ue001"


def page_marks(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The text without its page marks, and each mark as (where it stood, its length, the page's number)."""
    marks = [(m.start(), len(m.group(0)), "".join(chr(ord(c) - 0xF0000) for c in m.group(1)))
             for m in PAGE_MARK.finditer(text)]
    return PAGE_MARK.sub("", text), marks

