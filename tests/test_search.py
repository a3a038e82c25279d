"""Search in headless Chromium against the served site: what a historian types, what comes first,
and where following a result lands."""
from __future__ import annotations

import functools
import re
from pathlib import Path
import http.server
import threading

import pytest
from playwright.sync_api import Page, expect

D2669 = [33, 34, 35, 36, 37, 39, 42, 43, 44, 46]
D2674 = [40, 47, 52, 53, 54, 55, 57, 59, 60, 61, 62, 63, 65, 66, 67, 70, 76]


def search(page: Page, base: str, query: str, **filters) -> list[str]:
    params = "&".join(f"{k}={v}" for k, v in {"q": query, **filters}.items())
    page.goto(f"{base}search.html?{params}")
    status = page.locator("#search-status")
    expect(status).to_have_text(re.compile(r"(\d+ results?.*|No results)\.$"))
    return page.eval_on_selector_all("#search-results li > a", "els => els.map(e => e.textContent)")


def notes(titles: list[str]) -> list[int]:
    return [int(t.split()[1]) for t in titles if t.startswith("Note ")]


@pytest.mark.parametrize("query", ["d. 2669", "delo 2669", "2669", "RGASPI f. 17 op. 21 d. 2669"])
def test_archival_file_in_any_form_finds_its_notes(page: Page, site_url, query):
    titles = search(page, site_url, query)
    assert titles[0] == "RGASPI, f. 17, op. 21, d. 2669"
    assert sorted(notes(titles)) == D2669


def test_shelfmark_with_other_tokens_in_common_finds_only_its_file(page: Page, site_url):
    titles = search(page, site_url, "f. 17 op. 21 d. 2674")
    assert titles[0] == "RGASPI, f. 17, op. 21, d. 2674"
    assert sorted(notes(titles)) == D2674


def test_archive_abbreviation(page: Page, site_url):
    titles = search(page, site_url, "RGASPI")
    assert titles[:6] and all(t.startswith("RGASPI, f. 17, op. 21, d. ") for t in titles[:6])
    assert page.locator("#search-status").inner_text().startswith("56 results")


def test_transliteration_variants_find_each_other(page: Page, site_url):
    titles = search(page, site_url, "Dzerzhinsky")
    assert "Note 51" in titles  # the note writes Dzerzhinskii
    assert any(t.startswith("Dzerzhinskii, Izbrannie") for t in titles)
    assert "Note 51" in search(page, site_url, "Dzerzhinskiy")
    assert "Note 80" in search(page, site_url, "Suzdaltseva")  # printed Suzdal'tseva
    assert "Note 4" in search(page, site_url, "Kirilinna")  # the note spells Kirilina


def test_part_of_a_name_finds_the_whole(page: Page, site_url):
    titles = search(page, site_url, "Putilov")
    assert "Note 76" in titles and any("Krasnyi Putilovets" in t for t in titles)


def test_phrase_from_a_note_and_following_the_result(page: Page, site_url, article_path):
    titles = search(page, site_url, "secretariat three members")
    assert titles[0] == "Note 46"
    page.locator("#search-results li > a").first.click()
    expect(page).to_have_url(site_url + article_path.removesuffix("index.html") + "#note-46")
    expect(page.locator("#note-46")).to_be_in_viewport()


def test_paragraphs_and_references_are_results(page: Page, site_url, article_path):
    titles = search(page, site_url, "rubber toy elephant")
    assert titles[0] == "¶ 33 · The new leadership gets to work"
    page.locator("#search-results li > a").first.click()
    expect(page).to_have_url(site_url + article_path.removesuffix("index.html") + "#p33")
    assert search(page, site_url, "Eyre Spottiswoode")[0].startswith("Schapiro, The Communist Party")


def test_filters(page: Page, site_url):
    assert sorted(notes(search(page, site_url, "", kind="Note", file="RGASPI, f. 17, op. 21, d. 2670"))) == \
        list(range(71, 85))
    only = search(page, site_url, "Party", kind="Bibliography")
    assert only and all(" (" in t for t in only)
    by_author = notes(search(page, site_url, "", author="Carr"))
    assert sorted(by_author) == [2, 21, 23, 24, 29, 30, 85]
    section = search(page, site_url, "Kirov", kind="Text", section="Conclusion")
    assert section and all(t.endswith("· Conclusion") for t in section) or section == []
    options = page.eval_on_selector_all('select[name="kind"] option', "els => els.map(e => e.value)")
    assert options == ["", "Archive", "Article", "Bibliography", "Note", "Text"]


def test_no_results(page: Page, site_url):
    assert search(page, site_url, "xylophone") == []
    expect(page.locator("#search-status")).to_have_text("No results.")


def test_search_box_on_every_page_by_keyboard(page: Page, site_url, article_path):
    page.goto(site_url + article_path)
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    expect(page.locator("#site-q")).to_be_focused()
    page.keyboard.type("Sarkis method")
    page.keyboard.press("Enter")
    expect(page.locator("#search-results li > a").first).to_have_text("Note 80", timeout=10000)
    page.locator("#search-q").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the button to the first filter
    assert page.evaluate("document.activeElement.name") == "kind"


