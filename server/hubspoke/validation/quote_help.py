"""Help for a quote that is not in its seed: the closest passage of the seed, how alike the two are,
and the exact characters that differ (a straight quotation mark where the seed has a curly one, a
wrong year, a dropped word).

The seed is cut into sentences; windows of one to three sentences are ranked by the share of the
quote's words they hold (cheap), and only the best few are aligned character by character with
difflib, so a 50 KB seed takes milliseconds.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_WORD = re.compile(r"\w+")
WINDOW_SENTENCES = 3  # a quote of at most 40 words rarely spans more
CANDIDATES = 5  # windows aligned character by character after the word ranking
MAX_DIFFERENCES = 5
CLOSE = 0.75  # below this a passage is shown, but its differences would be noise


@dataclass(frozen=True)
class Passage:
    """The seed passage most like a quote, with its similarity (0-1) and what differs."""

    text: str
    score: float
    differences: tuple[str, ...]

    def describe(self) -> str:
        if not self.text:
            return ""
        if self.score < CLOSE:
            return f"; no passage of the seed is close (the best, {self.score:.0%} alike, is \"{self.text}\")"
        if len(self.differences) > MAX_DIFFERENCES:
            return (f"; the closest passage ({self.score:.0%} alike) is \"{self.text}\", "
                    f"which differs from the quote in {len(self.differences)} places")
        shown = "; ".join(self.differences)
        return f"; the closest passage ({self.score:.0%} alike) is \"{self.text}\"" + (f"; {shown}" if shown else "")


def _spell(chars: str) -> str:
    """Characters as a curator can tell them apart: one to three marks or spaces by code point and name."""
    if len(chars) <= 3 and not any(c.isalnum() for c in chars):
        return " ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?').lower()}" for c in chars)
    return f"\"{chars}\""


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def differences(quote: str, passage: str) -> tuple[str, ...]:
    """Each place where the quote departs from the passage, in the quote's order, word by word (and
    mark by mark) so that a changed year reads "2008" where the seed has "2007"."""
    ours, theirs = _TOKEN.findall(quote), _TOKEN.findall(passage)
    found = []
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        mine, seed = "".join(ours[i1:i2]), "".join(theirs[j1:j2])
        if tag == "replace":
            found.append(f"the quote has {_spell(mine)} where the seed has {_spell(seed)}")
        elif tag == "delete":
            found.append(f"the quote adds {_spell(mine)}")
        elif tag == "insert":
            found.append(f"the quote leaves out {_spell(seed)}")
    counted = list(dict.fromkeys(found))  # the same swap told once, with how often
    return tuple(d + (f" ({found.count(d)} times)" if found.count(d) > 1 else "") for d in counted)


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _aligned(quote: str, window: str) -> str:
    """The part of the window that lines up with the quote (the window itself when nothing does)."""
    matcher = difflib.SequenceMatcher(None, quote, window, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 3]
    if not blocks:
        return window
    start = max(0, blocks[0].b - blocks[0].a)
    end = min(len(window), blocks[-1].b + blocks[-1].size + (len(quote) - blocks[-1].a - blocks[-1].size))
    return window[start:end].strip()


def closest_passage(quote: str, text: str) -> Passage:
    """The passage of the (normalised) seed text closest to the (normalised) quote."""
    words = {w.lower() for w in _WORD.findall(quote)}
    if not words or not text:
        return Passage("", 0.0, ())
    spans = _sentences(text)
    held = [words & {w.lower() for w in _WORD.findall(text[a:b])} for a, b in spans]
    ranked: list[tuple[float, int, str]] = []
    for first in range(len(spans)):
        shared_words: set[str] = set()
        for last in range(first, min(first + WINDOW_SENTENCES, len(spans))):
            shared_words |= held[last]
            window = text[spans[first][0]:spans[last][1]]
            shared = len(shared_words) / len(words)
            # prefer the shortest window that holds as many of the quote's words
            ranked.append((shared, -(last - first), window))
    ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)
    best = Passage("", 0.0, ())
    for _shared, _length, window in ranked[:CANDIDATES]:
        passage = _aligned(quote, window)
        score = difflib.SequenceMatcher(None, quote, passage, autojunk=False).ratio()
        if score > best.score:
            best = Passage(passage, score, differences(quote, passage))
    return best
