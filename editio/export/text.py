"""Edition Markdown as the exports read it: runs of text with their emphasis, and the places of
markup at offsets into it.

The text is Markdown (inline emphasis only), parsed with markdown-it as the pages are. Markers,
lacunae, emendations and citations sit at offsets into that text; as in render.annotate, the offsets
go into the text as private-use placeholders before parsing, so they land at the right place between
the parsed runs.
"""
from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt

from ..records import Person

MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
OPEN, CLOSE = "\ue000", "\ue001"
CUT = re.compile(f"{OPEN}(\\d+){CLOSE}")
STYLES = {"em": "italic", "strong": "bold"}


def runs(text: str, cuts: list[int]):
    """The inline Markdown text as (text, styles) runs, with (cut index, styles) where each cut
    (an offset into the Markdown text) falls; styles: the emphasis in force, outermost first."""
    marked = text
    for i, pos in sorted(enumerate(cuts), key=lambda t: -t[1]):
        marked = marked[:pos] + f"{OPEN}{i}{CLOSE}" + marked[pos:]
    styles: list[str] = []
    for kind_, content in _tokens(marked):
        kind, _, edge = kind_.rpartition("_")
        if kind in STYLES and edge == "open":
            styles.append(STYLES[kind])
        elif kind in STYLES and edge == "close":
            styles.pop()
        elif kind_ in ("softbreak", "hardbreak"):
            yield " ", tuple(styles)
        else:  # text, code, and the text of anything else markdown-it finds (links)
            for i, piece in enumerate(CUT.split(content)):
                if i % 2:
                    yield int(piece), tuple(styles)
                elif piece:
                    yield piece, tuple(styles)


@functools.lru_cache(maxsize=4096)
def _tokens(marked: str) -> tuple[tuple[str, str], ...]:
    """markdown-it's inline tokens of marked as (type, content): every export reads the same texts."""
    return tuple((t.type, t.content) for t in MD.parseInline(marked)[0].children or [])


def plain_text(text: str) -> str:
    """The Markdown text without its markup."""
    return "".join(piece for piece, _ in runs(text, []))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a note (paragraphs are separated by a blank line)."""
    spans, start = [], 0
    for part in text.split("\n\n"):
        if part.strip():
            spans.append((start, start + len(part)))
        start += len(part) + 2
    return spans


def ncname(value: str) -> str:
    """An id usable as xml:id (an XML name cannot start with a digit)."""
    return value if re.match(r"[A-Za-z_]", value) else f"id-{value}"



def names(printed: str) -> list[Person]:
    """Names printed 'Given Family, Given Family and Given Family': the last word is the family name."""
    people = []
    for name in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", printed.strip()):
        given, _, family = name.strip().rpartition(" ")
        if family:
            people.append(Person(family, given))
    return people

