#!/usr/bin/env python3
"""The article's own PDF and its author's manuscript as seeds (issue 17): what is read from each test document,
how fast, and the cold build from a PDF beside the build from its text.

    .venv/bin/python bench/sources.py             # 7 runs for each time
    .venv/bin/python bench/sources.py --runs 3

The test documents are made here as the tests make them (test extras: typst, python-docx): every invented
article of tests/typeset/ typeset in every layout of tests/typeset.py, by GNU groff (endnotes and footnotes), and
written as a Word manuscript, and the
project's seed article typeset from its edition (the text with its corrections: what the print was) in the
endnotes layout and in a layout like the journal's own (B5, 10.5 pt), about twenty pages.

Prints, per document: pages, markers placed of those the article has (the seed article has a note whose
marker the print lost, so no print has it), notes, paragraphs and notes exact (every
block, marker, note and reference equal to the article's), printed pages marked, words joined at a typesetter's
hyphen (and of these, how many the PDF's own marks decide; the others by the text's evidence), footnotes going on across a page, the
median time to read it (the reader alone: PDFium to the lines of a text seed). Then the targets: reading a
twenty-page article PDF in at most 0.3 s; a cold build (build.py in a new process, a new output folder) from
the PDF at most 1.2 times the cold build from the same article's text. Figures, not a test: it never fails
because a target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]

import typeset  # noqa: E402
from editio import corrections  # noqa: E402
from editio.extract import _reader, extract  # noqa: E402
from editio.extract.common import Work  # noqa: E402

JOURNAL = typeset.Layout("endnotes-b5-journal", paper="iso-b5", size=10.5)
"""Like the seed article's journal: its twenty pages."""


def median_time(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def pages_of(pdf: Path) -> int:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    count = len(doc)
    doc.close()
    return count


def measure(name: str, article: typeset.Article, seed: Path, runs: int, footnotes: bool) -> dict:
    edition, report = extract(seed, seed.name)
    joins = [r for r in report.repairs if r.kind == "dehyphenation"]
    reader = _reader(seed.suffix)
    return {
        "document": name,
        "pages": pages_of(seed) if seed.suffix == ".pdf" else "",
        "markers": f"{report.counts['markers']}/{len(typeset.expected(article).markers)}",
        "notes": report.counts["notes"],
        "exact": "yes" if not typeset.differences(edition, typeset.expected(article)) else "NO",
        "page breaks": sum(len(b) for b in edition.page_starts().values()) if seed.suffix == ".pdf" else "",
        "hyphens joined": f"{len(joins)} ({sum('the PDF marks' in r.detail for r in joins)} marked)"
                          if seed.suffix == ".pdf" else "",
        "footnotes across pages": sum(bool(n.page_breaks) for n in edition.notes) if footnotes else "",
        "read (s)": f"{median_time(lambda: reader(seed, Work(seed.name)), runs):.3f}",
    }


def cold_build(seed: Path, runs: int) -> float:
    def once():
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", str(seed), "--out", out],
                           check=True, capture_output=True, timeout=600)
    return median_time(once, runs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    from test_docx import manuscript  # the tests' own way of writing a manuscript (python-docx)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in typeset.ARTICLES:
            article = typeset.load(path)
            for layout in typeset.LAYOUTS:
                pdf = typeset.typeset(article, layout, folder)
                rows.append(measure(f"{path.stem} ({layout.name})", article, pdf, args.runs,
                                    layout.notes == "footnotes"))
            for notes in typeset.GROFF_NOTES:
                pdf = typeset.typeset_groff(article, notes, folder)
                rows.append(measure(f"{path.stem} (groff {notes})", article, pdf, args.runs, notes == "footnotes"))
            docx = manuscript(article, folder / f"{path.stem}.docx")
            rows.append(measure(f"{path.stem} (Word manuscript)", article, docx, args.runs, False))
        seed = next((PROJECT / "seeds").glob("*.txt"))
        edition, report = extract(seed, seed.name)
        corrections.apply(edition, report, corrections.load(PROJECT / "edition" / seed.stem, "corrections"))
        article = typeset.from_edition(edition, seed.stem)
        for layout in (typeset.LAYOUTS[0], JOURNAL):
            pdf = typeset.typeset(article, layout, folder)
            rows.append(measure(f"seed article ({layout.name})", article, pdf, args.runs, False))
        journal_pdf = folder / f"{seed.stem}--{JOURNAL.name}.pdf"
        text = folder / f"{seed.stem}.txt"
        text.write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
        build_pdf, build_text = cold_build(journal_pdf, args.runs), cold_build(text, args.runs)

    columns = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(r[c]).ljust(w) for c, w in zip(columns, widths)))
    journal = next(r for r in rows if JOURNAL.name in r["document"])
    read = float(journal["read (s)"])
    print()
    print(f"cold build from the seed article's PDF ({journal['pages']} pages): {build_pdf:.2f} s; "
          f"from its text: {build_text:.2f} s; ratio {build_pdf / build_text:.2f}")
    print(f"target: read a twenty-page article PDF in <= 0.3 s: {read:.3f} s for {journal['pages']} pages: "
          f"{'MET' if read <= 0.3 else 'MISSED'}")
    print(f"target: cold build from the PDF <= 1.2 x from the text: {build_pdf / build_text:.2f}: "
          f"{'MET' if build_pdf / build_text <= 1.2 else 'MISSED'}")
    exact = sum(r["exact"] == "yes" for r in rows)
    print(f"target: markers, notes, paragraphs exact with no corrections: {exact} of {len(rows)} documents: "
          f"{'MET' if exact == len(rows) else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
