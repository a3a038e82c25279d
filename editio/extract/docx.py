"""The reader of Word manuscripts (.docx)."""
from __future__ import annotations

from pathlib import Path

from .common import Line, Work


def read_docx(path: Path, label: str) -> tuple[list[Line], bytes]:
    Work(label).fail(0, "Word manuscripts are not read yet", "", "give the article's PDF or text")
