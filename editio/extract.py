"""Extract: a seed (PDF-to-text of an article) into an Edition and a Report.

The shape expected: an optional publisher's cover page ('To cite this article: ...'),
the author and title, the abstract, the text in sections, a 'Notes' heading with the
numbered endnotes, and a 'References' heading with the bibliography. Nothing here
knows any particular article: every repair is a rule, recorded in the Report with
its evidence, and whatever the rules cannot decide is reported as a doubt.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import bibentry
from .bibentry import entry_key
from .problems import EditionError, Problem
from .records import (BibEntry, Block, Doubt, Edition, Marker, Metadata, Note, Person, Repair,
                      Report, Section, Source)
from .textrules import (CAPITAL, MONTHS, SMALL, SUPERSCRIPTS, WORD, ends_sentence, excerpt, first_word, fold,
                        slugify, spelling, starts_lowercase, superscript_value, unique)

NOTES_HEADINGS = {"notes", "endnotes"}
REFERENCES_HEADINGS = {"references", "bibliography", "works cited", "sources and literature", "reference list",
                       "select bibliography", "sources", "literature", "sources and bibliography"}
PAGE_FURNITURE = re.compile(r"^\s*(?:\d{1,4}|[A-Z][A-Z .,'’&:-]{2,}\s+\d{1,4}|\d{1,4}\s+[A-Z][A-Z .,'’&:-]{2,})\s*$")
"""A bare page number, or a running head in capitals with its page number."""
NOTE_ITEM = re.compile(r"^(?:[-–•*]\s+)?(?P<n>\d{1,3})[.)]\s+(?P<text>.*)$")
BARE_NOTE_ITEM = re.compile(rf"^(?:[-–•*]\s+)?(?:(?P<n>\d{{1,3}})\s+|(?P<sup>[{SUPERSCRIPTS}]{{1,3}})\s*)(?P<text>\S.*)$")
"""A note numbered '12 Text' or '¹² Text' (no full stop): taken only as the next number in the sequence (or
the one after unnumbered items that may be the notes between), after a note that ended its sentence, since a
wrapped line may begin with a number ('12 May 1926, …')."""
BULLET_ITEM = re.compile(r"^[-–•*]\s+(?P<text>.*)$")
CITE_LINE = re.compile(r"^To cite this article:\s*(?P<authors>.+?)\s*\((?P<year>\d{4})\)\s*(?P<rest>.+?)"
                       r",\s*DOI:\s*(?P<doi>\S+?)\.?\s*$")
CITE_REST = re.compile(r"^(?P<title>.+),\s*(?P<journal>[^,]+),\s*(?P<volume>\d+):(?P<issue>[\w–-]+),"
                       r"\s*(?P<pages>\d+\s*[-–]\s*\d+)$")
ABBREVIATION_BEFORE = re.compile(r"\b(?:p|pp|vol|vols|no|nos|l|ll|f|ff|op|d|ch|fig|n|nn|c|ca|art|sec)\.$", re.I)
PLAIN_MARKER = re.compile(r"(?<=[.,;:!?'’\"”)\]—])( ?)(\d{1,3})(?=\s|$)")
WORD_MARKER = re.compile(r"(?<=[^\W\d_])(\d{1,3})(?=[\s.,;:!?)'’\"”]|$)")
"""A number glued to the end of a word ('Kuibyshev23 argued', a title's 'OPPOSITION1'): a marker whose
superscript the extraction lost, when the sequence of notes has a place for it."""
YEAR_MARKER = re.compile(r"(?:[–-]|,\s)(?:1[5-9]|20)\d\d(\d{1,2})$")
"""A number glued to the year that ends a title or heading ('…Front, 1918–19191'): its marker, when the
sequence has a place for it."""
SECOND_MARKER = re.compile(rf" (\d{{1,3}})(?=\s*$|\s+[{CAPITAL}])")
DETERMINERS = set("the a an this these those his her its their our".split())
"""Words no count stands before ('rule, 2 the aftermath'): a number before one is a marker."""
SUPERSCRIPT_MARKER = re.compile(rf"( ?)([{SUPERSCRIPTS}]+)")


@dataclass
class Line:
    no: int
    text: str


@dataclass
class _Run:
    """A run of text being assembled (a block of the body, a note, an entry), knowing the source
    line each stretch of it comes from."""

    text: str
    lines: list[int]
    starts: list[tuple[int, int]] = field(default_factory=list)
    """(offset in text, source line) where each source line's text begins."""
    section: str = ""
    """For a bibliography entry: the subheading it stands under."""
    listed: str = ""
    """For a bibliography entry under a subheading of archives or newspapers: 'archive' or 'periodical'."""

    def __post_init__(self):
        if not self.starts:
            self.starts = [(0, self.lines[0])]

    def merge(self, other: "_Run", separator: str | None = None) -> None:
        joined = self.text + separator + other.text if separator is not None else _join(self.text, other.text)
        base = len(joined) - len(other.text)
        self.text = joined
        self.starts += [(o + base, ln) for o, ln in other.starts]
        self.lines += other.lines

    def line_at(self, offset: int) -> int:
        return next((ln for o, ln in reversed(self.starts) if o <= offset), self.lines[0])


@dataclass
class _Candidate:
    block: int
    start: int
    end: int
    value: int
    printed: str
    form: str
    line: int


@dataclass
class _Work:
    """What extraction gathers as it goes."""

    label: str
    repairs: list[Repair] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)

    def repair(self, kind, line, detail, before="", after=""):
        self.repairs.append(Repair(kind, line, detail, before, after))

    def doubt(self, kind, line, detail, **kw):
        self.doubts.append(Doubt(kind, line, detail, **kw))

    def fail(self, line, what, value, todo):
        raise EditionError([Problem(self.label, line, what, value, todo)])


# --- reading ---------------------------------------------------------------

