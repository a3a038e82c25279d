"""The cache of built articles, beside the site (<site>.cache/): what a build needs to skip an article
whose inputs have not changed.

An entry, <site>.cache/<slug>/, holds the article's pages (site/<slug>/…), its generated edition.yaml
and report.yaml, and its summary for the collection's pages, under a key: the SHA-256 of everything
the article's pages are made from (its seed's bytes, its corrections.yaml, templates/, static/, the
code and the libraries that render it, and the build's settings). A key that differs is a miss, and
the article is built again. Deleting the folder only makes the next build slower.

New entries are staged with the site and kept only when it is committed, so a failed build leaves
the cache as it was. Pages go into an entry, and from an entry into the staging folder, as hard links
(a build never writes into a published page: it stages a new site and swaps it in), so a cached
article costs a link per file.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .problems import EditionError, Problem

CODE = Path(__file__).resolve().parent
LIBRARIES = ("markdown_it", "jinja2", "markupsafe", "yaml", "lxml")
SITE, SUMMARY, KEY = "site", "summary.pickle", "key"
STAGED = ".cache"
"""Folder of the staging folder holding the entries of the articles built (moved out once committed)."""


def installed(path: str) -> str:
    """A file of an installed package as it is now: another version is another file."""
    stat = os.stat(path)
    return f"{path} {stat.st_size} {stat.st_mtime_ns}"


def shared_digest(project: Path) -> str:
    """The digest of what every article's pages are made from besides its own files: templates/,
    static/, the code and the versions of the libraries that render it."""
    h = hashlib.sha256(f"python {sys.version}".encode())  # not platform: slow to import
    for name in LIBRARIES:  # the installed package, as its files are (importlib.metadata is slow to import)
        h.update(f"\0{name} {installed(importlib.import_module(name).__file__)}".encode())
    for root in (project / "templates", project / "static", CODE):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def key(shared: str, settings: tuple, seed: Path, corrections: Path) -> str:
    """The key of one article: the shared digest, the build's settings, the seed and corrections bytes."""
    h = hashlib.sha256(shared.encode() + repr(settings).encode())
    for path in (seed, corrections):
        try:
            h.update(b"\0" + (path.read_bytes() if path.exists() else b"(absent)"))
        except OSError:
            return ""  # unreadable: no entry matches, and building the article says what is wrong
    return h.hexdigest()


@dataclass
class Entry:
    """An article found in the cache."""

    folder: Path
    """The entry's folder (edition.yaml and report.yaml are in it)."""
    summary: object
    """The article's summary (collection.ArticleSummary)."""

    @property
    def site(self) -> Path:
        """The article's pages, by their paths in the site."""
        return self.folder / SITE


def site_of(cache: Path, slug: str) -> Path:
    """Where the entry of slug keeps the article's pages (by their paths in the site)."""
    return cache / slug / SITE


def load(cache: Path, slug: str, wanted: str) -> Entry | None:
    """The entry of slug if it was made under the key wanted; None otherwise (or if it is unreadable)."""
    folder = cache / slug
    try:
        if (folder / KEY).read_text(encoding="utf-8") != wanted:
            return None
        with open(folder / SUMMARY, "rb") as f:
            return Entry(folder, pickle.load(f))
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None  # no entry, or one left half-written by a build that was killed: build it again


def store(staging: Path, slug: str, made: str, summary, pages: list[str], yaml: dict[str, str]) -> None:
    """The article's entry under key made, staged with the site (its pages, already written to staging,
    its YAML and its summary): it replaces the article's entry when the site is committed."""
    new = staging / STAGED / slug
    try:
        link_files(staging, new / SITE, pages)
        for name, text in yaml.items():
            (new / name).write_text(text, encoding="utf-8")
        with open(new / SUMMARY, "wb") as f:
            pickle.dump(summary, f)
        (new / KEY).write_text(made, encoding="utf-8")
    except OSError as exc:
        raise EditionError([Problem(exc.filename or str(new), 0, "cannot write the site", exc.strerror or str(exc),
                                    "check the folder's permissions and free space; the previous site is as "
                                    "it was")]) from None


def keep(site: Path, cache: Path, slugs: set[str]) -> str:
    """Once the site is committed: the entries staged with it moved into the cache, and the entries of
    articles no longer built removed. A cache that cannot be written only makes the next build slower:
    what went wrong is returned for the log ('' when nothing did). Folders whose names begin with '.' are
    kept: they are the search index's parts, which search.py keeps up to date itself."""
    staged = site / STAGED
    try:
        cache.mkdir(exist_ok=True)
        for entry in sorted(staged.iterdir()) if staged.is_dir() else []:
            shutil.rmtree(cache / entry.name, ignore_errors=True)
            entry.rename(cache / entry.name)
        for folder in cache.iterdir():  # a name beginning with '.' is no article's (search.PARTS)
            if folder.name not in slugs and not folder.name.startswith("."):
                shutil.rmtree(folder, ignore_errors=True)
    except OSError as exc:
        return f"the cache of built articles ({cache}) was not updated: {exc.strerror or exc}"
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return ""


def link_files(source: Path, target: Path, paths: list[str]) -> None:
    """Each of paths (relative) in source linked at the same path in target (copied where the two
    folders are on different file systems)."""
    for folder in sorted({(target / rel).parent for rel in paths}):
        folder.mkdir(parents=True, exist_ok=True)
    for rel in paths:
        try:
            os.link(source / rel, target / rel)
        except OSError:
            shutil.copy2(source / rel, target / rel)


def same_files(entry: Path, folder: Path) -> bool:
    """Whether folder holds exactly the files of entry, as links to them (the article the current site
    shows is the one the entry holds)."""
    try:
        return _inodes(str(entry)) == _inodes(str(folder))
    except OSError:
        return False


def _inodes(folder: str, prefix: str = "") -> dict[str, int]:
    """Every file below folder -> its inode number, read from the directory entries (no stat a file)."""
    out = {}
    with os.scandir(folder) as entries:
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                out.update(_inodes(e.path, f"{prefix}{e.name}/"))
            else:
                out[prefix + e.name] = e.inode()
    return out


def files_under(folder: Path) -> list[str]:
    """Every file below folder, as a path relative to it."""
    return [os.path.relpath(os.path.join(root, name), folder)
            for root, _, names in os.walk(folder) for name in names]
