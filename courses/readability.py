"""Readability figures for Swedish text: LIX (läsbarhetsindex) and word counts.

LIX = words / sentences + 100 * long words / words, where a long word has
more than six letters. Below 30 is very easy, 30–40 easy, 40–50 medium.
Pure Python so the catalogue writers can run it without Django.
"""

from __future__ import annotations

import re
import statistics
import sys
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü0-9]+(?:[-'][A-Za-zÅÄÖåäöÉéÜü0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)|\n\s*\n|\n\s*[-*\d]")
_MARKDOWN = re.compile(r"\]\([^)]*\)|[#*_>`\[\]]")
# "1. " starting a numbered list item is markup, not a word; the item still ends a sentence.
_NUMBERED_ITEM = re.compile(r"^[ \t]*\d+\.[ \t]+", re.MULTILINE)


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        if not self.words:
            return 0.0
        return self.words / max(self.sentences, 1) + 100 * self.long_words / self.words


def plain(text: str) -> str:
    """Strip Markdown link targets and markup so only the read words remain."""
    return _MARKDOWN.sub(" ", _NUMBERED_ITEM.sub("\n", text))


def measure(text: str) -> Readability:
    text = plain(text)
    words = _WORD.findall(text)
    long_words = sum(1 for w in words if len(w) > 6)
    sentences = len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)])
    return Readability(len(words), sentences, long_words)


def combine(parts: list[Readability]) -> Readability:
    return Readability(
        sum(p.words for p in parts),
        sum(p.sentences for p in parts),
        sum(p.long_words for p in parts),
    )


def lesson_main_text(data: dict) -> str:
    """The prose a learner reads in a lesson source: intro, text and fact boxes."""
    parts = [data.get("intro", "")]
    for block in data.get("body", []):
        if block.get("type") == "text":
            parts.append(block.get("text", ""))
        elif block.get("type") == "fact":
            parts.append(block.get("text", ""))
    return "\n\n".join(parts)


def main(paths: list[str]) -> None:  # pragma: no cover - a writer's tool
    import yaml

    figures = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        if not isinstance(data, dict) or "body" not in data:
            continue
        r = measure(lesson_main_text(data))
        figures.append(r.lix)
        sys.stdout.write(f"{path}: {r.words} ord, LIX {r.lix:.1f}\n")
    if figures:
        sys.stdout.write(f"median LIX {statistics.median(figures):.1f}\n")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