def test_search_on_a_phone(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page = context.new_page()
    titles = search(page, site_url, "delo 2672")
    assert notes(titles) == [31]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def served(folder):
    """A plain static server for folder on a free port of 127.0.0.1: (its address, how to stop it)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()
    return f"http://127.0.0.1:{server.server_address[1]}/", stop


@pytest.fixture(scope="module")
def sub_path_url(built, tmp_path_factory):
    """The site served from /edition/ by a plain static server."""
    root = tmp_path_factory.mktemp("served")
    (root / "edition").symlink_to(built, target_is_directory=True)
    url, stop = served(root)
    yield url + "edition/"
    stop()


def test_works_from_a_sub_path(page: Page, sub_path_url, article_path):
    titles = search(page, sub_path_url, "delo 2672")
    assert notes(titles) == [31]
    page.locator("#search-results li > a", has_text="Note 31").click()
    expect(page).to_have_url(sub_path_url + article_path.removesuffix("index.html") + "#note-31")


@pytest.fixture(scope="module")
def cyrillic_url(tmp_path_factory):
    """An invented article whose sources are printed in Cyrillic (tests/seeds), built and served."""
    import build
    seed = Path(__file__).parent / "seeds" / "leningrad-komsomol-cyrillic.txt"
    out = tmp_path_factory.mktemp("cyrillic")
    assert build.main(["--seed", str(seed), "--out", str(out)]) == 0
    url, stop = served(out / "site")
    yield url
    stop()


@pytest.mark.parametrize("query", ["Zhdanova", "Жданова"])
def test_a_name_the_edition_prints_in_both_scripts_is_found_in_either(page: Page, cyrillic_url, query):
    # Note 19 prints only 'Жданова', note 26 both; the reference only the Cyrillic.
    titles = search(page, cyrillic_url, query)
    assert {19, 26} <= set(notes(titles))
    assert any(t.startswith("Жданова") for t in titles)


def test_a_cyrillic_shelfmark_finds_its_note(page: Page, cyrillic_url):
    titles = search(page, cyrillic_url, "Р-1000")
    assert set(notes(titles)) == {14, 28}
    assert set(notes(search(page, cyrillic_url, "ЦГА СПб ф. Р-1000, оп. 3, д. 45"))) == {14}  # as printed
    assert set(notes(search(page, cyrillic_url, "д. 60"))) == {28}


def shown(page: Page) -> list[dict]:
    return page.eval_on_selector_all("#search-results li", """els => els.map(e => ({
        title: e.querySelector('a').textContent, where: e.querySelector('.result-article').textContent,
        excerpt: e.querySelector('p:last-child').textContent,
        marked: [...e.querySelectorAll('mark')].map(m => m.textContent)}))""")


def test_an_excerpt_is_in_the_texts_own_words(page: Page, site_url, article_path):
    """A variant spelling finds the note; its excerpt is the note's own sentence, the note's spelling marked,
    never the list of spellings or shelfmarks that found it."""
    search(page, site_url, "Dzerzhinsky")
    note = next(r for r in shown(page) if r["title"] == "Note 51")
    assert "Dzerzhinskii" in note["excerpt"] and "Dzerzhinskii" in note["marked"]
    assert note["where"].endswith("· The new leadership gets to work · note 51")
    page.goto(site_url + article_path)
    own = " ".join(page.locator("#note-51").text_content().split())
    for query in ("Dzerzhinsky", "delo 2669", "RGASPI", "Suzdaltseva", "Putilov"):
        search(page, site_url, query)
        for r in shown(page):
            text = r["excerpt"].replace("…", "").strip()
            assert "⁂" not in text and "Cites" not in text and "Also written" not in text, (query, r)
            if r["title"] == "Note 51":
                assert text in own, (query, text)


@pytest.mark.parametrize("query, title, where", [
    ("rubber toy elephant", "¶ 33 · The new leadership gets to work", "· The new leadership gets to work · ¶ 33"),
    ("Eyre Spottiswoode", "Schapiro, The Communist Party of the Soviet Union (1970)", "· References"),
])
def test_a_result_says_where_it_stands(page: Page, site_url, query, title, where):
    search(page, site_url, query)
    first = shown(page)[0]
    assert first["title"] == title and first["where"].endswith(where)
    assert first["where"].startswith("Yiannis Kokosalakis, 'Merciless War' against Trifles")


def test_no_other_spelling_is_made_for_an_ordinary_word(seed):
    from editio.extract import extract
    from editio.link import link
    from editio.search import records
    edition, _ = extract(seed, seed.name)
    link(edition)
    made = {other for r in records(edition, seed.stem) for other, _ in r.also}
    assert "Partii" not in made and "Dzerzhinsky" in made  # 'Party' is written in lower case too: no name


def test_a_shelfmark_is_indexed_as_one_word_for_each_way_it_is_typed():
    """search.js makes one word of what a reader types ('RGASPI f. 17 op. 21 d. 2669' → rgaspif17op21d2669);
    the records carry the same words, so that a shelfmark costs one small part of the index."""
    from editio.records import ArchivalRef
    from editio.search import shelfmark_words
    assert shelfmark_words(ArchivalRef("RGASPI", "17", "21", "2669", "2")) == [
        "RGASPI", "2669", "d2669", "op21d2669", "f17d2669", "f17op21d2669", "f17", "f17op21",
        "rgaspif17", "rgaspif17op21", "rgaspif17d2669", "rgaspif17op21d2669"]
    assert shelfmark_words(ArchivalRef("AGTsTM", "454", "", "7")) == [  # a fond without opisi
        "AGTsTM", "7", "d7", "f454d7", "f454", "agtstmf454", "agtstmf454d7"]
