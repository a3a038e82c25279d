"""A search index made in several Pagefind runs and merged (editio/search_merge.py) is the index one run over
the same pages makes: every word with the same locations on the same pages, the same pages with the same
contents and lengths, the same filters, the same chunks. The collection the browser tests search is built in
parts (conftest: EDITIO_INDEX_PART_MB), so its searches go through a merged index too."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest
from conftest import COLLECTION, PROJECT, served
from playwright.sync_api import Page

from editio import search_merge
from editio.problems import EditionError

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>
<main data-pagefind-body>{meta}
<span hidden data-pagefind-filter="kind">{kind}</span>
<section><h2 id="R~a">{title}</h2><p>{text}</p></section>
<section><h2 id="N~b">Note</h2><p>{note}</p></section>
</main></body></html>"""

# Words in several pages and in one; diacritics (a word's other forms are kept apart in the index); a meta
# field only some pages have (its number in the merged index differs from the part's); enough text for
# several chunks.
PAGES = [dict(title=f"Page {i}", kind=("Note", "Text", "Archive")[i % 3],
              meta=f'<span hidden data-pagefind-meta="place">Kazań {i}</span>' if i % 4 == 1 else "",
              text=" ".join(f"word{(i * 7 + j) % 900} café cafe Łódź" for j in range(1500)),
              note=f"only{i} the regional bureau f{i}op2d{i * 11}")
         for i in range(12)]


def pagefind() -> str:
    from pagefind_bin import get_executable
    return str(get_executable())


def index(pages: list[Path], out: Path) -> Path:
    site = out.with_name(out.name + "-site")
    site.mkdir()
    for page in pages:
        shutil.copy(page, site / page.name)
    subprocess.run([pagefind(), "--site", str(site), "--glob", "*.html", "--force-language", "en",
                    "--output-path", str(out), "--quiet"], check=True, timeout=120, capture_output=True)
    return out


