"""Publish: write the edition's YAML and swap in the new site, only once everything succeeded.

The site is written to a staging folder beside its destination and replaces it by
renaming, so a build that fails at any point leaves the last good site as it was.
Generated YAML files are replaced one by one with os.replace; hand-written files in
edition/ (corrections) are never written by the build.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from . import cache, yamlio
from .problems import EditionError, Problem
from .records import Edition, Report


EDITION = ".edition"
"""Folder of the staging folder holding the generated YAML that differs from edition/ (removed before the swap)."""
YAML = ("edition.yaml", "report.yaml")


def stage(job):
    """The staging folder beside the site, which the later stages fill."""
    job.created = [f for f in reversed(job.site_dir.parents) if not f.exists()]
    try:
        job.site_dir.parent.mkdir(parents=True, exist_ok=True)
        job.staging = Path(tempfile.mkdtemp(prefix=f".{job.site_dir.name}.new-", dir=job.site_dir.parent))
    except OSError as exc:
        raise _unwritable(exc, job.site_dir.parent) from None
    return job


def write(job):
    """The files in hand (job.files) written to the staging folder."""
    try:
        for folder in sorted({(job.staging / rel).parent for rel in job.files}):
            folder.mkdir(parents=True, exist_ok=True)
        for rel, content in job.files.items():
            with open(job.staging / rel, "wb") as out:
                out.write(content if isinstance(content, bytes) else content.encode("utf-8"))
    except OSError as exc:
        raise _unwritable(exc, job.staging) from None
    return job


def _unwritable(exc: OSError, where: Path) -> EditionError:
    return EditionError([Problem(exc.filename or str(where), 0, "cannot write the site", exc.strerror or str(exc),
                                 "check the folder's permissions and free space; the previous site is as it was")])


def stage_yaml(job, slug: str, name: str, text: str) -> None:
    """The generated file edition/<slug>/<name>, staged for commit when it differs from what is there."""
    target = job.edition_dir / slug / name
    staged = job.staging / EDITION / slug / name
    try:
        if target.exists() and target.read_text(encoding="utf-8") == text:
            return
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _unwritable(exc, job.staging) from None


def commit(job):
    """Put the new edition YAML and the staged site in place of the old, all or nothing: the new YAML is
    written beside its files, the old files are moved aside, the current site's folders that carry over
    unchanged (job.carry) are moved into the staged site, then the site is swapped by renaming; any
    failure moves everything back."""
    pending: list[tuple[Path, Path]] = []
    moved: list[tuple[Path | None, Path]] = []
    carried: list[str] = []
    old = None
    staged = job.staging / EDITION
    try:
        for work in job.works:
            folder = job.edition_dir / work.slug
            folder.mkdir(parents=True, exist_ok=True)
            for name in YAML:
                if (staged / work.slug / name).exists():
                    tmp = folder / f".{name}.tmp-{os.getpid()}"
                    pending.append((tmp, folder / name))
                    shutil.copyfile(staged / work.slug / name, tmp)
        for tmp, target in pending:
            aside = target.with_name(f".{target.name}.old-{os.getpid()}") if target.exists() else None
            if aside:
                os.rename(target, aside)
            moved.append((aside, target))
            os.replace(tmp, target)
        shutil.rmtree(staged, ignore_errors=True)
        for rel in job.carry:
            (job.staging / rel).parent.mkdir(parents=True, exist_ok=True)
            os.rename(job.site_dir / rel, job.staging / rel)
            carried.append(rel)
        if job.site_dir.exists():
            old = job.site_dir.with_name(f".{job.site_dir.name}.old-{os.getpid()}")
            job.site_dir.rename(old)
        job.staging.rename(job.site_dir)
    except OSError as exc:
        _roll_back(moved, pending, old, job.site_dir)
        for rel in reversed(carried):
            os.rename(job.staging / rel, job.site_dir / rel)
        raise EditionError([Problem(exc.filename or str(job.site_dir), 0, "cannot write the new edition",
                                    exc.strerror or str(exc), "check the folder's permissions and free space; "
                                    "the previous site and edition are as they were")]) from None
    job.staging = None
    for aside, _ in moved:
        if aside:
            aside.unlink()
    if old is not None:
        shutil.rmtree(old)
    trouble = cache.keep(job.site_dir, job.cache_dir, {w.slug for w in job.works})
    if trouble:
        job.log.append(trouble)
    pages = sum(a.pages for a in job.articles) + len(job.files)
    job.log.append(f"site written to {job.site_dir} ({len(job.articles)} article(s), {pages} files and the search index)")
    return job


def _roll_back(moved, pending, old: Path | None, site: Path) -> None:
    for aside, target in reversed(moved):
        if aside:
            os.rename(aside, target)
        else:
            target.unlink(missing_ok=True)
    for tmp, _ in pending:
        tmp.unlink(missing_ok=True)
    if old is not None and old.exists() and not site.exists():
        old.rename(site)


def discard(job) -> None:
    """Remove what a failed build staged (once the indexer, which writes there, has stopped)."""
    if job.indexing is not None:
        job.indexing.stop()
        job.indexing = None
    if job.staging is not None and job.staging.exists():
        shutil.rmtree(job.staging)
    job.staging = None
    for folder in reversed(job.created):
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()


def verify(job) -> list[Problem]:
    """Problems in the edition YAML already on disk: unreadable, not of the schema, or made from
    another version of the seed."""
    problems: list[Problem] = []
    for work in job.works:
        folder = job.edition_dir / work.slug
        for name, cls in (("edition.yaml", Edition), ("report.yaml", Report)):
            path = folder / name
            if not path.exists():
                continue
            label = f"{job.edition_label or job.edition_dir}/{work.slug}/{name}"
            try:
                record = yamlio.from_data(cls, yamlio.read(path, label), label, problems)
            except EditionError as exc:
                problems.extend(exc.problems)
                continue
            if isinstance(record, Edition) and work.edition and record.source.sha256 != work.edition.source.sha256:
                problems.append(Problem(label, 1, "made from another version of the seed", work.label,
                                        "run python build.py to extract it again (corrections are kept)"))
    return problems
