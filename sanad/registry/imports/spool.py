"""The spool: validated households written by the validation, in the order of the
file, as JSON lines of chunks (dates as ordinal numbers), ended by an end marker. The
commit reads it instead of reading and checking the file a second time; without a
complete spool it checks the file again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanad.registry.imports.records import VHousehold

SPOOL = "validated.jsonl"
SPOOL_CHUNK = 500


class Spool:
    """Validated households, in the order of the file, as JSON lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = path.open("w", encoding="utf-8")
        self._fh.write(json.dumps({"version": 1}) + "\n")
        self._chunk: list[list[Any]] = []

    def add(self, household: VHousehold) -> None:
        self._chunk.append(household.to_list())
        if len(self._chunk) >= SPOOL_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            self._fh.write(
                json.dumps(self._chunk, ensure_ascii=False, separators=(",", ":")) + "\n"
            )
            self._chunk = []

    def close(self, *, complete: bool) -> None:
        self._flush()
        if complete:
            self._fh.write(json.dumps({"end": True}) + "\n")
        self._fh.close()
        if not complete:
            self.path.unlink(missing_ok=True)


def read_spool(path: Path, *, raw: bool = False) -> Iterator[Any]:
    """The spooled households (`raw`: as the lists `VHousehold.from_list` takes)."""
    with path.open(encoding="utf-8") as fh:
        header = json.loads(fh.readline() or "{}")
        if header.get("version") != 1:
            raise ValueError("spool version")
        ended = False
        for line in fh:
            data = json.loads(line)
            if isinstance(data, dict):
                ended = bool(data.get("end"))
                break
            if raw:
                yield from data
            else:
                for values in data:
                    yield VHousehold.from_list(values)
        if not ended:
            raise ValueError("incomplete spool")


def spool_complete(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 40))
        return fh.read().rstrip().endswith(b'{"end": true}')
