"""CSL-JSON export: the bibliography for Zotero, pandoc --citeproc and other citation processors."""
from __future__ import annotations

import json

from ..records import Edition, Person
from .text import names, runs

def _csl_name(person: Person) -> dict:
    return {"family": person.family, "given": person.given} if person.given else {"literal": person.family}


def _csl_text(text: str) -> str:
    """CSL-JSON rich text: emphasis as <i>/<b> (citation processors read no entities: & and < stay as they are)."""
    out = []
    for piece, styles in runs(text, []):
        for style in reversed(styles):
            tag = style[0]
            piece = f"<{tag}>{piece}</{tag}>"
        out.append(piece)
    return "".join(out)


_CSL_TYPES = {"archive": "collection"}
"""Entry types whose CSL name differs (CSL has no type for an archive; a collection is what it holds)."""
_CSL_FIELDS = (("container-title", "container"), ("volume", "volume"), ("issue", "issue"), ("page", "pages"),
               ("edition", "edition"), ("publisher", "publisher"), ("publisher-place", "place"))


def csl_items(edition: Edition) -> list[dict]:
    """The bibliography as CSL-JSON items (id = the entry's key)."""
    items = []
    for entry in edition.bibliography:
        item = {"id": entry.key, "type": _CSL_TYPES.get(entry.type, entry.type)}
        if entry.authors:
            item["editor" if entry.role == "editor" else "author"] = [_csl_name(p) for p in entry.authors]
        if entry.container_editors:
            item.setdefault("editor", [_csl_name(p) for p in names(entry.container_editors)])
        item["title"] = _csl_text(entry.title)
        for name, attr in _CSL_FIELDS:
            value = getattr(entry, attr)
            if value:
                item[name] = _csl_text(value) if name == "container-title" else value
        if entry.year:
            item["issued"] = ({"date-parts": [[int(entry.year)]]} if entry.year.isdigit()
                              else {"literal": entry.year})
        items.append(item)
    return items


def to_csl_json(edition: Edition) -> str:
    """The bibliography as CSL-JSON (for Zotero, pandoc --citeproc and other citation processors)."""
    return json.dumps(csl_items(edition), ensure_ascii=False, indent=2) + "\n"

