"""The served site in headless Chromium, used as a reader would."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def test_marker_goes_to_note_and_back(page: Page, site_url, article_path):
    page.goto(site_url + article_path)
    expect(page.locator("h1")).to_contain_text("'Merciless War' against Trifles")
    marker = page.locator("#noteref-14")
    marker.click()
    expect(page).to_have_url(site_url + article_path + "#note-14")
    note = page.locator("#note-14")
    expect(note).to_be_in_viewport()
    expect(note).to_contain_text("Rossiiskii Gosudarstvennyi Arkhiv")
    note.get_by_role("link", name="Back to reference 14 in the text").click()
    expect(page).to_have_url(site_url + article_path + "#noteref-14")
    expect(marker).to_be_in_viewport()


def test_keyboard_reaches_markers(page: Page, site_url, article_path):
    page.goto(site_url + article_path)
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('role')") == "doc-noteref":
            break
    assert page.evaluate("document.activeElement.getAttribute('role')") == "doc-noteref"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash").startswith("#note-")


def test_index_lists_the_edition(page: Page, site_url, article_path):
    page.goto(site_url)
    page.get_by_role("link", name="'Merciless War' against Trifles", exact=False).click()
    expect(page).to_have_url(site_url + article_path.removesuffix("index.html"))


def test_screenshots_for_review(page: Page, site_url, article_path):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url + article_path)
    page.screenshot(path=str(SHOTS / "article-desktop.png"))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(site_url + article_path + "#note-43")
    page.screenshot(path=str(SHOTS / "article-phone-note.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
