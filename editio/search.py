"""Search: Pagefind indexes of every article, note, paragraph, bibliography entry and archival file.

Each is a small page of its own (site/<article>/records/…), indexed by the pagefind executable that
the pagefind_bin package ships, run as a command under a timeout. Every record carries the address of
its place in the edition (meta 'target'), the article it belongs to (meta 'article', filter 'article'),
filters (kind, archival file, cited author, section), every printed form of the archival shelfmarks it
cites, and the other spellings of its transliterated names.

The records are indexed in shards: an article's records go to one of SHARDS indexes
(pagefind/<shard>/) chosen by its name alone, and the search page merges the shards (Pagefind's
mergeIndex). A shard is indexed again only when the records of its articles changed, so a correction to
one article of 100 re-indexes about three articles, not the collection, and no Pagefind run holds more
than a shard in memory. The price is paid by the first search of a large collection, which loads each
shard's small entry files (bench/scale.py measures both).
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import os
import shutil
import tempfile
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup, escape

from .cache import installed, link_files
from .external import run
from .link import name_key
from .problems import EditionError, Problem
from .records import ArchivalRef, Edition
from .render import (Page, archive_index, article_label, block_html, block_label, cited_in, environment, inline,
                     note_html)
from .textrules import WORD, plain

RECORDS = "records"
INDEX = "pagefind"
SHARDS = 32
DIGEST = "records.sha256"
"""Written beside each shard's index: what it was built from."""


@dataclass
class Record:
    """One search result: what it says, where it leads, how it can be filtered."""

    path: str
    """Its page, relative to the edition's folder."""
    kind: str
    """Article, Note, Text, Bibliography or Archive (the 'kind' filter)."""
    title: str
    """The result's heading."""
    where: str
    """Where it stands in the article (section · note N, section · ¶ N, References, Archive index)."""
    target: str
    """Its place in the edition, relative to the site's root."""
    go: str
    """The words of the link to that place."""
    body: Markup
    """The record's own text as HTML: what its excerpt is taken from."""
    filters: dict[str, list[str]] = field(default_factory=dict)
    """Filter name -> values."""
    extra: str = ""
    """Searchable, never shown as an excerpt: every printed form of the shelfmarks it cites, the works."""
    also: list[tuple[str, str]] = field(default_factory=list)
    """Other spellings of its names, each with the spelling it prints, so either finds it."""


def shelfmark_forms(a: ArchivalRef) -> str:
    """Every way a historian writes this file, so any of them finds it."""
    tom = f", tom {a.tom}" if a.tom else ""
    folios = f", l. {a.listy}" if a.listy else ""
    return (f"{a.archive}, fond {a.fond}{f', opis{chr(39)} {a.opis}' if a.opis else ''}, delo {a.delo}{tom}"
            f"{', listy ' + a.listy if a.listy else ''}; "
            f"{file_label(a)}{f', t. {a.tom}' if a.tom else ''}{folios}")


def file_label(a: ArchivalRef) -> str:
    return f"{a.archive}, f. {a.fond}{f', op. {a.opis}' if a.opis else ''}, d. {a.delo}"


def spelling_variants(edition: Edition):
    """Name -> its other spellings: those the edition itself uses for the same name (Trotsky, Trotskii,
    Троцкий; Ivanova, Ivanovva) and those transliteration rules give (-y/-ii/-iy/-ij endings; a soft
    sign ' left out). A name is a capitalised word the edition never writes in lower case: 'Party' gets
    no 'Partii'."""
    texts = [b.text for b in edition.blocks()] + [n.text for n in edition.notes] + [e.raw for e in edition.bibliography]
    words = [re.sub(r"['’]s$", "", w) for t in texts for w in WORD.findall(t)]
    lower = {w.lower() for w in words if w[:1].islower()}
    names = {w for w in words if w[:1].isupper() and w.lower() not in lower}
    groups: dict[str, set[str]] = {}
    for w in names:
        groups.setdefault(name_key(w), set()).add(w)

    def variants(word: str) -> set[str]:
        base = re.sub(r"['’]s$", "", word)
        if base not in names:
            return set()
        out = set(groups.get(name_key(base), ())) | {base.replace("'", "").replace("’", "")}
        stem = re.sub(r"(?<=k)(?:ii|iy|ij|y)$", "", base)  # -sky, -skii, -skiy, -skij: one surname
        if stem != base:
            out |= {stem + end for end in ("y", "ii", "iy", "ij")}
        return out - {word, base}
    return variants


