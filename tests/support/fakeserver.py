"""A fake HTTP/1.1 server on 127.0.0.1 that serves recorded responses over real sockets.

Shared by the whole suite (and perf/): real clients (httpx, PyGithub) point at `server.url` through
their base-URL settings. It speaks the protocol parts collectors depend on:

- routes by method and path (optionally with the exact query string), 404 for anything else;
- ETag / If-None-Match -> 304 with an empty body;
- `{base}` in bodies and header values is replaced by the server's own `http://127.0.0.1:port`
  (Link pagination, redirects and API URLs must name the host the client talks to);
- injectable faults, consumed one per request before the normal answer: an HTTP status with
  headers (429 + Retry-After, 500, 403 ...), a connection reset, a body cut short of its
  Content-Length, a truncated but complete-looking body, HTML instead of JSON, a slow answer,
  an answer trickled a byte at a time (from its status line, or from its body on);
- custom handlers for stateful endpoints, also for every path under a prefix (`handle_prefix`);
- a log of every request (method, path, query, headers) for exact call-count assertions;
- hooks for an API that behaves like a service (tests/support/github.py speaks GitHub with them):
  `gates` may answer a request before its route (a spent rate limit), `fallbacks` answer paths
  no exact route matches (/repos/{owner}/{name}/...), `decorators` add headers to every answer
  (rate-limit headers, 304s included).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


@dataclass(frozen=True)
class Fault:
    """One injected failure. `kind`: status, reset, short_body, truncated, html, slow, trickle
    (the whole answer a byte every `seconds`), trickle_body (headers at once, then the body so)."""

    kind: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0


def status(code: int, body: bytes | str = b"", **headers: str) -> Fault:
    """An HTTP error answer, e.g. status(429, **{"Retry-After": "2"})."""
    data = body.encode() if isinstance(body, str) else body
    return Fault("status", code, {k.replace("_", "-"): v for k, v in headers.items()}, data)


RESET = Fault("reset")
SHORT_BODY = Fault("short_body")  # Content-Length promises more than is sent
TRUNCATED = Fault("truncated")  # half the body, with a matching Content-Length
HTML = Fault("html")


def slow(seconds: float) -> Fault:
    return Fault("slow", seconds=seconds)


def trickle(seconds: float, *, body_only: bool = False) -> Fault:
    """The normal answer, one byte every `seconds`: each read is quick, the whole is not."""
    return Fault("trickle_body" if body_only else "trickle", seconds=seconds)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


Handler = Callable[[Request], Response]


class FakeServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Response | Handler] = {}
        self.prefixes: dict[tuple[str, str], Handler] = {}
        self.faults: dict[tuple[str, str], deque[Fault]] = {}
        self.requests: list[Request] = []
        self.etags = True
        self.gates: list[Callable[[Request], Response | None]] = []
        self.fallbacks: list[Callable[[Request], Response | None]] = []
        self.decorators: list[Callable[[Request, Response], Response]] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # routes ------------------------------------------------------------------------------
    def add(self, target: str, body: bytes | str | dict | list = b"", *, status: int = 200,
            headers: dict[str, str] | None = None, content_type: str = "application/json",
            etag: str | bool = True, method: str = "GET") -> None:
        """Serve `body` at `target` (a path, or a path with its exact query string)."""
        if isinstance(body, dict | list):
            body = json.dumps(body)
        data = body.encode() if isinstance(body, str) else body
        tag = None
        if etag is True and status == 200:
            tag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        elif isinstance(etag, str):
            tag = etag
        hdrs = {"Content-Type": content_type, **(headers or {})}
        self.routes[(method, target)] = Response(status, data, hdrs, tag)

    def add_file(self, target: str, path: Path, **kwargs: Any) -> None:
        """Serve a fixture file; `.gz` files are served decompressed."""
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        self.add(target, data, **kwargs)

    def handle(self, target: str, handler: Handler, method: str = "GET") -> None:
        self.routes[(method, target)] = handler

    def handle_prefix(self, prefix: str, handler: Handler, method: str = "GET") -> None:
        """Answer every path starting with `prefix` that has no exact route (longest prefix wins)."""
        self.prefixes[(method, prefix)] = handler

    def fail(self, target: str, *faults: Fault, method: str = "GET") -> None:
        """Queue faults for the next requests to `target`; the route answers normally after."""
        self.faults.setdefault((method, target), deque()).extend(faults)

    # assertions ----------------------------------------------------------------------------
    def count(self, target: str | None = None, method: str = "GET") -> int:
        return sum(1 for r in self.requests if r.method == method
                   and (target is None or target in (r.path, r.target)))

    def targets(self) -> list[str]:
        return [r.target for r in self.requests]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # internals -----------------------------------------------------------------------------
    def _gate(self, request: Request) -> Response | None:
        return next((r for gate in self.gates if (r := gate(request)) is not None), None)

    def _fallback(self, request: Request) -> Response | None:
        return next((r for fb in self.fallbacks if (r := fb(request)) is not None), None)

    def _decorate(self, request: Request, response: Response) -> Response:
        for decorate in self.decorators:
            response = decorate(request, response)
        return response

    def _lookup(self, method: str, path: str, query: str) -> tuple[Any, Fault | None]:
        keys = [(method, f"{path}?{query}"), (method, path)] if query else [(method, path)]
        if query:  # clients may order query parameters differently (PyGithub sorts them)
            wanted = sorted(parse_qsl(query, keep_blank_values=True))
            keys[1:1] = [k for k in [*self.routes, *self.faults] if k[0] == method
                         and k[1].startswith(path + "?")
                         and sorted(parse_qsl(k[1].split("?", 1)[1], keep_blank_values=True)) == wanted]
        with self._lock:
            fault = None
            for key in keys:
                if self.faults.get(key):
                    fault = self.faults[key].popleft()
                    break
            route = next((self.routes[k] for k in keys if k in self.routes), None)
            if route is None:
                matches = [p for m, p in self.prefixes if m == method and path.startswith(p)]
                if matches:
                    route = self.prefixes[(method, max(matches, key=len))]
        return route, fault


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (killed collectors, timeouts) are expected here, not errors."""


