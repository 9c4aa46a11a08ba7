"""Word wrapping as github.com/mitchellh/go-wordwrap v1.0.1 does it (kubectl explain's ``wrap``).

Lines break only at white space (never at a non-breaking space), before the word that would
pass the limit; a word longer than the limit overflows rather than breaks; explicit newlines
are kept. Widths count characters (runes), not bytes.
"""

from __future__ import annotations

NBSP = "\u00a0"
_NOT_GO_SPACE = "\x1c\x1d\x1e\x1f"  # Python's isspace says yes, Go's unicode.IsSpace no


def _is_space(char: str) -> bool:
    return char.isspace() and char != NBSP and char not in _NOT_GO_SPACE


def wrap_string(text: str, limit: int) -> str:
    """``text`` wrapped within ``limit`` characters per line."""
    out: list[str] = []
    current = 0
    word: list[str] = []
    space: list[str] = []
    for char in text:
        if char == "\n":
            if not word:
                if current + len(space) > limit:
                    current = 0
                else:
                    current += len(space)
                    out.extend(space)
                space = []
            else:
                current += len(space) + len(word)
                out.extend(space)
                out.extend(word)
                space, word = [], []
            out.append(char)
            current = 0
        elif _is_space(char):
            if not space or word:
                current += len(space) + len(word)
                out.extend(space)
                out.extend(word)
                space, word = [], []
            space.append(char)
        else:
            word.append(char)
            if current + len(word) + len(space) > limit and len(word) < limit:
                out.append("\n")
                current = 0
                space = []
    if not word:
        if current + len(space) <= limit:
            out.extend(space)
    else:
        out.extend(space)
        out.extend(word)
    return "".join(out)


__all__ = ["wrap_string"]
