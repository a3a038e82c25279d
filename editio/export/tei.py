"""TEI P5 export (valid against tei_all 2.7). the encoding:

- teiHeader: titleStmt (title, author, respStmt xml:id="editor": the editor every resp="#editor"
  points to); publicationStmt; sourceDesc/biblStruct of the article as published (analytic
  title and authors, idno type="DOI"; monogr journal title, ISSN, imprint with biblScope
  volume/issue/page and date) with a note naming the seed and its SHA-256;
  encodingDesc/editorialDecl: the principles, with the counts of the report's repairs.
- text/front: titlePage/docTitle/titlePart xml:id="title" (the title as it stands above the text,
  with its note), docAuthor; div type="abstract". text/body: one div type="section"
  xml:id=SECTION per section (head unless it is the untitled opening), one p xml:id=BLOCK per paragraph.
- Notes: note place="end" n="N" xml:id="note-N", placed at their marker, the note's text inside
  (p per paragraph when it has several). A marker the editor restored: type="restored"
  resp="#editor" ana="#restored-note-N". A marker repaired from the sequence (the source prints
  another number): ana="#repaired-note-N". A note whose marker is lost and not restored stands in
  back/div type="notes" subtype="unanchored" (a p per note, with a ref to the paragraph where the
  report says the marker stood), never at a guessed place.
- Printed pages (a PDF seed): pb n="PAGE" where each page of the print begins, in the text, and in a note
  only where its page did not begin in the text before (endnotes; a footnote's pages are the text's).
- Emendations: choice/sic (the source) + corr resp="#editor" ana="#emendation-PLACE-OFFSET" (the edition).
- Lacunae: gap reason="lost" resp="#editor" with desc (the evidence).
- Reasons: the editor's reason for each restored marker and emendation, and the evidence of each
  repaired marker, is an interp in back/interpGrp type="editorial", which ana points to.
- Emphasis: hi rend="italic" (rend="bold" for strong emphasis).
- Citations in notes: bibl xml:id=CITATION wrapping the citation as printed; a work (or an Ibid.
  of one): bibl/ref target="#KEY" -> back/div type="bibliography"/listBibl/biblStruct
  xml:id=KEY type=book|article-journal|chapter|thesis (analytic for articles and chapters,
  monogr, imprint; note type="printed": the entry as the source prints it; for an article without a
  bibliography, the works its notes cite in full, note type="source" ref to the note the entry is read from).
  An archival file (or an Ibid. of one): bibl type="archival"/ref target="#file-ARCHIVE-F-OP-D"
  -> back/listBibl type="archival"/msDesc xml:id=that, msIdentifier = repository (archive),
  collection type="fond", collection type="opis", idno type="delo"; msContents holds an msItem
  per citation: locus (the tom and folios cited: 't. 1, ll. 3–5') and p "Cited in" ref target="#CITATION".
  A periodical: bibl type="periodical" with title level="j" and date around the title and the
  dates as printed. A citation the linker resolved to nothing stays plain text.
- Ids that would not be XML names (starting with a digit) are prefixed with "id-".
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from lxml import etree

from ..records import BibEntry, Block, Citation, Edition, Note, Person, Report
from ..render import Delo, archive_index
from .text import names, ncname, paragraphs, plain_text, runs

TEI_NS = "http://www.tei-c.org/ns/1.0"
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
# Elements whose content is elements only: indented in the file. All others are mixed content,
# where added whitespace would change the text, and are written exactly as built.
_CONTAINERS = set("""TEI teiHeader fileDesc titleStmt respStmt publicationStmt sourceDesc biblStruct analytic
    monogr imprint encodingDesc editorialDecl correction normalization hyphenation segmentation interpretation
    text front titlePage docTitle body back div listBibl msDesc msIdentifier msContents msItem interpGrp""".split())


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    """A TEI element appended to parent (attribute xml_id is xml:id; None values are left out)."""
    el = etree.SubElement(parent, f"{{{TEI_NS}}}{tag}")
    for name, value in attrs.items():
        if value is not None:
            el.set(_XML_ID if name == "xml_id" else name, str(value))
    el.text = text
    return el


@dataclass
class _Mark:
    """Markup at a stretch [start, end) of a text, or at a point (start == end).

    make(parent, styles) appends the markup to parent and returns the element the stretch's
    text goes into (None for a point). An atomic mark (an emendation) is never cut by another:
    boundaries falling inside it move to its edges."""

    start: int
    end: int
    make: Callable
    atomic: bool = False


def _outside(pos: int, atoms: list[_Mark], to_end: bool) -> int:
    for a in atoms:
        if a.start < pos < a.end:
            return a.end if to_end else a.start
    return pos


def _fill(parent, text: str, marks: list[_Mark], styles: tuple = ()) -> None:
    """Append the Markdown text to parent with the marks in place, emphasis as hi.

    hi is always the innermost element, cut wherever a mark begins or ends, so every element
    nests; marks themselves nest (citations do not overlap one another, emendations are atomic)."""
    atoms = [m for m in marks if m.atomic]
    marks = [m if m.atomic else dataclasses.replace(
        m, start=_outside(m.start, atoms, m.start == m.end), end=_outside(m.end, atoms, True)) for m in marks]
    cuts = sorted({m.start for m in marks} | {m.end for m in marks})
    stack: list[tuple[_Mark, etree._Element]] = [(_Mark(0, len(text), None), parent)]
    for item, inner in runs(text, cuts):
        if isinstance(item, str):
            _append_text(stack[-1][1], item, styles + inner)
            continue
        pos = cuts[item]
        while stack[-1][0].end == pos and len(stack) > 1:
            stack.pop()
        for m in sorted((m for m in marks if m.start == pos), key=lambda m: (m.end > m.start, -m.end, m.atomic)):
            el = m.make(stack[-1][1], styles + inner)
            if m.end > m.start:
                stack.append((m, el))


def _append_text(parent, text: str, styles: tuple) -> None:
    if styles:
        rend = " ".join(dict.fromkeys(styles))
        last = parent[-1] if len(parent) else None
        if last is not None and last.tag == f"{{{TEI_NS}}}hi" and last.get("rend") == rend and not last.tail:
            last.text += text
        else:
            _el(parent, "hi", text, rend=rend)
    elif len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


class _TEI:
    """One edition's TEI document, built in reading order; interps collect the editor's reasons."""

    def __init__(self, edition: Edition):
        self.edition = edition
        self.notes = {note.n: note for note in edition.notes}
        self.starts = edition.page_starts()
        self.interps: list[tuple[str, str]] = []

    def reason(self, xml_id: str, text: str) -> str:
        self.interps.append((xml_id, text))
        return f"#{xml_id}"

    # Text blocks and notes

    def block(self, parent, block: Block) -> None:
        marks = [_Mark(m.offset, m.offset, self._note_maker(m)) for m in block.markers]
        marks += [_Mark(g.offset, g.offset, lambda p, s, g=g: self._gap(p, g)) for g in block.gaps]
        marks += self._emendations(block, block.id) + self._pbs(block.id)
        _fill(parent, block.text, marks)

    def _pbs(self, key: str) -> list[_Mark]:
        """pb where a printed page begins, once: a footnote's page began in the text already."""
        return [_Mark(at, at, lambda p, s, page=page: _el(p, "pb", n=page))
                for at, page, first in self.starts.get(key, []) if first]

    def _gap(self, parent, gap):
        el = _el(parent, "gap", reason="lost", resp="#editor")
        _el(el, "desc", plain_text(gap.reason))

    def _emendations(self, item, place: str) -> list[_Mark]:
        def make(parent, styles, e):
            choice = _el(parent, "choice")
            _fill(_el(choice, "sic"), e.source, [], styles)
            why = self.reason(f"emendation-{place}-{e.offset}", f"The source reads: {e.source} — {e.reason}")
            return _el(choice, "corr", resp="#editor", ana=why)
        return [_Mark(e.offset, e.offset + len(e.edition), lambda p, s, e=e: make(p, s, e), atomic=True)
                for e in item.emendations]

    def _note_maker(self, marker):
        def make(parent, styles):
            ana = []
            if marker.editorial:
                ana.append(self.reason(f"restored-note-{marker.n}",
                                       f"Marker of note {marker.n} restored by the editor: {marker.reason or ''}"))
            if marker.printed_n is not None:
                ana.append(self.reason(f"repaired-note-{marker.n}", f"The source prints {marker.printed_n}; "
                                       f"the sequence of notes shows it is {marker.n}."))
            self.note(parent, self.notes[marker.n], type="restored" if marker.editorial else None,
                      resp="#editor" if marker.editorial else None, ana=" ".join(ana) or None)
        return make

    def note(self, parent, note: Note, **attrs) -> None:
        el = _el(parent, "note", place="end", n=note.n, xml_id=f"note-{note.n}", **attrs)
        marks = ([m for c in note.citations for m in self._citation(c)] + self._emendations(note, f"note-{note.n}")
                 + self._pbs(f"note-{note.n}"))
        parts = paragraphs(note.text)
        if len(parts) == 1 and parts[0] == (0, len(note.text)):
            _fill(el, note.text, marks)
            return
        for start, end in parts:
            inside = [dataclasses.replace(m, start=max(m.start, start) - start, end=min(m.end, end) - start)
                      for m in marks if m.start < end and m.end > start]
            _fill(_el(el, "p"), note.text[start:end], inside)

    def _citation(self, c: Citation) -> list[_Mark]:
        """The bibl around a citation as printed, with what it points to."""
        start, end = c.offset, c.offset + len(c.printed)

        def bibl(kind: str | None, target: str):
            def make(parent, styles):
                return _el(_el(parent, "bibl", xml_id=ncname(c.id), type=kind), "ref", target=target)
            return _Mark(start, end, make)

        if c.archive is not None:
            a = c.archive
            if not c.printed:  # a file within a printed range ('Dd.1242–6'): supplied by the edition
                def supplied(parent, styles):
                    bibl = _el(_el(parent, "supplied", reason="range", resp="#editor"), "bibl", xml_id=ncname(c.id),
                               type="archival")
                    return _el(bibl, "ref", f"d. {a.delo}", target="#" + Delo(a.archive, a.fond, a.opis, a.delo, []).id)
                return [_Mark(start, start, supplied)]
            return [bibl("archival", "#" + Delo(a.archive, a.fond, a.opis, a.delo, []).id)]
        if c.target:
            return [bibl(None, f"#{ncname(c.target)}")]
        if not c.periodical:
            return []
        marks = [_Mark(start, end, lambda p, s: _el(p, "bibl", xml_id=ncname(c.id), type="periodical"))]
        for value, make in ((c.periodical, lambda p, s: _el(p, "title", level="j")),
                            (c.dates, lambda p, s: _el(p, "date"))):
            at = c.printed.find(value) if value else -1
            if at >= 0:
                marks.append(_Mark(start + at, start + at + len(value), make))
        return marks

    # The document

    def build(self, report: Report) -> etree._Element:
        ed, m = self.edition, self.edition.metadata
        tei = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
        _header(tei, self.edition, report)
        text = _el(tei, "text")
        front = _el(text, "front")
        title_page = _el(front, "titlePage")
        self.block(_el(_el(title_page, "docTitle"), "titlePart", type="main", xml_id=ncname(ed.title.id)), ed.title)
        for author in m.authors:
            _el(title_page, "docAuthor", author)
        if ed.abstract:
            self.block(_el(_el(front, "div", type="abstract"), "p", xml_id=ncname(ed.abstract.id)), ed.abstract)
        body = _el(text, "body")
        for section in ed.sections:
            div = _el(body, "div", type="section", xml_id=ncname(section.id))
            if section.heading:
                self.block(_el(div, "head"), section.heading)
            for paragraph in section.paragraphs:
                self.block(_el(div, "p", xml_id=ncname(paragraph.id)), paragraph)
        self.back(_el(text, "back"), report)
        _indent(tei)
        return tei

    def back(self, back, report: Report) -> None:
        ed = self.edition
        anchored = {mk.n for b in ed.blocks() for mk in b.markers}
        lost = [note for note in ed.notes if note.n not in anchored]
        if lost:
            div = _el(back, "div", type="notes", subtype="unanchored")
            _el(div, "head", "Notes whose markers the source lost")
            stretches = {d.note: d for d in report.doubts if d.kind == "unanchored-note" and d.block}
            for note in lost:
                p = _el(div, "p", f"Note {note.n}")
                if note.n in stretches:  # the report says where the marker must have stood
                    d = stretches[note.n]
                    _append_text(p, " (its marker must have stood in: ", ())
                    _fill(_el(p, "ref", target=f"#{ncname(d.block)}"), d.excerpt or d.block, [])
                    _append_text(p, ")", ())
                _append_text(p, ": ", ())
                self.note(p, note)
        _references(back, ed)
        if self.interps:
            group = _el(_el(back, "div", type="apparatus"), "interpGrp", type="editorial")
            for xml_id, text in self.interps:
                _el(group, "interp", plain_text(text), xml_id=xml_id)


