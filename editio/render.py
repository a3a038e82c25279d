"""Render: editions into the pages of a static site (path -> HTML), through Jinja templates.

Text from a seed or a correction is Markdown rendered by markdown-it-py with raw
HTML disabled, and templates autoescape: nothing a source says can become markup.
"""
from __future__ import annotations

import functools
import itertools
import re
import traceback
from dataclasses import dataclass
from pathlib import Path

from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError,
                    TemplateNotFound, TemplateSyntaxError, select_autoescape)
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .problems import EditionError, Problem
from .records import BibEntry, Block, Edition, Metadata, Note, Report
from .link.shelfmark import folio_label
from .textrules import fold, plain

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
# Private-use characters survive Markdown untouched and cannot occur in a seed's text by accident.
_OPEN, _CLOSE = "\ue000", "\ue001"


@dataclass
class Page:
    """One edition as the templates see it."""

    slug: str
    """Folder of the edition in the site."""
    edition: Edition
    """The edition."""
    report: Report
    """Its extraction report."""


def inline(text: str) -> Markup:
    """Inline Markdown to safe HTML."""
    return Markup(_MD.renderInline(text))


@dataclass
class _Span:
    start: int
    end: int
    open: str
    close: str


def annotate(text: str, spans: list[_Span], points: list[tuple[int, str]]) -> Markup:
    """Markdown text with HTML around spans and at points, as safe HTML.

    The tags go in as private-use placeholders, so Markdown (raw HTML off) renders the
    text and escapes it; the placeholders are then replaced by the tags. Spans that cross
    are closed and reopened so the result nests."""
    cuts = sorted({s.start for s in spans} | {s.end for s in spans} | {p for p, _ in points})
    fragments: dict[int, str] = {}
    stack: list[_Span] = []
    for pos in cuts:
        out = []
        if any(s.end == pos for s in stack):
            reopen = []
            while any(s.end == pos for s in stack):
                top = stack.pop()
                out.append(top.close)
                if top.end != pos:
                    reopen.append(top)
            for s in reversed(reopen):
                out.append(s.open)
                stack.append(s)
        out.extend(html for p, html in points if p == pos)
        for s in sorted((s for s in spans if s.start == pos and s.end > pos), key=lambda s: -s.end):
            out.append(s.open)
            stack.append(s)
        fragments[pos] = "".join(out)
    marked = text
    for i, pos in sorted(enumerate(cuts), key=lambda t: -t[1]):
        marked = marked[:pos] + f"{_OPEN}{i}{_CLOSE}" + marked[pos:]
    html = _MD.renderInline(marked)
    for i, pos in enumerate(cuts):
        html = html.replace(f"{_OPEN}{i}{_CLOSE}", fragments[pos])
    return Markup(html)


def _attr(value) -> str:
    return str(escape(str(value)))


def _emendation_spans(item) -> list[_Span]:
    # Focusable, so the source's reading (shown by CSS on hover and focus) reaches keyboard users too;
    # the hidden text gives it to screen readers.
    return [_Span(e.offset, e.offset + len(e.edition),
                  f'<span class="emendation" data-editorial="emendation" tabindex="0" '
                  f'data-source="{_attr(e.source)}" data-reason="{_attr(e.reason)}">',
                  f'<span class="visually-hidden"> (emended; the source reads: {_attr(e.source)})</span></span>')
            for e in item.emendations]


def pagebreak_html(page: str, first: bool) -> str:
    """Where a printed page begins (DPUB-ARIA), its number shown in the margin; the id where the page begins
    first in reading order (a footnote's page is also the text's). The number is the span's content: an empty
    one loses its role in the accessibility tree, and its label with it."""
    anchor = f' id="page-{_attr(page)}"' if first else ""
    return (f'<span class="pagebreak" role="doc-pagebreak"{anchor} aria-label="{_attr(page)}">'
            f'<span class="page-number">{_attr(page)}</span></span>')


def _pagebreaks(key: str, starts: dict | None, at_start: bool = True) -> list[tuple[int, str]]:
    return [(at, pagebreak_html(page, first)) for at, page, first in (starts or {}).get(key, [])
            if at or at_start]


def page_start(block: Block, starts: dict | None) -> Markup:
    """The page a heading begins, before it (inside, it would become part of the heading's name)."""
    return Markup("".join(html for at, html in _pagebreaks(block.id, starts) if at == 0))


