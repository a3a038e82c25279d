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


def open_article(page: Page, site_url, article_path, width=1024, height=800):
    """The article at a width without room for sidenotes (popovers), unless told otherwise."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(site_url + article_path)
    return page


def popover_box(page: Page):
    pop = page.locator(".note-popover")
    expect(pop).to_have_count(1)
    return pop, pop.bounding_box()


def inside_viewport(page: Page, box) -> bool:
    vw, vh = page.evaluate("[document.documentElement.clientWidth, innerHeight]")
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= vw and box["y"] + box["height"] <= vh


def test_hover_shows_whole_note_beside_marker_and_closes(page: Page, site_url, article_path):
    open_article(page, site_url, article_path)
    marker = page.locator("#noteref-14")
    marker.scroll_into_view_if_needed()
    before = page.evaluate("[document.documentElement.scrollHeight, scrollY]")
    marker.hover()
    pop, box = popover_box(page)
    expect(pop).to_contain_text("Note 14")
    expect(pop).to_contain_text("listy. 7–8")  # the whole note, to its end
    assert inside_viewport(page, box)
    mbox = marker.bounding_box()
    assert abs((box["y"]) - (mbox["y"] + mbox["height"])) < 20 or abs(box["y"] + box["height"] - mbox["y"]) < 20
    assert page.evaluate("[document.documentElement.scrollHeight, scrollY]") == before  # nothing shifted
    pop.hover()  # the pointer moves into the popover: it stays
    page.wait_for_timeout(500)
    expect(pop).to_have_count(1)
    page.mouse.move(5, 5)
    expect(page.locator(".note-popover")).to_have_count(0)


def test_popover_links_work(page: Page, site_url, article_path):
    open_article(page, site_url, article_path)
    marker = page.locator("#noteref-10")
    marker.scroll_into_view_if_needed()
    marker.hover()
    link = page.locator(".note-popover a", has_text="Black, 'Party Crisis', 110–12")
    expect(link).to_have_attribute("href", "#black-1994-party")
    link.click()
    expect(page).to_have_url(site_url + article_path + "#black-1994-party")


def test_keyboard_focus_opens_escape_closes_and_returns_focus(page: Page, site_url, article_path):
    open_article(page, site_url, article_path)
    page.locator("#noteref-2").focus()
    pop, box = popover_box(page)
    expect(pop).to_contain_text("Carr, Socialism In One Country")
    expect(page.locator("#noteref-2")).to_have_attribute("aria-describedby", pop.get_attribute("id"))
    page.keyboard.press("Tab")  # into the note's first link, a citation: its reference opens too
    assert page.evaluate("document.activeElement.closest('.note-popover') !== null")
    expect(page.locator(".cite-popover")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(".cite-popover")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator(".note-popover")).to_have_count(0)
    expect(page.locator("#noteref-2")).to_be_focused()


def test_restored_marker_explains_itself(page: Page, site_url, article_path):
    open_article(page, site_url, article_path)
    page.locator("#noteref-51").focus()
    pop, _ = popover_box(page)
    expect(pop.locator(".tip-why")).to_contain_text("Marker restored by the editor: Note 51")
    expect(page.locator("#noteref-51")).to_have_text("51")


def test_tap_on_phone_opens_then_follows_and_tap_elsewhere_closes(browser, site_url, article_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(site_url + article_path)
    marker = page.locator("#noteref-10")
    marker.scroll_into_view_if_needed()
    marker.tap()
    pop, box = popover_box(page)
    assert inside_viewport(page, box)
    assert page.evaluate("location.hash") == ""  # the first tap shows the note, it does not jump
    below = box["y"] + box["height"] + 60
    page.touchscreen.tap(180, below if below < 700 else box["y"] - 60)  # the text, away from the note
    expect(page.locator(".note-popover")).to_have_count(0)
    marker.tap()
    marker.tap()  # a second tap on an open note's marker follows the link
    expect(page).to_have_url(site_url + article_path + "#note-10")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_popover_near_right_edge_stays_in_viewport(page: Page, site_url, article_path):
    open_article(page, site_url, article_path, width=700, height=600)
    for n in (1, 43, 85):
        marker = page.locator(f"#noteref-{n}")
        marker.scroll_into_view_if_needed()
        marker.focus()
        _, box = popover_box(page)
        assert inside_viewport(page, box), n
        page.keyboard.press("Escape")


def test_without_javascript_markers_are_links(browser, site_url, article_path):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + article_path)
    page.locator("#noteref-33").click()
    expect(page).to_have_url(site_url + article_path + "#note-33")
    expect(page.locator(".note-popover")).to_have_count(0)
    page.locator("#note-33").get_by_role("link", name="Back to reference 33 in the text").click()
    expect(page).to_have_url(site_url + article_path + "#noteref-33")
    context.close()


def test_emendation_shows_source_reading_on_focus(page: Page, site_url, article_path):
    open_article(page, site_url, article_path)
    emended = page.locator("#note-15 .emendation")
    emended.focus()
    tip = emended.evaluate("e => getComputedStyle(e, '::after').content")
    assert "Source reads: Ibid., 1. 9." in tip


def test_screenshots_dark_and_print(browser, site_url, article_path):
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1024, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + article_path + "#p12")
    page.locator("#noteref-31").hover()
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / "article-dark-popover.png"))
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(251, 250, 246)"
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "article-print.png"), full_page=False)
    assert page.evaluate("getComputedStyle(document.querySelector('.edition-nav')).display") == "none"
    context.close()


def test_no_request_leaves_the_site(page: Page, site_url, article_path):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(site_url + article_path)
    page.locator("#noteref-14").hover()
    page.locator(".note-popover").wait_for()
    page.goto(site_url + "search.html?q=delo+2669")
    page.locator("#search-results li").first.wait_for()
    page.goto(site_url + article_path.removesuffix("index.html") + "apparatus.html")
    assert len(requests) > 10
    assert [u for u in requests if not u.startswith(site_url)] == []
