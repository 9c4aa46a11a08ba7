"""nginx, as the official image runs by default, re-implemented for the simulator.

Run as a standalone script by the container runtime (standard library only): serves
``/usr/share/nginx/html`` (the image ships the welcome page and ``50x.html``; a volume mounted
there replaces them) on port 80 of the pod IP, with nginx's startup output, its access log on
stdout in the image's ``main`` format, its error pages and ``Server`` header. SIGTERM and
SIGQUIT end it with exit code 0, as nginx's fast and graceful shutdowns do.

Variables from the runtime, removed from the environment at start: ``PYKCTL_POD_IP``,
``PYKCTL_PORT_OFFSET`` (added to the port when the node cannot bind ports below 1024),
``PYKCTL_FS_MAP`` (container paths to host paths, without a sandbox).
"""

from __future__ import annotations

import json
import mimetypes
import os
import platform
import signal
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

NGINX_VERSION = "1.29.1"
ROOT = "/usr/share/nginx/html"
_STYLE = (
    "<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\n"
    "font-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n"
)
WELCOME = (
    "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n"
    + _STYLE
    + "</head>\n<body>\n"
    "<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully "
    "installed and\nworking. Further configuration is required.</p>\n\n<p>For online documentation "
    'and support please refer to\n<a href="http://nginx.org/">nginx.org</a>.<br/>\nCommercial '
    'support is available at\n<a href="http://nginx.com/">nginx.com</a>.</p>\n\n<p><em>Thank you '
    "for using nginx.</em></p>\n</body>\n</html>\n"
)
ERROR_PAGE = (
    "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n" + _STYLE + "</head>\n<body>\n"
    "<h1>An error occurred.</h1>\n<p>Sorry, the page you are looking for is currently "
    "unavailable.<br/>\nPlease try again later.</p>\n<p>If you are the system administrator of "
    "this resource then you should check\nthe error log for details.</p>\n<p><em>Faithfully "
    "yours, nginx.</em></p>\n</body>\n</html>\n"
)
DEFAULT_FILES = ((f"{ROOT}/index.html", WELCOME), (f"{ROOT}/50x.html", ERROR_PAGE))
_REASONS = {301: "Moved Permanently", 403: "Forbidden", 404: "Not Found", 405: "Not Allowed"}
_STDOUT = threading.Lock()


def _environment() -> tuple[str, int, dict[str, str]]:
    address = os.environ.pop("PYKCTL_POD_IP", "0.0.0.0")
    offset = int(os.environ.pop("PYKCTL_PORT_OFFSET", "0") or 0)
    mapping: dict[str, str] = json.loads(os.environ.pop("PYKCTL_FS_MAP", "{}") or "{}")
    os.environ.pop("PYKCTL_HOSTNAME", None)
    return address, 80 + offset, mapping


def error_page(code: int) -> str:
    """nginx's built-in error page (CRLF line ends, as nginx sends it)."""
    title = f"{code} {_REASONS.get(code, '')}".strip()
    lines = [
        "<html>", f"<head><title>{title}</title></head>", "<body>",
        f"<center><h1>{title}</h1></center>", f"<hr><center>nginx/{NGINX_VERSION}</center>",
        "</body>", "</html>",
    ]  # fmt: skip
    return "".join(line + "\r\n" for line in lines)


def notice(message: str) -> None:
    stamp = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime())
    sys.stderr.write(f"{stamp} [notice] 1#1: {message}\n")
    sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mapping: ClassVar[dict[str, str]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        return

    def host_path(self, path: str) -> str:
        for destination in sorted(self.mapping, key=len, reverse=True):
            if path == destination or path.startswith(destination.rstrip("/") + "/"):
                return self.mapping[destination] + path[len(destination) :]
        return path

    def respond(
        self, code: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response_only(code)
        self.send_header("Server", f"nginx/{NGINX_VERSION}")
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
        line = (
            f'{self.client_address[0]} - - [{stamp}] "{self.requestline}" {code} '
            f'{len(body) if self.command != "HEAD" else 0} "{self.headers.get("Referer", "-")}" '
            f'"{self.headers.get("User-Agent", "-")}" "{self.headers.get("X-Forwarded-For", "-")}"\n'
        )
        with _STDOUT:
            sys.stdout.write(line)
            sys.stdout.flush()

    def fail(self, code: int) -> None:
        self.respond(code, error_page(code).encode(), "text/html")

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        target = self.host_path(os.path.normpath(ROOT + "/" + path.lstrip("/")))
        if not target.startswith(self.host_path(ROOT)):
            self.fail(404)
            return
        if os.path.isdir(target):
            if not path.endswith("/"):
                host = self.headers.get("Host", "localhost")
                self.respond(
                    301,
                    error_page(301).encode(),
                    "text/html",
                    {"Location": f"http://{host}{path}/"},
                )
                return
            target = os.path.join(target, "index.html")
            if not os.path.isfile(target):
                self.fail(403)
                return
        try:
            with open(target, "rb") as f:
                body = f.read()
            modified = formatdate(os.stat(target).st_mtime, usegmt=True)
        except FileNotFoundError:
            self.fail(404)
            return
        except OSError:
            self.fail(403)
            return
        kind = mimetypes.guess_type(target)[0] or "application/octet-stream"
        self.respond(200, body, kind, {"Last-Modified": modified, "Accept-Ranges": "bytes"})

    do_HEAD = do_GET

    def do_POST(self) -> None:
        self.fail(405)

    do_PUT = do_DELETE = do_PATCH = do_POST


def main() -> None:
    address, port, mapping = _environment()
    Handler.mapping = mapping
    for handled in (signal.SIGTERM, signal.SIGQUIT, signal.SIGINT):
        signal.signal(handled, lambda *_: os._exit(0))
    for line in (
        "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
        "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
        "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
        "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
    ):
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    try:
        server = ThreadingHTTPServer((address, port), Handler)
    except OSError as err:
        stamp = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime())
        sys.stderr.write(
            f"{stamp} [emerg] 1#1: bind() to 0.0.0.0:{port} failed ({err.errno}: {err.strerror})\n"
            f"nginx: [emerg] bind() to 0.0.0.0:{port} failed ({err.errno}: {err.strerror})\n"
        )
        sys.exit(1)
    notice('using the "epoll" event method')
    notice(f"nginx/{NGINX_VERSION}")
    notice("built by gcc 12.2.0 (Debian 12.2.0-14+deb12u1) ")
    notice(f"OS: Linux {platform.release()}")
    notice("getrlimit(RLIMIT_NOFILE): 1048576:1048576")
    notice("start worker processes")
    notice(f"start worker process {os.getpid() + 28}")
    server.serve_forever(poll_interval=0.5)


if __name__ == "__main__":
    main()
