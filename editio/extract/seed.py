"""The reader of text seeds: a PDF-to-text extraction as lines (UTF-8, BOM and CRLF undone); what cannot
be read fails clearly."""
from __future__ import annotations

from pathlib import Path

from .common import Line, Work


def read_seed(path: Path, work: Work) -> tuple[list[Line], bytes]:
    """The seed's lines (BOM dropped, CRLF/CR normalised); unreadable input fails clearly."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        work.fail(0, "cannot read the file", exc.strerror or str(exc), "check the path and its permissions")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        work.fail(1, "the file is empty", "", "give a seed that holds the article's text")
    nul = data.find(b"\x00")
    if nul >= 0:
        work.fail(data.count(b"\n", 0, nul) + 1, "this is a binary file, not text (it contains NUL bytes)",
                  "", "give the plain-text extraction of the article (UTF-8)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        work.fail(line, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at column {col})", "",
                  "convert it to UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [Line(i + 1, t) for i, t in enumerate(text.split("\n"))], data
