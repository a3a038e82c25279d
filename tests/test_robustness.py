"""Robustness: the real seed, damaged at random, never breaks extraction or linking; a build that fails
part-way changes nothing on disk.

Property-based (hypothesis): each strategy mutates the real seed one way (lines deleted, duplicated or
swapped; note markers removed or renumbered; stray bytes inserted; truncation; the 'Notes' and
'References' headings deleted or duplicated; whitespace), and one combines several. Whatever the
mutation, extraction either succeeds, and then the edition keeps its invariants and the link stage
runs cleanly on it, or fails with an EditionError whose every problem says where, what and what to
do. Any other exception, a broken invariant, or an extraction that does not finish within TIME_BOUND
is a bug: the mutated seed hypothesis reports is saved under MUTANT_DIR and its path added to the failure.

How many mutated seeds each property tried, how many extracted and how many failed with a clear error
is printed when the module finishes (whatever -s says) and written to MUTANT_DIR/counts.json.

Then builds of the real seed that fail after the site was staged (the search index stage fails or
crashes) or while committing (a YAML file cannot be written, the staged site cannot be renamed into
place) must leave the last good site and edition/ byte for byte as they were, with nothing left beside them.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import build
from conftest import PROJECT, SEED
from editio import publish, search
from editio.extract import extract
from editio.link import link
from editio.problems import EditionError, Problem
from editio.textrules import SUPERSCRIPTS

SEED_BYTES = SEED.read_bytes()
LABEL = "mutant.txt"
TIME_BOUND = 10.0
"""Seconds one extraction (and linking) may take; it normally takes a fifth of a second."""
MUTANT_DIR = Path(tempfile.gettempdir()) / "editio-robustness"

EXAMPLES = {"delete-lines": 60, "duplicate-lines": 50, "swap-lines": 50, "markers": 50, "stray-bytes": 100,
            "truncate": 100, "headings": 60, "whitespace": 40, "combined": 100}
"""Examples per property, for about 65 s in all on two cores: an extraction and its linking take a
quarter of a second, a seed that fails (most stray bytes and truncations) a few milliseconds.
Whitespace has few distinct mutations, so it gets fewer examples."""
SETTINGS = settings(deadline=None, derandomize=True, database=None, print_blob=False,
                    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
"""deadline=None: a slow example is caught by TIME_BOUND instead, which also interrupts a hang and does
not fail on a machine that is merely busy. derandomize: the same examples on every run. No explain
phase: it re-runs failures under a tracer for a hint that says little here and doubles the time of a
failing run."""

HEADINGS = (b"notes", b"references")


# --- mutations ---------------------------------------------------------------
# Each takes hypothesis's draw and the seed as it stands (bytes), and returns what it did (for the
# failure message) and the mutated seed. Lines are split on b"\n" and joined back unchanged.

def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _hot(lines: list[bytes]) -> list[int]:
    """Indices where damage matters most: the two headings, the first and the last lines."""
    return [i for i, ln in enumerate(lines) if ln.strip().rstrip(b":").lower() in HEADINGS] + [0, len(lines) - 1]


def _index(draw, lines: list[bytes]) -> int:
    """A line index: anywhere, or near one of the headings (where a line's loss changes the most)."""
    n = len(lines)
    if draw(st.booleans()):
        return min(max(draw(st.sampled_from(_hot(lines))) + draw(st.integers(-3, 3)), 0), n - 1)
    return draw(st.integers(0, n - 1))


def delete_lines(draw, data):
    lines = _lines(data)
    i = _index(draw, lines)
    size = draw(st.one_of(st.just(1), st.integers(1, 40)))
    del lines[i:i + size]
    return f"delete lines {i + 1}-{i + size}", b"\n".join(lines)


def duplicate_lines(draw, data):
    lines = _lines(data)
    i = _index(draw, lines)
    size = draw(st.integers(1, 5))
    where = i + size if draw(st.booleans()) else _index(draw, lines)
    lines[where:where] = lines[i:i + size]
    return f"copy lines {i + 1}-{i + size} to before line {where + 1}", b"\n".join(lines)


def swap_lines(draw, data):
    lines = _lines(data)
    i, j = _index(draw, lines), _index(draw, lines)
    lines[i], lines[j] = lines[j], lines[i]
    return f"swap lines {i + 1} and {j + 1}", b"\n".join(lines)


SUPERSCRIPT = re.compile(rf" ?[{SUPERSCRIPTS}]+")
PLAIN = re.compile(r"(?<=[.,;:!?'’\"”)\]]) ?\d{1,3}(?=\s|$)", re.M)
NOTE_NUMBER = re.compile(r"^(?:[-–•*] )?(\d{1,3})[.)] ", re.M)
TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPTS)
FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPTS, "0123456789")