def _also(texts: list[str], variants) -> list[tuple[str, str]]:
    """(other spelling, the spelling printed) for the names of texts."""
    words = {re.sub(r"['’]s$", "", w) for t in texts for w in WORD.findall(plain(t)) if w[:1].isupper()}
    return sorted({(v, w) for w in words for v in variants(w) if v not in words})


def records(edition: Edition, slug: str) -> list[Record]:
    variants = spelling_variants(edition)
    keys = {e.key: e for e in edition.bibliography}
    section_of = {b.id: (s.heading.text if s.heading else "Introduction")
                  for s in edition.sections for b in s.paragraphs}
    section_of_note = {m.n: section_of.get(b.id, "Title and abstract") for b in edition.blocks() for m in b.markers}
    m = edition.metadata
    citation = ", ".join(filter(None, (m.journal, f"{m.volume}:{m.issue}" if m.issue else m.volume, m.year, m.pages)))
    body = Markup("<p>") + escape(", ".join(m.authors)) + Markup("</p><p>") + escape(citation) + Markup("</p>")
    if edition.abstract:
        body += Markup("<p>") + block_html(edition.abstract) + Markup("</p>")
    out: list[Record] = [Record("article.html", "Article", plain(m.title), "", f"{slug}/", "Read the article", body,
                                {"kind": ["Article"]}, also=_also([m.title, edition.abstract.text if edition.abstract
                                                                   else ""] + m.authors, variants))]
    for note in edition.notes:
        files = sorted({file_label(c.archive) for c in note.citations if c.archive})
        authors = sorted({p.family for c in note.citations if c.target in keys for p in keys[c.target].authors})
        cites = [shelfmark_forms(c.archive) for c in note.citations if c.archive]
        cites += [f"{', '.join(p.family for p in keys[c.target].authors)}, {plain(keys[c.target].title)}"
                  for c in note.citations if c.target in keys]
        cites += [f"{c.periodical}, {c.dates}" for c in note.citations if c.periodical and c.kind == "ibid"]
        section = section_of_note.get(note.n)
        out.append(Record(f"note-{note.n}.html", "Note", f"Note {note.n}",
                          " · ".join(filter(None, (plain(section or ""), f"note {note.n}"))),
                          f"{slug}/#note-{note.n}", f"Read note {note.n} at its place in the text", note_html(note, "../"),
                          {"kind": ["Note"], "file": files, "author": authors,
                           "section": [plain(section)] if section else []},
                          "; ".join(dict.fromkeys(cites)), _also([note.text], variants)))
    for section in edition.sections:
        heading = plain(section.heading.text if section.heading else "Introduction")
        for p in section.paragraphs:
            out.append(Record(f"{p.id}.html", "Text", f"{block_label(p.id)} · {heading}",
                              f"{heading} · {block_label(p.id)}", f"{slug}/#{p.id}",
                              f"Read {block_label(p.id)} in the text",
                              Markup("<p>") + block_html(_unmarked(p)) + Markup("</p>"),
                              {"kind": ["Text"], "section": [heading]}, also=_also([p.text], variants)))
    citing = cited_in(edition)
    for e in edition.bibliography:
        who = ", ".join(p.family for p in e.authors) or plain(e.title)
        notes = citing.get(e.key, [])
        body = Markup("<p>") + inline(e.raw) + Markup("</p>")
        if notes:
            body += Markup("<p>") + escape(f"Cited in notes {', '.join(map(str, notes))}.") + Markup("</p>")
        out.append(Record(f"ref-{e.key}.html", "Bibliography", f"{who}, {plain(e.title)}{f' ({e.year})' if e.year else ''}",
                          "Works cited" if e.note else "References", f"{slug}/#{e.key}",
                          "See the work among those cited" if e.note else "See the entry in the references", body,
                          {"kind": ["Bibliography"], "author": [p.family for p in e.authors]},
                          also=_also([e.raw], variants)))
    for f in archive_index(edition):
        ref = ArchivalRef(f.archive, f.fond, f.opis, f.delo)
        cited = "; ".join(f"note {n}" + (f", {place}" if place else "") for n, place, _ in f.cited)
        body = Markup("<p>") + escape(f"{file_label(ref)}. Cited in {cited}.") + Markup("</p>")
        out.append(Record(f"{f.id}.html", "Archive", file_label(ref), "Archive index", f"{slug}/archive.html#{f.id}",
                          "See the file in the archive index", body, {"kind": ["Archive"], "file": [file_label(ref)]},
                          shelfmark_forms(ref)))
    return out


