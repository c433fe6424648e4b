"""XYZ tile servers (``https://host/{z}/{x}/{y}.jpg``) as a chip source.

Politeness and robustness for long jobs: one shared session with a user agent, a cap on
concurrent requests, retries with exponential backoff on 429/5xx and connection errors
(never on other 4xx), an on-disk cache so re-runs don't refetch, and "no tile" (404/204)
treated as no imagery rather than an error. Header values may reference environment
variables (``${NAME}``) so keys never sit on the command line or in files.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..core.redact import redact
from ..core.tiles import TILE_SIZE, Bounds, Tile, bounds_3857, pixel_size_3857, tile_for_xy
from ..version import __version__
from .base import Chip, ImageryError

USER_AGENT = f"school-detector/{__version__} (+https://github.com/school-detector/school_detector)"
RETRY_STATUS = {429, 500, 502, 503, 504}
MISSING_STATUS = {204, 404}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env(value: str) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(1) not in os.environ:
            raise ImageryError(
                f"The imagery settings refer to ${{{m.group(1)}}}, but that environment variable is not set."
            )
        return os.environ[m.group(1)]

    return _ENV_REF.sub(repl, value)


def parse_headers(items: list[str] | None) -> dict[str, str]:
    """``["Name: value", ...]`` -> dict, with ``${ENV}`` references expanded."""
    headers = {}
    for item in items or []:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise ImageryError(f"Header {item!r} must look like 'Name: value'.")
        headers[name.strip()] = expand_env(value.strip())
    return headers


def is_xyz_template(text: str) -> bool:
    return (
        text.startswith(("http://", "https://", "file://"))
        and all(k in text for k in ("{x}", "{y}"))
        and ("{z}" in text or "{zoom}" in text)
    )


def file_uri_path(uri: str) -> Path:
    """A ``file://`` URI's path on this OS (``file:///C:/tiles`` is ``C:\\tiles`` on Windows;
    percent-escapes such as ``%20`` decoded); a host part (``file://server/share``) is a UNC path."""
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    parts = urlparse(uri)
    path = url2pathname(parts.path)
    return Path(f"//{parts.netloc}{path}" if parts.netloc and parts.netloc != "localhost" else path)


class XyzSource:
    def __init__(
        self,
        template: str,
        headers: dict[str, str] | None = None,
        cache_dir: Path | None = None,
        concurrency: int = 4,
        timeout: float = 20.0,
        retries: int = 4,
        backoff: float = 0.5,
        verify_tls: bool = True,
        max_zoom: int = 22,
    ) -> None:
        import requests

        if not is_xyz_template(template):
            raise ImageryError(f"{template!r} is not an XYZ URL template such as https://host/{{z}}/{{x}}/{{y}}.png.")
        self.template = template  # as given: ${ENV} references unexpanded, so no key in it
        self.url_template = expand_env(template)  # a key can live in the environment: ?key=${TILE_KEY}
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.verify_tls = verify_tls
        self.max_zoom = max_zoom
        remote = not template.startswith("file://")
        self.cache_dir = (
            Path(cache_dir) / hashlib.sha1(template.encode(), usedforsecurity=False).hexdigest()[:12]
            if cache_dir and remote
            else None
        )
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": USER_AGENT, **self.headers})
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self.stats = {"fetched": 0, "cached": 0, "missing": 0, "retries": 0, "failed": 0}
        self._successes = 0

    def describe(self) -> dict[str, Any]:
        """No header values here: they may be secrets."""
        return {"type": "xyz", "template": redact(self.template), "headers": sorted(self.headers), "stretch": None}

    def extent_3857(self) -> Bounds | None:
        return None

    def url(self, tile: Tile) -> str:
        from ..core.tiles import quadkey

        return (
            self.url_template.replace("{z}", str(tile.z))
            .replace("{zoom}", str(tile.z))
            .replace("{x}", str(tile.x))
            .replace("{y}", str(tile.y))
            .replace("{-y}", str((1 << tile.z) - 1 - tile.y))
            .replace("{q}", quadkey(tile))
        )

    def _cache_path(self, tile: Tile) -> Path | None:
        return self.cache_dir / str(tile.z) / str(tile.x) / f"{tile.y}" if self.cache_dir else None

    def _count(self, key: str) -> None:
        with self._lock:
            self.stats[key] += 1

    def fetch(self, tile: Tile) -> bytes | None:
        """Tile bytes, or None when the server has no tile there (404/204)."""
        import requests

        if self.url_template.startswith("file://"):
            return self._read_file(tile)
        cache = self._cache_path(tile)
        if cache is not None:
            if cache.with_suffix(".missing").exists():
                self._count("missing")
                return None
            if cache.exists():
                self._count("cached")
                return cache.read_bytes()
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._count("retries")
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                with self._slots:
                    resp = self.session.get(self.url(tile), timeout=self.timeout, verify=self.verify_tls)
            except requests.RequestException as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                continue
            if resp.status_code in MISSING_STATUS:
                self._count("missing")
                self._store(cache, None)
                return None
            if resp.status_code in RETRY_STATUS:
                last_error = f"HTTP {resp.status_code}"
                continue
            if resp.status_code >= 400:
                self._count("failed")
                raise ImageryError(
                    f"The tile server refused {redact(self.url(tile))} with HTTP {resp.status_code}"
                    + (" (check the API key/headers)." if resp.status_code in (401, 403) else ".")
                )
            problem = _not_an_image(resp.content)
            if problem:  # an HTML error page, a truncated body: retried, and never cached
                last_error = problem
                continue
            self._count("fetched")
            with self._lock:
                self._successes += 1
            self._store(cache, resp.content)
            return resp.content
        self._count("failed")
        with self._lock:
            never_worked = self._successes == 0 and self.stats["cached"] == 0
        if never_worked:
            raise ImageryError(
                f"The tile server is unreachable or failing ({redact(last_error)}) at {redact(self.url(tile))}; "
                "check the URL and your connection."
            )
        raise TileFetchError(f"Tile {tile.id} failed after {self.retries + 1} tries: {last_error}")

    def _read_file(self, tile: Tile) -> bytes | None:
        """``file://`` templates: local tile folders, no cache or retries needed."""
        path = file_uri_path(self.url(tile))
        if not path.is_file():
            self._count("missing")
            return None
        self._count("fetched")
        return path.read_bytes()

    def _store(self, cache: Path | None, content: bytes | None) -> None:
        if cache is None:
            return
        cache.parent.mkdir(parents=True, exist_ok=True)
        target = cache if content is not None else cache.with_suffix(".missing")
        tmp = target.with_name(f".{target.name}.{threading.get_ident()}.tmp")
        tmp.write_bytes(content or b"")
        tmp.replace(target)

    def decode(self, content: bytes, tile: Tile) -> tuple[np.ndarray, np.ndarray]:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(content)) as im:
                im = im.convert("RGBA")
                arr = np.asarray(im)
        except (UnidentifiedImageError, OSError) as exc:
            raise TileFetchError(f"Tile {tile.id} is not an image ({len(content)} bytes): {exc}") from exc
        return arr[..., :3], arr[..., 3] > 0

    def zoom_for(self, bounds: Bounds, size: int) -> int:
        px = (bounds.east - bounds.west) / size
        z = round(math.log2(pixel_size_3857(0) / px))
        if abs(pixel_size_3857(z) - px) > 1e-6 * px or not 0 <= z <= self.max_zoom:
            raise ImageryError(f"An XYZ source serves zoom-level pixels only; {px:.4f} m/px is not one.")
        return z

    def read(self, bounds: Bounds, size: int) -> Chip:
        """Mosaic the zoom-level tiles under ``bounds`` and crop (1 tile when grid-aligned)."""
        z = self.zoom_for(bounds, size)
        px = pixel_size_3857(z)
        first = tile_for_xy(bounds.west + px / 2, bounds.north - px / 2, z)
        last = tile_for_xy(bounds.east - px / 2, bounds.south + px / 2, z)
        cols, rows = last.x - first.x + 1, last.y - first.y + 1
        t = TILE_SIZE
        canvas = np.zeros((rows * t, cols * t, 3), dtype=np.uint8)
        valid = np.zeros((rows * t, cols * t), dtype=bool)
        for j in range(rows):
            for i in range(cols):
                tile = Tile(first.x + i, first.y + j, z)
                content = self.fetch(tile)
                if content is None:
                    continue
                rgb, ok = self.decode(content, tile)
                if rgb.shape[:2] != (t, t):
                    raise TileFetchError(f"Tile {tile.id} is {rgb.shape[1]}x{rgb.shape[0]} px; expected {t}x{t}.")
                canvas[j * t : (j + 1) * t, i * t : (i + 1) * t] = rgb
                valid[j * t : (j + 1) * t, i * t : (i + 1) * t] = ok
        origin = bounds_3857(first)
        c0 = round((bounds.west - origin.west) / px)
        r0 = round((origin.north - bounds.north) / px)
        return Chip(canvas[r0 : r0 + size, c0 : c0 + size].copy(), valid[r0 : r0 + size, c0 : c0 + size].copy())

    def close(self) -> None:
        self.session.close()


def _not_an_image(content: bytes) -> str:
    """Why ``content`` is not a whole image ("" when it is one): checks the structure (PNG chunk
    CRCs up to IEND, JPEG markers) without decoding the pixels."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as im:
            im.verify()
    except Exception as exc:  # noqa: BLE001 - PIL raises many kinds for a broken file
        return f"not a whole image ({len(content)} bytes: {type(exc).__name__})"
    return ""


class TileFetchError(ImageryError):
    """One tile failed (after retries) while the server otherwise works: skip and count it."""
