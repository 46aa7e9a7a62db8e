"""Writes of the feedback app; import from the submodules (cases, outbox, inbound,
contacts, campaigns, sessions)."""
