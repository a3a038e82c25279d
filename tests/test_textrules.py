"""The word every stage counts and compares (textrules.WORD)."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from editio.textrules import SUPERSCRIPTS, WORD

_LETTER = rf"[^\W\d_{SUPERSCRIPTS}]"
# The definition, a letter at a time: a letter, then letters or an apostrophe followed by a letter; the same
# again after each hyphen.
DEFINED = re.compile(rf"{_LETTER}(?:{_LETTER}|['’](?={_LETTER}))*(?:-{_LETTER}(?:{_LETTER}|['’](?={_LETTER}))*)*")


def test_words_keep_their_apostrophes_and_hyphens_inside_and_nothing_around():
    text = "Il'ich’s mother-in-law, 'Trotsky'¹ said 12-fold -- rabochie-, o’clock’ Щукин's l'"
    assert WORD.findall(text) == ["Il'ich’s", "mother-in-law", "Trotsky", "said", "fold", "rabochie", "o’clock",
                                  "Щукин's", "l"]


@given(st.text(alphabet="ab'’- 1²xЖ_.é\n", max_size=40))
def test_words_are_the_defined_words(text):
    assert WORD.findall(text) == DEFINED.findall(text)
