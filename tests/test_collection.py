"""A collection of invented articles (editio.corpus) built into one site, checked against each article's
own edition: the landing page, the collection's archive index and bibliography, search across the
articles (in Chromium), the cache of built articles, and a search indexer that hangs or fails."""
from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import html
from playwright.sync_api import Page, expect

from conftest import COLLECTION, PROJECT
from editio import corpus, yamlio
from editio.collection import CitedWork, same_work
from editio.records import Edition

SMALL_SEED = PROJECT / "tests" / "seeds" / "bursa-petitions.txt"


@pytest.fixture(scope="module")
def editions(collection) -> dict[str, Edition]:
    """Each article's edition.yaml as the build wrote it, by the article's folder name."""
    out = {}
    for folder in sorted((collection / "edition").iterdir()):
        problems: list = []
        out[folder.name] = yamlio.from_data(Edition, yamlio.read(folder / "edition.yaml"), str(folder), problems)
        assert problems == []
    return out


def page_of(collection: Path, path: str):
    return html.parse(str(collection / "site" / path)).getroot()


def file_id(a) -> str:
    return f"file-{a.archive}-{a.fond}-{a.opis}-{a.delo}".lower()


def test_the_collection_is_built_and_indexed(collection, editions):
    assert len(editions) == COLLECTION
    index = collection / "site" / "pagefind"  # one index of every article
    assert '"languages"' in (index / "pagefind-entry.json").read_text(encoding="utf-8")
    assert all(f.stat().st_size > 0 for f in index.rglob("*") if f.is_file())
    assert len(list((index / "fragment").iterdir())) == COLLECTION  # a page of records per article
    search = page_of(collection, "search.html")
    assert search.xpath("//form/@data-index") == ["pagefind/"]
    # What the index was made from is not shipped: results lead to the edition's own pages.
    assert not [p for p in (collection / "site").rglob("*") if p.name in ("records", ".records")]


def test_landing_page_lists_every_article_with_its_citation_and_counts(collection, editions):
    cards = page_of(collection, "index.html").xpath('//article[@class="edition-card"]')
    slugs = [c.xpath(".//h2/a/@href")[0].removesuffix("/") for c in cards]
    assert sorted(slugs) == sorted(editions)
    for card, slug in zip(cards, slugs):
        ed = editions[slug]
        m = ed.metadata
        files = {file_id(c.archive) for n in ed.notes for c in n.citations if c.archive}
        assert card.xpath("string(.//h2)") == m.title
        assert card.xpath('string(.//p[@class="author"])') == (
            f"{', '.join(m.authors)} · {m.journal} {m.volume}:{m.issue} ({m.year}), {m.pages}")
        counts = re.sub(r"\s+", " ", card.xpath('string(.//p[@class="counts"])'))
        assert counts.startswith(f"{len(ed.notes)} notes · {len(files)} archival files · ")


def test_collection_archive_index_lists_every_file_with_the_articles_and_notes_citing_it(collection, editions):
    expected: dict[str, set] = {}
    for slug, ed in editions.items():
        for note in ed.notes:
            for c in note.citations:
                if c.archive:
                    expected.setdefault(file_id(c.archive), set()).add((slug, note.n))
    found: dict[str, set] = {}
    for li in page_of(collection, "archive.html").xpath('//li[starts-with(@id, "file-")]'):
        for a in li.xpath('.//a[@data-note]'):
            slug, _, n = a.get("href").partition("/#note-")
            assert n == a.get("data-note")
            found.setdefault(li.get("id"), set()).add((slug, int(n)))
        for a in li.xpath('.//ul[@class="citing"]/li/a[1]'):
            assert a.get("href").endswith(f"/archive.html#{li.get('id')}")
    assert found == expected
    shared = [f for f, cited in found.items() if len({slug for slug, _ in cited}) >= 3]
    assert len(shared) >= 3, "the corpus cites some files in several articles"
    for slug in editions:  # every link lands on a note of the article
        ids = set(page_of(collection, f"{slug}/index.html").xpath("//@id"))
        assert {f"note-{n}" for cited in found.values() for s, n in cited if s == slug} <= ids


