"""Serving: a built site on 127.0.0.1 under the site's path prefix, and `mkdocs serve` on a free port."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from scripts.harness.site import site_prefix

# Text types a static host compresses (serve(..., compress=True)).
COMPRESSIBLE = (".html", ".css", ".js", ".svg", ".json", ".xml", ".txt", ".md", ".ipynb", ".py")


@contextlib.contextmanager
def serve(site_dir: Path, prefix: str | None = None, *, compress: bool = False):
    """Serve `site_dir` under the URL path `prefix` (default: the site's, from mkdocs.yml) on a free
    port; yields the base URL without a trailing slash (http://127.0.0.1:PORT/week7).

    The 404 page links its assets by absolute path, as on GitHub Pages, so the site is served where
    `site_url` says. With ``compress=True`` text files go out compressed when the client accepts it, as a
    static host sends them (what Lighthouse should measure)."""
    prefix = site_prefix() if prefix is None else prefix
    handler = functools.partial(GzipHandler if compress else PrefixedHandler, prefix, directory=str(site_dir))
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix.rstrip('/')}"
    finally:
        server.shutdown()
        server.server_close()


class PrefixedHandler(http.server.SimpleHTTPRequestHandler):
    """Static files under a path prefix; anything else is a 404 with the site's 404 page."""

    def __init__(self, prefix: str, *args, **kwargs):
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_site__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class GzipHandler(PrefixedHandler):
    """Static files, gzip-compressed when the client accepts it (text types only)."""

    def send_head(self):
        path = Path(self.translate_path(self.path.split("?", 1)[0].split("#", 1)[0]))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or path.suffix not in COMPRESSIBLE or not path.is_file():
            return super().send_head()
        body = _compressed(str(path), path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


@functools.lru_cache(maxsize=512)
def _compressed(path: str, _mtime: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that closes a page mid-download is not an error of the site.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_mkdocs_serve(root: Path, port: int) -> subprocess.Popen:
    """`mkdocs serve` of the repository at `root` on 127.0.0.1:`port`, its output merged into
    stdout (text, unbuffered). The caller waits for "Serving on" and terminates it."""
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(root), "PYTHONUNBUFFERED": "1"},
    )
