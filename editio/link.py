"""Link: every source a note cites, resolved against the tables built first.

Gather first (the bibliography's titles and names, the archives the notes define or name),
then find in each note what it cites: archival shelfmarks, 'Ibid.', periodicals with dates,
works (a title of the bibliography, whole or short, quoted, italic or plain, with or without
its author's name; 'op. cit.'; 'Idem'), and cross-references to other notes. Then read the
notes in order: 'Ibid.' repeats its antecedent (the citation before it in the note, or else the
last of the note before), and a shelfmark that starts below the fond continues the file before
it. What looks like a citation and matches nothing is reported, never forced, and stands as an
antecedent that cannot be repeated: an 'Ibid.' after it is reported too, never linked to an
older citation.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from . import shelfmark
from .corrections import apply_citations, suggest
from .problems import EditionError
from .records import ArchivalRef, BibEntry, Citation, Doubt, Edition, Note, Repair
from .textrules import CAPITAL, MONTHS, WORD, fold

STOPWORDS = set("a an the of and in on for to at by with from i v na o ob s k".split())
ARTICLES = set("a an the le la les l un une der die das el il".split())
OPENERS = "'‘\"“*«"
CLOSERS = "'’\"”*»"
PAIRS = {"'": "'", "‘": "’", '"': '"', "“": "”", "*": "*", "«": "»"}
DELIMITERS = ",;.:?!)" + CLOSERS
NAME = rf"(?:(?:van|von|de|der|da)\s)?[{CAPITAL}][\w'’-]*\w"
NAMES = rf"{NAME}(?:\s{NAME})?(?:,\s*(?:and\s+)?{NAME})*(?:,?\s+(?:and|и|&)\s+{NAME})?(?:\s+et\s+al\.)?"
NAMES_BEFORE = re.compile(rf"(?P<names>{NAMES})(?:,\s*eds?\.?)?(?:,\s*|['’]s\s+(?:\w+\s+){{0,8}}?)$"
                          rf"|(?P<ru>{NAME})\s+(?:[{CAPITAL}]\.\s?){{1,2}}$")
"""The authors just before a title: 'Carr, ', 'Davies and Harris, eds., ', 'Kirov's letter to …', or in the
Russian manner, surname and initials: 'Иванова Н.С. '."""
TITLE = r"\*[^*]+\*|'[^']+'|‘[^’]+’|\"[^\"]+\"|“[^”]+”|«[^»]+»"
AUTHOR_LED = re.compile(rf"(?P<names>{NAMES})(?:,\s*eds?\.?)?,\s*(?:(?P<opcit>op\.\s*cit\.)|(?P<title>{TITLE}))"
                        rf"|(?P<ru>{NAME})\s+(?:[{CAPITAL}]\.\s?){{1,2}}\s*(?P<ukaz>Указ\.\s*соч)(?=\.)")
"""'Smith, op. cit.', 'Smith, *Short Title*', and in the Russian manner 'Ильин В.Т. Указ. соч.' (op. cit.)."""
IDEM = re.compile(rf"(?<!\w)(?P<idem>Idem|Eadem|Он же|Она же)\.?,\s*(?P<title>{TITLE}|[{CAPITAL}][^,.;]*)")
DATES = (r"(?P<dates>(?:\d{1,2},\s*)*(?:\d{1,2}\s+and\s+)?\d{1,2}(?:\s*[–-]\s*\d{1,2})?\s+(?:"
         + "|".join(m.capitalize() for m in MONTHS[:12]) + r")\s+\d{4}"
         r"|(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:1[6-9]|20)\d\d)(?!\d)")
"""The date of an issue: '3, 5 and 9 March 1927', '22.01.1928'."""
PAGES = r"\d+(?:\s*[–−-]\s*\d+)?(?:(?:,\s*|\s+and\s+)\d+(?:\s*[–−-]\s*\d+)?)*"
_LOC_WORD = r"(?:vols?|pp?|ch|chap|no|nos|docs?|pt|bk|t|С|с|Т|т)\."
LOCATOR_TEXT = (rf"(?:{_LOC_WORD}\s*[\dIVXLCivxlc]+[a-z]?(?:\s*[–−-]\s*\d+)?(?:,\s*(?:{_LOC_WORD}\s*)?{PAGES})*"
                rf"|{PAGES}(?:\s*n\.\s*\d+)?|passim|introduction|preface|conclusion|part\s+\d+)(?:,?\s+(?:and\s+)?passim)?")
RU_IMPRINT = rf"\.\s*[{CAPITAL}][\w-]*\.?(?::\s*[^.,;]+)?,\s*\d{{4}}"
"""An imprint in the Russian manner after a title: '. Л., 1971', '. М.: Наука, 1975'."""
_PERSONS = rf"[{CAPITAL}][\w.'’-]*(?:\s+(?:and\s+)?[{CAPITAL}][\w.'’-]*)*"
HEREAFTER = r"\((?:hereafter|henceforth|hereinafter)\s+(?:cited\s+as\s+)?(?P<alias>\*[^*()]+\*|[^()*]{2,40})\)"
"""The short form a note defines for a work: '*Dokumenty vneshnei politiki SSSR* (hereafter *DVP SSSR*)'."""
BOOK_DETAILS = (r"(?:\s*\[[^\]]*\]"  # a translated title: '[The Bread Front]'
                r"|\s*\((?:hereafter|henceforth|hereinafter)\b[^()]*\)"  # the short form it defines
                r"|,?\s+in\s+(?:\*[^*]+\*|“[^”]+”)"  # the book a chapter stands in
                r"|,\s*(?:\d+(?:st|nd|rd|th)\s+(?:rev\.\s+)?|rev\.\s+)ed\."  # the edition
                rf"|,\s*(?:eds?|trans|tr|comp)\.\s+(?:by\s+)?{_PERSONS}"  # editors, translators
                r"|,\s*\d+\s+vols\.?)*")
"""What may stand between a title and its imprint: '[translation]', ', in *Book*', ', 2nd ed.', ', ed. V. K.
Ostrovskii', ', trans. Judith Crane', ', 3 vols'."""
LOCATOR = re.compile(rf"^{BOOK_DETAILS}(?:,\s*(?:1[5-9]|20)\d\d(?:\s*[–-]\s*\d{{2,4}})?(?={RU_IMPRINT}))?"
                     rf"(?:\s*\([^()]*\d{{4}}\)|{RU_IMPRINT})?"
                     rf"(?:,\s*(?P<loc>{LOCATOR_TEXT})(?!\w)"
                     rf"|\.\s*(?P<page>(?:[СсPp]|pp)\.\s*{PAGES})"
                     rf"|,?\s*\*[^*]+\*(?:\s+\d+)?(?:,\s*no\.\s*\d+)?\s*\([^()]*\d{{4}}\):\s*(?P<art>{PAGES})"
                     rf"|,\s*\*[^*]+\*,\s*\d+(?:\.\d+)?\s*\([^()]*\d{{4}}\),\s*{PAGES}(?!\w)"
                     rf"|\s*//\s*[^/]+?\.\s*\d{{4}}\.\s*(?:№|[Nn]o\.?|[Вв]ып\.)\s*\d+\.\s*(?P<ruart>[СсPp]\.\s*{PAGES}))"
                     rf"(?:\s*\((?P<cited>pp?\.\s*{PAGES})\))?")
