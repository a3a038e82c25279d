"""Periodicals cited as sources: a title and the date of an issue, in the English or the Russian manner."""
from __future__ import annotations

import re

from ..records import Citation, Note
from ..textrules import CAPITAL
from .items import DATES, Item, name_key
from .works import Index

PERIODICAL = re.compile(r"(?P<name>\*[^*]+\*|[A-Z][\w'’]+(?:\s[A-Za-z][\w'’]+){0,2})"
                        r"(?:\s*\([^()]{1,40}\))?,\s*(?:no\.\s*\d+,\s*)?"  # the place of printing: '(Tsaritsyn)'
                        + DATES)


RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
RU_PERIODICAL = re.compile(rf"(?<![\w.])(?P<name>[{CAPITAL}][\w-]+(?:\s[\w-]+){{0,2}})\.\s*"
                           rf"(?P<dates>(?:1[7-9]|20)\d\d\.\s*(?:№\s*\d+\.\s*)?\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?"
                           rf"\s+(?:{'|'.join(RU_MONTHS)}))")
"""A newspaper in the Russian manner: 'Правда. 1929. 7 ноября.', 'Курская правда. 1930. № 84. 12 апреля.'"""
PLAIN_PERIODICAL_BEFORE = re.compile(r"(?:^|[;.:]\s+|(?<!\w)(?:[Ss]ee|[Ii]n|[Aa]lso|and|[Cc]f\.|e\.g\.|example,?)\s+)$")
"""Where a periodical's title not in italics may begin: the note's or a clause's start, or after 'see', 'in'."""


def find_periodicals(note: Note, index: Index, taken: list[Item]) -> list[Item]:
    """A title and the date of an issue; not a letter's addressee ('Sysoev to Kuibyshev, 2 July 1929') or a
    dated document before its shelfmark ('…, 14 March 1922, TsDAVO …'), not an author of the references,
    a title not in italics only where a citation begins (not a place, 'Interview with …, Tiumentsevo, 14 July
    1993', nor a document, 'The report of the Rubtsovsk okruzhkom, 11.03.1928, is in …');
    a run of days ('3–5 November') only after an italic title (not 'East Anglia, UK, 3–5 January')."""
    out = []
    for m in PERIODICAL.finditer(note.text):
        name = m.group("name").strip("*")
        plain = not m.group("name").startswith("*")
        if (name_key(name.split()[0]) in index.names or re.search(r"\bto(?:\s+the)?\s+$", note.text[:m.start()])
                or re.search(r"\sto\s", name)  # a letter: 'Orde to Halifax, 5 December 1939'
                or plain and not PLAIN_PERIODICAL_BEFORE.search(note.text[:m.start()])
                or any(0 <= t.start - m.end() <= 3 and t.citation.kind == "archive" for t in taken)
                or re.search(r"\d\s*[–-]\s*\d", m.group("dates")) and not m.group("name").startswith("*")):
            continue
        out.append(Item(Citation("", "periodical", m.start(), m.group(0), periodical=name, dates=m.group("dates"),
                                  confidence="high", evidence="a title followed by the date of an issue")))
    for m in RU_PERIODICAL.finditer(note.text):
        if name_key(m.group("name").split()[0]) not in index.names:
            out.append(Item(Citation("", "periodical", m.start(), m.group(0), periodical=m.group("name"),
                                      dates=m.group("dates"), confidence="high",
                                      evidence="a title followed by the year and day of an issue")))
    return out
