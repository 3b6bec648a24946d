"""Writes awareprint/emoji_table.py: which characters are emoji, from the Unicode data the `regex` module has.

Run it when Unicode adds emoji: `pip install regex && python tools/make_emoji_table.py`. The table is checked
in, so awareprint itself needs neither `regex` (about 50 ms to import) nor the Unicode files at run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import regex

TARGET = Path(__file__).resolve().parent.parent / "awareprint" / "emoji_table.py"
PICTOGRAPHS = 0x1F000  # from here on every Extended_Pictographic character is a picture, never a letter


def ranges(pattern: str, keep: range) -> list[tuple[int, int]]:
    compiled = regex.compile(pattern)
    found: list[tuple[int, int]] = []
    for code in keep:
        if compiled.match(chr(code)):
            if found and found[-1][1] == code - 1:
                found[-1] = (found[-1][0], code)
            else:
                found.append((code, code))
    return found


def as_class(found: list[tuple[int, int]]) -> str:
    parts = [f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in found]
    lines = [""]
    for part in parts:
        if len(lines[-1]) + len(part) > 96:
            lines.append("")
        lines[-1] += part
    return "\n".join(f'    "{line}"' for line in lines)


def main() -> None:
    below, above = range(PICTOGRAPHS), range(PICTOGRAPHS, sys.maxunicode + 1)
    emoji = ranges(r"\p{Emoji_Presentation}", below) + ranges(
        r"\p{Emoji_Presentation}|\p{Extended_Pictographic}", above
    )
    text_default = ranges(r"\p{Extended_Pictographic}", below)
    TARGET.write_text(
        f'"""Which characters are emoji, from the Unicode data of the `regex` module {regex.__version__}: '
        "written by\ntools/make_emoji_table.py, do not edit.\n\n"
        "EMOJI: a picture by default (Emoji_Presentation), and every pictograph or emoji part\n"
        "from U+1F000 on (flags' regional indicators, skin tones).\n"
        "PICTOGRAPHIC: below U+1F000, text by default (©, ®, ™, ☎, arrows): an emoji only when U+FE0F\n"
        'VARIATION SELECTOR-16 follows it.\n"""\n\n'
        f"EMOJI = (\n{as_class(emoji)}\n)\n"
        f"PICTOGRAPHIC = (\n{as_class(text_default)}\n)\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
