"""PNG plots of a run (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from evals.metrics import METRIC_LABELS
from evals.runner import RunResult

COLORS = ["#1f5f99", "#d9822b", "#4c9a52", "#8e44ad"]


def plot_overall(runs: Sequence[RunResult], keys: Sequence[str], path: Path) -> Path:
    """Horizontal bars: each overall 0..1 metric, one bar per system."""
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(keys) * len(runs) + 1.5))
    y = np.arange(len(keys))
    height = 0.8 / len(runs)
    for i, run in enumerate(runs):
        overall = run.overall
        values = [v if (v := overall[k]) is not None else 0.0 for k in keys]
        offsets = y + (i - (len(runs) - 1) / 2) * height
        bars = ax.barh(offsets, values, height=height * 0.95, color=COLORS[i % len(COLORS)], label=run.name)
        for bar, key in zip(bars, keys, strict=True):
            text = "n/a" if overall[key] is None else f"{overall[key]:.2f}"
            ax.text(bar.get_width() + 0.01, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=8)
    ax.set_yticks(y, [METRIC_LABELS[k] for k in keys])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("score (false abstentions: lower is better)")
    ax.set_title("Overall metrics")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_metrics_by_category(runs: Sequence[RunResult], keys: Sequence[str], path: Path) -> Path:
    """One panel per metric; categories (and overall) on the x axis; systems side by side."""
    categories = [*sorted({r.category for run in runs for r in run.results}), "overall"]
    cols = 4
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), squeeze=False)
    width = 0.8 / len(runs)
    x = np.arange(len(categories))
    for ax, key in zip(axes.flat, keys, strict=False):
        for i, run in enumerate(runs):
            by_cat = {**run.by_category, "overall": run.overall}
            values = [by_cat.get(c, {}).get(key) for c in categories]
            heights = [v if v is not None else 0.0 for v in values]
            bars = ax.bar(
                x + (i - (len(runs) - 1) / 2) * width,
                heights,
                width=width * 0.95,
                color=COLORS[i % len(COLORS)],
                label=run.name,
            )
            for bar, value in zip(bars, values, strict=True):
                if not value:  # make "nothing to measure" and a real zero visible
                    ax.text(
                        bar.get_x() + bar.get_width() / 2,
                        0.02,
                        "n/a" if value is None else "0",
                        ha="center",
                        fontsize=6,
                        rotation=90,
                        color="#777777",
                    )
        ax.set_title(METRIC_LABELS[key], fontsize=10)
        ax.set_ylim(0, 1.05)
        ax.set_xticks(x, categories, rotation=35, ha="right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", ncol=len(runs))
    fig.suptitle("Metrics per category (n/a: nothing to measure)", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_latency(runs: Sequence[RunResult], path: Path) -> Path:
    """Distribution of per-turn latency (log scale), with p50 and p95 marked, one row per system."""
    fig, axes = plt.subplots(len(runs), 1, figsize=(8, 2.4 * len(runs) + 0.6), squeeze=False, sharex=True)
    all_ms = [max(r.latency_ms, 0.01) for run in runs for r in run.results] or [1.0]
    bins = np.logspace(np.log10(min(all_ms)), np.log10(max(all_ms) * 1.01 + 0.01), 40)
    for i, (ax, run) in enumerate(zip(axes[:, 0], runs, strict=True)):
        ms = [max(r.latency_ms, 0.01) for r in run.results]
        ax.hist(ms, bins=bins, color=COLORS[i % len(COLORS)], alpha=0.85)
        for q, style in ((50, "--"), (95, ":")):
            if ms:
                value = float(np.percentile(ms, q))
                ax.axvline(value, color="black", linestyle=style, linewidth=1)
                height = 0.9 if q == 50 else 0.75  # keep the two labels apart when p50 is close to p95
                ax.text(value, ax.get_ylim()[1] * height, f" p{q} {value:.3g} ms", fontsize=8)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(_minor_label))
        ax.tick_params(axis="x", which="minor", labelsize=7)
        ax.set_ylabel("turns")
        ax.set_title(f"{run.name}: latency per turn", fontsize=10)
    axes[-1, 0].set_xlabel("milliseconds (log scale)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _minor_label(value: float, _pos: int) -> str:
    """Label only the 2x and 5x minor ticks of a log axis, so labels never collide."""
    if value <= 0:
        return ""
    leading = round(value / 10 ** np.floor(np.log10(value)))
    return f"{value:g}" if leading in (2, 5) else ""