def _targets(text: str) -> list[tuple[int, int, str]]:
    """(start, end, form) of every note marker in the text before the notes, and of every note's number."""
    notes = re.search(r"^\s*notes:?\s*$", text, re.M | re.I)
    body_end = notes.start() if notes else len(text)
    found = [(m.start(), m.end(), "superscript") for m in SUPERSCRIPT.finditer(text, 0, body_end)]
    found += [(m.start(), m.end(), "plain") for m in PLAIN.finditer(text, 0, body_end)]
    found += [(m.start(1), m.end(1), "note-number") for m in NOTE_NUMBER.finditer(text, body_end)]
    return sorted(found)


def _renumber(draw, value: int) -> int:
    how = draw(st.sampled_from(["near", "digit", "any"]))
    if how == "near":
        return max(0, value + draw(st.integers(-3, 3)))
    if how == "digit":  # one digit misread: the case the extractor repairs
        digits = list(str(value))
        digits[draw(st.integers(0, len(digits) - 1))] = str(draw(st.integers(0, 9)))
        return int("".join(digits))
    return draw(st.integers(0, 999))


def markers(draw, data):
    """Markers removed or renumbered: superscript digits, ' 14' after punctuation, the notes' own numbers."""
    text = data.decode("utf-8", "surrogateescape")
    targets = _targets(text)
    if not targets:
        return "no marker left to damage", data
    chosen = sorted({draw(st.integers(0, len(targets) - 1)) for _ in range(draw(st.integers(1, 4)))}, reverse=True)
    done = []
    for k in chosen:
        start, end, form = targets[k]
        old = text[start:end]
        if draw(st.booleans()):
            new = ""
            if form == "note-number":  # '- 14. Text' -> '- Text'
                end += 2
        else:
            space = " " if old.startswith(" ") else ""
            value = _renumber(draw, int(old.strip().translate(FROM_SUPERSCRIPT)))
            new = space + (str(value).translate(TO_SUPERSCRIPT) if form == "superscript" else str(value))
        done.append(f"{form} {old!r} at char {start} -> {new!r}")
        text = text[:start] + new + text[end:]
    return "; ".join(done), text.encode("utf-8", "surrogateescape")


STRAY_VALID = ["\r", "\r\n", "\n", "\n\n", "\ufeff", "\x0c", "\x0b", "\x1c", "\x1e", "\x1b[0m", "\t", "\x85",
               "\u2028", "\u2029", "\u200b", "\u00a0", "¹", "⁴⁷", " 7", "—", "- 3. ", "Notes\n", "\nReferences\n"]
