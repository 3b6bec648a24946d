"""`awareprint serve`: one form, server-rendered, that works without JavaScript.

GET / shows the form; POST / with `action=preview` shows it again with a picture of every page, and
with `action=download` answers with the PDF (one language) or a ZIP (several). Files are made by
workers (workers.py) through the Python API; nothing uploaded or made is written to disk by this module
or kept after the response. Every name a user picks is checked against the catalogue, so no form value
ever reaches a file path. The page's own words come from strings/<code>.yaml.
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from awareprint.api import ORGANISATION_MAPPING, UPLOADED_LOGO, Catalogue, FileRequest, catalogue
from awareprint.diagnostics import Diagnostic, Severity
from awareprint.load.folders import Folders, Shelf
from awareprint.load.organisation import MAX_CONTACT_LINES

from .config import MEMBER_FIELDS, HostConfig
from .security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    BodyTooLargeError,
    Guard,
    csrf_field,
    csrf_valid,
    new_csrf_cookie,
)
from .workers import Answer, Job, TimedOutError, WorkerPool

HERE = Path(__file__).parent
MAX_FIELD_CHARACTERS = 500  # a name or a contact line; far above what fits on a page
FIELDS = ("template", "languages", "region", "audience", "edition", *MEMBER_FIELDS)
_COLOUR = re.compile(r"^\s*(\d{1,3}(\.\d+)?)([\s,;]+(\d{1,3}(\.\d+)?)){3}\s*$")


def load_strings(code: str) -> dict[str, str]:
    """The page's words in one language (only names from this folder: never a path from a request)."""
    with (HERE / "strings" / f"{code}.yaml").open(encoding="utf-8") as file:
        strings: dict[str, str] = yaml.safe_load(file)
        return strings


class FormState(msgspec.Struct):
    """What the user chose and typed, and what the page has to say about each field."""

    template: str
    languages: list[str]
    region: str
    audience: str
    edition: str
    # as typed: name, lead, contact, colour
    organisation: dict[str, str] = msgspec.field(default_factory=dict)
    problems: dict[str, list[str]] = msgspec.field(default_factory=dict)  # field -> errors
    notes: dict[str, list[str]] = msgspec.field(default_factory=dict)  # field -> warnings and notes
    previews: list[str] = msgspec.field(default_factory=list)  # data: URIs of the pages

    def problem(self, name: str, text: str) -> None:
        self.problems.setdefault(name, []).append(text)


