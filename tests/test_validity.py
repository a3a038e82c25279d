"""Every page of the built site passes the current Nu HTML checker (vnu-jar 26.9.27) with zero errors."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import PROJECT

VNU = PROJECT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_is_valid_html(built):
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("the Nu HTML checker is missing: run 'make test' (it installs vnu-jar with npm; Java is needed)")
    pages = sorted(built.rglob("*.html"))
    slug = next(p.parent.name for p in pages if p.name == "apparatus.html")
    assert sorted(str(p.relative_to(built)) for p in pages) == [  # every page the site ships
        "archive.html", "bibliography.html", "index.html", f"{slug}/apparatus.html", f"{slug}/archive.html",
        f"{slug}/index.html", "search.html"]
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", str(built)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr[:3000]


def test_the_collection_pages_are_valid_html(collection):
    """The pages about many articles (landing page, archive index, bibliography, search) and every article's."""
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("the Nu HTML checker is missing: run 'make test' (it installs vnu-jar with npm; Java is needed)")
    site = collection / "site"
    pages = sorted(site.glob("*.html")) + sorted(site.glob("*/*.html"))  # every article's pages
    assert len(pages) > 90
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *map(str, pages)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr[:3000]
