"""Corrections: the editor's decisions, kept in edition/<seed>/corrections.yaml, applied after extraction.

Each decision quotes the text it concerns, so it survives re-extraction and fails
loudly (naming itself and the words it looked for) when the text no longer holds them.
The build never writes this file.

    markers:      restore a marker the source lost, after the quoted words
    emendations:  replace the source's reading with the edition's
    lacunae:      mark text lost after the quoted words
    citations:    link (or unlink) a citation the resolver could not make, or made wrongly
    accept:       accept a doubt of the report as it stands, with the reason
    metadata:     correct a fact of the article's metadata

Every entry needs a reason.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from pathlib import Path

from . import yamlio
from .problems import EditionError, Problem
from .records import Block, Citation, Doubt, Edition, Emendation, Gap, Marker, Note, Report

FILE = "corrections.yaml"


@dataclass
class RestoreMarker:
    note: int
    after: str
    reason: str
    where: str = ""


@dataclass
class Emend:
    source: str
    edition: str
    reason: str
    where: str = ""


@dataclass
class MarkLacuna:
    after: str
    reason: str
    where: str = ""


@dataclass
class LinkCitation:
    note: int
    text: str
    reason: str
    target: str = ""
    """Bibliography key; empty (with no repeats) to say the text is not a citation of a work."""
    repeats: str = ""
    """For an Ibid.: id of the citation it really repeats (n43-1), when that is not the one before it."""


@dataclass
class Accept:
    doubt: str
    about: str
    """Words of the doubt's detail or excerpt (quoted, so the entry survives a changed seed)."""
    reason: str


@dataclass
class SetMetadata:
    field: str
    value: str
    reason: str


SECTIONS = {"markers": RestoreMarker, "emendations": Emend, "lacunae": MarkLacuna,
            "citations": LinkCitation, "accept": Accept, "metadata": SetMetadata}


@dataclass
class Corrections:
    """The parsed file: entries with the line each starts on."""

    path: str
    entries: dict[str, list[tuple[int, object]]]

    def of(self, kind: str):
        return self.entries.get(kind, [])


def load(folder: Path, label: str) -> Corrections:
    """The corrections in folder (none if the file is absent); every malformed entry is reported."""
    path = folder / FILE
    if not path.exists():
        return Corrections(label, {})
    data = yamlio.read(path, label) or {}
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise EditionError([Problem(label, 1, "expected sections such as 'markers:' and 'emendations:'", "",
                                    "see the section Corrections in README.md")])
    entries: dict[str, list] = {}
    for kind, items in data.items():
        if kind not in SECTIONS:
            problems.append(Problem(label, data.key_lines.get(kind, data.line), f"unknown section '{kind}'", "",
                                    f"use one of: {', '.join(SECTIONS)}"))
            continue
        for item in items or []:
            line = getattr(item, "line", data.line)
            entry = yamlio.from_data(SECTIONS[kind], item, label, problems, line)
            if entry is not None and not str(getattr(entry, "reason", "")).strip():
                problems.append(Problem(label, line, f"a {kind} entry without a reason", "",
                                        "say why (the evidence) in 'reason:'"))
            entries.setdefault(kind, []).append((line, entry))
    if problems:
        raise EditionError(problems)
    return Corrections(label, entries)


