"""Search: one Pagefind index of every article, note, paragraph, bibliography entry and archival file.

Each article's records are one page for the indexer (.records/<article>.html, staged and cached with the
article, never shipped): each record a heading and its text, so that Pagefind's sub-results are the records.
A heading's id gives the record's kind, its place in the edition (the address a result leads to) and its
filters (section, archival files, cited authors) as places in the lists of the page's meta 'lists'
(record_id); the page's filters are those of all its records and the article's name, and the search page
applies the records' own filters to the sub-results (static/search.js). A record carries every printed form of the archival
shelfmarks it cites and the other spellings of its transliterated names, after a mark the excerpts stop at.

One index for the whole collection (pagefind/), made by the pagefind executable that the pagefind_bin
package ships, run as a command under a timeout: a query loads only the index chunks of its words and the
pages of its first results, whatever the collection's size. The index is made again when any article's
records changed, and kept as it is otherwise. A page per article keeps the index's files few.
"""
from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup, escape

from . import search_merge
from .cache import installed, link_files, site_of
from .external import run
from .link import name_key
from .problems import EditionError, Problem
from .records import ArchivalRef, Edition
from .render import (archive_index, article_label, block_html, block_label, cited_in, environment, inline, note_html,
                     render_template)
from .textrules import WORD, plain

RECORDS = ".records"
"""Folder of the staging folder (and of a cached article) holding the pages the indexer reads."""
INDEX = "pagefind"
DIGEST = "records.sha256"
"""Written beside the index: what it was made from."""


@dataclass
class Record:
    """One search result: what it says, where it leads, how it can be filtered."""

    kind: str
    """Article, Note, Text, Bibliography or Archive (the 'kind' filter)."""
    title: str
    """The result's heading."""
    where: str
    """Where it stands in the article (section · note N, section · ¶ N, References, Archive index)."""
    target: str
    """Its place in the edition, relative to the site's root."""
    body: Markup
    """The record's own text as HTML: what its excerpt is taken from."""
    filters: dict[str, list[str]] = field(default_factory=dict)
    """Filter name -> values."""
    extra: str = ""
    """Searchable, never shown as an excerpt: every printed form of the shelfmarks it cites, the works."""
    also: list[tuple[str, str]] = field(default_factory=list)
    """Other spellings of its names, each with the spelling it prints, so either finds it."""


def shelfmark_words(a: ArchivalRef) -> list[str]:
    """The words a record carries for an archival file it cites: one for each way a reader may type the file
    with its levels ('d. 118', 'op. 2 d. 118', 'f. 5 d. 118', 'GARF f. 5 op. 2 d. 118', 'f. 5 op. 2', 'f. 5'),
    the levels run together in one word ('garff5op2d118'), as static/search.js makes of what is
    typed; and the archive and the file's number as printed. One word a shelfmark: a query for it reads one
    small part of the index, not the large ones of 'f', 'op' and 'd', which nearly every note prints."""
    archive, fond, opis = _squeeze(a.archive), _level("f", a.fond), _level("op", a.opis)
    delo = _level("d", a.delo)
    words = [delo, opis + delo, fond + delo, fond + opis + delo]
    if fond:
        words += [fond, fond + opis] + [archive + w for w in (fond, fond + opis, fond + delo, fond + opis + delo)]
    return [a.archive, a.delo] + list(dict.fromkeys(words))


def _level(name: str, value: str) -> str:
    return f"{name}{_squeeze(value)}" if value else ""


def _squeeze(value: str) -> str:
    return "".join(c for c in value.lower() if c.isalnum())


def file_label(a: ArchivalRef) -> str:
    return f"{a.archive}, f. {a.fond}{f', op. {a.opis}' if a.opis else ''}, d. {a.delo}"


