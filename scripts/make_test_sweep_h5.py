#!/usr/bin/env -S /usr/bin/python3
"""Writes a small synthetic sweep file in eyesweep's HDF5 layout (docs/hdf5-schema.md), for
developing and testing the plotting scripts without running a sweep.

The margins follow a plausible linear-drive link: COM falls with fiber length and host trace
loss, shifts per host platform (a categorical parameter), and carries some noise; module power
grows with the drive swing that buys margin. A few variants fail to compute (ok = 0, NaN
numbers), as input errors do in real sweeps.
"""
import argparse
import sys

import h5py
import numpy as np

PLATFORMS = ["switch_a", "switch_b", "switch_c"]


def column(group, name, data, units="", description="", labels=None):
    ds = group.create_dataset(name, data=data, maxshape=(None,) + np.shape(data)[1:], chunks=True)
    ds.attrs["units"] = units
    ds.attrs["description"] = description
    if labels is not None:
        ds.attrs.create("labels", labels, dtype=h5py.string_dtype())
    return ds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="HDF5 file to write")
    parser.add_argument("--variants", type=int, default=300, help="variants in the sweep (default 300)")
    parser.add_argument("--rows", type=int, default=None,
                        help="rows written, fewer than --variants for an interrupted sweep (default: all)")
    parser.add_argument("--grid", action="store_true",
                        help="fiber length and trace loss on a grid (Monte Carlo draws otherwise)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = args.variants if args.rows is None else args.rows
    if not 0 < rows <= args.variants:
        parser.error(f"--rows {rows}: expected 1 .. --variants ({args.variants})")

    rng = np.random.default_rng(args.seed)
    index = np.arange(args.variants, dtype=np.uint64)
    if args.grid:
        # Mixed radix, the first axis slowest, as the sweep's grid decodes variant indices.
        lengths = np.linspace(0.0, 2000.0, 12)
        losses = np.linspace(4.0, 16.0, 9)
        per_platform = len(lengths) * len(losses)
        fiber = lengths[(index // len(losses)) % len(lengths)]
        loss = losses[index % len(losses)]
        platform = (index // per_platform) % len(PLATFORMS)
    else:
        fiber = rng.uniform(0.0, 2000.0, args.variants)
        loss = rng.normal(10.0, 2.5, args.variants)
        platform = rng.integers(0, len(PLATFORMS), args.variants)
    swing = rng.choice([0.6, 0.8, 1.0], args.variants)
    com = (5.5 - 0.0016 * fiber - 0.35 * (loss - 4.0) + np.array([0.0, -0.6, 0.4])[platform]
           + 1.5 * (swing - 0.6) + rng.normal(0.0, 0.4, args.variants))
    fom = com + 12.0 + rng.normal(0.0, 0.2, args.variants)
    power = 5.5 + 2.2 * swing + 0.0004 * fiber + rng.normal(0.0, 0.08, args.variants)
    taps = np.stack([-0.1 - 0.01 * loss, 1.0 - 0.02 * loss, np.full(args.variants, -0.05)], axis=1)
    ok = np.ones(args.variants, dtype=np.int8)
    ok[rng.choice(args.variants, size=max(1, args.variants // 100), replace=False)] = 0
    errors = np.where(ok == 1, "", "TIA input overload: OMA above the TIA's linear range")
    for numbers in (com, fom, power):
        numbers[ok == 0] = np.nan
    taps[ok == 0] = np.nan

    with h5py.File(args.out, "w") as f:
        f.attrs["format"] = "eyesweep-sweep"
        f.attrs["format_version"] = np.int64(1)
        f.attrs["name"] = "synthetic LPO 800G DR8" + (" grid" if args.grid else "")
        f.attrs["margin_thresholds_dB"] = np.array([0.0, 1.0, 3.0])
        f.attrs["num_variants"] = np.uint64(args.variants)
        f.attrs["first_variant"] = np.uint64(0)
        f.attrs["end_variant"] = np.uint64(args.variants)
        f.attrs["complete"] = np.int64(rows == args.variants)
        f.attrs["shard"] = "1/1"
        f.attrs["seed"] = np.uint64(args.seed)
        f.attrs["backend"] = "synthetic"
        names = ["variant_index", "parameters/fiber_length_m", "parameters/host_trace_loss_dB",
                 "parameters/host_platform", "results/ok", "results/error", "results/com_dB", "results/fom_dB",
                 "results/drive_swing_Vppd", "results/module_power_W", "results/tx_taps"]
        f.attrs.create("columns", names, dtype=h5py.string_dtype())
        column(f, "variant_index", index[:rows], "", "index of the variant in the sweep")
        p = f.create_group("parameters")
        column(p, "fiber_length_m", fiber[:rows], "m", "SMF length")
        column(p, "host_trace_loss_dB", loss[:rows], "dB", "host board trace loss at Nyquist")
        column(p, "host_platform", platform[:rows].astype(np.int64), "", "switch platform",
               labels=PLATFORMS)
        r = f.create_group("results")
        column(r, "ok", ok[:rows], "", "1 = computed")
        error = r.create_dataset("error", data=errors[:rows].astype(object), dtype=h5py.string_dtype())
        error.attrs["units"] = ""
        error.attrs["description"] = "the variant's input error, empty when ok"
        column(r, "com_dB", com[:rows], "dB", "COM: the margin, at the best module setting")
        column(r, "fom_dB", fom[:rows], "dB", "figure of merit of the winning equaliser")
        column(r, "drive_swing_Vppd", swing[:rows], "V", "winning module drive swing")
        column(r, "module_power_W", power[:rows], "W", "module power at the winning setting")
        column(r, "tx_taps", taps[:rows], "", "winning host Tx FFE, first offset -1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