STRAY_INVALID = [b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xc0\x80", b"\x80", b"\xef\xbb\xbf\xbf"]
"""UTF-8 the seed may hold (control and separator characters, a BOM mid-text, stray markers and headings),
and bytes it must not (NUL, invalid or overlong sequences, lone surrogates)."""


def stray_bytes(draw, data):
    """Bytes inserted anywhere (inside a UTF-8 sequence too): the characters and bytes above, or noise."""
    done = []
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        chunk = draw(st.one_of(st.sampled_from([c.encode() for c in STRAY_VALID]), st.sampled_from(STRAY_INVALID),
                               st.binary(min_size=1, max_size=6)))
        data = data[:at] + chunk + data[at:]
        done.append(f"insert {chunk!r} at byte {at}")
    return "; ".join(done), data


def truncate(draw, data):
    """Cut at any byte offset (often inside a UTF-8 sequence), or somewhere in the bibliography."""
    refs = data.find(b"\nReferences")
    cut = draw(st.integers(0, len(data)) if refs < 0 else
               st.one_of(st.integers(0, len(data)), st.integers(refs, len(data))))
    return f"truncate at byte {cut} of {len(data)}", data[:cut]


def headings(draw, data):
    """'Notes' or 'References' deleted, duplicated in place, copied or moved elsewhere."""
    lines = _lines(data)
    name = draw(st.sampled_from(HEADINGS))
    at = [i for i, ln in enumerate(lines) if ln.strip().rstrip(b":").lower() == name]
    action = draw(st.sampled_from(["delete", "duplicate", "copy", "move"]))
    if not at:
        return f"no {name.decode()!r} heading to {action}", data
    i = draw(st.sampled_from(at))
    line = lines[i]
    if action == "delete":
        del lines[i]
        return f"delete heading line {i + 1}", b"\n".join(lines)
    if action == "duplicate":
        lines[i:i] = [line, b""] if draw(st.booleans()) else [line]
        return f"duplicate heading line {i + 1} in place", b"\n".join(lines)
    j = _index(draw, lines)
    if action == "move":
        del lines[i]
        j = min(j, len(lines))
    lines[j:j] = [line]
    return f"{action} heading line {i + 1} to before line {j + 1}", b"\n".join(lines)


WHITESPACE = ["crlf", "cr", "trailing", "leading", "drop-blank", "add-blank", "no-final-newline", "tabs"]


def whitespace(draw, data):
    """CRLF or CR line ends, trailing or leading spaces, blank lines removed or added (all lines or every
    k-th), the final newline dropped, tabs for spaces."""
    action = draw(st.sampled_from(WHITESPACE))
    lines = _lines(data)
    step, first = draw(st.integers(1, 9)), draw(st.integers(0, 8))
    some = [i for i in range(len(lines)) if i >= first and (i - first) % step == 0]
    what = f"{action} on every {step}th line from line {first + 1}"
    if action == "crlf":
        for i in some:
            lines[i] += b"\r"
    elif action == "cr":
        return f"{action} (every line)", data.replace(b"\n", b"\r")
    elif action == "trailing":
        pad = draw(st.sampled_from([b" ", b"  ", b"\t", b" \t ", b"\xc2\xa0"]))
        for i in some:
            lines[i] += pad
    elif action == "leading":
        for i in some:
            lines[i] = b"  " + lines[i]
    elif action == "drop-blank":
        drop = {i for i in some if not lines[i].strip()}
        lines = [ln for i, ln in enumerate(lines) if i not in drop]
    elif action == "add-blank":
        for i in reversed(some):
            lines.insert(i, b"")
    elif action == "no-final-newline":
        return action, data.rstrip(b"\n")
    elif action == "tabs":
        for i in some:
            lines[i] = lines[i].replace(b" ", b"\t", draw(st.integers(1, 5)))
    return what, b"\n".join(lines)


MUTATIONS = {
    "delete-lines": delete_lines,
    "duplicate-lines": duplicate_lines,
    "swap-lines": swap_lines,
    "markers": markers,
    "stray-bytes": stray_bytes,
    "truncate": truncate,
    "headings": headings,
    "whitespace": whitespace,
}


class Mutant:
    """A mutated seed; shown by what was done to it (its bytes are too long to print)."""

    __slots__ = ("ops", "data")

    def __init__(self, ops: tuple[str, ...], data: bytes):
        self.ops, self.data = ops, data

    def __repr__(self):
        return f"Mutant({len(self.data)} bytes, sha256 {hashlib.sha256(self.data).hexdigest()[:12]}: {list(self.ops)})"

    def _repr_pretty_(self, printer, cycle):  # how hypothesis prints a failing example
        printer.text(repr(self))


@st.composite
def mutants(draw, kinds: tuple[str, ...], most: int):
    data, ops = SEED_BYTES, []
    for _ in range(draw(st.integers(1, most))):
        kind = draw(st.sampled_from(kinds))
        what, data = MUTATIONS[kind](draw, data)
        ops.append(f"{kind}: {what}")
    return Mutant(tuple(ops), data)


# --- what must hold -----------------------------------------------------------

COUNTS: dict[str, Counter] = defaultdict(Counter)
SEEN: dict[str, set[str]] = defaultdict(set)
ERRORS: Counter = Counter()
SLOWEST: dict[str, float] = defaultdict(float)


class TooSlow(Exception):
    """Extraction (or linking) ran past TIME_BOUND: a hang, or a blow-up."""


@contextmanager
def time_bound(seconds: float):
    if not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum, frame):
        raise TooSlow(f"extraction and linking did not finish within {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def mutant_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mutants") / LABEL


