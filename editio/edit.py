"""Edit: corrections made where the editor reads, in `serve`'s edit mode (never in the published site).

The page sends what the editor did, as fields (a block's id, the words before a place, the words selected, the
reading typed, the reason; never a path, never YAML). This module makes of them the entry a person would type
into corrections.yaml, quoting the edition's own words (unique where they stand, so the entry applies), checks
the article with it as `check` does, and adds it to the file as text: the rest of the file stays byte for byte
as it was (comments, order, layout), the write is atomic and the previous file is kept in
edition/<slug>/.history/. Undo takes out exactly the entry it added. A write is refused unless the file is as
the page last saw it (a hand edit in between wins), and unless the request is the page's own (secret, Origin
and Host of this server; see allowed()).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

from . import corrections
from .problems import Problem
from .records import Edition, Report
from .render import inline

MAX_BODY = 64 * 1024
"""Bytes a request to write may hold: a reason is a few sentences."""
FIELDS = {"markers": ("note", "after", "where", "reason"), "emendations": ("where", "source", "edition", "reason"),
          "lacunae": ("after", "where", "reason"), "citations": ("note", "text", "target", "reason"),
          "accept": ("doubt", "about", "reason")}
"""The sections the page writes, each entry's keys in the order a person types them (as in the README)."""
HEADER = ("# Editorial decisions for this edition: applied after extraction at every build; never written by it.\n"
          "# Each entry quotes the words it concerns (as the edition reads them) and gives its reason.\n")
HISTORY = ".history"
"""Beside corrections.yaml: each version the page replaced."""


class Refused(Exception):
    """A request the page may not, or cannot, have: the status to answer and why, in the editor's words."""

    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status, self.why = status, why


def digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def allowed(method: str, headers, secret: str, port: int) -> str:
    """Why a request may not write ('' when it may): the page's own, on this server, by POST. The Host must be
    this server's address (a name that resolves here, DNS rebinding, is refused), the Origin this server's page
    (another site's page is refused), the secret the one made for this run and given only in served pages."""
    own = {f"127.0.0.1:{port}", f"localhost:{port}"}
    if method != "POST":
        return "only POST writes"
    if headers.get("Host", "") not in own:
        return "the request is not addressed to this server"
    if headers.get("Origin", "") not in {f"http://{h}" for h in own}:
        return "the request does not come from this server's pages"
    if not secret or headers.get("X-Editio-Secret", "") != secret:
        return "the request does not carry this run's secret"
    return ""


# --- the page's words and the edition's ----------------------------------------------------------------------

def visible(markdown: str) -> tuple[str, list[int]]:
    """The text as the page shows it (emphasis marks and escapes gone), and for each of its characters the
    offset of the same character in the Markdown."""
    shown = lxml_html.fragment_fromstring(f"<p>{inline(markdown)}</p>").text_content() if markdown else ""
    where, i = [], 0
    for ch in shown:
        while i < len(markdown) and markdown[i] != ch:
            i += 1
        where.append(min(i, len(markdown)))
        i += 1
    return shown, where


CLOSING = ".,;:!?…’”'\")]*"
"""What closes a word, and a marker follows."""


def _space(text: str) -> str:
    return " ".join(text.split())


def place(markdown: str, before: str, what: str) -> int:
    """The Markdown offset where the words shown before a place end: found once in the text (spacing aside)."""
    shown, where = visible(markdown)
    needle = _space(before)[-100:].lstrip()
    if not needle:
        return 0
    squeezed, at = _squeeze(shown)
    hits = [m.end() for m in re.finditer(re.escape(needle), squeezed)]
    if len(hits) != 1:
        raise Refused(422, f"the words before the place in {what} ('…{needle[-40:]}') occur {len(hits)} times "
                           "there: click again, or type more of the words")
    end = where[at[hits[0] - 1]] + 1
    if 0 < end < len(markdown) and markdown[end - 1].isalnum():
        # A click inside a word, or before the punctuation closing it, means after both: a marker's place.
        while end < len(markdown) and markdown[end].isalnum():
            end += 1
        while end < len(markdown) and markdown[end] in CLOSING:
            end += 1
    return end


