"""The ``school-detector`` command line tool: the ML runtime's front door.

Every job the plugin runs is one of these commands in a subprocess, so everything the
plugin does can also run headless (on a GPU server, in a Kubernetes Job).
"""