def extracts_or_fails_clearly(prop: str, mutant: Mutant, path: Path) -> None:
    """The property: a report, or an EditionError of well-formed problems; nothing else, and in time."""
    COUNTS[prop]["tried"] += 1
    SEEN[prop].add(hashlib.sha256(mutant.data).hexdigest())
    path.write_bytes(mutant.data)
    started = time.perf_counter()
    try:
        with time_bound(TIME_BOUND):
            try:
                edition, report = extract(path, LABEL)
            except EditionError as exc:
                check_problems(exc, mutant.data)
                COUNTS[prop]["clear error"] += 1
                ERRORS.update(_shape(p.what) for p in exc.problems)
                return
            check_edition(edition, report, mutant.data)
            doubts, _ = link(edition)
            check_links(edition, doubts)
            COUNTS[prop]["extracted"] += 1
    except Exception as exc:
        COUNTS[prop]["bug"] += 1
        if _final():
            saved = _save(prop, mutant)
            exc.add_note(f"mutated seed: {saved} ({'; '.join(mutant.ops)})")
        raise
    finally:
        SLOWEST[prop] = max(SLOWEST[prop], time.perf_counter() - started)


def _final() -> bool:
    """Whether hypothesis is replaying the example it will report (not one of the many it shrinks)."""
    try:
        from hypothesis.control import current_build_context
        return current_build_context().is_final
    except Exception:  # outside hypothesis, or its internals moved: save every failure
        return True


def _save(prop: str, mutant: Mutant) -> Path:
    """The failing seed, and what was done to it beside it (.ops)."""
    MUTANT_DIR.mkdir(parents=True, exist_ok=True)
    path = MUTANT_DIR / f"{prop}-{hashlib.sha256(mutant.data).hexdigest()[:12]}.txt"
    path.write_bytes(mutant.data)
    path.with_suffix(".ops").write_text("\n".join(mutant.ops) + "\n", encoding="utf-8")
    return path


def _shape(what: str) -> str:
    return re.sub(r"\d+", "N", re.sub(r"\(byte 0x[0-9a-f]{2} at column \d+\)", "(byte …)", what))


def check_problems(exc: EditionError, data: bytes) -> None:
    assert exc.problems, "an EditionError without problems"
    lines = data.count(b"\n") + data.count(b"\r") + 1
    for p in exc.problems:
        assert isinstance(p, Problem), p
        assert p.path == LABEL, f"problem names {p.path!r}, not the seed: {p}"
        assert isinstance(p.line, int) and 0 <= p.line <= lines, f"line {p.line} outside the file: {p}"
        assert isinstance(p.what, str) and p.what.strip(), f"problem without a 'what': {p!r}"
        assert isinstance(p.todo, str) and p.todo.strip(), f"problem without a 'todo': {p!r}"
        assert isinstance(p.value, str), p
        assert str(p)


def check_edition(edition, report, data: bytes) -> None:
    numbers = [n.n for n in edition.notes]
    assert numbers == sorted(set(numbers)), f"note numbers not unique and increasing: {_dupes(numbers)}"
    assert all(n >= 1 for n in numbers), numbers
    assert all(n.lines for n in edition.notes)
    blocks = list(edition.blocks())
    ids = [b.id for b in blocks]
    assert len(ids) == len(set(ids)), f"block ids not unique: {_dupes(ids)}"
    markers = []
    for b in blocks:
        offsets = [m.offset for m in b.markers]
        assert offsets == sorted(offsets), f"markers of {b.id} out of order: {offsets}"
        for m in b.markers:
            assert 0 <= m.offset <= len(b.text), f"marker {m.n} at {m.offset} outside {b.id} ({len(b.text)} chars)"
            assert m.n in numbers, f"marker {m.n} ({m.printed!r}, line {m.line}) calls no note"
            markers.append(m)
    called = [m.n for m in markers]
    back = next((i for i in range(1, len(called)) if called[i] <= called[i - 1]), None)
    assert back is None, (f"markers not increasing in reading order: {called[back - 1]} then {called[back]} "
                          f"({markers[back].printed!r}, line {markers[back].line}); marked twice: {_dupes(called)}")
    keys = [e.key for e in edition.bibliography]
    assert len(keys) == len(set(keys)), f"bibliography keys not unique: {_dupes(keys)}"
    c = report.counts
    assert c["notes"] == len(edition.notes)
    assert c["paragraphs"] == sum(len(s.paragraphs) for s in edition.sections)
    assert c["sections"] == len(edition.sections)
    assert c["markers"] == len(markers) == sum(report.markers_by_form.values())
    assert c["notes_anchored"] == len(set(called))
    assert c["bibliography_entries"] == len(edition.bibliography)
    assert edition.source.sha256 == hashlib.sha256(data).hexdigest()
    for item in report.repairs + report.doubts:
        assert 0 <= item.line <= edition.source.lines, f"{item.kind} on line {item.line} of {edition.source.lines}"


