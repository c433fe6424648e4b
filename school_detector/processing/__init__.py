"""QGIS Processing provider "School detector": the steps for the modeler, batch mode and qgis_process."""