def test_collection_bibliography_merges_the_same_work_and_never_a_near_match(collection, editions):
    entries = {(slug, e.key): e for slug, ed in editions.items() for e in ed.bibliography}
    citing = {key: [] for key in entries}
    for slug, ed in editions.items():
        for note in ed.notes:
            for target in dict.fromkeys(c.target for c in note.citations if c.target):
                citing[slug, target].append(note.n)
    where: dict[tuple, str] = {}
    items = page_of(collection, "bibliography.html").xpath('//section[@role="doc-bibliography"]/ul/li')
    for li in items:
        for item in li.xpath('./ul[@class="citing"]/li'):
            slug, _, key = item.xpath("./a")[0].get("href").partition("/#")
            assert [int(a.get("data-note")) for a in item.xpath("./a[@data-note]")] == citing[slug, key]
            assert all(a.get("href") == f"{slug}/#note-{a.get('data-note')}" for a in item.xpath("./a[@data-note]"))
            assert (slug, key) not in where, "an article's entry listed twice"
            where[slug, key] = li.get("id")
    assert where.keys() == entries.keys()

    def work(key) -> tuple:
        e = entries[key]
        return same_work(CitedWork(e.key, e.authors, e.year, e.title, e.raw, []))
    by_entry: dict[str, set] = {}
    for key, entry_id in where.items():
        by_entry.setdefault(entry_id, set()).add(work(key))
    assert all(len(works) == 1 for works in by_entry.values()), "different works merged"
    merged = [i for i, works in by_entry.items() if sum(1 for k in where if where[k] == i) > 1]
    assert len(merged) >= 5, "the corpus lists some works in several articles"
    assert len(by_entry) == len({work(k) for k in where}), "the same work left in several entries"
    near = [(a, b) for a in where for b in where
            if work(a)[0] == work(b)[0] and work(a)[2] == work(b)[2] and work(a)[1] < work(b)[1]]
    assert near, "the corpus has works that differ only in their year"
    assert all(where[a] != where[b] for a, b in near)


def results(page: Page, base: str, query: str, **filters) -> list[tuple[str, str]]:
    """(title, where it stands: article · section · note N) of each result shown for query with filters."""
    params = "&".join(f"{k}={v}" for k, v in {"q": query, **filters}.items())
    page.goto(f"{base}search.html?{params}")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"(\d+ results?.*|No results)\.$"))
    return page.eval_on_selector_all(
        "#search-results li", "els => els.map(e => [e.querySelector('a').textContent, "
                              "e.querySelector('.result-article').textContent])")


def test_search_finds_hits_in_several_articles_and_narrows_to_one(page: Page, collection_url, collection):
    doc = page_of(collection, "archive.html")
    busiest = max(doc.xpath('//li[starts-with(@id, "file-")]'), key=lambda li: len(li.xpath('./ul/li')))
    f = {k: busiest.get(f"data-{k}") for k in ("archive", "fond", "opis", "delo")}
    query = f"{f['archive']} f. {f['fond']} op. {f['opis']} d. {f['delo']}"
    found = results(page, collection_url, query)
    articles = {where.split(' · ')[0] for _, where in found}  # article · section · note N
    assert len(articles) >= 3
    first = busiest.xpath('./ul/li/a')[0]
    slug, label = first.get("href").split("/")[0], first.text_content()
    narrowed = results(page, collection_url, query, article=slug)
    assert narrowed and {where.split(" · ")[0] for _, where in narrowed} == {label}
    articles = page.locator('select[name="article"]')
    articles.focus()  # the list is filled when first opened: every article by its name, the chosen one too
    expect(articles.locator("option")).to_have_count(COLLECTION + 1)
    assert articles.evaluate("s => s.selectedOptions[0].text") == label
    page.locator("#search-results li > a").first.click()
    expect(page).to_have_url(re.compile(re.escape(collection_url + slug + "/")))


def test_the_landing_page_searches_the_collection_for_an_article(page: Page, collection_url, editions):
    slug, ed = next(iter(editions.items()))
    page.goto(collection_url)
    page.locator("#site-q").fill(ed.metadata.title)
    page.keyboard.press("Enter")
    first = page.locator("#search-results li").first
    expect(first.locator("a")).to_have_text(ed.metadata.title)
    expect(first.locator(".result-kind")).to_have_text("Article")
    first.locator("a").click()
    expect(page).to_have_url(collection_url + slug + "/")


