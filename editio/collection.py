"""Collection: the pages about every article at once, made from a small summary of each.

The landing page lists the articles; the collection's archive index lists every archival file cited
anywhere, with the articles and notes citing it; the collection's bibliography lists every work the
articles list, one entry for a work several of them list. Two entries are the same work when their
authors (family name and first initial), year and title are equal once case, punctuation, emphasis and
spacing are set aside; a near match is never merged.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from .records import Metadata, Person
from .render import (Delo, archive_index, archive_tree, article_label, cited_in, environment, file_key,
                     render_template, shelf_order, static_file)
from .textrules import plain


@dataclass
class CitedWork:
    """A work of an article's bibliography, with the notes citing it."""

    key: str
    """Its key in the article (the anchor of its entry there)."""
    authors: list[Person]
    """Who leads the entry."""
    year: str
    """Year of publication as printed."""
    title: str
    """Title as Markdown."""
    raw: str
    """The entry as the article prints it (Markdown)."""
    notes: list[int]
    """The article's notes citing it (directly or by Ibid.)."""


@dataclass
class ArticleSummary:
    """What the collection's pages need of one article."""

    slug: str
    """Folder of the article in the site."""
    label: str
    """How lists and search results name it (render.article_label)."""
    metadata: Metadata
    """Title, authors, journal citation."""
    abstract: str
    """The abstract as Markdown ('' when there is none)."""
    notes: int
    """How many notes it has."""
    files: list[Delo]
    """The archival files its notes cite, with the citing notes."""
    works: list[CitedWork]
    """Its bibliography, with the citing notes."""
    records: str
    """Digest of its search records (the pages the search index is made from)."""
    pages: int
    """How many files of the site are its own."""
    works_from_notes: bool = False
    """Whether it prints no bibliography, its works being those its notes cite in full."""


def summarise(work, records: str, pages: int) -> ArticleSummary:
    """The summary of a built article (an editio.job.EditionWork)."""
    ed = work.edition
    citing = cited_in(ed)
    works = [CitedWork(e.key, e.authors, e.year, e.title, e.raw, citing.get(e.key, [])) for e in ed.bibliography]
    return ArticleSummary(work.slug, article_label(ed.metadata), ed.metadata, ed.abstract.text if ed.abstract else "", len(ed.notes),
                          archive_index(ed), works, records, pages,
                          works_from_notes=any(e.note is not None for e in ed.bibliography))


@dataclass
class SharedFile:
    """An archival file of the collection, with every article citing it."""

    archive: str
    fond: str
    opis: str
    delo: str
    articles: list[tuple[ArticleSummary, list[tuple[int, str]]]] = field(default_factory=list)
    """(article, its (note, listy) citing the file), in the order of the collection."""

    @property
    def id(self) -> str:
        return Delo(self.archive, self.fond, self.opis, self.delo, []).id

    @property
    def archive_id(self) -> str:
        return Delo(self.archive, self.fond, self.opis, self.delo, []).archive_id


def shared_files(articles: list[ArticleSummary]) -> list[SharedFile]:
    """Every archival file any article cites, in shelf order, one however each article prints it (GARF
    and ГАРФ), each level shown as it is first printed."""
    files: dict[tuple, SharedFile] = {}
    shown: dict[tuple, str] = {}
    for a in articles:
        for f in a.files:
            key = file_key(f)
            names = [shown.setdefault(key[:i + 1], v) for i, v in enumerate((f.archive, f.fond, f.opis, f.delo))]
            files.setdefault(key, SharedFile(*names)).articles.append((a, [(n, place) for n, place, _ in f.cited]))
    return [files[k] for k in sorted(files, key=shelf_order)]


@dataclass
class SharedWork:
    """A work of the collection's bibliography, with every article listing it."""

    entry: CitedWork
    """The entry as the first article listing it prints it."""
    articles: list[tuple[ArticleSummary, CitedWork]] = field(default_factory=list)
    """(article, its entry of the work), in the order of the collection."""

    @property
    def id(self) -> str:
        return self.entry.key


def _normal(text: str) -> str:
    """Text compared as a reader compares it: case, punctuation, emphasis and spacing set aside."""
    text = unicodedata.normalize("NFKC", plain(text)).casefold()
    return " ".join(re.findall(r"\w+", text))


def same_work(entry: CitedWork) -> tuple:
    """What two entries must share to be one work: authors (family name, first initial), year, title."""
    people = tuple((_normal(p.family), _normal(p.given)[:1]) for p in entry.authors)
    return people, entry.year.strip(), _normal(entry.title)


def shared_works(articles: list[ArticleSummary]) -> list[SharedWork]:
    """Every work any article lists, one entry per work, by author, year and title. An entry's id is
    the first listing article's key, made unique across the collection."""
    works: dict[tuple, SharedWork] = {}
    for a in articles:
        for w in a.works:
            works.setdefault(same_work(w), SharedWork(w)).articles.append((a, w))
    ordered = sorted(works.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]))
    used: set[str] = set()
    out = []
    for _, shared in ordered:
        key, n = shared.entry.key, 2
        while key in used:
            key, n = f"{shared.entry.key}-{n}", n + 1
        used.add(key)
        out.append(SharedWork(replace(shared.entry, key=key), shared.articles))
    return out


def stage(job):
    """The collection's pages (landing page, archive index, bibliography) and the static files."""
    env = environment(job.project / "templates")
    articles = job.articles
    job.files["index.html"] = render_template(env, "index.html.j2",
        articles=articles, root="", files=len({f.id for a in articles for f in a.files}))
    job.files["archive.html"] = render_template(env, "collection_archive.html.j2",
        archives=archive_tree(shared_files(articles)), articles=articles, root="")
    job.files["bibliography.html"] = render_template(env, "collection_bibliography.html.j2",
        works=shared_works(articles), articles=articles, root="")
    static = job.project / "static"
    for path in sorted(static.rglob("*")):
        if path.is_file():
            job.files[f"static/{path.relative_to(static).as_posix()}"] = static_file(path)
    return job