def _header(tei, edition: Edition, report: Report) -> None:
    """teiHeader: the edition, the article as published, the editorial principles."""
    m = edition.metadata
    header = _el(tei, "teiHeader")
    file_desc = _el(header, "fileDesc")
    title_stmt = _el(file_desc, "titleStmt")
    _fill(_el(title_stmt, "title"), m.title, [])
    for author in m.authors:
        _el(title_stmt, "author", author)
    resp = _el(title_stmt, "respStmt", xml_id="editor")
    _el(resp, "resp", "edited (emendations, restored note markers, lacunae and citation links) by")
    _el(resp, "name", "the editor of this edition")
    _el(_el(file_desc, "publicationStmt"), "p",
        "A digital edition of the article, generated by editio from the text of the article as "
        "published and the editor's recorded decisions.")
    _source(_el(file_desc, "sourceDesc"), edition)
    _principles(_el(_el(header, "encodingDesc"), "editorialDecl"), edition, report)

def _source(source_desc, ed: Edition) -> None:
    m = ed.metadata
    struct = _el(source_desc, "biblStruct", type="article-journal")
    analytic = _el(struct, "analytic")
    for author in m.authors:
        _el(analytic, "author", author)
    _fill(_el(analytic, "title", level="a"), m.title, [])
    if m.doi:
        _el(analytic, "idno", m.doi, type="DOI")
    monogr = _el(struct, "monogr")
    _el(monogr, "title", m.journal, level="j")
    for issn in re.findall(r"\b\d{4}-\d{3}[\dXx]\b", m.issn):
        _el(monogr, "idno", issn, type="ISSN")
    imprint = _el(monogr, "imprint")
    _scopes(imprint, m.volume, m.issue, m.pages)
    _date(imprint, m.year)
    _el(struct, "note", f"Edited from a PDF-to-text extraction of the article: {ed.source.path} "
                        f"({ed.source.lines} lines, SHA-256 {ed.source.sha256}).", type="source")

