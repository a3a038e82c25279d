"""The reading edition at three widths, as a reader uses it: sidenotes where the screen has a margin
(1440 px), popovers where it has not (1024 px, a 390 px phone), citation previews in every place a note
is shown, by mouse, keyboard and touch; no layout shift; and the budget of the site's own scripts."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

PROJECT = Path(__file__).resolve().parent.parent
SHOTS = PROJECT / "test-artifacts"
WIDTHS = {"wide": 1440, "laptop": 1024, "phone": 390}
LIT = re.compile(r"\blit\b")


def article(page: Page, site_url, article_path, width, hash=""):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site_url + article_path + hash)
    return page


@pytest.mark.parametrize("name", WIDTHS)
def test_sidenotes_only_where_they_fit(page: Page, site_url, article_path, name):
    article(page, site_url, article_path, WIDTHS[name])
    markers = page.locator('a[role="doc-noteref"]').count()
    if name != "wide":
        expect(page.locator(".sidenote")).to_have_count(0)
        return
    expect(page.locator(".sidenote")).to_have_count(markers)
    boxes = page.evaluate("""() => [...document.querySelectorAll('a[role=doc-noteref]')].map(a => {
        const s = document.querySelector(`.sidenote[data-ref="${a.id}"]`), r = s.getBoundingClientRect();
        const m = a.getBoundingClientRect(), text = a.closest('main, header').getBoundingClientRect();
        return {n: a.textContent, marker: m.top + scrollY, top: r.top + scrollY, bottom: r.bottom + scrollY,
                left: r.left, right: r.right, textRight: text.right}; })""")
    vw = page.evaluate("document.documentElement.clientWidth")
    previous = None
    for b in boxes:
        assert b["left"] >= b["textRight"] and b["right"] <= vw, f"note {b['n']} not in the margin: {b}"
        beside = abs(b["top"] - (b["marker"] - 3)) <= 2
        below_previous = previous is not None and abs(b["top"] - (previous["bottom"] + 12)) <= 2
        assert beside or below_previous, f"note {b['n']} is neither beside its marker nor below note {previous}"
        assert previous is None or b["top"] >= previous["bottom"], f"notes {previous['n']} and {b['n']} overlap"
        assert b["top"] >= b["marker"] - 5, f"note {b['n']} stands above its marker"
        previous = b


def test_marker_and_sidenote_light_each_other(page: Page, site_url, article_path):
    article(page, site_url, article_path, 1440)
    marker, side = page.locator("#noteref-14"), page.locator('.sidenote[data-ref="noteref-14"]')
    marker.scroll_into_view_if_needed()
    marker.hover()
    expect(side).to_have_class(LIT)
    page.wait_for_timeout(400)
    expect(page.locator(".note-popover")).to_have_count(0)  # the note is already beside the text
    page.locator('.sidenote[data-ref="noteref-12"]').hover()
    expect(page.locator("#noteref-12")).to_have_class(LIT)
    expect(side).not_to_have_class(LIT)
    page.mouse.move(5, 5)  # a keyboard reader's pointer, out of the way
    page.locator("#noteref-51").focus()
    restored = page.locator('.sidenote[data-ref="noteref-51"]')
    expect(restored).to_have_class(LIT)
    expect(restored.locator(".sidenote-n.restored")).to_have_text("51")  # shown [51], as in the text
    assert restored.locator(".sidenote-n").get_attribute("title").startswith("Marker restored by the editor")


def test_sidenotes_follow_a_change_of_width(page: Page, site_url, article_path):
    article(page, site_url, article_path, 1024)
    expect(page.locator(".sidenote")).to_have_count(0)
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(page.locator(".sidenote").first).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 900})
    expect(page.locator(".sidenote")).to_have_count(0)


@pytest.mark.parametrize("width", [1440, 390])
def test_no_layout_shift_as_the_page_loads(page: Page, site_url, article_path, width):
    page.add_init_script("""window.shifts = 0; new PerformanceObserver(l => l.getEntries().forEach(
        e => { if (!e.hadRecentInput) window.shifts += e.value; })).observe({type: 'layout-shift', buffered: true});""")
    article(page, site_url, article_path, width)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert page.evaluate("window.shifts") == 0


def test_reads_fully_without_javascript_on_a_wide_screen(browser, site_url, article_path):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(site_url + article_path)
    expect(page.locator(".sidenote")).to_have_count(0)
    expect(page.locator("#note-87")).to_contain_text("Shimotomai")
    page.locator("#note-21 a.citation").click()
    expect(page).to_have_url(site_url + article_path + "#carr-1960-socialism")
    context.close()


# --- citation previews ---------------------------------------------------------------------------

def preview(page: Page):
    tip = page.locator(".cite-popover")
    expect(tip).to_have_count(1)
    return tip


def test_preview_of_a_work_by_mouse_in_an_endnote(page: Page, site_url, article_path):
    article(page, site_url, article_path, 1024)
    cite = page.locator("#note-21 a.citation")
    cite.scroll_into_view_if_needed()
    cite.hover()
    tip = preview(page)
    expect(tip).to_contain_text("Carr, Edward. H. Socialism in One Country")
    expect(tip).to_contain_text("Cited in notes 2, 21")
    tip.hover()
    page.wait_for_timeout(500)
    expect(page.locator(".cite-popover")).to_have_count(1)  # the pointer may move into it
    page.mouse.move(5, 5)
    expect(page.locator(".cite-popover")).to_have_count(0)


def test_preview_of_an_archival_file_by_keyboard(page: Page, site_url, article_path):
    article(page, site_url, article_path, 1024)
    ref = page.locator("#note-22 a.archival")
    ref.focus()
    tip = preview(page)
    expect(tip).to_contain_text("RGASPI, fond 17, opis 21, delo 2668")
    expect(tip).to_contain_text("note 14 (ll. 7–8), note 15 (l. 9)")
    assert tip.locator("a", has_text="note 20").get_attribute("href") == "#note-20"
    expect(ref).to_have_attribute("aria-describedby", tip.get_attribute("id"))
    page.keyboard.press("Escape")
    expect(page.locator(".cite-popover")).to_have_count(0)
    expect(ref).to_be_focused()
    page.keyboard.press("Enter")  # without the preview, the citation leads to the file in the archive index
    expect(page).to_have_url(site_url + article_path.removesuffix("index.html") + "archive.html#file-rgaspi-17-21-2668")


def test_preview_inside_a_popover_and_a_sidenote(page: Page, site_url, article_path):
    article(page, site_url, article_path, 1024)
    marker = page.locator("#noteref-10")
    marker.scroll_into_view_if_needed()
    marker.hover()
    page.locator(".note-popover a.citation", has_text="Black").hover()
    expect(preview(page)).to_contain_text("Party Crisis and the Factory Shop Floor")
    expect(page.locator(".note-popover")).to_have_count(1)  # the note stays open behind it
    page.set_viewport_size({"width": 1440, "height": 900})
    cite = page.locator('.sidenote[data-ref="noteref-45"] a.citation')
    cite.scroll_into_view_if_needed()
    cite.hover()
    expect(preview(page)).to_contain_text("Polnoe sobranie sochinenii")


def test_preview_by_touch(browser, site_url, article_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(site_url + article_path + "#note-24")
    cite = page.locator("#note-24 a.citation").first
    cite.tap()
    tip = preview(page)
    expect(tip).to_contain_text("Socialism in One Country")
    assert page.evaluate("location.hash") == "#note-24"  # the first tap shows the reference
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.locator("#note-23").tap()  # elsewhere
    expect(page.locator(".cite-popover")).to_have_count(0)
    cite.tap()
    cite.tap()  # a second tap follows the citation
    expect(page).to_have_url(site_url + article_path + "#carr-1960-socialism")
    context.close()


# --- screenshots and budget -------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", WIDTHS)
def test_screenshots_for_review(browser, site_url, article_path, name, scheme):
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": WIDTHS[name], "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + article_path + "#p12")
    marker = page.locator("#noteref-33")
    marker.hover() if name != "phone" else marker.focus()
    if name != "wide":
        page.locator(".note-popover a.archival").first.hover()
        preview(page)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"reading-{name}-{scheme}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[name]
    context.close()


def test_the_sites_own_javascript_stays_within_budget(built):
    """What a page loads of the site's own scripts (as shipped: comment lines and indentation left out): the
    article's pages notes.js, the search page search.js (Pagefind's own runtime is measured by bench/)."""
    for page in [*built.glob("*/index.html"), built / "search.html"]:
        scripts = [built / "static" / name for name in re.findall(r'static/(\w+\.js)"', page.read_text("utf-8"))]
        raw = sum(len(p.read_bytes()) for p in scripts)
        compressed = sum(len(gzip.compress(p.read_bytes(), 9)) for p in scripts)
        assert scripts and raw <= 12_000 and compressed <= 5_000, (page.name, raw, compressed)


def test_a_long_sidenote_is_cut_short_and_shown_whole_when_lit(page: Page, site_url, article_path):
    article(page, site_url, article_path, 1440)
    long = page.locator('.sidenote[data-ref="noteref-30"]')
    expect(long).to_have_class(re.compile(r"\blong\b"))
    short = long.bounding_box()["height"]
    page.mouse.move(5, 5)
    page.locator("#noteref-30").focus()
    expect(long).to_have_class(LIT)
    assert long.bounding_box()["height"] > 2 * short  # the whole note, over the ones below it
    expect(long).to_contain_text("determined the manner of work of the new regional leadership")
