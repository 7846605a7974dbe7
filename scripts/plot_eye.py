#!/usr/bin/env -S /usr/bin/python3
"""Plots of a statistical eye stored in HDF5 (docs/statistical-eye.md); each subcommand writes one PNG.

  eye      the error-ratio map over phase and voltage, the contours at the target ratios, each
           sub-eye's opening at DER_0 and its decision threshold
  bathtub  vertical bathtubs (ratio against voltage at the best phase) and horizontal bathtubs
           (ratio against phase at the threshold) of every sub-eye
  pulse    the victim pulse before and after equalisation (Tx FFE and CTLE)

An eye is a group under /eyes: /eyes/case_<c> in a file of `eyesweep eye -o`,
/eyes/variant_<index> in a sweep file written with --keep-eyes. --eye names it; it may be left
out when the file holds one eye. Needs Debian's numpy, h5py and matplotlib: run it with
/usr/bin/python3.
"""
import argparse
import functools
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MultipleLocator  # noqa: E402

from plot_common import UsageError, run, text  # noqa: E402

PROG = "plot_eye.py"
RATIO_FLOOR = 1e-18  # error ratios below this are drawn as this (log10 -18)
# One colour and one line style per target, largest target first; chosen to stand out on
# viridis from its dark opening to its yellow traces.
TARGET_COLOURS = ("white", "#ff9f1c", "#ff4fd8", "#e5383b", "#00e5ff", "#9dff00", "#c77dff", "black")
TARGET_STYLES = ("-", "--", "-.", ":")


def ratio_label(ratio):
    """An error ratio as 1e-4, 2.5e-12 (.0e would pad the exponent: 1e-04)."""
    mantissa, exponent = f"{ratio:.3e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def log_ratio(ratio):
    return np.log10(np.clip(ratio, RATIO_FLOOR, None))


def signed(value, digits):
    """value with a sign and `digits` decimals; +0.0 rather than -0.0 for a value that rounds to 0."""
    return f"{round(value, digits) + 0.0:+.{digits}f}"


def sub_eye_names(count):
    if count == 1:
        return ["eye"]
    if count == 3:
        return ["lower eye", "middle eye", "upper eye"]
    return [f"sub-eye {s + 1}" for s in range(count)]


class Eye:
    """One eye group of a file, read on demand, with errors that name what is missing."""

    def __init__(self, path, name):
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file")
        try:
            self.file = h5py.File(path, "r")
        except OSError as e:
            raise UsageError(f"{path}: not a readable HDF5 file ({e})") from None
        self.path = path
        try:
            self.group = self.find_group(name)
        except UsageError:
            self.file.close()
            raise
        self.where = self.group.name

    def find_group(self, name):
        """The group /eyes/<name>; the only eye group when name is None."""
        path = self.path
        eyes = self.file.get("eyes")
        if not isinstance(eyes, h5py.Group):
            raise UsageError(f"{path}: no /eyes group (eyes are written by `eyesweep eye -o` "
                             "and by `eyesweep sweep --keep-eyes`)")
        names = sorted(k for k, v in eyes.items() if isinstance(v, h5py.Group))
        if not names:
            raise UsageError(f"{path}: /eyes holds no eye group")
        listing = ", ".join(names)
        if name is None:
            if len(names) > 1:
                raise UsageError(f"{path}: {len(names)} eyes under /eyes ({listing}); choose one with --eye")
            name = names[0]
        name = name.removeprefix("/").removeprefix("eyes/")
        if name not in names:
            raise UsageError(f"{path}: no eye group /eyes/{name}; eyes in the file: {listing}")
        return eyes[name]

    def close(self):
        self.file.close()

    def attr(self, name):
        if name not in self.group.attrs:
            raise UsageError(f"{self.path}: no attribute '{name}' on {self.where}")
        return self.group.attrs[name]

    def array(self, name, shape):
        """The float64 dataset `name` of the group; `shape` its expected shape (None: any length)."""
        ds = self.group.get(name)
        if not isinstance(ds, h5py.Dataset):
            raise UsageError(f"{self.path}: no dataset {self.where}/{name}")
        data = np.asarray(ds[()], dtype=float)
        # eyesweep drops a trailing dimension of 1 (NRZ's single sub-eye): restore it.
        if None not in shape and data.ndim < len(shape) and data.size == int(np.prod(shape)):
            data = data.reshape(shape)
        if data.ndim != len(shape) or any(e is not None and e != n for e, n in zip(shape, data.shape)):
            expected = "[" + ", ".join("any" if e is None else str(e) for e in shape) + "]"
            raise UsageError(f"{self.path}: {self.where}/{name} has shape {list(data.shape)}, expected {expected}")
        return data

    def axis(self, name):
        values = self.array(name, (None,))
        if len(values) < 2:
            raise UsageError(f"{self.path}: {self.where}/{name} has {len(values)} values; an eye has at least 2")
        return values

    @functools.cached_property
    def phase(self):
        return self.axis("phase_UI")

    @functools.cached_property
    def voltage(self):
        return self.axis("voltage_V")

    @functools.cached_property
    def targets(self):
        return self.array("targets", (None,))

    @functools.cached_property
    def sub_eyes(self):
        levels = int(self.attr("levels"))
        if levels < 2:
            raise UsageError(f"{self.path}: {self.where} has levels = {levels}; an eye needs at least 2")
        return levels - 1

    def per_sub_eye(self, name):
        return self.array(name, (self.sub_eyes,))

    def der0_index(self):
        """Index of DER_0 among the targets (the format puts it there)."""
        der0 = float(self.attr("der0"))
        match = np.flatnonzero(np.isclose(self.targets, der0, rtol=1e-9, atol=0.0))
        if len(match) == 0:
            raise UsageError(f"{self.path}: DER_0 = {ratio_label(der0)} is not among {self.where}/targets")
        return int(match[0])

    def phase_index(self, phase_UI):
        return int(np.argmin(np.abs(self.phase - phase_UI)))

    def title(self, what):
        channel = os.path.basename(text(self.attr("channel")))
        levels = self.sub_eyes + 1
        modulation = {2: "NRZ", 4: "PAM4"}.get(levels, f"{levels} levels")
        return (f"{channel}: {what} ({self.where})\n{modulation}, {text(self.attr('engine'))} engine, "
                f"COM {float(self.attr('com_dB')):.2f} dB")


