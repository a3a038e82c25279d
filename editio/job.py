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
    files: dict[str, str | bytes] = field(default_factory=dict)
    """The site's files, by path relative to its root, before they are written."""
    staging: Path | None = None
    """The folder the site is being written to before it replaces site_dir."""
    log: list[str] = field(default_factory=list)
    """Lines for the summary printed at the end."""


def slug_for(seed: Path) -> str:
    return seed.stem


def label_for(path: Path, project: Path) -> str:
    try:
        return str(path.resolve().relative_to(project.resolve()))
    except ValueError:
        return str(path)