"""The place cited after a title: its page or volume after the imprint (the title's own years before a
Russian imprint skipped: '…, 1929–1933. М., 2004. С. 88'); for an article, the page after the journal's
issue ('*Journal*, no. 7 (1968): 90', '… // Отечественная история. 1997. № 4. С. 61'); MHRA's cited page in brackets after the extent of an
article or chapter ('*Journal*, 6 (1993), 33–58 (p. 40)', '…, pp. 113–39 (p. 121)'); an MHRA article
without one is cited whole."""
IBID = re.compile(r"(?<![\w*])\*?(?:[Ii]bid(?:em)?\b\.?|Там\s+же\b\.?)\*?")
"""'Ibid.', 'ibid.', 'Ibidem', '*Ibid.*' (in italics, its locator after the closing mark), 'Там же'."""
IBID_LOCATOR = re.compile(rf"^[,.]?\s*(?:{DATES}|(?P<loc>{LOCATOR_TEXT}))(?![\w.]*\d)")
PERIODICAL = re.compile(r"(?P<name>\*[^*]+\*|[A-Z][\w'’]+(?:\s[A-Za-z][\w'’]+){0,2})"
                        r"(?:\s*\([^()]{1,40}\))?,\s*(?:no\.\s*\d+,\s*)?"  # the place of printing: '(Tsaritsyn)'
                        + DATES)
YEAR = r"(?:1[5-9]|20)\d\d[a-z]?(?![\w–-])"
AUTHOR_DATE = re.compile(rf"(?<![\w.,])(?P<names>{NAMES})\s+(?P<open>\()?(?P<year>{YEAR})"
                         rf"(?:(?:,|:)\s*(?P<loc>{LOCATOR_TEXT})(?!\w))?"
                         rf"(?(open)\))")
"""An author-date citation: 'Davies 1989, p. 45', 'Davies (1989: 45)', 'Davies and Harris 2003, 88'."""
XREF = re.compile(r"(?<!\w)(?:(?:[Ss]ee|[Cc]f\.)\s+(?:also\s+)?(?:(?:above|below),?\s+)?(?P<a>(?:notes?|nn?\.)\s+(?P<nums>\d+(?:\s*(?:,|and|&)\s*\d+)*))"
                  r"(?:\s+(?:above|below))?"
                  r"|(?P<b>(?:[Nn]otes?|nn?\.)\s+(?P<nums2>\d+(?:\s*(?:,|and|&)\s*\d+)*))\s+(?:above|below))")
CITATION_SHAPE = re.compile(rf"(?P<names>{NAME}(?:,\s*(?:and\s+)?{NAME})*),\s*(?P<title>{TITLE})"
                            rf"|(?<![\w*])(?P<italic>\*[^*]+\*)(?:,\s*\d|\s*\([^()]*\d{{4}}\))")


@functools.lru_cache(maxsize=None)
def name_key(text: str) -> str:
    """A name or word as compared across transliterations and scripts: ASCII, no soft signs, no
    doubled letters, -y/-ij/-iy endings as -i (Trotsky = Trotskii = Троцкий); possessive dropped."""
    s = re.sub(r"[^a-z]", "", fold(re.sub(r"['’]s$", "", text)))
    s = re.sub(r"(.)\1+", r"\1", s)
    return re.sub(r"(?:iy|ij|y|ii)$", "i", s)


# --- the tables --------------------------------------------------------------

@dataclass
class _Work:
    entry: BibEntry
    tokens: list[str]
    """The title's words as name keys."""
    short: list[str]
    """The same without a leading article (short titles drop it: *Kirov Murder*)."""
    names: set[str]
    defined_in: int = 0
    """For a short form a note defines ('(hereafter *DVP SSSR*)'): that note; its tokens are the short form's."""


