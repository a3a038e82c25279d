"""Works of the bibliography as notes cite them: a title whole or short (quoted, italic or plain) with or
without its author's name, 'op. cit.', 'Idem', author and year; the place cited after each."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..records import BibEntry, Citation, Note
from ..textrules import CAPITAL, MONTHS, WORD, fold
from .items import (LOCATOR_TEXT, NAME, NAMES, PAGES, TITLE, Item, Outcome, doubt, name_key, name_keys,
                    names_cited, unlinked)

STOPWORDS = set("a an the of and in on for to at by with from i v na o ob s k".split())
ARTICLES = set("a an the le la les l un une der die das el il".split())
OPENERS = "'‘\"“*«"
CLOSERS = "'’\"”*»"
PAIRS = {"'": "'", "‘": "’", '"': '"', "“": "”", "*": "*", "«": "»"}
DELIMITERS = ",;.:?!)" + CLOSERS
NAMES_BEFORE = re.compile(rf"(?P<names>{NAMES})(?:,\s*eds?\.?)?(?:,\s*|['’]s\s+(?:\w+\s+){{0,8}}?)$"
                          rf"|(?P<ru>{NAME})\s+(?:[{CAPITAL}]\.\s?){{1,2}}$")
"""The authors just before a title: 'Carr, ', 'Davies and Harris, eds., ', 'Kirov's letter to …', or in the
Russian manner, surname and initials: 'Иванова Н.С. '."""
AUTHOR_LED = re.compile(rf"(?P<names>{NAMES})(?:,\s*eds?\.?)?,\s*(?:(?P<opcit>op\.\s*cit\.)|(?P<title>{TITLE}))"
                        rf"|(?P<ru>{NAME})\s+(?:[{CAPITAL}]\.\s?){{1,2}}\s*(?P<ukaz>Указ\.\s*соч)(?=\.)")
"""'Smith, op. cit.', 'Smith, *Short Title*', and in the Russian manner 'Ильин В.Т. Указ. соч.' (op. cit.)."""
IDEM = re.compile(rf"(?<!\w)(?P<idem>Idem|Eadem|Он же|Она же)\.?,\s*(?P<title>{TITLE}|[{CAPITAL}][^,.;]*)")
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
YEAR = r"(?:1[5-9]|20)\d\d[a-z]?(?![\w–-])"
AUTHOR_DATE = re.compile(rf"(?<![\w.,])(?P<names>{NAMES})\s+(?P<open>\()?(?P<year>{YEAR})"
                         rf"(?:(?:,|:)\s*(?P<loc>{LOCATOR_TEXT})(?!\w))?"
                         rf"(?(open)\))")
"""An author-date citation: 'Davies 1989, p. 45', 'Davies (1989: 45)', 'Davies and Harris 2003, 88'."""
CITATION_SHAPE = re.compile(rf"(?P<names>{NAME}(?:,\s*(?:and\s+)?{NAME})*)(?:,\s*eds?\.)?,\s*(?P<title>{TITLE})"
                            rf"(?:,\s*{PAGES})?"
                            rf"|(?<![\w*])(?P<italic>\*[^*]+\*)(?:,\s*{PAGES}|\s*\([^()]*\d{{4}}\))")


@dataclass
class Work:
    entry: BibEntry
    tokens: list[str]
    """The title's words as name keys."""
    short: list[str]
    """The same without a leading article (short titles drop it: *Kirov Murder*)."""
    names: set[str]
    defined_in: int = 0
    """For a short form a note defines ('(hereafter *DVP SSSR*)'): that note; its tokens are the short form's."""



class Index:
    """The bibliography as the resolver looks it up: by the first word of each title, by names."""

    def __init__(self, entries: list[BibEntry]):
        self.works = []
        for e in entries:
            if e.type in ("archive", "periodical"):
                continue  # a list of archives or newspapers names no work
            tokens = [name_key(w) for w in WORD.findall(e.title)]
            words = WORD.findall(e.title)
            short = tokens[1:] if len(words) > 1 and words[0].lower() in ARTICLES else tokens
            self.works.append(Work(e, tokens, short, {k for p in e.authors for k in name_keys(p.family)}))
        self.by_first: dict[str, list[Work]] = {}
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
        alias_work = Work(work.entry, tokens, tokens, work.names, defined_in=note)
        self.works.append(alias_work)
        self.by_first.setdefault(tokens[0], []).append(alias_work)

    def by_names(self, keys: set[str]) -> list[Work]:
        return [w for w in self.works if keys & w.names and not w.defined_in]


