"""Between QGIS and the core: layers to labeled points, any QGIS raster layer as a chip source."""
