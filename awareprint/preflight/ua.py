"""`preflight --ua`: the conditions of PDF/UA-1 (ISO 14289-1) that a machine can check, as the Matterhorn
Protocol lists them (its failure-condition numbers are given where a finding matches one).

What it checks, reading only the file: the document is marked as tagged and has a structure tree; its
XMP claims PDF/UA-1 (pdfuaid:part) and has a dc:title, which viewers show (DisplayDocTitle); it has a
language; every piece of page content is either tagged (marked content with an MCID that the ParentTree
maps to a structure element) or an Artifact; every structure type is a standard one (or role-mapped);
every Figure has alternative text; heading levels are not skipped; every link annotation has a
description (/Contents) and sits in a Link element; every page with annotations has Tabs /S. What needs a
person (is the alternative text right, is the reading order sensible) it cannot judge.
"""

from __future__ import annotations

import pikepdf

from awareprint.preflight.findings import Findings

STANDARD_TYPES = frozenset(
    [
        "Document",
        "Part",
        "Art",
        "Sect",
        "Div",
        "BlockQuote",
        "Caption",
        "TOC",
        "TOCI",
        "Index",
        "NonStruct",
        "Private",
        "P",
        "H",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "H6",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Table",
        "TR",
        "TH",
        "TD",
        "THead",
        "TBody",
        "TFoot",
        "Span",
        "Quote",
        "Note",
        "Reference",
        "BibEntry",
        "Code",
        "Link",
        "Annot",
        "Ruby",
        "RB",
        "RT",
        "RP",
        "Warichu",
        "WT",
        "WP",
        "Figure",
        "Formula",
        "Form",
    ]
)
_PAINTING = frozenset(
    ["Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"]
)
_FIX = "make the screen edition again (awareprint poster --edition screen)"


def check_ua(pdf: pikepdf.Pdf, findings: Findings) -> None:
    root = pdf.Root
    marked = root.MarkInfo.get("/Marked") if "/MarkInfo" in root else None
    if not (isinstance(marked, bool) and marked):
        findings.error("ua-untagged", "the document is not marked as tagged (MarkInfo /Marked true)", _FIX)
    tree = root.get("/StructTreeRoot")
    if tree is None:
        findings.error("ua-untagged", "no structure tree (StructTreeRoot): nothing is tagged", _FIX)
        return
    _metadata(pdf, findings)
    if not str(root.get("/Lang", "")).strip():
        findings.error("ua-language", "the document has no language (/Lang) (Matterhorn 11-006)", _FIX)
    owners = _parent_tree(tree)
    role_map = tree.get("/RoleMap", pikepdf.Dictionary())
    _elements(tree, role_map, findings)
    for number, page in enumerate(pdf.pages, 1):
        _content(number, page, owners, findings)
        _annotations(number, page, owners, findings)


def _metadata(pdf: pikepdf.Pdf, findings: Findings) -> None:
    if "/Metadata" not in pdf.Root:
        findings.error("ua-metadata", "no XMP metadata stream (Matterhorn 06-001)", _FIX)
        return
    meta = pdf.open_metadata()
    if str(meta.get("pdfuaid:part", "")) != "1":
        findings.error(
            "ua-metadata", "the XMP does not claim PDF/UA-1 (pdfuaid:part; Matterhorn 06-002)", _FIX
        )
    if not str(meta.get("dc:title", "")).strip():
        findings.error("ua-metadata", "the XMP has no dc:title (Matterhorn 06-003)", _FIX)
    preferences = pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
    if not (isinstance(shown := preferences.get("/DisplayDocTitle"), bool) and shown):
        findings.error(
            "ua-title",
            "viewers show the file name, not the title (DisplayDocTitle; 07-001)",
            _FIX,
        )


