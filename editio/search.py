"""Search: a Pagefind index of every note, paragraph, bibliography entry and archival file.

Each is a small page of its own (site/<edition>/records/…), indexed with Pagefind's bundled
binary through its Python API in one add_directory call (adding pages one by one costs a
service round trip each). Every record carries the address of its place in the edition
(meta 'target'), filters (kind, archival file, cited author, section), every printed form
of the archival shelfmarks it cites, and the other spellings of its transliterated names.
"""
from __future__ import annotations

import asyncio
import json
import concurrent.futures
import hashlib
import shutil
from importlib.metadata import version
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup, escape

from .link import name_key
from .problems import EditionError, Problem
from .records import ArchivalRef, Edition
from .shelfmark import folio_label
from .render import Page, _block_label, archive_index, block_html, cited_in, environment, inline, note_html
from .textrules import WORD, plain

RECORDS = "records"
DIGEST = "records.sha256"
"""Written beside the index: what it was built from."""


@dataclass
class Record:
    """One search result: what it says, where it leads, how it can be filtered."""

    path: str
    """Its page, relative to the edition's folder."""
    kind: str
    """Note, Text, Bibliography or Archive (the 'kind' filter)."""
    title: str
    """The result's heading."""
    target: str
    """Its place in the edition, relative to the site's root."""
    go: str
    """The words of the link to that place."""
    body: Markup
    """The record's text as HTML."""
    filters: dict[str, list[str]] = field(default_factory=dict)
    """Filter name -> values."""
    also: list[str] = field(default_factory=list)
    """Other spellings of its names, so a search in either spelling finds it."""


def shelfmark_forms(a: ArchivalRef) -> str:
    """Every way a historian writes this file, so any of them finds it."""
    folios = f", l. {a.listy}" if a.listy else ""
    return (f"{a.archive}, fond {a.fond}, opis' {a.opis}, delo {a.delo}{', listy ' + a.listy if a.listy else ''}; "
            f"{a.archive}, f. {a.fond}, op. {a.opis}, d. {a.delo}{folios}")


def file_label(a: ArchivalRef) -> str:
    return f"{a.archive}, f. {a.fond}, op. {a.opis}, d. {a.delo}"


def spelling_variants(edition: Edition):
    """Word -> its other spellings: those the edition itself uses for the same name (Trotsky,
    Trotskii; Ivanova, Ivanovva) and those transliteration rules give (-y/-ii/-iy/-ij
    endings; a soft sign ' left out)."""
    texts = [b.text for b in edition.blocks()] + [n.text for n in edition.notes] + [e.raw for e in edition.bibliography]
    names = {re.sub(r"['’]s$", "", w) for t in texts for w in WORD.findall(t) if w[:1].isupper()}
    groups: dict[str, set[str]] = {}
    for w in names:
        groups.setdefault(name_key(w), set()).add(w)

    def variants(word: str) -> set[str]:
        base = re.sub(r"['’]s$", "", word)
        out = set(groups.get(name_key(base), ())) | {base.replace("'", "").replace("’", "")}
        stem = re.sub(r"(?<=k)(?:ii|iy|ij|y)$", "", base)  # -sky, -skii, -skiy, -skij: one surname
        if stem != base:
            out |= {stem + end for end in ("y", "ii", "iy", "ij")}
        return out - {word, base}
    return variants


def _also(texts: list[str], variants) -> list[str]:
    words = {re.sub(r"['’]s$", "", w) for t in texts for w in WORD.findall(plain(t)) if w[:1].isupper()}
    return sorted({v for w in words for v in variants(w)} - words)


