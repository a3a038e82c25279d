"""Link: every source a note cites, resolved against the tables built first.

Gather first (the bibliography's titles and names, the archives the notes define),
then read each note in order: archival shelfmarks, periodicals with dates, works
(a title of the bibliography, short or whole, quoted, italic or plain, with or
without its author's name), and 'Ibid.', which repeats the citation before it.
Whatever looks like a citation and matches nothing is reported, never forced.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, replace

from .corrections import apply_citations
from .problems import EditionError
from .records import ArchivalRef, BibEntry, Citation, Doubt, Edition, Note
from .textrules import MONTHS, WORD, fold

STOPWORDS = set("a an the of and in on for to at by with from i v na o ob s".split())
OPENERS = "'‘\"“*"
CLOSERS = "'’\"”*"
DELIMITERS = ",;.:?!)" + CLOSERS
NAME = r"(?:(?:van|von|de|der|da)\s)?[A-ZÀ-Ž][\w'’-]*\w"
NAMES_BEFORE = re.compile(rf"(?P<names>{NAME}(?:\s{NAME})?(?:,\s*(?:and\s+)?{NAME})*(?:,?\s+and\s+{NAME})?"
                          rf"(?:\s+et\s+al\.)?)(?:,\s*|['’]s\s+(?:\w+\s+){{0,8}}?)$")
LISTY = r"\d+[a-z]?(?:\s*[–−-]\s*\d+[a-z]?)?(?:\s*,\s*\d+[a-z]?(?:\s*[–−-]\s*\d+[a-z]?)?)*"
SHELFMARK = (r",\s*(?:fond|f\.)\s*(?P<fond>\d+\w*)(?:\s*\([^)]*\))?"
             r",\s*(?:opis['’]|op\.?)\s*(?P<opis>\d+\w*)(?:\s*\([^)]*\))?"
             r",\s*(?:delo|d\.)\s*(?P<delo>\d+\w*)"
             rf"(?:\s*,\s*(?:listy\.?|list\.?|ll\.|l\.)\s*(?P<listy>{LISTY}))?")
FOLIO = re.compile(rf"(?<![\w.])(?:ll|l)\.\s*(?P<listy>{LISTY})")
DATES = (r"(?P<dates>(?:\d{1,2},\s*)*(?:\d{1,2}\s+and\s+)?\d{1,2}\s+(?:"
         + "|".join(m.capitalize() for m in MONTHS[:12]) + r")\s+\d{4})")
IBID = re.compile(r"\b[Ii]bid\b\.?(?:,\s*(?:" + DATES + r"|(?P<loc>(?:(?:ll?|pp?|vol)\.\s*)?[\divxlc]+[a-z]?"
                  r"(?:\s*[–−-]\s*\d+[a-z]?)?(?:,\s*\d+(?:\s*[–−-]\s*\d+)?)*)))?")
PERIODICAL = re.compile(r"(?P<name>\*[^*]+\*|[A-Z][\w'’]+(?:\s[A-Za-z][\w'’]+){0,2}),\s*" + DATES)
PAGES = r"\d+(?:\s*[–-]\s*\d+)?(?:,\s*\d+(?:\s*[–-]\s*\d+)?)*"
LOCATOR = re.compile(rf"^,\s*(?P<loc>(?:vol|pp?|ch|no)\.\s*\w+(?:,\s*{PAGES})?|{PAGES}|introduction|part\s+\d+)")
CITATION_SHAPE = re.compile(rf"(?P<names>{NAME}(?:,\s*(?:and\s+)?{NAME})*),\s*(?P<title>\*[^*]+\*|'[^']+'|‘[^’]+’|\"[^\"]+\"|“[^”]+”)"
                            rf"|(?<![\w*])(?P<italic>\*[^*]+\*),\s*\d")


@functools.lru_cache(maxsize=None)
def name_key(text: str) -> str:
    """A name or word as compared across transliterations: ASCII, no soft signs, no doubled letters,
    -y/-ij/-iy endings as -i (Trotsky = Trotskii, Ivanova = Ivanovva); possessive dropped."""
    s = re.sub(r"[^a-z]", "", fold(re.sub(r"['’]s$", "", text)))
    s = re.sub(r"(.)\1+", r"\1", s)
    return re.sub(r"(?:iy|ij|y|ii)$", "i", s)


@dataclass
class _Work:
    entry: BibEntry
    tokens: list[str]
    names: set[str]


class _Index:
    """The bibliography as the resolver looks it up: by the first word of each title, by names."""

    def __init__(self, entries: list[BibEntry]):
        self.works = [_Work(e, [name_key(w) for w in WORD.findall(e.title)],
                            {k for p in e.authors for k in _name_keys(p.family)}) for e in entries]
        self.by_first: dict[str, list[_Work]] = {}
        for w in self.works:
            if w.tokens:
                self.by_first.setdefault(w.tokens[0], []).append(w)
        self.names = set().union(*(w.names for w in self.works)) if self.works else set()


def _name_keys(name: str) -> set[str]:
    """Keys under which a printed name may match: the whole, and each of its words ('van Ree')."""
    words = name.replace(" et al.", "").split()
    return {name_key(name.replace(" et al.", ""))} | {name_key(w) for w in words if len(w) > 2}


# --- finding ---------------------------------------------------------------

def _archive_pattern(edition: Edition) -> re.Pattern | None:
    """Archival references to any archive the notes define ('(hereafter GARF)') or name before a fond."""
    found = Counter()
    for note in edition.notes:
        found.update(re.findall(r"\(hereafter\s+([A-Z][\w-]+)\)", note.text))
        found.update(re.findall(r"\b([A-Z][A-Za-z]{1,}[A-Z][\w-]*),\s*(?:f\.|fond\b)", note.text))
    if not found:
        return None
    alternatives = "|".join(re.escape(a) for a in sorted(found, key=len, reverse=True))
    return re.compile(rf"(?:(?P<full>[^.;()]*?)\s*\(hereafter\s+(?P<defined>{alternatives})\)"
                      rf"|\b(?P<archive>{alternatives}))" + SHELFMARK)


def _archival(note: Note, pattern: re.Pattern | None) -> list[Citation]:
    if pattern is None:
        return []
    out = []
    for m in pattern.finditer(note.text):
        start = m.start("full") if m.group("defined") else m.start()
        start += len(note.text[start:m.end()]) - len(note.text[start:m.end()].lstrip())
        ref = ArchivalRef(m.group("defined") or m.group("archive"), m.group("fond"), m.group("opis"),
                          m.group("delo"), m.group("listy") or "")
        how = "spelled out, with the abbreviation it defines" if m.group("defined") else "abbreviated shelfmark"
        out.append(Citation("", "archive", start, note.text[start:m.end()], locator=ref.listy, archive=ref,
                            confidence="high", evidence=f"archival reference ({how})"))
    return out


def _periodicals(note: Note, index: _Index) -> list[Citation]:
    out = []
    for m in PERIODICAL.finditer(note.text):
        name = m.group("name").strip("*")
        if name_key(name.split()[0]) in index.names:
            continue
        out.append(Citation("", "periodical", m.start(), m.group(0), periodical=name, dates=m.group("dates"),
                            confidence="high", evidence="a title followed by the date of an issue"))
    return out


def _works(note: Note, index: _Index) -> tuple[list[Citation], list[Doubt]]:
    text = note.text
    words = list(WORD.finditer(text))
    keys = [name_key(w.group(0)) for w in words]
    found: list[Citation] = []
    doubts: list[Doubt] = []
    i = 0
    while i < len(words):
        best = None
        for work in index.by_first.get(keys[i], []):
            k = 0
            while i + k < len(words) and k < len(work.tokens) and keys[i + k] == work.tokens[k]:
                k += 1
            if best is None or k > best[0]:
                best = (k, [work])
            elif k == best[0]:
                best[1].append(work)
        mention = _mention(text, words, i, best[0]) if best else None
        if mention is None:
            i += 1
            continue
        start, end, quoted = mention
        k = best[0]
        candidates = [w for w in index.by_first[keys[i]] if w.tokens[:k] == keys[i:i + k]]
        citation = _resolve_work(note, text, start, end, quoted, k, candidates, index)
        if citation is None:
            i += 1
            continue
        if citation.target:
            found.append(citation)
        else:
            doubts.append(Doubt("unresolved-citation", note.lines[0], citation.evidence, note=note.n,
                                excerpt=citation.printed))
        i += k
    return found, doubts


def _mention(text: str, words: list, i: int, k: int):
    """(start, end, quoted) when words i..i+k stand in the text as a title would, else None."""
    if k == 0 or all(fold(w.group(0)) in STOPWORDS for w in words[i:i + k]):
        return None
    start, end = words[i].start(), words[i + k - 1].end()
    after = text[end:end + 1]
    if after and after not in DELIMITERS and not after.isspace():
        return None
    before = text[start - 1:start] if start else ""
    quoted = bool(before) and before in OPENERS
    if quoted and text[end:end + 1] not in CLOSERS and text[end:end + 2] not in ("?" + c for c in CLOSERS):
        return None  # a quotation that goes on past the title's words is not that title
    if not quoted:
        if not words[i].group(0)[:1].isupper():
            return None
        # Inside a title (plain), the next word must not carry the phrase on: 'Napoleon returned'.
        if after.isspace() or not after:
            rest = text[end:].lstrip()
            if rest and not re.match(r"(?:for|and|see|seems|$)", rest):
                return None
    while end < len(text) and (text[end] in CLOSERS or text[end] in "?!" and text[end - 1] not in CLOSERS):
        end += 1
    if quoted:
        start -= 1
    return start, end, quoted


def _resolve_work(note, text, start, end, quoted, k, candidates, index) -> Citation | None:
    after = text[end:]
    if re.match(r"^,\s*['‘\"“*]", after) and not quoted:
        return None  # 'Tolstoy, *Sobranie ...*': the word is an author's name, not a short title
    names_m = NAMES_BEFORE.search(text[max(0, start - 120):start])
    cited = [n for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", names_m.group("names")) if n] if names_m else []
    cited_keys = set().union(*(_name_keys(n) for n in cited)) if cited else set()
    loc_m = LOCATOR.match(after)
    locator = loc_m.group("loc").strip() if loc_m else ""
    if not quoted and not cited and not locator:
        return None  # a capitalised phrase with no sign of being a citation
    if not quoted and k == 1 and not locator and not any(cited_keys & c.names for c in candidates):
        return None
    span_start = start
    if names_m and names_m.group(0).rstrip().endswith(","):
        # The link starts at the first name that is an author of the bibliography ('See Smith, ...').
        names_at = start - len(names_m.group(0))
        known = [m for m in re.finditer(NAME, names_m.group("names")) if _name_keys(m.group(0)) & index.names]
        if known:
            span_start = names_at + known[0].start()
    printed = text[span_start:end + (loc_m.end() if loc_m else 0)]
    by_author = [c for c in candidates if cited_keys & c.names]
    earlier = [c for c in candidates if any(name_key(w) in c.names for w in WORD.findall(text[:start]))]
    title = text[start:end]
    if len(by_author) == 1:
        work, confidence = by_author[0], "high"
        evidence = f"author {cited[0]} and title {title}"
    elif len(candidates) == 1:
        work = candidates[0]
        if cited and not cited_keys & work.names:
            confidence = "medium"
            evidence = (f"title {title} matches; {cited[0]} is not among the entry's authors "
                        f"(cited by title or through another person)")
        elif earlier:
            confidence, evidence = "high", f"title {title}, its author named earlier in the note"
        else:
            confidence, evidence = "medium", f"title {title} matches one entry only"
    elif len(earlier) == 1:
        work, confidence = earlier[0], "medium"
        evidence = f"title {title} fits {len(candidates)} entries; the author named earlier decides"
    else:
        return Citation("", "work", span_start, printed, locator=locator, evidence=(
            f"{title} fits {len(candidates)} entries ({', '.join(c.entry.key for c in candidates)}) "
            f"and nothing decides between them"))
    return Citation("", "work", span_start, printed, target=work.entry.key, locator=locator,
                    confidence=confidence, evidence=evidence)


def _unmatched(note: Note, taken: list[Citation]) -> list[Doubt]:
    """What has the shape of a citation (a name and a title, or an italic title and a page) but matched
    nothing: reported, never forced onto an entry."""
    out = []
    for m in CITATION_SHAPE.finditer(note.text):
        probe = Citation("", "", m.start(), m.group(0))
        if not any(_overlap(probe, t) for t in taken):
            out.append(Doubt("unresolved-citation", note.lines[0], f"'{m.group(0)}' looks like a citation but "
                             "matches no entry of the bibliography", note=note.n, excerpt=m.group(0)))
    return out


def _ibids(note: Note) -> list[Citation]:
    return [Citation("", "ibid", m.start(), m.group(0), locator=(m.group("loc") or "").strip(),
                     dates=m.group("dates") or "") for m in IBID.finditer(note.text)]


def _folios(note: Note, taken: list[Citation]) -> list[Citation]:
    """Bare 'l. 22' after an archival citation: more folios of the same file."""
    out = []
    for m in FOLIO.finditer(note.text):
        if not any(c.offset <= m.start() < c.offset + len(c.printed) for c in taken):
            out.append(Citation("", "folio", m.start(), m.group(0), locator=m.group("listy")))
    return out


# --- resolving -------------------------------------------------------------

def link(edition: Edition) -> list[Doubt]:
    """Fill each note's citations; return the doubts (citations that resolve to nothing)."""
    index = _Index(edition.bibliography)
    archives = _archive_pattern(edition)
    doubts: list[Doubt] = []
    last: Citation | None = None
    for note in edition.notes:
        taken: list[Citation] = []
        works, work_doubts = _works(note, index)
        doubts.extend(work_doubts)
        for group in (_archival(note, archives), _ibids(note), _periodicals(note, index), works):
            for c in group:
                if not any(_overlap(c, t) for t in taken):
                    taken.append(c)
        taken.extend(_folios(note, taken))
        doubts.extend(_unmatched(note, taken))
        taken.sort(key=lambda c: c.offset)
        for i, c in enumerate(taken, 1):
            c.id = f"n{note.n}-{i}"
            if c.kind in ("ibid", "folio"):
                resolved = _repeat(c, last, note, doubts)
                if resolved is None:
                    continue
                c = resolved
                taken[i - 1] = c
            last = c
        note.citations = [c for c in taken if c.kind != "folio" or c.archive]
        note.citations = [c for c in note.citations if c.kind != "ibid" or c.repeats]
    return doubts


