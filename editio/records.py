"""Typed records passed between the stages, and written to / read from edition/ as YAML.

Field order is the key order in the YAML files, so it is part of the format:
change it only together with SCHEMA in yamlio.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Marker:
    """A note reference standing at a place in a block of text."""

    n: int
    """The note it calls."""
    offset: int
    """Characters of the block's text that precede the marker."""
    printed: str
    """The marker exactly as the source prints it, leading space included (' 14', '⁴⁷', '8')."""
    form: str
    """How it is printed: superscript, after-space, glued (to punctuation), after-quote, restored."""
    line: int
    """Source line it stands on (for a restored marker: the line of the words it follows)."""
    printed_n: int | None = None
    """The number the source prints when that is not n (a damaged marker repaired from the sequence)."""
    editorial: str | None = None
    """'restored' when the editor supplied a marker the source lost; otherwise absent."""
    reason: str | None = None
    """Why the editor placed a restored marker here."""


@dataclass
class Emendation:
    """A reading of the source the editor changed (from corrections.yaml)."""

    offset: int
    """Where the edition's reading starts in the text."""
    edition: str
    """The edition's reading."""
    source: str
    """What the source reads there."""
    reason: str
    """Why."""


@dataclass
class Gap:
    """A lacuna: text lost in the source, marked where it falls (from corrections.yaml)."""

    offset: int
    """Characters of the text before the gap."""
    reason: str
    """The evidence that text is lost here."""


@dataclass
class PageBreak:
    """Where a new printed page begins inside a block or note (read from a PDF)."""

    offset: int
    """Characters of the text before the break."""
    page: str
    """The printed page that begins there."""


@dataclass
class Block:
    """A run of text with its markers: the title, a heading or a paragraph."""

    id: str
    """Stable id, used as the HTML anchor (p1, p2, ...; 'title'; section ids for headings)."""
    text: str
    """The text as Markdown (inline only: *emphasis*), with the markers taken out."""
    markers: list[Marker] = field(default_factory=list)
    """Markers in the order they stand, offsets into text."""
    lines: list[int] = field(default_factory=list)
    """Source lines the block was joined from (more than one after a page-break join)."""
    emendations: list[Emendation] = field(default_factory=list)
    """The editor's changes to the source's reading, offsets into text."""
    gaps: list[Gap] = field(default_factory=list)
    """Lacunae the editor marked, offsets into text."""
    page: str = ""
    """The printed page it begins on (read from a PDF; empty for a text seed)."""
    page_breaks: list[PageBreak] = field(default_factory=list)
    """The printed pages that begin inside it, offsets into text."""


@dataclass
class Section:
    """A section of the article: a heading (absent for the opening section) and its paragraphs."""

    id: str
    """Stable id derived from the heading."""
    heading: Block | None
    """The heading as printed; None for the untitled opening section."""
    paragraphs: list[Block] = field(default_factory=list)
    """The paragraphs, page breaks already rejoined."""


@dataclass
class ArchivalRef:
    """A file in an archive, as a note cites it (structure of the Russian archival shelfmark)."""

    archive: str
    """The archive's abbreviation as the text defines or uses it (GARF, TsGA)."""
    fond: str
    """Fond (collection) number; empty for a case file known by its number alone (then no opis either)."""
    opis: str
    """Opis' (inventory) number; empty where the shelfmark prints none (the fond's files numbered directly)."""
    delo: str
    """Delo (file) number."""
    listy: str = ""
    """Folios as printed ('57', '7–8', '44–44a'); empty when none are cited."""
    tom: str = ""
    """The volume (tom) of a file bound in several, as printed ('1', 'II'); empty when none is cited."""

    def __post_init__(self):
        # A file shown without its archive, fond or delo is a file that does not exist: never made, whatever
        # reads it. An opis may be absent, where the archive numbers files within the fond ('f. 454, d. 7'); a
        # fond too, for a case file known by its number alone ('ЦА ФСБ РФ, АСД № Р–3454'), never a fond alone.
        missing = [name for name in ("archive", "fond", "delo") if not str(getattr(self, name)).strip()
                   and not (name == "fond" and not self.opis)]
        if missing:
            raise ValueError(f"an archival file needs its {' and '.join(missing)}")