def _unmarked(block):
    """The block without its markers: a paragraph's record is about its words."""
    return replace(block, markers=[])


def pages(job):
    """Each article's search records, as pages of its own."""
    env = environment(job.project / "templates")
    template = env.get_template("record.html.j2")
    for work in job.works:
        page = Page(work.slug, work.edition, work.report)
        label = article_label(work.edition.metadata)
        for rec in records(work.edition, work.slug):
            job.files[f"{work.slug}/{RECORDS}/{rec.path}"] = template.render(
                rec=rec, page=page, ed=work.edition, article=label, root="../../")
    return job


def records_digest(files: dict[str, str | bytes]) -> str:
    """The digest of the record pages among files (one article's)."""
    h = hashlib.sha256()
    for path in sorted(p for p in files if f"/{RECORDS}/" in p):
        content = files[path]
        h.update(path.encode() + b"\0" + (content if isinstance(content, bytes) else content.encode()) + b"\0")
    return h.hexdigest()


def shard_of(slug: str) -> str:
    """The index an article's records go to: a hexadecimal digit, the same whatever else is built."""
    return f"{int(hashlib.sha256(slug.encode()).hexdigest(), 16) % SHARDS:x}"


def shards(articles) -> dict[str, list]:
    """Shard name -> its articles (collection.ArticleSummary), in shard order."""
    out: dict[str, list] = {}
    for a in sorted(articles, key=lambda a: shard_of(a.slug)):
        out.setdefault(shard_of(a.slug), []).append(a)
    return out


def search_page(job):
    """The search page: the indexes it merges, a filter by article, an example shelfmark."""
    env = environment(job.project / "templates")
    example = next((f for a in job.articles for f in a.files), None)
    indexes = [f"{INDEX}/{name}/" for name in shards(job.articles)]
    job.files["search.html"] = env.get_template("search.html.j2").render(
        root="", example=example, articles=job.articles, indexes=indexes)
    return job


