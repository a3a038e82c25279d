"""BibTeX export: the bibliography, keys as the entries' keys."""
from __future__ import annotations

import re

from ..records import Edition, Person
from .text import names, runs

_BIBTEX_TYPES = {"book": "book", "article-journal": "article", "chapter": "incollection", "thesis": "phdthesis",
                 "archive": "misc", "periodical": "misc"}
_BIBTEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
                    "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}


def _bibtex_text(text: str, markdown: bool = True) -> str:
    """A BibTeX field value: specials escaped, emphasis as \\emph / \\textbf."""
    out = []
    for piece, styles in (runs(text, []) if markdown else [(text, ())]):
        piece = re.sub(r"[\\{}%&$#_^~]", lambda m: _BIBTEX_SPECIALS[m.group()], piece)
        for style in reversed(styles):
            piece = f"\\{'emph' if style == 'italic' else 'textbf'}{{{piece}}}"
        out.append(piece)
    return "".join(out)


def _bibtex_names(people: list[Person]) -> str:
    """'Family, Given and Family, Given'; the family name braced so that BibTeX takes it whole."""
    return " and ".join(f"{{{_bibtex_text(p.family, False)}}}"
                        + (f", {_bibtex_text(p.given, False)}" if p.given else "") for p in people)


def to_bibtex(edition: Edition) -> str:
    """The bibliography as BibTeX (keys = the entries' keys)."""
    records = []
    for entry in edition.bibliography:
        kind = _BIBTEX_TYPES[entry.type]
        fields = []
        if entry.authors:
            fields.append(("editor" if entry.role == "editor" else "author", _bibtex_names(entry.authors)))
        fields.append(("title", f"{{{_bibtex_text(entry.title)}}}"))  # braced: styles must not recase it
        if entry.container:
            fields.append(("journal" if kind == "article" else "booktitle", _bibtex_text(entry.container)))
        if entry.container_editors and entry.role != "editor":
            fields.append(("editor", _bibtex_names(names(entry.container_editors))))
        fields += [(name, _bibtex_text(value, False)) for name, value in (
            ("edition", entry.edition), ("volume", entry.volume), ("number", entry.issue),
            ("pages", re.sub(r"\s*[-–—]\s*", "--", entry.pages)), ("address", entry.place),
            ("school" if kind == "phdthesis" else "publisher", entry.publisher), ("year", entry.year)) if value]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        records.append(f"@{kind}{{{entry.key},\n{body}\n}}\n")
    return "\n".join(records)

