"""Works an article without a bibliography cites in full in its notes.

Many history articles have no bibliography: the notes give each work in full the first time (author, title,
imprint: Chicago's notes style, MHRA, the Russian manner), then in short form, 'op. cit.' and 'Ibid.'. Here
the full citations are gathered, before any note is linked: the first full citation of each work becomes its
entry (authors, title, imprint read as a bibliography's entries are, marked with the note it is read from),
and every full citation of that work links to it. Later short forms then find it as they would find an entry
of a printed bibliography. A citation without an imprint or a journal's date ('David Glantz, *The Battle for
Leningrad*, 126') is no full citation: its work gets no entry, and the short forms of it stay unlinked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..bibentry import entry_key
from ..records import BibEntry, Edition, Note, Person
from ..textrules import CAPITAL, fold
from .items import LOCATOR_TEXT, PAGES, name_key
from .works import BOOK_DETAILS

PARTICLES = {"van", "von", "de", "der", "da", "du", "la", "le", "di"}
PERSON = (rf"(?:[{CAPITAL}][\w'’-]*(?:\.\s*|\s+)){{1,3}}(?:(?:{'|'.join(PARTICLES)})\s+)?"
          rf"[{CAPITAL}][\w'’-]*[\w’']")
"""A person in natural order, given names or initials first: 'Sheila Fitzpatrick', 'R. W. Davies', 'R.W.
Davies', 'Lubomyr Y. Luciuk', 'Jan van Ree'."""
PEOPLE = rf"{PERSON}(?:,\s+{PERSON})*(?:,?\s+(?:and|&)\s+{PERSON})?(?:,?\s+et\s+al\.)?"
LEAD = r"(?:(?:[Ss]ee(?:\s+also)?|[Cc]f\.|[Qq]uoted\s+in|[Aa]lso|[Ee]\.g\.,?)\s+)?"
QUOTED = r"“(?P<q1>[^”]+?)[,.]?”|‘(?P<q2>[^’]+?)[,.]?’(?!\w)|\"(?P<q3>[^\"]+?)[,.]?\""
IMPRINT = (rf"\s*\((?P<imprint>(?:[{CAPITAL}][^():;]*?(?::\s*[^():;]+?)?,\s*)?(?P<year>(?:1[5-9]|20)\d\d)[a-z]?"
           r"(?:\s*\[[^\]]*\])?)\)")
"""A book's imprint in brackets: its place and publisher, and its year: '(New York: Oxford University Press,
1999)', '(Moscow, 1940)', '(1934)'; never a date ('(29 March 1942)', '(dated March 6, 1993)')."""
BOOK = re.compile(rf"{LEAD}(?P<names>{PEOPLE})(?P<role>,\s*(?:eds?|comps?)\.?)?,\s+"
                  rf"(?:\*(?P<italic>[^*]+)\*|{QUOTED}|(?P<plain>[{CAPITAL}][^()*“”]{{1,200}}?))"
                  rf"(?P<details>{BOOK_DETAILS}){IMPRINT}")
"""A book or a chapter cited in full: authors in natural order, the title (in italics, in quotation marks, or
plain where a web copy lost the italics), editions, editors, translators and the book a chapter stands in,
the imprint with its year."""
TITLED_BOOK = re.compile(rf"{LEAD}\*(?P<italic>[^*]+)\*(?P<details>{BOOK_DETAILS}){IMPRINT}")
"""A book cited in full by its title alone, in italics: '*Stalin: k shestidesiatiletiiu* (Moscow: Pravda, 1940)'."""
ARTICLE = re.compile(rf"{LEAD}(?P<names>{PEOPLE}),\s+(?:{QUOTED}),?\s+(?P<journal>\*[^*]+\*|[{CAPITAL}][^()*,]{{2,80}}?)"
                     rf",?\s*(?P<volume>\d+)?(?:,?\s*no\.\s*(?P<issue>[\w–-]+))?\s*\((?P<date>[^()]*?"
                     rf"(?P<year>(?:1[5-9]|20)\d\d))\)")
"""An article cited in full: authors, the title in quotation marks, the journal with its volume, issue and
date: '“Snabzhenie …,” *Voenno-istoricheskii vestnik*, no. 7 (1968)', '‘Long Term …’, British Medical Journal
328 (3 January 2004)'."""
RUSSIAN = re.compile(rf"(?P<family>[{CAPITAL}][\w-]+)\s+(?P<given>(?:[{CAPITAL}]\.\s?){{1,2}})\s*"
                     rf"(?P<title>[{CAPITAL}«][^.]{{2,200}}?(?:\.\s+\d{{4}}[–-]\d{{4}}\s*(?:гг)?)?)"
                     rf"\.\s*(?P<place>[{CAPITAL}][\w-]*\.?)(?::\s*(?P<publisher>[^.,;]+))?,\s*(?P<year>\d{{4}})")
"""A book in the Russian manner: 'Иванова Н.С. Крестьянство и власть. Л., 1971', '… М.: Наука, 1975'."""
PAGE_AFTER = re.compile(rf"^(?:[:,]\s*(?P<loc>(?:pp?\.\s*)?{LOCATOR_TEXT})(?!\w)|\.\s*(?P<ru>[СсPp]\.\s*{PAGES}))")
SHELFMARK = re.compile(r"(?<!\w)(?:[Ff]|[Oo]p|[Dd]|[Ll]l?)\.\s*\d")
STARTS = re.compile(r"^|(?<=[;(])\s*|(?<=:)\s+|(?<=[\w)”’\"]{2}[.])\s+(?=\S)"
                    r"|(?<=\s)(?=(?:[Ss]ee(?:\s+also)?|[Cc]f\.|[Qq]uoted\s+in)\s)")
"""Where a citation may begin: the note's start, after a semicolon, an opening bracket or a colon, after a
sentence (not after an initial: 'and S. H. Vodotyka'), at 'see', 'cf.' or 'quoted in' within a sentence
('On the remount service, see Nina …')."""
NOT_NAMES = re.compile(r"\b(?:Archives?|Institution|Institute|Library|Collection|Papers|Museum|University|Committee|"
                       r"Ministry|Society|Foundation|Academy|Cent(?:er|re)|Department|Office|Council|Party)\b")
"""Words of an institution, never of a person's name ('Hoover Institution Archives, …')."""


@dataclass
class FullCitation:
    """A work cited in full in a note."""

    note: int
    """The note."""
    start: int
    """Where the citation starts in the note's text (after 'See', 'Cf.' …)."""
    end: int
    """Where it ends (after the place cited)."""
    locator: str
    """The place cited, as printed."""
    entry: BibEntry
    """The work's entry: made from the first full citation of it."""


def gather(edition: Edition) -> list[FullCitation]:
    """Every full citation in the notes, each with its work's entry (one entry a work, read from its first
    full citation); for an article that prints no bibliography of works (resolve asks only for those)."""
    keys = {e.key for e in edition.bibliography}
    works: dict[tuple, BibEntry] = {}
    out = []
    for note in edition.notes:
        for found in _full_citations(note):
            same = works.setdefault(_identity(found.entry), found.entry)
            if same is found.entry:
                same.key = entry_key(same, keys)
            found.entry = same
            out.append(found)
    return out


def _identity(entry: BibEntry) -> tuple:
    """What makes two full citations one work: the authors' family names and the title's words."""
    return (tuple(name_key(p.family) for p in entry.authors),
            tuple(re.findall(r"[a-z0-9]+", fold(entry.title.replace("*", "")))))


def _full_citations(note: Note) -> list[FullCitation]:
    text = note.text
    out: list[FullCitation] = []
    for start in STARTS.finditer(text):
        at = start.end()
        if out and at < out[-1].end:
            continue
        for read in (_book, _article, _russian):
            found = read(text, at, note)
            if found:
                out.append(found)
                break
    return out


def _entry(note: Note, printed: str, **fields) -> BibEntry:
    return BibEntry(key="", raw=printed, line=note.lines[0] if note.lines else 0, note=note.n, **fields)


def _after(text: str, end: int) -> tuple[int, str]:
    m = PAGE_AFTER.match(text[end:])
    return (end + m.end(), (m.group("loc") or m.group("ru")).strip()) if m else (end, "")


def _book(text: str, at: int, note: Note) -> FullCitation | None:
    m = BOOK.match(text, at) or TITLED_BOOK.match(text, at)
    if not m:
        return None
    title = m.group("italic") or next((m.group(g) for g in ("q1", "q2", "q3") if m.groupdict().get(g)), None) \
        or m.group("plain")
    if (not title or re.search(r",\s*(?:(?:pp?|vols?)\.\s*)?\d+$|,\s*(?:pp?|vols?)\.\s*\d", title)
            or SHELFMARK.search(m.group("imprint")) or NOT_NAMES.search(m.groupdict().get("names") or "")):
        return None  # '…, Stalin i VChK, 602–3 (APRF, f. 3, …, 1935)': a page and a shelfmark, no title and imprint
    details = m.group("details") or ""
    chapter = re.search(r"\bin\s+(?:\*(?P<i>[^*]+)\*|“(?P<q>[^”]+)”)", details)
    editors = re.search(r",\s*eds?\.\s+(?:by\s+)?(?P<eds>[^,()]+)", details)
    place, publisher = _imprint(m.group("imprint"))
    names = m.groupdict().get("names") or ""
    start = m.start("names") if names else m.start("italic") - 1
    entry = _entry(note, text[start:m.end()],
                   type="chapter" if chapter else "book", authors=_people(names),
                   role="editor" if m.groupdict().get("role") else "author", year=m.group("year"),
                   title=title.strip(), place=place, publisher=publisher,
                   container=(chapter.group("i") or chapter.group("q")).strip(" ,") if chapter else "",
                   container_editors=editors.group("eds").strip() if editors and chapter else "")
    end, locator = _after(text, m.end())
    return FullCitation(note.n, start, end, locator, entry)


def _article(text: str, at: int, note: Note) -> FullCitation | None:
    m = ARTICLE.match(text, at)
    if not m or NOT_NAMES.search(m.group("names")):
        return None
    title = next(m.group(g) for g in ("q1", "q2", "q3") if m.group(g))
    entry = _entry(note, text[m.start("names"):m.end()], type="article-journal", authors=_people(m.group("names")),
                   role="author", year=m.group("year"), title=title.strip(),
                   container=m.group("journal").strip(" ,*"), volume=m.group("volume") or "",
                   issue=m.group("issue") or "")
    end, locator = _after(text, m.end())
    return FullCitation(note.n, m.start("names"), end, locator, entry)


def _russian(text: str, at: int, note: Note) -> FullCitation | None:
    m = RUSSIAN.match(text, at)
    if not m:
        return None
    entry = _entry(note, text[m.start():m.end()], type="book", authors=[Person(m.group("family"),
                   m.group("given").strip())], role="author", year=m.group("year"), title=m.group("title").strip(),
                   place=m.group("place"), publisher=(m.group("publisher") or "").strip())
    end, locator = _after(text, m.end())
    return FullCitation(note.n, m.start(), end, locator, entry)


def _imprint(imprint: str) -> tuple[str, str]:
    """(place, publisher) of 'Place: Publisher, Year' or 'Place, Year'."""
    m = re.match(r"(?:.*?;\s*)?(?P<place>[^:;]+?):\s*(?P<publisher>[^:;]+?),\s*(?:1[5-9]|20)\d\d", imprint)
    if m:
        return m.group("place").strip(), m.group("publisher").strip()
    m = re.match(r"(?P<place>[^,:;\d][^,:;]*?),\s*(?:1[5-9]|20)\d\d", imprint)
    return (m.group("place").strip(), "") if m else ("", "")


def _people(names: str) -> list[Person]:
    """'Lubomyr Y. Luciuk', 'Cynthia Simmons and Nina Perlina', 'Par Sparen et al.' as people, family name last."""
    names = re.sub(r",?\s+et\s+al\.$", "", names.strip())
    out = []
    for name in re.split(r",\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+", names):
        words = name.split()
        if not words:
            continue
        family = len(words) - 1
        while family > 1 and words[family - 1] in PARTICLES:
            family -= 1  # 'Jan van Ree': van Ree
        out.append(Person(" ".join(words[family:]), " ".join(words[:family])))
    return out