def check_links(edition, doubts) -> None:
    keys = {e.key for e in edition.bibliography}
    ids = {c.id for n in edition.notes for c in n.citations}
    for n in edition.notes:
        for c in n.citations:
            assert 0 <= c.offset and n.text[c.offset:c.offset + len(c.printed)] == c.printed, (
                f"note {n.n}: citation {c.id} at {c.offset} reads {n.text[c.offset:c.offset + len(c.printed)]!r}, "
                f"not {c.printed!r}")
            assert not c.target or c.target in keys, f"{c.id} links to no entry: {c.target}"
            assert not c.repeats or c.repeats in ids, f"{c.id} repeats no citation: {c.repeats}"
    assert all(d.detail for d in doubts)


def _dupes(items) -> list:
    return sorted(k for k, v in Counter(items).items() if v > 1)


# --- the properties -------------------------------------------------------------

@pytest.mark.parametrize("kind", list(MUTATIONS))
def test_mutated_seed_extracts_or_fails_clearly(kind, mutant_file):
    @settings(SETTINGS, max_examples=EXAMPLES[kind])
    @given(mutants((kind,), most=3))
    def run(mutant):
        extracts_or_fails_clearly(kind, mutant, mutant_file)
    run()


@settings(SETTINGS, max_examples=EXAMPLES["combined"])
@given(mutants(tuple(MUTATIONS), most=5))
def test_seed_damaged_several_ways_extracts_or_fails_clearly(mutant_file, mutant):
    extracts_or_fails_clearly("combined", mutant, mutant_file)


def _known(name: str) -> Mutant:
    """Damage the properties found once, kept as fixed cases (hypothesis need not find them again)."""
    lines = _lines(SEED_BYTES)
    if name == "notes-heading-twice":
        i = lines.index(b"Notes")
        return Mutant((f"headings: duplicate heading line {i + 1} in place",), b"\n".join(lines[:i + 1] + lines[i:]))
    if name == "note-11-lost":
        i = next(i for i, ln in enumerate(lines) if ln.startswith(b"- 11. "))
        return Mutant((f"delete-lines: delete lines {i + 1}-{i + 1}",), b"\n".join(lines[:i] + lines[i + 1:]))
    if name == "markers-7-8-twice":
        i = next(i for i, ln in enumerate(lines) if "industrialisation. ⁷".encode() in ln)
        return Mutant((f"duplicate-lines: copy lines {i + 1}-{i + 1} to before line {i + 2}",),
                      b"\n".join(lines[:i + 1] + lines[i:]))
    raise KeyError(name)


@pytest.mark.parametrize("name", ["notes-heading-twice", "note-11-lost", "markers-7-8-twice"])
def test_known_damage_extracts_or_fails_clearly(name, mutant_file):
    extracts_or_fails_clearly("known-cases", _known(name), mutant_file)


def test_the_unmutated_seed_passes_the_same_checks(mutant_file):
    """The checks themselves hold on the seed as it is (so a failure above is the mutation's doing)."""
    extracts_or_fails_clearly("unmutated", Mutant((), SEED_BYTES), mutant_file)
    assert COUNTS["unmutated"]["extracted"] == 1


