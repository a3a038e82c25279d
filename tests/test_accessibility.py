"""axe-core (axe-playwright-python, offline) on every kind of page, light and dark, with a popover, a
citation preview and the sidenotes open; the keyboard walk through every marker."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
PAGES = ["", "{slug}/", "{slug}/apparatus.html", "{slug}/archive.html", "search.html", "archive.html", "bibliography.html"]
COLLECTION_PAGES = ["", "archive.html", "bibliography.html", "search.html?q=committee",
                    "search.html?q=committee&kind=Text&article={slug}"]


def violations(page) -> list:
    result = AXE.run(page)
    return [(v["id"], v["nodes"][0]["html"][:120]) for v in result.response["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations(browser, site_url, seed, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(site_url + path.format(slug=seed.stem))
        found[path] = violations(page)
    page.goto(site_url + "search.html?q=delo+2669")
    page.locator("#search-results li").first.wait_for()
    found["search results"] = violations(page)
    page.goto(site_url + f"{seed.stem}/")
    page.locator("#noteref-31").focus()
    page.locator(".note-popover").wait_for()
    page.locator(".note-popover a.archival").first.focus()
    page.locator(".cite-popover").wait_for()
    found["popover with a preview"] = violations(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.locator(".sidenote").first.wait_for()
    page.locator(".sidenote a.citation").first.focus()
    page.locator(".cite-popover").wait_for()
    found["sidenotes with a preview"] = violations(page)
    context.close()
    assert found == {key: [] for key in found}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_on_the_collection_pages(browser, collection_url, collection, scheme):
    """The pages about many articles: landing page, archive index, bibliography, search narrowed to one."""
    slug = sorted((collection / "edition").iterdir())[0].name
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    found = {}
    for path in COLLECTION_PAGES:
        page.goto(collection_url + path.format(slug=slug))
        if "q=" in path:
            page.locator("#search-results li").first.wait_for()
        found[path] = violations(page)
    context.close()
    assert found == {key: [] for key in found}


def test_keyboard_walk_reaches_every_marker_and_its_note(page, site_url, seed):
    """Tab from the top of the article: every marker is reached in order, its note opens, the note's
    links come next in the tab order (a citation's reference opening as it is reached), and Esc closes
    the innermost popover and returns focus to what opened it: the citation, then the marker."""
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(site_url + f"{seed.stem}/")
    reached, links_in_notes = [], 0
    for _ in range(600):
        page.keyboard.press("Tab")
        focus = page.evaluate("""() => { const e = document.activeElement;
            return {role: e.getAttribute('role'), text: e.textContent, inPopover: !!e.closest('.note-popover'),
                    open: document.querySelectorAll('.note-popover').length,
                    inNotes: !!e.closest('[role=doc-endnotes]')}; }""")
        if focus["inNotes"]:
            break
        if focus["role"] == "doc-noteref":
            assert focus["open"] == 1
            reached.append(int(focus["text"]))
        elif focus["inPopover"]:
            links_in_notes += 1
            if links_in_notes == 1:  # a citation, its reference open: Esc closes the reference, then the note
                link = page.evaluate("document.activeElement.textContent")
                assert page.evaluate("document.querySelectorAll('.cite-popover').length") == 1
                page.keyboard.press("Escape")
                assert page.evaluate("document.querySelectorAll('.cite-popover').length") == 0
                assert page.evaluate("document.querySelectorAll('.note-popover').length") == 1
                assert page.evaluate("document.activeElement.textContent") == link
                page.keyboard.press("Escape")
                assert page.evaluate("document.querySelectorAll('.note-popover').length") == 0
                assert page.evaluate("document.activeElement.textContent") == str(reached[-1])
    assert reached == list(range(1, 88))
    assert links_in_notes > 50


def test_back_links_are_targets_large_enough_for_a_finger(browser, site_url, seed):
    """WCAG 2.2 target size (2.5.8), which Lighthouse audits and axe checks only when asked: on a 390 px phone
    every note's way back to its marker is a box of at least 24 × 24 CSS px, and axe's target-size finds no
    target on the article page too small and too close to another."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site_url + f"{seed.stem}/")
    boxes = page.evaluate("""() => [...document.querySelectorAll('[role=doc-endnotes] a[role=doc-backlink]')].map(a => {
        const r = a.getBoundingClientRect(); return {href: a.getAttribute('href'), width: r.width, height: r.height}; })""")
    assert len(boxes) == page.locator('a[role="doc-noteref"]').count()
    assert [b for b in boxes if b["width"] < 24 or b["height"] < 24] == []
    result = AXE.run(page, options={"runOnly": ["target-size"]})
    assert [n["html"][:120] for v in result.response["violations"] for n in v["nodes"]] == []
    context.close()
