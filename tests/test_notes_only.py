"""An article without a bibliography, used as a reader would (issue 16): the invented notes-only article and a
tiny one printing a range of files, built with build.py, served on 127.0.0.1 and read in headless Chromium."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

import build
from conftest import served

SEED = Path(__file__).parent / "seeds" / "horse-census-notes-only.txt"
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts"
RANGE_ARTICLE = """Maria Vostrikova

The Library of a Dictator

An invented abstract of a few words, without markers.

The books were bound and shelved in his dacha.¹ A second set went to the Institute.²

Notes
1. RGASPI, F.558, Op.11, Dd.1242–6.
2. Ibid., political report of 10 July 1941.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("notes-only")
    ranged = out / "dictator-library.txt"
    ranged.write_text(RANGE_ARTICLE, encoding="utf-8")
    assert build.main(["--seed", str(SEED), str(ranged), "--out", str(out)]) == 0
    with served(out / "site") as url:
        yield url


def test_works_cited_are_read_from_the_notes(page: Page, site):
    page.goto(site + f"{SEED.stem}/")
    section = page.locator("section[role=doc-bibliography]")
    expect(section.get_by_role("heading", name="Works cited")).to_be_visible()
    expect(section).to_contain_text("The article prints no bibliography")
    entries = section.locator("li[id]")
    keys = [entries.nth(i).get_attribute("id") for i in range(entries.count())]
    assert keys == sorted(keys, key=lambda k: k.split("-")[0])  # in the order of a bibliography
    first = section.locator("li#brenning-1996-stalins")
    first.get_by_role("link", name="note 4").click()  # the note its first full citation stands in
    expect(page).to_have_url(re.compile(r"#note-4$"))
    # A short form in a later note links to the work, and its preview shows the full citation it came from.
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(site + f"{SEED.stem}/#note-20")
    short = page.locator("#note-20 a.citation").first  # 'Solodkin, *Konskii sostav*, 61–4'
    assert short.get_attribute("href").endswith("#solodkin-1989-konskii")
    short.hover()
    preview = page.locator(".cite-popover")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("(Moscow: Nauka, 1989)")
    expect(preview).to_contain_text("Cited in notes 8, 20.")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "notes-only-preview.png"))


def test_a_range_of_files_is_expanded_by_the_edition(page: Page, site):
    page.goto(site + "dictator-library/")
    note = page.locator("#note-1")
    expansion = note.locator("[data-editorial=expansion]")
    expect(expansion).to_have_text("[dd. 1243, 1244, 1245, 1246]")
    files = note.locator("[data-archive]")
    assert [files.nth(i).get_attribute("data-delo") for i in range(files.count())] == [
        "1242", "1243", "1244", "1245", "1246"]
    # The Ibid. with a description of the document repeats the last file of the range.
    assert page.locator("#note-2 [data-archive]").get_attribute("data-delo") == "1246"
    expansion.get_by_role("link", name="1244").click()
    expect(page).to_have_url(re.compile(r"archive\.html#file-rgaspi-558-11-1244$"))
    expect(page.locator("li#file-rgaspi-558-11-1244")).to_contain_text("1")
    page.goto(site + "dictator-library/apparatus.html")
    expect(page.locator("main")).to_contain_text("Dd.1242–6")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations(browser, site, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    found = {}
    for path in (f"{SEED.stem}/", "dictator-library/", "dictator-library/apparatus.html", ""):
        page.goto(site + path)
        found[path] = [v["id"] for v in Axe().run(page).response["violations"]]
    context.close()
    assert found == {path: [] for path in found}