def test_a_note_in_the_last_article_is_found_by_a_phrase_a_shelfmark_and_a_filter(page: Page, collection_url, editions):
    """One index for the whole collection: the last article's note, three ways, each result leading to it."""
    slug, ed = sorted(editions.items())[-1]
    others = " ".join(n.text for other, e in editions.items() if other != slug for n in e.notes)

    def phrases(text: str) -> list[str]:  # four plain words in a row, printed in no other article
        words = text.split()
        return [" ".join(words[i:i + 4]) for i in range(len(words) - 3)
                if all(re.fullmatch(r"[A-Za-z]+", w) for w in words[i:i + 4]) and " ".join(words[i:i + 4]) not in others]

    note = next(n for n in ed.notes if any(c.archive for c in n.citations) and phrases(n.text))
    a = next(c.archive for c in note.citations if c.archive)
    words = phrases(note.text)[0]
    label = f"{a.archive}, f. {a.fond}" + (f", op. {a.opis}" if a.opis else "") + f", d. {a.delo}"
    ways = {"phrase": (words, {}), "shelfmark": (label.replace(",", ""), {}),
            "filter": ("", {"kind": "Note", "file": label, "article": slug})}
    target = f"{collection_url}{slug}/#note-{note.n}"
    for way, (query, filters) in ways.items():
        found = results(page, collection_url, query, **filters)
        link = page.locator(f'#search-results li > a[href="{target}"]')
        while not link.count() and page.locator("#search-more").is_visible():  # as a reader reads on
            shown = page.locator("#search-results li").count()
            page.locator("#search-more").click()
            expect(page.locator("#search-results li")).not_to_have_count(shown)
        assert link.count() == 1 and link.text_content() == f"Note {note.n}", (way, query, found[:5])
        assert page.locator("#search-results li", has=page.locator(f'a[href="{target}"]')).locator(
            ".result-article").text_content().endswith(
            f"note {note.n}")
        link.click()
        expect(page).to_have_url(collection_url + f"{slug}/#note-{note.n}")
        expect(page.locator(f"#note-{note.n}")).to_be_in_viewport()