def spelling_variants(edition: Edition):
    """Name -> its other spellings: those the edition itself uses for the same name (Trotsky, Trotskii,
    Троцкий; Ivanova, Ivanovva) and those transliteration rules give (-y/-ii/-iy/-ij endings; a soft
    sign ' left out). A name is a capitalised word the edition never writes in lower case: 'Party' gets
    no 'Partii'."""
    texts = [b.text for b in edition.blocks()] + [n.text for n in edition.notes] + [e.raw for e in edition.bibliography]
    words = {_unpossessive(w) for t in texts for w in set(WORD.findall(t))}
    lower = {w.lower() for w in words if w[:1].islower()}
    names = {w for w in words if w[:1].isupper() and w.lower() not in lower}
    groups: dict[str, set[str]] = {}
    for w in names:
        groups.setdefault(name_key(w), set()).add(w)

    @functools.cache  # asked for every capitalised word of every record: a name recurs in many
    def variants(word: str) -> frozenset[str]:
        base = _unpossessive(word)
        if base not in names:
            return frozenset()
        out = set(groups.get(name_key(base), ())) | {base.replace("'", "").replace("’", "")}
        stem = re.sub(r"(?<=k)(?:ii|iy|ij|y)$", "", base)  # -sky, -skii, -skiy, -skij: one surname
        if stem != base:
            out |= {stem + end for end in ("y", "ii", "iy", "ij")}
        return frozenset(out - {word, base})
    return variants


def _also(texts: list[str], variants) -> list[tuple[str, str]]:
    """(other spelling, the spelling printed) for the names of texts."""
    words = {_unpossessive(w) for t in texts for w in set(WORD.findall(plain(t))) if w[:1].isupper()}
    return sorted({(v, w) for w in words for v in variants(w) if v not in words})


def _unpossessive(word: str) -> str:
    """The word without a possessive 's ('Trotsky's' -> 'Trotsky'); called for every word of an article."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


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
    out: list[Record] = [Record("Article", plain(m.title), "", f"{slug}/", body,
                                {"kind": ["Article"]}, also=_also([m.title, edition.abstract.text if edition.abstract
                                                                   else ""] + m.authors, variants))]
    for note in edition.notes:
        files = sorted({file_label(c.archive) for c in note.citations if c.archive})
        authors = sorted({p.family for c in note.citations if c.target in keys for p in keys[c.target].authors})
        cites = [" ".join(shelfmark_words(c.archive)) for c in note.citations if c.archive]
        cites += [f"{', '.join(p.family for p in keys[c.target].authors)}, {plain(keys[c.target].title)}"
                  for c in note.citations if c.target in keys]
        cites += [f"{c.periodical}, {c.dates}" for c in note.citations if c.periodical and c.kind == "ibid"]
        section = section_of_note.get(note.n)
        out.append(Record("Note", f"Note {note.n}", " · ".join(filter(None, (plain(section or ""), f"note {note.n}"))),
                          f"{slug}/#note-{note.n}", note_html(note, "../"),
                          {"kind": ["Note"], "file": files, "author": authors,
                           "section": [plain(section)] if section else []},
                          "; ".join(dict.fromkeys(cites)), _also([note.text], variants)))
    for section in edition.sections:
        heading = plain(section.heading.text if section.heading else "Introduction")
        for p in section.paragraphs:
            out.append(Record("Text", f"{block_label(p.id)} · {heading}", f"{heading} · {block_label(p.id)}",
                              f"{slug}/#{p.id}", Markup("<p>") + block_html(_unmarked(p)) + Markup("</p>"),
                              {"kind": ["Text"], "section": [heading]}, also=_also([p.text], variants)))
    citing = cited_in(edition)
    for e in edition.bibliography:
        who = ", ".join(p.family for p in e.authors) or plain(e.title)
        notes = citing.get(e.key, [])
        body = Markup("<p>") + inline(e.raw) + Markup("</p>")
        if notes:
            body += Markup("<p>") + escape(f"Cited in notes {', '.join(map(str, notes))}.") + Markup("</p>")
        out.append(Record("Bibliography", f"{who}, {plain(e.title)}{f' ({e.year})' if e.year else ''}",
                          "Works cited" if e.note else "References", f"{slug}/#{e.key}", body,
                          {"kind": ["Bibliography"], "author": [p.family for p in e.authors]},
                          also=_also([e.raw], variants)))
    for f in archive_index(edition):
        ref = ArchivalRef(f.archive, f.fond, f.opis, f.delo)
        cited = "; ".join(f"note {n}" + (f", {place}" if place else "") for n, place, _ in f.cited)
        body = Markup("<p>") + escape(f"{file_label(ref)}. Cited in {cited}.") + Markup("</p>")
        out.append(Record("Archive", file_label(ref), "Archive index", f"{slug}/archive.html#{f.id}", body,
                          {"kind": ["Archive"], "file": [file_label(ref)]},
                          " ".join(shelfmark_words(ref))))
    return out


def _unmarked(block):
    """The block without its markers: a paragraph's record is about its words."""
    return replace(block, markers=[])