def apply(edition: Edition, report: Report, corrections: Corrections) -> list[Problem]:
    """Apply every correction to the edition (in place); return the problems of those that no longer fit."""
    problems: list[Problem] = []
    label = corrections.path

    def stale(line, what, value, todo="re-read the text and update or remove this correction"):
        problems.append(Problem(label, line, what, value, todo))

    for line, c in corrections.of("metadata"):
        if c.field not in {f.name for f in fields(edition.metadata)} or c.field in ("authors", "line"):
            stale(line, "metadata correction names no correctable field", c.field,
                  "use title, journal, volume, issue, year, pages, doi or issn")
        else:
            setattr(edition.metadata, c.field, c.value)

    for line, c in corrections.of("emendations"):
        hits = _find(edition, c.source, c.where)
        if len(hits) != 1:
            stale(line, _count_msg("emendation", c.source, c.where, len(hits)), c.source)
            continue
        target, at = hits[0]
        problem = _emend(target, at, c)
        if problem:
            stale(line, problem, c.source, "quote a reading that does not contain a note marker")

    anchored = {m.n: b for b in edition.blocks() for m in b.markers}
    for line, c in corrections.of("markers"):
        if c.note in anchored:
            stale(line, f"note {c.note} already has a marker (in {anchored[c.note].id})", c.after,
                  "remove this correction, or the extraction's marker is wrong: report it")
            continue
        if not any(n.n == c.note for n in edition.notes):
            stale(line, f"there is no note {c.note}", str(c.note), "correct the note number")
            continue
        hits = [(t, at) for t, at in _find(edition, c.after, c.where) if isinstance(t, Block)]
        if len(hits) != 1:
            stale(line, _count_msg(f"restored marker {c.note}", c.after, c.where, len(hits)), c.after)
            continue
        block, at = hits[0]
        offset = at + len(c.after)
        block.markers.append(Marker(n=c.note, offset=offset, printed="", form="restored", line=block.lines[0],
                                    editorial="restored", reason=c.reason))
        block.markers.sort(key=lambda m: (m.offset, m.n))
        anchored[c.note] = block
        _resolve(report.doubts, lambda d, n=c.note: d.kind == "unanchored-note" and d.note == n, c.reason, line)

    restored_at = {c.note: line for line, c in corrections.of("markers")}
    for before, after in _out_of_order(edition):
        n = after if after in restored_at else before
        stale(restored_at.get(n, 0), f"restored marker {n} breaks the order of the notes: marker {after} "
              f"stands after marker {before}", str(n), "quote the words after which the marker really stood")

    for line, c in corrections.of("lacunae"):
        hits = [(t, at) for t, at in _find(edition, c.after, c.where) if isinstance(t, Block)]
        if len(hits) != 1:
            stale(line, _count_msg("lacuna", c.after, c.where, len(hits)), c.after)
            continue
        block, at = hits[0]
        block.gaps.append(Gap(at + len(c.after), c.reason))
        _resolve(report.doubts, lambda d, b=block.id: d.kind == "suspected-lacuna" and d.block == b, c.reason, line)

    problems.extend(_accept(report.doubts, corrections, linking=False))
    return problems


LINKING = {"unresolved-citation", "unresolved-archival", "archival-locator"}
"""Doubts the link stage reports: accepted after linking."""


def _accept(doubts: list[Doubt], corrections: Corrections, linking: bool) -> list[Problem]:
    problems = []
    for line, c in corrections.of("accept"):
        if (c.doubt in LINKING) != linking:
            continue
        # The quoted words of a doubt's excerpt first: another doubt's detail may quote them too.
        if not (_resolve(doubts, lambda d, c=c: d.kind == c.doubt and c.about in d.excerpt, c.reason, line)
                or _resolve(doubts, lambda d, c=c: d.kind == c.doubt and c.about in d.detail, c.reason, line)):
            problems.append(Problem(corrections.path, line, f"no open '{c.doubt}' doubt about these words", c.about,
                                    "the report no longer has this doubt: remove the entry"))
    return problems


def apply_citations(edition: Edition, doubts: list[Doubt], corrections: Corrections | None) -> list[Problem]:
    """The editor's citation links, over what the resolver made (after linking)."""
    problems: list[Problem] = []
    if corrections is None:
        return problems
    keys = {e.key for e in edition.bibliography}
    notes = {n.n: n for n in edition.notes}
    for line, c in corrections.of("citations"):
        note = notes.get(c.note)
        if note is None:
            problems.append(Problem(corrections.path, line, f"there is no note {c.note}", str(c.note),
                                    "correct the note number"))
            continue
        if c.target and c.target not in keys:
            problems.append(Problem(corrections.path, line, "no bibliography entry has this key", c.target,
                                    "use a key from edition.yaml's bibliography"))
            continue
        count = note.text.count(c.text)
        if count != 1:
            problems.append(Problem(corrections.path, line, _count_msg("citation", c.text, f"note {c.note}", count),
                                    c.text, "re-read the note and update or remove this correction"))
            continue
        at = note.text.find(c.text)
        end = at + len(c.text)
        hit = [x for x in note.citations if x.offset < end and at < x.offset + len(x.printed)]
        evidence = f"editor: {c.reason}"
        if c.repeats:
            source = next((x for n in edition.notes for x in n.citations if x.id == c.repeats), None)
            ibids = [x for x in hit if x.kind == "ibid"]
            if source is None or not ibids:
                problems.append(Problem(corrections.path, line, f"no citation {c.repeats} to repeat, or no "
                                        f"Ibid. in the quoted words", c.repeats, "check the ids in edition.yaml"))
                continue
            for x in ibids:
                x.repeats, x.target, x.archive = source.id, source.target, source.archive
                x.periodical, x.dates, x.locator = source.periodical, source.dates, x.locator or source.locator
                x.confidence, x.evidence, x.editorial = "high", evidence, "corrected"
            continue
        if not c.target:
            note.citations = [x for x in note.citations if x not in hit or x.kind not in ("work", "ibid")]
        elif hit:
            for x in hit:
                x.kind = "work" if x.kind != "ibid" else "ibid"
                x.target, x.confidence, x.evidence, x.editorial = c.target, "high", evidence, "corrected"
        else:
            note.citations.append(Citation(f"n{note.n}-e{line}", "work", at, c.text, target=c.target,
                                           confidence="high", evidence=evidence, editorial="corrected"))
            note.citations.sort(key=lambda x: x.offset)
        for d in doubts:
            if d.note == c.note and d.kind == "unresolved-citation" and (d.excerpt in c.text or c.text in d.excerpt):
                d.resolved_by, d.resolution = f"{FILE}:{line}", c.reason
    problems.extend(_accept(doubts, corrections, linking=True))
    return problems


