"""Markdown export: the edition in Pandoc's Markdown (YAML title block, the text with footnotes, the
references)."""
from __future__ import annotations

import re

from .. import yamlio
from ..records import Block, Edition
from .text import paragraphs, runs

_MD_ESCAPE = re.compile(r"([\\`*_\[\]{}<>$^~@#|&])")
# What would start a block in Pandoc's Markdown at the start of a paragraph: a list marker,
# a definition, a block quote, a title block.
_MD_BLOCK_START = re.compile(r"^([-+:=>%]|(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)](?=\s|$))")


def _md(text: str, points: dict[int, list[str]] | None = None) -> str:
    """Edition Markdown as Pandoc Markdown: everything Pandoc would read as markup escaped,
    emphasis kept, and the given Markdown inserted at offsets."""
    points = points or {}
    cuts = sorted(points)
    out = []
    for item, styles in runs(text, cuts):
        if isinstance(item, int):
            out.append("".join(points[cuts[item]]))
            continue
        core = _MD_ESCAPE.sub(r"\\\1", item.strip())
        if core and styles:
            delimiter = "".join("*" if s == "italic" else "**" for s in styles)
            core = f"{delimiter}{core}{delimiter[::-1]}"
        lead, trail = item[:len(item) - len(item.lstrip())], item[len(item.rstrip()):]
        out.append(f"{lead}{core}{trail}" if core else item)
    line = "".join(out).strip()
    return _MD_BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], line)


def _md_block(block: Block) -> str:
    points: dict[int, list[str]] = {}
    for m in block.markers:
        points.setdefault(m.offset, []).append(f"[^{m.n}]")
    for g in block.gaps:
        points.setdefault(g.offset, []).append(" \\[…\\]")
    return _md(block.text, points)


def to_markdown(edition: Edition) -> str:
    """The edition in Pandoc's Markdown: YAML title block, the text with footnotes, the references."""
    ed, m = edition, edition.metadata
    meta = {"title": _md_block(ed.title), "author": list(m.authors)}
    meta.update({key: value for key, value in (("date", m.year), ("journal", m.journal), ("volume", m.volume),
                                               ("issue", m.issue), ("pages", m.pages), ("doi", m.doi)) if value})
    if ed.abstract:
        meta["abstract"] = _md_block(ed.abstract)
    parts = ["---\n" + yamlio.dumps(meta) + "---"]
    for section in ed.sections:
        if section.heading:
            parts.append(f"# {_md_block(section.heading)} {{#{section.id}}}")
        parts += [_md_block(p) for p in section.paragraphs]
    anchored = {mk.n for b in ed.blocks() for mk in b.markers}
    lost = [note.n for note in ed.notes if note.n not in anchored]
    if lost:
        parts.append("# Notes whose markers the source lost")
        parts += [f"Note {n}.[^{n}]" for n in lost]
    if ed.bibliography:
        parts.append("# References")
        parts += [_md(entry.raw or entry.title) for entry in ed.bibliography]
    for note in ed.notes:
        texts = [_md(note.text[start:end]) for start, end in paragraphs(note.text)] or [""]
        parts.append(f"[^{note.n}]: " + "\n\n".join(
            texts[:1] + ["    " + p for p in texts[1:]]))
    return "\n\n".join(parts) + "\n"
