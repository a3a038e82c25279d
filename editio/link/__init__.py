"""Link: every source a note cites, resolved against the tables built first.

Gather first (the bibliography's titles and names, the archives the notes define or name),
then find in each note what it cites: archival shelfmarks, 'Ibid.', periodicals with dates,
works (a title of the bibliography, whole or short, quoted, italic or plain, with or without
its author's name; 'op. cit.'; 'Idem'), and cross-references to other notes. Then read the
notes in order: 'Ibid.' repeats its antecedent (the citation before it in the note, or else the
last of the note before), and a shelfmark that starts below the fond continues the file before
it. What looks like a citation and matches nothing is reported, never forced, and stands as an
antecedent that cannot be repeated: an 'Ibid.' after it is reported too, never linked to an
older citation.
"""
from __future__ import annotations

import hashlib
import pickle
from collections import Counter

from ..corrections import apply_citations, suggest
from ..problems import EditionError
from ..records import Doubt, Edition
from .items import name_key
from .resolve import link, propagate

__all__ = ["counts", "link", "name_key", "stage"]

def counts(edition: Edition, doubts: list[Doubt]) -> dict[str, int]:
    cites = [c for n in edition.notes for c in n.citations]
    kinds = Counter(c.kind for c in cites)
    ibid_kinds = Counter("archive" if c.archive else ("work" if c.target else "periodical")
                         for c in cites if c.kind == "ibid")
    return {
        "citations.work": kinds["work"], "citations.archive": kinds["archive"],
        "citations.periodical": kinds["periodical"], "citations.ibid": kinds["ibid"],
        "citations.ibid_of_work": ibid_kinds["work"], "citations.ibid_of_archive": ibid_kinds["archive"],
        "citations.xref": kinds["xref"],
        "citations.unresolved": sum(1 for d in doubts if d.kind in ("unresolved-citation", "unresolved-archival")),
        "notes_citing_works": sum(1 for n in edition.notes if any(c.target for c in n.citations)),
        "archival_files": len({(c.archive.archive, c.archive.fond, c.archive.opis, c.archive.delo)
                               for c in cites if c.archive}),
    } | ({"works_from_notes": from_notes} if (from_notes := sum(e.note is not None for e in edition.bibliography))
         else {})


def stage(job):
    """Link every edition's notes; the editor's citation corrections then override the resolver."""
    problems = []
    for work in job.works:
        doubts, repairs = _linked(work, job.link_memo)
        problems.extend(apply_citations(work.edition, doubts, work.corrections))
        propagate(work.edition)
        work.report.doubts.extend(doubts)
        work.report.repairs.extend(repairs)
        for d in work.report.doubts:
            if not d.resolved_by:
                d.suggestion = suggest(d, work.edition)
        for kind, n in Counter(r.kind for r in repairs).items():
            work.report.counts[f"repairs.{kind}"] = n
        work.report.counts.update(counts(work.edition, doubts))
    if problems:
        raise EditionError(problems)
    return job


def _linked(work, memo: dict | None) -> tuple[list[Doubt], list]:
    """link(work.edition); with a memo (serve), what it gave before for the same notes and bibliography, when
    they are the same (a correction of the text changes neither)."""
    if memo is None:
        return link(work.edition)
    edition = work.edition
    key = hashlib.sha256(pickle.dumps((edition.notes, edition.bibliography), pickle.HIGHEST_PROTOCOL)).digest()
    kept = memo.get(work.slug)
    if kept is not None and kept[0] == key:
        citations, edition.bibliography, doubts, repairs = pickle.loads(kept[1])
        for note, cited in zip(edition.notes, citations, strict=True):
            note.citations = cited
        return doubts, repairs
    doubts, repairs = link(edition)
    memo[work.slug] = (key, pickle.dumps(([n.citations for n in edition.notes], edition.bibliography, doubts, repairs),
                                         pickle.HIGHEST_PROTOCOL))
    return doubts, repairs