@dataclass
class Citation:
    """A source cited in a note: a work of the bibliography, an archival file, a periodical, or 'Ibid.'."""

    id: str
    """Stable id: n<note>-<order in the note>."""
    kind: str
    """work, archive, periodical, ibid (an Ibid. takes the target or file of what it repeats, below), xref;
    folios: the folios of the file cited just before without any, printed apart from it ('д. 62. … , л. 7–29'),
    which complete that citation (its archive holds them too)."""
    offset: int
    """Where the citation starts in the note's text."""
    printed: str
    """The citation as printed (the span linked in the page)."""
    target: str = ""
    """Key of the bibliography entry (for a work, or an Ibid. of one)."""
    locator: str = ""
    """Pages, volume or folios cited, as printed."""
    archive: ArchivalRef | None = None
    """The archival file (for an archival citation, or an Ibid. of one)."""
    periodical: str = ""
    """Title of a periodical cited as a primary source."""
    dates: str = ""
    """Issues of the periodical cited, as printed."""
    repeats: str = ""
    """For an Ibid.: id of the citation it repeats."""
    confidence: str = ""
    """high, medium or low."""
    evidence: str = ""
    """Why the resolver (or the editor) links it so."""
    editorial: str = ""
    """'corrected' when a correction set or changed the link."""
    to_note: int | None = None
    """For a cross-reference ('see note 12 above'): the note it refers to."""


@dataclass
class Note:
    """One endnote."""

    n: int
    """Its number (recovered from the sequence when the source lost it)."""
    text: str
    """Full text as Markdown, continuations across page breaks merged."""
    lines: list[int] = field(default_factory=list)
    """Source lines it was assembled from."""
    emendations: list[Emendation] = field(default_factory=list)
    """The editor's changes to the source's reading, offsets into text."""
    citations: list[Citation] = field(default_factory=list)
    """Sources the note cites, in order (filled by the link stage)."""
    page: str = ""
    """The printed page it begins on (read from a PDF; empty for a text seed)."""
    page_breaks: list[PageBreak] = field(default_factory=list)
    """The printed pages that begin inside it, offsets into text."""


@dataclass
class Person:
    """A named author or editor of a work."""

    family: str
    """Family name, or the whole name when it cannot be split (given is then empty)."""
    given: str = ""
    """Given names and initials as printed."""


@dataclass
class BibEntry:
    """One entry of the bibliography."""

    key: str
    """Stable id from first author (or title), year and title words; the HTML anchor."""
    type: str
    """book, article-journal, chapter, thesis; archive and periodical for the lines under a subheading that
    lists archives or newspapers."""
    authors: list[Person]
    """Who leads the entry, in order; '———' resolved to the previous entry's people."""
    role: str
    """'author' or 'editor' (for entries led by editors: 'eds.', 'ed.')."""
    year: str
    """Year of publication as printed (empty if none)."""
    title: str
    """Title of the work as Markdown, outer quotation marks removed."""
    container: str = ""
    """Journal or book the work appears in (articles and chapters)."""
    volume: str = ""
    """Volume of the journal or of a multi-volume book."""
    issue: str = ""
    """Issue number of a journal."""
    pages: str = ""
    """Page range within the container."""
    edition: str = ""
    """Edition statement ('2nd', '5th')."""
    place: str = ""
    """Place of publication."""
    publisher: str = ""
    """Publisher (for a thesis: the university)."""
    container_editors: str = ""
    """Editors of the containing book, as printed after 'edited by'."""
    raw: str = ""
    """The entry exactly as the source prints it (after splitting run-together entries)."""
    line: int = 0
    """Source line of the entry."""
    section: str = ""
    """The subheading of the bibliography the entry stands under ('Secondary literature'); empty if none."""
    note: int | None = None
    """For an article without a bibliography: the note whose first full citation of the work the entry is read
    from (raw and line are that citation's)."""


@dataclass
class Metadata:
    """Bibliographic facts about the article, from its cover page and title block."""

    title: str
    """Title as printed (markers removed)."""
    authors: list[str]
    """Author names as printed."""
    journal: str = ""
    """Journal title."""
    volume: str = ""
    """Journal volume."""
    issue: str = ""
    """Journal issue."""
    year: str = ""
    """Year of publication."""
    pages: str = ""
    """Page range."""
    doi: str = ""
    """DOI, without a resolver prefix."""
    issn: str = ""
    """ISSN(s) as printed on the cover page."""
    line: int = 0
    """Source line the citation facts were read from (the cover's citation line or the title)."""


