"""Search indexes that Pagefind made in separate runs, merged into the index one run over all their pages
makes: the same words with the same locations, the same filters, the same chunks.

Pagefind holds everything it indexes in memory until it writes (about fifteen times the pages it reads), so a
large collection is indexed in parts (search.py) and the parts merged here. Nothing is re-read from the pages:
the parts' own word lists are combined. Their page numbers follow one another; a word's pages are delta-coded
in each part, so only the first page of each later part changes. The index's files are gzip'd CBOR (JSON for
the pages) after a signature, as Pagefind 1.5 writes them; anything else is refused, never guessed at.
"""
from __future__ import annotations

import concurrent.futures
import gzip
import hashlib
import heapq
import itertools
import json
import shutil
from pathlib import Path

import cbor2

from .problems import EditionError, Problem

SIGNATURE = b"pagefind_dcd"
FORMATS = ("1.5.",)
"""Pagefind versions whose index this reads (the version its pagefind.js and WebAssembly expect)."""
CHUNK = 20000
"""Locations in an index chunk before Pagefind starts another (its default index_chunk_size)."""
ENTRY = "pagefind-entry.json"


def merge(parts: list[Path], out: Path) -> None:
    """The indexes in parts (each a folder Pagefind wrote) as one index in out (a new or empty folder)."""
    entries = [json.loads((p / ENTRY).read_text(encoding="utf-8")) for p in parts]
    versions = sorted({str(e.get("version")) for e in entries})
    if len(versions) > 1:
        _refuse(parts[0], "the parts were made by different versions of Pagefind", ", ".join(versions))
    if not str(entries[0].get("version")).startswith(FORMATS):
        _refuse(parts[0] / ENTRY, f"only the index of Pagefind {', '.join(v + 'x' for v in FORMATS)} can be "
                "merged, and this version of Pagefind wrote it", str(entries[0].get("version")))
    out.mkdir(exist_ok=True)
    for sub in ("index", "fragment", "filter"):
        (out / sub).mkdir()
    for path in parts[0].iterdir():  # its scripts and WebAssembly, the same in every part
        if path.is_file() and path.name != ENTRY and path.suffix != ".pf_meta":
            shutil.copy2(path, out / path.name)
    entry = dict(entries[0], languages={})
    for language in sorted({lang for e in entries for lang in e["languages"]}):
        having = [(p, e["languages"][language]) for p, e in zip(parts, entries) if language in e["languages"]]
        meta_hash, pages = _merge_language(language, [(p, info["hash"]) for p, info in having], out)
        entry["languages"][language] = dict(having[0][1], hash=meta_hash, page_count=pages)
    (out / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _merge_language(language: str, parts: list[tuple[Path, str]], out: Path) -> tuple[str, int]:
    """One language's index merged from its parts ((folder, meta hash)); (the new meta hash, pages)."""
    metas = [_read(folder / f"pagefind.{h}.pf_meta") for folder, h in parts]
    for (folder, h), meta in zip(parts, metas):
        if not (isinstance(meta, list) and len(meta) == 6 and all(isinstance(m, list) for m in meta[1:])):
            _refuse(folder / f"pagefind.{h}.pf_meta", "its metadata is not laid out as Pagefind 1.5 lays it out")
        if meta[4]:
            _refuse(folder / f"pagefind.{h}.pf_meta", "it sorts its pages, which a merge cannot keep")
    fields = sorted({f for meta in metas for f in meta[5]})
    offsets = list(itertools.accumulate((len(m[1]) for m in metas[:-1]), initial=0))
    taken: set[str] = set()
    pages = []
    for (folder, _), meta in zip(parts, metas):
        for page in meta[1]:
            data = (folder / "fragment" / f"{page[0]}.pf_fragment").read_bytes()
            name = _name(taken, language, page[0], data)
            (out / "fragment" / f"{name}.pf_fragment").write_bytes(data)
            pages.append([name, *page[1:]])
    fields_of = [[fields.index(f) for f in meta[5]] for meta in metas]
    words = heapq.merge(*(_words(i, folder, meta) for i, ((folder, _), meta) in enumerate(zip(parts, metas))))
    # Compressing a chunk (zlib lets go of the interpreter) goes on while the next is put together.
    with concurrent.futures.ThreadPoolExecutor(1) as writer:
        chunks = _write_chunks(language, out, (
            _combine([(offsets[i], fields_of[i], w) for _, i, w in group])
            for _, group in itertools.groupby(words, key=lambda t: t[0])), writer)
    filters = _merge_filters(language, out, [(folder, meta, offset) for (folder, _), meta, offset
                                             in zip(parts, metas, offsets)])
    return _write_meta(language, out, [metas[0][0], pages, chunks, filters, [], fields]), len(pages)


def _write_meta(language: str, out: Path, meta: list) -> str:
    """The language's meta written into out under the name Pagefind gives it (from its digest); that name's hash."""
    data = cbor2.dumps(meta)
    meta_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:len(language) + 8]}"
    (out / f"pagefind.{meta_hash}.pf_meta").write_bytes(_pack(data))
    return meta_hash