def records(edition: Edition, slug: str) -> list[Record]:
    variants = spelling_variants(edition)
    keys = {e.key: e for e in edition.bibliography}
    section_of = {b.id: (s.heading.text if s.heading else "Introduction")
                  for s in edition.sections for b in s.paragraphs}
    section_of_note = {m.n: section_of.get(b.id, "Title and abstract") for b in edition.blocks() for m in b.markers}
    out: list[Record] = []
    for note in edition.notes:
        files = sorted({file_label(c.archive) for c in note.citations if c.archive})
        authors = sorted({p.family for c in note.citations if c.target in keys for p in keys[c.target].authors})
        cites = [shelfmark_forms(c.archive) for c in note.citations if c.archive]
        cites += [f"{', '.join(p.family for p in keys[c.target].authors)}, {plain(keys[c.target].title)}"
                  for c in note.citations if c.target in keys]
        cites += [f"{c.periodical}, {c.dates}" for c in note.citations if c.periodical and c.kind == "ibid"]
        body = note_html(note, "../")
        if cites:
            body += Markup("<p class='cites'>Cites: ") + escape("; ".join(dict.fromkeys(cites))) + Markup("</p>")
        out.append(Record(f"note-{note.n}.html", "Note", f"Note {note.n}", f"{slug}/#note-{note.n}",
                          f"Read note {note.n} at its place in the text", body,
                          {"kind": ["Note"], "file": files, "author": authors,
                           "section": [section_of_note.get(note.n, "")] if note.n in section_of_note else []},
                          _also([note.text] + cites, variants)))
    for section in edition.sections:
        heading = section.heading.text if section.heading else "Introduction"
        for p in section.paragraphs:
            out.append(Record(f"{p.id}.html", "Text", f"{_block_label(p.id)} · {plain(heading)}",
                              f"{slug}/#{p.id}", f"Read {_block_label(p.id)} in the text",
                              Markup("<p>") + block_html(_unmarked(p)) + Markup("</p>"),
                              {"kind": ["Text"], "section": [plain(heading)]}, _also([p.text], variants)))
    citing = cited_in(edition)
    for e in edition.bibliography:
        who = ", ".join(p.family for p in e.authors) or plain(e.title)
        notes = citing.get(e.key, [])
        body = Markup("<p>") + inline(e.raw) + Markup("</p>")
        if notes:
            body += Markup("<p>") + escape(f"Cited in notes {', '.join(map(str, notes))}.") + Markup("</p>")
        out.append(Record(f"ref-{e.key}.html", "Bibliography", f"{who}, {plain(e.title)}{f' ({e.year})' if e.year else ''}",
                          f"{slug}/#{e.key}", "See the entry in the references", body,
                          {"kind": ["Bibliography"], "author": [p.family for p in e.authors]},
                          _also([e.raw], variants)))
    for f in archive_index(edition):
        ref = ArchivalRef(f.archive, f.fond, f.opis, f.delo)
        cited = "; ".join(f"note {n}" + (f", {folio_label(listy)}" if listy else "") for n, listy, _ in f.cited)
        body = Markup("<p>") + escape(f"{shelfmark_forms(ref)}. Cited in {cited}.") + Markup("</p>")
        out.append(Record(f"{f.id}.html", "Archive", file_label(ref), f"{slug}/archive.html#{f.id}",
                          "See the file in the archive index", body, {"kind": ["Archive"], "file": [file_label(ref)]}))
    return out


def _unmarked(block):
    """The block without its markers: a paragraph's record is about its words."""
    return replace(block, markers=[])


def pages(job):
    """The record pages and the search page, added to the site's files."""
    env = environment(job.project / "templates")
    template = env.get_template("record.html.j2")
    for work in job.works:
        page = Page(work.slug, work.edition, work.report)
        for rec in records(work.edition, work.slug):
            job.files[f"{work.slug}/{RECORDS}/{rec.path}"] = template.render(
                rec=rec, page=page, ed=work.edition, root="../../")
    files = [f for work in job.works for f in archive_index(work.edition)]
    job.files["search.html"] = env.get_template("search.html.j2").render(root="", example=files[0] if files else None)
    return job


def index(job):
    """The Pagefind index of the staged site, written into it (pagefind/). When the record pages are
    exactly those the current site was indexed from, its index is reused (most corrections change
    only the article page, and indexing is the slowest stage)."""
    digest = _records_digest(job)
    previous = job.site_dir / "pagefind"
    if (previous / DIGEST).exists() and (previous / DIGEST).read_text(encoding="utf-8") == digest:
        shutil.copytree(previous, job.staging / "pagefind")
        job.log.append("search index unchanged (records as before)")
        return job
    try:
        # A thread of its own: the caller may already be running an event loop (a test harness, a notebook).
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _index(job.staging)).result()
    except Exception as exc:  # the service's failures come as assorted exception types
        raise EditionError([Problem("pagefind", 0, "the search index could not be built", str(exc)[:200],
                                    "check that the pagefind package (with its binary) is installed: "
                                    "pip install 'pagefind[bin]'")]) from None
    (job.staging / "pagefind" / DIGEST).write_text(digest, encoding="utf-8")
    job.log.append("search index written (pagefind/)")
    return job


def _records_digest(job) -> str:
    h = hashlib.sha256(f"pagefind {version('pagefind')}".encode())
    for path in sorted(p for p in job.files if f"/{RECORDS}/" in p):
        content = job.files[path]
        h.update(path.encode() + b"\0" + (content if isinstance(content, bytes) else content.encode()) + b"\0")
    return h.hexdigest()


class _Collected(Exception):
    """Leaves the index's context once its files are in hand: Pagefind then closes without writing them
    itself (its own writing, racing the service's shutdown, left empty files in about one build in six)."""


async def _index(site: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex
    files = []
    try:
        async with PagefindIndex(config=IndexConfig(force_language="en")) as pagefind:
            await pagefind.add_directory(str(site), glob=f"*/{RECORDS}/*.html")
            files = await pagefind.get_files()
            raise _Collected
    except _Collected:
        pass
    out = site / "pagefind"
    for file in files:
        name = file["path"]
        if re.match(r"pagefind-\w+-ui\.|pagefind-ui\.", Path(name).name):
            continue  # the site has its own search page: Pagefind's ready-made interfaces are dead weight
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file["content"])
    entry = out / "pagefind-entry.json"
    if not entry.exists() or not json.loads(entry.read_text(encoding="utf-8")).get("languages"):
        raise RuntimeError("Pagefind returned no index entry")