LETTERS = {"Article": "R", "Note": "N", "Text": "T", "Bibliography": "B", "Archive": "A"}
"""A record's kind as the first letter of its heading's id (static/search.js reads them back)."""


def pages(job):
    """Each article's search records, as the one page the indexer reads."""
    env = environment(job.project / "templates")
    for work in job.works:
        made = records(work.edition, work.slug)
        lists = {name: sorted({v for r in made for v in r.filters.get(name, [])}) for name in ("section", "file", "author")}
        filters = {"kind": sorted({r.kind for r in made}), **lists}
        ids = [record_id(r, work.slug, lists) for r in made]
        job.files[f"{RECORDS}/{work.slug}.html"] = render_template(
            env, "records.html.j2", records=zip(ids, made), filters=filters, slug=work.slug,
            lists={name[0]: values for name, values in lists.items()}, article=article_label(work.edition.metadata))
    return job


def record_id(r: Record, slug: str, lists: dict[str, list[str]]) -> str:
    """The id of a record's heading, which says what static/search.js needs of it besides its words: its kind
    (a letter; 'W' for an entry of works cited in the notes), the rest of its address after the article's,
    and where its section, archival files and cited authors stand in the page's lists, '~' between them
    (an id holds no space; the page's ids are its only per-record data the index keeps cheaply)."""
    letter = "W" if r.kind == "Bibliography" and r.where == "Works cited" else LETTERS[r.kind]
    at = {name: [str(lists[name].index(v)) for v in r.filters.get(name, [])] for name in lists}
    return "~".join([letter, r.target.removeprefix(f"{slug}/"), ".".join(at["section"]), ".".join(at["file"]),
                     ".".join(at["author"])])


def records_digest(files: dict[str, str | bytes]) -> str:
    """The digest of the records page among files (one article's)."""
    h = hashlib.sha256()
    for path in sorted(p for p in files if p.startswith(f"{RECORDS}/")):
        content = files[path]
        h.update(path.encode() + b"\0" + (content if isinstance(content, bytes) else content.encode()) + b"\0")
    return h.hexdigest()


ARTICLES = "search-articles.json"
"""Each article's name in the search page's list of articles (its folder -> how lists name it): read only when
the list is opened, so that a thousand articles do not weigh on every search."""


def search_page(job):
    """The search page: the index, an example shelfmark; the articles' names for its list of articles."""
    env = environment(job.project / "templates")
    example = next((f for a in job.articles for f in a.files), None)
    job.files["search.html"] = render_template(env, "search.html.j2", root="", example=example, index=f"{INDEX}/")
    job.files[ARTICLES] = json.dumps({a.slug: a.label for a in job.articles}, ensure_ascii=False)
    return job


