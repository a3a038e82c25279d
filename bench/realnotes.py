#!/usr/bin/env python3
"""Archival references in real published notes, measured against hand-made answer keys.

    .venv/bin/python bench/realnotes.py                 # ../shared/real-notes
    .venv/bin/python bench/realnotes.py DIR [DIR …]     # any folders of the same format
    .venv/bin/python bench/realnotes.py --quiet DIR     # figures only, not the notes it got wrong

Each folder holds runs of real endnotes: `<id>.txt`, an article in the seed format whose text ends with its
notes, and `<id>.json`, the answer key (../shared/real-notes/README.md describes both). Every run goes
through the article stages of build.py (extract, corrections, link, render, …) in this process, and its
archival references are read back from the article page through the HTML contract (`[data-archive]` in
each `<li id="note-N">`), as a tool reading the published edition would. A reference is right when
archive, fond, opis, delo and folios all equal the key's; notes the key marks `unsure` are left out.

Prints, per run and in total: notes, references in the key, references made, right ones, precision and
recall; then the targets of issue 16 (precision ≥ 0.99, recall ≥ 0.95) MET or MISSED; then every note
with a wrong or missing reference, with its text (read here, never committed: it is published prose).
A run that fails to build counts every reference of its key as missed, and its error is printed.
Figures, not a test: it never fails because a target is missed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import build  # noqa: E402
from editio.job import EditionWork, Job  # noqa: E402
from editio.problems import EditionError  # noqa: E402

LEVELS = ("archive", "fond", "opis", "delo", "listy")
TARGETS = {"precision": 0.99, "recall": 0.95}


@dataclass
class Score:
    notes: int = 0
    expected: int = 0
    made: int = 0
    right: int = 0
    wrong: list[tuple[int, str, list, list]] = field(default_factory=list)
    """(note, text, made but not in the key, in the key but not made)."""
    error: str = ""

    def add(self, other: "Score") -> None:
        self.notes += other.notes
        self.expected += other.expected
        self.made += other.made
        self.right += other.right


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def key_refs(note: dict) -> list[tuple]:
    return [tuple(str(a.get(k, "")) for k in LEVELS) for a in note.get("archive", [])]


def page_refs(page) -> dict[int, list[tuple]]:
    out = {}
    for li in page.xpath("//section[@role='doc-endnotes']//li[starts-with(@id, 'note-')]"):
        out[int(li.get("id").split("-")[1])] = [tuple(e.get(f"data-{k}") or "" for k in LEVELS)
                                                for e in li.xpath(".//*[@data-archive]")]
    return out


def build_page(seed: Path, out: Path):
    """The article page of one seed, through the article stages of build.py, in memory."""
    work = EditionWork(seed, seed.stem, seed.name)
    job = Job(PROJECT, out / "edition", out / "site", [work])
    for stage in build.ARTICLE:
        job = stage(job)
    return html.fromstring(job.files[f"{seed.stem}/index.html"])


def score(seed: Path, key: dict, out: Path) -> Score:
    s = Score()
    notes = [n for n in key["notes"] if not n.get("unsure")]
    s.notes = len(key["notes"])
    s.expected = sum(len(key_refs(n)) for n in notes)
    try:
        made = page_refs(build_page(seed, out))
    except EditionError as exc:
        s.error = "; ".join(str(p) for p in exc.problems)
        return s
    for n in notes:
        want, got = Counter(key_refs(n)), Counter(made.get(n["n"], []))
        s.made += sum(got.values())
        s.right += sum((want & got).values())
        if want != got:
            s.wrong.append((n["n"], n["text"], sorted((got - want).elements()), sorted((want - got).elements())))
    return s


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[PROJECT.parent / "shared" / "real-notes"])
    parser.add_argument("--quiet", action="store_true", help="figures only, not the notes it got wrong")
    args = parser.parse_args(argv)
    total = Score()
    rows, details = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for folder in args.folders:
            for seed in sorted(folder.glob("*.txt")):
                key_file = seed.with_suffix(".json")
                if not key_file.exists():
                    continue
                s = score(seed, json.loads(key_file.read_text(encoding="utf-8")), Path(tmp))
                total.add(s)
                rows.append((f"{folder.name}/{seed.stem}", s))
                if s.error or s.wrong:
                    details.append((f"{folder.name}/{seed.stem}", s))
    print(f"{'run':44} {'notes':>5} {'key':>4} {'made':>4} {'right':>5} {'prec.':>6} {'recall':>6}")
    for name, s in rows + [("TOTAL", total)]:
        flag = "  BUILD FAILED" if s.error else ""
        print(f"{name:44} {s.notes:5} {s.expected:4} {s.made:4} {s.right:5} {ratio(s.right, s.made):6.3f} "
              f"{ratio(s.right, s.expected):6.3f}{flag}")
    print(f"runs: {len(rows)}, built: {sum(1 for _, s in rows if not s.error)}")
    for name, value in (("precision", ratio(total.right, total.made)), ("recall", ratio(total.right, total.expected))):
        print(f"target {name} ≥ {TARGETS[name]}: {value:.3f} {'MET' if value >= TARGETS[name] else 'MISSED'}")
    if not args.quiet:
        for name, s in details:
            print(f"\n== {name}")
            if s.error:
                print(f"  build failed: {s.error}")
            for n, text, extra, missed in s.wrong:
                print(f"  note {n}: {text[:300]}")
                for ref in extra:
                    print(f"    made, not in the key: {' / '.join(ref)}")
                for ref in missed:
                    print(f"    in the key, not made: {' / '.join(ref)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
