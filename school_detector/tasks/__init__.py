"""QgsTask wrappers: all heavy work runs here, off the main thread, in ML runtime subprocesses."""
