"""The demo registry: a deterministic stream of realistic households
(`generate_households`, pure Python) and a fast writer that puts them in the database
(`seed_registry`, imported lazily so that the generator needs no configured Django)."""

from __future__ import annotations

from typing import Any

from sanad.registry.demo.generate import AS_OF, generate_households

__all__ = ["AS_OF", "generate_households", "seed_registry"]


def seed_registry(*, n: int, user: Any, seed: int = 7) -> dict[str, int]:
    """See `sanad.registry.demo.seed.seed_registry`."""
    from sanad.registry.demo.seed import seed_registry as seed_

    return seed_(n=n, user=user, seed=seed)
