"""The front of the article: the publisher's cover page and its citation line, the title block (title,
subtitle, authors)."""
from __future__ import annotations

import re

from ..records import (Metadata)
from ..textrules import plain
from .common import Line, Run, Work


COVER_CITE, COVER_LINK = "To cite this article", "To link to this article"
"""The labels of a publisher's cover page (Taylor & Francis prints one before each article it sends out): the
publisher's words, not the article's. corpus.py prints them on the invented articles' covers."""
CITE_LINE = re.compile(rf"^{COVER_CITE}:\s*(?P<authors>.+?)\s*\((?P<year>\d{{4}})\)\s*(?P<rest>.+?)"
                       r",\s*DOI:\s*(?P<doi>\S+?)\.?\s*$")


CITE_REST = re.compile(r"^(?P<title>.+),\s*(?P<journal>[^,]+),\s*(?P<volume>\d+):(?P<issue>[\w–-]+),"
                       r"\s*(?P<pages>\d+\s*[-–]\s*\d+)$")


def paragraphs(lines: list[Line]) -> list[tuple[str, int, int]]:
    """Runs of non-blank lines as (text joined by spaces, first and last source line): a cover's
    citation may be wrapped over several lines."""
    out, current = [], []
    for ln in lines + [Line(0, "")]:
        if ln.text.strip():
            current.append(ln)
        elif current:
            out.append((" ".join(c.text.strip() for c in current), current[0].no, current[-1].no))
            current = []
    return out


def cover_citation(lines: list[Line]) -> tuple[re.Match, int] | None:
    """The cover's 'To cite this article: …' and the line it ends on."""
    return next(((m, no) for text, _, no in paragraphs(lines) if (m := CITE_LINE.match(text))), None)


def _names(text: str) -> list[str]:
    """The names of an author line or of the cover's citation, without the italics or bold some journals print
    an author line in."""
    return [n for n in re.split(r",\s*|\s+(?:and|&)\s+", plain(text)) if n]


def read_cover(lines: list[Line], work: Work) -> tuple[int, Metadata]:
    """Index where the article proper starts, and what the cover page says about it."""
    meta = Metadata(title="", authors=[])
    cite = cover_citation(lines)
    if cite is None:
        first = next((ln for ln in lines if ln.text.strip()), None)
        work.doubt("inferred", first.no if first else 1,
                   "no cover page ('To cite this article:'): journal, volume, pages and DOI are unknown")
        return 0, meta
    m, end = cite
    meta.authors = _names(m.group("authors"))
    meta.year, meta.doi = m.group("year"), m.group("doi")
    meta.line = next(ln.no for ln in lines if ln.text.strip().startswith(COVER_CITE))
    rest = CITE_REST.match(m.group("rest"))
    if rest:
        meta.title = rest.group("title").strip()
        meta.journal, meta.volume = rest.group("journal").strip(), rest.group("volume")
        meta.issue, meta.pages = rest.group("issue"), re.sub(r"\s*[-–]\s*", "–", rest.group("pages"))
    else:
        work.doubt("inferred", meta.line, "cover citation not in the form 'Title, Journal, vol:issue, pages'")
    for text, _, no in paragraphs(lines):
        issn = re.match(r"^ISSN:\s*(.+?)(?:\s+Journal homepage:.*)?$", text)
        if issn:
            meta.issn = issn.group(1)
        if text.startswith(COVER_LINK) and no > end:
            end = no
    return next(i for i, ln in enumerate(lines) if ln.no == end) + 1, meta


def _looks_like_author_line(text: str) -> bool:
    names = _names(text)
    return bool(names) and all(
        2 <= len(n.split()) <= 5 and all(w[:1].isupper() or w in ("van", "von", "de", "der") for w in n.split())
        and not re.search(r"[\d:;!?]", n) for n in names) and not text.isupper()


def read_title_block(front: list[Run], meta: Metadata, work: Work):
    """The title and author lines at the head of the article, and the runs after them."""
    if not front:
        work.fail(0, "no text before the 'Notes' heading", "", "give the article's full text")
    head = front[:2]
    authors: list[str] = []
    author_run = next((r for r in head if _looks_like_author_line(r.text)
                       or (meta.authors and r.text.strip() == ", ".join(meta.authors))), None)
    if author_run is not None:
        authors = _names(author_run.text)
    title_run = next((r for r in head if r is not author_run), None)
    if title_run is None:
        work.fail(front[0].lines[0], "cannot find the title: only an author line precedes the text",
                  front[0].text, "the article must begin with its author and title lines")
    at = front.index(title_run)
    if title_run.text.endswith(":") and at + 1 < len(front) and front[at + 1] is not author_run:
        # 'Main title:' with the subtitle printed on a line of its own.
        title_run.merge(front[at + 1], " ")
        at += 1
        if author_run is None and at + 1 < len(front) and _looks_like_author_line(front[at + 1].text):
            author_run = front[at + 1]
            authors = _names(author_run.text)
    used = max(at, front.index(author_run) if author_run else -1) + 1
    if author_run is None:
        work.doubt("inferred", title_run.lines[0], "no author line found next to the title")
    return title_run, authors, front[used:]