def test_the_index_is_fetched_while_a_word_is_typed_and_nothing_for_a_shelfmark(page: Page, collection_url, editions):
    """Pagefind's parts for a word come while the reader types it, so none is left to fetch once typing stops; a
    shelfmark, whose word is made whole only at the end, fetches nothing while typed; the results' fragments
    are those of the one search shown. (Keys that come slower than the page's pause start a search before the
    last: it may fetch what it needs, so the checks of what typing alone fetched are then left out.)"""
    ed = editions[sorted(editions)[-1]]
    surname = ed.metadata.authors[0].split()[-1]
    a = next(c.archive for n in ed.notes for c in n.citations if c.archive)
    shelfmark = f"{a.archive} f. {a.fond}" + (f" op. {a.opis}" if a.opis else "") + f" d. {a.delo}"
    for query, preloaded in ((surname, True), (shelfmark, False)):
        page.goto(collection_url + "search.html")
        page.wait_for_load_state("networkidle")
        page.evaluate("""() => new MutationObserver(() => { window.searched = true; })
                             .observe(document.getElementById('search-status'), { childList: true })""")
        fetched: list[str] = []

        def note(request, fetched=fetched):
            fetched.append(request.url.rsplit("/", 1)[-1])
        page.on("request", note)
        field = page.locator("#search-q")
        field.press_sequentially(query[:-1], delay=40)
        while_typing, searched = len(fetched), page.evaluate("window.searched === true")
        field.press_sequentially(query[-1])
        expect(page.locator("#search-results li").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.remove_listener("request", note)
        parts = [f.endswith(".pf_index") for f in fetched]
        if preloaded:
            assert any(parts[:while_typing]) and not any(parts[while_typing:]), (query, fetched)
        elif not searched:
            assert not any(parts[:while_typing]), (query, fetched)
        if not searched:
            assert 0 < sum(f.endswith(".pf_fragment") for f in fetched) <= 3, (query, fetched)


# --- the cache of built articles ------------------------------------------------------------------

def build(out: Path, seeds: list[Path], **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", *map(str, seeds), "--out", str(out)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, **env})


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_unchanged_articles_are_not_built_again_and_keep_their_pages(collection, tmp_path):
    out = tmp_path / "out"  # the collection's last build, copied; its seeds are where they were
    shutil.copytree(collection / "edition", out / "edition")
    shutil.copytree(collection / "site", out / "site")
    shutil.copytree(collection / "site.cache", out / "site.cache")
    seeds = sorted((collection / "seeds").glob("*.txt"))
    kept = seeds[0].stem
    before = files_of(out / "site" / kept)

    added = tmp_path / "added-article.txt"
    added.write_text(corpus.article(random.Random(99), corpus.make_pool(random.Random(99), 3), 1)[1],
                     encoding="utf-8")
    done = build(out, seeds + [added])
    assert done.returncode == 0, done.stderr
    assert f"{COLLECTION} of {COLLECTION + 1} article(s) unchanged" in done.stdout
    assert files_of(out / "site" / kept) == before, "an article's pages changed when another was added"
    assert "added-article/" in (out / "site" / "index.html").read_text(encoding="utf-8")

    changed = seeds[1] = Path(shutil.copy(seeds[1], tmp_path))
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("\nNotes\n", "\nA paragraph the editor added by hand.\n\nNotes\n"), encoding="utf-8")
    done = build(out, seeds + [added])
    assert f"{COLLECTION} of {COLLECTION + 1} article(s) unchanged" in done.stdout
    assert "A paragraph the editor added by hand." in (out / "site" / changed.stem / "index.html").read_text("utf-8")
    assert f"search index: {COLLECTION + 1} article(s) indexed (pagefind/)" in done.stdout  # one index, made again

    shutil.rmtree(out / "site.cache")  # safe to delete: everything is built again, to the same pages
    done = build(out, seeds + [added])
    assert done.returncode == 0 and "article(s) unchanged" not in done.stdout
    assert files_of(out / "site" / kept) == before
    assert f"search index: {COLLECTION + 1} article(s) as before (records unchanged) (pagefind/)" in done.stdout


# --- an indexer that hangs or fails ---------------------------------------------------------------

FAKES = {
    "hangs": "#!/bin/sh\necho $$ > {pids}\nsleep 600 &\necho $! >> {pids}\nwait\n",
    "fails": "#!/bin/sh\necho 'cannot read the records' >&2\nexit 3\n",
}


def stopped(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state  # exited, not yet reaped


@pytest.mark.parametrize("behaviour", sorted(FAKES))
def test_an_indexer_that_hangs_or_fails_stops_the_build_with_a_clear_error(tmp_path, behaviour):
    """EDITIO_PAGEFIND names the indexer, EDITIO_PAGEFIND_TIMEOUT its time limit: the build stops with
    one clear message and status 1, within seconds, and leaves the last site as it was."""
    seed, out = tmp_path / "article.txt", tmp_path / "out"
    shutil.copy(SMALL_SEED, seed)
    assert build(out, [seed]).returncode == 0
    last = files_of(out / "site")
    seed.write_text(seed.read_text(encoding="utf-8").replace("\nNotes\n", "\nAn added paragraph.\n\nNotes\n"),
                    encoding="utf-8")  # new records: the index must be made again
    fake, pids = tmp_path / "fake-pagefind", tmp_path / "pids"
    fake.write_text(FAKES[behaviour].format(pids=pids))
    fake.chmod(0o755)
    started = time.monotonic()
    done = build(out, [seed], EDITIO_PAGEFIND=str(fake), EDITIO_PAGEFIND_TIMEOUT="2")
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    expected = {
        "hangs": f"error: {fake}: Pagefind indexing 1 article(s) took longer than 2 s and was stopped; run the "
                 "build again; if it hangs again, report it (EDITIO_PAGEFIND_TIMEOUT sets the limit; "
                 "EDITIO_PAGEFIND the executable)",
        "fails": f"error: {fake}: Pagefind failed (exit status 3) (\"cannot read the records\"); check that the "
                 "pagefind package (with its binary) is installed: pip install 'pagefind[bin]'; or set "
                 "EDITIO_PAGEFIND"}[behaviour]
    assert done.stderr.splitlines() == [expected, "build failed: 1 problem(s); nothing was written"]
    assert "Traceback" not in done.stdout + done.stderr
    assert files_of(out / "site") == last
    assert sorted(p.name for p in out.iterdir()) == ["edition", "site", "site.cache"]
    if behaviour == "hangs":
        assert all(stopped(int(pid)) for pid in pids.read_text().split()), "the indexer was left running"


def test_a_time_limit_that_is_not_a_number_is_a_clear_error(tmp_path):
    done = build(tmp_path / "out", [SMALL_SEED], EDITIO_PAGEFIND_TIMEOUT="soon")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == ("error: EDITIO_PAGEFIND_TIMEOUT: not a number of seconds (\"soon\"); "
                                           "set it to a positive number, e.g. 120, or unset it")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["lots", "-1", "inf"])
def test_a_part_size_that_is_not_a_number_is_a_clear_error(tmp_path, value):
    done = build(tmp_path / "out", [SMALL_SEED], EDITIO_INDEX_PART_MB=value)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (f"error: EDITIO_INDEX_PART_MB: not a number of megabytes (\"{value}\"); "
                                           "set it to a number, e.g. 16 (0: index every article in one run), or "
                                           "unset it")
    assert not (tmp_path / "out").exists()
