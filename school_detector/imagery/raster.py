"""GeoTIFF / COG / VRT (anything GDAL opens) as a chip source, in any CRS.

Each chip is read through a WarpedVRT whose output grid *is* the chip's pixel grid in
EPSG:3857, so a chip is exactly the imagery at the tile's footprint, resampled once.
No-data comes from the file's nodata value, alpha band or mask; a file with none of those
gets an alpha band for "outside the image", and (uint8 RGB only) pure-black pixels count as
no-data too, since many mosaics pad with black without saying so.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from ..core.tiles import Bounds
from .base import Chip, ImageryError, percentile_stretch, to_rgb8


class RasterSource:
    def __init__(self, path: str | Path, black_is_nodata: bool = True, resampling: str = "bilinear") -> None:
        import rasterio
        from rasterio.enums import MaskFlags, Resampling
        from rasterio.warp import transform_bounds

        self.path = str(path)
        self._local = threading.local()
        try:
            ds = rasterio.open(self.path)
        except rasterio.errors.RasterioIOError as exc:
            raise ImageryError(f"Cannot open imagery {self.path}: {exc}. Is it a GeoTIFF/COG/VRT path?") from exc
        self._local.ds = ds
        if ds.crs is None:
            raise ImageryError(
                f"{Path(self.path).name} has no coordinate reference system (no georeference); "
                "georeference it (e.g. QGIS Georeferencer) before cutting chips."
            )
        self.crs = ds.crs
        self.count = ds.count
        self.dtype = ds.dtypes[0]
        interp = [c.name for c in ds.colorinterp]
        self.alpha_index = interp.index("alpha") + 1 if "alpha" in interp else None
        colour = [i + 1 for i in range(ds.count) if i + 1 != self.alpha_index]
        self.indexes = colour[:3] if len(colour) >= 3 else colour[:1]
        self.has_mask = (
            ds.nodata is not None
            or self.alpha_index is not None
            or any(MaskFlags.per_dataset in flags and MaskFlags.all_valid not in flags for flags in ds.mask_flag_enums)
        )
        self.black_is_nodata = black_is_nodata and not self.has_mask and self.dtype == "uint8"
        self.resampling = getattr(Resampling, resampling)
        w, s, e, n = transform_bounds(ds.crs, "EPSG:3857", *ds.bounds, densify_pts=21)
        self._extent = Bounds(w, s, e, n)
        self.stretch = None if self.dtype == "uint8" else self._compute_stretch(ds)

    def _dataset(self) -> Any:
        """rasterio datasets are not thread-safe: one handle per thread."""
        ds = getattr(self._local, "ds", None)
        if ds is None:
            import rasterio

            ds = self._local.ds = rasterio.open(self.path)
        return ds

    def _compute_stretch(self, ds: Any) -> list[tuple[float, float]]:
        scale = max(1, max(ds.width, ds.height) // 1024)
        shape = (len(self.indexes), max(1, ds.height // scale), max(1, ds.width // scale))
        data = ds.read(self.indexes, out_shape=shape, masked=True)
        return [percentile_stretch(np.ma.compressed(band)) for band in data]

    def describe(self) -> dict[str, Any]:
        return {
            "type": "raster",
            "path": self.path,
            "crs": self.crs.to_string(),
            "bands": self.count,
            "dtype": self.dtype,
            "stretch": {"method": "percentile 2-98", "ranges": self.stretch} if self.stretch else None,
            "black_is_nodata": self.black_is_nodata,
        }

    def extent_3857(self) -> Bounds:
        return self._extent

    def _aligned_window(self, ds: Any, bounds: Bounds, size: int) -> Any:
        """A plain window when the file is already EPSG:3857 on this pixel grid (tile mosaics,
        the sample scene): a read with no warping at all, several times cheaper."""
        from rasterio.windows import Window

        if ds.crs is None or ds.crs.to_epsg() != 3857:
            return None
        t = ds.transform
        px = (bounds.east - bounds.west) / size
        if t.b or t.d or abs(t.a - px) > 1e-9 * px or abs(-t.e - px) > 1e-9 * px:
            return None
        col, row = (bounds.west - t.c) / px, (t.f - bounds.north) / px
        if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
            return None
        return Window(round(col), round(row), size, size)

    def read(self, bounds: Bounds, size: int) -> Chip:
        from affine import Affine
        from rasterio.vrt import WarpedVRT

        ds = self._dataset()
        window = self._aligned_window(ds, bounds, size)
        if window is not None:
            r0, c0 = max(0, -window.row_off), max(0, -window.col_off)
            r1 = min(size, ds.height - window.row_off)
            c1 = min(size, ds.width - window.col_off)
            # a window inside the file skips the boundless read's VRT (most of a scan's tiles)
            boundless = (r0, c0, r1, c1) != (0, 0, size, size)
            # read straight into a pixel-interleaved buffer: the (H, W, 3) chip needs no transpose
            out = np.empty((size, size, len(self.indexes)), dtype=self.dtype).transpose(2, 0, 1)
            data = ds.read(self.indexes, window=window, out=out, boundless=boundless, fill_value=0)
            valid = (
                ds.dataset_mask(window=window, boundless=boundless) > 0
                if self.has_mask
                else (np.ones((size, size), dtype=bool))
            )
            if boundless:
                inside = np.zeros((size, size), dtype=bool)  # boundless reads pad outside the file
                if r1 > r0 and c1 > c0:
                    inside[r0:r1, c0:c1] = True
                valid &= inside
            return self._finish(data, valid)
        px = (bounds.east - bounds.west) / size
        transform = Affine(px, 0.0, bounds.west, 0.0, -px, bounds.north)
        with WarpedVRT(
            ds,
            crs="EPSG:3857",
            transform=transform,
            width=size,
            height=size,
            resampling=self.resampling,
            add_alpha=not self.has_mask,
        ) as vrt:
            data = vrt.read(self.indexes)
            valid = vrt.dataset_mask() > 0
        return self._finish(data, valid)

    def _finish(self, data: Any, valid: Any) -> Chip:
        if self.black_is_nodata and data.shape[0] >= 3:
            valid &= (data[0] | data[1] | data[2]) != 0
        rgb = to_rgb8(data, self.stretch)
        if not valid.all():  # the common all-valid chip skips a full-size masked write
            rgb[~valid] = 0
        return Chip(rgb, valid)

    def close(self) -> None:
        ds = getattr(self._local, "ds", None)
        if ds is not None:
            ds.close()
            self._local.ds = None
