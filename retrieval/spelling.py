"""Mistyped names in questions, read as the corpus's spelling ("stoltenbreg" → "stoltenberg").

People in a group type fast: a name with two letters swapped or one letter off is no word the
articles hold, so it would count as missing and keep the bot quiet on a question it can answer.
A question word is corrected only when the corpus lacks it, no dictionary knows it (a real word
the articles lack is missing, not mistyped), it is long enough that one slip cannot turn another
name into it, and exactly one corpus word lies one edit away. The local index looks each spelling
up in memory; the PostgreSQL store is asked about all of them at once (`spellings_to_look_up`).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from retrieval.colloquial import is_indonesian_word
from retrieval.text import TermGroup

# Shorter words lie one edit from too many others ("ahmad"/"ahmed", "iran"/"irak").
MIN_CORRECTED_LENGTH = 7
_LETTERS = string.ascii_lowercase


def one_edit_away(word: str) -> Iterator[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion from `word`."""
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            yield head + tail[1:]
            if len(tail) > 1:
                yield head + tail[1] + tail[0] + tail[2:]
            for letter in _LETTERS:
                if letter != tail[0]:
                    yield head + letter + tail[1:]
        for letter in _LETTERS:
            yield head + letter + tail


def corrected_groups(groups: Sequence[TermGroup], known: Callable[[str], bool]) -> list[TermGroup]:
    """`groups` with the corpus's spelling added to each mistyped word (see the module's note)."""
    return [_corrected(group, known) for group in groups]


def spellings_to_look_up(groups: Sequence[TermGroup]) -> frozenset[str]:
    """Every term `corrected_groups` may ask `known` about: the words that could be mistyped and
    each string one edit from them. An article database answers for all of them in one query."""
    words = [group.terms[0] for group in groups if _may_be_mistyped(group)]
    return frozenset(w for word in words for w in (word, *one_edit_away(word)))


def _may_be_mistyped(group: TermGroup) -> bool:
    word = group.terms[0]
    if group.number or len(group.terms) > 1 or len(word) < MIN_CORRECTED_LENGTH or not word.isalpha():
        return False
    return not is_indonesian_word(word)


def _corrected(group: TermGroup, known: Callable[[str], bool]) -> TermGroup:
    if not _may_be_mistyped(group):
        return group
    word = group.terms[0]
    if known(word):
        return group
    near = {candidate for candidate in one_edit_away(word) if known(candidate)}
    if len(near) != 1:
        return group  # nothing near, or two names near: a guess either way
    return replace(group, terms=(word, *near), untranslated=False)  # a corpus word: searched for
