"""Every font a page uses, in forms and patterns too, is embedded."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from awareprint.preflight.findings import Findings

# --- fonts ----------------------------------------------------------------------------------------------


def check_fonts(pages: list[pikepdf.Page], findings: Findings) -> None:
    """Every font in every page's resources, forms, patterns and Type 3 fonts: one line per missing font."""
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pages, 1):
        for name, font in _fonts(page.obj.get("/Resources"), seen):
            if not _embedded(font):
                base = str(font.get("/BaseFont", name)).lstrip("/")
                findings.error(
                    "preflight-font",
                    f"page {number}: font {base} is not embedded",
                    "embed every font (awareprint draws only embedded TrueType subsets)",
                )


def _fonts(
    resources: pikepdf.Object | None, seen: set[tuple[int, int]]
) -> Iterator[tuple[str, pikepdf.Object]]:
    """Fonts reachable from a resource dictionary, each once (by object number) over the whole file."""
    if not isinstance(resources, pikepdf.Dictionary) or not _first_visit(resources, seen):
        return
    for name, font in resources.get("/Font", pikepdf.Dictionary()).items():
        if isinstance(font, pikepdf.Dictionary) and _first_visit(font, seen):
            yield name, font
            if font.get("/Subtype") == pikepdf.Name.Type3:
                yield from _fonts(font.get("/Resources"), seen)
    for group in ("/XObject", "/Pattern"):
        for child in resources.get(group, pikepdf.Dictionary()).values():
            form = isinstance(child, pikepdf.Stream) and child.get("/Subtype") != pikepdf.Name.Image
            if form and _first_visit(child, seen):  # a form may hold itself in its own resources
                yield from _fonts(child.get("/Resources"), seen)


def _first_visit(obj: pikepdf.Object, seen: set[tuple[int, int]]) -> bool:
    if not obj.is_indirect:
        return True
    if obj.objgen in seen:
        return False
    seen.add(obj.objgen)
    return True


def _embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == pikepdf.Name.Type3:  # glyphs are content streams in the file itself
        return True
    if font.get("/Subtype") == pikepdf.Name.Type0:
        descendants = font.get("/DescendantFonts", pikepdf.Array())
        font = descendants[0] if len(descendants) else pikepdf.Dictionary()
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )
