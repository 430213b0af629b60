"""The studio's web app (Starlette): the token check, the page, the API and the output files.

Safe by default: every request must carry the studio's random token, as `?token=` in the URL the
command printed (the page then sets it as a same-site cookie, so the players can load their
clips) or, for the API's changes, as the `X-Studio-Token` header the page script sends (a cookie
alone cannot change anything, so another site cannot make the browser do it). Files are served
only from inside the output folder, whatever path the browser asks for.
"""

from __future__ import annotations

import hmac
import json
import secrets
import socket
import threading
from typing import Optional

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from barkflow.errors import BarkflowError
from barkflow.studio.page import render_studio_page
from barkflow.studio.session import StaleScript, Studio

COOKIE = "barkflow_studio_token"
TOKEN_HEADER = "X-Studio-Token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


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
    async def page(request: Request) -> Response:
        response = HTMLResponse(render_studio_page(studio.page_data(), token), headers=_NO_STORE)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    async def status(request: Request) -> Response:
        return JSONResponse(dict(studio.status), headers=_NO_STORE)

    async def output_file(request: Request) -> Response:
        path = studio.output_file(request.path_params["path"])
        if path is None:
            return PlainTextResponse("not a file of this project's outputs", status_code=403)
        return FileResponse(path)

    async def pick(request: Request) -> Response:
        body = await _json(request)
        return _act(lambda: studio.pick(body.get("uid"), body.get("take")) or {"ok": True})

    async def retake(request: Request) -> Response:
        body = await _json(request)
        return _act(lambda: {"takes": studio.retake(body.get("uid"), body.get("count", 1))})

    async def retake_flagged(request: Request) -> Response:
        return _act(lambda: {"takes": studio.retake_flagged()})

    async def text(request: Request) -> Response:
        body = await _json(request)
        return _act(lambda: {"hash": studio.edit_line(body.get("uid"), body.get("text"), body.get("hash"))})

    async def line(request: Request) -> Response:
        body = await _json(request)
        return _act(lambda: {"entry": studio.set_line(body.get("uid"), body.get("voice", ""), body.get("sampling", ""))})

    async def restitch(request: Request) -> Response:
        return _act(lambda: studio.restitch() or {"ok": True})

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
    return Starlette(routes=routes, middleware=[Middleware(TokenGate, token=token)])


_NO_STORE = {"Cache-Control": "no-store"}


async def _json(request: Request) -> dict:
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def _act(action) -> Response:
    """Run one action: its answer as JSON, a user error as one line (409 for a stale script)."""
    try:
        return JSONResponse(action())
    except StaleScript as e:
        return JSONResponse({"error": str(e)}, status_code=409)
    except BarkflowError as e:
        return JSONResponse({"error": str(e)}, status_code=400)


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
