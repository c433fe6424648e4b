"""Pure foundations shared by the QGIS side and the ML runtime.

Nothing in here may import Qt, QGIS or TensorFlow; numpy 1.24 (QGIS) and 2.x (runtime)
must both work.
"""
