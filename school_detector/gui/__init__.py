"""Dialogs and docks: they collect parameters, start tasks and show results; no logic."""