def _principles(decl, edition: Edition, report: Report) -> None:
    blocks = list(edition.blocks())
    count = Counter(r.kind for r in report.repairs)
    repairs = ", ".join(f"{n} {kind}" for kind, n in sorted(count.items())) or "none"
    emendations = sum(len(b.emendations) for b in blocks) + sum(len(n.emendations) for n in edition.notes)
    restored = sum(1 for b in blocks for mk in b.markers if mk.editorial)
    sections = {
        "correction": f"Readings of the source the editor changed ({emendations}) are encoded as choice: "
                      "sic holds the source's reading, corr resp=\"#editor\" the edition's, and its ana "
                      "points to the editor's reason (an interp in back). Text lost in the source "
                      f"({sum(len(b.gaps) for b in blocks)}) is a gap reason=\"lost\" with the evidence in desc.",
        "normalization": "Spelling, punctuation and quotation marks are the source's, except where an "
                         "emendation is marked. The damage of the "
                         "extraction is repaired by rule where the text itself gives the evidence, and "
                         f"these repairs are not marked in the text (by kind: {repairs}); each is listed "
                         "with its evidence in the edition's report.",
        "hyphenation": "Words divided at line ends are rejoined, and hyphens lost at line ends restored, "
                       "where the text spells the word so elsewhere; the source's line ends are not recorded.",
        "segmentation": "Paragraphs broken off by a page break are rejoined where the next block continues "
                        "the sentence; page breaks, page numbers and running heads are not recorded.",
        "interpretation": "Notes stand at their markers. A marker the source lost and the editor restored "
                          f"({restored}) makes its note type=\"restored\" resp=\"#editor\", with ana "
                          "pointing to the reason; a note whose marker is lost and not restored stands in "
                          "back, never at a guessed place. Citations are linked to the bibliography, "
                          "the archival files and the periodicals they cite; the links are the resolver's "
                          "or the editor's.",
    }
    for tag, text in sections.items():
        _el(_el(decl, tag, **({"eol": "none"} if tag == "hyphenation" else {})), "p", text)


