"""Archival references: the shelfmarks a note prints (read by the grammar in shelfmark.py), the archive
named before each, and the levels a shelfmark takes from the file it continues."""
from __future__ import annotations

import re
from dataclasses import replace

from ..records import ArchivalRef, Citation, Edition, Note, Repair
from . import shelfmark
from .items import Item, Outcome, doubt, unlinked


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
        name = (shelfmark.archive_before(text, chain.start, known) or shelfmark.archive_after(text, chain)
                if chain.top == "fond" or chain.case_file else None)
        if name is None and len(chain.elements) == 1 and chain.top == "fond":
            continue  # 'f. 218' alone, no archive before it: a folio in the British manner, no fond
        if name is None:
            out.append(Item(Citation("", "archive", chain.start, text[chain.start:chain.end]), "file", chain))
            continue
        how = "spelled out, with the abbreviation it defines" if name.defined else "abbreviated shelfmark"
        out.extend(files(text, name.start, name.abbreviation, chain, f"archival reference ({how})", end=name.end))
    return out


def files(text: str, start: int, archive: str, chain: shelfmark.Chain, evidence: str,
          base: ArchivalRef | None = None, end: int = 0) -> list[Item]:
    """The file (or the files: 'dd. 87, 88') a shelfmark gives, printed from start (to end, when the archive
    is named after it); or, when the grammar cannot read the whole of it, one doubt quoting it (never a file
    with a level missing or cut short)."""
    values = levels(chain, base)
    # Fond and delo always; an opis only where the shelfmark (or the file it continues) prints one: 'f. 454,
    # d. 7' has none, its archive numbering the files within the fond.
    case_file = chain.case_file or base is not None and not base.fond
    missing = [level for level, value in zip(shelfmark.LEVELS[:3], values)
               if not value and level != "opis" and not (level == "fond" and case_file)]
    unread = None if end else shelfmark.unread_after(text, chain)
    end = end or (chain.end if unread is None else shelfmark.clause_end(text, unread.end()))
    printed = text[start:end]
    if missing or unread is not None:
        why = (f"it gives no {' and no '.join(missing)}" if missing
               else f"'{unread.group('what')}' after it is no level the grammar reads")
        return [unlinked(text, start, end, f"'{printed}' is read as a shelfmark only in part: {why}; no file is "
                         f"made rather than one shown without a level", "unresolved-archival")]
    delo = chain.get("delo") or shelfmark.Element("delo", values[2], start, start)
    if delo.ranged and not delo.more:
        return [unlinked(text, start, end, f"'{printed}': a range of files that runs backwards or over more than "
                         f"{shelfmark.RANGE} files; which files it means is left to the editor", "unresolved-archival")]
    if delo.more and values[3]:
        return [unlinked(text, start, end, f"'{printed}': several files and folios after them; which file the "
                         f"folios belong to is not said", "unresolved-archival")]
    first = ArchivalRef(archive, *values, tom=chain.tom or (base.tom if base and chain.top == "listy" else ""))
    # Each further file of 'dd. 87, 88' is its own citation, printed as its number; those within a range
    # ('Dd.1242–6') have no number of their own in print: empty citations at the range's end, which the page
    # shows as the edition's expansion of the range.
    spans = [(start, delo.first_end if delo.more else end, first)] + [
        (at, till, replace(first, delo=shelfmark.normal(value))) for value, at, till in delo.more]
    within = f"; a file within the range '{text[delo.start:delo.end]}'"
    printed_in = bool(re.search(r"\d\s*\(\s*$", text[:start]))
    return [Item(Citation("", "archive", a, text[a:b], locator=ref.listy, archive=ref, confidence="high",
                          evidence=evidence + (within if a == b else "")), chain=chain, within=printed_in)
            for a, b, ref in spans]


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
            right = "l." if e.ocr == "1." else "ll."
            outcome.repairs.append(Repair("folio-abbreviation", note.lines[0],
                                          f"note {note.n}: '{e.ocr}' before the folios of an archival file is the "
                                          f"abbreviation '{right}' misread", f"{e.ocr} {e.value}", f"{right} {e.value}"))


