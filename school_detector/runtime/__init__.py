"""How the QGIS side finds, describes and launches the ML runtime (no Qt, no TF here)."""
