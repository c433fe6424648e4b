"""Turn what a user typed (a path or a URL template) into a chip source."""

from __future__ import annotations

from pathlib import Path

from .base import ChipSource, ImageryError
from .xyz import XyzSource, is_xyz_template, parse_headers


def open_source(
    spec: str,
    headers: list[str] | None = None,
    cache_dir: Path | None = None,
    concurrency: int = 4,
    verify_tls: bool = True,
) -> ChipSource:
    if is_xyz_template(spec):
        return XyzSource(
            spec, parse_headers(headers), cache_dir=cache_dir, concurrency=concurrency, verify_tls=verify_tls
        )
    if spec.startswith(("http://", "https://")):
        raise ImageryError(f"{spec!r} is a URL but not an XYZ template: it needs {{z}}, {{x}} and {{y}}.")
    if not Path(spec).exists():
        raise ImageryError(f"Imagery {spec} does not exist.")
    from .raster import RasterSource

    return RasterSource(spec)