class _Index:
    """The bibliography as the resolver looks it up: by the first word of each title, by names."""

    def __init__(self, entries: list[BibEntry]):
        self.works = []
        for e in entries:
            if e.type in ("archive", "periodical"):
                continue  # a list of archives or newspapers names no work
            tokens = [name_key(w) for w in WORD.findall(e.title)]
            words = WORD.findall(e.title)
            short = tokens[1:] if len(words) > 1 and words[0].lower() in ARTICLES else tokens
            self.works.append(_Work(e, tokens, short, {k for p in e.authors for k in _name_keys(p.family)}))
        self.by_first: dict[str, list[_Work]] = {}
        for w in self.works:
            for first in {t[0] for t in (w.tokens, w.short) if t}:
                self.by_first.setdefault(first, []).append(w)
        self.names = set().union(*(w.names for w in self.works)) if self.works else set()

    def define(self, target: str, alias: str, note: int) -> None:
        """A short form defined in a note for the work target, read in the notes after it."""
        work = next((w for w in self.works if w.entry.key == target), None)
        tokens = [name_key(w) for w in WORD.findall(alias)]
        if work is None or not tokens or any(w.tokens == tokens for w in self.works):
            return
        alias_work = _Work(work.entry, tokens, tokens, work.names, defined_in=note)
        self.works.append(alias_work)
        self.by_first.setdefault(tokens[0], []).append(alias_work)

    def by_names(self, keys: set[str]) -> list[_Work]:
        return [w for w in self.works if keys & w.names and not w.defined_in]


def _name_keys(name: str) -> set[str]:
    """Keys under which a printed name may match: the whole, and each of its words ('van Ree')."""
    words = name.replace(" et al.", "").split()
    return {name_key(name.replace(" et al.", ""))} | {name_key(w) for w in words if len(w) > 2}


def _cited_keys(names: str) -> tuple[list[str], set[str]]:
    cited = [n for n in re.split(r",\s*(?:and\s+)?|\s+(?:and|и|&)\s+", names) if n]
    return cited, set().union(*(_name_keys(n) for n in cited)) if cited else set()


def known_archives(edition: Edition) -> list[str]:
    """Archives the bibliography lists ('… (GAAK), Barnaul'), the notes define ('(hereafter GARF)') or name
    before a fond."""
    found: dict[str, None] = {}
    for entry in edition.bibliography:
        abbr = re.search(r"\(([^()]+)\)", entry.title) if entry.type == "archive" else None
        if abbr:
            found.setdefault(abbr.group(1))
    for note in edition.notes:
        for abbr in shelfmark.definitions(note.text):
            found.setdefault(abbr)
        for chain in shelfmark.chains(note.text):
            if chain.top == "fond":
                name = shelfmark.archive_before(note.text, chain.start, [])
                if name:
                    found.setdefault(name.abbreviation)
    return list(found)


# --- finding -----------------------------------------------------------------

@dataclass
class _Item:
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

    @property
    def start(self) -> int:
        return self.citation.offset

    @property
    def end(self) -> int:
        return self.citation.offset + len(self.citation.printed)


def _span(text: str, start: int, end: int) -> tuple[int, str]:
    return start, text[start:end].rstrip(" ,;")


def _find_ibids(note: Note) -> list[_Item]:
    out = []
    text = note.text
    for m in IBID.finditer(text):
        sep = re.match(r"[,.]?\s*", text[m.end():])
        chain = shelfmark.chain_at(text, m.end() + sep.end(), ocr_first=True)
        if chain is not None:
            out.append(_Item(Citation("", "ibid", m.start(), text[m.start():chain.end],
                                      locator=text[chain.start:chain.end]), "antecedent", chain))
            continue
        loc = IBID_LOCATOR.match(text[m.end():])
        rest = text[m.end() + (loc.end() if loc else 0):]
        unread = re.match(r"[,.]?\s*([^;]*?\d[^;]*?)(?:;|\.(?=\s+[" + CAPITAL + r"])|\.?$)", rest)
        if unread and not re.match(r"\.?\s+[" + CAPITAL + "]", rest) and not (loc and loc.group(0).strip(",. ")):
            # 'Ibid., Bl. 9–11': a locator the resolver cannot read; which source it repeats is not certain
            end = m.end() + len(rest) - len(rest[unread.end(1):])
            out.append(_unlinked(text, m.start(), end, f"'{text[m.start():end]}': what follows Ibid. is no "
                                 "locator the resolver reads, so what it repeats is left open"))
            continue
        printed = text[m.start():m.end() + (loc.end() if loc and loc.group(0).strip(",. ") else 0)]
        out.append(_Item(Citation("", "ibid", m.start(), printed.rstrip(" ,"),
                                  locator=(loc.group("loc") or "").strip() if loc else "",
                                  dates=(loc.group("dates") or "") if loc else ""), "antecedent"))
    return out


def _find_archival(note: Note, known: list[str], taken: list[_Item]) -> list[_Item]:
    out = []
    text = note.text
    for chain in shelfmark.chains(text):
        if any(i.start <= chain.start < i.end for i in taken):
            continue
        name = shelfmark.archive_before(text, chain.start, known) if chain.top == "fond" else None
        if name is None and len(chain.elements) == 1 and chain.top == "fond":
            continue  # 'f. 218' alone, no archive before it: a folio in the British manner, no fond
        if name is None:
            out.append(_Item(Citation("", "archive", chain.start, text[chain.start:chain.end]), "file", chain))
            continue
        ref = ArchivalRef(name.abbreviation, *_levels(chain))
        how = "spelled out, with the abbreviation it defines" if name.defined else "abbreviated shelfmark"
        out.append(_Item(Citation("", "archive", name.start, text[name.start:chain.end], locator=ref.listy,
                                  archive=ref, confidence="high", evidence=f"archival reference ({how})"),
                         chain=chain))
    return out


