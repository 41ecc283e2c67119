"""One normal form for every screened text: each character folded to what it looks like.

The screens of walkthrough.names (titles, phrases that single out a teacher, the staff
roster) read a text only after folding it, character by character, with one table:

- compatibility forms are read as plain ones (NFKC: full-width "Ms" is "Ms", "ﬁ" is "fi");
- format characters are removed (zero-width space and joiners, soft hyphen, word
  joiner, byte-order mark, bidi marks: category Cf), and so are combining marks
  ("Mrś" is "Mrs");
- a letter that looks like a Latin one is that Latin letter (Unicode's confusables
  data, UTS #39: Cyrillic Em (U+041C) is "M", Cyrillic i (U+0456) is "i", Greek
  omicron is "o"), in the case it is written in when Latin has both (Cyrillic capital
  I, U+0406, is "I", not "l"); a letter is only ever read as letters and a digit as
  digits (Cyrillic Ze, U+0417, stays itself, not "3").

Only characters whose fold is plain ASCII (or nothing) are in the table; the rest
(a Hangul syllable, a Devanagari letter) stay as written. ASCII stays as written too:
"rn" is not read as "m", nor "1" as "l" - the screens look for words, not pictures.

The table is generated, never written by hand: `python -m walkthrough.lookalikes`
builds it from ICU's spoof checker (PyICU, a test dependency) and writes it twice,
as `walkthrough/lookalikes.json` for the server and inside
`web/static/js/screening-data.js` for the tablet, so Python and the tablet fold with
the same data whatever Unicode version their runtime has
(tests/unit/test_lookalikes.py checks both files against ICU).
"""

from __future__ import annotations

import json
import string
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

TABLE_PATH = Path(__file__).with_name("lookalikes.json")
JS_PATH = Path(__file__).parents[1] / "web" / "static" / "js" / "screening-data.js"
ASCII_ALNUM = string.ascii_letters + string.digits


@cache
def table() -> dict[str, str]:
    """The fold of each character that has one (a character -> ASCII text, maybe empty)."""
    data: dict[str, Any] = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    folds: dict[str, str] = {}
    for start, end in data["removed"]:
        for code in range(start, end + 1):
            folds[chr(code)] = ""
    folds.update(data["folded"])
    return folds


# --- building the table from ICU (build and test time only) --------------------------


def build() -> dict[str, Any]:
    """The table from ICU's data: {"icu": version, "removed": ranges, "folded": map}."""
    import icu  # type: ignore[import-not-found,unused-ignore]  # PyICU: a test dependency

    checker = icu.SpoofChecker()
    nfkc = icu.Normalizer2.getNFKCInstance()
    nfd = icu.Normalizer2.getNFDInstance()

    def skeleton(text: str) -> str:
        return str(checker.getSkeleton(0, text))

    def category(char: str) -> int:
        return int(icu.Char.charType(char))

    marks = {icu.UCharCategory.NON_SPACING_MARK, icu.UCharCategory.ENCLOSING_MARK,
             icu.UCharCategory.COMBINING_SPACING_MARK}
    formats = {icu.UCharCategory.FORMAT_CHAR}
    unassigned = {icu.UCharCategory.UNASSIGNED, icu.UCharCategory.SURROGATE,
                  icu.UCharCategory.PRIVATE_USE_CHAR}

    def bare(text: str) -> str:
        """NFKC, format characters out, NFD, combining marks out."""
        kept = "".join(c for c in str(nfkc.normalize(text)) if category(c) not in formats)
        return "".join(c for c in str(nfd.normalize(kept)) if category(c) not in marks)

    # Which ASCII letter or digit each skeleton stands for ("rn" is the skeleton of "m").
    spelled: dict[str, list[str]] = {}
    for letter in ASCII_ALNUM:
        spelled.setdefault(skeleton(letter), []).append(letter)

    def latin(char: str) -> str | None:
        """The ASCII a non-ASCII character (already bare) looks like, or None."""
        shape = bare(skeleton(char))
        kind = unicodedata.category(char)
        # A letter reads as letters and a digit as digits: Cyrillic Ze is not "3".
        same_kind = str.isalpha if kind[0] == "L" else str.isdigit if kind == "Nd" else None
        candidates = [c for c in spelled.get(shape, []) if same_kind is None or same_kind(c)]
        if not candidates:
            fits = shape.isascii() and (same_kind is None or same_kind(shape))
            return shape if fits else None

        def preference(letter: str) -> tuple[bool, bool, bool, str]:
            same_case = (kind == "Lu" and letter.isupper()) or (
                kind == "Ll" and letter.islower())
            return (not same_case, not letter.isalpha(), letter != shape, letter)

        return min(candidates, key=preference)

    removed: list[int] = []
    folded: dict[str, str] = {}
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if category(char) in unassigned:
            continue
        plain = bare(char)
        if plain == "":
            removed.append(code)
            continue
        out = []
        for part in plain:
            fold = part if part.isascii() else latin(part)
            if fold is None:
                break
            out.append(fold)
        else:
            folded[char] = "".join(out)
    return {"icu": str(icu.ICU_VERSION), "unicode": str(icu.UNICODE_VERSION),
            "removed": _ranges(removed), "folded": folded}


def _ranges(codes: list[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return ranges


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":")) + "\n"


def render_js(data: dict[str, Any], words: dict[str, Any]) -> str:
    """The tablet's copy of the table and of the screens' word lists, as an ES module."""
    return (
        "// Generated by `python -m walkthrough.lookalikes` from ICU's confusables data\n"
        "// and walkthrough/names.py's word lists. Do not edit: regenerate.\n"
        f"export const LOOKALIKES = {render_json(data).strip()};\n"
        f"export const WORDS = {json.dumps(words, ensure_ascii=True, sort_keys=True)};\n")


def main() -> None:
    from walkthrough.names import shared_words

    data = build()
    TABLE_PATH.write_text(render_json(data), encoding="utf-8")
    JS_PATH.write_text(render_js(data, shared_words()), encoding="utf-8")
    print(f"{len(data['folded'])} folded characters, {len(data['removed'])} removed ranges "
          f"(ICU {data['icu']}, Unicode {data['unicode']})")


if __name__ == "__main__":
    main()
