"""Page furniture: page numbers and running heads, dropped from the lines before anything else reads them."""
from __future__ import annotations

import re
from collections import Counter

from ..textrules import (CAPITAL, fold)
from .common import Line, Work
from .front import CITE_REST, COVER_CITE, COVER_LINK, cover_citation, paragraphs


PAGE_FURNITURE = re.compile(r"^\s*(?:\d{1,4}|[A-Z][A-Z .,'’&:-]{2,}\s+\d{1,4}|\d{1,4}\s+[A-Z][A-Z .,'’&:-]{2,})\s*$")
"""A bare page number, or a running head in capitals with its page number."""


def drop_furniture(lines: list[Line], work: Work) -> list[Line]:
    heads = _running_heads(lines)
    kept = []
    for ln in lines:
        if ln.text.strip() and (PAGE_FURNITURE.match(ln.text) or ln.no in heads):
            work.repair("furniture-removed", ln.no, "page number or running head dropped", ln.text.strip())
            kept.append(Line(ln.no, ""))
        else:
            kept.append(ln)
    return kept


def _running_heads(lines: list[Line]) -> set[int]:
    """Running heads printed without a page number, after the title block: in capitals, the authors'
    names (initials and surnames, or the surnames the cover gives), the journal's title, or any line in
    capitals printed twice."""
    first = next((first for text, first, _ in paragraphs(lines) if len(text) >= 200
                  and not text.startswith((COVER_CITE, COVER_LINK, "ISSN"))), None)
    body = next((i for i, ln in enumerate(lines) if ln.no == first), len(lines))
    cite = cover_citation(lines[:body])
    families, journal = set(), ""
    if cite:
        cite = cite[0]
        families = {a.split()[-1].upper() for a in re.split(r",\s*|\s+(?:&|and)\s+", cite.group("authors")) if a}
        rest = CITE_REST.match(cite.group("rest"))
        journal = fold(rest.group("journal")) if rest else ""
    caps = [ln for ln in lines[body:] if _in_capitals(ln.text)]
    printed = Counter(ln.text.strip() for ln in caps)
    return {ln.no for ln in caps if printed[ln.text.strip()] > 1 or (journal and fold(ln.text) == journal)
            or _names_head(ln.text, families)}


def _in_capitals(text: str) -> bool:
    text = text.strip()
    return (2 <= len(text) <= 80 and not any(c.islower() for c in text)
            and sum(c.isalpha() for c in text) >= 2 and text[-1] not in ",;:!?")


def _names_head(text: str, families: set[str]) -> bool:
    """'A. N. AUTHOR', 'J. SMITH AND A. PETROVA', 'PETROVA AND SMITH' (surnames from the cover)."""
    tokens = [t for t in re.split(rf"\s+|(?<=\.)(?=[{CAPITAL}])", text.strip()) if t]
    initials = [t for t in tokens if re.fullmatch(rf"[{CAPITAL}][{CAPITAL}a-z]?\.,?", t)]
    words = [t.rstrip(",") for t in tokens if t not in initials and t not in ("AND", "&", "ET", "AL.", "И")]
    if not words or len(tokens) > 10:
        return False
    if families:
        return all(w in families for w in words)
    return bool(initials) and all(w.isalpha() for w in words)
