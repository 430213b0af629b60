"""The studio's web app (Starlette): the token check, the page, the API and the output files.

Every request comes in through `Guard`, the app's one entry: only the loopback names the studio
prints are served (against DNS rebinding), a body is read up to MAX_BODY_BYTES (413 past it), and
whatever a handler raises becomes a status with a one-line JSON error, never a traceback.

Safe by default: every request must carry the studio's random token, as `?token=` in the URL the
command printed (the page then sets it as a same-site cookie, so the players can load their
clips) or, for the API's changes, as the `X-Studio-Token` header the page script sends (a cookie
alone cannot change anything, so another site cannot make the browser do it). Files are served
only from inside the output folder, whatever path the browser asks for.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import socket
import threading
from typing import Optional

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Route

from barkflow.errors import BarkflowError
from barkflow.studio.page import render_studio_page
from barkflow.studio.session import ConfirmFirst, StaleScript, Studio, TextTooLong

COOKIE = "barkflow_studio_token"
TOKEN_HEADER = "X-Studio-Token"
# The largest body an action takes: a line of text (MAX_LINE_CHARS, JSON-escaped) with room to spare.
MAX_BODY_BYTES = 2**20
MAX_JSON_DEPTH = 32  # an action's body is one flat object; json.loads recurses once per level
# The names the studio's URL may use: it listens on 127.0.0.1 only, but a page of another site can
# rebind its own name to 127.0.0.1 (DNS rebinding); its requests then carry that name as Host.
LOOPBACK_HOST = re.compile(r"(127\.0\.0\.1|localhost|\[::1\])(?::([0-9]{1,5}))?", re.IGNORECASE)

log = logging.getLogger(__name__)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class BodyTooLarge(BarkflowError):
    """A request body past MAX_BODY_BYTES."""


class Guard:
    """ASGI middleware, outermost: the Host check, the body's byte limit, and every error a handler
    raises as a status with a one-line JSON message (409 stale page, 413 too large, 400 a user
    error, 500 a bug, logged here with its traceback)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            request = Request(scope)
            refusal = _host_refusal(request.headers.get("host", ""), scope.get("server"))
            if refusal:
                await _error(403, refusal)(scope, receive, send)
                return
            declared = request.headers.get("content-length", "0")
            if not (declared.isascii() and declared.isdecimal()):  # str.isdigit alone takes "²"
                raise BarkflowError(f"Content-Length {declared[:20]!r} is not a number of bytes")
            if len(declared) > 15 or int(declared) > MAX_BODY_BYTES:  # int() refuses thousands of digits
                raise BodyTooLarge(f"request body of {declared[:20]} bytes; the studio takes at most {MAX_BODY_BYTES}")
            await self.app(scope, _limited(receive), sending)
        except Exception as e:
            if started:  # the answer is under way: nothing else can be said to this request
                log.exception("studio: %s %s failed while answering", scope.get("method"), scope.get("path"))
                raise
            await _error_answer(e, scope)(scope, receive, send)


def _host_refusal(host: str, server) -> str:
    """Why a Host header is not the studio's own address ("" when it is): a loopback name, with the
    port the studio listens on."""
    match = LOOPBACK_HOST.fullmatch(host)
    port = int(match.group(2) or 80) if match else None
    if match and (not server or port == server[1]):
        return ""
    address = f"127.0.0.1:{server[1]}" if server else "127.0.0.1"
    return (f"forbidden: this studio answers only at {address} (or localhost, [::1] with that port), "
            f"not Host {host[:80]!r}; open the URL barkflow-studio printed")


def _limited(receive):
    """`receive` that refuses a body past MAX_BODY_BYTES as it streams in (a body without a
    Content-Length, or one longer than it said)."""
    read = 0

    async def limited():
        nonlocal read
        message = await receive()
        if message["type"] == "http.request":
            read += len(message.get("body", b""))
            if read > MAX_BODY_BYTES:
                raise BodyTooLarge(f"request body past {MAX_BODY_BYTES} bytes; the studio takes at most that")
        return message

    return limited


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=_NO_STORE)


def _error_answer(error: Exception, scope) -> Response:
    """A status and a one-line message for an exception out of a handler."""
    if isinstance(error, ConfirmFirst):
        return JSONResponse({"error": str(error), "confirm": True, "changes": error.changes}, status_code=409,
                            headers=_NO_STORE)
    if isinstance(error, StaleScript):
        return _error(409, str(error))
    if isinstance(error, BodyTooLarge) or isinstance(error, TextTooLong):
        return _error(413, str(error))
    if isinstance(error, BarkflowError):
        return _error(400, " ".join(str(error).split()))
    log.error("studio: %s %s failed", scope.get("method"), scope.get("path"), exc_info=error)
    detail = " ".join(str(error).split())[:200]
    return _error(500, f"internal error: {type(error).__name__}: {detail} (the studio's log has the details)")