def _make_handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def setup(self) -> None:
            super().setup()
            # Headers and body leave in two writes: without TCP_NODELAY, Nagle's algorithm and
            # the client's delayed ACK hold every keep-alive answer back by ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_HEAD(self) -> None:
            self._serve("HEAD")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(method, parts.path, parts.query, dict(self.headers.items()), body)
            with server._lock:
                server.requests.append(request)
            route, fault = server._lookup(method, parts.path, parts.query)
            if fault is not None and self._fault(fault):
                return
            if (gated := server._gate(request)) is not None:
                self._send(server._decorate(request, gated))
                return
            response = (route(request) if callable(route) else route) if route is not None \
                else server._fallback(request)
            if response is None:
                self._send(server._decorate(request, Response(
                    404, b'{"message": "Not Found"}', {"Content-Type": "application/json"})))
                return
            if (server.etags and response.etag and fault is None
                    and request.headers.get("If-None-Match") == response.etag):
                self._send(server._decorate(request, Response(304, b"", {"ETag": response.etag})))
                return
            self._send(server._decorate(request, response), fault)

        def _fault(self, fault: Fault) -> bool:
            """Apply a fault; True when it answered (or broke) the request."""
            if fault.kind == "slow":
                time.sleep(fault.seconds)
                return False
            if fault.kind == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return True
            if fault.kind == "status":
                body = fault.body or json.dumps({"message": f"fault {fault.status}"}).encode()
                self._send(Response(fault.status, body,
                                    {"Content-Type": "application/json", **fault.headers}))
                return True
            if fault.kind == "html":
                self._send(Response(200, b"<!DOCTYPE html><html><body>Service maintenance"
                                    b"</body></html>", {"Content-Type": "text/html"}))
                return True
            return False  # short_body, truncated and trickle change the normal answer: see _send

        def _send(self, response: Response, fault: Fault | None = None) -> None:
            base = server.url.encode()
            body = response.body.replace(b"{base}", base)
            self.send_response(response.status)
            headers = {k: v.replace("{base}", server.url) for k, v in response.headers.items()}
            if response.etag and response.status == 200:
                headers.setdefault("ETag", response.etag)
            for name, value in headers.items():
                self.send_header(name, value)
            if fault is not None and fault.kind == "truncated":
                body = body[: len(body) // 2]
            self.send_header("Content-Length", str(len(body)))
            if fault is not None and fault.kind in ("trickle", "trickle_body"):
                self._trickle(body, fault)
                return
            self.end_headers()
            if self.command == "HEAD":
                return
            if fault is not None and fault.kind == "short_body":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(body)

        def _trickle(self, body: bytes, fault: Fault) -> None:
            head = b"".join(self._headers_buffer) + b"\r\n"
            self._headers_buffer = []
            if fault.kind == "trickle_body":
                self.wfile.write(head)
                self.wfile.flush()
                head = b""
            try:
                for i in range(len(head + body)):
                    self.wfile.write((head + body)[i:i + 1])
                    self.wfile.flush()
                    time.sleep(fault.seconds)
            except OSError:  # the client gave up, as it should
                self.close_connection = True

    return _Handler
