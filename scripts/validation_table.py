#!/usr/bin/python3
"""Runs `eyesweep com` on the validation cases of shared/channels/reference-results.md (with and
without floating DFE taps) and prints, as Markdown, every quantity of that file next to ours.

Usage: scripts/validation_table.py [--eyesweep build/host/eyesweep] [--shared ../shared]
The IEEE script's values below are transcribed from reference-results.md (IEEE COM script
v3.70); docs/validation.md holds this script's output.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# case: (config, channel folder, thru, fext list, next list, per-package-case script values)
# script values: COM, FOM, A_s mV, A_ni mV, VEO mV, g_DC, g_DC2, Tx FFE, DFE taps as printed,
#                sigma ISI/XT/TX/N/RJ/DD mV[, floating tap UIs]
CASES = [
    ("VITA-KR4 (100GBASE-KR4 sheet)", "vita_kr4.toml", "vita68_example2", "example2_THRU.s4p",
     ["example2_FEXT1.s4p", "example2_FEXT2.s4p"],
     ["example2_NEXT1.s4p", "example2_NEXT2.s4p", "example2_NEXT3.s4p"],
     [(4.295, 16.890, 30.283, 18.470, 23.63, -12, None, [-0.16, 0.84, 0],
       [0.577, 0.034, 0.000, -0.070, 0.068, 0.037], [1.824, 3.314, 1.353, 0.710, 0.398, 1.988]),
      (3.653, 16.250, 25.066, 16.460, 17.21, -12, None, [-0.16, 0.84, 0],
       [0.684, 0.106, 0.014, 0.010, 0.024, 0.026], [1.867, 2.846, 1.120, 0.710, 0.332, 1.662])]),
    ("802.3ck C2C sheet, orthogonal backplane 12 dB", "ieee8023ck_c2c.toml", "ieee8023ck_orthobp_12dB",
     "DPO_4in_Meg7_THRU.s4p",
     ["DPO_4in_Meg7_FENG1415.s4p", "DPO_4in_Meg7_FENG89.s4p", "DPO_4in_Meg7_FENH1112.s4p",
      "DPO_4in_Meg7_FENH1415.s4p", "DPO_4in_Meg7_FENH89.s4p"],
     ["DPO_4in_Meg7_NENF1112.s4p", "DPO_4in_Meg7_NENF1415.s4p", "DPO_4in_Meg7_NENF89.s4p"],
     [(3.407, 15.832, 19.022, 12.85, 12.34, -2, -2, [-0.02, 0.06, -0.22, 0.64, -0.06],
       [0.394, 0.149, 0.059, 0.057, 0.018, 0.013], [2.328, 0.431, 1.345, 0.726, 0.543, 1.082]),
      (3.479, 15.896, 11.314, 7.58, 7.47, -7, -2, [-0.02, 0.08, -0.26, 0.64, 0],
       [0.364, 0.141, 0.057, 0.062, 0.023, 0.021], [1.327, 0.237, 0.800, 0.594, 0.307, 0.612])]),
    ("802.3ck C2C sheet, cable assembly 19.75 dB", "ieee8023ck_c2c.toml", "ieee8023ck_ca_19p75dB",
     "CA_19p75dB_thru.s4p",
     ["CA_19p75dB_fext%d.s4p" % i for i in range(1, 8)],
     ["CA_19p75dB_next%d.s4p" % i for i in range(1, 9)],
     [(1.949, 14.346, 8.702, 6.953, 3.50, -11, -3, [0, 0.04, -0.2, 0.76, 0],
       [0.456, 0.052, 0.048, 0.029, 0.026, 0.020], [1.200, 0.570, 0.615, 0.551, 0.246, 0.495]),
      (1.938, 14.369, 6.474, 5.180, 2.59, -12, -4, [0, 0.04, -0.2, 0.76, 0],
       [0.578, 0.095, 0.054, 0.034, 0.025, 0.021], [0.826, 0.382, 0.458, 0.545, 0.187, 0.375])]),
    ("802.3ck CR/CA sheet (floating DFE taps), cable assembly 19.75 dB", "ieee8023ck_cr_ca.toml",
     "ieee8023ck_ca_19p75dB", "CA_19p75dB_thru.s4p",
     ["CA_19p75dB_fext%d.s4p" % i for i in range(1, 8)],
     ["CA_19p75dB_next%d.s4p" % i for i in range(1, 9)],
     [(4.394, 15.561, 4.362, 2.630, 3.46, -13, -3, [0, 0.04, -0.2, 0.76, 0],
       [0.824, 0.229, 0.102, 0.072], [0.370, 0.222, 0.327, 0.362, 0.134, 0.267],
       list(range(13, 19)) + list(range(32, 35))),
      (3.388, 14.529, 3.183, 2.155, 2.06, -15, -4, [0, 0.04, -0.22, 0.74, 0],
       [0.835, 0.229, 0.076, 0.043], [0.304, 0.154, 0.238, 0.358, 0.096, 0.191],
       list(range(15, 24)))]),
    ("802.3ck KR sheet (floating DFE taps), orthogonal backplane 12 dB", "ieee8023ck_kr.toml",
     "ieee8023ck_orthobp_12dB", "DPO_4in_Meg7_THRU.s4p",
     ["DPO_4in_Meg7_FENG1415.s4p", "DPO_4in_Meg7_FENG89.s4p", "DPO_4in_Meg7_FENH1112.s4p",
      "DPO_4in_Meg7_FENH1415.s4p", "DPO_4in_Meg7_FENH89.s4p"],
     ["DPO_4in_Meg7_NENF1112.s4p", "DPO_4in_Meg7_NENF1415.s4p", "DPO_4in_Meg7_NENF89.s4p"],
     [(6.080, 17.327, 24.045, 11.940, 24.21, 0, -2, [-0.02, 0.06, -0.22, 0.68, -0.02],
       [0.565, 0.222, 0.094, 0.071], [2.201, 0.473, 1.700, 0.527, 0.695, 1.392], list(range(18, 27))),
      (6.526, 17.760, 16.535, 7.800, 17.47, -1, -2, [-0.02, 0.08, -0.26, 0.64, 0],
       [0.623, 0.300, 0.145, 0.104], [1.371, 0.303, 1.169, 0.493, 0.441, 0.877], list(range(19, 28)))]),
    ("802.3ck KR sheet (floating DFE taps), orthogonal backplane 24 dB", "ieee8023ck_kr.toml",
     "ieee8023ck_orthobp_24dB", "DPO_10in_Meg7_THRU.s4p",
     ["DPO_10in_Meg7_FENG1415.s4p", "DPO_10in_Meg7_FENG89.s4p", "DPO_10in_Meg7_FENH1112.s4p",
      "DPO_10in_Meg7_FENH1415.s4p", "DPO_10in_Meg7_FENH89.s4p"],
     ["DPO_10in_Meg7_NENF1112.s4p", "DPO_10in_Meg7_NENF1415.s4p", "DPO_10in_Meg7_NENF89.s4p"],
     [(6.143, 17.392, 5.851, 2.885, 5.93, -7, -3, [-0.02, 0.06, -0.26, 0.62, -0.04],
       [0.670, 0.282, 0.155, 0.114], [0.393, 0.100, 0.414, 0.380, 0.169, 0.338], list(range(18, 27))),
      (5.288, 16.503, 3.927, 2.136, 3.58, -10, -3, [-0.02, 0.06, -0.26, 0.62, -0.04],
       [0.724, 0.266, 0.143, 0.108], [0.254, 0.065, 0.278, 0.358, 0.117, 0.236], list(range(16, 25)))]),
]

SIGMAS = ["ISI", "XT", "TX", "N", "RJ", "DD"]


def run_case(eyesweep, shared, case):
    name, config, folder, thru, fext, nxt, _ = case
    d = os.path.join(shared, "channels", folder)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        cmd = [eyesweep, "com", "--config", os.path.join(ROOT, "configs", config),
               "--thru", os.path.join(d, thru), "--json", out]
        if fext:
            cmd += ["--fext"] + [os.path.join(d, f) for f in fext]
        if nxt:
            cmd += ["--next"] + [os.path.join(d, f) for f in nxt]
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit("%s failed:\n%s" % (" ".join(cmd), done.stderr))
        with open(out) as f:
            return json.load(f)


def row(label, script, ours, fmt, unit=""):
    if script is None:
        return "| %s | - | %s%s | |" % (label, fmt % ours, unit)
    diff = ours - script
    rel = (" (%+.2f %%)" % (100.0 * diff / script)) if script != 0 else ""
    return "| %s | %s%s | %s%s | %+.4g%s |" % (label, fmt % script, unit, fmt % ours, unit, diff, rel)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eyesweep", default=os.path.join(ROOT, "build", "host", "eyesweep"))
    parser.add_argument("--shared", default=os.environ.get("EYESWEEP_SHARED_DIR",
                                                           os.path.join(ROOT, "..", "shared")))
    args = parser.parse_args()
    for case in CASES:
        result = run_case(args.eyesweep, args.shared, case)
        print("### %s\n" % case[0])
        for c, script in enumerate(case[6]):
            ours = result["cases"][c]
            com, fom, a_s, a_ni, veo, gdc, gdc2, tx, dfe, sig = script[:10]
            floating = script[10] if len(script) > 10 else None
            eq = ours["equalizer"]
            tx_ours = [eq["tx_ffe"][k] for k in sorted(eq["tx_ffe"], key=lambda s: int(s[2:-1]))]
            z = ours["z_p_mm"]
            print("Package case %d (z_p TX %s, RX %s mm)\n" % (c + 1, z["TX"], z["RX"]))
            print("| quantity | IEEE script v3.70 | eyesweep | difference |")
            print("|---|---|---|---|")
            print(row("COM", com, ours["COM_dB"], "%.3f", " dB"))
            print(row("FOM", fom, ours["FOM_dB"], "%.3f", " dB"))
            print(row("A_s", a_s, ours["A_s_mV"], "%.3f", " mV"))
            print(row("A_ni", a_ni, ours["A_ni_mV"], "%.3f", " mV"))
            print(row("VEO (eye height)", veo, ours["eye_height_mV"], "%.2f", " mV"))
            for k, s in enumerate(SIGMAS):
                print(row("sigma_" + s, sig[k], ours["sigma_mV"][s], "%.3f", " mV"))
            print(row("g_DC", gdc, eq["g_DC_dB"], "%g", " dB"))
            if gdc2 is not None:
                print(row("g_DC2", gdc2, eq["g_DC2_dB"], "%g", " dB"))
            same_tx = all(abs(a - b) < 1e-9 for a, b in zip(tx, tx_ours))
            print("| Tx FFE | %s | %s | %s |" % (tx, [round(v, 4) for v in tx_ours],
                                                  "same" if same_tx else "DIFFERENT"))
            dfe_ours = eq["dfe_taps"][:len(dfe)]
            print("| DFE b1..b%d | %s | %s | max %.3g |" % (len(dfe),
                " ".join("%.3f" % v for v in dfe), " ".join("%.3f" % v for v in dfe_ours),
                max(abs(a - b) for a, b in zip(dfe, dfe_ours))))
            if floating is not None:
                ours_floating = eq["floating_dfe_taps_ui"]
                print("| floating taps (UI) | %s | %s | %s |" % (
                    floating, ours_floating, "same" if floating == ours_floating else "DIFFERENT"))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
