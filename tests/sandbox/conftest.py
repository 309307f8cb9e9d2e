"""Sandbox tests use the ``rootfs`` and ``scratch`` fixtures of tests/conftest.py."""
