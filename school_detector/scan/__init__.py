"""Scanning: region -> tile cover -> chips -> predictions -> a crash-safe results GeoPackage."""
