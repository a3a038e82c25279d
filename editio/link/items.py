"""What a note cites, as the finders report it: the record each produces (Item), the patterns several
finders share, and names as linking compares them across transliterations and scripts."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..records import Citation, Doubt, Note, Repair
from ..textrules import CAPITAL, MONTHS, fold
from . import shelfmark

NAME = rf"(?:(?:van|von|de|der|da)\s)?[{CAPITAL}][\w'’-]*\w"
NAMES = rf"{NAME}(?:\s{NAME})?(?:,\s*(?:and\s+)?{NAME})*(?:,?\s+(?:and|и|&)\s+{NAME})?(?:\s+et\s+al\.)?"
TITLE = r"\*[^*]+\*|'[^']+'|‘[^’]+’|\"[^\"]+\"|“[^”]+”|«[^»]+»"
DATES = (r"(?P<dates>(?:\d{1,2},\s*)*(?:\d{1,2}\s+and\s+)?\d{1,2}(?:\s*[–-]\s*\d{1,2})?\s+(?:"
         + "|".join(m.capitalize() for m in MONTHS[:12]) + r")\s+\d{4}"
         r"|(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:1[6-9]|20)\d\d)(?!\d)")
"""The date of an issue: '3, 5 and 9 March 1927', '22.01.1928'."""
PAGES = r"\d+(?:\s*[–−-]\s*\d+)?(?:(?:,\s*|\s+and\s+)\d+(?:\s*[–−-]\s*\d+)?)*"
_LOC_WORD = r"(?:vols?|pp?|ch|chap|no|nos|docs?|pt|bk|t|С|с|Т|т)\."
LOCATOR_TEXT = (rf"(?:{_LOC_WORD}\s*[\dIVXLCivxlc]+[a-z]?(?:\s*[–−-]\s*\d+)?(?:,\s*(?:{_LOC_WORD}\s*)?{PAGES})*"
                rf"|{PAGES}(?:\s*n\.\s*\d+)?|passim|introduction|preface|conclusion|part\s+\d+)(?:,?\s+(?:and\s+)?passim)?")


@functools.lru_cache(maxsize=None)
def name_key(text: str) -> str:
    """A name or word as compared across transliterations and scripts: ASCII, no soft signs, no
    doubled letters, -y/-ij/-iy endings as -i (Trotsky = Trotskii = Троцкий); possessive dropped."""
    s = re.sub(r"[^a-z]", "", fold(re.sub(r"['’]s$", "", text)))
    s = re.sub(r"(.)\1+", r"\1", s)
    return re.sub(r"(?:iy|ij|y|ii)$", "i", s)


def name_keys(name: str) -> set[str]:
    """Keys under which a printed name may match: the whole, and each of its words ('van Ree')."""
    words = name.replace(" et al.", "").split()
    return {name_key(name.replace(" et al.", ""))} | {name_key(w) for w in words if len(w) > 2}


def names_cited(names: str) -> tuple[list[str], set[str]]:
    cited = [n for n in re.split(r",\s*(?:and\s+)?|\s+(?:and|и|&)\s+", names) if n]
    return cited, set().union(*(name_keys(n) for n in cited)) if cited else set()


@dataclass
class Item:
    """Something a note cites, found in its text; resolved in order of the notes."""

    citation: Citation
    """The citation as found (kind, span, locator; target or file when known without context)."""
    needs: str = ""
    """'' (complete), 'antecedent' (Ibid.), 'file' (a shelfmark below the fond), 'author' (Idem), 'unread'
    (what reads like a citation but was not recognised: nothing to link, no Ibid. may repeat past it)."""
    chain: shelfmark.Chain | None = None
    """The shelfmark printed with it (for 'file', or an Ibid. followed by one)."""
    doubt: str = ""
    """For what matched nothing: why (reported, and no Ibid. may repeat it)."""
    doubt_kind: str = "unresolved-citation"
    """The kind of doubt reported."""
    title: str = ""
    """For Idem: the title printed after it."""
    printed_in: bool = False
    """For 'in ibid.': it names the publication a document is printed in, so it repeats the publication
    cited before, never an archival file."""
    continues: Citation | None = None
    """For folios that could not be given to the file before them (another number stands between): that file,
    whose archive, fond and opis an Ibid. naming a delo of its own may still take."""
    within: bool = False
    """For a shelfmark in brackets after the pages of a publication ('…, 84–5 (TsA FSB, f. 3, …)'): the file
    of a document the publication prints, so a page after an Ibid. of it is the publication's, no folio."""

    @property
    def start(self) -> int:
        return self.citation.offset

    @property
    def end(self) -> int:
        return self.citation.offset + len(self.citation.printed)


def unlinked(text: str, start: int, end: int, why: str, kind: str = "unresolved-citation") -> Item:
    return Item(Citation("", "unresolved", start, text[start:end]), doubt=why, doubt_kind=kind)


@dataclass
class Outcome:
    """What linking reports besides the links: doubts, and damaged locators read by rule."""

    doubts: list[Doubt] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)


def doubt(outcome: "Outcome", note: Note, item: Item, detail: str, kind: str = "unresolved-citation") -> None:
    outcome.doubts.append(Doubt(kind, note.lines[0], detail, note=note.n, excerpt=item.citation.printed))