def _squeeze(text: str) -> tuple[str, list[int]]:
    """text with each run of spaces as one space, and for each character its offset in text."""
    out, at, space = [], [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space and out:
                out.append(" ")
                at.append(i)
            space = True
        else:
            out.append(ch)
            at.append(i)
            space = False
    return "".join(out), at


def span(markdown: str, before: str, words: str, what: str) -> tuple[int, int]:
    """The Markdown offsets of words selected on the page, the occurrence after the words shown before them."""
    shown, where = visible(markdown)
    squeezed, at = _squeeze(shown)
    needle, context = _space(words), _space(before)[-60:]
    if not needle:
        raise Refused(422, "select the words to emend")
    hits = [m for m in re.finditer(re.escape(needle), squeezed) if squeezed[:m.start()].rstrip().endswith(context.rstrip())]
    if len(hits) != 1:
        raise Refused(422, f"the words selected in {what} ('{needle[:40]}') are not found once there: select "
                           "them again")
    start, end = at[hits[0].start()], at[hits[0].end() - 1]
    return where[start], where[end] + 1


def quote_before(edition: Edition, target, where: str, end: int) -> str:
    """The fewest words (three at least) ending at end that occur once where they stand."""
    words = list(re.finditer(r"\S+", target.text[:end]))
    for count in range(min(3, len(words)), len(words) + 1):
        quote = target.text[words[-count].start():end]
        if len(corrections._find(edition, quote, where)) == 1:
            return quote
    return target.text[:end]


def unique_source(edition: Edition, target, where: str, start: int, end: int, reading: str) -> tuple[str, str]:
    """(source, edition) of an emendation: the words selected, with words before them added until they occur
    once where they stand (the same words put before the reading)."""
    for left in [start] + [m.start() for m in reversed(list(re.finditer(r"\S+", target.text[:start])))]:
        source = target.text[left:end]
        if len(corrections._find(edition, source, where)) == 1:
            return source, target.text[left:start] + reading
    raise Refused(422, "the selected words cannot be told apart from others in the same place: select more")


# --- entries -------------------------------------------------------------------------------------------------

def entry(request: dict, edition: Edition, report: Report) -> tuple[str, dict]:
    """(section, fields) of the entry the page asks for, its words quoted from the edition."""
    action, reason = request.get("action"), _text(request, "reason")
    if not reason.strip():
        raise Refused(422, "give the reason (the evidence) for this decision")
    blocks = {b.id: b for b in edition.blocks()}
    notes = {n.n: n for n in edition.notes}
    if action in ("marker", "lacuna"):
        where = _text(request, "where")
        block = blocks.get(where)
        if block is None:
            raise Refused(422, f"there is no block '{where}' in this edition")
        end = place(block.text, _text(request, "before"), where)
        after = quote_before(edition, block, where, end)
        if action == "lacuna":
            return "lacunae", {"after": after, "where": where, "reason": reason}
        note = _number(request, "note")
        if note not in notes:
            raise Refused(422, f"there is no note {note}")
        return "markers", {"note": note, "after": after, "where": where, "reason": reason}
    if action == "emend":
        where = _text(request, "where")
        target = blocks.get(where) or notes.get(int(where[5:]) if re.fullmatch(r"note \d+", where) else -1)
        if target is None:
            raise Refused(422, f"there is no block or note '{where}' in this edition")
        start, end = span(target.text, _text(request, "before"), _text(request, "source"), where)
        source, reading = unique_source(edition, target, where, start, end, _text(request, "edition"))
        if source == reading:
            raise Refused(422, "the reading typed is the text as it stands")
        return "emendations", {"where": where, "source": source, "edition": reading, "reason": reason}
    if action == "link":
        n = _number(request, "note")
        note = notes.get(n)
        text = _text(request, "text")
        if note is None or note.text.count(text) != 1:
            raise Refused(422, f"the citation's words are not found once in note {n}")
        target = _text(request, "target")
        if target and target not in {e.key for e in edition.bibliography}:
            raise Refused(422, f"no bibliography entry has the key '{target}'")
        return "citations", {"note": n, "text": text, "target": target, "reason": reason}
    if action == "accept":
        open_doubts = [d for d in report.doubts if not d.resolved_by]
        index = _number(request, "doubt")
        if not 0 <= index < len(open_doubts):
            raise Refused(409, "that question is no longer open: the page reloads")
        doubt = open_doubts[index]
        suggested = corrections.suggest(doubt, edition)
        fields = _parse_suggestion(suggested)
        if "doubt" not in fields:
            raise Refused(422, f"a {doubt.kind} is settled by a correction, not by accepting it")
        return "accept", {"doubt": fields["doubt"], "about": fields["about"], "reason": reason}
    raise Refused(400, f"unknown action '{action}'")


def _parse_suggestion(text: str) -> dict:
    from . import yamlio
    data = yamlio.loads(text, "suggestion")
    section, items = next(iter(data.items()))
    return dict(items[0])


def _text(request: dict, key: str) -> str:
    value = request.get(key, "")
    if not isinstance(value, str) or len(value) > 20_000:
        raise Refused(400, f"'{key}' must be text")
    return value


def _number(request: dict, key: str) -> int:
    value = request.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused(400, f"'{key}' must be a number")
    return value


def render_entry(section: str, fields: dict, indent: str) -> str:
    """The entry as a person types it: a mapping in the section's list, one key a line, strings quoted."""
    keys = [k for k in FIELDS[section] if k in fields and (fields[k] != "" or k in ("target", "reason"))]
    lines = []
    for i, key in enumerate(keys):
        lines.append(f"{indent}{'- ' if i == 0 else '  '}{key}: {_scalar(fields[key])}")
    return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"[A-Za-z][\w.\- ]*[\w.]|[A-Za-z]")