def _parent_tree(tree: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """The ParentTree's number tree, flattened: key -> structure element, or array of them by MCID."""
    found: dict[int, pikepdf.Object] = {}
    stack = [tree.get("/ParentTree")]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        nums = list(node.get("/Nums", []))
        for index in range(0, len(nums) - 1, 2):
            found[int(nums[index])] = nums[index + 1]
        stack += list(node.get("/Kids", []))
    return found


def _elements(tree: pikepdf.Object, role_map: pikepdf.Object, findings: Findings) -> None:
    last_heading = 0
    stack = [tree.get("/K")]
    seen: set[tuple[int, int]] = set()
    order: list[pikepdf.Object] = []
    while stack:  # depth first, in document order
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack += reversed(list(node))
            continue
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        order.append(node)
        stack.append(node.get("/K"))
    for element in order:
        role = str(element.S)[1:]
        standard = str(role_map.get("/" + role, "/" + role))[1:]
        if standard not in STANDARD_TYPES:
            findings.error(
                "ua-structure", f"structure type '{role}' is neither standard nor role-mapped (02-001)", _FIX
            )
        if standard == "Figure" and not str(element.get("/Alt", "")).strip():
            findings.error("ua-alt", "a Figure has no alternative text (Matterhorn 13-004)", _FIX)
        if len(standard) == 2 and standard[0] == "H" and standard[1].isdigit():
            level = int(standard[1])
            if level > last_heading + 1:
                findings.error(
                    "ua-headings",
                    f"heading level H{level} follows H{last_heading or 'none'}: a level is skipped (14-003)",
                    _FIX,
                )
            last_heading = level


def _content(number: int, page: pikepdf.Page, owners: dict[int, pikepdf.Object], findings: Findings) -> None:
    """Every painting operator is in an Artifact, or in marked content whose MCID the ParentTree maps."""
    key = page.obj.get("/StructParents")
    mapped = owners.get(int(key)) if key is not None else None
    count = len(mapped) if isinstance(mapped, pikepdf.Array) else 0
    stack: list[tuple[bool, int | None]] = []  # (artifact, mcid) of each open marked-content sequence
    untagged = unmapped = 0
    for instruction in pikepdf.parse_content_stream(page):
        operands, operator = instruction.operands, instruction.operator
        op = str(operator)
        if op in ("BMC", "BDC"):
            artifact = str(operands[0]) == "/Artifact"
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
            stack.append((artifact, mcid))
        elif op == "EMC" and stack:
            stack.pop()
        elif op in _PAINTING:
            if any(artifact for artifact, _ in stack):
                continue
            mcids = [mcid for _, mcid in stack if mcid is not None]
            if not mcids:
                untagged += 1
            elif not 0 <= mcids[-1] < count:
                unmapped += 1
    if untagged:
        findings.error(
            "ua-untagged-content",
            f"page {number}: {untagged} pieces of content are neither tagged nor an Artifact (01-005)",
            _FIX,
        )
    if unmapped:
        findings.error(
            "ua-parent-tree",
            f"page {number}: {unmapped} marked pieces have no structure element",
            _FIX,
        )


def _annotations(
    number: int, page: pikepdf.Page, owners: dict[int, pikepdf.Object], findings: Findings
) -> None:
    annotations = list(page.obj.get("/Annots", []))
    if annotations and page.obj.get("/Tabs") != pikepdf.Name.S:
        findings.error("ua-tabs", f"page {number} has annotations but no Tabs /S (Matterhorn 28-002)", _FIX)
    for annotation in annotations:
        if annotation.get("/Subtype") != pikepdf.Name.Link:
            continue
        if not str(annotation.get("/Contents", "")).strip():
            findings.error("ua-link", f"page {number}: a link has no description (/Contents)", _FIX)
        key = annotation.get("/StructParent")
        element = owners.get(int(key)) if key is not None else None
        if not isinstance(element, pikepdf.Dictionary) or element.get("/S") != pikepdf.Name.Link:
            findings.error(
                "ua-link",
                f"page {number}: a link annotation is not in a Link element (28-011)",
                _FIX,
            )