def _levels(chain: shelfmark.Chain, base: ArchivalRef | None = None) -> tuple[str, str, str, str]:
    """(fond, opis, delo, listy): those the chain prints, the levels above it from base."""
    values = {e.level: e.value for e in chain.elements}
    top = shelfmark.LEVELS.index(chain.top)
    out = []
    for i, level in enumerate(shelfmark.LEVELS):
        if level in values:
            value = values[level]
        elif i < top and base is not None:
            value = getattr(base, level)
        else:
            value = ""
        out.append(shelfmark.normal(value) if level != "listy" else value)
    return tuple(out)


RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
RU_PERIODICAL = re.compile(rf"(?<![\w.])(?P<name>[{CAPITAL}][\w-]+(?:\s[\w-]+){{0,2}})\.\s*"
                           rf"(?P<dates>(?:1[7-9]|20)\d\d\.\s*(?:№\s*\d+\.\s*)?\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?"
                           rf"\s+(?:{'|'.join(RU_MONTHS)}))")
"""A newspaper in the Russian manner: 'Правда. 1929. 7 ноября.', 'Курская правда. 1930. № 84. 12 апреля.'"""
PLAIN_PERIODICAL_BEFORE = re.compile(r"(?:^|[;.:]\s+|(?<!\w)(?:[Ss]ee|[Ii]n|[Aa]lso|and|[Cc]f\.|e\.g\.|example,?)\s+)$")
"""Where a periodical's title not in italics may begin: the note's or a clause's start, or after 'see', 'in'."""


def _find_periodicals(note: Note, index: _Index, taken: list[_Item]) -> list[_Item]:
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
        out.append(_Item(Citation("", "periodical", m.start(), m.group(0), periodical=name, dates=m.group("dates"),
                                  confidence="high", evidence="a title followed by the date of an issue")))
    for m in RU_PERIODICAL.finditer(note.text):
        if name_key(m.group("name").split()[0]) not in index.names:
            out.append(_Item(Citation("", "periodical", m.start(), m.group(0), periodical=m.group("name"),
                                      dates=m.group("dates"), confidence="high",
                                      evidence="a title followed by the year and day of an issue")))
    return out


def _find_xrefs(note: Note, count: int) -> list[_Item]:
    out = []
    for m in XREF.finditer(note.text):
        group = "a" if m.group("a") else "b"
        nums = m.group("nums" if group == "a" else "nums2")
        first = True
        for d in re.finditer(r"\d+", nums):
            n = int(d.group(0))
            start = m.start(group) if first else m.start(group) + (m.group(group).find(nums)) + d.start()
            end = m.start(group) + m.group(group).find(nums) + d.end()
            first = False
            if 1 <= n <= count and n != note.n:
                out.append(_Item(Citation("", "xref", start, note.text[start:end], to_note=n, confidence="high",
                                          evidence=f"cross-reference to note {n}")))
    return out


def _find_works(note: Note, index: _Index) -> list[_Item]:
    """Titles of the bibliography standing in the note as a title would, whole or short."""
    text = note.text
    words = list(WORD.finditer(text))
    keys = [name_key(w.group(0)) for w in words]
    found: list[_Item] = []
    i = 0
    while i < len(words):
        best_k, best = 0, []
        for work in index.by_first.get(keys[i], []):
            k = max(_prefix(keys, i, t) for t in (work.tokens, work.short))
            if k > best_k:
                best_k, best = k, [work]
            elif k == best_k and k:
                best.append(work)
        mention = _mention(text, words, i, best_k) if best_k else None
        item = _resolve_title(note, mention, best_k, best, index) if mention else None
        if item is None:
            i += 1
            continue
        found.append(item)
        i += best_k
    return found


def _prefix(keys: list[str], i: int, tokens: list[str]) -> int:
    k = 0
    while i + k < len(keys) and k < len(tokens) and keys[i + k] == tokens[k]:
        k += 1
    return k


def _mention(text: str, words: list, i: int, k: int):
    """(start, end, quoted) when words i..i+k stand in the text as a title would, else None."""
    if all(fold(w.group(0)) in STOPWORDS for w in words[i:i + k]):
        return None
    start, end = words[i].start(), words[i + k - 1].end()
    # A title's own closing bracket belongs to it: 'XIV S"ezd VKP (b)'.
    if text[end:end + 1] == ")" and text.count("(", start, end) > text.count(")", start, end):
        end += 1
    after = text[end:end + 1]
    if after and after not in DELIMITERS and not after.isspace():
        return None
    # Quoted or in italics, an article before the words allowed ('*The Red Army*' cited as Red Army); what
    # follows the words to the close may be figures and punctuation ('*…, 1918–1921*', '“…,” 150').
    opened = re.search(rf"([{OPENERS}])(?:(?:{'|'.join(ARTICLES)})\s+)?$", text[:start], re.IGNORECASE)
    quoted = opened is not None
    if quoted:
        close = text.find(PAIRS[opened.group(1)], end)
        if close < 0 or re.search(r"[^\W\d_]|\n", text[end:close]):
            if text[end:end + 1] not in CLOSERS:
                return None  # a quotation that goes on past the title's words is not that title
            close = end  # its own mark lost, a quotation inside it closes it: 'The "Lenin Levy"'
        start, end = opened.start(), close + 1
    else:
        if not words[i].group(0)[:1].isupper():
            return None
        # Inside a title (plain), the next word must not carry the phrase on: 'Napoleon returned'.
        if after.isspace() or not after:
            rest = text[end:].lstrip()
            if rest and not re.match(r"(?:for|and|see|seems|//|$)", rest):
                return None
    while end < len(text) and (text[end] in CLOSERS or text[end] in "?!" and text[end - 1] not in CLOSERS):
        end += 1
    return start, end, quoted