HIGHEST = "\U0010ffff"
"""The highest character there is: a bound below which every word beginning as it does sorts."""


def meeting(chunks: list[list[str]]) -> list[list[str]]:
    """The meta's chunks ([from, to, hash]) with bounds that cover every word there is, each in one chunk: each
    `to` just below the next chunk's `from` (that `from` with its last character one lower, then HIGHEST), the
    first `from` the empty word, the last `to` HIGHEST."""
    out = [list(c) for c in chunks]
    for before, after in itertools.pairwise(out):
        below = ord(after[0][-1]) - 1 if after[0] else -1
        if below >= 0:
            below = 0xD7FF if 0xD800 <= below <= 0xDFFF else below  # no surrogate: UTF-8 cannot hold one
            before[1] = f"{after[0][:-1]}{chr(below)}{HIGHEST}"
    if out:
        out[0][0], out[-1][1] = "", HIGHEST
    return out


def meet_bounds(index: Path) -> None:
    """The chunks' bounds in the index's meta made to meet (meeting). Pagefind fetches for a word of a query the
    chunk whose bounds hold it (from <= word <= to) and, when none does, the first whose bounds, cut to the word's
    length, do: a word that sorts after the last word of its chunk, as a plural sorts after the stem the index
    holds ('instructors' after 'instructor'), then fetched the chunk ending with 'in' (the commonest words, 215 KB
    at 1,000 articles). With bounds that meet, each word of the index is still found in the one chunk that holds
    it, and any other word in the chunk where it would stand. An index of another Pagefind than FORMATS is left
    as it is."""
    entry = json.loads((index / ENTRY).read_text(encoding="utf-8"))
    if not str(entry.get("version")).startswith(FORMATS):
        return
    for language, info in entry["languages"].items():
        path = index / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(path)
        if not (isinstance(meta, list) and len(meta) == 6 and isinstance(meta[2], list)):
            return
        meta[2] = meeting(meta[2])
        info["hash"] = _write_meta(language, index, meta)
        if index / f"pagefind.{info['hash']}.pf_meta" != path:
            path.unlink()
    (index / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _words(part: int, folder: Path, meta):
    """A part's words in order, each (word, part, [word, pages, variants]), from each of its chunks in turn."""
    for chunk in meta[2]:
        for word in _read(folder / "index" / f"{chunk[2]}.pf_index")[0]:
            yield word[0], part, word


def _combine(found: list[tuple[int, list[int], list]]) -> list:
    """One word from the parts holding it ((page offset, meta field map, [word, pages, variants])) as the
    word of the merged index."""
    variants: dict[str, list] = {}
    for offset, fields, word in found:
        for form, pages in word[2]:
            variants.setdefault(form, []).append((offset, fields, pages))
    return [found[0][2][0], _pages([(offset, fields, word[1]) for offset, fields, word in found]),
            [[form, _pages(lists)] for form, lists in variants.items()]]


def _pages(lists: list[tuple[int, list[int], list]]) -> list:
    """Delta-coded pages ([page delta, locations, meta locations]) of the parts, one list: the first page of
    each part moved by the pages before it, the fields of meta locations renumbered."""
    out, last = [], 0
    for offset, fields, pages in lists:
        if not pages:
            continue
        if fields != list(range(len(fields))):
            pages = [[p[0], p[1], _renumber(p[2], fields)] for p in pages]
        out.append([pages[0][0] + offset - last, *pages[0][1:]])
        out.extend(pages[1:])
        last = offset + sum(p[0] for p in pages)
    return out


def _renumber(locations: list[int], fields: list[int]) -> list[int]:
    """Meta locations ([-(field + 1), delta, …, -(field + 1), …]) with their fields renumbered (in order)."""
    groups, field = {}, None
    for n in locations:
        if n < 0:
            field = fields[-n - 1]
            groups[field] = [-field - 1]
        else:
            groups[field].append(n)
    return [n for f in sorted(groups) for n in groups[f]]


def _write_chunks(language: str, out: Path, words, writer) -> list[list[str]]:
    """The words written in chunks of CHUNK locations as Pagefind 1.5 cuts them (counting a page of a word
    as its locations and one, and not the pages of the word's other forms); the meta's [from, to, hash] of
    each, from and to shortened to where neighbouring chunks differ, as Pagefind does. writer (an executor)
    compresses and writes them."""
    chunks, chunk, size, taken, pending = [], [], 0, set(), []

    def write():
        data = cbor2.dumps([chunk])
        name = _name(taken, language, hashlib.sha256(data).hexdigest(), data)
        pending.append(writer.submit(_store, out / "index" / f"{name}.pf_index", data))
        chunks.append([chunk[0][0], chunk[-1][0], name])

    for word in words:
        size += sum(len(p[1]) + len(p[2]) + 1 for p in word[1])
        chunk.append(word)
        if size >= CHUNK:
            write()
            chunk, size = [], 0
    if chunk:
        write()
    for done in pending:
        done.result()  # a file that could not be written fails the merge
    for before, after in itertools.pairwise(chunks):
        common = len(list(itertools.takewhile(lambda ab: ab[0] == ab[1], zip(after[0], before[1]))))
        if before[1][:common + 1] >= before[0]:
            before[1] = before[1][:common + 1]
        after[0] = after[0][:common + 1]
    return chunks


def _merge_filters(language: str, out: Path, parts) -> list[list[str]]:
    """Each filter's values with the pages having them, across the parts; the meta's [filter, hash] of each."""
    values: dict[str, dict[str, list[int]]] = {}
    for folder, meta, offset in parts:
        for name, h in meta[3]:
            filter_name, listed = _read(folder / "filter" / f"{h}.pf_filter")
            for value, pages in listed:
                values.setdefault(filter_name, {}).setdefault(value, []).extend(p + offset for p in pages)
    taken: set[str] = set()
    filters = []
    for name, listed in values.items():
        data = cbor2.dumps([name, [[v, listed[v]] for v in sorted(listed)]])
        h = _name(taken, language, hashlib.sha256(data).hexdigest(), data)
        (out / "filter" / f"{h}.pf_filter").write_bytes(_pack(data))
        filters.append([name, h])
    return filters


def _name(taken: set[str], language: str, digest: str, data: bytes) -> str:
    """A file's name: the language and the first seven characters of its digest (as Pagefind names them),
    more of a longer digest when another file of the index already has that name."""
    name = digest if digest.startswith(f"{language}_") else f"{language}_{digest[:7]}"
    if name in taken:
        full = hashlib.sha256(data).hexdigest()
        name = next(f"{language}_{full[:n]}" for n in range(8, 65) if f"{language}_{full[:n]}" not in taken)
    taken.add(name)
    return name


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        _refuse(path, "it does not begin as Pagefind's index files do")
    return cbor2.loads(data[len(SIGNATURE):])


def _store(path: Path, data: bytes) -> None:
    path.write_bytes(_pack(data))


def _pack(data: bytes) -> bytes:
    return gzip.compress(SIGNATURE + data, mtime=0, compresslevel=6)


def _refuse(path: Path, why: str, value: str = ""):
    raise EditionError([Problem(str(path), 0, f"the search index's parts cannot be merged: {why}", value,
                                "install the pagefind package the project names (make setup), or set "
                                "EDITIO_INDEX_PART_MB=0 to index every article in one run")])
