"""The host's settings (serve.yaml): defaults, the organisation's fixed fields, the brand lock and limits.

A charity hosting the page for its members writes, for example:

    serve:
      default_region: gb
      organisation:            # printed on every file; members cannot change these fields ...
        name: Northshire Schools Trust
        colour: [100, 60, 0, 20]
      members_may_change: [safeguarding_lead, contact]   # ... except these (the brand lock)
      logo: trust-logo.png     # the fixed logo, relative to this file
      basic_auth: {user: members, password_env: AWAREPRINT_PASSWORD}

Every key is checked like any other data file: an unknown key is an error with a "did you mean".
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from awareprint.diagnostics import user_error
from awareprint.load.schema import Mapping, as_list, as_path, as_text, load_yaml
from awareprint.quiet import repr_without

PAGE_LANGUAGES = tuple(sorted(p.stem for p in (Path(__file__).parent / "strings").glob("*.yaml")))
# What a member may type or upload; the organisation's `contacts` (dated, sourced) stay the host's to set
MEMBER_FIELDS = ("name", "safeguarding_lead", "contact", "colour", "logo", "logo_alt")


class Limits(msgspec.Struct, frozen=True):
    upload_bytes: int = 5 * 1024 * 1024  # the whole form, logo included
    logo_pixels: int = 25_000_000  # width x height, read from the header before decoding
    seconds: float = 30.0  # per request, waiting for a worker included
    workers: int = 2  # processes making files: a heavy request holds one, never the others
    languages_per_zip: int = 10
    files_per_worker: int = 200  # a worker is replaced after this many, so its memory stays flat


class BasicAuth(msgspec.Struct, frozen=True):
    user: str
    password: str

    def __repr__(self) -> str:
        return repr_without(self, "password")


class HostConfig(msgspec.Struct, frozen=True):
    default_region: str = "gb"
    default_language: str = "en"
    default_template: str = "poster-a3"
    # fixed values, as org.yaml writes them
    organisation: dict[str, object] = msgspec.field(default_factory=dict)
    logo: bytes | None = None
    members_may_change: tuple[str, ...] = MEMBER_FIELDS
    basic_auth: BasicAuth | None = None
    limits: Limits = Limits()
    secret: bytes = msgspec.field(default_factory=lambda: os.urandom(32))  # signs CSRF tokens
    hsts: bool = False  # send Strict-Transport-Security: only when every visitor arrives over HTTPS
    page_language: str = "en"  # the page's own words: awareprint/web/strings/<code>.yaml

    def __repr__(self) -> str:
        return repr_without(self, "logo", "secret")

    def may_change(self, name: str) -> bool:
        return name in self.members_may_change


_LIMIT_KEYS = {"upload_bytes", "logo_pixels", "seconds", "workers", "languages_per_zip", "files_per_worker"}


def load_host_config(path: Path) -> HostConfig:
    root = Mapping(load_yaml(path), {"serve"})
    serve = root.sub(
        "serve",
        set(),
        {
            "default_region",
            "default_language",
            "default_template",
            "organisation",
            "logo",
            "members_may_change",
            "basic_auth",
            "limits",
            "hsts",
            "page_language",
        },
    )
    organisation: dict[str, object] = {}
    if serve.has("organisation"):
        fixed = serve.sub("organisation", set(), set(MEMBER_FIELDS) - {"logo"})
        organisation = {name: _plain(node.value) for name, node in fixed.items()}
    may_change: tuple[str, ...] = MEMBER_FIELDS
    if serve.has("members_may_change"):
        node = serve.get("members_may_change")
        may_change = tuple(as_text(item) for item in as_list(node))
        unknown = [name for name in may_change if name not in MEMBER_FIELDS]
        if unknown:
            raise node.error(
                f"unknown field '{unknown[0]}'", hint="choose among: " + ", ".join(MEMBER_FIELDS)
            )
    logo = as_path(serve.get("logo"), path.parent).read_bytes() if serve.has("logo") else None
    return HostConfig(
        default_region=serve.text("default_region", "gb"),
        default_language=serve.text("default_language", "en"),
        default_template=serve.text("default_template", "poster-a3"),
        organisation=organisation,
        logo=logo,
        members_may_change=may_change,
        basic_auth=_basic_auth(serve.sub("basic_auth", {"user", "password_env"}))
        if serve.has("basic_auth")
        else None,
        limits=_limits(serve.sub("limits", set(), _LIMIT_KEYS)) if serve.has("limits") else Limits(),
        secret=_secret(),
        hsts=serve.choice("hsts", ("true", "false"), "false") == "true",
        page_language=serve.choice("page_language", PAGE_LANGUAGES, "en"),
    )


def _plain(value: object) -> object:
    """A node's value as plain text and lists, as a form would send it."""
    if isinstance(value, list):
        return [_plain(item.value) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item.value) for key, item in value.items()}
    return value


def _basic_auth(entry: Mapping) -> BasicAuth:
    """The password comes from the environment, never from the file (which may sit in a repository)."""
    variable = entry.text("password_env")
    password = os.environ.get(variable, "")
    if not password:
        raise entry.get("password_env").error(
            f"the environment variable {variable} is not set or empty", hint=f"export {variable}=... first"
        )
    return BasicAuth(entry.text("user"), password)


def _limits(entry: Mapping) -> Limits:
    default = Limits()
    return Limits(
        upload_bytes=entry.integer("upload_bytes", default.upload_bytes, minimum=1024),
        logo_pixels=entry.integer("logo_pixels", default.logo_pixels, minimum=1),
        seconds=entry.number("seconds", default.seconds, minimum=1, maximum=600),
        workers=entry.integer("workers", default.workers, minimum=1, maximum=64),
        languages_per_zip=entry.integer("languages_per_zip", default.languages_per_zip, minimum=1),
        files_per_worker=entry.integer("files_per_worker", default.files_per_worker, minimum=1),
    )


def _secret() -> bytes:
    """AWAREPRINT_SECRET when several server processes must accept each other's forms; else random."""
    given = os.environ.get("AWAREPRINT_SECRET", "")
    if given and len(given) < 16:
        raise user_error("AWAREPRINT_SECRET is shorter than 16 characters", hint="use a long random value")
    return given.encode() if given else os.urandom(32)