_WORDS_YAML_READS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(value) -> str:
    """A value as a person writes it: a number or a simple word or two bare, anything else quoted."""
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value) and value.lower() not in _WORDS_YAML_READS:
        return value
    return json.dumps(value, ensure_ascii=False)


_TOP = re.compile(r"^(?P<key>[A-Za-z_]\w*):[ \t]*(?P<rest>.*)$")


def _sections(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Each top-level section: (its key's line, the line after its last entry line) (0-based)."""
    starts = [(i, m.group("key")) for i, line in enumerate(lines) if (m := _TOP.match(line))]
    out = {}
    for (i, key), nxt in zip(starts, [s for s, _ in starts[1:]] + [len(lines)]):
        end = i + 1
        for j in range(i + 1, nxt):
            if lines[j].strip() and not lines[j].startswith("#"):
                end = j + 1
        out[key] = (i, end)
    return out


def add_entry(text: str | None, section: str, fields: dict) -> str:
    """The file with the entry added at the end of its section (the section added at the file's end if it has
    none; the file begun with the usual header if there is none); every other line as it was."""
    if text is None:
        text = HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    lines = text.splitlines(keepends=True)
    found = _sections([ln.rstrip("\n") for ln in lines])
    if section not in found:
        return text + ("\n" if text.strip() else "") + f"{section}:\n" + render_entry(section, fields, "  ")
    head, end = found[section]
    rest = _TOP.match(lines[head].rstrip("\n")).group("rest").split("#")[0].strip()
    if rest not in ("", "[]", "null", "~"):
        raise Refused(409, f"the '{section}' section of corrections.yaml is written on one line (flow style): "
                           "add this entry by hand, or write the section as a list")
    if rest:
        lines[head] = f"{section}:\n"
    items = [ln for ln in lines[head + 1:end] if re.match(r"\s*- ", ln)]
    indent = re.match(r"(\s*)- ", items[0]).group(1) if items else "  "
    return "".join(lines[:end] + [render_entry(section, fields, indent)] + lines[end:])


def remove_entry(text: str, section: str, fields: dict) -> str:
    """The file without the entry add_entry wrote for these fields (undo); refused when it is not there as
    written (the editor changed it by hand)."""
    lines = text.splitlines(keepends=True)
    found = _sections([ln.rstrip("\n") for ln in lines])
    if section in found:
        head, end = found[section]
        for indent in ("  ", "", "    "):
            block = render_entry(section, fields, indent)
            body = "".join(lines[head + 1:end])
            if body.count(block) == 1:
                body = body.replace(block, "")
                rest = lines[:head + 1] + ([body] if body else []) + lines[end:]
                if not body.strip():  # the section held only this entry: take the section out too
                    before = lines[:head]
                    if before and before[-1] == "\n" and (head < 2 or lines[head - 2] != "\n"):
                        before = before[:-1]  # the blank line add_entry put before it
                    rest = before + lines[end:]
                return "".join(rest)
    raise Refused(409, "the entry to undo is no longer in corrections.yaml as it was written: the page reloads")


# --- the file -------------------------------------------------------------------------------------------------

def write(path: Path, text: str) -> None:
    """Atomically, the previous version kept in .history beside it."""
    if path.exists():
        history = path.parent / HISTORY
        history.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        version = history / f"corrections-{stamp}-{time.monotonic_ns() % 10**6:06d}.yaml"
        version.write_bytes(path.read_bytes())
    partial = path.with_name(path.name + ".tmp")  # the watcher ignores *.tmp
    with open(partial, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)


@dataclass
class Write:
    """What a request to write resolves to."""

    text: str
    """The new file."""
    section: str
    fields: dict
    """The entry added or taken out."""


def change(request: dict, current: str | None, edition: Edition, report: Report) -> Write:
    """The new file the request asks for, or Refused: a file changed since the page saw it, a request the
    edition cannot take."""
    if request.get("digest") != digest(current):
        raise Refused(409, "corrections.yaml was changed (by hand, or in another page) since this page was "
                           "loaded: nothing was written; the page reloads with the file as it is now")
    if request.get("action") == "remove":
        section, fields = _text(request, "section"), request.get("fields")
        if section not in FIELDS or not isinstance(fields, dict):
            raise Refused(400, "nothing to undo")
        return Write(remove_entry(current or "", section, fields), section, fields)
    if request.get("action") == "redo":
        section, fields = _text(request, "section"), request.get("fields")
        if section not in FIELDS or not isinstance(fields, dict):
            raise Refused(400, "nothing to redo")
        return Write(add_entry(current, section, fields), section, fields)
    section, fields = entry(request, edition, report)
    return Write(add_entry(current, section, fields), section, fields)


# --- what the page shows in edit mode -----------------------------------------------------------------------

def state(edition: Edition, report: Report, text: str | None) -> dict:
    """The open questions of the article, each where it occurs with its proposal; the bibliography to link
    to; the digest of corrections.yaml as the page sees it."""
    blocks = {b.id: b for b in edition.blocks()}
    questions = []
    for index, d in enumerate(q for q in report.doubts if not q.resolved_by):
        suggestion = _parse_suggestion(corrections.suggest(d, edition))
        item = {"index": index, "kind": d.kind, "detail": d.detail, "note": d.note, "block": d.block or "",
                "excerpt": d.excerpt[:200], "proposal": suggestion}
        if d.kind in ("unanchored-note", "suspected-lacuna") and "after" in suggestion:
            target = blocks.get(suggestion.get("where") or d.block or "")
            if target is not None:
                at = target.text.find(suggestion["after"])
                shown, where = visible(target.text)
                end = at + len(suggestion["after"])
                item["place"] = {"block": target.id, "offset": sum(1 for w in where if w < end)}
        questions.append(item)
    return {"digest": digest(text), "questions": questions,
            "entries": [{"key": e.key, "label": _label(e.raw)} for e in edition.bibliography],
            "notes": [n.n for n in edition.notes]}


def _label(raw: str) -> str:
    shown = lxml_html.fragment_fromstring(f"<p>{inline(raw)}</p>").text_content()
    return shown if len(shown) <= 110 else shown[:107] + "…"


def problems_text(problems: list[Problem]) -> str:
    return "; ".join(str(p) for p in problems[:3]) + (" …" if len(problems) > 3 else "")


class Editor:
    """The edit mode's server side for one run of serve: an article's open questions, and writes to its
    corrections.yaml. checked(slug, text) gives the article's (edition, report) with those corrections (text
    None: the file as it is), or raises EditionError with the problems check would print."""

    def __init__(self, folder_of, checked):
        self.folder_of, self.checked = folder_of, checked

    def _read(self, slug: str) -> str | None:
        path = self.folder_of(slug) / corrections.FILE
        return path.read_text(encoding="utf-8") if path.exists() else None

    def state(self, slug: str) -> dict:
        text = self._read(slug)
        edition, report = self._edition(slug, None)
        return {"slug": slug, **state(edition, report, text)}

    def write(self, request: dict) -> dict:
        slug = _text(request, "slug")
        current = self._read(slug)
        edition, report = self._edition(slug, None)
        done = change(request, current, edition, report)
        self._edition(slug, done.text)  # the article checked with the new file, as check would
        write(self.folder_of(slug) / corrections.FILE, done.text)
        return {"digest": digest(done.text), "section": done.section, "fields": done.fields}

    def _edition(self, slug: str, text: str | None):
        from .problems import EditionError
        try:
            return self.checked(slug, text)
        except KeyError:
            raise Refused(404, f"there is no article '{slug}' in this build") from None
        except EditionError as exc:
            where = "corrections.yaml as it is" if text is None else "the entry"
            raise Refused(422, f"not written: with {where}, the article does not build: "
                               f"{problems_text(exc.problems)}") from None
