#!/usr/bin/env -S /usr/bin/python3
"""Plots of an eyesweep sweep file (HDF5, docs/hdf5-schema.md); each subcommand writes one PNG.

  margin-map  COM margin over two swept parameters (scatter, or a colour grid for grid sweeps)
  yield       yield vs margin threshold with its Wilson 95 % band
  pareto      margin vs module power with the Pareto front (max margin, min power)
  histogram   histogram of margins with the thresholds and percentiles

Only rows with results/ok = 1 (and a margin) are plotted. A file with fewer rows than
num_variants (an interrupted or still running sweep) is plotted as it is, and the title says so.
Needs Debian's numpy, h5py and matplotlib: run it with /usr/bin/python3.
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402

from plot_common import UsageError, run, text  # noqa: E402

PROG = "plot_sweep.py"
# Standard normal quantile at 0.975, as the C++ summary (host/sweep_summary.cpp) uses.
Z95 = 1.959963984540054
PERCENTILE_LEVELS = (0.1, 1, 5, 50, 95, 99)


def wilson(passed, total):
    """Wilson score 95 % interval of passed / total (arrays); [0, 1] where total is 0."""
    passed = np.asarray(passed, dtype=float)
    n = np.asarray(total, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = passed / n
        denominator = 1.0 + Z95**2 / n
        centre = (p + Z95**2 / (2.0 * n)) / denominator
        half = Z95 / denominator * np.sqrt(p * (1.0 - p) / n + Z95**2 / (4.0 * n * n))
        low = np.where(passed == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(passed == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    empty = n == 0
    return np.where(empty, np.nan, p), np.where(empty, 0.0, low), np.where(empty, 1.0, high)


class Sweep:
    """The parts of a sweep file the plots read, with errors that name what is missing."""

    def __init__(self, path):
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file")
        try:
            self.file = h5py.File(path, "r")
        except OSError as e:
            raise UsageError(f"{path}: not a readable HDF5 file ({e})") from None
        self.path = path
        attrs = self.file.attrs
        if "format" in attrs and text(attrs["format"]) != "eyesweep-sweep":
            raise UsageError(f"{path}: format is '{text(attrs['format'])}', not an eyesweep sweep file")
        self.name = text(attrs["name"]) if "name" in attrs else os.path.basename(path)
        thresholds = attrs.get("margin_thresholds_dB")
        # An empty attribute array is stored with a null dataspace (h5py.Empty).
        self.thresholds = ([] if thresholds is None or isinstance(thresholds, h5py.Empty)
                           else [float(t) for t in np.atleast_1d(thresholds)])
        self.num_variants = int(attrs["num_variants"]) if "num_variants" in attrs else None
        self.complete = bool(attrs["complete"]) if "complete" in attrs else True
        margin = self.dataset("results/com_dB")
        ok = self.dataset("results/ok")
        # A running sweep may have appended one column before the other: use the rows both hold.
        self.rows = min(len(margin), len(ok))
        self.margin = margin[: self.rows].astype(float)
        self.margin_units = text(margin.attrs.get("units", "dB")) or "dB"
        self.ok = (ok[: self.rows] != 0) & ~np.isnan(self.margin)

    def close(self):
        self.file.close()

    def datasets_under(self, group):
        if group not in self.file or not isinstance(self.file[group], h5py.Group):
            return []
        return sorted(k for k, v in self.file[group].items() if isinstance(v, h5py.Dataset) and v.ndim == 1)

    def dataset(self, path):
        if path not in self.file or not isinstance(self.file[path], h5py.Dataset):
            group = path.rsplit("/", 1)[0] if "/" in path else "/"
            available = self.datasets_under(group)
            listing = ", ".join(available) if available else "none"
            raise UsageError(f"{self.path}: no dataset /{path}; datasets under /{group.strip('/')}: {listing}")
        return self.file[path]

    def parameter_names(self):
        return self.datasets_under("parameters")

    def parameter(self, name):
        """(values of the ok rows, axis label, category labels or None) of a swept parameter."""
        name = name.removeprefix("/").removeprefix("parameters/")
        if name not in self.parameter_names():
            raise UsageError(f"unknown parameter '{name}'; parameters in {self.path}: "
                             + (", ".join(self.parameter_names()) or "none"))
        ds = self.file["parameters/" + name]
        values = ds[: self.rows][self.ok].astype(float)
        labels = [text(v) for v in ds.attrs["labels"]] if "labels" in ds.attrs else None
        return values, axis_label(name, ds), labels

    def result(self, name):
        """(values of the ok rows, axis label) of a 1-D results column."""
        ds = self.dataset("results/" + name)
        if ds.ndim != 1:
            raise UsageError(f"{self.path}: /results/{name} is {ds.ndim}-D; expected one value per variant")
        values = np.full(self.rows, np.nan)
        held = min(self.rows, len(ds))
        values[:held] = ds[:held]
        return values[self.ok], axis_label(name, ds)

    def computed_margin(self):
        return self.margin[self.ok]

    def title(self, what):
        """Sweep name and what is plotted, then how much of the sweep the file holds."""
        computed = int(self.ok.sum())
        failed = self.rows - computed
        if self.num_variants is not None and self.rows < self.num_variants:
            state = f"incomplete: {self.rows} of {self.num_variants} variants"
        elif not self.complete:
            state = f"{self.rows} variants, sweep not finished"
        else:
            state = f"{self.rows} variants"
        if failed:
            state += f", {failed} failed to compute (not shown)"
        return f"{self.name}: {what}\n{state}"

    def margin_label(self):
        return f"COM margin ({self.margin_units})"

    def default_threshold(self):
        return self.thresholds[0] if self.thresholds else 0.0


def axis_label(name, ds):
    units = text(ds.attrs.get("units", ""))
    return f"{name} ({units})" if units else name


def require_points(sweep, count):
    if count == 0:
        raise UsageError(f"{sweep.path}: no computed variant to plot ({sweep.rows} rows, none with ok = 1)")


def grid_cells(x, y):
    """Sorted distinct x and y values when (x, y) lie on a grid (a Cartesian product, each
    cell holding a point, up to half of the cells missing for an unfinished sweep); None for
    scattered points such as Monte-Carlo draws."""
    xs, ys = np.unique(x), np.unique(y)
    if len(xs) < 2 or len(ys) < 2 or len(xs) * len(ys) > len(x):
        return None
    pairs = len(np.unique(np.stack([x, y], axis=1), axis=0))
    return (xs, ys) if pairs >= 0.5 * len(xs) * len(ys) else None


def cell_edges(centres, categorical):
    if categorical:
        return np.arange(len(centres) + 1) - 0.5
    middle = (centres[1:] + centres[:-1]) / 2.0
    return np.concatenate([[centres[0] - (middle[0] - centres[0])], middle, [centres[-1] + (centres[-1] - middle[-1])]])


def plot_margin_map(sweep, args):
    x, x_label, x_categories = sweep.parameter(args.x)
    y, y_label, y_categories = sweep.parameter(args.y)
    margin = sweep.computed_margin()
    require_points(sweep, len(margin))
    threshold = sweep.default_threshold() if args.threshold is None else args.threshold
    # Diverging colours centred at the threshold: red fails, blue passes, white is marginal.
    half = max(np.max(np.abs(margin[np.isfinite(margin)] - threshold), initial=0.0), 1e-9)
    norm = Normalize(threshold - half, threshold + half)
    cmap = plt.get_cmap("RdBu")
    fig, ax = plt.subplots(figsize=(8, 6), constrained_layout=True)
    cells = None if args.mode == "scatter" else grid_cells(x, y)
    if args.mode == "grid" and cells is None:
        raise UsageError(f"{args.x} and {args.y} are not on a grid in {sweep.path}; use --mode scatter")
    if cells is not None:
        xs, ys = cells
        # Several variants per cell (other parameters vary): show the worst, since a cell
        # passes only if every variant in it does.
        worst = np.full((len(ys), len(xs)), np.nan)
        np.fmin.at(worst, (np.searchsorted(ys, y), np.searchsorted(xs, x)), margin)
        mesh = ax.pcolormesh(cell_edges(xs, x_categories is not None), cell_edges(ys, y_categories is not None),
                             np.ma.masked_invalid(worst), cmap=cmap, norm=norm, shading="flat")
        centres_x = np.arange(len(xs)) if x_categories is not None else xs
        centres_y = np.arange(len(ys)) if y_categories is not None else ys
        failing_y, failing_x = np.nonzero(worst < threshold)
        ax.plot(centres_x[failing_x], centres_y[failing_y], "kx", markersize=5, label=f"fails (< {threshold:g} dB)")
        colour_label = f"worst {sweep.margin_label()} in the cell"
        per_cell = len(margin) / np.count_nonzero(~np.isnan(worst))
        kind = "grid" + (f", worst of ~{per_cell:.0f} variants per cell" if per_cell > 1.05 else "")
        if x_categories is not None:
            ax.set_xticks(np.arange(len(xs)), [x_categories[int(v)] for v in xs])
        if y_categories is not None:
            ax.set_yticks(np.arange(len(ys)), [y_categories[int(v)] for v in ys])
    else:
        # Categorical axes get a small deterministic jitter so the points of a category spread out.
        jitter = np.random.default_rng(0)
        px = x + jitter.uniform(-0.25, 0.25, len(x)) if x_categories is not None else x
        py = y + jitter.uniform(-0.25, 0.25, len(y)) if y_categories is not None else y
        size = float(np.clip(20000.0 / len(margin), 2.0, 30.0))
        mesh = ax.scatter(px, py, c=margin, cmap=cmap, norm=norm, s=size, edgecolors="none", rasterized=True)
        failing = margin < threshold
        # A ring rather than a cross, so the failing point's own colour stays visible.
        ax.scatter(px[failing], py[failing], marker="o", facecolors="none", edgecolors="k", s=2.5 * size,
                   linewidths=0.8, label=f"fails (< {threshold:g} dB): {failing.sum()} of {len(margin)}",
                   rasterized=True)
        colour_label = sweep.margin_label()
        kind = "Monte Carlo"
        if x_categories is not None:
            ax.set_xticks(np.arange(len(x_categories)), x_categories)
        if y_categories is not None:
            ax.set_yticks(np.arange(len(y_categories)), y_categories)
    fig.colorbar(mesh, ax=ax, label=colour_label, extend="both")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(sweep.title(f"COM margin map ({kind})"))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize="small", framealpha=0.8)
    return fig


def plot_yield(sweep, args):
    margin = np.sort(sweep.computed_margin())
    require_points(sweep, len(margin))
    finite = margin[np.isfinite(margin)]
    low, high = (finite.min(), finite.max()) if len(finite) else (-1.0, 1.0)
    span = max(high - low, 1.0)
    thresholds = np.linspace(low - 0.1 * span, high + 0.1 * span, args.points)
    # Pass means margin >= threshold, as in the C++ summary.
    passed = len(margin) - np.searchsorted(margin, thresholds, side="left")
    value, ci_low, ci_high = wilson(passed, np.full(len(thresholds), len(margin)))
    fig, ax = plt.subplots(figsize=(8, 5.5), constrained_layout=True)
    ax.fill_between(thresholds, 100 * ci_low, 100 * ci_high, color="tab:blue", alpha=0.25,
                    label="Wilson 95 % interval", linewidth=0)
    ax.plot(thresholds, 100 * value, color="tab:blue", label="yield")
    for i, t in enumerate(sweep.thresholds):
        n_pass = int(len(margin) - np.searchsorted(margin, t, side="left"))
        y, lo, hi = (float(v) for v in wilson(n_pass, len(margin)))
        ax.axvline(t, color="tab:red", linestyle="--", linewidth=1, label="configured thresholds" if i == 0 else None)
        ax.annotate(f"{100 * y:.2f} %\n95 % CI {100 * lo:.2f}-{100 * hi:.2f} %", (t, 100 * y), xytext=(6, -4),
                    textcoords="offset points", fontsize="small", va="top")
        ax.plot([t], [100 * y], "o", color="tab:red", markersize=4)
    ax.set_xlabel(f"margin threshold ({sweep.margin_units})")
    ax.set_ylabel("yield (%): variants with COM >= threshold")
    ax.set_ylim(-2, 102)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    ax.set_title(sweep.title(f"yield vs threshold ({len(margin)} computed variants)"))
    return fig


def pareto_front(power, margin):
    """Indices of the points no other point beats in both (lower power, higher margin), by
    increasing power."""
    order = np.lexsort((-margin, power))
    front, best = [], -np.inf
    for i in order:
        if margin[i] > best:
            front.append(i)
            best = margin[i]
    return np.array(front, dtype=int)


def plot_pareto(sweep, args):
    power, power_label = sweep.result("module_power_W")
    margin = sweep.computed_margin()
    known = np.isfinite(power) & np.isfinite(margin)
    if not known.any():
        raise UsageError(f"{sweep.path}: /results/module_power_W has no value for any computed variant "
                         "(the module power is written for LPO-model variants only)")
    power, margin = power[known], margin[known]
    threshold = sweep.default_threshold() if args.threshold is None else args.threshold
    front = pareto_front(power, margin)
    fig, ax = plt.subplots(figsize=(8, 5.5), constrained_layout=True)
    size = float(np.clip(20000.0 / len(margin), 2.0, 25.0))
    passing = margin >= threshold
    for members, colour, label in ((passing, "tab:blue", f"COM >= {threshold:g} dB"),
                                   (~passing, "tab:red", f"COM < {threshold:g} dB")):
        if members.any():
            ax.scatter(power[members], margin[members], s=size, color=colour, alpha=0.5, edgecolors="none",
                       label=f"{label} ({members.sum()})", rasterized=True)
    # The front as a staircase: for each power, the best margin reachable at or below it.
    ax.step(power[front], margin[front], where="post", color="k", linewidth=1.2)
    ax.plot(power[front], margin[front], "o", color="k", markersize=5, markerfacecolor="gold",
            label=f"Pareto front ({len(front)} variant{'s' if len(front) > 1 else ''})")
    ax.axhline(threshold, color="tab:red", linestyle="--", linewidth=1)
    ax.set_xlabel(power_label)
    ax.set_ylabel(sweep.margin_label())
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    skipped = int((~known).sum())
    note = f", {skipped} without power not shown" if skipped else ""
    ax.set_title(sweep.title(f"margin vs module power{note}"))
    return fig


def plot_histogram(sweep, args):
    margin = sweep.computed_margin()
    require_points(sweep, len(margin))
    finite = margin[np.isfinite(margin)]
    fig, ax = plt.subplots(figsize=(8, 5.5), constrained_layout=True)
    ax.hist(finite, bins=args.bins, color="tab:blue", alpha=0.75, edgecolor="white", linewidth=0.4)
    for i, t in enumerate(sweep.thresholds):
        share = np.mean(margin >= t)
        ax.axvline(t, color="tab:red", linestyle="--", linewidth=1.2,
                   label="thresholds (yield)" if i == 0 else None)
        ax.annotate(f"{t:g} dB: {100 * share:.2f} %", (t, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -3), textcoords="offset points", fontsize="small", color="tab:red",
                    va="top", rotation=90)
    # Percentiles as numpy's default 'linear' computes them (the C++ summary's definition).
    values = np.percentile(finite, PERCENTILE_LEVELS) if len(finite) else []
    for level, value in zip(PERCENTILE_LEVELS, values):
        ax.axvline(value, color="0.3", linestyle=":", linewidth=0.8)
        ax.annotate(f"P{level:g}", (value, 0.0), xycoords=("data", "axes fraction"), xytext=(2, 3),
                    textcoords="offset points", fontsize="x-small", color="0.2", rotation=90)
    listing = "\n".join(f"P{level:g}: {value:.3f} dB" for level, value in zip(PERCENTILE_LEVELS, values))
    ax.text(0.99, 0.97, f"n = {len(margin)}\nmean {np.mean(finite):.3f} dB\n{listing}", transform=ax.transAxes,
            ha="right", va="top", fontsize="small", family="monospace",
            bbox=dict(boxstyle="round", facecolor="white", alpha=0.85))
    ax.set_xlabel(sweep.margin_label())
    ax.set_ylabel("variants")
    ax.grid(True, alpha=0.3)
    if sweep.thresholds:
        ax.legend(loc="upper left", fontsize="small")
    ax.set_title(sweep.title("COM margin distribution"))
    return fig


def positive_int(value):
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{value}'") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {number}")
    return number


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 2)[2])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help_text, function):
        # help is %-formatted by argparse, description is not.
        sub = commands.add_parser(name, help=help_text.replace("%", "%%"), description=help_text)
        sub.add_argument("file", metavar="FILE.h5", help="sweep result file")
        sub.add_argument("-o", "--output", required=True, metavar="OUT.png", help="PNG file to write")
        sub.set_defaults(function=function)
        return sub

    margin_map = command("margin-map", "COM margin over two swept parameters", plot_margin_map)
    margin_map.add_argument("--x", required=True, metavar="PARAM", help="parameter on the x axis (/parameters/PARAM)")
    margin_map.add_argument("--y", required=True, metavar="PARAM", help="parameter on the y axis")
    margin_map.add_argument("--threshold", type=float, metavar="dB",
                            help="centre of the colour scale; lower margins are marked as failing "
                                 "(default: the file's first margin threshold, else 0)")
    margin_map.add_argument("--mode", choices=("auto", "scatter", "grid"), default="auto",
                            help="grid: colour cells (grid sweeps); scatter: one point per variant; "
                                 "auto (default): grid when the two parameters lie on one")
    yield_plot = command("yield", "yield vs margin threshold with its Wilson 95 % band", plot_yield)
    yield_plot.add_argument("--points", type=positive_int, default=400, help="thresholds evaluated (default 400)")
    pareto = command("pareto", "margin vs module power with the Pareto front", plot_pareto)
    pareto.add_argument("--threshold", type=float, metavar="dB",
                        help="colours passing and failing variants (default: the file's first threshold, else 0)")
    histogram = command("histogram", "histogram of COM margins", plot_histogram)
    histogram.add_argument("--bins", type=positive_int, default=50, help="number of bins (default 50)")
    return parser


def main(argv=None):
    return run(PROG, build_parser(), lambda args: Sweep(args.file), argv)


if __name__ == "__main__":
    sys.exit(main())