def chosen_targets(eye, requested):
    """Indices into eye.targets of the --targets values (all when None)."""
    stored = eye.targets
    if requested is None:
        return list(range(len(stored)))
    indices = []
    for ratio in requested:
        match = np.flatnonzero(np.isclose(stored, ratio, rtol=1e-6, atol=0.0))
        if len(match) == 0:
            raise UsageError(f"--targets {ratio_label(ratio)}: not stored in {eye.path} {eye.where}; "
                             f"stored targets: {', '.join(ratio_label(t) for t in stored)}")
        indices.append(int(match[0]))
    return sorted(set(indices))


def open_runs(finite):
    """(first, last) index of each run of True in a boolean array."""
    edges = np.diff(np.concatenate([[0], finite.astype(int), [0]]))
    return zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1)


def target_legend_label(eye, t, der0_index):
    return ratio_label(eye.targets[t]) + (" (DER$_0$)" if t == der0_index else "")


def plot_eye(eye, args):
    P, B, S, T = len(eye.phase), len(eye.voltage), eye.sub_eyes, len(eye.targets)
    ratio = eye.array("error_ratio", (P, B))
    lower = eye.array("contour_lower_V", (T * S, P))
    upper = eye.array("contour_upper_V", (T * S, P))
    best = eye.per_sub_eye("best_phase_UI")
    threshold = eye.per_sub_eye("threshold_V")
    height = eye.per_sub_eye("height_der0_V")
    der0 = eye.der0_index()
    selected = chosen_targets(eye, args.targets)

    fig, ax = plt.subplots(figsize=(9.5, 6.5), constrained_layout=True)
    mV = 1e3 * eye.voltage
    # Cell edges halfway between the phases and bins, the outer ones mirrored.
    phase_step = eye.phase[1] - eye.phase[0]
    bin_mV = mV[1] - mV[0]
    phase_edges = np.append(eye.phase, eye.phase[-1] + phase_step) - phase_step / 2
    voltage_edges = np.append(mV, mV[-1] + bin_mV) - bin_mV / 2
    shown = log_ratio(ratio)
    mesh = ax.pcolormesh(phase_edges, voltage_edges, shown.T, cmap="viridis", shading="flat", rasterized=True,
                         vmin=np.log10(RATIO_FLOOR), vmax=max(0.0, float(np.nanmax(shown))))
    fig.colorbar(mesh, ax=ax, label="log10 error ratio", extend="min")

    # Each contour as closed loops, one per run of phases where the sub-eye is open at the target.
    # A target keeps its colour and style whichever subset --targets shows.
    for t in selected:
        style = dict(color=TARGET_COLOURS[t % len(TARGET_COLOURS)], linestyle=TARGET_STYLES[t % len(TARGET_STYLES)],
                     linewidth=1.4 if t == der0 else 1.0)
        label = target_legend_label(eye, t, der0)
        for s in range(S):
            low, high = 1e3 * lower[t * S + s], 1e3 * upper[t * S + s]
            for first, last in open_runs(np.isfinite(low) & np.isfinite(high)):
                run = slice(first, last + 1)
                x = np.concatenate([eye.phase[run], eye.phase[run][::-1], eye.phase[first:first + 1]])
                y = np.concatenate([high[run], low[run][::-1], high[first:first + 1]])
                ax.plot(x, y, label=label, **style)
                label = None

    # Openings at DER_0: the DER_0 contour's edges at the best phase, height_der0_V apart.
    for s in range(S):
        j = eye.phase_index(best[s])
        edge_low, edge_high = lower[der0 * S + s, j], upper[der0 * S + s, j]
        ax.axhline(1e3 * threshold[s], color="0.85", linestyle=":", linewidth=0.6)
        ax.plot(best[s], 1e3 * threshold[s], marker="D", markersize=4, color="white", markeredgecolor="black",
                linestyle="none", label="threshold at the best phase" if s == 0 else None)
        if height[s] > 0.0 and np.isfinite(edge_low) and np.isfinite(edge_high):
            ax.annotate("", xy=(best[s], 1e3 * edge_high), xytext=(best[s], 1e3 * edge_low),
                        arrowprops=dict(arrowstyle="<->", color="white", linewidth=1.3, shrinkA=0, shrinkB=0))
            note = f"{1e3 * height[s]:.1f} mV"
        else:
            note = "closed"
        ax.annotate(note, (best[s], 1e3 * threshold[s]), xytext=(8, 0), textcoords="offset points",
                    va="center", fontsize="small", bbox=dict(boxstyle="round,pad=0.2", facecolor="white", alpha=0.8))

    ax.set_xlim(phase_edges[0], phase_edges[-1])
    ax.set_ylim(voltage_edges[0], voltage_edges[-1])
    ax.set_xlabel("phase from t$_s$ (UI)")
    ax.set_ylabel("voltage (mV)")
    ax.legend(title="contours at error ratio", loc="upper left", fontsize="x-small", title_fontsize="x-small",
              framealpha=0.8)
    ax.set_title(eye.title(f"statistical eye, openings at DER$_0$ = {ratio_label(eye.targets[der0])}"))
    return fig


