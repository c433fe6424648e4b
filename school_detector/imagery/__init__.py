"""Chip sources: read a square window of imagery in EPSG:3857 at a given pixel size.

GeoTIFF/COG/VRT through rasterio (any CRS, reprojected on the fly), and XYZ tile servers
through requests (cache, retries, politeness). numpy 1.24 and 2.x both work, so the QGIS
side can use them too.
"""