def find_works(note: Note, index: Index) -> list[Item]:
    """Titles of the bibliography standing in the note as a title would, whole or short."""
    text = note.text
    words = list(WORD.finditer(text))
    keys = [name_key(w.group(0)) for w in words]
    found: list[Item] = []
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


def locator_after(text: str, title: str = "") -> tuple[int, str]:
    """(length, locator as printed) of the locator after a title, an imprint skipped; (0, '') if none.
    A title whose quotation mark closes after the comma ('“Voroshilov’s Army,” 150') lends it the comma."""
    lead = "," if re.search(rf",[{CLOSERS}]+$", title) else ""
    m = LOCATOR.match(lead + text)
    if not m:
        return 0, ""
    found = m.group("cited") or m.group("loc") or m.group("page") or m.group("art") or m.group("ruart")
    return m.end() - len(lead), (found or "").strip()


def _resolve_title(note, mention, k, candidates, index) -> Item | None:
    text = note.text
    start, end, quoted = mention
    after = text[end:]
    if re.match(r"^,\s*['‘\"“*«]", after) and not quoted:
        return None  # 'Tolstoy, *Sobranie ...*': the word is an author's name, not a short title
    names_m = NAMES_BEFORE.search(text[max(0, start - 120):start])
    names = (names_m.group("names") or names_m.group("ru")) if names_m else ""
    cited, cited_keys = names_cited(names) if names else ([], set())
    loc_end, locator = locator_after(after, text[start:end])
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
        known = [m for m in re.finditer(NAME, names) if name_keys(m.group(0)) & index.names]
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
                return unlinked(text, span_start, end, f"'{printed}': {title} is a title of "
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
        return unlinked(text, span_start, end, f"{title} fits {len(candidates)} entries "
                         f"({', '.join(c.entry.key for c in candidates)}) and nothing decides between them")
    return Item(Citation("", "work", span_start, printed, target=work.entry.key, locator=locator,
                          confidence=confidence, evidence=evidence))


def _authors(work: Work) -> str:
    return " and ".join(p.family for p in work.entry.authors) or "no author"


def find_author_led(note: Note, index: Index, taken: list[Item]) -> list[Item]:
    """'Smith, op. cit., 45', 'Idem, *Title*' and 'Smith, *Short*' whose words stand in one of Smith's
    titles though not at its start: decided by the author's works alone."""
    text = note.text
    out = []
    for m in AUTHOR_LED.finditer(text):
        if any(i.start < m.end() and m.start() < i.end for i in taken + out):
            continue
        names = m.group("names") or m.group("ru")
        cited, keys = names_cited(names)
        works = index.by_names(keys)
        first = next((x for x in re.finditer(NAME, names) if name_keys(x.group(0)) & index.names), None)
        if not works or first is None:
            continue
        start = m.start() + first.start()
        loc_end, locator = locator_after(text[m.end():], m.group(0))
        end = m.end() + loc_end
        if m.group("opcit") or m.group("ukaz"):
            if len(works) == 1:
                out.append(Item(Citation("", "work", start, text[start:end], target=works[0].entry.key,
                                          locator=locator, confidence="high",
                                          evidence=f"op. cit.: the only work of {cited[0]} in the references")))
            else:
                out.append(unlinked(text, start, end, f"'{text[start:end]}': op. cit. of {cited[0]}, who has "
                                     f"{len(works)} works in the references; which one is not said"))
            continue
        item = _by_short_title(text, start, end, m.group("title"), works, locator, f"author {cited[0]}")
        if item is not None:
            out.append(item)
    return out


def find_author_date(note: Note, index: Index) -> list[Item]:
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
        cited, keys = names_cited(names)
        works = index.by_names(keys)
        month = fold(names.split()[0]) in MONTHS
        if month and not (paged and works) or re.search(r"\d\s*$", text[:m.start()]):
            continue  # a date: '12 May 1989', 'in May 1989' (but 'May 1986, p. 4' cites an author May)
        if not works:
            if paged:
                out.append(unlinked(text, start, m.end(), f"'{text[start:m.end()]}' looks like an author-date "
                                     f"citation but {cited[0]} is no author of the references"))
            continue
        fits = _dated(works, year, cited, names)
        loc = m.group("loc") or ""
        more = _dated(works, loc, cited, names) if re.fullmatch(YEAR, loc) else []
        end = text.rfind(year, start, m.end()) + len(year) if more else m.end()
        if len(fits) == 1:
            out.append(Item(Citation("", "work", start, text[start:end], target=fits[0].entry.key,
                                      locator="" if more else loc, confidence="high",
                                      evidence=f"author {cited[0]} and year {year}")))
        else:
            what = "no work" if not fits else f"{len(fits)} works ({', '.join(w.entry.key for w in fits)})"
            out.append(unlinked(text, start, end, f"'{text[start:end]}': the references hold {what} "
                                 f"of {cited[0]} from {year}"))
        if len(more) == 1:  # 'Davies 1989, 1994': a second work of the same author
            out.append(Item(Citation("", "work", m.start("loc"), loc, target=more[0].entry.key,
                                      confidence="high", evidence=f"author {cited[0]} and year {loc}")))
    return out


def _dated(works: list[Work], year: str, cited: list[str], names: str) -> list[Work]:
    """The works of year among works; several authors' works told apart by how many authors they have."""
    fits = [w for w in works if w.entry.year == year]
    if not fits and year[-1].isdigit():
        fits = [w for w in works if w.entry.year.rstrip("abcdefgh") == year]
    if len(fits) > 1:
        many = "et al." in names
        fits = [w for w in fits if len(w.entry.authors) == len(cited) or many and len(w.entry.authors) > 2]
    return fits


def find_idem(note: Note) -> list[Item]:
    """'Idem, *Title*, 12': a title of the author cited just before (resolved in order of the notes)."""
    out = []
    for m in IDEM.finditer(note.text):
        loc_end, locator = locator_after(note.text[m.end():], m.group(0))
        end = m.end() + loc_end
        out.append(Item(Citation("", "work", m.start(), note.text[m.start():end], locator=locator), "author",
                         title=m.group("title")))
    return out


def _by_short_title(text, start, end, title, works, locator, who) -> Item | None:
    """The one work among works whose title holds the short title's words in order."""
    words = [name_key(w) for w in WORD.findall(title) if fold(w) not in STOPWORDS]
    fits = [w for w in works if words and _in_order(words, w.tokens)]
    if len(fits) == 1:
        return Item(Citation("", "work", start, text[start:end], target=fits[0].entry.key, locator=locator,
                              confidence="high", evidence=f"{who} and the words of the title {title}"))
    if not fits:
        return unlinked(text, start, end, f"'{text[start:end]}': no work of this author in the references "
                         f"has the title {title} (a work missing from the references?)")
    return unlinked(text, start, end, f"'{text[start:end]}': {title} fits {len(fits)} works of this author "
                     f"({', '.join(w.entry.key for w in fits)})")


def _in_order(words: list[str], tokens: list[str]) -> bool:
    it = iter(tokens)
    return all(any(w == t for t in it) for w in words)


def find_unmatched(note: Note, taken: list[Item]) -> list[Item]:
    """What has the shape of a citation (a name and a title, or an italic title and a page or an
    imprint) but matched nothing: reported, never forced onto an entry."""
    out = []
    for m in CITATION_SHAPE.finditer(note.text):
        if not any(i.start < m.end() and m.start() < i.end for i in taken + out):
            out.append(unlinked(note.text, m.start(), m.end(), f"'{m.group(0)}' looks like a citation but "
                                 "matches no entry of the bibliography"))
    return out


def idem(item: Item, antecedent: Citation, note: Note, index: Index, outcome: Outcome) -> Citation | None:
    c = item.citation
    work = next((w for w in index.works if w.entry.key == antecedent.target), None)
    if work is None or not work.names:
        doubt(outcome, note, item, f"'{c.printed}': Idem names the author of the citation before it "
               f"({antecedent.id}), which is no work with an author")
        return None
    found = _by_short_title(note.text, c.offset, c.offset + len(c.printed), item.title,
                            index.by_names(work.names), c.locator, f"Idem (= {_authors(work)})")
    if found.doubt:
        doubt(outcome, note, found, found.doubt)
        return None
    return replace(found.citation, repeats=antecedent.id)
