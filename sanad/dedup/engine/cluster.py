"""Clusters of duplicates from scored pairs, without long chains of weak links."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["clusters"]


def clusters(pairs: Iterable[Any], threshold: float) -> dict[str, str]:
    """record id → cluster id for every record in a pair at or above `threshold`.

    Greedy average linkage: links are taken by descending probability, and two
    clusters merge only when the mean probability over *all* pairs between them — a
    pair that was not scored counting as 0 — is at least `threshold`. A chain A–B–C
    whose ends were not linked therefore stays split unless its links are strong
    enough to carry the missing one. The cluster id is the smallest record id in it."""
    edges: list[tuple[float, str, str]] = []
    for p in pairs:
        prob = float(p.probability)
        if prob >= threshold and p.left != p.right:
            edges.append((prob, str(p.left), str(p.right)))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    parent: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    # links[c][d]: sum of pair probabilities between clusters c and d (roots)
    links: dict[str, dict[str, float]] = {}
    for prob, a, b in edges:
        for x in (a, b):
            if x not in parent:
                parent[x] = x
                members[x] = [x]
                links[x] = {}
        ra, rb = parent[a], parent[b]
        if ra != rb:
            links[ra][rb] = links[ra].get(rb, 0.0) + prob
            links[rb][ra] = links[rb].get(ra, 0.0) + prob
    # Process again in order, now with every link known.
    for _prob, a, b in edges:
        ra, rb = parent[a], parent[b]
        if ra == rb:
            continue
        mean = links[ra].get(rb, 0.0) / (len(members[ra]) * len(members[rb]))
        if mean < threshold:
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        for x in members[rb]:
            parent[x] = ra
        members[ra].extend(members.pop(rb))
        for other, w in links.pop(rb).items():
            if other == ra:
                continue
            links[ra][other] = links[ra].get(other, 0.0) + w
            links[other].pop(rb, None)
            links[other][ra] = links[other].get(ra, 0.0) + w
        links[ra].pop(rb, None)
    return {x: min(members[parent[x]]) for x in parent}
