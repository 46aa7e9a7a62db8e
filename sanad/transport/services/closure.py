"""Placeholder replaced by the movements part (see /tmp/spec/transport.md)."""
