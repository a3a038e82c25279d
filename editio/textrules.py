"""Small recognisers for printed text, shared by the stages."""
from __future__ import annotations

import re
import unicodedata

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
CAPITAL = "A-ZÀ-ŽА-ЯЁЄІЇҐ"
"""Capital letters (Latin, accented Latin, Cyrillic), for character classes."""
SMALL = "a-zà-žа-яёєіїґ"
"""Small letters of the same scripts."""
SUPERSCRIPT_VALUE = str.maketrans(SUPERSCRIPTS, "0123456789")
CLOSING = "'’\"”)]*»"
SENTENCE_END = ".!?…"

_LETTER = rf"[^\W\d_{SUPERSCRIPTS}]"
WORD = re.compile(rf"{_LETTER}+(?:['’]{_LETTER}+)*(?:-{_LETTER}+(?:['’]{_LETTER}+)*)*")
"""A word, apostrophes and hyphens inside it included (mother-in-law, Il'ich). Runs of letters, not a
letter at a time: found in every text of an article several times over, this way twice as fast."""

TRAILING_MARKER = re.compile(rf"(?:\s?[{SUPERSCRIPTS}]+|(?<=[.,;:!?'’\"”)])\s?\d{{1,3}})+\s*$")

MONTHS = ("january february march april may june july august september october november december "
          "jan feb mar apr jun jul aug sep sept oct nov dec").split()


def superscript_value(text: str) -> int:
    return int(text.translate(SUPERSCRIPT_VALUE))


def strip_trailing_marker(text: str) -> str:
    """The text without a note marker at its very end ('unity.⁴⁷' -> 'unity.')."""
    return TRAILING_MARKER.sub("", text.rstrip())


def ends_sentence(text: str) -> bool:
    """Whether the text ends at the end of a sentence (markers and closing quotes aside)."""
    core = strip_trailing_marker(text).rstrip(CLOSING + " ")
    return bool(core) and core[-1] in SENTENCE_END


def starts_lowercase(text: str) -> bool:
    first = next((c for c in text if c.isalpha()), "")
    return bool(first) and first.islower() and not text.lstrip().startswith(("'", "‘", "\"", "“"))


def first_word(text: str) -> str:
    m = WORD.search(text)
    return m.group(0) if m else ""


def spelling(word: str) -> str:
    """A word as compared across the document: lower case, possessive dropped."""
    w = word.lower().replace("’", "'")
    return w[:-2] if w.endswith("'s") else w


# Letters with no decomposition to an ASCII base letter.
_UNDECOMPOSED = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE",
                               "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ħ": "h"})


# Cyrillic (Russian, Ukrainian) in the Library of Congress manner, without diacritics; hard and soft signs dropped.
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіѣєїґ",
                     "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e iu ia i e ie i g".split()))
_TRANSLIT = str.maketrans({**{c: ("" if t == "_" else t) for c, t in _CYRILLIC.items()},
                           **{c.upper(): ("" if t == "_" else t.capitalize()) for c, t in _CYRILLIC.items()}})


def translit(text: str) -> str:
    """Cyrillic letters in Latin (Иванова -> Ivanova, Щукин -> Shchukin); other text unchanged."""
    return text.translate(_TRANSLIT)


def fold(text: str) -> str:
    """ASCII letters and digits only, lower case (for keys and ids); Cyrillic transliterated."""
    norm = unicodedata.normalize("NFKD", translit(text).translate(_UNDECOMPOSED))
    return "".join(c for c in norm if c.isascii() and (c.isalnum() or c in " -")).lower()


def slugify(text: str, limit: int = 6) -> str:
    words = re.findall(r"[a-z0-9]+", fold(text.replace("'", "").replace("’", "")))
    return "-".join(words[:limit]) or "section"


def plain(markdown_text: str) -> str:
    """Inline Markdown emphasis removed, for excerpts and comparisons."""
    return re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", markdown_text)


def excerpt(text: str, limit: int = 160) -> str:
    """The text shortened in the middle so both of its ends stay readable."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return text[:half].rstrip() + " […] " + text[-half:].lstrip()


def unique(base: str, used: set[str]) -> str:
    """base, or base-2, base-3, … : the first not yet used (and now used)."""
    candidate, i = base, 2
    while candidate in used:
        candidate, i = f"{base}-{i}", i + 1
    used.add(candidate)
    return candidate
