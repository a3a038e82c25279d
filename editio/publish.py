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

from . import yamlio
from .problems import EditionError, Problem
from .records import Edition, Report

def stage(job):
    """Write the site's files into a staging folder (later stages may add to it)."""
    try:
        job.site_dir.parent.mkdir(parents=True, exist_ok=True)
        job.staging = Path(tempfile.mkdtemp(prefix=f".{job.site_dir.name}.new-", dir=job.site_dir.parent))
        for folder in sorted({(job.staging / rel).parent for rel in job.files}):
            folder.mkdir(parents=True, exist_ok=True)
        for rel, content in job.files.items():
            with open(job.staging / rel, "wb") as out:
                out.write(content if isinstance(content, bytes) else content.encode("utf-8"))
    except OSError as exc:
        raise EditionError([Problem(exc.filename or str(job.site_dir.parent), 0, "cannot write the site",
                                    exc.strerror or str(exc), "check the folder's permissions and free space; "
                                    "the previous site is as it was")]) from None
    return job


def commit(job):
    """Put the new edition YAML and the staged site in place of the old, all or nothing: the new YAML is
    written beside its files, the old files are moved aside, then the site is swapped by renaming; any
    failure moves everything back."""
    pending: list[tuple[Path, Path]] = []
    moved: list[tuple[Path | None, Path]] = []
    old = None
    try:
        for work in job.works:
            folder = job.edition_dir / work.slug
            folder.mkdir(parents=True, exist_ok=True)
            for name, record in (("edition.yaml", work.edition), ("report.yaml", work.report)):
                pending.extend(_prepare(folder / name, yamlio.dumps(record)))
        for tmp, target in pending:
            aside = target.with_name(f".{target.name}.old-{os.getpid()}") if target.exists() else None
            if aside:
                os.rename(target, aside)
            moved.append((aside, target))
            os.replace(tmp, target)
        if job.site_dir.exists():
            old = job.site_dir.with_name(f".{job.site_dir.name}.old-{os.getpid()}")
            job.site_dir.rename(old)
        job.staging.rename(job.site_dir)
    except OSError as exc:
        _roll_back(moved, pending, old, job.site_dir)
        raise EditionError([Problem(exc.filename or str(job.site_dir), 0, "cannot write the new edition",
                                    exc.strerror or str(exc), "check the folder's permissions and free space; "
                                    "the previous site and edition are as they were")]) from None
    job.staging = None
    for aside, _ in moved:
        if aside:
            aside.unlink()
    if old is not None:
        shutil.rmtree(old)
    job.log.append(f"site written to {job.site_dir} ({len(job.files)} files)")
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
    """Remove what a failed build staged."""
    if job.staging is not None and job.staging.exists():
        shutil.rmtree(job.staging)
    job.staging = None


def _prepare(path: Path, text: str) -> list[tuple[Path, Path]]:
    """The new content written beside path, as (temporary file, path); nothing when unchanged."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return []
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    return [(tmp, path)]


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
