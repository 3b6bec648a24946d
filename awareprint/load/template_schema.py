"""The template format as JSON Schema, built from the same key tables the loader enforces.

Editors (VS Code's YAML extension, JetBrains) read it to complete and check a template as a designer types;
`awareprint templates check` still has the last word (it also checks spans, contrast and fit). A file that
`extends:` another, or a shared base, may leave anything out: keys are required only in files that stand
alone.
"""

from __future__ import annotations

from typing import Any

from .materials import AUDIENCES
from .organisation import MAX_CONTACT_LINES
from .templates import (
    CONTACTS_SHOWN,
    FOLDED_PAGE_KEYS,
    FONT_WEIGHTS,
    GRID_KEYS,
    ITEM_SPACING,
    LEADING,
    LIST_CONTENT,
    LOGO_SHARE,
    MAX_GRID,
    META_KEYS,
    PAGE_KEYS,
    SIDES,
    SLOT_KEYS,
    STYLE_KEYS,
    TEMPLATE_KINDS,
    TEXT_CONTENT,
    TOP_KEYS,
    TYPE_SCALE,
)

# the loader also bounds each length (a bleed from 3mm, a slug from 6pt): the schema only refuses a minus
_LENGTH = {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(pt|mm|cm|in|px)\s*$"}
_SIZE_RANGE = {
    "type": "string",
    "pattern": r"^\s*\d+(\.\d+)?(pt|mm|cm|in|px)(\s*-\s*\d+(\.\d+)?(pt|mm|cm|in|px))?\s*$",
}
_SPAN = {"type": ["string", "integer"], "pattern": r"^\s*\d+\s*(-\s*\d+)?\s*$"}
_NAME = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_-]*$"}


def _number(minimum: float, maximum: float) -> dict[str, Any]:
    return {"type": ["number", "string"], "minimum": minimum, "maximum": maximum}


def _integer(minimum: int, maximum: int) -> dict[str, Any]:
    return {"type": ["integer", "string"], "pattern": r"^\d+$", "minimum": minimum, "maximum": maximum}


_COUNT = _integer(1, MAX_GRID)
_ALIGN = {"enum": ["start", "center", "end"]}
_VALIGN = {"enum": ["top", "middle", "bottom"]}
_VALUES: dict[str, dict[str, Any]] = {
    "kind": {"type": "string"},
    "columns": _SPAN,
    "rows": _SPAN,
    "panel": _NAME,
    "audience": {"enum": list(AUDIENCES)},
    "colour": _NAME,
    "bleed": {"type": "array", "items": {"enum": list(SIDES)}, "uniqueItems": True},
    "style": _NAME,
    "number_style": _NAME,
    "caption_style": _NAME,
    "align": _ALIGN,
    "valign": _VALIGN,
    "per_row": _COUNT,
    "max_items": _COUNT,
    "show": {"enum": list(CONTACTS_SHOWN)},
    "arrangement": {"enum": ["stacked", "inline"]},
    "marker": {"enum": ["number", "none"]},
    "marker_colour": _NAME,
    "marker_text_colour": _NAME,
    "name_colour": _NAME,
    "number_colour": _NAME,
    "plate": _NAME,
    "item_spacing": _number(*ITEM_SPACING),
    "items": _SPAN,
    "logo_share": _number(*LOGO_SHARE),
    "max_lines": _integer(0, MAX_CONTACT_LINES),
    "with_organisation": {
        "type": "object",
        "description": "The slot's columns and rows when an organisation (--org) or a logo is printed.",
        "properties": {"columns": _SPAN, "rows": _SPAN},
        "additionalProperties": False,
    },
}
_CONTENT = {
    "text": {"enum": list(TEXT_CONTENT)},
    "figures": {"enum": ["key_figures", "more_figures"]},
    "list": {"enum": list(LIST_CONTENT)},
}


def template_schema() -> dict[str, Any]:
    slot_variants = [_slot_variant(kind) for kind in SLOT_KEYS]
    all_slot_keys = sorted({key for required, optional in SLOT_KEYS.values() for key in required | optional})
    slot = {
        "type": "object",
        "description": "A named place on the page; `kind` says what it holds.",
        "properties": {
            key: _VALUES.get(key, {}) for key in [*all_slot_keys, "panel", "audience", "with_organisation"]
        },
        "additionalProperties": False,
        "if": {"required": ["kind"]},
        "then": {"oneOf": slot_variants},
    }
    slots = {"type": "object", "additionalProperties": slot, "minProperties": 1}
    cmyk = {"type": "array", "items": {"type": ["number", "string"]}, "minItems": 4, "maxItems": 4}
    style = _object(
        STYLE_KEYS,
        {
            "font": {"enum": list(FONT_WEIGHTS)},
            "size": _SIZE_RANGE,
            "leading": _number(*LEADING),
            "colour": _NAME,
        },
    )
    properties = {
        "extends": {
            "type": "string",
            "description": "Another template (file name without .yaml) to start from.",
        },
        "template": _object(
            META_KEYS,
            {"name": _NAME, "description": {"type": "string"}, "kind": {"enum": list(TEMPLATE_KINDS)}},
        ),
        "page": _object(
            PAGE_KEYS,
            {
                "trim": {"type": "string", "pattern": r"^\s*\S+\s*x\s*\S+\s*$"},
                "bleed": _LENGTH,
                "slug": _LENGTH,
                "margins": _object(({*SIDES}, set()), dict.fromkeys(SIDES, _LENGTH)),
            },
        ),
        "grid": _object(GRID_KEYS, {"columns": _COUNT, "rows": _COUNT, "column_gap": _LENGTH}),
        "colours": {"type": "object", "additionalProperties": cmyk},
        "styles": {"type": "object", "additionalProperties": style},
        "type_scale": _number(*TYPE_SCALE),
        "brand_colour": _NAME,
        "reading_order": {"type": "array", "items": {"type": "string", "pattern": r"^\S+\.\S+$"}},
        "slots": slots,
        "pages": {
            "type": "object",
            "additionalProperties": _object(
                FOLDED_PAGE_KEYS,
                {"panels": {"type": "object", "additionalProperties": _LENGTH}, "slots": slots},
            ),
        },
    }
    required, _ = TOP_KEYS
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "awareprint template",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        # a template that stands alone (has `template:` and no `extends:`) needs every part; a shared
        # base such as _leaflet.yaml, or a file extending one, may hold only some
        "if": {"required": ["template"], "not": {"required": ["extends"]}},
        "then": {"required": sorted(required), "oneOf": [{"required": ["slots"]}, {"required": ["pages"]}]},
    }


def _object(keys: tuple[set[str], set[str]], values: dict[str, Any]) -> dict[str, Any]:
    """A mapping with exactly these keys; required ones only matter in a file that stands alone."""
    required, optional = keys
    return {
        "type": "object",
        "properties": {key: values.get(key, {}) for key in sorted(required | optional)},
        "additionalProperties": False,
    }


def _slot_variant(kind: str) -> dict[str, Any]:
    required, _ = SLOT_KEYS[kind]
    properties: dict[str, Any] = {"kind": {"const": kind}}
    if kind in _CONTENT:
        properties["content"] = _CONTENT[kind]
    return {"properties": properties, "required": sorted(required)}