def _locator_after(text: str, title: str = "") -> tuple[int, str]:
    """(length, locator as printed) of the locator after a title, an imprint skipped; (0, '') if none.
    A title whose quotation mark closes after the comma ('“Voroshilov’s Army,” 150') lends it the comma."""
    lead = "," if re.search(rf",[{CLOSERS}]+$", title) else ""
    m = LOCATOR.match(lead + text)
    if not m:
        return 0, ""
    found = m.group("cited") or m.group("loc") or m.group("page") or m.group("art") or m.group("ruart")
    return m.end() - len(lead), (found or "").strip()


def _resolve_title(note, mention, k, candidates, index) -> _Item | None:
    text = note.text
    start, end, quoted = mention
    after = text[end:]
    if re.match(r"^,\s*['‘\"“*«]", after) and not quoted:
        return None  # 'Tolstoy, *Sobranie ...*': the word is an author's name, not a short title
    names_m = NAMES_BEFORE.search(text[max(0, start - 120):start])
    names = (names_m.group("names") or names_m.group("ru")) if names_m else ""
    cited, cited_keys = _cited_keys(names) if names else ([], set())
    loc_end, locator = _locator_after(after, text[start:end])
    imprint = bool(re.match(RU_IMPRINT, after))
    if not quoted and not cited and not locator and not imprint:
        return None  # a capitalised phrase with no sign of being a citation
    if not quoted and k == 1 and not locator and not any(cited_keys & c.names for c in candidates):
        return None
    if (quoted and text[start] != "*" and not cited and not locator and not imprint
            and all(k < len(c.short) for c in candidates)):
        return None  # a phrase in quotation marks that only begins a title: prose ('the 'socialist offensive'')
    span_start = start
    if names_m:
        # The link starts at the first name that is an author of the bibliography ('See Smith, ...').
        names_at = start - len(names_m.group(0))
        known = [m for m in re.finditer(NAME, names) if _name_keys(m.group(0)) & index.names]
        if known:
            span_start = names_at + known[0].start()
    printed = text[span_start:end + loc_end]
    by_author = [c for c in candidates if cited_keys & c.names]
    earlier = [c for c in candidates if any(name_key(w) in c.names for w in WORD.findall(text[:start]))]
    title = text[start:end]
    if len(by_author) == 1:
        work, confidence = by_author[0], "high"
        evidence = f"author {cited[0]} and title {title}"
    elif len(candidates) == 1 and candidates[0].defined_in:
        work, confidence = candidates[0], "high"
        evidence = f"{title}, the short form note {work.defined_in} defines for this work"
    elif len(candidates) == 1:
        work = candidates[0]
        if cited and not cited_keys & work.names:
            if index.by_names(cited_keys) and not re.search(r"\bin\s*$", text[:start]):
                return _unlinked(text, span_start, end, f"'{printed}': {title} is a title of "
                                 f"{_authors(work)}, not of {cited[0]}, whose works in the references "
                                 f"have no such title")
            confidence = "medium"
            evidence = (f"title {title} matches; {cited[0]} is not among the entry's authors "
                        f"(cited by title or through another person)")
        elif earlier:
            confidence, evidence = "high", f"title {title}, its author named earlier in the note"
        elif not work.entry.authors:
            confidence, evidence = "high", f"title {title} of an entry without an author, cited by its title"
        else:
            confidence, evidence = "medium", f"title {title} matches one entry only"
    elif len(earlier) == 1:
        work, confidence = earlier[0], "medium"
        evidence = f"title {title} fits {len(candidates)} entries; the author named earlier decides"
    else:
        return _unlinked(text, span_start, end, f"{title} fits {len(candidates)} entries "
                         f"({', '.join(c.entry.key for c in candidates)}) and nothing decides between them")
    return _Item(Citation("", "work", span_start, printed, target=work.entry.key, locator=locator,
                          confidence=confidence, evidence=evidence))


def _authors(work: _Work) -> str:
    return " and ".join(p.family for p in work.entry.authors) or "no author"


def _unlinked(text: str, start: int, end: int, why: str, kind: str = "unresolved-citation") -> _Item:
    return _Item(Citation("", "unresolved", start, text[start:end]), doubt=why, doubt_kind=kind)


def _find_author_led(note: Note, index: _Index, taken: list[_Item]) -> list[_Item]:
    """'Smith, op. cit., 45', 'Idem, *Title*' and 'Smith, *Short*' whose words stand in one of Smith's
    titles though not at its start: decided by the author's works alone."""
    text = note.text
    out = []
    for m in AUTHOR_LED.finditer(text):
        if any(i.start < m.end() and m.start() < i.end for i in taken + out):
            continue
        names = m.group("names") or m.group("ru")
        cited, keys = _cited_keys(names)
        works = index.by_names(keys)
        first = next((x for x in re.finditer(NAME, names) if _name_keys(x.group(0)) & index.names), None)
        if not works or first is None:
            continue
        start = m.start() + first.start()
        loc_end, locator = _locator_after(text[m.end():], m.group(0))
        end = m.end() + loc_end
        if m.group("opcit") or m.group("ukaz"):
            if len(works) == 1:
                out.append(_Item(Citation("", "work", start, text[start:end], target=works[0].entry.key,
                                          locator=locator, confidence="high",
                                          evidence=f"op. cit.: the only work of {cited[0]} in the references")))
            else:
                out.append(_unlinked(text, start, end, f"'{text[start:end]}': op. cit. of {cited[0]}, who has "
                                     f"{len(works)} works in the references; which one is not said"))
            continue
        item = _by_short_title(text, start, end, m.group("title"), works, locator, f"author {cited[0]}")
        if item is not None:
            out.append(item)
    return out