def draw_targets(ax, eye, der0):
    for t, ratio in enumerate(eye.targets):
        is_der0 = t == der0
        ax.axhline(np.log10(ratio), color="tab:red" if is_der0 else "0.5", linestyle="--" if is_der0 else ":",
                   linewidth=1.0)
        ax.annotate(target_legend_label(eye, t, der0), (1.0, np.log10(ratio)), xycoords=("axes fraction", "data"),
                    xytext=(-3, 2), textcoords="offset points", ha="right", fontsize="x-small",
                    color="tab:red" if is_der0 else "0.3")
    ax.set_ylim(np.log10(RATIO_FLOOR) - 0.5, 0.5)
    ax.set_ylabel(f"log10 error ratio (clipped at {ratio_label(RATIO_FLOOR)})")
    ax.grid(True, alpha=0.3)


def plot_bathtub(eye, args):
    P, B, S, T = len(eye.phase), len(eye.voltage), eye.sub_eyes, len(eye.targets)
    vertical = eye.array("vertical_bathtub", (S, B))
    horizontal = eye.array("horizontal_bathtub", (S, P))
    means = eye.array("level_means_V", (P, S + 1))
    best = eye.per_sub_eye("best_phase_UI")
    threshold = eye.per_sub_eye("threshold_V")
    height = eye.array("height_V", (T, S))
    width = eye.array("width_UI", (T, S))
    der0 = eye.der0_index()

    fig, (by_voltage, by_phase) = plt.subplots(1, 2, figsize=(13, 5.5), constrained_layout=True)
    mV = 1e3 * eye.voltage
    for s, name in enumerate(sub_eye_names(S)):
        colour = f"C{s}"
        # The vertical bathtub holds the whole column at the best phase; its own sub-eye is the
        # part between the two levels' means.
        j = eye.phase_index(best[s])
        own = (eye.voltage >= means[j, s]) & (eye.voltage <= means[j, s + 1])
        by_voltage.plot(mV[own], log_ratio(vertical[s, own]), color=colour,
                        label=f"{name} at {signed(best[s], 3)} UI: {1e3 * height[der0, s]:.1f} mV at DER$_0$")
        by_voltage.axvline(1e3 * threshold[s], color=colour, linestyle=":", linewidth=0.8)
        by_phase.plot(eye.phase, log_ratio(horizontal[s]), color=colour, marker=".", markersize=3,
                      label=f"{name} at {signed(1e3 * threshold[s], 1)} mV: {width[der0, s]:.3f} UI at DER$_0$")
        by_phase.axvline(best[s], color=colour, linestyle=":", linewidth=0.8)
    for ax in (by_voltage, by_phase):
        draw_targets(ax, eye, der0)
        # Below the panel: the curves fill it from the floor to the top.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize="small", frameon=False)
    by_voltage.set_xlabel("voltage (mV)")
    by_voltage.set_title("vertical bathtubs at each sub-eye's best phase\n(dotted: thresholds)", fontsize="medium")
    by_phase.set_xlabel("phase from t$_s$ (UI)")
    by_phase.set_title("horizontal bathtubs at each sub-eye's threshold\n(dotted: best phases)", fontsize="medium")
    fig.suptitle(eye.title("bathtub curves"))
    return fig