def _references(back, ed: Edition) -> None:
    """The bibliography (biblStruct) and the archival files cited (msDesc)."""
    div = _el(back, "div", type="bibliography")
    from_notes = bool(ed.bibliography) and all(e.note for e in ed.bibliography)
    _el(div, "head", "Works cited (the article prints no bibliography: each work as its notes first cite it in full)"
        if from_notes else "References")
    bibliography = _el(div, "listBibl")
    for entry in ed.bibliography:
        _bibl_struct(bibliography, entry)
    files = archive_index(ed)
    if files:
        archival = _el(div, "listBibl", type="archival")
        _el(archival, "head", "Archival files cited")
        for f in files:
            desc = _el(archival, "msDesc", xml_id=f.id)
            ident = _el(desc, "msIdentifier")
            _el(ident, "repository", f.archive)
            _el(ident, "collection", f.fond, type="fond")
            _el(ident, "collection", f.opis, type="opis")
            _el(ident, "idno", f.delo, type="delo")
            contents = _el(desc, "msContents")
            for n, place, cid in f.cited:
                item = _el(contents, "msItem")
                if place:
                    _el(item, "locus", place)
                cited = _el(item, "p", "Cited in ")
                _el(cited, "ref", f"note {n}", target=f"#{ncname(cid)}").tail = "."


