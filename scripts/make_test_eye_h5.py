#!/usr/bin/env -S /usr/bin/python3
"""Writes a small synthetic statistical-eye file in eyesweep's HDF5 layout
(docs/statistical-eye.md), for developing and testing scripts/plot_eye.py without running
`eyesweep eye`.

The eye follows the method of host/stat_eye.hpp on a made-up link, in numpy: a pulse through
a low-pass channel, a Tx FFE, a DFE that cancels the first post-cursors at t_s; at every phase
the residual ISI as discrete variables over the levels (binned and convolved), Gaussian noise
through the Q function, dual-Dirac and random jitter by phase mixing. The map is measured as
host/stat_eye.cpp measures it (contours, openings, thresholds, bathtubs, widths, VEC), so the
datasets agree with each other as an engine's would.
"""
import argparse
import math
import sys

import h5py
import numpy as np

PHASES = 64               # P
BINS = 512                # B
SAMPLES_PER_UI = 32       # M of the pulses
PULSE_SPAN_UI = (-4, 24)  # pulse samples kept around the channel's input edge
TARGETS = (1e-3, 1e-6, 1e-9, 1e-12, 1e-15)
TX_FFE = (-0.08, 0.74, -0.18)  # taps at -1, 0, +1 UI
DFE_TAPS = 3
A_DD_UI, SIGMA_RJ_UI = 0.02, 0.008
RESOLVED_RATIO = 1e-30    # log floor of the interpolations: kResolvedErrorRatio of host/stat_eye.hpp

erfc = np.frompyfunc(math.erfc, 1, 1)  # numpy has no erfc; math's keeps the far tails' digits


def q_function(x):
    """P(N(0, 1) > x), accurate in both tails."""
    return 0.5 * erfc(np.asarray(x, dtype=float) / math.sqrt(2.0)).astype(float)


def eye_levels(levels, r_lm):
    if levels == 4:
        a = (2.0 - r_lm) / 3.0
        return np.array([-1.0, -a, a, 1.0])
    return np.linspace(-1.0, 1.0, levels)


def channel_pulses(tau_ui, amplitude_V):
    """(time from t_s in UI, pulse before and after the Tx FFE, index of t_s): a 1-UI symbol
    through a channel with impulse response t^2 exp(-t / tau) (a smooth low-pass with a tail);
    t_s is the equalised pulse's peak."""
    m = SAMPLES_PER_UI
    t = np.arange(PULSE_SPAN_UI[0] * m, PULSE_SPAN_UI[1] * m) / m
    impulse = np.where(t > 0.0, t * t * np.exp(-np.clip(t, 0.0, None) / tau_ui), 0.0)
    unequalized = np.convolve(impulse, np.ones(m))[: len(t)]
    unequalized *= amplitude_V / unequalized.max()
    # The FFE's taps delay copies of the pulse by -1, 0 and +1 UI.
    padded = np.concatenate([np.zeros(m), unequalized, np.zeros(m)])
    equalized = sum(tap * padded[m - shift: m - shift + len(t)] for shift, tap in zip((-m, 0, m), TX_FFE))
    cursor = int(np.argmax(equalized))
    return (np.arange(len(t)) - cursor) / m, unequalized, equalized, cursor


def timing_weights(pad):
    """Weights of phase offsets -pad..pad (in 1/P UI steps): the dual-Dirac +-A_DD convolved
    with a Gaussian sigma_RJ, each offset's mass shared linearly between its two neighbouring
    phases (the expectation of the hat function, as host/stat_eye.cpp computes it)."""
    s = SIGMA_RJ_UI * PHASES

    def ramp(x, mu):  # E[(x - X)+] for X ~ N(mu, s)
        z = (x - mu) / s
        return (x - mu) * (1.0 - q_function(z)) + s * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    m = np.arange(-pad, pad + 1, dtype=float)
    w = sum(0.5 * np.clip(ramp(m + 1, mu) - 2.0 * ramp(m, mu) + ramp(m - 1, mu), 0.0, None)
            for mu in (-A_DD_UI * PHASES, A_DD_UI * PHASES))
    return w / w.sum()