def _find_author_date(note: Note, index: _Index) -> list[_Item]:
    """'Davies 1989, p. 45': the one work of those authors from that year. A year fitting none or several
    of a known author's works is reported; an unknown name is reported only with a page after it, since
    'Moscow 1921' in prose is no citation."""
    text = note.text
    out = []
    for m in AUTHOR_DATE.finditer(text):
        names, year = m.group("names"), m.group("year")
        lead = re.match(r"(?:(?:See|Also|Compare|In|On|And|But|For|By)\s+)*", names).end()
        start, names = m.start() + lead, names[lead:]  # prose before the name: 'See Lewin 1985'
        paged = bool(m.group("loc")) and not re.fullmatch(YEAR, m.group("loc"))
        cited, keys = _cited_keys(names)
        works = index.by_names(keys)
        month = fold(names.split()[0]) in MONTHS
        if month and not (paged and works) or re.search(r"\d\s*$", text[:m.start()]):
            continue  # a date: '12 May 1989', 'in May 1989' (but 'May 1986, p. 4' cites an author May)
        if not works:
            if paged:
                out.append(_unlinked(text, start, m.end(), f"'{text[start:m.end()]}' looks like an author-date "
                                     f"citation but {cited[0]} is no author of the references"))
            continue
        fits = _dated(works, year, cited, names)
        loc = m.group("loc") or ""
        more = _dated(works, loc, cited, names) if re.fullmatch(YEAR, loc) else []
        end = text.rfind(year, start, m.end()) + len(year) if more else m.end()
        if len(fits) == 1:
            out.append(_Item(Citation("", "work", start, text[start:end], target=fits[0].entry.key,
                                      locator="" if more else loc, confidence="high",
                                      evidence=f"author {cited[0]} and year {year}")))
        else:
            what = "no work" if not fits else f"{len(fits)} works ({', '.join(w.entry.key for w in fits)})"
            out.append(_unlinked(text, start, end, f"'{text[start:end]}': the references hold {what} "
                                 f"of {cited[0]} from {year}"))
        if len(more) == 1:  # 'Davies 1989, 1994': a second work of the same author
            out.append(_Item(Citation("", "work", m.start("loc"), loc, target=more[0].entry.key,
                                      confidence="high", evidence=f"author {cited[0]} and year {loc}")))
    return out


def _dated(works: list[_Work], year: str, cited: list[str], names: str) -> list[_Work]:
    """The works of year among works; several authors' works told apart by how many authors they have."""
    fits = [w for w in works if w.entry.year == year]
    if not fits and year[-1].isdigit():
        fits = [w for w in works if w.entry.year.rstrip("abcdefgh") == year]
    if len(fits) > 1:
        many = "et al." in names
        fits = [w for w in fits if len(w.entry.authors) == len(cited) or many and len(w.entry.authors) > 2]
    return fits


def _find_idem(note: Note) -> list[_Item]:
    """'Idem, *Title*, 12': a title of the author cited just before (resolved in order of the notes)."""
    out = []
    for m in IDEM.finditer(note.text):
        loc_end, locator = _locator_after(note.text[m.end():], m.group(0))
        end = m.end() + loc_end
        out.append(_Item(Citation("", "work", m.start(), note.text[m.start():end], locator=locator), "author",
                         title=m.group("title")))
    return out


def _by_short_title(text, start, end, title, works, locator, who) -> _Item | None:
    """The one work among works whose title holds the short title's words in order."""
    words = [name_key(w) for w in WORD.findall(title) if fold(w) not in STOPWORDS]
    fits = [w for w in works if words and _in_order(words, w.tokens)]
    if len(fits) == 1:
        return _Item(Citation("", "work", start, text[start:end], target=fits[0].entry.key, locator=locator,
                              confidence="high", evidence=f"{who} and the words of the title {title}"))
    if not fits:
        return _unlinked(text, start, end, f"'{text[start:end]}': no work of this author in the references "
                         f"has the title {title} (a work missing from the references?)")
    return _unlinked(text, start, end, f"'{text[start:end]}': {title} fits {len(fits)} works of this author "
                     f"({', '.join(w.entry.key for w in fits)})")


def _in_order(words: list[str], tokens: list[str]) -> bool:
    it = iter(tokens)
    return all(any(w == t for t in it) for w in words)


def _find_unmatched(note: Note, taken: list[_Item]) -> list[_Item]:
    """What has the shape of a citation (a name and a title, or an italic title and a page or an
    imprint) but matched nothing: reported, never forced onto an entry."""
    out = []
    for m in CITATION_SHAPE.finditer(note.text):
        if not any(i.start < m.end() and m.start() < i.end for i in taken + out):
            out.append(_unlinked(note.text, m.start(), m.end(), f"'{m.group(0)}' looks like a citation but "
                                 "matches no entry of the bibliography"))
    return out


CITATIONISH = re.compile(r",\s*(?:pp?\.\s*)?\d+(?:\s*[–−-]\s*\d+)?\.?$|\*[^*]+\*\s*(?:,\s*(?:no\.|vol\.|\d)|\()"
                         r"|\b(?:box|folder|file|fol|fols|ff?|no|nos|p|pp|vol|vols|ll?|bl|k|kk|sygn|nr|bd|rg)\.?\s+\d"
                         r"|\d+/\d+|\b\d{3}\.\d", re.IGNORECASE)
"""A stretch of a note that reads like a citation: ends with a page, holds an italic title with an issue,
volume, page or imprint after it, a locator, or a shelfmark of another system ('Bl. 5', 'sygn. 158/VII-2,
k. 45', 'RG 59, 860M.00/412', 'FO 371/24843')."""
_SEGMENT = re.compile(rf"[^;]+?(?:;|\.(?=\s+[{CAPITAL}*'‘\"“])|$)")


