"""The plugin's version: one place, checked against metadata.txt by a unit test."""

__version__ = "0.3.0"