def printed_pages(item) -> str:
    """The printed pages a block or note stands on ('213', '213–214'), or '' when not known."""
    last = item.page_breaks[-1].page if item.page_breaks else item.page
    return item.page if item.page == last else f"{item.page}–{last}"


def block_html(block: Block, starts: dict | None = None, at_start: bool = True) -> Markup:
    """A block's text with its markers, emendations, lacunae and page breaks (starts: Edition.page_starts; a
    break at its start left out unless at_start) in place, as safe HTML."""
    points = [(m.offset, str(marker_html(m))) for m in block.markers] + _pagebreaks(block.id, starts, at_start)
    points += [(g.offset, f' <span class="lacuna" data-editorial="lacuna" tabindex="0" data-reason="{_attr(g.reason)}">'
                          '[…]<span class="visually-hidden"> (text lost in the source)</span></span>') for g in block.gaps]
    return annotate(block.text, _emendation_spans(block), points)


def marker_html(marker) -> Markup:
    attrs = ""
    if marker.printed_n is not None:
        attrs += (f' data-printed="{marker.printed_n}" title="The source prints '
                  f'{marker.printed_n}; the sequence of notes shows it is {marker.n}"')
    if marker.editorial:
        attrs += (f' data-editorial="{_attr(marker.editorial)}" data-reason="{_attr(marker.reason or "")}"'
                  f' title="{_attr("Marker restored by the editor: " + (marker.reason or ""))}"')
    return Markup(f'<sup class="noteref-wrap"><a role="doc-noteref" class="noteref" id="noteref-{marker.n}" '
                  f'href="#note-{marker.n}"{attrs}>{marker.n}</a></sup>')


def _citation_span(c, base: str = "") -> _Span | None:
    end = c.offset + len(c.printed)
    if c.kind == "folios":  # part of the citation it completes: a link to the file, no reference of its own
        return _Span(c.offset, end, f'<a class="archival folios" href="{base}archive.html#file-{"-".join(file_key(c.archive))}">',
                     "</a>")
    if c.archive is not None:
        a = c.archive
        attrs = (f'data-archive="{_attr(a.archive)}" data-fond="{_attr(a.fond)}" data-opis="{_attr(a.opis)}" '
                 f'data-delo="{_attr(a.delo)}" data-listy="{_attr(a.listy)}"' + (f' data-tom="{_attr(a.tom)}"' if a.tom else ""))
        if c.repeats:
            attrs += f' data-repeats="{_attr(c.repeats)}"'
        # A link to the file in the archive index (its preview, with script): the file is what it cites.
        return _Span(c.offset, end, f'<a class="archival" href="{base}archive.html#file-{"-".join(file_key(a))}" '
                                    f'{attrs}>', "</a>")
    if c.target:
        return _Span(c.offset, end, f'<a class="citation" href="{base}#{_attr(c.target)}" '
                                    f'data-confidence="{_attr(c.confidence)}">', "</a>")
    if c.periodical:
        return _Span(c.offset, end, f'<span class="periodical" data-periodical="{_attr(c.periodical)}" '
                                    f'data-dates="{_attr(c.dates)}">', "</span>")
    if c.to_note:
        return _Span(c.offset, end, f'<a class="xref" href="{base}#note-{c.to_note}">', "</a>")
    return None


def note_html(note: Note, base: str = "", starts: dict | None = None) -> Markup:
    """The note as HTML; base is the address of the article page when the note is shown elsewhere; starts (the
    edition's page_starts) puts its page breaks in."""
    spans = [s for s in (_citation_span(c, base) for c in note.citations if c.printed) if s] + _emendation_spans(note)
    points = _expansions(note, base) + _pagebreaks(f"note-{note.n}", starts)
    paragraphs, start = [], 0
    for part in note.text.split("\n\n"):
        end = start + len(part)
        inside = [_Span(max(s.start, start) - start, min(s.end, end) - start, s.open, s.close)
                  for s in spans if s.start < end and s.end > start]
        if part.strip():
            paragraphs.append(f"<p>{annotate(part, inside, [(p - start, h) for p, h in points if start <= p <= end])}</p>")
        start = end + 2
    return Markup("".join(paragraphs))


def _expansions(note: Note, base: str) -> list[tuple[int, str]]:
    """The files within a printed range ('Dd.1242–6'), which print no number of their own: after the range,
    in brackets, as the edition's expansion of it, each file a link like any archival reference."""
    out: dict[int, list[str]] = {}
    for c in note.citations:
        if not c.printed and c.archive is not None:
            span = _citation_span(c, base)
            out.setdefault(c.offset, []).append(f"{span.open}{escape(c.archive.delo)}{span.close}")
    return [(at, f' <span class="expansion" data-editorial="expansion" title="The files within the range, '
                 f'supplied by the edition">[{"dd." if len(links) > 1 else "d."} {", ".join(links)}]</span>')
            for at, links in out.items()]