def plot_pulse(eye, args):
    time = eye.array("pulse_time_UI", (None,))
    before = eye.array("pulse_unequalized_V", (len(time),))
    after = eye.array("pulse_equalized_V", (len(time),))
    if len(time) == 0:
        raise UsageError(f"{eye.path}: {eye.where}/pulse_time_UI is empty")
    # Show where either pulse is above 1 % of its peak, and 2 UI either side: long tails of
    # zeros would squeeze the pulse into a spike.
    significant = ((np.abs(before) > 0.01 * np.max(np.abs(before))) |
                   (np.abs(after) > 0.01 * np.max(np.abs(after))))
    shown_time = time[significant] if significant.any() else time
    start, end = max(time[0], shown_time.min() - 2.0), min(time[-1], shown_time.max() + 2.0)
    # The samples at whole UIs from t_s: the cursor and the ISI the eye convolves.
    on_ui = np.abs(time - np.rint(time)) < 1e-9

    fig, ax = plt.subplots(figsize=(10, 5.5), constrained_layout=True)
    ax.plot(time, 1e3 * before, color="tab:gray", label="before equalisation")
    ax.plot(time, 1e3 * after, color="tab:blue", label="after Tx FFE and CTLE (before the DFE)")
    ax.plot(time[on_ui], 1e3 * after[on_ui], "o", color="tab:blue", markersize=3.5, label="UI-spaced samples")
    ax.plot(time[on_ui], 1e3 * before[on_ui], "o", color="tab:gray", markersize=2.5)
    ax.axvline(0.0, color="tab:red", linestyle="--", linewidth=1.0, label="cursor (t$_s$)")
    ax.axhline(0.0, color="black", linewidth=0.6)
    cursor = int(np.argmin(np.abs(time)))
    ax.annotate(f"h$_0$ = {1e3 * after[cursor]:.1f} mV", (0.0, 1e3 * after[cursor]), xytext=(8, 4),
                textcoords="offset points", fontsize="small", color="tab:blue")
    ax.set_xlim(start, end)
    # The UI grid: a line at every UI; labelled ticks sparser on long pulses.
    ax.xaxis.set_minor_locator(MultipleLocator(1.0))
    ax.xaxis.set_major_locator(MultipleLocator(max(1.0, np.ceil((end - start) / 20.0))))
    ax.grid(True, which="both", axis="x", alpha=0.35)
    ax.grid(True, which="major", axis="y", alpha=0.35)
    ax.set_xlabel("time from t$_s$ (UI)")
    ax.set_ylabel("voltage (mV)")
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title(eye.title(f"victim pulse, {int(eye.attr('samples_per_ui'))} samples per UI"))
    return fig


def target_list(value):
    """--targets 1e-6,1e-12: error ratios in (0, 1)."""
    ratios = []
    for item in value.split(","):
        try:
            ratio = float(item)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected error ratios such as 1e-6,1e-12, got '{item}'") from None
        if not 0.0 < ratio < 1.0:
            raise argparse.ArgumentTypeError(f"an error ratio is in (0, 1), got {item}")
        ratios.append(ratio)
    return ratios


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help_text, function):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("file", metavar="FILE.h5", help="eye file (eyesweep eye -o) or sweep file with eyes")
        sub.add_argument("--eye", metavar="GROUP",
                         help="eye group under /eyes, e.g. case_1 or variant_000000012 "
                              "(default: the only one)")
        sub.add_argument("-o", "--output", required=True, metavar="OUT.png", help="PNG file to write")
        sub.set_defaults(function=function)
        return sub

    eye = command("eye", "error-ratio map with contours, openings at DER_0 and thresholds", plot_eye)
    eye.add_argument("--targets", type=target_list, metavar="R1,R2,...",
                     help="contours drawn, a subset of the stored targets (default: all)")
    command("bathtub", "vertical and horizontal bathtub curves of every sub-eye", plot_bathtub)
    command("pulse", "victim pulse before and after equalisation", plot_pulse)
    return parser


def main(argv=None):
    return run(PROG, build_parser(), lambda args: Eye(args.file, args.eye), argv)


if __name__ == "__main__":
    sys.exit(main())
