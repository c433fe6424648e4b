"""Third-party pure-Python modules bundled into the plugin zip by ``make package``.

QGIS must load the plugin with nothing installed on its side, so small pure-Python
dependencies (mercantile) are copied here at packaging time; source checkouts use the
installed package instead.
"""