@pytest.fixture(scope="module", autouse=True)
def mutation_counts(request):
    """After the module: how many mutated seeds each property tried and what became of them."""
    yield
    rows = {prop: {**c, "distinct": len(SEEN[prop]), "slowest_s": round(SLOWEST[prop], 2)}
            for prop, c in COUNTS.items() if prop != "unmutated"}
    if not rows:
        return
    total = sum((COUNTS[p] for p in rows), Counter())
    lines = ["", "mutation test counts (mutated seeds tried: extracted / failed with a clear error / other):"]
    for prop, r in rows.items():
        lines.append(f"  {prop:16} {r['tried']:4} tried ({r['distinct']} distinct): {r.get('extracted', 0):4} extracted, "
                     f"{r.get('clear error', 0):4} clear error, {r.get('bug', 0)} other; slowest {r['slowest_s']} s")
    lines.append(f"  {'all':16} {total['tried']:4} tried: {total['extracted']:4} extracted, "
                 f"{total['clear error']:4} clear error, {total['bug']} other")
    lines.append("  clear errors by kind: " + "; ".join(f"{n}× {what}" for what, n in ERRORS.most_common()))
    MUTANT_DIR.mkdir(parents=True, exist_ok=True)
    (MUTANT_DIR / "counts.json").write_text(json.dumps({"properties": rows, "errors": dict(ERRORS)}, indent=1))
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else nullcontext():
        print("\n".join(lines))


# --- a build that fails half-way changes nothing ------------------------------------
# The seed is named by a relative path from the test's own folder, so every build here labels it
# alike ('seeds/<name>') and a copy of the last good build is exactly what a build there would leave.

SEED_REL = f"seeds/{SEED.name}"
ADDED = "A paragraph added to the seed since the last build."


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None), by path relative to folder."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def _build(folder: Path) -> int:
    """build.py --seed seeds/<name> --out out, run in folder."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        return build.main(["--seed", SEED_REL, "--out", "out"])
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """The real seed built, with the project's corrections, into a folder (seeds/, out/edition/, out/site/)."""
    base = tmp_path_factory.mktemp("last-good")
    (base / "seeds").mkdir()
    shutil.copy(SEED, base / SEED_REL)
    corrections = base / "out" / "edition" / SEED.stem / "corrections.yaml"
    corrections.parent.mkdir(parents=True)
    shutil.copy(PROJECT / "edition" / SEED.stem / "corrections.yaml", corrections)
    assert _build(base) == 0
    assert (base / "out" / "site" / "pagefind").is_dir() and corrections.with_name("edition.yaml").is_file()
    return base


@pytest.fixture
def last_good(good_build, tmp_path) -> Path:
    """A folder of its own holding the seed and its last good build (a copy of good_build)."""
    shutil.copytree(good_build, tmp_path, dirs_exist_ok=True)
    return tmp_path


def _change_seed(folder: Path) -> None:
    """A new paragraph before the notes: the edition, the report and the search records all change."""
    seed = folder / SEED_REL
    text = seed.read_text(encoding="utf-8")
    assert text.count("\nNotes\n") == 1
    seed.write_text(text.replace("\nNotes\n", f"\n{ADDED}\n\nNotes\n"), encoding="utf-8")


def _mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in (folder / "out" / "edition").rglob("*")
            if p.is_file()}


def _left_as_it_was(folder: Path, before: dict, mtimes: dict) -> None:
    out = folder / "out"
    assert sorted(p.name for p in out.iterdir()) == ["edition", "site", "site.cache"], \
        "a staging or old site was left behind"
    after = snapshot(out)
    assert sorted(after.keys() - before.keys()) == [], "files added by the failed build"
    assert sorted(before.keys() - after.keys()) == [], "files removed by the failed build"
    assert [k for k in before if after[k] != before[k]] == [], "files changed by the failed build"
    assert _mtimes(folder) == mtimes, "edition/ rewritten (with the same bytes)"


