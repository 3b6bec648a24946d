"""What every response and request goes through: basic auth, a body size limit and security headers;
and the CSRF token (double submit: a random cookie, and in the form its HMAC under the server's secret).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .config import HostConfig

CSRF_COOKIE = "awareprint_csrf"
CSRF_FIELD = "csrf"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLargeError(Exception):
    """The request's body passed the host's limit: the form handler answers 413."""


class Guard:
    """ASGI middleware: basic auth (when configured), a cap on the body, the headers on every response."""

    def __init__(self, app: App, config: HostConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [*HEADERS, HSTS] if self.config.hsts else HEADERS
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in names)]
            await send(message)

        if self.config.basic_auth and not _authorised(headers.get(b"authorization", b""), self.config):
            await _plain(
                send_with_headers,
                401,
                b"Sign in to use this page.",
                [(b"www-authenticate", b'Basic realm="awareprint", charset="UTF-8"')],
            )
            return
        limit = self.config.limits.upload_bytes
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > limit:
            scope["awareprint.too_large"] = True
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLargeError
            return message

        await self.app(scope, capped_receive, send_with_headers)


def _authorised(header: bytes, config: HostConfig) -> bool:
    assert config.basic_auth is not None
    scheme, _, encoded = header.partition(b" ")
    if scheme.lower() != b"basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected = config.basic_auth
    same_user = hmac.compare_digest(user.encode(), expected.user.encode())
    same_password = hmac.compare_digest(password.encode(), expected.password.encode())
    return same_user and same_password


async def _plain(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    start = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": start + headers})
    await send({"type": "http.response.body", "body": body})


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(32)


def csrf_field(cookie: str, secret: bytes) -> str:
    """The form's token: the cookie signed, so a token planted in a cookie by another site cannot match."""
    return hmac.new(secret, cookie.encode(), hashlib.sha256).hexdigest()


def csrf_valid(cookie: str | None, field: object, secret: bytes) -> bool:
    if not cookie or not isinstance(field, str):
        return False
    return hmac.compare_digest(csrf_field(cookie, secret), field)
