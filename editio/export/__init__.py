"""Export: each edition as downloads beside its pages (TEI, CSL-JSON, BibTeX, Markdown, YAML), one
module per format.

Each format is a pure function of the Edition (and, for TEI, the Report), so what the site
offers for download is exactly what the pages show.
"""
from __future__ import annotations

from .. import yamlio
from .bibtex import to_bibtex
from .csl import to_csl_json
from .markdown import to_markdown
from .tei import to_tei


def stage(job):
    """Every edition's downloads, in the site under SLUG/downloads/."""
    for work in job.works:
        job.files.update({download(work.slug, "tei.xml"): to_tei(work.edition, work.report),
                          download(work.slug, "csl.json"): to_csl_json(work.edition),
                          download(work.slug, "bib"): to_bibtex(work.edition),
                          download(work.slug, "md"): to_markdown(work.edition),
                          download(work.slug, "yaml"): yamlio.dumps(work.edition)})
    return job


def download(slug: str, extension: str) -> str:
    """The path in the site of an edition's download in one format (the YAML is edition.yaml's text)."""
    return f"{slug}/downloads/{slug}.{extension}"