@dataclass
class Indexing:
    """The Pagefind run under way, from start_index to index."""

    pool: concurrent.futures.ThreadPoolExecutor
    """Where it runs."""
    run: concurrent.futures.Future | None
    """None when the index is kept as it was."""
    articles: int
    """Articles in the index."""
    later: str = ""
    """The digest of the records, when the index is left to be made after the commit (Job.index_later)."""

    def stop(self) -> None:
        """Start no other run, and wait for one under way (it writes into the staging folder)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def start_index(job):
    """Pagefind started on the staged records as soon as the articles are staged: it runs (a process of its
    own) while the collection's pages are made, and index() waits for it. When the records are exactly those
    the current site's index was made from, that index is kept; so it is, for now, when the job makes the
    index later (serve)."""
    executable = job.pagefind or _bundled()
    digest = _digest(executable, job.articles)
    current = job.site_dir / INDEX
    pool = concurrent.futures.ThreadPoolExecutor(1)
    run, later = None, ""
    if (current / DIGEST).is_file() and (current / DIGEST).read_text(encoding="utf-8") == digest:
        job.carry.append(INDEX)
    elif job.index_later and current.is_dir():
        job.carry.append(INDEX)
        later = digest
    else:
        # Back once Pagefind runs (or has failed to): its few steps before would otherwise wait for the
        # interpreter, several milliseconds each, behind the stages that follow. At most 50 ms: a collection
        # whose parts are all in the cache has no Pagefind to run, only their merge.
        running = threading.Event()
        run = pool.submit(_pagefind, executable, job, job.articles, job.staging / INDEX, digest,
                          lambda process: running.set())
        run.add_done_callback(lambda _: running.set())
        running.wait(0.05)
    job.indexing = Indexing(pool, run, len(job.articles), later)
    return job


def index(job):
    """The Pagefind index start_index began, in the staging folder (pagefind/); the records it was made from
    taken out of the site (they stay in the cache of built articles)."""
    indexing, job.indexing = job.indexing, None
    try:
        parts = indexing.run.result() if indexing.run is not None else 0
    finally:
        indexing.stop()
    shutil.rmtree(job.staging / RECORDS, ignore_errors=True)
    job.index_pending = indexing.later
    done = (f"indexed in {parts} parts, merged" if parts > 1 else "indexed" if parts
            else "to be indexed again once the pages are in place" if indexing.later
            else "as before (records unchanged)")
    job.log.append(f"search index: {indexing.articles} article(s) {done} ({INDEX}/)")
    return job


def remake(job, started=None) -> Path:
    """The index of job's articles made again after their site was committed (job.index_pending), from the
    records in the cache of built articles, into a folder beside the site: swap_in() puts it in place.
    started(process) is told of the Pagefind process, so that it can be stopped."""
    out = Path(tempfile.mkdtemp(prefix=f".{job.site_dir.name}.index-", dir=job.site_dir.parent))
    try:
        _pagefind(job.pagefind or _bundled(), job, job.articles, out, job.index_pending, started)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return out


def swap_in(made: Path, site: Path) -> None:
    """An index made by remake() in place of the site's."""
    target, aside = site / INDEX, site / f".{INDEX}.old"
    shutil.rmtree(aside, ignore_errors=True)
    if target.exists():
        os.rename(target, aside)
    os.rename(made, target)
    shutil.rmtree(aside, ignore_errors=True)


def _bundled() -> str:
    try:
        from pagefind_bin import get_executable
        return str(get_executable())
    except (ImportError, OSError, RuntimeError) as exc:
        raise EditionError([Problem("pagefind", 0, "Pagefind's executable is not installed", str(exc)[:120],
                                    "pip install 'pagefind[bin]' (make setup does), or set EDITIO_PAGEFIND "
                                    "to a pagefind executable")]) from None


def _digest(executable: str, articles) -> str:
    h = hashlib.sha256(installed(executable).encode())
    for a in sorted(articles, key=lambda a: a.slug):
        h.update(f"\0{a.slug}\0{a.records}".encode())
    return h.hexdigest()


# Pagefind's ready-made interfaces and its highlighter: the site has its own search page, so they are dead weight.
_UNUSED = re.compile(r"pagefind-\w+-ui\.|pagefind-ui\.|pagefind-highlight\.")


PARTS = ".index-parts"
"""Folder of the cache of built articles holding the index of each part of a large collection, by the digest
of its records: a correction makes again only its article's part, then the merge."""