class TokenGate:
    """ASGI middleware: a request without the token gets 403 before any route sees it."""

    def __init__(self, app, token: str):
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and not self._allowed(Request(scope)):
            response = PlainTextResponse(
                "forbidden: open the URL barkflow-studio printed (it carries the token)", status_code=403
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, request: Request) -> bool:
        header = request.headers.get(TOKEN_HEADER, "")
        if request.method not in ("GET", "HEAD"):  # a change needs the header: never the cookie alone
            return self._matches(header)
        given = request.query_params.get("token") or request.cookies.get(COOKIE, "") or header
        return self._matches(given)

    def _matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))


def make_app(studio: Studio, token: str) -> Starlette:
    # The studio's work (YAML, files, parsing the script) runs in the thread pool: on the event loop,
    # one slow request (a lines file of thousands) held up every other, /api/status too.
    async def page(request: Request) -> Response:
        response = HTMLResponse(render_studio_page(await run_in_threadpool(studio.page_data), token), headers=_NO_STORE)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    async def status(request: Request) -> Response:
        return JSONResponse(dict(studio.status), headers=_NO_STORE)

    async def output_file(request: Request) -> Response:
        path = await run_in_threadpool(studio.output_file, request.path_params["path"])
        if path is None:
            return PlainTextResponse("not a file of this project's outputs", status_code=403)
        return FileResponse(path)

    async def pick(request: Request) -> Response:
        body = await _json(request)
        return JSONResponse(await run_in_threadpool(studio.pick, body.get("uid"), body.get("take")) or {"ok": True})

    async def retake(request: Request) -> Response:
        body = await _json(request)
        return JSONResponse({"takes": await run_in_threadpool(studio.retake, body.get("uid"), body.get("count", 1))})

    async def retake_flagged(request: Request) -> Response:
        return JSONResponse({"takes": await run_in_threadpool(studio.retake_flagged)})

    async def text(request: Request) -> Response:
        body = await _json(request)
        return JSONResponse(await run_in_threadpool(studio.edit_line, body.get("uid"), body.get("text"), body.get("hash"),
                                                    confirm=body.get("confirm") is True))

    async def line(request: Request) -> Response:
        body = await _json(request)
        entry = await run_in_threadpool(studio.set_line, body.get("uid"), body.get("voice", ""), body.get("sampling", ""))
        return JSONResponse({"entry": entry})

    async def restitch(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(studio.restitch) or {"ok": True})

    routes = [
        Route("/", page),
        Route("/api/status", status),
        Route("/api/pick", pick, methods=["POST"]),
        Route("/api/retake", retake, methods=["POST"]),
        Route("/api/retake-flagged", retake_flagged, methods=["POST"]),
        Route("/api/text", text, methods=["POST"]),
        Route("/api/line", line, methods=["POST"]),
        Route("/api/restitch", restitch, methods=["POST"]),
        Route("/files/{path:path}", output_file),
    ]
    return Starlette(routes=routes, middleware=[Middleware(Guard), Middleware(TokenGate, token=token)])


_NO_STORE = {"Cache-Control": "no-store"}


async def _json(request: Request) -> dict:
    """The body as a JSON object: read within MAX_BODY_BYTES (Guard), its nesting checked before
    json.loads recurses into it; anything else is the caller's error (400)."""
    raw = await request.body()
    depth = _nesting(raw, MAX_JSON_DEPTH)
    if depth > MAX_JSON_DEPTH:
        raise BarkflowError(f"request body is nested more than {MAX_JSON_DEPTH} levels deep; send one JSON object "
                            'such as {"uid": "...", "take": 1}')
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise BarkflowError('request body is not a JSON object; send one such as {"uid": "...", "take": 1}')
    return body


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def _nesting(raw: bytes, limit: int) -> int:
    """How deep brackets nest in a JSON text, outside its strings; stops counting past `limit`."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        depth += 1 if match.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
        if deepest > limit:
            break
    return deepest


# --- serving --------------------------------------------------------------------------------------


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: any free port); the studio is never on other hosts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(128)  # listening before the URL is printed: an early request waits for the server
    except OSError as e:
        sock.close()
        raise BarkflowError(f"cannot listen on 127.0.0.1:{port} ({e.strerror}); choose another with --port N") from None
    return sock


def url(sock: socket.socket, token: str) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}/?token={token}"


class Server:
    """uvicorn serving `app` on `sock`; `run()` blocks, `start()` runs it in a thread (tests)."""

    def __init__(self, app, sock: socket.socket):
        import uvicorn

        self.sock = sock
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread: Optional[threading.Thread] = None

    def run(self) -> None:
        self.server.run(sockets=[self.sock])

    def start(self, timeout: float = 10.0) -> "Server":
        import time

        self.thread = threading.Thread(target=self.run, name="barkflow-studio-http", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.sock.close()
