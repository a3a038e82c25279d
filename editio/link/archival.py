"""Archival references: the shelfmarks a note prints (read by the grammar in shelfmark.py), the archive
named before each, and the levels a shelfmark takes from the file it continues."""
from __future__ import annotations

import re

from ..records import ArchivalRef, Citation, Edition, Note, Repair
from . import shelfmark
from .items import Item, Outcome


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


def find_archival(note: Note, known: list[str], taken: list[Item]) -> list[Item]:
    out = []
    text = note.text
    for chain in shelfmark.chains(text):
        if any(i.start <= chain.start < i.end for i in taken):
            continue
        name = shelfmark.archive_before(text, chain.start, known) if chain.top == "fond" else None
        if name is None and len(chain.elements) == 1 and chain.top == "fond":
            continue  # 'f. 218' alone, no archive before it: a folio in the British manner, no fond
        if name is None:
            out.append(Item(Citation("", "archive", chain.start, text[chain.start:chain.end]), "file", chain))
            continue
        ref = ArchivalRef(name.abbreviation, *levels(chain))
        how = "spelled out, with the abbreviation it defines" if name.defined else "abbreviated shelfmark"
        out.append(Item(Citation("", "archive", name.start, text[name.start:chain.end], locator=ref.listy,
                                  archive=ref, confidence="high", evidence=f"archival reference ({how})"),
                         chain=chain))
    return out


def levels(chain: shelfmark.Chain, base: ArchivalRef | None = None) -> tuple[str, str, str, str]:
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


def ocr_repairs(item: Item, note: Note, outcome: Outcome, ref: ArchivalRef) -> None:
    for e in item.chain.elements:
        if e.ocr:
            outcome.repairs.append(Repair("folio-abbreviation", note.lines[0],
                                          f"note {note.n}: '1.' before the folios of an archival file is the "
                                          f"abbreviation 'l.' misread", f"1. {e.value}", f"l. {e.value}"))