@pytest.mark.parametrize("failure", ["edition-error", "crash"])
def test_build_failing_after_the_site_is_staged_leaves_site_and_edition_as_they_were(last_good, monkeypatch,
                                                                                      capsys, failure):
    """The stage after publish.stage (the search index) fails, cleanly or by crashing."""
    before, mtimes = snapshot(last_good / "out"), _mtimes(last_good)
    staged = []

    def failing_stage(job):
        staged.append((job.staging.resolve(), (job.staging / "index.html").is_file(),
                       (job.staging / SEED.stem / "index.html").is_file() or SEED.stem in job.carry))
        if failure == "crash":
            raise RuntimeError("simulated crash after staging")
        raise EditionError([Problem("pagefind", 0, "the search index could not be built", "simulated", "retry")])
    assert search.index in build.STAGES
    monkeypatch.setattr(build, "STAGES", [failing_stage if s is search.index else s for s in build.STAGES])
    if failure == "crash":
        with pytest.raises(RuntimeError, match="simulated crash"):
            _build(last_good)
    else:
        assert _build(last_good) == 1
        assert "build failed: 1 problem(s); nothing was written" in capsys.readouterr().err
    # It failed half-way: the whole site was staged beside site/ when the failing stage ran (the article,
    # unchanged since the last build, to be carried over from the current site).
    [(staging, had_index, had_article)] = staged
    assert staging.parent == last_good / "out" and staging.name.startswith(".site.new-") and had_index and had_article
    _left_as_it_was(last_good, before, mtimes)
    assert (last_good / "out" / "edition" / SEED.stem / "corrections.yaml").read_bytes() == (
        PROJECT / "edition" / SEED.stem / "corrections.yaml").read_bytes()


def test_changed_seed_failing_at_search_index_does_not_rewrite_edition_yaml(last_good, monkeypatch, capsys):
    """Pagefind fails (search.index turns it into an EditionError) for a seed whose YAML would differ."""
    before, mtimes = snapshot(last_good / "out"), _mtimes(last_good)
    _change_seed(last_good)
    fake, indexed = last_good / "fake-pagefind", last_good / "indexed"
    fake.write_text(f'#!/bin/sh\necho "$2" > {indexed}\necho "simulated Pagefind failure"\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setenv("EDITIO_PAGEFIND", str(fake))
    capsys.readouterr()
    assert _build(last_good) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-2:] == [
        f"error: {fake}: Pagefind failed (exit status 1) (\"simulated Pagefind failure\"); check that the "
        "pagefind package (with its binary) is installed: pip install 'pagefind[bin]'; or set EDITIO_PAGEFIND",
        "build failed: 1 problem(s); nothing was written"]
    site = last_good / indexed.read_text().strip()  # the records Pagefind was given: in the staging folder
    assert site.parent.parent == last_good / "out" and site.parent.name.startswith(".site.new-")
    indexed.unlink()
    fake.unlink()
    _left_as_it_was(last_good, before, mtimes)
    # The control: with Pagefind working again the same build does rewrite edition.yaml and report.yaml.
    monkeypatch.undo()
    assert _build(last_good) == 0
    edition = last_good / "out" / "edition" / SEED.stem
    assert ADDED.encode() in (edition / "edition.yaml").read_bytes()
    assert (edition / "report.yaml").read_bytes() != before[f"edition/{SEED.stem}/report.yaml"]
    assert sorted(p.name for p in (last_good / "out").iterdir()) == ["edition", "site", "site.cache"]


@pytest.mark.parametrize("failure", ["report.yaml-unwritable", "site-swap-fails"])
def test_build_failing_while_committing_leaves_site_and_edition_as_they_were(last_good, monkeypatch, capsys, failure):
    """The last stage fails part-way: the disk fills up while the generated YAML is replaced, or the staged
    site cannot be renamed into place. The build must still fail clearly and change nothing."""
    before, mtimes = snapshot(last_good / "out"), _mtimes(last_good)
    _change_seed(last_good)
    if failure == "report.yaml-unwritable":
        real_replace = os.replace

        def replace(src, dst, **kw):
            if Path(dst).name == "report.yaml":
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_replace(src, dst, **kw)
        monkeypatch.setattr(publish.os, "replace", replace)
    else:
        real_rename = Path.rename

        def rename(self, target):
            if self.name.startswith(".site.new-"):
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            return real_rename(self, target)
        monkeypatch.setattr(Path, "rename", rename)
    try:
        status = _build(last_good)
    except OSError as exc:
        status = f"crashed: {exc!r}"
    monkeypatch.undo()
    _left_as_it_was(last_good, before, mtimes)
    assert status == 1, "the build did not fail with a clear error"
    assert "build failed" in capsys.readouterr().err
