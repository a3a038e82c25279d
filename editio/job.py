"""The state a build carries from stage to stage."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .records import Edition, Report


@dataclass
class EditionWork:
    """One seed on its way to the site."""

    seed: Path
    """The seed file."""
    slug: str
    """Name of the edition: its folder in edition/ and in the site."""
    label: str
    """How the seed is named in messages (relative to the project when inside it)."""
    edition: Edition | None = None
    """The extracted (later: corrected and linked) edition."""
    report: Report | None = None
    """What extraction found."""
    corrections: object = None
    """The editor's corrections (corrections.Corrections) once loaded."""


@dataclass
class Job:
    """One run of the build."""

    project: Path
    """The project folder (templates/, static/)."""
    edition_dir: Path
    """Where each edition's YAML goes (edition/<slug>/)."""
    site_dir: Path
    """The site's folder; replaced whole only when every stage succeeded."""
    works: list[EditionWork]
    """The editions being built."""
    edition_label: str = ""
    """How edition_dir is named in messages."""
    strict: bool = False
    """Whether open doubts fail the build."""
    base_url: str = ""
    """Address the site will be published at, for canonical links; empty when unknown."""
    pagefind: str = ""
    """The Pagefind executable that indexes the site (empty: the one the pagefind_bin package ships)."""
    index_timeout: float = 120.0
    """Seconds one run of Pagefind may take before it is stopped and the build fails."""
    index_part_bytes: int = 16 * 2 ** 20
    """Records pages one run of Pagefind reads at most (bytes; 0: all in one run). Pagefind holds some fifteen
    times what it reads in memory; a larger collection is indexed in parts of this size, merged."""
    files: dict[str, str | bytes] = field(default_factory=dict)
    """Files not yet written to the staging folder, by path relative to the site's root (an article's
    pages while its worker renders them; then the collection's own pages)."""
    staging: Path | None = None
    """The folder the site is being written to before it replaces site_dir."""
    carry: list[str] = field(default_factory=list)
    """Folders of the current site (relative to it) that go into the new site as they are, moved into it
    when it is committed: the articles and search indexes that did not change."""
    created: list[Path] = field(default_factory=list)
    """Folders the build made to hold the staging folder (removed again, if empty, when it fails)."""
    indexing: object = None
    """The search index's Pagefind run under way (search.Indexing), from search.start_index to search.index."""
    index_later: bool = False
    """Whether a changed search index is made after the site is committed (serve: the pages first, the site
    keeping its index until the new one is swapped in by search.remake)."""
    stop: object = None
    """A threading.Event set (by serve) when the files changed again: the build stops before its next stage,
    changing nothing (Cancelled)."""
    index_pending: str = ""
    """Set by search.index when index_later left the index to be made: the digest of the records to index."""
    link_memo: dict | None = None
    """serve's previews: each article's links kept by the notes and bibliography they were made from (link.stage),
    so that a correction that changes neither does not link them again."""
    articles: list = field(default_factory=list)
    """What the collection's pages need of each article (collection.ArticleSummary), in the order of works."""
    unfinished: list = field(default_factory=list)
    """(index in articles, what is left to do) of the article built in this process whose stages after its search
    records wait for articles.finish, so that they run while Pagefind indexes those records."""
    log: list[str] = field(default_factory=list)
    """Lines for the summary printed at the end."""

    @property
    def cache_dir(self) -> Path:
        """Built articles kept beside the site, so that an unchanged article is not built again
        (safe to delete: everything in it is made again)."""
        return self.site_dir.with_name(self.site_dir.name + ".cache")


class Cancelled(Exception):
    """A build stopped because what it was building from has changed again."""


def slug_for(seed: Path) -> str:
    return seed.stem


def label_for(path: Path, project: Path) -> str:
    try:
        return str(path.resolve().relative_to(project.resolve()))
    except ValueError:
        return str(path)