def static_file(path: Path) -> bytes:
    """A static file as the site ships it: a script without its comment lines and indentation (what a
    reader downloads; the source keeps both)."""
    data = path.read_bytes()
    if path.suffix != ".js":
        return data
    lines = (line.strip() for line in data.decode("utf-8").splitlines())
    return ("\n".join(line for line in lines if line and not line.startswith("//")) + "\n").encode("utf-8")


def render_template(env: Environment, name: str, **context) -> str:
    """The template name rendered with context. The templates are the user's to edit: one that is missing,
    cannot be read as a template or fails while rendering is an EditionError naming its file and line."""
    try:
        return env.get_template(name).render(**context)
    except TemplateNotFound as exc:
        raise EditionError([Problem(f"templates/{exc.name}", 0, "the template is missing", "",
                                    "restore it (e.g. git checkout templates/), or change the template that "
                                    "names it")]) from None
    except TemplateSyntaxError as exc:
        raise EditionError([Problem(f"templates/{exc.name or name}", exc.lineno or 0, "template syntax error: "
                                    + (exc.message or "").rstrip("."), "", "fix the template there")]) from None
    except TemplateError as exc:  # at render time, e.g. a name the page does not have
        where = [(f, n) for f, n in traceback.walk_tb(exc.__traceback__) if f.f_code.co_filename.endswith(".j2")]
        file, line = (Path(where[-1][0].f_code.co_filename).name, where[-1][1]) if where else (name, 0)
        raise EditionError([Problem(f"templates/{file}", line, "the template failed: " + str(exc).rstrip("."), "",
                                    "fix the template there")]) from None