def _scopes(parent, volume: str, issue: str, pages: str) -> None:
    for unit, value in (("volume", volume), ("issue", issue)):
        if value:
            _el(parent, "biblScope", value, unit=unit)
    if pages:
        ends = re.split(r"\s*[-–—]+\s*", pages)
        if len(ends) == 2 and all(e.isdigit() for e in ends) and len(ends[1]) < len(ends[0]):
            ends[1] = ends[0][:len(ends[0]) - len(ends[1])] + ends[1]  # 107–26 is 107 to 126
        _el(parent, "biblScope", pages, unit="page",
            **(dict(zip(("from", "to"), ends)) if len(ends) == 2 else {}))


def _date(parent, year: str) -> None:
    _el(parent, "date", year or None, when=year if re.fullmatch(r"\d{4}", year) else None)


def _person(parent, tag: str, person: Person) -> None:
    el = _el(parent, tag)
    if person.given:
        _el(el, "surname", person.family)
        _el(el, "forename", person.given)
    else:
        _el(el, "name", person.family)


def _bibl_struct(parent, entry: BibEntry) -> None:
    """An entry of the bibliography: analytic (article, chapter) and monogr, then the printed entry."""
    struct = _el(parent, "biblStruct", xml_id=ncname(entry.key), type=entry.type)
    role = "editor" if entry.role == "editor" else "author"
    part = entry.type in ("article-journal", "chapter")
    first = _el(struct, "analytic") if part else _el(struct, "monogr")
    for person in entry.authors:
        _person(first, role, person)
    _fill(_el(first, "title", level="a" if part else "m"), entry.title, [])
    monogr = _el(struct, "monogr") if part else first
    if part:
        _fill(_el(monogr, "title", level="j" if entry.type == "article-journal" else "m"), entry.container, [])
        for name in names(entry.container_editors):
            _el(monogr, "editor", " ".join(filter(None, (name.given, name.family))))
    if entry.edition:
        _el(monogr, "edition", entry.edition)
    imprint = _el(monogr, "imprint")
    if entry.place:
        _el(imprint, "pubPlace", entry.place)
    if entry.publisher:
        _el(imprint, "publisher", entry.publisher)
    _date(imprint, entry.year)
    _scopes(imprint, entry.volume, entry.issue, entry.pages)
    if entry.raw:
        _fill(_el(struct, "note", type="printed"), entry.raw, [])
    if entry.note:
        source = _el(struct, "note", "Read from its first full citation, in ", type="source")
        _el(source, "ref", f"note {entry.note}", target=f"#note-{entry.note}").tail = "."


def _indent(el, depth: int = 0) -> None:
    """Line breaks and indentation between the children of element-only containers."""
    if etree.QName(el).localname not in _CONTAINERS or not len(el):
        return
    el.text = "\n" + "  " * (depth + 1)
    for child in el:
        _indent(child, depth + 1)
        child.tail = "\n" + "  " * (depth + 1)
    el[-1].tail = "\n" + "  " * depth


def to_tei(edition: Edition, report: Report) -> str:
    """The edition as a TEI P5 document (encoding: the module's docstring)."""
    tei = _TEI(edition).build(report)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(tei, encoding="unicode") + "\n"