def phase_tails(pulse, cursor, offset_ui, x, voltage, bin_V, sigma_V):
    """P(level lands above v) and P(... below v) on the map's voltages ([L, B]) and the levels'
    means ([L]) at one phase offset from t_s: the cursor times the levels, the residual ISI of
    every other UI (after the DFE) as binned discrete variables, the Gaussian noise (with the
    variance of the variables too small to bin) through the Q function."""
    m = SAMPLES_PER_UI
    index = np.arange(len(pulse))

    def at(t_ui):
        return np.interp(cursor + t_ui * m, index, pulse, left=0.0, right=0.0)

    pmf, origin, variance = np.ones(1), 0, sigma_V**2
    for n in range(-(cursor // m), (len(pulse) - cursor) // m + 1):
        if n == 0:
            continue
        # The DFE's feedback is held for the whole UI: it cancels the same h_n(t_s) at every phase.
        a = at(n + offset_ui) - (at(n) if 1 <= n <= DFE_TAPS else 0.0)
        if abs(a) < 0.25 * bin_V:
            variance += a * a * np.mean(x * x)
            continue
        offsets = np.rint(a * x / bin_V).astype(int)
        low = offsets.min()
        variable = np.zeros(offsets.max() - low + 1)
        np.add.at(variable, offsets - low, 1.0 / len(x))
        pmf, origin = np.convolve(pmf, variable), origin + low
    sigma = math.sqrt(variance)
    h0 = at(offset_ui)
    means = h0 * x
    # Tail of level k at bin b: sum over ISI offsets o of pmf[o] Q((v_b - mean_k - o bin) / sigma),
    # a convolution of the pmf with Q on a grid extended by the pmf's span.
    span = len(pmf)
    grid = voltage[0] + (np.arange(len(voltage) + span - 1) - (origin + span - 1)) * bin_V
    above, below = [], []
    for mean in means:
        above.append(np.convolve(pmf, q_function((grid - mean) / sigma), "valid"))
        below.append(np.convolve(pmf, q_function((mean - grid) / sigma), "valid"))
    return np.array(above), np.array(below), means


def error_ratio_map(pulse, cursor, x, sigma_V):
    """(phase_UI, voltage_V, error ratio [P, B], level means [P, L]) with jitter mixed in."""
    phase_ui = (np.arange(PHASES) - PHASES // 2) / PHASES
    largest = max(abs(np.interp(cursor + p * SAMPLES_PER_UI, np.arange(len(pulse)), pulse)) for p in phase_ui)
    bin_V = 2.0 * 1.25 * largest / BINS
    voltage = (np.arange(BINS) - BINS // 2) * bin_V
    pad = math.ceil((A_DD_UI + 9.0 * SIGMA_RJ_UI) * PHASES) + 1
    weights = timing_weights(pad)
    tails = [phase_tails(pulse, cursor, (e - pad - PHASES // 2) / PHASES, x, voltage, bin_V, sigma_V)
             for e in range(PHASES + 2 * pad)]
    above, below, means = (np.array([t[i] for t in tails]) for i in range(3))
    ratio = np.empty((PHASES, BINS))
    level_means = np.empty((PHASES, len(x)))
    for j in range(PHASES):
        mixed_above = np.tensordot(weights, above[j: j + 2 * pad + 1], 1)
        mixed_below = np.tensordot(weights, below[j: j + 2 * pad + 1], 1)
        level_means[j] = weights @ means[j: j + 2 * pad + 1]
        # k: the highest level whose mean is below v (-1: below them all).
        k = np.searchsorted(level_means[j], voltage, side="left") - 1
        bins = np.arange(BINS)
        inner = np.clip(k, 0, len(x) - 2)
        ratio[j] = np.where(k < 0, mixed_below[0],
                            np.where(k == len(x) - 1, mixed_above[-1],
                                     mixed_above[inner, bins] + mixed_below[inner + 1, bins]))
    return phase_ui, voltage, ratio, level_means


def log_crossing(ra, rb, target):
    """Fraction of the way from bin a (ratio ra > target) to b (rb <= target), in log ratio."""
    la, lb = math.log10(max(ra, RESOLVED_RATIO)), math.log10(max(rb, RESOLVED_RATIO))
    return 0.5 if la == lb else min(max((la - math.log10(target)) / (la - lb), 0.0), 1.0)


def measure_sub_eye(voltage, ratio, level_means, k, targets, der0_index):
    """Contours, openings, best phase, threshold, bathtubs, widths and VEC of the sub-eye
    between levels k and k + 1, as host/stat_eye.cpp measures them."""
    P, B = ratio.shape
    T = len(targets)
    v0, dv = voltage[0], voltage[1] - voltage[0]
    lower = np.full((T, P), np.nan)
    upper = np.full((T, P), np.nan)
    openings = []  # per phase: (argmin, fractional bin of the lowest run's middle, lowest ratio) or None
    for j in range(P):
        row = ratio[j]
        low = max(0, math.floor((level_means[j, k] - v0) / dv) + 1)
        high = min(B - 1, math.ceil((level_means[j, k + 1] - v0) / dv) - 1)
        if low > high:
            openings.append(None)
            continue
        resolved = np.maximum(row, RESOLVED_RATIO)  # unresolved ratios count as equal
        argmin = low + int(np.argmin(resolved[low: high + 1]))
        last = argmin
        while last + 1 <= high and resolved[last + 1] <= resolved[argmin]:
            last += 1
        openings.append((argmin, 0.5 * (argmin + last), float(np.min(row[argmin: last + 1]))))
        for t, target in enumerate(targets):
            if row[argmin] > target:
                continue
            b = argmin
            while b > 0 and row[b - 1] <= target:
                b -= 1
            lower[t, j] = v0 + (0.0 if b == 0 else b - 1 + log_crossing(row[b - 1], row[b], target)) * dv
            b = argmin
            while b < B - 1 and row[b + 1] <= target:
                b += 1
            upper[t, j] = v0 + (b if b == B - 1 else b + 1 - log_crossing(row[b + 1], row[b], target)) * dv
    height = np.nan_to_num(upper - lower)
    # Phases from t_s outwards, so that ties go to the nearest.
    order = [PHASES // 2] + [j for d in range(1, P // 2 + 1) for j in (P // 2 - d, P // 2 + d) if 0 <= j < P]
    best = max(order, key=lambda j: (height[der0_index, j], -order.index(j)))
    if height[der0_index, best] == 0.0:
        best = min((j for j in order if openings[j] is not None), key=lambda j: (openings[j][2], order.index(j)))
    argmin, centre, min_ratio = openings[best]
    threshold = v0 + centre * dv

    def ratio_at(j, v):  # log-interpolated between the two nearest bins
        x = min(max((v - v0) / dv, 0.0), B - 1.0)
        b = min(int(x), B - 2)
        la, lb = (math.log10(max(ratio[j, i], RESOLVED_RATIO)) for i in (b, b + 1))
        r = 10.0 ** (la + (x - b) * (lb - la))
        return 0.0 if r <= RESOLVED_RATIO else r

    tub = np.array([ratio_at(j, threshold) for j in range(P)])
    width = np.zeros(T)
    for t, target in enumerate(targets):
        if tub[best] > target:
            continue
        left = right = best
        while left > 0 and tub[left - 1] <= target:
            left -= 1
        while right < P - 1 and tub[right + 1] <= target:
            right += 1
        lo = 0.0 if left == 0 else left - 1 + log_crossing(tub[left - 1], tub[left], target)
        hi = P - 1.0 if right == P - 1 else right + 1 - log_crossing(tub[right + 1], tub[right], target)
        width[t] = (hi - lo) / P
    height_der0 = height[der0_index, best]
    separation = level_means[best, k + 1] - level_means[best, k]
    eps = np.finfo(float).eps
    return {
        "best_phase_UI": (best - P // 2) / P, "threshold_V": threshold, "min_ratio": min_ratio,
        "height_der0_V": height_der0,
        "vec_dB": -20.0 * math.log10(max(height_der0 / separation, eps)),
        "height_V": height.max(axis=1), "width_UI": width,
        "contour_lower_V": lower, "contour_upper_V": upper,
        "vertical_bathtub": ratio[best].copy(), "horizontal_bathtub": tub,
    }


def write_eye(group, case, levels, r_lm, der0, tau_ui, sigma_V):
    time_ui, unequalized, equalized, cursor = channel_pulses(tau_ui, amplitude_V=0.4)
    x = eye_levels(levels, r_lm)
    phase_ui, voltage, ratio, level_means = error_ratio_map(equalized, cursor, x, sigma_V)
    targets = sorted(set(TARGETS) | {der0}, reverse=True)
    der0_index = targets.index(der0)
    subs = [measure_sub_eye(voltage, ratio, level_means, k, targets, der0_index) for k in range(levels - 1)]
    S, T = len(subs), len(targets)

    def stack(key):
        return np.array([s[key] for s in subs])

    def by_target(key):  # [T, S]
        return stack(key).T

    def contour_rows(key):  # [T * S, P], row t * S + s
        return np.stack([subs[s][key][t] for t in range(T) for s in range(S)])

    worst = min(range(S), key=lambda s: subs[s]["height_der0_V"])
    # COM = 20 log10(A_s / A_ni): half the level separation over the noise at DER_0 that
    # closes the worst sub-eye down to its height.
    best = PHASES // 2 + round(subs[worst]["best_phase_UI"] * PHASES)
    half_separation = 0.5 * (level_means[best, worst + 1] - level_means[best, worst])
    com_dB = 20.0 * math.log10(half_separation / (half_separation - 0.5 * subs[worst]["height_der0_V"]))

    datasets = [
        ("phase_UI", phase_ui, "UI", "sampling phase offset from t_s"),
        ("voltage_V", voltage, "V", "voltage of each bin"),
        ("error_ratio", ratio, "", "error ratio at (phase, voltage): adjacent levels' one-sided tails summed"),
        ("level_means_V", level_means, "V", "mean received voltage of each level at each phase"),
        ("targets", np.array(targets), "", "target error ratios, largest first"),
        ("best_phase_UI", stack("best_phase_UI"), "UI", "phase of each sub-eye's greatest opening at DER_0"),
        ("threshold_V", stack("threshold_V"), "V", "optimal decision threshold of each sub-eye"),
        ("min_ratio", stack("min_ratio"), "", "error ratio at each sub-eye's best phase and threshold"),
        ("height_der0_V", stack("height_der0_V"), "V", "sub-eye height at DER_0"),
        ("vec_dB", stack("vec_dB"), "dB", "sub-eye vertical eye closure"),
        ("height_V", by_target("height_V"), "V", "sub-eye height at each target [target, sub-eye]"),
        ("width_UI", by_target("width_UI"), "UI", "sub-eye width at each target [target, sub-eye]"),
        ("contour_lower_V", contour_rows("contour_lower_V"), "V",
         "lower contour edge, row target * S + sub-eye; NaN where closed"),
        ("contour_upper_V", contour_rows("contour_upper_V"), "V",
         "upper contour edge, row target * S + sub-eye; NaN where closed"),
        ("vertical_bathtub", stack("vertical_bathtub"), "",
         "error ratio at the best phase against voltage [sub-eye, bin]"),
        ("horizontal_bathtub", stack("horizontal_bathtub"), "",
         "error ratio at the threshold against phase [sub-eye, phase]"),
        ("pulse_time_UI", time_ui, "UI", "time of the pulse samples, 0 at t_s"),
        ("pulse_unequalized_V", unequalized, "V", "victim pulse response before equalisation"),
        ("pulse_equalized_V", equalized, "V", "victim pulse after Tx FFE and CTLE (before the DFE)"),
    ]
    for name, data, units, description in datasets:
        ds = group.create_dataset(name, data=np.asarray(data, dtype=np.float64))
        ds.attrs["units"] = units
        ds.attrs["description"] = description
    attrs = group.attrs
    attrs["levels"] = np.int64(levels)
    attrs["r_lm"] = r_lm
    attrs["der0"] = der0
    attrs["samples_per_ui"] = np.int64(SAMPLES_PER_UI)
    attrs["engine"] = "reference"
    attrs["crosstalk"] = "synchronous"
    attrs["jitter"] = "phase_mixing"
    attrs["channel"] = f"synthetic {'PAM4' if levels == 4 else 'NRZ'} channel, tau {tau_ui:g} UI"
    attrs["package_case"] = np.int64(case)
    attrs["com_dB"] = com_dB
    attrs["height_der0_V"] = min(s["height_der0_V"] for s in subs)
    attrs["vec_dB"] = max(s["vec_dB"] for s in subs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="HDF5 file to write")
    parser.add_argument("--levels", type=int, choices=(2, 4), default=4, help="2: NRZ, 4: PAM4 (default)")
    parser.add_argument("--groups", type=int, choices=(1, 2), default=1,
                        help="eye groups written (/eyes/case_1, /eyes/case_2: the second package case "
                             "with a lossier channel; default 1)")
    args = parser.parse_args()
    pam4 = args.levels == 4
    # PAM4: 802.3ck-like DER_0 (added to the targets) and a compressed outer eye; NRZ: no compression.
    r_lm, der0 = (0.95, 1e-4) if pam4 else (1.0, 1e-12)
    with h5py.File(args.out, "w") as f:
        f.attrs["format"] = "eyesweep-eyes"
        f.attrs["eyesweep_version"] = "synthetic (scripts/make_test_eye_h5.py)"
        eyes = f.create_group("eyes")
        for case in range(1, args.groups + 1):
            write_eye(eyes.create_group(f"case_{case}"), case, args.levels, r_lm, der0,
                      tau_ui=0.3 + 0.04 * (case - 1), sigma_V=(0.006 if pam4 else 0.015) * (1 + 0.15 * (case - 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