@dataclass
class Source:
    """The seed an edition was extracted from."""

    path: str
    """Seed file, relative to the project when inside it."""
    sha256: str
    """Digest of the seed's bytes, so a changed seed is noticed."""
    lines: int
    """Number of lines in the seed."""


@dataclass
class Edition:
    """The whole article as structured data: what edition.yaml holds."""

    source: Source
    """Where it was extracted from."""
    metadata: Metadata
    """Title, author, journal citation."""
    title: Block
    """The title as it stands above the text, with its marker(s)."""
    abstract: Block | None
    """The abstract (the unmarked paragraph between title and text), if any."""
    sections: list[Section]
    """The text."""
    notes: list[Note]
    """The endnotes, in number order."""
    bibliography: list[BibEntry]
    """The references, in printed order."""

    def blocks(self):
        """Every block of running text in reading order: title, abstract, headings, paragraphs."""
        yield self.title
        if self.abstract:
            yield self.abstract
        for section in self.sections:
            if section.heading:
                yield section.heading
            yield from section.paragraphs

    def page_starts(self) -> dict[str, list[tuple[int, str, bool]]]:
        """Where each printed page begins, by block id or 'note-N': (offset, page, first), first when the page
        begins there for the first time in reading order (the text, then the notes: a footnote's page is the text's
        too). A block or note that begins on a new page has it at offset 0. Empty for a text seed."""
        out: dict[str, list[tuple[int, str, bool]]] = {}
        seen: set[str] = set()
        current = ""
        for key, item in [(b.id, b) for b in self.blocks()] + [(f"note-{n.n}", n) for n in self.notes]:
            breaks = ([PageBreak(0, item.page)] if item.page and item.page != current else []) + item.page_breaks
            for pb in breaks:
                out.setdefault(key, []).append((pb.offset, pb.page, pb.page not in seen))
                seen.add(pb.page)
                current = pb.page
        return out


@dataclass
class Repair:
    """Something the extractor changed in the source text (or the linker read in it), and why it may."""

    kind: str
    """page-break-join, dehyphenation, hyphen-restored, marker-repaired, note-number-recovered,
    note-continuation-merged, entry-split, repeated-author, furniture-removed; from linking:
    folio-abbreviation ('1. 9' read as 'l. 9'), bare-folio ('Ibid., 14.' of a file read as folio 14)."""
    line: int
    """Source line it concerns."""
    detail: str
    """What was done, and on what evidence."""
    before: str = ""
    """The source reading."""
    after: str = ""
    """The edition's reading."""


@dataclass
class Doubt:
    """A problem the extractor found and did not (and must not) decide by itself."""

    kind: str
    """unanchored-note, suspected-lacuna, rejected-number, note-sequence, entry-doubt, inferred; from
    linking: unresolved-citation, unresolved-archival, archival-locator."""
    line: int
    """Source line it concerns."""
    detail: str
    """What is doubtful and what evidence there is."""
    note: int | None = None
    """The note concerned, if any."""
    block: str | None = None
    """Id of the block where the stretch in question begins."""
    excerpt: str = ""
    """The stretch of text concerned (for an unanchored note: where its marker must have stood)."""
    resolved_by: str = ""
    """The correction that settles it (corrections.yaml:LINE), if any."""
    resolution: str = ""
    """The editor's reason, from that correction."""
    suggestion: str = ""
    """For an open doubt: a corrections.yaml entry that would settle it, ready to paste (the reason left empty)."""


@dataclass
class Report:
    """What extraction found, repaired and left open: what report.yaml holds."""

    source: str
    """Seed file the report is about."""
    counts: dict[str, int]
    """Paragraphs, sections, notes, markers, bibliography entries..."""
    markers_by_form: dict[str, int]
    """How many markers were printed in each form."""
    repairs: list[Repair]
    """Every change made to the source text."""
    doubts: list[Doubt]
    """Every open problem."""
