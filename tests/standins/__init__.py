"""Local stand-ins of the HTTP APIs the tests talk to: Flink's REST API (``flink_rest``)
and the Kubernetes API reduced to one Service (``service_api``), on ``server``'s plumbing.
"""
