"""The grammar of one printed bibliography entry (Chicago-like author-title style)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .records import BibEntry, Person
from .textrules import CAPITAL, SMALL, fold, unique

REPEATED_AUTHOR = re.compile(r"^(?:[—–_-]{2,}|—|\.(?=\s))\s*[.,]?\s*")
"""'———.' for 'same authors as above', and what is left of it when the dashes are lost ('. Title')."""

RUN_TOGETHER = re.compile(rf"(?<=\d\.)\s+(?=[{CAPITAL}][\w'’-]+, [{CAPITAL}])|(?<=\.)\s+(?=[—–]{{2,}}\.)")
"""A new entry starting inside a line: after 'YEAR.' or 'PAGES.', a 'Surname, Given' or a '———.'."""

QUOTE_OPEN = "'‘\"“"
TITLE_OPENER = re.compile(r"(?:(?<=\s)|^)['‘\"“*]")
"""A quotation mark or asterisk opening a title: at the start of a word (not S"ezd, Lyubov')."""
INITIAL = re.compile(rf"[{CAPITAL}][{SMALL}]?\.,?")
TITLE_END = re.compile(r"(?P<after>['’\"”])[.,](?=\s)|[.,](?P<inside>['’\"”])(?=\s)")
"""The end of a quoted title: the full stop or comma after the closing quotation mark, or inside it (Chicago's
American punctuation, 'Title.” In')."""
ABBREVIATION_END = re.compile(r"(?:^|[\s(])(?:гг|г|вв|в|etc|al|eds?|vols?|nos?|Jr|Sr|St|c)$")
"""A title ending in an abbreviation, whose full stop belongs to it ('1929–1931 гг.', 'Smith et al.')."""
ITALIC = re.compile(r"\*([^*]+)\*")
IMPRINT = re.compile(r"(?P<place>[^:;]*?[^\s.:;]):\s*(?P<publisher>[^:]+?),?\s+(?P<year>\d{4})\.?$")
JOURNAL_TAIL = re.compile(
    r"^(?P<container>(?![\[(]|(?:ed|eds|trans|tr|comp)\.\s).*?)\s*(?P<volume>\d+)?"
    r"(?:,\s*no\.\s*(?P<issue>[\w–-]+)|\.(?P<issue2>\d+))?\s*"
    r"\((?P<date>[^):]*?(?P<year>\d{4}))\)(?:[:,]\s*(?P<pages>[\d–-]+))?\.?$")
"""A journal, its volume and issue, the year and the pages: '*Review* 27, no. 2 (2000): 141–66' (Chicago),
'*Studies*, 11.2 (1998), 201–27' (MHRA); never an imprint ('(Place: Publisher, 1999)') or what follows a
translated title or a translator."""
BRACKET_IMPRINT = re.compile(r"\((?P<place>[^():]+):\s*(?P<publisher>[^():]+?),\s*(?P<year>\d{4})\)"
                             r"(?:,?\s*pp?\.\s*(?P<pages>\d+\s*[–-]\s*\d+))?\.?$")
"""MHRA's imprint in brackets at the end of an entry, a chapter's pages after it: '(Oxford: Clarendon, 1996)'."""
MHRA_CHAPTER = re.compile(r"^in\s+\*(?P<container>[^*]+)\*,?\s*(?:ed\.\s+by|edited\s+by)\s+(?P<eds>[^()]+?)\s*\(")
"""A chapter in MHRA: ', in *Book*, ed. by Joan Crowther and Peter Lisle (Basingstoke: …, 1999), pp. 113–39'."""
EDITION = re.compile(r",?\s*(\d+(?:st|nd|rd|th)) ed\.?", re.I)
VOLUME = re.compile(r"\b[Vv]ol\.\s*(\d+)")
EDITOR_ROLE = re.compile(r",?\s*\beds?\.?$")
AUTHOR_YEAR = re.compile(r"^(?P<names>[^()\d*'‘\"“:]+?)[.,]?\s*(?:\((?P<role>eds?)\.?\)\s*)?"
                         r"(?:\((?P<year>\d{4}[a-z]?)\)|(?<=\.\s)(?P<year2>\d{4}[a-z]?)\.)[.,]?\s+")
"""Author-date references: the year straight after the names, 'Davies, R. W. (1989) *Title*' (Harvard),
'Davies, R. W. 1989. *Title*' (Chicago author-date), 'Fitzpatrick, S. (ed.) (2000)'."""
DATED_JOURNAL = re.compile(
    r"^\*(?P<container>[^*]+)\*,?\s*(?P<volume>\d+)(?:,\s*(?:no\.\s*)?(?P<issue>\d+)|\s*\((?P<issue2>[\w–-]+)\))?"
    r"(?:(?:,\s*pp?\.\s*|:\s*)(?P<pages>\d+\s*[–-]\s*\d+))?\.?$")
"""An article's journal when the year came after the names: '*Europe-Asia Studies*, 51, 2, pp. 45–67' (Harvard),
'*Slavic Review* 48 (4): 558–77' (Chicago author-date)."""
DATED_CHAPTER = re.compile(
    r"^[Ii]n\s+(?P<eds>[^*]+?)\s*\(eds?\.?\)\s*\*(?P<container>[^*]+)\*"
    r"(?:\s*\((?P<place>[^,():]+)[,:]\s*(?P<publisher>[^()]+)\))?(?:,?\s*pp\.\s*(?P<pages>\d+\s*[–-]\s*\d+))?\.?$")
"""A chapter in Harvard style: 'in Fitzpatrick, S. (ed.) *Cultural Revolution* (Bloomington, IUP), pp. 1–20'."""
DATED_IMPRINT = re.compile(r"^\(?(?P<place>[^:;,()]*[^\s.:;,()])(?::|,)\s*(?P<publisher>[^:;()]+?)\)?\.?$")
"""A book's imprint when the year came after the names: 'Basingstoke: Macmillan.', '(London, Routledge).'"""
YEAR_FIRST = re.compile(r"^\(?(?P<year>\d{4}[a-z]?)\)?[.,]?\s+")
"""The year after a repeated author: '———. 1996. *Title*', '——— (1996) *Title*'."""
NAME_WORD = re.compile(rf"^(?:[{CAPITAL}][\w'’.-]*|van|von|de|der|da|du|la|le)$")


@dataclass
class ParsedEntry:
    """Fields read from one entry; doubts say what the grammar could not read."""

    type: str = "book"
    authors: list[Person] = field(default_factory=list)
    role: str = "author"
    year: str = ""
    title: str = ""
    container: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    edition: str = ""
    place: str = ""
    publisher: str = ""
    container_editors: str = ""
    repeats_author: bool = False
    doubts: list[str] = field(default_factory=list)


def split_run_together(text: str) -> list[str]:
    """Entries printed on one line, split where a new entry evidently starts (in alphabetical order)."""
    parts = [p.strip() for p in RUN_TOGETHER.split(text) if p.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and not REPEATED_AUTHOR.match(part) and _out_of_order(merged[-1], part):
            merged[-1] += " " + part  # out of alphabetical order: not a new entry
        else:
            merged.append(part)
    return merged


CYRILLIC_ORDER = "абвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя"
"""Russian and Ukrainian letters in alphabetical order."""


def _out_of_order(previous: str, part: str) -> bool:
    """Whether part would stand before the entry above it in alphabetical order: Cyrillic compared in its
    own alphabet (Щ before Ю, though their transliterations sort the other way), Latin without accents;
    entries in two scripts are listed in two runs, so between them there is no order to break."""
    a, b = previous[:1].lower(), part[:1].lower()
    cyrillic = (a in CYRILLIC_ORDER, b in CYRILLIC_ORDER)
    if cyrillic[0] != cyrillic[1]:
        return False
    return CYRILLIC_ORDER.index(b) < CYRILLIC_ORDER.index(a) if cyrillic[0] else fold(b) < fold(a)


def parse_entry(text: str) -> ParsedEntry:
    entry = ParsedEntry()
    rest = text.strip()
    m = REPEATED_AUTHOR.match(rest)
    dated = AUTHOR_YEAR.match(rest)
    if m:
        entry.repeats_author = True
        rest = rest[m.end():]
        year = YEAR_FIRST.match(rest)
        if year:
            entry.year, rest = year.group("year"), rest[year.end():]
    elif dated and _looks_like_names(dated.group("names")):
        entry.authors = parse_names(EDITOR_ROLE.sub("", dated.group("names")))
        if dated.group("role") or EDITOR_ROLE.search(dated.group("names")):
            entry.role = "editor"
        entry.year, rest = dated.group("year") or dated.group("year2"), rest[dated.end():]
    else:
        names, rest = _split_names(rest)
        if names is not None:
            role_m = EDITOR_ROLE.search(names)
            if role_m and names[:role_m.start()].strip():
                entry.role = "editor"
                names = names[:role_m.start()]
            entry.authors = parse_names(names)
    rest = rest.strip().lstrip(".,").strip()
    entry.title, rest = _split_title(rest, entry)
    _read_publication(rest, entry)
    return entry


def _split_names(text: str) -> tuple[str | None, str]:
    """The leading name list and what follows, or (None, text) for a title-led entry."""
    opener = TITLE_OPENER.search(text)
    cut = opener.start() if opener else len(text)
    head = text[:cut]
    if opener and _looks_like_names(head.strip().rstrip(",.")):
        return head.strip().rstrip(",."), text[cut:]
    # The name list ends at the first '. ' that neither precedes nor closes an initial.
    for m in re.finditer(r"\.\s+", head):
        before = head[:m.start()].split()[-1] if head[:m.start()].split() else ""
        if INITIAL.fullmatch(head[m.end():].split(" ")[0]):
            continue
        if INITIAL.fullmatch(before + ".") and not _followed_by_title(head[m.end():]):
            continue
        return _names_or_title(head[:m.start()], text[m.end():])
    if cut < len(text):
        return _names_or_title(head.rstrip(" ,."), text[cut:])
    return None, text


def _followed_by_title(text: str) -> bool:
    """After an initial: does a title (not more of the name) follow? ('H. Socialism in One...')."""
    words = text.split()
    return len(words) > 1 and not words[0].endswith((".", ",")) and len(words[0]) > 2


def _names_or_title(head: str, rest: str) -> tuple[str | None, str]:
    head = head.strip()
    if _looks_like_names(head):
        return head, rest
    # 'Dupont, Marie, Souvenirs of a Printer': a comma where a full stop belongs.
    parts = head.split(", ")
    if len(parts) >= 3 and _looks_like_names(", ".join(parts[:2])):
        return ", ".join(parts[:2]), ", ".join(parts[2:]) + ". " + rest
    return None, head + ". " + rest


def _looks_like_names(text: str) -> bool:
    text = EDITOR_ROLE.sub("", text)
    words = [w for w in re.split(r"[\s,]+", re.sub(r"\s(?:and|&)\s", " ", text)) if w]
    return bool(words) and ":" not in text and not any(c.isdigit() for c in text) and all(
        NAME_WORD.match(w) for w in words) and (", " in text or len(words) <= 3)


def parse_names(text: str) -> list[Person]:
    """'Ivanova, Anna S., Petrov, Oleg V., and Sidorov, Ilia Iu.' -> people."""
    text = re.sub(r",?\s+(?:and|&)\s+", ", ", text.strip().rstrip(","))
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 1:
        return [Person(family=parts[0])]
    people = [Person(parts[0], _initial_stop(parts[1]))]
    rest = parts[2:]
    if len(rest) % 2 == 0 and not all(" " in name for name in rest):
        # Every name inverted: 'Ivanova, Anna S., Petrov, Oleg V.'
        people += [Person(rest[i], _initial_stop(rest[i + 1])) for i in range(0, len(rest), 2)]
    else:
        # Chicago: only the first name inverted, the others in natural order ('Anne, and Paul Vidal';
        # 'Martos, Iryna, Oleh Hrytsenko, and Dmytro Shapoval').
        for name in rest:
            words = name.split()
            people.append(Person(words[-1], " ".join(words[:-1])) if len(words) > 1 else Person(name))
    return people


def _initial_stop(given: str) -> str:
    """The full stop that ended the name list belongs to a final initial ('Amy W' -> 'Amy W.')."""
    return given + "." if re.search(rf"(?:^|\s)[{CAPITAL}][{SMALL}]?$", given) else given


def _split_title(rest: str, entry: ParsedEntry) -> tuple[str, str]:
    if rest[:1] in QUOTE_OPEN:
        m = TITLE_END.search(rest)
        if m:
            quote = m.group("after") or m.group("inside")
            title = rest[:m.start()]
            if m.group("inside") and rest[m.start()] == "." and ABBREVIATION_END.search(title):
                title += "."  # the full stop of an abbreviation ending the title: '…, 1929–1931 гг.'
            return _unquote(title + quote, entry), rest[m.end():]
        italic = ITALIC.search(rest)
        if italic:
            entry.doubts.append("title quotation not closed; title taken up to the italic container")
            return rest[1:italic.start()].rstrip(" .,'’\"”"), rest[italic.start():]
    if rest.startswith("*"):
        m = ITALIC.match(rest)
        if m:
            return m.group(1), rest[m.end():]
    imprint = IMPRINT.search(rest)
    stop = re.search(r"\.\s+(?=\S)", rest)
    end = stop.start() if stop else len(rest)
    if imprint and imprint.end("place") < end:
        # 'Title: Subtitle, Tomsk: Publisher, 1999.': no full stop between title and imprint.
        comma = rest.rfind(", ", 0, imprint.end("place"))
        if comma > 0:
            return rest[:comma], rest[comma + 2:]
    return rest[:end], rest[end + 1:]


def _unquote(quoted: str, entry: ParsedEntry) -> str:
    """The title without its outer quotation marks, except one that pairs with a quotation mark
    inside (the source sometimes loses the outer mark of a title that quotes another)."""
    opener, inner, closer = quoted[0], quoted[1:-1], quoted[-1]
    doubles = sum(inner.count(c) for c in "\"“”")
    keep_open = opener in "\"“" and doubles % 2 == 1
    keep_close = closer in "\"”" and doubles % 2 == 1
    if (opener in "'‘") != (closer in "'’"):
        entry.doubts.append("the title's quotation marks do not match; the inner quotation is kept whole")
    return (opener if keep_open else "") + inner + (closer if keep_close else "")


def _read_publication(rest: str, entry: ParsedEntry) -> None:
    rest = rest.strip().lstrip(".,").strip()
    if entry.year and _read_dated_publication(rest, entry):
        return
    m = EDITION.search(entry.title)
    if m:
        entry.edition = m.group(1)
        entry.title = entry.title[:m.start()].rstrip(" ,")
    if re.search(r"\bdiss\.", rest):
        entry.type = "thesis"
        m = re.search(r"diss\.,\s*(?P<publisher>[^,]+),\s*(?P<year>\d{4})", rest)
        if m:
            entry.publisher, entry.year = m.group("publisher"), m.group("year")
        return
    bracketed = BRACKET_IMPRINT.search(rest)
    if bracketed:
        chapter = MHRA_CHAPTER.match(rest)
        if chapter:
            entry.type, entry.container = "chapter", chapter.group("container")
            entry.container_editors = chapter.group("eds").strip()
        entry.place, entry.publisher = bracketed.group("place").strip(), bracketed.group("publisher").strip()
        entry.year, entry.pages = bracketed.group("year"), bracketed.group("pages") or entry.pages
        m = EDITION.search(rest)
        if m:
            entry.edition = m.group(1)
        return
    if rest.startswith("In "):
        entry.type = "chapter"
        m = re.match(r"In\s+(?P<container>.+?),\s*edited by\s+(?P<eds>.+?)\.\s+(?=[^.]*:\s)(?P<rest>.*)$", rest)
        if m:
            entry.container = m.group("container").strip("*")
            pages = re.match(r"(?P<eds>.*?),\s*(?P<pages>\d+\s*[–-]\s*\d+)$", m.group("eds"))
            entry.container_editors = pages.group("eds") if pages else m.group("eds")
            entry.pages = pages.group("pages") if pages else ""
            rest = m.group("rest")
    elif entry.authors or entry.repeats_author or entry.title:
        journal = _journal_tail(rest)
        if journal:
            entry.type = "article-journal"
            for key, value in journal.items():
                setattr(entry, key, value)
            return
    m = EDITION.search(rest)
    if m:
        entry.edition = m.group(1)
    m = VOLUME.search(rest)
    if m:
        entry.volume = m.group(1)
    m = IMPRINT.search(rest)
    if m:
        place = m.group("place")
        segment = re.split(r"(?:(?<=\w\w\w)|(?<=\d))\.\s+|\*[,.]?\s*", place)[-1]
        segment = re.sub(r"^\d+(?:st|nd|rd|th)\s+ed\.\s*", "", segment)  # an edition before the place
        entry.place = segment.strip(" ,") if ":" not in segment else segment.split(", ")[-1]
        entry.publisher, entry.year = m.group("publisher").strip(), m.group("year")
        return
    years = re.findall(r"\b(1[5-9]\d\d|20\d\d)\b", rest)
    if entry.year:
        return
    if years:
        entry.year = years[-1]
    else:
        entry.doubts.append("no year found")


def _read_dated_publication(rest: str, entry: ParsedEntry) -> bool:
    """The journal or imprint of an author-date reference (no year of its own); False when neither fits."""
    journal = DATED_JOURNAL.match(rest)
    if journal:
        entry.type = "article-journal"
        entry.container, entry.volume = journal.group("container").strip(), journal.group("volume")
        entry.issue = journal.group("issue") or journal.group("issue2") or ""
        entry.pages = journal.group("pages") or ""
        return True
    chapter = DATED_CHAPTER.match(rest)
    if chapter:
        entry.type, entry.container = "chapter", chapter.group("container").strip()
        entry.container_editors = chapter.group("eds").strip(" ,")
        entry.place, entry.publisher = (chapter.group("place") or "").strip(), (chapter.group("publisher") or "").strip()
        entry.pages = chapter.group("pages") or ""
        return True
    imprint = DATED_IMPRINT.match(rest)
    if imprint:
        entry.place, entry.publisher = imprint.group("place").strip(), imprint.group("publisher").strip()
        return True
    return False


def _journal_tail(rest: str) -> dict[str, str] | None:
    m = JOURNAL_TAIL.match(rest)
    if not m or not m.group("container").strip(" ,*"):
        return None
    container = m.group("container").strip()
    italic = ITALIC.match(container)
    container = italic.group(1) if italic else container.strip("*")
    out = {"container": container.rstrip(" ,"), "volume": m.group("volume") or "",
           "issue": m.group("issue") or m.group("issue2") or "", "year": m.group("year"),
           "pages": m.group("pages") or ""}
    if not out["volume"]:
        # '*Annals: A Review*, 1900–1950, 3 (2001)': the volume follows a comma.
        tail = re.search(r",\s*(\d+)\s*$", out["container"])
        if tail:
            out["volume"] = tail.group(1)
            out["container"] = out["container"][:tail.start()]
    out["container"] = out["container"].replace("*", "").rstrip(" ,")
    return out


STOPWORDS = set("a an the of and in on for to at by with from "  # English
                "le la les l un une des du de et "  # French
                "der die das den dem ein eine und "  # German
                "el los las il lo gli una "  # Spanish, Italian
                "i v na o ob s k".split())  # Russian (transliterated)


def entry_key(entry: BibEntry, used: set[str]) -> str:
    """The stable key of an entry: first author (or title word), year, and as many title words as make it
    unique among used (then used)."""
    words = [w for w in re.findall(r"[a-z0-9]+", fold(entry.title.replace("'", "").replace("’", "")))
             if w not in STOPWORDS] or ["untitled"]
    lead = ["-".join(re.findall(r"[a-z0-9]+", fold(entry.authors[0].family)))] if entry.authors else []
    if not lead:
        lead, words = words[:1], words[1:] or words
    for size in range(1, len(words) + 1):
        key = "-".join(lead + ([entry.year] if entry.year else []) + words[:size])
        if key not in used:
            used.add(key)
            return key
    return unique("-".join(lead + [entry.year] + words), used)