def _overlap(a: Citation, b: Citation) -> bool:
    return a.offset < b.offset + len(b.printed) and b.offset < a.offset + len(a.printed)


def _repeat(c: Citation, last: Citation | None, note: Note, doubts: list[Doubt]) -> Citation | None:
    if last is None:
        doubts.append(Doubt("unresolved-citation", note.lines[0], f"'{c.printed}' repeats no earlier citation",
                            note=note.n, excerpt=c.printed))
        return None
    if c.kind == "folio":
        if last.archive is None:
            return None
        return replace(c, kind="archive", archive=replace(last.archive, listy=c.locator), repeats=last.id,
                       confidence="high", evidence=f"folios of the file cited just before ({last.id})")
    out = replace(c, kind="ibid", target=last.target, archive=last.archive, periodical=last.periodical,
                  dates=c.dates or last.dates, repeats=last.id, confidence=last.confidence or "high",
                  evidence=f"repeats {last.id}")
    if last.archive is not None:
        listy = re.match(r"(?:ll?\.\s*)(?P<l>.+)", c.locator)
        if listy:
            out.archive = replace(last.archive, listy=listy.group("l"))
        elif c.locator:
            out.archive = replace(last.archive, listy="")
            doubts.append(Doubt("archival-locator", note.lines[0], f"'{c.printed}' repeats an archival file but "
                                f"its locator '{c.locator}' lacks 'l.'/'ll.' (damaged?)", note=note.n,
                                excerpt=c.printed))
    if not c.locator:
        out.locator = last.locator
    return out


