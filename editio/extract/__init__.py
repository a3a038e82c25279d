"""Extract: a seed (PDF-to-text of an article) into an Edition and a Report.

The shape expected: an optional publisher's cover page ('To cite this article: ...'),
the author and title, the abstract, the text in sections, a 'Notes' heading with the
numbered endnotes, and a 'References' heading with the bibliography. Nothing here
knows any particular article: every repair is a rule, recorded in the Report with
its evidence, and whatever the rules cannot decide is reported as a doubt.
"""
from __future__ import annotations

import hashlib
import importlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

from ..problems import EditionError, Problem
from ..records import Block, Edition, Note, PageBreak, Report, Source
from .bibliography import read_bibliography
from .body import build_sections, find_headings, join_page_breaks, repair_hyphens
from .common import NOTES_HEADINGS, REFERENCES_HEADINGS, Work, find_heading, page_marks, split_blocks, word_corpus
from .front import read_cover, read_title_block
from .furniture import drop_furniture
from .markers import place_markers, report_unanchored
from .notes import breaks_off, read_notes
from .seed import read_seed


CUT_SHORT = "give the complete text (an article without a bibliography may end with its last note)"


READERS = {".pdf": "pdf", ".docx": "docx"}
"""The module whose read_<name> reads each kind of seed besides text (read_seed), imported only to read one:
each gives the lines a text seed would hold, and records in the Work what it repaired on the way."""
SEED_SUFFIXES = (".txt", *READERS)


def _reader(suffix: str):
    name = READERS.get(suffix.lower())
    if name is None:
        return read_seed
    return getattr(importlib.import_module(f".{name}", __name__), f"read_{name}")


def extract(path: Path, label: str) -> tuple[Edition, Report]:
    work = Work(label)
    lines, data = _reader(path.suffix)(path, work)
    pages = {ln.no: ln.page for ln in lines}
    lines = drop_furniture(lines, work)
    notes_at = find_heading(lines, NOTES_HEADINGS)
    last = next((ln for ln in reversed(lines) if ln.text.strip()), lines[-1])
    if notes_at is None:
        work.fail(last.no, "no 'Notes' heading: the endnotes cannot be found", "",
                  "check that this is the whole article; the notes must follow a line reading 'Notes'")
    # Without a references heading after them, the notes run to the end: an article that cites its works
    # in full in the notes (notes-only), unless the text was cut short (checked once the markers are read).
    refs_at = find_heading(lines, REFERENCES_HEADINGS, start=notes_at + 1)
    notes_end = len(lines) if refs_at is None else refs_at

    cover_end, metadata = read_cover(lines[:notes_at], work)
    front = split_blocks(lines[cover_end:notes_at])
    title, authors, body_runs = read_title_block(front, metadata, work)
    note_runs = read_notes(lines[notes_at + 1:notes_end], work)
    for n, run in note_runs:
        if breaks_off(run.text):
            work.doubt("suspected-lacuna", run.lines[-1], f"note {n} breaks off mid-sentence "
                       f"('…{run.text[-40:].lstrip()}'): text may be lost there", note=n, excerpt=run.text[-60:])
    bibliography = (read_bibliography([replace(ln, text=page_marks(ln.text)[0]) for ln in lines[refs_at + 1:]], work)
                    if refs_at is not None else [])

    texts = [b.raw for b in bibliography] + [r.text for _, r in note_runs]
    headings = find_headings(body_runs)
    body_runs = join_page_breaks(body_runs, headings, word_corpus([r.text for r in body_runs] + texts), work)
    # Counted again after the joins, so a word hyphenated across a page break is seen whole.
    corpus = word_corpus([r.text for r in body_runs] + texts)
    for run in body_runs + [r for _, r in note_runs]:
        repair_hyphens(run, corpus, work)
    notes = [Note(n, run.text, list(run.lines)) for n, run in note_runs]

    title_block = Block("title", title.text, [], title.lines)
    abstract, sections, runs = build_sections(body_runs, headings, work)
    runs["title"] = title
    blocks = [title_block] + ([abstract] if abstract else []) + [
        b for s in sections for b in ([s.heading] if s.heading else []) + s.paragraphs]
    beyond = place_markers(blocks, runs, {n.n for n in notes}, work)
    if refs_at is None and len(beyond) >= 2:
        work.fail(last.no, f"the text ends inside the notes: note {notes[-1].n} is the last, but the text "
                  f"calls notes {', '.join(map(str, beyond[:3]))}{' …' if len(beyond) > 3 else ''}",
                  last.text.strip(), CUT_SHORT)
    for item in blocks + notes:
        _pages(item, pages)
    for doubt in work.doubts:
        if doubt.kind == "suspected-lacuna":
            doubt.block = next((b.id for b in blocks if doubt.line in b.lines), None)
    metadata.title = metadata.title or title_block.text
    metadata.authors = metadata.authors or authors

    edition = Edition(
        source=Source(label, hashlib.sha256(data).hexdigest(), len(lines) - (lines[-1].text == "")),
        metadata=metadata, title=title_block, abstract=abstract, sections=sections,
        notes=notes, bibliography=bibliography)
    report_unanchored(edition, work)
    return edition, _report(edition, work)


