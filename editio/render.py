"""Render: editions into the pages of a static site (path -> HTML), through Jinja templates.

Text from a seed or a correction is Markdown rendered by markdown-it-py with raw
HTML disabled, and templates autoescape: nothing a source says can become markup.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .records import Block, Edition, Note, Report

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


def block_html(block: Block) -> Markup:
    """A block's text with its markers in place, as safe HTML."""
    text = block.text
    for i, marker in sorted(enumerate(block.markers), key=lambda t: -t[1].offset):
        text = text[:marker.offset] + f"{_OPEN}{i}{_CLOSE}" + text[marker.offset:]
    html = _MD.renderInline(text)
    for i, marker in enumerate(block.markers):
        html = html.replace(f"{_OPEN}{i}{_CLOSE}", str(marker_html(marker)))
    return Markup(html)


def marker_html(marker) -> Markup:
    attrs = ""
    if marker.printed_n is not None:
        attrs += (f' data-printed="{marker.printed_n}" title="The source prints '
                  f'{marker.printed_n}; the sequence of notes shows it is {marker.n}"')
    if marker.editorial:
        attrs += f' data-editorial="{escape(marker.editorial)}"'
    return Markup(f'<sup class="noteref-wrap"><a role="doc-noteref" class="noteref" id="noteref-{marker.n}" '
                  f'href="#note-{marker.n}"{attrs}>{marker.n}</a></sup>')


def note_html(note: Note) -> Markup:
    paragraphs = [p for p in note.text.split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{inline(p)}</p>" for p in paragraphs))


def environment(templates: Path) -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["inline"] = inline
    env.filters["block_html"] = block_html
    env.filters["note_html"] = note_html
    return env


def anchored_notes(edition: Edition) -> dict[int, str]:
    """Note number -> id of the block holding its marker."""
    return {m.n: b.id for b in edition.blocks() for m in b.markers}


def render_site(pages: list[Page], templates: Path) -> dict[str, str]:
    """Every page of the site, by path relative to the site root."""
    env = environment(templates)
    out = {"index.html": env.get_template("index.html.j2").render(pages=pages, root="")}
    article = env.get_template("article.html.j2")
    for page in pages:
        unanchored = {d.note: d for d in page.report.doubts if d.kind == "unanchored-note"}
        out[f"{page.slug}/index.html"] = article.render(
            page=page, ed=page.edition, root="../", anchored=anchored_notes(page.edition),
            unanchored=unanchored)
    return out


def stage(job):
    """The site's pages and static files, in memory."""
    pages = [Page(w.slug, w.edition, w.report) for w in job.works]
    job.files.update(render_site(pages, job.project / "templates"))
    static = job.project / "static"
    for path in sorted(static.rglob("*")):
        if path.is_file():
            job.files[f"static/{path.relative_to(static).as_posix()}"] = path.read_bytes()
    return job