@functools.lru_cache(maxsize=None)
def environment(templates: Path) -> Environment:
    """The Jinja environment of a templates folder, made once per process: compiling the templates
    costs more than rendering an article with them."""
    # Compiled templates are kept between runs (Jinja's cache in the system's temporary folder, one per user,
    # keyed by each template's source): a new process loads them in 3 ms instead of compiling them in 60.
    env = Environment(loader=FileSystemLoader(str(templates)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      bytecode_cache=FileSystemBytecodeCache())
    env.filters["inline"] = inline
    env.filters["block_html"] = block_html
    env.filters["note_html"] = note_html
    env.filters["printed_pages"] = printed_pages
    env.globals["page_start"] = page_start
    env.filters["place"] = lambda a: folio_label(a.listy, a.tom)
    return env


def anchored_notes(edition: Edition) -> dict[int, str]:
    """Note number -> id of the block holding its marker."""
    return {m.n: b.id for b in edition.blocks() for m in b.markers}


def works_cited(edition: Edition) -> list[BibEntry] | None:
    """For an article without a bibliography, the works its notes cite in full, in the order of a
    bibliography (authors' family names, then titles); None for an article with one."""
    if any(e.note is None for e in edition.bibliography):
        return None
    return sorted(edition.bibliography, key=lambda e: (fold(" ".join(p.family for p in e.authors) or e.title),
                                                        fold(e.title), e.year))


def cited_in(edition: Edition) -> dict[str, list[int]]:
    """Bibliography key -> the notes that cite the work (directly or by Ibid.)."""
    out: dict[str, list[int]] = {}
    for note in edition.notes:
        for key in dict.fromkeys(c.target for c in note.citations if c.target):
            out.setdefault(key, []).append(note.n)
    return out


@dataclass
class Delo:
    """One archival file in the index, with every citation of it."""

    archive: str
    fond: str
    opis: str
    delo: str
    cited: list[tuple[int, str, str]]
    """(note, the place cited as displayed (tom and folios, shelfmark.folio_label), citation id) in note order."""

    @property
    def id(self) -> str:
        return "file-" + "-".join(file_key(self))

    @property
    def archive_id(self) -> str:
        return "archive-" + file_key(self)[0]


def file_key(a) -> tuple[str, ...]:
    """An archival file as the index groups it: the same file whatever the script or case it is printed
    in (GARF and ГАРФ, f. R-5457 and f. r-5457), as an id-safe ASCII key."""
    return _file_key(a.archive, a.fond, a.opis, a.delo)


@functools.lru_cache(maxsize=None)
def _file_key(*parts: str) -> tuple[str, ...]:  # asked for again and again by the collection's pages
    return tuple(re.sub(r"[^a-z0-9]+", "-", fold(v)).strip("-") or "0" for v in parts)


def archive_index(edition: Edition) -> list[Delo]:
    """Every archival file cited, ordered by archive, fond, opis and delo (numerically). Each level is
    shown as it is first printed, so one archive (or fond, opis) is one heading."""
    files: dict[tuple, Delo] = {}
    shown: dict[tuple, str] = {}
    for note in edition.notes:
        for c in note.citations:
            if c.archive and c.kind != "folios":
                a = c.archive
                key = file_key(a)
                names = [shown.setdefault(key[:i + 1], v) for i, v in enumerate((a.archive, a.fond, a.opis, a.delo))]
                files.setdefault(key, Delo(*names, [])).cited.append((note.n, folio_label(a.listy, a.tom), c.id))
    return [files[k] for k in sorted(files, key=shelf_order)]


def shelf_order(shelfmark: tuple[str, str, str, str]) -> tuple:
    """(archive, fond, opis, delo) as files stand on the shelf: fond, opis and delo by their numbers."""
    return (shelfmark[0], *(_numeric(v) for v in shelfmark[1:]))


def archive_tree(files: list) -> list[tuple[object, list[tuple[str, list[tuple[str, list]]]]]]:
    """Files (of one article, Delo, or of the collection) grouped by archive, fond and opis in the order
    they come in, which is shelf order (numeric: opis 2 before opis 11), each archive with its first file
    (for its name and id)."""
    tree = []
    for _, in_archive in itertools.groupby(files, key=lambda f: file_key(f)[0]):
        in_archive = list(in_archive)
        fonds = [(group[0].fond, [(opis[0].opis, opis) for opis in _grouped(group, 2)])
                 for group in _grouped(in_archive, 1)]
        tree.append((in_archive[0], fonds))
    return tree


def _grouped(files: list, level: int) -> list[list]:
    return [list(g) for _, g in itertools.groupby(files, key=lambda f: file_key(f)[:level + 1])]


def _numeric(value: str) -> tuple[int, str]:
    digits = "".join(ch for ch in value if ch.isdigit())
    return (int(digits) if digits else 0, value)


def periodical_index(edition: Edition) -> list[tuple[str, list[tuple[int, str]]]]:
    """Periodicals cited (one spelling per title, as first printed) with (note, dates)."""
    names: dict[str, str] = {}
    cited: dict[str, list[tuple[int, str]]] = {}
    for note in edition.notes:
        for c in note.citations:
            if c.periodical:
                key = c.periodical.casefold()
                names.setdefault(key, c.periodical)
                cited.setdefault(key, []).append((note.n, c.dates))
    return sorted(((names[k], v) for k, v in cited.items()), key=lambda t: t[0].casefold())


def place_of(edition: Edition):
    """Source line -> (anchor, label) of the block, note or entry made from it."""
    places: dict[int, tuple[str, str]] = {}
    for block in edition.blocks():
        for line in block.lines:
            places.setdefault(line, (block.id, block_label(block.id)))
    for note in edition.notes:
        for line in note.lines:
            places.setdefault(line, (f"note-{note.n}", f"note {note.n}"))
    for entry in edition.bibliography:
        places.setdefault(entry.line, (entry.key, "references"))
    return lambda line: places.get(line, ("", f"line {line}"))


def block_label(block_id: str) -> str:
    if block_id.startswith("p") and block_id[1:].isdigit():
        return f"¶ {block_id[1:]}"
    return block_id


def _words_before(text: str, offset: int, limit: int = 60) -> str:
    """The words just before offset, about limit characters of them, starting at a word."""
    start = max(0, offset - limit)
    if start:
        space = text.find(" ", start, offset)
        start = space + 1 if space >= 0 else start
    return text[start:offset]


def apparatus(edition: Edition, report: Report) -> dict:
    """The editorial interventions, each with the place it concerns."""
    emendations, restored, lacunae = [], [], []
    for block in edition.blocks():
        for e in block.emendations:
            emendations.append((block.id, block_label(block.id), e))
        for m in block.markers:
            if m.editorial:
                restored.append((m, block.id, _words_before(block.text, m.offset)))
        for g in block.gaps:
            lacunae.append((block.id, block_label(block.id), _words_before(block.text, g.offset), g))
    for note in edition.notes:
        for e in note.emendations:
            emendations.append((f"note-{note.n}", f"note {note.n}", e))
    citations = [(note, c) for note in edition.notes for c in note.citations if c.editorial]
    accepted = [d for d in report.doubts if d.resolved_by and d.kind not in ("unanchored-note", "suspected-lacuna")]
    repairs: dict[str, list] = {}
    place = place_of(edition)
    for r in report.repairs:
        repairs.setdefault(r.kind, []).append((r, *place(r.line)))
    return {"emendations": emendations, "restored": sorted(restored, key=lambda t: t[0].n), "lacunae": lacunae,
            "citations": citations, "accepted": accepted, "repairs": repairs,
            "open": [d for d in report.doubts if not d.resolved_by]}


def article_label(m: Metadata) -> str:
    """How lists and search results name an article: its authors, title and year."""
    return f"{', '.join(m.authors) or 'Anonymous'}, {plain(m.title)}" + (f" ({m.year})" if m.year else "")


def citation_meta(edition: Edition) -> list[tuple[str, str]]:
    """Highwire Press tags (what Zotero and Google Scholar read)."""
    m = edition.metadata
    first, _, last = m.pages.replace("-", "–").partition("–")
    tags = [("citation_title", m.title)] + [("citation_author", a) for a in m.authors]
    tags += [("citation_publication_date", m.year), ("citation_journal_title", m.journal),
             ("citation_volume", m.volume), ("citation_issue", m.issue), ("citation_firstpage", first),
             ("citation_lastpage", last), ("citation_doi", m.doi)]
    tags += [("citation_issn", issn) for issn in re.findall(r"\d{4}-\d{3}[\dX]", m.issn)]
    return [(k, v) for k, v in tags if v]


def json_ld(edition: Edition, url: str) -> dict:
    """schema.org ScholarlyArticle for the article this edition presents."""
    m = edition.metadata
    first, _, last = m.pages.replace("-", "–").partition("–")
    periodical = {"@type": "Periodical", "name": m.journal}
    if m.issn:
        periodical["issn"] = re.findall(r"\d{4}-\d{3}[\dX]", m.issn)
    data = {"@context": "https://schema.org", "@type": "ScholarlyArticle", "headline": m.title,
            "name": m.title, "author": [{"@type": "Person", "name": a} for a in m.authors],
            "datePublished": m.year, "pageStart": first, "pageEnd": last,
            "isPartOf": {"@type": "PublicationIssue", "issueNumber": m.issue,
                         "isPartOf": {"@type": "PublicationVolume", "volumeNumber": m.volume,
                                      "isPartOf": periodical}}}
    if m.doi:
        data["sameAs"] = f"https://doi.org/{m.doi}"
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": m.doi}
    if edition.abstract:
        data["abstract"] = plain(edition.abstract.text)
    if url:
        data["url"] = url
    return data


def render_site(pages: list[Page], templates: Path, base_url: str = "") -> dict[str, str]:
    """Every page of the articles, by path relative to the site root (base_url, when known, makes the
    canonical and Open Graph addresses absolute)."""
    env = environment(templates)
    out = {}
    for page in pages:
        ed = page.edition
        url = f"{base_url.rstrip('/')}/{page.slug}/" if base_url else ""
        common = {"page": page, "ed": ed, "root": "../", "url": url, "starts": ed.page_starts()}
        unanchored = {d.note: d for d in page.report.doubts if d.kind == "unanchored-note" and not d.resolved_by}
        out[f"{page.slug}/index.html"] = render_template(env, "article.html.j2",
            **common, here="article", anchored=anchored_notes(ed), unanchored=unanchored, cited_in=cited_in(ed),
            works_cited=works_cited(ed),
            meta=citation_meta(ed), ld=json_ld(ed, url),
            description=plain(ed.abstract.text)[:300] if ed.abstract else "")
        out[f"{page.slug}/apparatus.html"] = render_template(env, "apparatus.html.j2",
            **common, here="apparatus", app=apparatus(ed, page.report))
        out[f"{page.slug}/archive.html"] = render_template(env, "archive.html.j2",
            **common, here="archive", archives=archive_tree(archive_index(ed)), periodicals=periodical_index(ed))
    return out


def stage(job):
    """The articles' pages, in memory."""
    pages = [Page(w.slug, w.edition, w.report) for w in job.works]
    job.files.update(render_site(pages, job.project / "templates", job.base_url))
    return job
