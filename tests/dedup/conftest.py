"""Fixtures of the deduplication tests (the product side's are in review_helpers)."""

from tests.dedup.review_helpers import fake_engine, reviewer  # noqa: F401  (fixtures)
