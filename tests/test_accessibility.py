"""axe-core (axe-playwright-python, offline) on every kind of page, light and dark, with a popover open."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
PAGES = ["", "{slug}/", "{slug}/apparatus.html", "{slug}/archive.html", "{slug}/records/note-14.html",
         "search.html"]


def violations(page) -> list:
    result = AXE.run(page)
    return [(v["id"], v["nodes"][0]["html"][:120]) for v in result.response["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations(browser, site_url, seed, scheme):
    context = browser.new_context(color_scheme=scheme)
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
    found["popover"] = violations(page)
    context.close()
    assert found == {key: [] for key in found}