def _propagate(edition: Edition) -> None:
    """After the editor re-pointed an Ibid., the Ibid.s that repeat it follow."""
    by_id: dict[str, Citation] = {}
    for note in edition.notes:
        for i, c in enumerate(note.citations):
            if c.kind == "ibid" and not c.editorial and c.repeats in by_id:
                source = by_id[c.repeats]
                note.citations[i] = c = _repeat(replace(c, locator=c.locator if c.locator != source.locator
                                                        else ""), source, note, []) or c
            by_id[c.id] = c


def counts(edition: Edition, doubts: list[Doubt]) -> dict[str, int]:
    cites = [c for n in edition.notes for c in n.citations]
    kinds = Counter(c.kind for c in cites)
    ibid_kinds = Counter("archive" if c.archive else ("work" if c.target else "periodical")
                         for c in cites if c.kind == "ibid")
    return {
        "citations.work": kinds["work"], "citations.archive": kinds["archive"],
        "citations.periodical": kinds["periodical"], "citations.ibid": kinds["ibid"],
        "citations.ibid_of_work": ibid_kinds["work"], "citations.ibid_of_archive": ibid_kinds["archive"],
        "citations.unresolved": sum(1 for d in doubts if d.kind == "unresolved-citation"),
        "notes_citing_works": sum(1 for n in edition.notes if any(c.target for c in n.citations)),
        "archival_files": len({(c.archive.archive, c.archive.fond, c.archive.opis, c.archive.delo)
                               for c in cites if c.archive}),
    }


def stage(job):
    """Link every edition's notes; the editor's citation corrections then override the resolver."""
    problems = []
    for work in job.works:
        doubts = link(work.edition)
        problems.extend(apply_citations(work.edition, doubts, work.corrections))
        _propagate(work.edition)
        work.report.doubts.extend(doubts)
        work.report.counts.update(counts(work.edition, doubts))
    if problems:
        raise EditionError(problems)
    return job