def _pages(folios: str) -> set[int] | None:
    """The folios a listing names, as numbers ('1–32' → 1 to 32, '12–4' → 12 to 14); None when it names
    versos or lettered folios, which are not compared."""
    out: set[int] = set()
    for part in re.split(r"\s*(?:,|and|и|&)\s*", folios.strip()):
        m = re.fullmatch(r"(\d+)(?:\s*[-–—−]\s*(\d+))?", part)
        if not m:
            return None
        first, last = m.group(1), m.group(2) or m.group(1)
        last = first[:max(0, len(first) - len(last))] + last
        out |= set(range(int(first), int(last) + 1))
    return out


def _among(folios: str, cited: str) -> bool:
    """Whether folios are among those just cited (so naming them again cites nothing new)."""
    these, those = _pages(folios), _pages(cited) if cited else None
    return bool(these and those and these <= those)


def continue_file(item: Item, antecedent: Citation, same_note: bool, note: Note, known: list[str],
                  outcome: Outcome) -> list[Citation]:
    """A shelfmark printed without its archive ('…; d. 413, ll. 2–3', '…; f. 12, op. 27, d. 2'): the file (or
    files) it gives, the levels above the first it prints taken from the file cited just before in the same
    note, with no other archive's name between (for folios, one the notes use as an archive or of another
    system: 'ЦК ВКП(б)' names the document's author; for a higher level, any abbreviation); otherwise a doubt. Folios after a file cited without any are that citation's folios
    ('д. 62. ЦК ВКП(б). Совещание …, л. 7–29'): they complete it rather than cite the file again."""
    top = item.chain.top
    parent = shelfmark.LEVELS[shelfmark.LEVELS.index(top) - 1] if top != "fond" else "archive"
    if parent == "opis" and not antecedent.archive.opis and antecedent.archive.fond:
        parent = "fond"  # 'AGTsTM, f. 454, d. 7, d. 16': a fond without opisi numbers its files itself
    between = note.text[antecedent.offset + len(antecedent.printed):item.start]
    other = next((m for m in re.finditer(rf"(?<![\w-]){shelfmark.ABBREVIATION}", between)
                  if m.group(0) in known or m.group(0) in shelfmark.OTHER_SYSTEMS or top != "listy"), None)
    number = shelfmark.loose_number(between) if top == "listy" else None
    problem = ("no archival file: it names no archive and follows no file in this note"
               if antecedent.archive is None or not same_note
               else f"'{antecedent.printed}', which names no {parent}: the levels between them are not printed"
               if not getattr(antecedent.archive, parent) else
               f"'{antecedent.printed}' across '{other.group(0)}', which may name another archive" if other else
               f"'{antecedent.printed}' across '{number}', which may be another file" if number else "")
    if problem:
        doubt(outcome, note, item, f"'{item.citation.printed}' continues {problem}", "unresolved-archival")
        if number and not other:
            item.continues = antecedent
        return []
    if top == "listy" and _among(item.chain.get("listy").value, antecedent.archive.listy):
        return []  # '…, d. 79, ll. 1–32 (quotations from ll. 31–32)': the folios just cited, said again
    if top == "listy" and not antecedent.archive.listy and antecedent.kind == "archive":
        folios = item.chain.get("listy").value
        antecedent.archive = replace(antecedent.archive, listy=folios, tom=item.chain.tom or antecedent.archive.tom)
        antecedent.locator = folios
        return [replace(item.citation, kind="folios", archive=antecedent.archive, locator=folios,
                        repeats=antecedent.id, confidence="high",
                        evidence=f"the folios of the file cited just before without any ({antecedent.id})")]
    how = "folios" if top == "listy" else f"{top} and what follows"
    read = files(note.text, item.start, antecedent.archive.archive, item.chain,
                 f"{how} of the file cited just before ({antecedent.id})", antecedent.archive)
    if read[0].doubt:
        doubt(outcome, note, read[0], read[0].doubt, read[0].doubt_kind)
        return []
    ocr_repairs(item, note, outcome, read[0].citation.archive)
    return [replace(i.citation, repeats=antecedent.id) for i in read]
