"""The one prediction protocol: TF Serving's REST API. A client (requests, no TF) used by the
plugin and the CLI, and a TF-Serving-compatible server (``school-detector serve``) that runs in
the ML runtime for local inference and doubles as the test stand-in for TF Serving."""