def _pages(item: Block | Note, pages: dict[int, str]) -> None:
    """The printed page a block or note begins on, and where others begin inside it (the reader's page marks
    taken out of its text, its markers' offsets with them)."""
    item.page = pages.get(item.lines[0], "") if item.lines else ""
    item.text, marks = page_marks(item.text)
    shift = lambda offset: offset - sum(length for at, length, _ in marks if at < offset)  # noqa: E731
    for m in getattr(item, "markers", []):
        m.offset = shift(m.offset)
    item.page_breaks = [PageBreak(shift(at), page) for at, _, page in marks]


def _report(edition: Edition, work: Work) -> Report:
    markers = [m for b in edition.blocks() for m in b.markers]
    forms = Counter(m.form for m in markers)
    counts = {
        "sections": len(edition.sections),
        "paragraphs": sum(len(s.paragraphs) for s in edition.sections),
        "markers": len(markers),
        "notes": len(edition.notes),
        "notes_anchored": len({m.n for m in markers}),
        "bibliography_entries": len(edition.bibliography),
    }
    for kind, n in sorted(Counter(r.kind for r in work.repairs).items()):
        counts[f"repairs.{kind}"] = n
    for kind, n in sorted(Counter(d.kind for d in work.doubts).items()):
        counts[f"doubts.{kind}"] = n
    return Report(work.label, counts, dict(sorted(forms.items())), work.repairs, work.doubts)


def stage(job):
    """Extract every seed of the build; all seeds' problems are reported together."""
    problems: list[Problem] = []
    for work in job.works:
        try:
            work.edition, work.report = extract(work.seed, work.label)
        except EditionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise EditionError(problems)
    return job


def summarise(report: Report) -> list[str]:
    """The report in a few lines for the terminal (the whole of it is in report.yaml)."""
    c = report.counts
    forms = ", ".join(f"{n} {form}" for form, n in report.markers_by_form.items())
    lines = [f"{report.source}: {c['sections']} sections, {c['paragraphs']} paragraphs, "
             f"{c['notes']} notes ({c['notes_anchored']} with a marker in the source), {c['markers']} markers "
             f"({forms}), " + (f"no bibliography: {c['works_from_notes']} works read from the notes"
                               if c.get("works_from_notes") else f"{c['bibliography_entries']} bibliography entries")]
    repairs = Counter(r.kind for r in report.repairs)
    if repairs:
        lines.append("  repaired: " + ", ".join(f"{n} {kind}" for kind, n in sorted(repairs.items())))
    done = [f"{n} {k.split('.', 1)[1]}" for k, n in c.items() if k.startswith("corrections.")]
    if done:
        lines.append("  corrections applied: " + ", ".join(done))
    if "citations.work" in c:
        lines.append(f"  linked: {c['citations.work']} citations of works in {c['notes_citing_works']} notes, "
                     f"{c['citations.ibid']} Ibid., {c['citations.archive']} archival references to "
                     f"{c['archival_files']} files, {c['citations.periodical']} periodicals; "
                     f"{c['citations.unresolved']} unresolved")
    open_doubts = [d for d in report.doubts if not d.resolved_by]
    settled = len(report.doubts) - len(open_doubts)
    lines.append(f"  doubts: {len(open_doubts)} open, {settled} settled by corrections")
    unanchored = [d.note for d in open_doubts if d.kind == "unanchored-note"]
    if unanchored:
        lines.append(f"  unanchored notes ({len(unanchored)}): " + ", ".join(map(str, unanchored)))
    for d in open_doubts:
        if d.kind != "unanchored-note":
            lines.append(f"  {d.kind} (line {d.line}): {d.detail}")
    return lines
