"""The bibliography: entries (run together, wrapped, '———'), subheadings, the lists of archives and
newspapers."""
from __future__ import annotations

import re

from .. import bibentry
from ..bibentry import entry_key
from ..records import (BibEntry, Person)
from ..textrules import (CAPITAL, excerpt, slugify, unique)
from .common import Line, Run, Work
from .notes import BULLET_ITEM


BIB_SUBHEADING = re.compile(r"^(?:[A-Z][a-z]+)(?:,?\s+(?:and\s+|&\s+)?[A-Za-z][a-z]+){0,4}$")


SUBHEADING_WORDS = re.compile(r"\b(?:sources|archives?|archival|literature|newspapers|periodicals|press|documents|"
                              r"memoirs|interviews|works|books|articles|collections|materials|studies|"
                              r"publications|manuscripts)\b", re.IGNORECASE)
"""A subheading of the bibliography: a short line in sentence case naming a kind of source ('Archival
sources', 'Newspapers and periodicals', 'Secondary literature')."""


LIST_SECTIONS = (("archive", re.compile(r"archiv|manuscript|unpublished", re.IGNORECASE)),
                 ("periodical", re.compile(r"newspaper|periodical|press|journals", re.IGNORECASE)))
"""Subheadings under which each line names an archive or a newspaper, not a work."""


def read_bibliography(lines: list[Line], work: Work) -> list[BibEntry]:
    printed: list[Run] = []
    section, listed = "", ""
    for ln in lines:
        text = ln.text.strip()
        if not text:
            continue
        if BIB_SUBHEADING.match(text) and SUBHEADING_WORDS.search(text):
            section = text
            listed = next((kind for kind, words in LIST_SECTIONS if words.search(text)), "")
            continue
        bullet = BULLET_ITEM.match(text)
        text = bullet.group("text") if bullet else text
        same = printed and printed[-1].section == section
        if same and not bullet and (text[:1].islower() if listed else _continues_entry(printed[-1].text, text)):
            printed[-1].merge(Run(text, [ln.no]))
        else:
            printed.append(Run(text, [ln.no]))
            printed[-1].section, printed[-1].listed = section, listed
    entries: list[BibEntry] = []
    keys: set[str] = set()
    raw: list[Run] = []
    for run in printed:
        if run.listed:
            entries.append(_listed_entry(run, keys))
            continue
        parts = bibentry.split_run_together(run.text)
        if len(parts) > 1:
            work.repair("entry-split", run.line_at(run.text.find(parts[1])),
                        f"{len(parts)} entries printed run together"
                        + (" on one line" if len(run.lines) == 1 else ""), excerpt(run.text, 80),
                        " | ".join(p[:25] for p in parts))
        at = 0
        for part in parts:
            at = run.text.find(part, at)
            first, last = run.line_at(at), run.line_at(at + len(part) - 1)
            raw.append(Run(part, [ln for ln in run.lines if first <= ln <= last]))
            raw[-1].section = run.section
            at += len(part)
    for run in raw:
        parsed = bibentry.parse_entry(run.text)
        authors, role = parsed.authors, parsed.role
        if parsed.repeats_author:
            if entries:
                authors, role = [Person(p.family, p.given) for p in entries[-1].authors], entries[-1].role
                work.repair("repeated-author", run.lines[0], "'———' (or what is left of it) means the authors "
                            "of the entry above", run.text[:20], "; ".join(p.family for p in authors))
            else:
                work.doubt("entry-doubt", run.lines[0], "first entry repeats the authors of no entry")
        for d in parsed.doubts:
            work.doubt("entry-doubt", run.lines[0], d, excerpt=run.text[:80])
        entry = BibEntry(key="", type=parsed.type, authors=authors, role=role, year=parsed.year,
                         title=parsed.title.strip(), container=parsed.container, volume=parsed.volume,
                         issue=parsed.issue, pages=parsed.pages, edition=parsed.edition, place=parsed.place,
                         publisher=parsed.publisher, container_editors=parsed.container_editors,
                         raw=run.text, line=run.lines[0], section=run.section)
        entry.key = entry_key(entry, keys)
        entries.append(entry)
    return entries


def _listed_entry(run: Run, keys: set[str]) -> BibEntry:
    """A line under a subheading of archives or newspapers: 'Gosudarstvennyi arkhiv … (GAAK), Barnaul',
    '*Pravda* (Moscow)'; its title is the name, its place what follows in brackets or after a comma."""
    text = run.text.strip()
    italic = re.match(r"\*([^*]+)\*\s*(?:\(([^()]+)\))?", text)
    if italic:
        title, place = italic.group(1), italic.group(2) or ""
    else:
        m = re.match(r"(?P<name>[^()]*\([^()]+\)).*?(?:,\s*(?P<place>[^,()]+))?$", text)
        title, place = (m.group("name"), m.group("place") or "") if m else (text.rstrip("."), "")
    abbr = re.search(r"\(([^()]+)\)", title) if run.listed == "archive" else None
    key = unique(slugify(abbr.group(1) if abbr else title), keys)
    return BibEntry(key=key, type=run.listed, authors=[], role="author", year="", title=title,
                    place=place.strip(), raw=text, line=run.lines[0], section=run.section)


IMPRINT_LINE = re.compile(rf"^[{CAPITAL}][\w'’&-]*(?:\s[\w'’&-]+){{0,3}}:\s*[^:.]+,?\s(?:1[5-9]\d\d|20\d\d)\.?$")


COMPLETE_ENTRY = re.compile(r"(?:\b(?:1[5-9]\d\d|20\d\d)[a-z]?\)?|\d+\s*[–-]\s*\d+)\.?$|\([^()]+[,:][^()]+\)\.$")
"""How an entry ends: with its year ('…Macmillan, 1960.', '… (1928).'), its pages ('…: 107–26.') or, in
author-date references, its imprint in brackets ('… (Basingstoke, Macmillan).')."""


def _continues_entry(previous: str, text: str) -> bool:
    """Whether a line goes on with the entry above (wrapped), rather than starting a new one: the entry
    broke off after a colon, comma or connective, or before its year or pages; the line begins in lower
    case, or is an imprint ('Place: Publisher, 1991.'), which never begins an entry."""
    if re.search(r"(?:[:,;&–-]|\b(?:and|by|of|in|the|eds?\.))$", previous.rstrip()) or text[:1].islower():
        return True
    if previous.count("“") > previous.count("”") or previous.count("*") % 2:
        return True  # inside a title still open ('… on the Lower Volga in 1918' | 'Revisited.” *Soviet …*')
    return bool(IMPRINT_LINE.match(text)) or not COMPLETE_ENTRY.search(previous.rstrip())


def _entry_start(text: str) -> bool:
    return bool(re.match(rf"^(?:[{CAPITAL}][\w'’-]+,\s+[{CAPITAL}]|[—–_]{{2,}}|\.\s)", text))