def read_seed(path: Path, label: str) -> tuple[list[Line], bytes]:
    """The seed's lines (BOM dropped, CRLF/CR normalised); unreadable input fails clearly."""
    work = _Work(label)
    try:
        data = path.read_bytes()
    except OSError as exc:
        work.fail(0, "cannot read the file", exc.strerror or str(exc), "check the path and its permissions")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        work.fail(1, "the file is empty", "", "give a seed that holds the article's text")
    nul = data.find(b"\x00")
    if nul >= 0:
        work.fail(data.count(b"\n", 0, nul) + 1, "this is a binary file, not text (it contains NUL bytes)",
                  "", "give the plain-text extraction of the article (UTF-8)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        work.fail(line, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at column {col})", "",
                  "convert it to UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [Line(i + 1, t) for i, t in enumerate(text.split("\n"))], data


# --- the whole -------------------------------------------------------------

def extract(path: Path, label: str) -> tuple[Edition, Report]:
    lines, data = read_seed(path, label)
    work = _Work(label)
    lines = _drop_furniture(lines, work)
    notes_at = _find_heading(lines, NOTES_HEADINGS)
    last = next((ln for ln in reversed(lines) if ln.text.strip()), lines[-1])
    if notes_at is None:
        work.fail(last.no, "no 'Notes' heading: the endnotes cannot be found", "",
                  "check that this is the whole article; the notes must follow a line reading 'Notes'")
    # Without a references heading after them, the notes run to the end: an article that cites its works
    # in full in the notes (notes-only), unless the text was cut short (checked once the markers are read).
    refs_at = _find_heading(lines, REFERENCES_HEADINGS, start=notes_at + 1)
    notes_end = len(lines) if refs_at is None else refs_at

    cover_end, metadata = _read_cover(lines[:notes_at], work)
    front = _blocks(lines[cover_end:notes_at])
    title, authors, body_runs = _read_title_block(front, metadata, work)
    note_runs = _read_notes(lines[notes_at + 1:notes_end], work)
    for n, run in note_runs:
        if _breaks_off(run.text):
            work.doubt("suspected-lacuna", run.lines[-1], f"note {n} breaks off mid-sentence "
                       f"('…{run.text[-40:].lstrip()}'): text may be lost there", note=n, excerpt=run.text[-60:])
    bibliography = _read_bibliography(lines[refs_at + 1:], work) if refs_at is not None else []

    texts = [b.raw for b in bibliography] + [r.text for _, r in note_runs]
    headings = _headings(body_runs)
    body_runs = _join_page_breaks(body_runs, headings, _corpus([r.text for r in body_runs] + texts), work)
    # Counted again after the joins, so a word hyphenated across a page break is seen whole.
    corpus = _corpus([r.text for r in body_runs] + texts)
    for run in body_runs + [r for _, r in note_runs]:
        _repair_hyphens(run, corpus, work)
    notes = [Note(n, run.text, list(run.lines)) for n, run in note_runs]

    title_block = Block("title", title.text, [], title.lines)
    abstract, sections, runs = _build_sections(body_runs, headings, work)
    runs["title"] = title
    blocks = [title_block] + ([abstract] if abstract else []) + [
        b for s in sections for b in ([s.heading] if s.heading else []) + s.paragraphs]
    beyond = _place_markers(blocks, runs, {n.n for n in notes}, work)
    if refs_at is None and len(beyond) >= 2:
        work.fail(last.no, f"the text ends inside the notes: note {notes[-1].n} is the last, but the text "
                  f"calls notes {', '.join(map(str, beyond[:3]))}{' …' if len(beyond) > 3 else ''}",
                  last.text.strip(), CUT_SHORT)
    for doubt in work.doubts:
        if doubt.kind == "suspected-lacuna":
            doubt.block = next((b.id for b in blocks if doubt.line in b.lines), None)
    metadata.title = metadata.title or title_block.text
    metadata.authors = metadata.authors or authors

    edition = Edition(
        source=Source(label, hashlib.sha256(data).hexdigest(), len(lines) - (lines[-1].text == "")),
        metadata=metadata, title=title_block, abstract=abstract, sections=sections,
        notes=notes, bibliography=bibliography)
    _report_unanchored(edition, work)
    return edition, _report(edition, work)


def _report(edition: Edition, work: _Work) -> Report:
    markers = [m for b in edition.blocks() for m in b.markers]
    forms = Counter(m.form for m in markers)
    counts = {
        "sections": len(edition.sections),
        "paragraphs": sum(len(s.paragraphs) for s in edition.sections),
        "markers": len(markers),
        "notes": len(edition.notes),
        "notes_anchored": len({m.n for m in markers}),
        "bibliography_entries": len(edition.bibliography),
    }
    for kind, n in sorted(Counter(r.kind for r in work.repairs).items()):
        counts[f"repairs.{kind}"] = n
    for kind, n in sorted(Counter(d.kind for d in work.doubts).items()):
        counts[f"doubts.{kind}"] = n
    return Report(work.label, counts, dict(sorted(forms.items())), work.repairs, work.doubts)


# --- lines and blocks ------------------------------------------------------

def _drop_furniture(lines: list[Line], work: _Work) -> list[Line]:
    heads = _running_heads(lines)
    kept = []
    for ln in lines:
        if ln.text.strip() and (PAGE_FURNITURE.match(ln.text) or ln.no in heads):
            work.repair("furniture-removed", ln.no, "page number or running head dropped", ln.text.strip())
            kept.append(Line(ln.no, ""))
        else:
            kept.append(ln)
    return kept


def _running_heads(lines: list[Line]) -> set[int]:
    """Running heads printed without a page number, after the title block: in capitals, the authors'
    names (initials and surnames, or the surnames the cover gives), the journal's title, or any line in
    capitals printed twice."""
    first = next((first for text, first, _ in _paragraphs(lines) if len(text) >= 200
                  and not text.startswith(("To cite this article", "To link to this article", "ISSN"))), None)
    body = next((i for i, ln in enumerate(lines) if ln.no == first), len(lines))
    cite = _cover_citation(lines[:body])
    families, journal = set(), ""
    if cite:
        cite = cite[0]
        families = {a.split()[-1].upper() for a in re.split(r",\s*|\s+(?:&|and)\s+", cite.group("authors")) if a}
        rest = CITE_REST.match(cite.group("rest"))
        journal = fold(rest.group("journal")) if rest else ""
    caps = [ln for ln in lines[body:] if _in_capitals(ln.text)]
    printed = Counter(ln.text.strip() for ln in caps)
    return {ln.no for ln in caps if printed[ln.text.strip()] > 1 or (journal and fold(ln.text) == journal)
            or _names_head(ln.text, families)}


def _in_capitals(text: str) -> bool:
    text = text.strip()
    return (2 <= len(text) <= 80 and not any(c.islower() for c in text)
            and sum(c.isalpha() for c in text) >= 2 and text[-1] not in ",;:!?")


def _names_head(text: str, families: set[str]) -> bool:
    """'A. N. AUTHOR', 'J. SMITH AND A. PETROVA', 'PETROVA AND SMITH' (surnames from the cover)."""
    tokens = [t for t in re.split(rf"\s+|(?<=\.)(?=[{CAPITAL}])", text.strip()) if t]
    initials = [t for t in tokens if re.fullmatch(rf"[{CAPITAL}][{CAPITAL}a-z]?\.,?", t)]
    words = [t.rstrip(",") for t in tokens if t not in initials and t not in ("AND", "&", "ET", "AL.", "И")]
    if not words or len(tokens) > 10:
        return False
    if families:
        return all(w in families for w in words)
    return bool(initials) and all(w.isalpha() for w in words)


def _find_heading(lines: list[Line], names: set[str], start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        if lines[i].text.strip().rstrip(":").lower() in names:
            return i
    return None


def _blocks(lines: list[Line]) -> list[_Run]:
    """Runs of non-blank lines, wrapped lines joined."""
    runs, current = [], None
    for ln in lines:
        if not ln.text.strip():
            current = None
            continue
        if current is None:
            current = _Run(ln.text.strip(), [ln.no])
            runs.append(current)
        else:
            current.merge(_Run(ln.text.strip(), [ln.no]))
    return runs


def _join(a: str, b: str) -> str:
    """Two pieces of one paragraph; a line-end hyphen is kept, the halves joined without a space (before a
    capital it is a real hyphen, 'Griazi-Tsaritsyn'; before lower case _repair_hyphens decides on the
    evidence of the whole text)."""
    if a.endswith("-") and not a.endswith(" -") and b[:1].isalpha():
        return a + b
    return a + " " + b


@dataclass
class _Corpus:
    """Evidence from the whole text: which words occur in lower case, and which spellings occur
    once where the same word, hyphenated otherwise, occurs at least twice (a line-break's damage)."""

    lower: set[str]
    respell: dict[str, tuple[str, int]]
    """Rare spelling -> (the usual spelling, how often it occurs)."""
    rare: re.Pattern | None
    """Finds the rare spellings in a text (None when there are none)."""


def _corpus(texts: list[str]) -> _Corpus:
    words = [w for text in texts for w in WORD.findall(text)]
    spellings = Counter(spelling(w) for w in words)
    by_word: dict[str, list[str]] = defaultdict(list)
    for sp in spellings:
        by_word[sp.replace("-", "")].append(sp)
    respell = {}
    for variants in by_word.values():
        if len(variants) > 1:
            best = max(variants, key=lambda v: spellings[v])
            for v in variants:
                if v != best and spellings[v] == 1 and spellings[best] >= 2:
                    respell[v] = (best, spellings[best])
    rare = re.compile("|".join(rf"(?<![\w-]){re.escape(v)}(?:['’]s)?(?![\w-])" for v in sorted(respell)),
                      re.IGNORECASE) if respell else None
    return _Corpus({w for w in words if w[:1].islower()}, respell, rare)


# --- cover page and title block ---------------------------------------------

def _paragraphs(lines: list[Line]) -> list[tuple[str, int, int]]:
    """Runs of non-blank lines as (text joined by spaces, first and last source line): a cover's
    citation may be wrapped over several lines."""
    out, current = [], []
    for ln in lines + [Line(0, "")]:
        if ln.text.strip():
            current.append(ln)
        elif current:
            out.append((" ".join(c.text.strip() for c in current), current[0].no, current[-1].no))
            current = []
    return out


def _cover_citation(lines: list[Line]) -> tuple[re.Match, int] | None:
    """The cover's 'To cite this article: …' and the line it ends on."""
    return next(((m, no) for text, _, no in _paragraphs(lines) if (m := CITE_LINE.match(text))), None)


def _read_cover(lines: list[Line], work: _Work) -> tuple[int, Metadata]:
    """Index where the article proper starts, and what the cover page says about it."""
    meta = Metadata(title="", authors=[])
    cite = _cover_citation(lines)
    if cite is None:
        first = next((ln for ln in lines if ln.text.strip()), None)
        work.doubt("inferred", first.no if first else 1,
                   "no cover page ('To cite this article:'): journal, volume, pages and DOI are unknown")
        return 0, meta
    m, end = cite
    meta.authors = [a.strip() for a in re.split(r",\s*|\s+(?:&|and)\s+", m.group("authors")) if a.strip()]
    meta.year, meta.doi = m.group("year"), m.group("doi")
    meta.line = next(ln.no for ln in lines if ln.text.strip().startswith("To cite this article"))
    rest = CITE_REST.match(m.group("rest"))
    if rest:
        meta.title = rest.group("title").strip()
        meta.journal, meta.volume = rest.group("journal").strip(), rest.group("volume")
        meta.issue, meta.pages = rest.group("issue"), re.sub(r"\s*[-–]\s*", "–", rest.group("pages"))
    else:
        work.doubt("inferred", meta.line, "cover citation not in the form 'Title, Journal, vol:issue, pages'")
    for text, _, no in _paragraphs(lines):
        issn = re.match(r"^ISSN:\s*(.+?)(?:\s+Journal homepage:.*)?$", text)
        if issn:
            meta.issn = issn.group(1)
        if text.startswith("To link to this article") and no > end:
            end = no
    return next(i for i, ln in enumerate(lines) if ln.no == end) + 1, meta


def _looks_like_author_line(text: str) -> bool:
    names = [n for n in re.split(r",\s*|\s+(?:and|&)\s+", text) if n]
    return bool(names) and all(
        2 <= len(n.split()) <= 5 and all(w[:1].isupper() or w in ("van", "von", "de", "der") for w in n.split())
        and not re.search(r"[\d:;!?]", n) for n in names) and not text.isupper()


def _read_title_block(front: list[_Run], meta: Metadata, work: _Work):
    """The title and author lines at the head of the article, and the runs after them."""
    if not front:
        work.fail(0, "no text before the 'Notes' heading", "", "give the article's full text")
    head = front[:2]
    authors: list[str] = []
    author_run = next((r for r in head if _looks_like_author_line(r.text)
                       or (meta.authors and r.text.strip() == ", ".join(meta.authors))), None)
    if author_run is not None:
        authors = [a for a in re.split(r",\s*|\s+(?:and|&)\s+", author_run.text) if a]
    title_run = next((r for r in head if r is not author_run), None)
    if title_run is None:
        work.fail(front[0].lines[0], "cannot find the title: only an author line precedes the text",
                  front[0].text, "the article must begin with its author and title lines")
    at = front.index(title_run)
    if title_run.text.endswith(":") and at + 1 < len(front) and front[at + 1] is not author_run:
        # 'Main title:' with the subtitle printed on a line of its own.
        title_run.merge(front[at + 1], " ")
        at += 1
        if author_run is None and at + 1 < len(front) and _looks_like_author_line(front[at + 1].text):
            author_run = front[at + 1]
            authors = [a for a in re.split(r",\s*|\s+(?:and|&)\s+", author_run.text) if a]
    used = max(at, front.index(author_run) if author_run else -1) + 1
    if author_run is None:
        work.doubt("inferred", title_run.lines[0], "no author line found next to the title")
    return title_run, authors, front[used:]


# --- the text --------------------------------------------------------------

HEADING_DATE = re.compile(r"(?:,\s|\s(?:in|of|to|from|since|after|before|until|and)\s)(?:(?:"
                          + "|".join(m.capitalize() for m in MONTHS[:12])
                          + r")\s)?(?:1[5-9]|20)\d\d(?:\s?[–-]\s?\d{2,4})?$")
"""How a heading may end in figures: a year, a range of years or a month and year after a comma or after
'in', 'of', 'to', 'since'… ('The census of 1932')."""


def _is_heading(run: _Run, previous: _Run | None) -> bool:
    # A heading may carry a note's marker, superscript or glued to its last word ('method22').
    text = re.sub(rf"[{SUPERSCRIPTS}]+$|(?<=[^\W\d_])\d{{1,3}}$", "", run.text.strip())
    return (len(run.lines) == 1 and 0 < len(text) <= 100 and len(text.split()) <= 14
            and text[:1].isupper() and text[-1] not in ".,;:" + SUPERSCRIPTS
            and (not text[-1].isdigit() or bool(HEADING_DATE.search(text)))
            and (previous is None or ends_sentence(previous.text)))


def _headings(runs: list[_Run]) -> set[int]:
    """The runs (by id) that are section headings; never a line after which the text goes on in lower case
    (the first line of a paragraph that a page break cut off)."""
    return {id(r) for i, r in enumerate(runs) if _is_heading(r, runs[i - 1] if i else None)
            and not (i + 1 < len(runs) and starts_lowercase(runs[i + 1].text))}


def _join_page_breaks(runs: list[_Run], headings: set[int], corpus: _Corpus, work: _Work) -> list[_Run]:
    out: list[_Run] = []
    for run in runs:
        prev = out[-1] if out else None
        if prev is None or id(run) in headings or id(prev) in headings:
            out.append(run)
            continue
        if not ends_sentence(prev.text) or starts_lowercase(run.text):
            word = first_word(run.text)
            quoted = not ends_sentence(prev.text) and re.match(rf"^[‘“'\"]\s?[{SMALL}]", run.text)
            if starts_lowercase(run.text) or quoted or _is_proper_noun(word, corpus):
                evidence = ("the next block begins in lower case" if starts_lowercase(run.text)
                            else "the paragraph breaks off mid-sentence and the next block goes on with a "
                                 "quotation in lower case" if quoted
                            else f"the paragraph breaks off mid-sentence and '{word}' is a name "
                                 f"(never lower case in the text)")
                work.repair("page-break-join", run.lines[0],
                            f"paragraph continued across a page break: {evidence}",
                            excerpt(prev.text[-40:] + " ¶ " + run.text[:40], 90))
                prev.merge(run)
                continue
            work.doubt("suspected-lacuna", prev.lines[-1],
                       f"paragraph ends mid-sentence ('…{prev.text[-30:]}') and the next begins a new "
                       f"sentence ('{run.text[:30]}…'): text is probably lost here",
                       excerpt=prev.text[-80:])
        out.append(run)
    last = out[-1] if out else None
    if last is not None and id(last) not in headings and not ends_sentence(last.text):
        work.doubt("suspected-lacuna", last.lines[-1], "the text ends mid-sentence before the notes",
                   excerpt=last.text[-80:])
    return out


def _is_proper_noun(word: str, corpus: "_Corpus") -> bool:
    """A capitalised word never written in lower case anywhere in the text is a name."""
    return bool(word) and word[:1].isupper() and word.lower() not in corpus.lower


def _repair_hyphens(run: _Run, corpus: _Corpus, work: _Work) -> None:
    """Re-join words a line-end hyphen split ('Tol-stoy') and restore hyphens a line break ate
    ('mother-inlaw'), when the rest of the text spells the word the other way at least twice."""
    if corpus.rare is None:
        return
    for m in reversed(list(corpus.rare.finditer(run.text))):
        word = m.group(0)
        best, best_n = corpus.respell[spelling(word)]
        fixed = _respell(word, best)
        kind = "dehyphenation" if fixed.count("-") < word.count("-") else "hyphen-restored"
        work.repair(kind, run.line_at(m.start()), f"'{best}' is spelled so {best_n} times elsewhere in the text",
                    word, fixed)
        run.text = run.text[:m.start()] + fixed + run.text[m.end():]
        delta = len(fixed) - len(word)
        run.starts = [(o + delta if o > m.start() else o, ln) for o, ln in run.starts]


def _respell(word: str, model: str) -> str:
    """word with its hyphens placed as in model (letters and their case kept)."""
    letters = [c for c in word if c != "-"]
    out, i = [], 0
    for c in model:
        if c == "-":
            out.append("-")
        elif i < len(letters):
            out.append(letters[i])
            i += 1
    return "".join(out) + "".join(letters[i:])


def _build_sections(runs: list[_Run], headings: set[int], work: _Work):
    """(abstract, sections, the run each block was made from by block id)."""
    abstract = None
    by_id: dict[str, _Run] = {}
    if runs and id(runs[0]) not in headings:
        first = runs[0]
        label = re.match(r"^Abstract[:.]?\s*", first.text)
        has_marker = bool(SUPERSCRIPT_MARKER.search(first.text)) or bool(PLAIN_MARKER.search(first.text))
        if label or (len(runs) > 1 and id(runs[1]) not in headings and not has_marker):
            abstract = Block("abstract", first.text[label.end():] if label else first.text, [], first.lines)
            by_id["abstract"] = first
            if label:
                first.text = first.text[label.end():]
                first.starts = [(max(0, o - label.end()), ln) for o, ln in first.starts]
            runs = runs[1:]
            if not label:
                work.doubt("inferred", first.lines[0], "the first paragraph after the title, which has no "
                           "note markers, is taken as the abstract", block="abstract",
                           excerpt=excerpt(first.text, 80))
    sections: list[Section] = []
    used_ids: set[str] = set()
    count = 0
    for run in runs:
        if id(run) in headings:
            sid = unique(slugify(re.sub(rf"[{SUPERSCRIPTS}]+$|(?<=[^\W\d_])\d{{1,3}}$", "", run.text.strip())), used_ids)
            sections.append(Section(sid, Block(sid, run.text, [], run.lines)))
            by_id[sid] = run
            continue
        if not sections:
            sections.append(Section(unique("opening", used_ids), None))
        count += 1
        sections[-1].paragraphs.append(Block(f"p{count}", run.text, [], run.lines))
        by_id[f"p{count}"] = run
    return abstract, sections, by_id


# --- markers ---------------------------------------------------------------

def _candidates(block_index: int, block: Block, run: _Run, work: _Work) -> list[_Candidate]:
    found = []
    for m in SUPERSCRIPT_MARKER.finditer(block.text):
        found.append(_Candidate(block_index, m.start(), m.end(), superscript_value(m.group(2)),
                                m.group(0), "superscript", run.line_at(m.end() - 1)))
    for m in PLAIN_MARKER.finditer(block.text):
        line = run.line_at(m.end() - 1)
        before = block.text[:m.start()]
        after = block.text[m.end():].lstrip()
        next_word = (re.match(r"[\w%]+", after) or [""])[0].lower() if after else ""
        value = int(m.group(2))
        if not m.group(1) and (len(m.group(2)) == 3 and re.search(r"\d,$", before) or re.search(r"\d—$", before)):
            continue  # the digits after a thousands separator ('31,000') or in a range ('1928—29')
        reason = None
        if next_word in MONTHS:
            reason = "a date (a month follows)"
        elif after.startswith(("%", "per cent", "percent")):
            reason = "a percentage"
        elif ABBREVIATION_BEFORE.search(before.rstrip()):
            reason = "a locator (an abbreviation such as 'p.' or 'vol.' precedes)"
        elif after[:1].islower() and not _glued_to_clause(m, before) and next_word not in DETERMINERS:
            reason = "a count (the sentence goes on in lower case)"
        if reason:
            work.doubt("rejected-number", line, f"'{m.group(2)}' not taken as a note marker: {reason}",
                       block=block.id, excerpt=block.text[max(0, m.start() - 30):m.end() + 20])
            continue
        form = "after-space" if m.group(1) else ("after-quote" if before[-1:] in "'’\"”" else "glued")
        found.append(_Candidate(block_index, m.start(), m.end(), value, m.group(0), form, line))
    for m in WORD_MARKER.finditer(block.text):
        after = block.text[m.end():].lstrip()
        if after.startswith("%") or (re.match(r"[a-z]+", after.lower()) or [""])[0] in MONTHS:
            continue
        found.append(_Candidate(block_index, m.start(), m.end(), int(m.group(1)), m.group(0), "after-word",
                                run.line_at(m.end() - 1)))
    m = YEAR_MARKER.search(block.text)
    if m:
        found.append(_Candidate(block_index, m.start(1), m.end(1), int(m.group(1)), m.group(1), "after-word",
                                run.line_at(m.end(1) - 1)))
    # Two markers side by side ('by 1934.11 12'): the second after a space, right after the first, before
    # the end of the paragraph or a new sentence.
    for c in list(found):
        m = SECOND_MARKER.match(block.text, c.end)
        if m and c.form != "superscript":
            found.append(_Candidate(block_index, m.start(), m.end(), int(m.group(1)), m.group(0), "after-space",
                                    run.line_at(m.end() - 1)))
    return sorted(found, key=lambda c: c.start)


def _glued_to_clause(m: re.Match, before: str) -> bool:
    """'the exchanges,17 and the unions': a number glued to a comma (or ; : a closing bracket, a dash or a
    closing quotation mark: 'exempted—27 and', 'itself’29 and') after a word is a marker even before lower
    case; counts and thousands keep a space or follow a digit ('in 1926, 312', '3,000', '(1921)10')."""
    return not m.group(1) and before[-1:] in ",;:)—’”" and (before[-2:-1].isalpha() or before[-2:-1] in "'’\"”)")


def _ends_a_sentence(blocks: list[Block], c: _Candidate) -> bool:
    """Whether the candidate stands after a sentence's end, before the next sentence or the block's end."""
    text = blocks[c.block].text
    before = text[:c.start].rstrip().rstrip("'’\"”)")
    after = text[c.end:]
    return before[-1:] in ".!?" and (not after.strip() or bool(re.match(rf"\s+[{CAPITAL}'‘\"“(]", after)))


def _place_markers(blocks: list[Block], runs: dict[str, _Run], numbers: set[int], work: _Work) -> list[int]:
    """Find marker candidates in reading order, keep the longest increasing run of numbers,
    repair a misread number where the sequence leaves exactly one gap for it, and take the
    accepted markers out of the text (their offsets recorded). Returns the numbers the text calls after
    the last note, going on from it in order (notes lost from the end of the text)."""
    candidates: list[_Candidate] = []
    for i, block in enumerate(blocks):
        candidates.extend(_candidates(i, block, runs[block.id], work))
    # Where a superscript prints a number, a plain number of the same value is not its marker ('By the end
    # of August, 16 Cossack regiments … stopped.¹⁶').
    printed = {c.value for c in candidates if c.form == "superscript"}
    # Of two plain numbers of one value, the one that ends a sentence is the marker, not a count within it
    # (', 16 Cossack regiments … stopped.16').
    plain = defaultdict(list)
    for c in candidates:
        if c.form != "superscript":
            plain[c.value].append(c)
    counts = {id(c) for same in plain.values() if len(same) > 1
              and sum(map(lambda c: _ends_a_sentence(blocks, c), same)) == 1
              for c in same if not _ends_a_sentence(blocks, c)}
    kept = _longest_increasing([c for c in candidates if c.value in numbers and id(c) not in counts
                                and (c.form == "superscript" or c.value not in printed)])
    called = {c.value for c in kept}
    last = max(numbers)
    accepted: list[tuple[_Candidate, int]] = []
    kept_set = {id(c) for c in kept}
    for idx, c in enumerate(candidates):
        if id(c) in kept_set:
            accepted.append((c, c.value))
            continue
        prev = max((k.value for k in kept if _order(k) < _order(c)), default=0)
        nxt = min((k.value for k in kept if _order(k) > _order(c)), default=last + 1)
        missing = [k for k in range(prev + 1, nxt) if _one_digit_apart(k, c.value) and k in numbers]
        if len(missing) == 1 and nxt - prev == 2 and missing[0] not in called:
            called.add(missing[0])
            work.repair("marker-repaired", c.line,
                        f"printed '{c.value}' stands between markers {prev} and {nxt}, where only "
                        f"{missing[0]} is missing; one digit misread", c.printed.strip(), str(missing[0]))
            accepted.append((c, missing[0]))
        else:
            block = blocks[c.block]
            why = (f"there is no note {c.value}" if c.value not in numbers
                   else f"out of sequence (between markers {prev} and {nxt})")
            work.doubt("rejected-number", c.line, f"'{c.printed.strip()}' not taken as a note marker: {why}",
                       block=block.id, excerpt=block.text[max(0, c.start - 30):c.end + 20])
    by_block: dict[int, list[tuple[_Candidate, int]]] = defaultdict(list)
    for c, n in accepted:
        by_block[c.block].append((c, n))
    for i, items in by_block.items():
        block = blocks[i]
        text, removed, markers = block.text, 0, []
        for c, n in sorted(items, key=lambda t: t[0].start):
            start = c.start - removed
            text = text[:start] + text[start + len(c.printed):]
            removed += len(c.printed)
            markers.append(Marker(n=n, offset=start, printed=c.printed, form=c.form, line=c.line,
                                  printed_n=c.value if c.value != n else None))
        block.text, block.markers = text, markers
    return _calls_beyond(candidates, last)


def _calls_beyond(candidates: list[_Candidate], last: int) -> list[int]:
    """Marker candidates that go on from the last note's number in order ('⁵⁵', '⁵⁶', … after note 54),
    a lost marker or two allowed."""
    out: list[int] = []
    for c in candidates:
        if (out[-1] if out else last) < c.value <= (out[-1] if out else last) + 3:
            out.append(c.value)
    return out


CUT_SHORT = "give the complete text (an article without a bibliography may end with its last note)"


def _breaks_off(text: str) -> bool:
    """Whether a note stops where no citation or sentence can end: after a comma, colon, dash, an opening
    bracket or a connective ('…, in', '(APRF, f. 3'), or with a bracket left open."""
    core = text.rstrip()
    return (core[-1:] in ",;:([–—-/" or bool(re.search(r"\b(?:and|or|the|of|in|to|by|for|with|see|cf)$", core))
            or core.count("(") > core.count(")"))


def _order(c: _Candidate) -> tuple[int, int]:
    return (c.block, c.start)


def _one_digit_apart(a: int, b: int) -> bool:
    sa, sb = str(a), str(b)
    return len(sa) == len(sb) and sum(x != y for x, y in zip(sa, sb)) == 1


def _longest_increasing(cands: list[_Candidate]) -> list[_Candidate]:
    if not cands:
        return []
    best = [1] * len(cands)
    back = [-1] * len(cands)
    for i, c in enumerate(cands):
        for j in range(i):
            if cands[j].value < c.value and best[j] + 1 > best[i]:
                best[i], back[i] = best[j] + 1, j
    i = max(range(len(cands)), key=lambda k: (best[k], -k))
    out = []
    while i >= 0:
        out.append(cands[i])
        i = back[i]
    return out[::-1]


def _report_unanchored(edition: Edition, work: _Work) -> None:
    """Each note without a marker, with the stretch of text where its marker must have stood."""
    blocks = list(edition.blocks())
    positions = {m.n: (bi, m.offset) for bi, b in enumerate(blocks) for m in b.markers}
    for note in edition.notes:
        if note.n in positions:
            continue
        before = max((k for k in positions if k < note.n), default=None)
        after = min((k for k in positions if k > note.n), default=None)
        start = positions[before] if before else (0, 0)
        end = positions[after] if after else (len(blocks) - 1, len(blocks[-1].text))
        stretch = _stretch(blocks, start, end)
        between = f"between marker {before or 'the start'} and marker {after or 'the end'}"
        work.doubt("unanchored-note", note.lines[0], f"note {note.n} has no marker in the text; it must "
                   f"stand {between}", note=note.n, block=blocks[start[0]].id, excerpt=stretch)


def _stretch(blocks: list[Block], start: tuple[int, int], end: tuple[int, int]) -> str:
    (b0, o0), (b1, o1) = start, end
    if b0 == b1:
        return blocks[b0].text[o0:o1]
    parts = [blocks[b0].text[o0:]] + [b.text for b in blocks[b0 + 1:b1]] + [blocks[b1].text[:o1]]
    return " ¶ ".join(p.strip() for p in parts if p.strip())


# --- notes -----------------------------------------------------------------

def _read_notes(lines: list[Line], work: _Work) -> list[tuple[int, _Run]]:
    items: list[tuple[int | None, _Run]] = []
    current, broken = None, False
    # Notes printed one a line (not wrapped: a line followed by another ends a sentence, page breaks aside):
    # a plain line after a complete note is an item of its own.
    followed = [a.text for a, b in zip(lines, lines[1:]) if a.text.strip() and b.text.strip()]
    one_a_line = sum(map(ends_sentence, followed)) >= 0.9 * len(followed)
    next_number, upcoming = [], None  # the number of the next numbered line after each line
    for ln in reversed(lines):
        next_number.append(upcoming)
        m = NOTE_ITEM.match(ln.text.strip()) or BARE_NOTE_ITEM.match(ln.text.strip())
        if m:
            upcoming = int(m.group("n")) if m.group("n") else superscript_value(m.group("sup"))
    next_number.reverse()
    for i, ln in enumerate(lines):
        text = ln.text.strip()
        if not text:
            current = None if current is None or ends_sentence(current[1].text) else current
            broken = current is not None
            continue
        numbered = NOTE_ITEM.match(text)
        last_n = next((n for n, _ in reversed(items) if n is not None), 0)
        unnumbered = len(items) - next((i + 1 for i in range(len(items) - 1, -1, -1) if items[i][0] is not None), 0)
        n = int(numbered.group("n")) if numbered else 0
        # A number that is not the next, after a note broken off mid-sentence, is a wrapped line of that
        # note ('…*Red Quartermaster*,' / '214. The argument …'), not a note of its own.
        if last_n < n and (n <= last_n + 1 + unnumbered or current is None or ends_sentence(current[1].text)):
            current = (n, _Run(numbered.group("text"), [ln.no]))
            items.append(current)
            continue
        bare = BARE_NOTE_ITEM.match(text)
        bare_n = (int(bare.group("n")) if bare.group("n") else superscript_value(bare.group("sup"))) if bare else 0
        if last_n < bare_n <= last_n + 1 + unnumbered and (one_a_line or current is None
                                                            or ends_sentence(current[1].text)):
            current = (bare_n, _Run(bare.group("text"), [ln.no]))
            items.append(current)
            continue
        bullet = BULLET_ITEM.match(text)
        # After a complete note, a capitalised plain line starts an item of its own where notes are one a
        # line, or where the numbering leaves exactly one gap before the next numbered note (a note that
        # lost its number among wrapped notes).
        gap = current is not None and current[0] is not None and next_number[i] == current[0] + 2
        if bullet or current is None or ((one_a_line or gap) and ends_sentence(current[1].text)
                                         and text[:1].isupper()):
            current = (None, _Run(bullet.group("text") if bullet else text, [ln.no]))
            items.append(current)
        else:
            if broken:
                n = current[0] or last_n
                work.repair("note-continuation-merged", ln.no, f"note {n} continues across a page break (it broke "
                            "off mid-sentence)", excerpt(current[1].text[-30:] + " | " + text[:30], 80))
            current[1].merge(_Run(text, [ln.no]))
        broken = False
    notes: list[tuple[int, _Run]] = []
    for i, (n, run) in enumerate(items):
        if n is not None and notes and n <= notes[-1][0]:
            # Only when a recovered number has taken it: keep the text, never a second note n.
            work.doubt("note-sequence", run.lines[0], f"note {n} is numbered again after note {notes[-1][0]}; "
                       f"its text is kept as a further paragraph of note {notes[-1][0]}", note=notes[-1][0],
                       excerpt=run.text[:80])
            notes[-1][1].merge(run, "\n\n")
            continue
        if n is not None:
            if notes and n != notes[-1][0] + 1:
                work.doubt("note-sequence", run.lines[0], f"note {n} follows note {notes[-1][0]}: "
                           f"{n - notes[-1][0] - 1} note(s) missing from the notes")
            notes.append((n, run))
            continue
        following = next((m for m, _ in items[i + 1:] if m is not None), None)
        prev_n, prev = notes[-1] if notes else (0, None)
        if prev is not None and (starts_lowercase(run.text) or not ends_sentence(prev.text)):
            why = ("the note broke off mid-sentence" if not starts_lowercase(run.text)
                   else "it begins in lower case" if run.text[:1].isalpha()
                   else f"it begins '{run.text.split()[0]}' and goes on in lower case")
            work.repair("note-continuation-merged", run.lines[0],
                        f"unnumbered item continues note {prev_n} across a page break ({why})",
                        excerpt(prev.text[-30:] + " | " + run.text[:30], 80))
            prev.merge(run)
        elif following is not None and following == prev_n + 2:
            work.repair("note-number-recovered", run.lines[0], f"unnumbered note between notes {prev_n} and "
                        f"{prev_n + 2} is note {prev_n + 1}", run.text[:40], str(prev_n + 1))
            notes.append((prev_n + 1, run))
        elif prev is not None:
            work.doubt("note-sequence", run.lines[0], f"unnumbered item after note {prev_n} taken as a further "
                       f"paragraph of it (no number is missing)", note=prev_n, excerpt=run.text[:80])
            prev.merge(run, "\n\n")
        elif following in (None, 2):
            work.repair("note-number-recovered", run.lines[0], "unnumbered first note is note 1", run.text[:40], "1")
            notes.append((1, run))
        else:
            work.doubt("note-sequence", run.lines[0], "text between the 'Notes' heading and the first note "
                       "belongs to no note and is left out", excerpt=run.text[:80])
    if not notes:
        work.fail(lines[0].no - 1 if lines else 0, "the 'Notes' heading is followed by no notes", "",
                  "check that the notes follow the heading, one per line, numbered '1.', '2.', ...")
    return notes


# --- bibliography ----------------------------------------------------------

BIB_SUBHEADING = re.compile(r"^(?:[A-Z][a-z]+)(?:,?\s+(?:and\s+|&\s+)?[A-Za-z][a-z]+){0,4}$")
SUBHEADING_WORDS = re.compile(r"\b(?:sources|archives?|archival|literature|newspapers|periodicals|press|documents|"
                              r"memoirs|interviews|works|books|articles|collections|materials|studies|"
                              r"publications|manuscripts)\b", re.IGNORECASE)
"""A subheading of the bibliography: a short line in sentence case naming a kind of source ('Archival
sources', 'Newspapers and periodicals', 'Secondary literature')."""
LIST_SECTIONS = (("archive", re.compile(r"archiv|manuscript|unpublished", re.IGNORECASE)),
                 ("periodical", re.compile(r"newspaper|periodical|press|journals", re.IGNORECASE)))
"""Subheadings under which each line names an archive or a newspaper, not a work."""


def _read_bibliography(lines: list[Line], work: _Work) -> list[BibEntry]:
    printed: list[_Run] = []
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
            printed[-1].merge(_Run(text, [ln.no]))
        else:
            printed.append(_Run(text, [ln.no]))
            printed[-1].section, printed[-1].listed = section, listed
    entries: list[BibEntry] = []
    keys: set[str] = set()
    raw: list[_Run] = []
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
            raw.append(_Run(part, [ln for ln in run.lines if first <= ln <= last]))
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


def _listed_entry(run: _Run, keys: set[str]) -> BibEntry:
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


def stage(job):
    """Extract every seed of the build; all seeds' problems are reported together."""
    problems: list[Problem] = []
    for work in job.works:
        try:
            work.edition, work.report = extract(work.seed, work.label)
        except EditionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise EditionError(problems)
    return job


def summarise(report: Report) -> list[str]:
    """The report in a few lines for the terminal (the whole of it is in report.yaml)."""
    c = report.counts
    forms = ", ".join(f"{n} {form}" for form, n in report.markers_by_form.items())
    lines = [f"{report.source}: {c['sections']} sections, {c['paragraphs']} paragraphs, "
             f"{c['notes']} notes ({c['notes_anchored']} with a marker in the source), {c['markers']} markers "
             f"({forms}), " + (f"no bibliography: {c['works_from_notes']} works read from the notes"
                               if c.get("works_from_notes") else f"{c['bibliography_entries']} bibliography entries")]
    repairs = Counter(r.kind for r in report.repairs)
    if repairs:
        lines.append("  repaired: " + ", ".join(f"{n} {kind}" for kind, n in sorted(repairs.items())))
    done = [f"{n} {k.split('.', 1)[1]}" for k, n in c.items() if k.startswith("corrections.")]
    if done:
        lines.append("  corrections applied: " + ", ".join(done))
    if "citations.work" in c:
        lines.append(f"  linked: {c['citations.work']} citations of works in {c['notes_citing_works']} notes, "
                     f"{c['citations.ibid']} Ibid., {c['citations.archive']} archival references to "
                     f"{c['archival_files']} files, {c['citations.periodical']} periodicals; "
                     f"{c['citations.unresolved']} unresolved")
    open_doubts = [d for d in report.doubts if not d.resolved_by]
    settled = len(report.doubts) - len(open_doubts)
    lines.append(f"  doubts: {len(open_doubts)} open, {settled} settled by corrections")
    unanchored = [d.note for d in open_doubts if d.kind == "unanchored-note"]
    if unanchored:
        lines.append(f"  unanchored notes ({len(unanchored)}): " + ", ".join(map(str, unanchored)))
    for d in open_doubts:
        if d.kind != "unanchored-note":
            lines.append(f"  {d.kind} (line {d.line}): {d.detail}")
    return lines
