"""What pdfium makes of a line's characters met in a given order: the forward model of
`CPDF_TextPage::CloseTempLine` that awareprint/render/reading.py inverts. For tests only; the end-to-end
tests check the real pdfium (and poppler) on real pages."""

from __future__ import annotations

from awareprint.render.reading import MIRROR, Direction, direction_runs, right_to_left


def extracted(written: str, document_rtl: bool) -> str:
    """What pdfium makes of a line met in this order."""
    collapsed: list[str] = []
    for char in written:
        if char == " " and collapsed and collapsed[-1] == " ":
            continue
        collapsed.append(char)
    line = "".join(collapsed)
    runs = direction_runs(line)
    rtl = right_to_left(line, document_rtl)
    if rtl:
        runs.reverse()
    current = Direction.RIGHT if rtl else Direction.LEFT
    out: list[str] = []
    for start, end, kind in runs:
        if kind is Direction.RIGHT or (kind is Direction.NEUTRAL and current is Direction.RIGHT):
            current = Direction.RIGHT
            out += [MIRROR.get(c, c) for c in reversed(line[start:end])]
        else:
            if kind is not Direction.WEAK:
                current = Direction.LEFT
            out += line[start:end]
    return "".join(out)