def _find_unread(note: Note, taken: list[_Item]) -> list[_Item]:
    """Clauses and sentences that read like a citation but hold nothing the finders recognised ('Hoover
    Institution Archives, box 3'): unreported by themselves, they stand between an 'Ibid.' and an older
    citation, which it must not repeat."""
    out = []
    for m in _SEGMENT.finditer(note.text):
        start, end = m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.end()
        if any(i.start < end and start < i.end for i in taken) or not CITATIONISH.search(m.group(0).strip()):
            continue
        out.append(_Item(Citation("", "unread", start, note.text[start:end].rstrip(";")), needs="unread"))
    return out


def _items(note: Note, index: _Index, known: list[str], count: int) -> list[_Item]:
    """Everything the note cites, in the order it stands; earlier finders take precedence."""
    taken: list[_Item] = []

    def add(items):
        for item in items:
            if not any(item.start < t.end and t.start < item.end for t in taken):
                taken.append(item)

    add(_find_ibids(note))
    add(_find_archival(note, known, taken))
    add(_find_xrefs(note, count))
    add(_find_periodicals(note, index, taken))
    add(_find_idem(note))
    add(_find_works(note, index))
    add(_find_author_date(note, index))
    add(_find_author_led(note, index, taken))
    add(_find_unmatched(note, taken))
    add(_find_unread(note, taken))
    return sorted(taken, key=lambda i: i.start)


# --- resolving ---------------------------------------------------------------

@dataclass
class _Outcome:
    doubts: list[Doubt] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)


def link(edition: Edition) -> tuple[list[Doubt], list[Repair]]:
    """Fill each note's citations; return the doubts (what resolves to nothing) and the repairs
    (damaged locators read by rule)."""
    index = _Index(edition.bibliography)
    known = known_archives(edition)
    outcome = _Outcome()
    before: Citation | _Item | None = None  # the last thing the previous note cites
    by_n = {n.n: n for n in edition.notes}
    for note in edition.notes:
        resolved: list[Citation] = []
        last: Citation | _Item | None = None
        for item in _items(note, index, known, len(edition.notes)):
            if item.citation.kind == "xref":
                resolved.append(_numbered(item.citation, note, resolved))
                if last is None:  # 'See note 4 above.' standing for a citation: an Ibid. after it repeats note 4's
                    last = _through_xref(item, by_n.get(item.citation.to_note), note)
                continue
            antecedent = last if last is not None else before
            citation = _resolve(item, antecedent, last is not None, note, index, outcome)
            if citation is None:
                last = item
                continue
            citation = _numbered(citation, note, resolved)
            resolved.append(citation)
            last = citation
            defined = re.search(HEREAFTER, citation.printed) if citation.kind == "work" else None
            if defined:
                index.define(citation.target, defined.group("alias"), note.n)
        note.citations = resolved
        before = last
    return outcome.doubts, outcome.repairs


def _through_xref(item: _Item, referred: Note | None, note: Note) -> Citation | _Item:
    """What an Ibid. after 'See note 4 above.' repeats: the one source note 4 cites (its last citation of
    it); when note 4 cites several, or comes later, nothing certain (the cross-reference itself, unread)."""
    if referred is None or referred.n >= note.n:
        return item
    cited = [c for c in referred.citations if c.kind != "xref" and (c.target or c.archive or c.periodical)]
    sources = {(c.target, c.periodical, c.archive and (c.archive.archive, c.archive.fond, c.archive.opis,
                                                      c.archive.delo)) for c in cited}
    return cited[-1] if len(sources) == 1 else item


def _numbered(c: Citation, note: Note, resolved: list[Citation]) -> Citation:
    return replace(c, id=f"n{note.n}-{len(resolved) + 1}")


def _doubt(outcome: _Outcome, note: Note, item: _Item, detail: str, kind: str = "unresolved-citation") -> None:
    outcome.doubts.append(Doubt(kind, note.lines[0], detail, note=note.n, excerpt=item.citation.printed))


def _resolve(item: _Item, antecedent, same_note: bool, note: Note, index: _Index, outcome: _Outcome):
    """The item's citation in context, or None (the doubt reported) when the evidence does not hold."""
    c = item.citation
    if item.doubt:
        _doubt(outcome, note, item, item.doubt, item.doubt_kind)
        return None
    if item.needs == "unread":
        return None
    if item.chain is not None and c.archive is not None:
        _ocr_repairs(item, note, outcome, c.archive)
    if not item.needs:
        return c
    what = {"antecedent": f"'{c.printed}' repeats", "file": f"'{c.printed}' continues",
            "author": f"'{c.printed}' names the author of"}[item.needs]
    if antecedent is None:
        where = "the citation before it in this note" if same_note else "a citation of the note before"
        _doubt(outcome, note, item, f"{what} {where}, and there is none the resolver recognised",
               "unresolved-archival" if item.needs == "file" else "unresolved-citation")
        return None
    if isinstance(antecedent, _Item):
        _doubt(outcome, note, item, f"{what} '{antecedent.citation.printed}', which is not a recognised "
               f"citation; left unlinked rather than linked to an older one",
               "unresolved-archival" if item.needs == "file" else "unresolved-citation")
        return None
    if item.needs == "file":
        if not same_note or antecedent.archive is None:
            _doubt(outcome, note, item, f"{what} no archival file: it names no archive and follows no file "
                   f"in this note", "unresolved-archival")
            return None
        parent = shelfmark.LEVELS[shelfmark.LEVELS.index(item.chain.top) - 1]
        if not getattr(antecedent.archive, parent):
            _doubt(outcome, note, item, f"{what} '{antecedent.printed}', which names no {parent}: the levels "
                   f"between them are not printed", "unresolved-archival")
            return None
        between = note.text[antecedent.offset + len(antecedent.printed):item.start]
        other = re.search(rf"(?<![\w-]){shelfmark.ABBREVIATION}", between)
        if other:
            _doubt(outcome, note, item, f"{what} '{antecedent.printed}' across '{other.group(0)}', which may "
                   f"name another archive", "unresolved-archival")
            return None
        ref = ArchivalRef(antecedent.archive.archive, *_levels(item.chain, antecedent.archive))
        _ocr_repairs(item, note, outcome, ref)
        how = "folios" if item.chain.top == "listy" else f"{item.chain.top} and what follows"
        return replace(c, archive=ref, locator=ref.listy, repeats=antecedent.id, confidence="high",
                       evidence=f"{how} of the file cited just before ({antecedent.id})")
    if item.needs == "author":
        return _idem(item, antecedent, note, index, outcome)
    return _ibid(item, antecedent, note, outcome)