# --- what would settle a doubt ------------------------------------------------

SENTENCE_END = re.compile(r"(?<![^\W\d_])(?!(?:pp|vol|vols|nos|eds|ibid|cf|ch|etc)\.)(?:[^\W\d_]{3,}|\d+)"
                          r"[.!?…][’'\"”)]*(?=\s)", re.IGNORECASE)
"""The end of a sentence, not of an abbreviation ('p.', 'vol.', an initial)."""


def suggest(doubt: Doubt, edition: Edition) -> str:
    """A corrections.yaml entry that would settle the doubt, ready to paste: the words quoted from the
    edition (unique in it, so the entry applies), the reason left for the editor to give."""
    blocks = {b.id: b for b in edition.blocks()}
    if doubt.kind == "unanchored-note" and doubt.block in blocks:
        block, at = _marker_place(edition, doubt.note)
        return _entry("markers", {"note": doubt.note, "after": _quote(edition, block.text, at), "where": block.id})
    if doubt.kind == "suspected-lacuna" and doubt.block in blocks:
        block = blocks[doubt.block]
        return _entry("lacunae", {"after": _quote(edition, block.text, len(block.text.rstrip())), "where": block.id})
    about = doubt.excerpt or doubt.detail
    if len(about) > 80 or doubt.kind == "rejected-number":  # whole words only: its excerpt is cut at both ends
        words = about[:80].split(" ")
        about = " ".join(words[doubt.kind == "rejected-number":-1]) if len(words) > 3 else about[:80]
    return _entry("accept", {"doubt": doubt.kind, "about": about})


def settling(report: Report, path: str) -> list[str]:
    """The report's open doubts, each with the entry that would settle it (what 'check' prints)."""
    lines = []
    for d in report.doubts:
        if not d.resolved_by and d.suggestion:
            lines.append(f"  {d.kind} (line {d.line}): settle it in {path} with")
            lines += ["      " + row for row in d.suggestion.splitlines()]
    return lines


def _entry(section: str, fields: dict) -> str:
    inner = ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items())
    return f'{section}:\n  - {{{inner}, reason: ""}}\n'


def _marker_place(edition: Edition, n: int) -> tuple[Block, int]:
    """Where a lost marker most likely stood: at the end of a sentence (a marker closes the sentence it
    documents) between the markers around it, the sentences sharing most words with the notes lost there
    chosen in the order of the notes (the later sentence on a tie)."""
    blocks = list(edition.blocks())
    placed = sorted((m.n, bi, m.offset) for bi, b in enumerate(blocks) for m in b.markers)
    prev = max(((k, bi, off) for k, bi, off in placed if k < n), default=(0, 0, 0))
    nxt = min(((k, bi, off) for k, bi, off in placed if k > n),
              default=(len(edition.notes) + 1, len(blocks) - 1, len(blocks[-1].text)))
    sentences = []
    for bi in range(prev[1], nxt[1] + 1):
        text = blocks[bi].text
        start, hi = prev[2] if bi == prev[1] else 0, nxt[2] if bi == nxt[1] else len(text)
        for m in SENTENCE_END.finditer(text + " ", start, hi):  # the next marker's own sentence ends past hi
            sentences.append((blocks[bi], m.end(), text[start:m.end()]))
            start = m.end()
    if not sentences:
        return blocks[prev[1]], len(blocks[prev[1]].text.rstrip())
    notes = {x.n: x.text for x in edition.notes}
    run = sorted({k for k in range(prev[0] + 1, nxt[0]) if k in notes} | {n})
    scores = [[_shared(notes[k], s[2]) for s in sentences] for k in run]
    chosen = _in_order(scores)
    block, end, _ = sentences[chosen[run.index(n)]]
    return block, end