def unpacked(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(b"pagefind_dcd")
    return data[len(b"pagefind_dcd"):]


def contents(folder: Path) -> dict:
    """Everything an index says, by page address instead of page number and file name."""
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    out = {"version": entry["version"]}
    for language, info in entry["languages"].items():
        version, pages, chunks, filters, sorts, fields = cbor2.loads(unpacked(folder / f"pagefind.{info['hash']}.pf_meta"))
        fragments = [json.loads(unpacked(folder / "fragment" / f"{h}.pf_fragment")) for h, _ in pages]
        urls = [f["url"] for f in fragments]

        def by_url(packed, urls=urls):
            at, found = 0, {}
            for page in packed:
                at += page[0]
                found[urls[at]] = page[1:]
            return found

        words = {}
        for _, _, h in chunks:
            for word, packed, variants in cbor2.loads(unpacked(folder / "index" / f"{h}.pf_index"))[0]:
                words[word] = (by_url(packed), {form: by_url(p) for form, p in variants})
        filtered = {}
        for _, h in filters:
            name, values = cbor2.loads(unpacked(folder / "filter" / f"{h}.pf_filter"))
            filtered[name] = {value: sorted(urls[p] for p in on) for value, on in values}
        out[language] = {
            "pages": {f["url"]: (f, count) for f, (_, count) in zip(fragments, pages)},
            "page_count": info["page_count"], "words": words, "filters": filtered, "sorts": sorts,
            "chunks": [(start, end, len(cbor2.loads(unpacked(folder / "index" / f"{h}.pf_index"))[0]))
                       for start, end, h in chunks],
            "fields": fields, "version": version}
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("pages")
    for i, page in enumerate(PAGES):
        (folder / f"p{i:02}.html").write_text(PAGE.format(**page), encoding="utf-8")
    return sorted(folder.iterdir())


def test_an_index_merged_from_parts_is_the_index_of_one_run(pages, tmp_path):
    whole = index(pages, tmp_path / "whole")
    parts = [index(pages[i:i + 5], tmp_path / f"part{i}") for i in range(0, len(pages), 5)]
    search_merge.merge(parts, tmp_path / "merged")
    merged, expected = contents(tmp_path / "merged"), contents(whole)
    assert merged == expected
    en = expected["en"]
    assert len(en["chunks"]) >= 3 and en["page_count"] == len(PAGES)
    assert "place" in en["fields"] and any(variants for _, variants in en["words"].values())
    names = lambda folder: sorted(p.name for p in folder.iterdir() if p.suffix != ".pf_meta")
    assert names(tmp_path / "merged") == names(whole)  # the scripts and WebAssembly of the runs


def test_the_collection_was_indexed_in_parts_and_is_the_index_of_one_run(collection, tmp_path):
    log = (collection / "build.log").read_text(encoding="utf-8")
    assert f"search index: {COLLECTION} article(s) indexed in " in log and " parts, merged (pagefind/)" in log
    records = sorted((collection / "site.cache").glob("*/site/.records/*.html"))
    assert len(records) == COLLECTION
    whole = index(records, tmp_path / "whole")
    search_merge.meet_bounds(whole)  # as the build leaves every index it makes (test below)
    assert contents(collection / "site" / "pagefind") == contents(whole)


def chunk_for(chunks: list, term: str) -> int | None:
    """The chunk Pagefind 1.5 fetches for a word of a query (pagefind_web's request_indexes): the first whose
    bounds hold it; failing that, the first whose bounds, cut to the word's length, do."""
    held = next((i for i, (start, end, _) in enumerate(chunks) if start <= term <= end), None)
    if held is not None:
        return held
    return next((i for i, (start, end, _) in enumerate(chunks)
                 if term[:len(start)] >= start[:len(term)] and term[:len(end)] <= end[:len(term)]), None)


def test_chunk_bounds_meet_so_that_a_word_after_a_chunks_last_finds_that_chunk(pages, tmp_path):
    """An inflected word sorts after the stem the index holds ('instructors' after 'instructor'); with
    Pagefind's own bounds it fell outside every chunk and Pagefind fetched the first chunk whose shortened
    bounds begin it (at 1,000 articles the 215 KB chunk ending with 'in'). With bounds that meet, it finds the
    chunk where it stands, every indexed word still finds its own, and nothing else in the index changes."""
    whole = index(pages, tmp_path / "whole")
    before = contents(whole)
    search_merge.meet_bounds(whole)
    after = contents(whole)
    chunks = after["en"]["chunks"]
    assert len(chunks) >= 3
    assert [c[2] for c in chunks] == [c[2] for c in before["en"]["chunks"]]
    assert {**after["en"], "chunks": None} == {**before["en"], "chunks": None}
    held = {w: i for i, words in enumerate(json_chunks(whole)) for w in words}
    assert all(chunk_for(chunks, word) == i for word, i in held.items())
    for i, (start, end, _) in enumerate(chunks[:-1]):
        assert end < chunks[i + 1][0]
        last = max(w for w, at in held.items() if at == i)
        assert chunk_for(chunks, last + "s") == i
    assert len(list(whole.glob("*.pf_meta"))) == 1


def test_a_plural_no_longer_fetches_the_chunk_of_a_short_common_word():
    """The bounds Pagefind wrote around 'instructor' at 1,000 articles: 'instructors' fetched the chunk ending
    with 'in' (215 KB); with the bounds met, the chunk of 'instructor' (53 KB)."""
    chunks = [["ig", "in", "a"], ["ind", "inspect", "b"], ["inspecto", "instructor", "c"], ["int", "it", "d"]]
    assert chunk_for(chunks, "instructors") == 0
    met = search_merge.meeting(chunks)
    assert chunk_for(met, "instructors") == 2 and chunk_for(met, "instructor") == 2
    assert [chunk_for(met, w) for w in ("ig", "in", "inactive", "ind", "inspect", "inspecto", "int", "it")] == \
        [0, 0, 0, 1, 1, 2, 3, 3]
    assert met == [["", "inc\U0010ffff", "a"], ["ind", "inspectn\U0010ffff", "b"], ["inspecto", "ins\U0010ffff", "c"],
                   ["int", "\U0010ffff", "d"]]
    assert chunk_for(met, "a") == 0 and chunk_for(met, "zebra") == 3


def test_pagefind_fetches_for_a_plural_the_chunk_of_its_stem_and_not_that_of_a_common_word(page: Page, tmp_path):
    """Pagefind itself (its WebAssembly, in Chromium), on pages where 'in' and 'instructor' each end a chunk: for
    'instructors' it fetched the chunk ending with 'in' (found by no bound, the word fell back on the first chunk
    whose bounds begin it); once the bounds meet, the chunk of 'instructor'."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(12):
        text = "ignorance " + "in " * 2100 + "instructor " * 2100
        (folder / f"p{i:02}.html").write_text(PAGE.format(title=f"Page {i}", kind="Text", meta="", text=text,
                                                          note="a note"), encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    index(sorted(folder.iterdir()), site / "pagefind")
    words = json_chunks(site / "pagefind")
    common, stem = (next(i for i, chunk in enumerate(words) if chunk[-1] == w) for w in ("in", "instructor"))
    assert common < stem

    def fetched_for(term: str) -> list[int]:
        hashes = [h for _, _, h in cbor2.loads(unpacked(site / "pagefind" / next(
            (site / "pagefind").glob("*.pf_meta")).name))[2]]
        with served(site) as url:
            page.goto(url + "pagefind/pagefind-entry.json")
            with page.expect_request(lambda r: r.url.endswith(".pf_index")) as first:
                page.evaluate("""async (term) => {
                    const pf = await import(new URL("pagefind.js", location.href).href);
                    await pf.preload(term); }""", term)
            page.wait_for_load_state("networkidle")
            asked = [first.value.url] + page.evaluate(
                "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.pf_index'))")
        return sorted({hashes.index(u.rsplit("/", 1)[-1].removesuffix(".pf_index")) for u in asked})

    assert fetched_for("instructors") == [common]
    search_merge.meet_bounds(site / "pagefind")
    assert fetched_for("instructors") == [stem]


def json_chunks(folder: Path) -> list[list[str]]:
    """The words of each chunk of the index in folder, in order."""
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = cbor2.loads(unpacked(folder / f"pagefind.{entry['languages']['en']['hash']}.pf_meta"))
    return [[w[0] for w in cbor2.loads(unpacked(folder / "index" / f"{h}.pf_index"))[0]] for _, _, h in meta[2]]


def test_parts_from_another_pagefind_are_refused(pages, tmp_path):
    parts = [index(pages[:6], tmp_path / "a"), index(pages[6:], tmp_path / "b")]
    entry = parts[1] / "pagefind-entry.json"
    entry.write_text(entry.read_text(encoding="utf-8").replace('"version":"1.5.', '"version":"1.9.'))
    with pytest.raises(EditionError) as refused:
        search_merge.merge(parts, tmp_path / "merged")
    version = json.loads((parts[0] / "pagefind-entry.json").read_text())["version"]
    assert str(refused.value.problems[0]) == (
        f"{parts[0]}: the search index's parts cannot be merged: the parts were made by different versions of "
        f"Pagefind (\"{version}, {version.replace('1.5.', '1.9.')}\"); install the pagefind package the project "
        "names (make setup), or set EDITIO_INDEX_PART_MB=0 to index every article in one run")
    (parts[0] / "pagefind-entry.json").write_text(entry.read_text(encoding="utf-8"))
    with pytest.raises(EditionError) as refused:
        search_merge.merge(parts, tmp_path / "merged2")
    assert str(refused.value.problems[0]).startswith(
        f"{parts[0] / 'pagefind-entry.json'}: the search index's parts cannot be merged: only the index of Pagefind "
        f"1.5.x can be merged, and this version of Pagefind wrote it (\"{version.replace('1.5.', '1.9.')}\"); ")


def test_a_changed_article_makes_only_its_part_again(collection, tmp_path):
    """Each part's index is kept in the cache of built articles: a change in one article runs Pagefind on its
    part only, and the merge gives the index of one run over the new records."""
    out = tmp_path / "out"  # the collection's last build, copied; its seeds are where they were
    for folder in ("edition", "site", "site.cache"):
        shutil.copytree(collection / folder, out / folder)
    parts = out / "site.cache" / ".index-parts"
    before = {p.name: p.stat().st_mtime_ns for p in parts.iterdir()}
    seeds = sorted((collection / "seeds").glob("*.txt"))
    changed = seeds[-1] = Path(shutil.copy(seeds[-1], tmp_path))
    changed.write_text(changed.read_text(encoding="utf-8").replace(
        "\nNotes\n", "\nA paragraph the editor added by hand.\n\nNotes\n"), encoding="utf-8")
    done = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", *map(str, seeds), "--out", str(out)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "EDITIO_INDEX_PART_MB": "1"})
    assert done.returncode == 0, done.stderr
    after = {p.name: p.stat().st_mtime_ns for p in parts.iterdir()}
    assert len(before) == len(after) > 1
    assert len(set(after) - set(before)) == 1, "one part made again"
    assert all(after[name] == before[name] for name in set(after) & set(before)), "the others kept as they were"
    records = sorted((out / "site.cache").glob("*/site/.records/*.html"))
    whole = index(records, tmp_path / "whole")
    search_merge.meet_bounds(whole)
    assert contents(out / "site" / "pagefind") == contents(whole)
    assert "A paragraph the editor added by hand." in json.dumps(contents(out / "site" / "pagefind"),
                                                                 ensure_ascii=False)


def test_parts_that_cannot_be_kept_are_a_clear_error_and_the_site_stays(collection, tmp_path):
    out = tmp_path / "out"
    for folder in ("edition", "site", "site.cache"):
        shutil.copytree(collection / folder, out / folder)
    parts = out / "site.cache" / ".index-parts"
    shutil.rmtree(parts)
    parts.write_text("not a folder")  # what a full disk or a read-only folder does, as root can see it
    site = {p: p.read_bytes() for p in (out / "site").rglob("*") if p.is_file()}
    seeds = sorted((collection / "seeds").glob("*.txt"))
    changed = seeds[0] = Path(shutil.copy(seeds[0], tmp_path))
    changed.write_text(changed.read_text(encoding="utf-8").replace("\nNotes\n", "\nAn added paragraph.\n\nNotes\n"),
                       encoding="utf-8")
    done = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", *map(str, seeds), "--out", str(out)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "EDITIO_INDEX_PART_MB": "1"})
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: {parts}: cannot write the search index (\"File exists\"); check the folder's permissions and free "
        "space; the site is as it was", "build failed: 1 problem(s); nothing was written"]
    assert {p: p.read_bytes() for p in (out / "site").rglob("*") if p.is_file()} == site