def _pagefind(executable: str, job, articles, out: Path, digest: str, started=None) -> int:
    """Index the records of articles into out with the pagefind command, each run stopped after
    job.index_timeout s: in one run, or, when there are more than job.index_part_bytes of records (Pagefind
    holds all it reads in memory), in parts of articles, each indexed once and kept in the cache until its
    records change, and merged (search_merge). Pagefind reads a folder holding only the records pages
    (linked, not copied): those staged, and those of the articles carried over unchanged (or, after the
    commit, all), from the cache. Returns the number of parts."""
    articles = sorted(articles, key=lambda a: a.slug)  # the parts the same whatever order the seeds came in
    pages = [_records_page(job, a) for a in articles]
    parts = _parts(list(zip(articles, pages)), job.index_part_bytes)
    if len(parts) == 1:
        _pagefind_run(executable, job, pages, out, started)
        shutil.rmtree(job.cache_dir / PARTS, ignore_errors=True)
    else:
        try:
            _parts_merged(executable, job, parts, out, started)
        except OSError as exc:
            raise EditionError([Problem(str(exc.filename or out), 0, "cannot write the search index",
                                        exc.strerror or str(exc), "check the folder's permissions and free space; "
                                        "the site is as it was")]) from None
    for path in out.glob("*"):
        if _UNUSED.match(path.name):
            path.unlink()
    problem = _incomplete(out)
    if problem:
        raise EditionError([Problem(executable, 0, "Pagefind wrote an incomplete index", problem,
                                    "run the build again; if it happens again, report it with Pagefind's version")])
    search_merge.meet_bounds(out)
    (out / DIGEST).write_text(digest, encoding="utf-8")
    return len(parts)


def _parts_merged(executable: str, job, parts, out: Path, started) -> None:
    """The index of each part made where the cache does not hold it already, then all merged into out; the
    parts of earlier records let go (not another build's part in the making)."""
    kept = job.cache_dir / PARTS
    kept.mkdir(parents=True, exist_ok=True)
    made = [kept / _digest(executable, [a for a, _ in part]) for part in parts]
    for part, index in zip(parts, made):
        if (index / search_merge.ENTRY).is_file():
            continue
        fresh = Path(tempfile.mkdtemp(prefix=".new-", dir=kept))
        try:
            _pagefind_run(executable, job, [page for _, page in part], fresh / "index", started)
            try:
                os.replace(fresh / "index", index)
            except OSError:
                if not (index / search_merge.ENTRY).is_file():  # not made meanwhile by another build
                    raise
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
    search_merge.merge(made, out)
    for old in kept.iterdir():
        if old not in made and not old.name.startswith(".new-"):
            shutil.rmtree(old, ignore_errors=True)


def _records_page(job, a) -> Path:
    """The records page of article a: staged, or in the cache of built articles."""
    name = f"{a.slug}.html"
    staged = job.staging / RECORDS / name if job.staging else None
    source = staged if staged and staged.exists() else site_of(job.cache_dir, a.slug) / RECORDS / name
    if not source.is_file():
        raise EditionError([Problem(str(source), 0, "the article's search records are missing", "",
                                    "build again (python build.py)")])
    return source


def _parts(pages: list[tuple[object, Path]], limit: int) -> list[list[tuple[object, Path]]]:
    """(article, records page) in runs of at most limit bytes of pages each, in order (one run when limit is
    0; a page larger than limit a run of its own). A changed article changes its own part, and the later ones
    only when its new size moves a boundary."""
    parts, size = [[]], 0
    for article, page in pages:
        bytes_ = page.stat().st_size
        if limit and parts[-1] and size + bytes_ > limit:
            parts.append([])
            size = 0
        parts[-1].append((article, page))
        size += bytes_
    return parts


def _pagefind_run(executable: str, job, pages: list[Path], out: Path, started=None) -> None:
    """One Pagefind run over pages, writing its index into out."""
    site = Path(tempfile.mkdtemp(prefix=".index-", dir=job.staging or out.parent))
    try:
        for page in pages:
            try:
                link_files(page.parent, site, [page.name])
            except OSError as exc:
                raise EditionError([Problem(str(page), 0, "the article's search records are missing",
                                            exc.strerror or str(exc), "build again (python build.py)")]) from None
        command = [executable, "--site", str(site), "--glob", "*.html", "--force-language", "en",
                   "--output-path", str(out), "--quiet"]
        status, output = run(command, job.index_timeout, f"Pagefind indexing {len(pages)} article(s)",
                             "EDITIO_PAGEFIND_TIMEOUT sets the limit; EDITIO_PAGEFIND the executable", started)
    finally:
        shutil.rmtree(site, ignore_errors=True)
    if status != 0:
        raise EditionError([Problem(executable, 0, f"Pagefind failed (exit status {status})",
                                    _tail(output) or "no output", "check that the pagefind package (with its "
                                    "binary) is installed: pip install 'pagefind[bin]'; or set EDITIO_PAGEFIND")])


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
