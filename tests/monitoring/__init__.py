"""promtool unit tests of the alert rules (``*_test.yaml``) and the helpers that run them."""
