"""The resolver: every finder's items in a note, then the notes read in order, each 'Ibid.' repeating its
antecedent and each shelfmark below the fond continuing the file before it."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..records import Citation, Doubt, Edition, Note, Repair
from ..textrules import CAPITAL, MONTHS, SMALL
from . import shelfmark
from .archival import continue_file, files, find_archival, known_archives, ocr_repairs
from .items import DATES, LOCATOR_TEXT, Item, Outcome, doubt, unlinked
from .periodicals import find_periodicals
from .works import (HEREAFTER, Index, find_author_date, find_author_led, find_idem, find_unmatched, find_works,
                    idem)

if TYPE_CHECKING:
    from .cited_works import FullCitation

IBID = re.compile(r"(?<![\w*])\*?(?:[Ii]bid(?:em)?\b\.?|[Тт]ам\s+же\b\.?)\*?")
"""'Ibid.', 'ibid.', 'Ibidem', '*Ibid.*' (in italics, its locator after the closing mark), 'Там же', 'там же'."""
IBID_LOCATOR = re.compile(rf"^[,.]?\s*(?:{DATES}|(?P<loc>{LOCATOR_TEXT}))(?![\w.]*\d)")
XREF = re.compile(r"(?<!\w)(?:(?:[Ss]ee|[Cc]f\.)\s+(?:also\s+)?(?:(?:above|below),?\s+)?(?P<a>(?:notes?|nn?\.)\s+(?P<nums>\d+(?:\s*(?:,|and|&)\s*\d+)*))"
                  r"(?:\s+(?:above|below))?"
                  r"|(?P<b>(?:[Nn]otes?|nn?\.)\s+(?P<nums2>\d+(?:\s*(?:,|and|&)\s*\d+)*))\s+(?:above|below))")


def find_ibids(note: Note) -> list[Item]:
    out = []
    text = note.text
    for m in IBID.finditer(text):
        sep = re.match(r"[,.]?\s*", text[m.end():])
        chain = shelfmark.chain_at(text, m.end() + sep.end(), ocr_first=True)
        if chain is not None:
            out.append(Item(Citation("", "ibid", m.start(), text[m.start():chain.end],
                                      locator=text[chain.start:chain.end]), "antecedent", chain))
            continue
        printed_in = bool(re.search(r"(?<!\w)[Ii]n:?\s*$", text[:m.start()]))
        loc = IBID_LOCATOR.match(text[m.end():])
        described = None if loc and loc.group(0).strip(",. ") else DESCRIBED.match(text, m.end())
        if described:  # 'Ibid., political report of 10 July 1941.': the same source, another document in it
            out.append(Item(Citation("", "ibid", m.start(), text[m.start():described.end()]), "antecedent",
                            printed_in=printed_in))
            continue
        rest = text[m.end() + (loc.end() if loc else 0):]
        unread = re.match(r"[,.]?\s*([^;]*?\d[^;]*?)(?:;|\.(?=\s+[" + CAPITAL + r"])|\.?$)", rest)
        if unread and not re.match(r"\.?\s+[" + CAPITAL + "]", rest) and not (loc and loc.group(0).strip(",. ")):
            # 'Ibid., Bl. 9–11': a locator the resolver cannot read; which source it repeats is not certain
            end = m.end() + len(rest) - len(rest[unread.end(1):])
            out.append(unlinked(text, m.start(), end, f"'{text[m.start():end]}': what follows Ibid. is no "
                                 "locator the resolver reads, so what it repeats is left open"))
            continue
        printed = text[m.start():m.end() + (loc.end() if loc and loc.group(0).strip(",. ") else 0)]
        out.append(Item(Citation("", "ibid", m.start(), printed.rstrip(" ,"),
                                  locator=(loc.group("loc") or "").strip() if loc else "",
                                  dates=(loc.group("dates") or "") if loc else ""), "antecedent",
                        printed_in=printed_in))
    return out


_DATE = (r"(?:\d{1,2}\s+)?(?:" + "|".join(m.capitalize() for m in MONTHS[:12]) + r")\.?(?:\s+\d{1,2},)?\s+\d{4}"
         r"|(?:1[6-9]|20)\d\d")
DESCRIBED = re.compile(rf"[,.:]\s+(?!(?:and|or|see|also|cf|in|quoted|cited|p|pp|l|ll|f|d|op|vol|bl|fol|k|s)\b"
                       rf"|[{SMALL}]{{1,5}}\.\s*\d)"
                       rf"[{SMALL}][\w'’-]*(?:,?\s+(?:{_DATE}|[^\W\d_][\w'’-]*))*(?=\s*(?:[;)]|\.(?:\s|$)|$))")
"""After an Ibid., words that describe the document cited (in lower case, dates their only figures), up to the
end of the clause: 'Ibid., political report of 10 July 1941.', 'Ibid., letter to Molotov.'"""


def find_xrefs(note: Note, count: int) -> list[Item]:
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
                out.append(Item(Citation("", "xref", start, note.text[start:end], to_note=n, confidence="high",
                                          evidence=f"cross-reference to note {n}")))
    return out


CITATIONISH = re.compile(r",\s*(?:pp?\.\s*)?\d+(?:\s*[–−-]\s*\d+)?\.?$|\*[^*]+\*\s*(?:,\s*(?:no\.|vol\.|\d)|\()"
                         r"|\b(?:box|folder|file|fol|fols|ff?|no|nos|p|pp|vol|vols|ll?|bl|k|kk|sygn|nr|bd|rg)\.?\s+\d"
                         r"|\d+/\d+|\b\d{3}\.\d", re.IGNORECASE)
"""A stretch of a note that reads like a citation: ends with a page, holds an italic title with an issue,
volume, page or imprint after it, a locator, or a shelfmark of another system ('Bl. 5', 'sygn. 158/VII-2,
k. 45', 'RG 59, 860M.00/412', 'FO 371/24843')."""
_SEGMENT = re.compile(rf"[^;]+?(?:;|\.(?=\s+[{CAPITAL}*'‘\"“])|$)")


def find_unread(note: Note, taken: list[Item]) -> list[Item]:
    """Clauses and sentences that read like a citation but hold nothing the finders recognised ('Hoover
    Institution Archives, box 3'): unreported by themselves, they stand between an 'Ibid.' and an older
    citation, which it must not repeat."""
    out = []
    for m in _SEGMENT.finditer(note.text):
        start, end = m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.end()
        if any(i.start < end and start < i.end for i in taken) or not CITATIONISH.search(m.group(0).strip()):
            continue
        out.append(Item(Citation("", "unread", start, note.text[start:end].rstrip(";")), needs="unread"))
    return out


def _items(note: Note, index: Index, known: list[str], count: int,
           full: list[FullCitation]) -> list[Item]:
    """Everything the note cites, in the order it stands; earlier finders take precedence."""
    taken: list[Item] = [Item(Citation("", "work", f.start, note.text[f.start:f.end], target=f.entry.key,
                                       locator=f.locator, confidence="high",
                                       evidence=f"cited in full; the work's entry is read from note {f.entry.note}"))
                         for f in full]

    def add(items):
        for item in items:
            if not any(item.start < t.end and t.start < item.end for t in taken):
                taken.append(item)

    add(find_ibids(note))
    add(find_archival(note, known, taken))
    add(find_xrefs(note, count))
    add(find_periodicals(note, index, taken))
    add(find_idem(note))
    add(find_works(note, index))
    add(find_author_date(note, index))
    add(find_author_led(note, index, taken))
    add(find_unmatched(note, taken))
    add(find_unread(note, taken))
    return sorted(taken, key=lambda i: i.start)


def _cited_in_full(edition: Edition) -> list[FullCitation]:
    """The full citations of the notes of an article that prints no bibliography of works (cited_works, imported
    only then: its grammar costs every other build some 8 ms to compile)."""
    if any(e.type not in ("archive", "periodical") for e in edition.bibliography):
        return []
    from . import cited_works
    return cited_works.gather(edition)


def link(edition: Edition) -> tuple[list[Doubt], list[Repair]]:
    """Fill each note's citations; return the doubts (what resolves to nothing) and the repairs
    (damaged locators read by rule)."""
    full = _cited_in_full(edition)
    if full:  # an article without a bibliography: its works are those its notes cite in full
        edition.bibliography = [e for e in edition.bibliography if e.note is None] + list(
            {id(f.entry): f.entry for f in full}.values())
    by_note: dict[int, list[FullCitation]] = {}
    for f in full:
        by_note.setdefault(f.note, []).append(f)
    index = Index(edition.bibliography)
    known = known_archives(edition)
    outcome = Outcome()
    before: Citation | Item | None = None  # the last thing the previous note cites
    publication: Citation | Item | None = None  # the last thing cited that is no archival file, for 'in ibid.'
    within: set[str] = set()  # the files cited in brackets after the pages of a publication printing the document
    by_n = {n.n: n for n in edition.notes}
    for note in edition.notes:
        resolved: list[Citation] = []
        last: Citation | Item | None = None
        chain = None  # the shelfmark of the last citation made
        for item in _items(note, index, known, len(edition.notes), by_note.get(note.n, [])):
            if item.citation.kind == "xref":
                resolved.append(_numbered(item.citation, note, resolved))
                if last is None:  # 'See note 4 above.' standing for a citation: an Ibid. after it repeats note 4's
                    last = _through_xref(item, by_n.get(item.citation.to_note), note)
                continue
            antecedent = publication if item.printed_in else last if last is not None else before
            citations = _resolve(item, antecedent, last is not None, note, index, known, outcome,
                                 getattr(antecedent, "id", None) in within)
            if not citations:
                last = item
                if item.doubt_kind != "unresolved-archival" and item.citation.kind != "archive":
                    publication = item
                continue
            for i, citation in enumerate(citations):
                if (i or item.chain is not None and item.chain is chain) and not citation.repeats:
                    # the further files of 'dd. 87, 88' take the levels above the delo from the first
                    citation = replace(citation, repeats=resolved[-1].id)
                citation = _numbered(citation, note, resolved)
                if not citation.printed and resolved and resolved[-1].printed:
                    rng = item.chain.get("delo")
                    outcome.repairs.append(Repair("range-expanded", note.lines[0], f"note {note.n}: a range of "
                                                  f"files read as each file within it", note.text[rng.start:rng.end],
                                                  ", ".join(rng.several)))
                resolved.append(citation)
                last = citation
                if citation.archive is None:
                    publication = citation
                if item.within:
                    within.add(citation.id)
                defined = re.search(HEREAFTER, citation.printed) if citation.kind == "work" else None
                if defined:
                    index.define(citation.target, defined.group("alias"), note.n)
            chain = item.chain
        note.citations = resolved
        before = last
    return outcome.doubts, outcome.repairs


def _through_xref(item: Item, referred: Note | None, note: Note) -> Citation | Item:
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


def _resolve(item: Item, antecedent, same_note: bool, note: Note, index: Index, known: list[str], outcome: Outcome,
             antecedent_within: bool = False) -> list[Citation]:
    """The item's citations in context (several for 'dd. 87, 88' continuing a file), or none (the doubt
    reported) when the evidence does not hold."""
    c = item.citation
    if item.doubt:
        doubt(outcome, note, item, item.doubt, item.doubt_kind)
        return []
    if item.needs == "unread":
        return []
    if item.chain is not None and c.archive is not None:
        ocr_repairs(item, note, outcome, c.archive)
    if not item.needs:
        return [c]
    what = {"antecedent": f"'{c.printed}' repeats", "file": f"'{c.printed}' continues",
            "author": f"'{c.printed}' names the author of"}[item.needs]
    if antecedent is None:
        where = "the citation before it in this note" if same_note else "a citation of the note before"
        doubt(outcome, note, item, f"{what} {where}, and there is none the resolver recognised",
              "unresolved-archival" if item.needs == "file" else "unresolved-citation")
        return []
    if (isinstance(antecedent, Item) and antecedent.continues is not None and item.chain is not None
            and item.chain.top != "listy"):
        antecedent = antecedent.continues  # 'Там же. Д. 627' after folios of uncertain file: its opis is certain
    if isinstance(antecedent, Item):
        doubt(outcome, note, item, f"{what} '{antecedent.citation.printed}', which is not a recognised "
              f"citation; left unlinked rather than linked to an older one",
              "unresolved-archival" if item.needs == "file" else "unresolved-citation")
        return []
    if item.needs == "file":
        return continue_file(item, antecedent, same_note, note, known, outcome)
    if item.needs == "author":
        found = idem(item, antecedent, note, index, outcome)
        return [found] if found else []
    found = _ibid(item, antecedent, note, outcome, antecedent_within)
    return [found] if found else []


def _ibid(item: Item, antecedent: Citation, note: Note, outcome: Outcome, within: bool = False) -> Citation | None:
    c = item.citation
    out = replace(c, kind="ibid", target=antecedent.target, archive=antecedent.archive,
                  periodical=antecedent.periodical, dates=c.dates or antecedent.dates, repeats=antecedent.id,
                  confidence=antecedent.confidence or "high", evidence=f"repeats {antecedent.id}")
    if item.chain is not None:
        if antecedent.archive is None:
            doubt(outcome, note, item, f"'{c.printed}' gives a shelfmark, but the citation it repeats "
                  f"({antecedent.id}) is no archival file", "unresolved-archival")
            return None
        read = files(note.text, c.offset, antecedent.archive.archive, item.chain, out.evidence, antecedent.archive)
        if read[0].doubt or len(read) > 1:
            doubt(outcome, note, read[0], read[0].doubt or f"'{c.printed}': an Ibid. of several files",
                  "unresolved-archival")
            return None
        out.archive, out.locator = read[0].citation.archive, c.locator
        ocr_repairs(item, note, outcome, out.archive)
        return out
    if antecedent.archive is not None and c.locator:
        folios = re.fullmatch(r"(?:pp?\.\s*)?(\d+[a-z]?(?:\s*[–−-]\s*\d+[a-z]?)?)", c.locator)
        if within:  # '…, 84–5 (TsA FSB, f. 3, …).' then 'Ibid., 86.': a page of the publication, or a folio?
            doubt(outcome, note, item, f"'{c.printed}' repeats {antecedent.id}, a file cited in brackets after the "
                  f"pages of a publication that prints the document: whether '{c.locator}' is a page of the "
                  f"publication or a folio of the file is not said", "archival-locator")
            return None
        if folios:  # 'Ibid., 14.', 'Ibid., p. 57.': of a file, only its folios
            out.archive = replace(antecedent.archive, listy=folios.group(1))
            if folios.group(1) == c.locator:
                outcome.repairs.append(Repair("bare-folio", note.lines[0], f"note {note.n}: a bare number after "
                                              f"an Ibid. of an archival file is a folio", c.printed,
                                              f"l. {c.locator}"))
        else:
            doubt(outcome, note, item, f"'{c.printed}' repeats an archival file but its locator "
                  f"'{c.locator}' is no folio", "archival-locator")
            return None
    if not c.locator:
        out.locator = antecedent.locator
    return out


def propagate(edition: Edition) -> None:
    """After the editor re-pointed an Ibid., the Ibid.s that repeat it follow."""
    by_id: dict[str, Citation] = {}
    for note in edition.notes:
        for i, c in enumerate(note.citations):
            if c.kind == "ibid" and not c.editorial and c.repeats in by_id:
                fresh = find_ibids(Note(note.n, c.printed, note.lines))[0]
                fresh.citation = replace(fresh.citation, id=c.id, offset=c.offset)
                note.citations[i] = c = _ibid(fresh, by_id[c.repeats], note, Outcome()) or c
            by_id[c.id] = c