@dataclass
class Indexing:
    """Pagefind runs under way, from start_index to index."""

    pool: concurrent.futures.ThreadPoolExecutor
    """Where they run (two at once)."""
    runs: list[concurrent.futures.Future]
    """One per shard whose records changed."""
    made: int
    """Articles indexed again."""
    reused: int
    """Articles whose shard keeps its index."""

    def stop(self) -> None:
        """Start no other run, and wait for those under way (they write into the staging folder)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def start_index(job):
    """Pagefind started on each shard of the staged records, as soon as the articles are staged: it runs
    (a process of its own) while the collection's pages are made, and index() waits for it. A shard whose
    articles' records are exactly those the current site's shard was made from keeps that index (most
    corrections change only the article page)."""
    executable = job.pagefind or _bundled()
    reused = made = 0
    todo = []
    for name, articles in shards(job.articles).items():
        digest = _shard_digest(executable, articles)
        previous, target = job.site_dir / INDEX / name, job.staging / INDEX / name
        if (previous / DIGEST).is_file() and (previous / DIGEST).read_text(encoding="utf-8") == digest:
            job.carry.append(f"{INDEX}/{name}")
            reused += len(articles)
        else:
            todo.append((articles, target, digest))
            made += len(articles)
    # Pagefind leaves a core idle much of the time (it waits on the file system): two runs at once.
    pool = concurrent.futures.ThreadPoolExecutor(2)
    job.indexing = Indexing(pool, [pool.submit(_pagefind, executable, job, *shard) for shard in todo], made, reused)
    return job


def index(job):
    """The Pagefind indexes start_index began, each in the staging folder (pagefind/<shard>/)."""
    indexing, job.indexing = job.indexing, None
    try:
        for run in indexing.runs:
            run.result()
    finally:
        indexing.stop()  # after a failure, start no other run
    job.log.append(f"search index: {indexing.made} article(s) indexed" + (
        f", {indexing.reused} as before (records unchanged)" if indexing.reused else "") + f" ({INDEX}/)")
    return job


def _bundled() -> str:
    try:
        from pagefind_bin import get_executable
        return str(get_executable())
    except (ImportError, OSError, RuntimeError) as exc:
        raise EditionError([Problem("pagefind", 0, "Pagefind's executable is not installed", str(exc)[:120],
                                    "pip install 'pagefind[bin]' (make setup does), or set EDITIO_PAGEFIND "
                                    "to a pagefind executable")]) from None


def _shard_digest(executable: str, articles) -> str:
    h = hashlib.sha256(installed(executable).encode())
    for a in sorted(articles, key=lambda a: a.slug):
        h.update(f"\0{a.slug}\0{a.records}".encode())
    return h.hexdigest()


# Pagefind's ready-made interfaces: the site has its own search page, so they are dead weight.
_UI = re.compile(r"pagefind-\w+-ui\.|pagefind-ui\.")


def _pagefind(executable: str, job, articles, out: Path, digest: str) -> None:
    """Index the records of articles into out with the pagefind command, stopped after job.index_timeout s.
    Pagefind reads a folder holding only these articles' records (linked, not copied)."""
    site = Path(tempfile.mkdtemp(prefix=".index-", dir=job.staging))
    try:
        for a in articles:  # an article carried over unchanged has its records in the current site
            folder = (job.site_dir if a.slug in job.carry else job.staging) / a.slug / RECORDS
            link_files(folder, site / a.slug / RECORDS, os.listdir(folder))
        command = [executable, "--site", str(site), "--glob", f"*/{RECORDS}/*.html", "--force-language", "en",
                   "--output-path", str(out), "--quiet"]
        status, output = run(command, job.index_timeout, f"Pagefind indexing {len(articles)} article(s)",
                             "EDITIO_PAGEFIND_TIMEOUT sets the limit; EDITIO_PAGEFIND the executable")
    finally:
        shutil.rmtree(site, ignore_errors=True)
    if status != 0:
        raise EditionError([Problem(executable, 0, f"Pagefind failed (exit status {status})",
                                    _tail(output) or "no output", "check that the pagefind package (with its "
                                    "binary) is installed: pip install 'pagefind[bin]'; or set EDITIO_PAGEFIND")])
    for path in out.glob("*"):
        if _UI.match(path.name):
            path.unlink()
    problem = _incomplete(out)
    if problem:
        raise EditionError([Problem(executable, 0, "Pagefind wrote an incomplete index", problem,
                                    "run the build again; if it happens again, report it with Pagefind's version")])
    (out / DIGEST).write_text(digest, encoding="utf-8")


def _incomplete(out: Path) -> str:
    """What is wrong with the index in out ('' when nothing is): its entry file and every file present
    and not empty."""
    entry = out / "pagefind-entry.json"
    if not entry.is_file() or b'"languages"' not in entry.read_bytes():
        return f"{entry.name} missing or without languages"
    empty = [p for p in out.rglob("*") if p.is_file() and p.stat().st_size == 0]
    return f"{len(empty)} empty file(s), e.g. {empty[0].relative_to(out)}" if empty else ""


def _tail(output: str) -> str:
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    return " | ".join(lines[-3:])