def create_app(
    config: HostConfig | None = None, folders: Folders | None = None, pool: WorkerPool | None = None
) -> Starlette:
    config = config or HostConfig()
    folders = folders or Folders()
    known = catalogue(folders)
    strings = load_strings(config.page_language)
    pool = pool or WorkerPool(config.limits.workers, config.limits.files_per_worker)
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
    )
    page = environment.get_template("form.html")

    def render(request: Request, state: FormState, status: int = 200) -> HTMLResponse:
        cookie = request.cookies.get(CSRF_COOKIE) or new_csrf_cookie()
        body = page.render(
            t=strings,
            page_language=config.page_language,
            state=state,
            known=known,
            config=config,
            csrf_name=CSRF_FIELD,
            csrf=csrf_field(cookie, config.secret),
            megabytes=config.limits.upload_bytes // (1024 * 1024),
            problem_count=sum(len(p) for p in state.problems.values()),
        )
        response = HTMLResponse(body, status, headers={"cache-control": "no-store"})
        response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=config.hsts)
        return response

    def blank() -> FormState:
        return FormState(
            config.default_template if config.default_template in known.codes("templates") else "poster-a3",
            [config.default_language],
            config.default_region,
            known.audiences[0],
            known.editions[0],
        )

    async def form(request: Request) -> Response:
        return render(request, blank())

    async def submit(request: Request) -> Response:
        if request.scope.get("awareprint.too_large"):
            return _too_large(request)
        try:
            async with request.form(max_files=1, max_fields=200) as data:
                if not csrf_valid(request.cookies.get(CSRF_COOKIE), data.get(CSRF_FIELD), config.secret):
                    state = blank()
                    state.problem("form", strings["form_expired"])
                    return render(request, state, 403)
                state, requests = await _read(data, known, config, strings)
                download = data.get("action") == "download"
        except BodyTooLargeError:
            return _too_large(request)
        if state.problems:
            return render(request, state, 422)
        if not download:
            requests = requests[:1]
        elif len(requests) > config.limits.languages_per_zip:
            state.problem(
                "languages", strings["too_many_languages"].format(limit=config.limits.languages_per_zip)
            )
            return render(request, state, 422)
        try:
            answer = await pool.run(
                Job("files" if download else "preview", tuple(requests), folders), config.limits.seconds
            )
        except TimedOutError:
            state.problem("form", strings["busy"])
            return render(request, state, 503)
        _report(state, answer, requests, strings, known, folders)
        if state.problems:
            return render(request, state, 422)
        if download:
            return _download(requests, answer)
        state.previews = [
            "data:image/png;base64," + base64.b64encode(png).decode() for png in answer.files[0]
        ]
        return render(request, state)

    def _too_large(request: Request) -> Response:
        state = blank()
        state.problem(
            "logo", strings["request_too_large"].format(megabytes=config.limits.upload_bytes // (1024 * 1024))
        )
        return render(request, state, 413)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await pool.start()
        yield
        pool.stop()

    app = Starlette(
        routes=[
            Route("/", form, methods=["GET"]),
            Route("/", submit, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(Guard, config=config)
    return app


async def _read(
    data: FormData, known: Catalogue, config: HostConfig, strings: dict[str, str]
) -> tuple[FormState, list[FileRequest]]:
    """The form as a FormState (values kept to show again) and one request per language."""

    def one(name: str) -> str:
        value = data.get(name)
        return value[:MAX_FIELD_CHARACTERS] if isinstance(value, str) else ""

    state = FormState(
        one("template"),
        [v for v in data.getlist("languages") if isinstance(v, str)][:200],
        one("region"),
        one("audience"),
        one("edition"),
    )
    for name, choices in (
        ("template", known.codes("templates")),
        ("region", known.codes("regions")),
        ("audience", frozenset(known.audiences)),
        ("edition", frozenset(known.editions)),
    ):
        if getattr(state, name) not in choices:
            state.problem(name, strings["unknown_choice"])
    if not state.languages:
        state.problem("languages", strings["no_language"])
    elif any(code not in known.codes("languages") for code in state.languages):
        state.problem("languages", strings["unknown_choice"])
    state.languages = list(dict.fromkeys(state.languages))

    organisation: dict[str, object] = dict(config.organisation)
    for name in ("name", "safeguarding_lead", "contact", "colour", "logo_alt"):
        if config.may_change(name):
            state.organisation[name] = one(name) if name != "contact" else _multiline(data.get(name))
    typed = state.organisation
    if typed.get("name", "").strip():
        organisation["name"] = typed["name"].strip()
    for name in ("safeguarding_lead", "logo_alt"):
        if typed.get(name, "").strip():
            organisation[name] = typed[name].strip()
    lines = [line.strip() for line in typed.get("contact", "").splitlines() if line.strip()]
    if len(lines) > MAX_CONTACT_LINES:
        state.problem("contact", strings["too_many_lines"])
    elif lines:
        organisation["contact"] = lines
    if typed.get("colour", "").strip():
        if _COLOUR.match(typed["colour"]):
            organisation["colour"] = re.split(r"[\s,;]+", typed["colour"].strip())
        else:
            state.problem("colour", strings["colour_format"])

    logo = config.logo
    upload = data.get("logo")
    if config.may_change("logo") and isinstance(upload, UploadFile) and upload.filename:
        logo = await upload.read(config.limits.upload_bytes + 1)
        _check_logo(logo, config, state, strings)
    if "name" not in organisation:
        organisation = {}  # no organisation: the design as made, logo alone if one was given
    requests = [
        FileRequest(
            state.template,
            language,
            state.region,
            state.audience,
            state.edition,
            organisation=organisation or None,
            logo=logo,
        )
        for language in state.languages
    ]
    return state, requests


def _multiline(value: object) -> str:
    return value[: MAX_FIELD_CHARACTERS * MAX_CONTACT_LINES] if isinstance(value, str) else ""


def _check_logo(logo: bytes, config: HostConfig, state: FormState, strings: dict[str, str]) -> None:
    """Size and pixels from the header, before any worker decodes it."""
    from PIL import Image, UnidentifiedImageError

    limits = config.limits
    if len(logo) > limits.upload_bytes:
        state.problem("logo", strings["logo_too_big"].format(megabytes=limits.upload_bytes // (1024 * 1024)))
        return
    try:
        with Image.open(io.BytesIO(logo)) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        state.problem(
            "logo", strings["logo_far_too_many_pixels"].format(limit=f"{limits.logo_pixels / 1e6:.0f}")
        )
        return
    except (UnidentifiedImageError, OSError, ValueError):
        state.problem("logo", strings["logo_unreadable"])
        return
    if width * height > limits.logo_pixels:
        state.problem(
            "logo",
            strings["logo_too_many_pixels"].format(
                pixels=f"{width * height / 1e6:.0f}", limit=f"{limits.logo_pixels / 1e6:.0f}"
            ),
        )


def _field_of(diagnostic: Diagnostic, folders: Folders) -> str:
    """The form field a diagnostic is about: its key, or the file it names; else the design."""
    if diagnostic.file == UPLOADED_LOGO:
        return "logo"
    key = (diagnostic.key or "").removeprefix("organisation.")
    base = re.split(r"[.\[]", key)[0]
    if base in MEMBER_FIELDS:
        return base
    if base == "edition":
        return "edition"
    if diagnostic.file == ORGANISATION_MAPPING:
        return "name"
    for name, folder in (("languages", folders.materials), ("region", folders.regions)):
        if diagnostic.file is not None and _holds(folder, diagnostic.file):
            return name  # a translation still in draft, a contact not checked for a while
    return "template"


def _report(
    state: FormState,
    answer: Answer,
    requests: list[FileRequest],
    strings: dict[str, str],
    known: Catalogue,
    folders: Folders,
) -> None:
    names = {choice.code: choice.detail or choice.label for choice in known.languages}

    def text(diagnostic: Diagnostic, language: str) -> str:
        where = (
            strings["failed_in"].format(language=names.get(language, language)) + " "
            if len(requests) > 1
            else ""
        )
        hint = f" {strings['fix']} {diagnostic.hint}" if diagnostic.hint else ""
        return where + diagnostic.message + hint

    if answer.error is not None:
        state.problem(_field_of(answer.error, folders), text(answer.error, answer.failed_language or ""))
        return
    for request, diagnostics in zip(requests, answer.diagnostics, strict=True):
        for diagnostic in diagnostics:
            target = state.problems if diagnostic.severity is Severity.ERROR else state.notes
            target.setdefault(_field_of(diagnostic, folders), []).append(text(diagnostic, request.language))


def _download(requests: list[FileRequest], answer: Answer) -> Response:
    files = [file for named in answer.named for file in named]
    if len(files) == 1:
        name, body = files[0]
        kind = _MEDIA_TYPES[Path(name).suffix]
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file_name, data in files:
                archive.writestr(zipfile.ZipInfo(file_name, (2018, 1, 1, 0, 0, 0)), data)
        first = requests[0]
        body, kind = buffer.getvalue(), "application/zip"
        name = f"{first.template}-{first.region}-{first.audience}-{first.edition}.zip"
    return Response(
        body,
        media_type=kind,
        headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"},
    )


_MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".txt": "text/plain; charset=utf-8",
}


def _holds(folder: Path | Shelf, path: Path) -> bool:
    return folder.holds(path) if isinstance(folder, Shelf) else path.is_relative_to(folder)