def _ocr_repairs(item: _Item, note: Note, outcome: _Outcome, ref: ArchivalRef) -> None:
    for e in item.chain.elements:
        if e.ocr:
            outcome.repairs.append(Repair("folio-abbreviation", note.lines[0],
                                          f"note {note.n}: '1.' before the folios of an archival file is the "
                                          f"abbreviation 'l.' misread", f"1. {e.value}", f"l. {e.value}"))


def _ibid(item: _Item, antecedent: Citation, note: Note, outcome: _Outcome) -> Citation | None:
    c = item.citation
    out = replace(c, kind="ibid", target=antecedent.target, archive=antecedent.archive,
                  periodical=antecedent.periodical, dates=c.dates or antecedent.dates, repeats=antecedent.id,
                  confidence=antecedent.confidence or "high", evidence=f"repeats {antecedent.id}")
    if item.chain is not None:
        if antecedent.archive is None:
            _doubt(outcome, note, item, f"'{c.printed}' gives a shelfmark, but the citation it repeats "
                   f"({antecedent.id}) is no archival file", "unresolved-archival")
            return None
        out.archive = ArchivalRef(antecedent.archive.archive, *_levels(item.chain, antecedent.archive))
        out.locator = c.locator
        _ocr_repairs(item, note, outcome, out.archive)
        return out
    if antecedent.archive is not None and c.locator:
        if re.fullmatch(r"\d+[a-z]?(?:\s*[–−-]\s*\d+[a-z]?)?", c.locator):
            out.archive = replace(antecedent.archive, listy=c.locator)
            outcome.repairs.append(Repair("bare-folio", note.lines[0], f"note {note.n}: a bare number after an "
                                          f"Ibid. of an archival file is a folio", c.printed, f"l. {c.locator}"))
        else:
            _doubt(outcome, note, item, f"'{c.printed}' repeats an archival file but its locator "
                   f"'{c.locator}' is no folio", "archival-locator")
            return None
    if not c.locator:
        out.locator = antecedent.locator
    return out


def _idem(item: _Item, antecedent: Citation, note: Note, index: _Index, outcome: _Outcome) -> Citation | None:
    c = item.citation
    work = next((w for w in index.works if w.entry.key == antecedent.target), None)
    if work is None or not work.names:
        _doubt(outcome, note, item, f"'{c.printed}': Idem names the author of the citation before it "
               f"({antecedent.id}), which is no work with an author")
        return None
    found = _by_short_title(note.text, c.offset, c.offset + len(c.printed), item.title,
                            index.by_names(work.names), c.locator, f"Idem (= {_authors(work)})")
    if found.doubt:
        _doubt(outcome, note, found, found.doubt)
        return None
    return replace(found.citation, repeats=antecedent.id)


def _propagate(edition: Edition) -> None:
    """After the editor re-pointed an Ibid., the Ibid.s that repeat it follow."""
    by_id: dict[str, Citation] = {}
    for note in edition.notes:
        for i, c in enumerate(note.citations):
            if c.kind == "ibid" and not c.editorial and c.repeats in by_id:
                fresh = _find_ibids(Note(note.n, c.printed, note.lines))[0]
                fresh.citation = replace(fresh.citation, id=c.id, offset=c.offset)
                note.citations[i] = c = _ibid(fresh, by_id[c.repeats], note, _Outcome()) or c
            by_id[c.id] = c


def counts(edition: Edition, doubts: list[Doubt]) -> dict[str, int]:
    cites = [c for n in edition.notes for c in n.citations]
    kinds = Counter(c.kind for c in cites)
    ibid_kinds = Counter("archive" if c.archive else ("work" if c.target else "periodical")
                         for c in cites if c.kind == "ibid")
    return {
        "citations.work": kinds["work"], "citations.archive": kinds["archive"],
        "citations.periodical": kinds["periodical"], "citations.ibid": kinds["ibid"],
        "citations.ibid_of_work": ibid_kinds["work"], "citations.ibid_of_archive": ibid_kinds["archive"],
        "citations.xref": kinds["xref"],
        "citations.unresolved": sum(1 for d in doubts if d.kind in ("unresolved-citation", "unresolved-archival")),
        "notes_citing_works": sum(1 for n in edition.notes if any(c.target for c in n.citations)),
        "archival_files": len({(c.archive.archive, c.archive.fond, c.archive.opis, c.archive.delo)
                               for c in cites if c.archive}),
    }


def stage(job):
    """Link every edition's notes; the editor's citation corrections then override the resolver."""
    problems = []
    for work in job.works:
        doubts, repairs = link(work.edition)
        problems.extend(apply_citations(work.edition, doubts, work.corrections))
        _propagate(work.edition)
        work.report.doubts.extend(doubts)
        work.report.repairs.extend(repairs)
        for d in work.report.doubts:
            if not d.resolved_by:
                d.suggestion = suggest(d, work.edition)
        for kind, n in Counter(r.kind for r in repairs).items():
            work.report.counts[f"repairs.{kind}"] = n
        work.report.counts.update(counts(work.edition, doubts))
    if problems:
        raise EditionError(problems)
    return job
