"""The regression gate: thresholds from ``evals/thresholds.toml`` checked against a run's metrics."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.metrics import METRIC_KEYS

THRESHOLDS_PATH = Path(__file__).parent / "thresholds.toml"


@dataclass(frozen=True)
class Thresholds:
    minimum: dict[str, float]
    maximum: dict[str, float]


def load_thresholds(path: Path | str = THRESHOLDS_PATH) -> Thresholds:
    """Read ``[min]`` and ``[max]``; an unknown metric name is an error (a typo would disable a gate)."""
    return parse_thresholds(tomllib.loads(Path(path).read_text(encoding="utf-8")), path)


def parse_thresholds(data: Mapping[str, Any], path: Path | str = "<thresholds>") -> Thresholds:
    """Thresholds from a decoded ``{"min": {...}, "max": {...}}`` table (see :func:`load_thresholds`)."""
    unknown_tables = set(data) - {"min", "max"}
    if unknown_tables:
        raise ValueError(f"{path}: unknown table(s) {sorted(unknown_tables)}; use [min] and [max]")
    tables = {name: {k: float(v) for k, v in data.get(name, {}).items()} for name in ("min", "max")}
    for name, table in tables.items():
        unknown = set(table) - set(METRIC_KEYS)
        if unknown:
            raise ValueError(f"{path}: [{name}] names unknown metric(s) {sorted(unknown)}; known: {METRIC_KEYS}")
    return Thresholds(minimum=tables["min"], maximum=tables["max"])


def violations(metrics: Mapping[str, float | None], thresholds: Thresholds) -> list[str]:
    """Human-readable gate failures; empty when every threshold holds. A missing metric fails its gate."""
    problems: list[str] = []
    for key, bound in thresholds.minimum.items():
        value = metrics.get(key)
        if value is None or value < bound:
            problems.append(f"{key} = {value} is below the minimum {bound}")
    for key, bound in thresholds.maximum.items():
        value = metrics.get(key)
        if value is None or value > bound:
            problems.append(f"{key} = {value} is above the maximum {bound}")
    return problems