def _in_order(scores: list[list[int]]) -> list[int]:
    """For each row (a note, in order) a column (a sentence), the columns never decreasing (strictly
    increasing where there are enough), the sum of scores the greatest, later columns on a tie."""
    rows, cols = len(scores), len(scores[0])
    step = 1 if cols >= rows else 0
    best = [[(-1, 0)] * cols for _ in range(rows)]  # (score, column of the row before)
    for c in range(cols):
        best[0][c] = (scores[0][c], -1)
    for r in range(1, rows):
        for c in range(cols):
            options = [(best[r - 1][p][0], p) for p in range(c - step + 1) if best[r - 1][p][0] >= 0]
            if options:
                score, p = max(options)
                best[r][c] = (score + scores[r][c], p)
    c = max(range(cols), key=lambda c: (best[-1][c][0], c))
    out = []
    for r in range(rows - 1, -1, -1):
        out.append(c)
        c = best[r][c][1]
    return out[::-1]


def _shared(a: str, b: str) -> int:
    """How many words (of five letters or more, compared by their first five) two texts share."""
    def stems(text):
        return {w.lower()[:5] for w in re.findall(r"[^\W\d_]{5,}", text)}
    return len(stems(a) & stems(b))


def _quote(edition: Edition, text: str, end: int) -> str:
    """The fewest words ending at end that occur only once in the edition (at least three)."""
    words = list(re.finditer(r"\S+", text[:end]))
    for count in range(3, len(words) + 1):
        quote = text[words[-count].start():end]
        if len(_find(edition, quote, "")) == 1:
            return quote
    return text[:end]


def _find(edition: Edition, quote: str, where: str) -> list[tuple[Block | Note, int]]:
    """Every place the quoted words occur: in the block or note named by where, or anywhere."""
    targets: list[Block | Note] = []
    note_ref = re.fullmatch(r"note\s+(\d+)", where.strip()) if where else None
    for block in edition.blocks():
        if not where or block.id == where:
            targets.append(block)
    for note in edition.notes:
        if not where or (note_ref and note.n == int(note_ref.group(1))):
            targets.append(note)
    hits = []
    for target in targets:
        start = target.text.find(quote)
        while start >= 0:
            hits.append((target, start))
            start = target.text.find(quote, start + 1)
    return hits


def _count_msg(what: str, quote: str, where: str, count: int) -> str:
    place = f"in {where}" if where else "in the text"
    if count == 0:
        return f"{what}: the quoted words are no longer {place}"
    return f"{what}: the quoted words occur {count} times {place}; quote more of them"


def _emend(target: Block | Note, at: int, c: Emend) -> str | None:
    end = at + len(c.source)
    delta = len(c.edition) - len(c.source)
    markers = getattr(target, "markers", [])
    if any(at < m.offset < end for m in markers):
        return "emendation would cut through a note marker"
    target.text = target.text[:at] + c.edition + target.text[end:]
    for m in markers:
        if m.offset >= end:
            m.offset += delta
    for item in list(getattr(target, "gaps", [])) + target.emendations + target.page_breaks:
        if item.offset >= end:
            item.offset += delta
    target.emendations.append(Emendation(at, c.edition, c.source, c.reason))
    target.emendations.sort(key=lambda e: e.offset)
    return None


def _out_of_order(edition: Edition) -> list[tuple[int, int]]:
    """Neighbouring markers whose numbers run backwards (restored markers must keep the order)."""
    seen = [m.n for b in edition.blocks() for m in b.markers]
    return [(a, b) for a, b in zip(seen, seen[1:]) if b < a]


def _resolve(doubts: list[Doubt], matches, reason: str, line: int) -> bool:
    found = False
    for doubt in doubts:
        if not doubt.resolved_by and matches(doubt):
            doubt.resolved_by, doubt.resolution = f"{FILE}:{line}", reason
            found = True
    return found


def stage(job):
    """Apply each edition's corrections; every stale correction of every edition is reported at once."""
    problems: list[Problem] = []
    for work in job.works:
        folder = job.edition_dir / work.slug
        label = str(Path(job.edition_label) / work.slug / FILE) if job.edition_label else str(folder / FILE)
        try:
            corrections = load(folder, label)
        except EditionError as exc:
            problems.extend(exc.problems)
            continue
        work.corrections = corrections
        problems.extend(apply(work.edition, work.report, corrections))
        for kind in SECTIONS:
            if corrections.of(kind):
                work.report.counts[f"corrections.{kind}"] = len(corrections.of(kind))
    if problems:
        raise EditionError(problems)
    return job


def strict(job):
    """With --strict, every doubt no correction settles fails the build."""
    if not job.strict:
        return job
    problems = [Problem(w.label, d.line, f"open doubt ({d.kind}): {d.detail}", d.excerpt[:60],
                        f"settle it in {job.edition_label or 'edition'}/{w.slug}/{FILE} or build without --strict")
                for w in job.works for d in w.report.doubts if not d.resolved_by]
    if problems:
        raise EditionError(problems)
    return job
