#!/usr/bin/env python3
"""Compare eyesweep's reference engine with PyChOpMarg (MMSE Rx FFE) on the shared channel sets.

For each channel set under <shared>/channels it runs

  * PyChOpMarg's COM (``pychopmarg.com.COM``, ``OptMode.MMSE``, ``NormMode.P8023dj``) with the
    parameters PyChOpMarg itself reads from the IEEE configuration sheet (``--sheet``, by default
    <shared>/com-configs/config_com_ieee8023dj_PyChOpMarg_vs_MATLAB.xls, read by
    ``pychopmarg.excel.get_com_params``), and
  * ``eyesweep com --config CONFIG --json ...`` on the same files (victim, FEXT, NEXT),

and tabulates per channel set: COM and FOM of both and their difference, A_s, A_ni, the noise
terms, what each chose (Rx FFE taps, DFE b1, sampling phase) and the wall time of each tool.
It also checks that the eyesweep TOML (``--config``) and PyChOpMarg's parameters agree value by
value and lists any mismatch.

Run it with a Python that has pychopmarg (and xlrd, to read the .xls sheet) installed:

    python3 -m venv /tmp/pcm && /tmp/pcm/bin/pip install pychopmarg xlrd
    /tmp/pcm/bin/python scripts/compare_pychopmarg.py --eyesweep build/host/eyesweep \\
        --out pychopmarg_comparison.md --json pychopmarg_comparison.json

Exit status: 0 when both tools gave a result on every channel set; 1 when a tool failed on
some set (the failure is in the table and the JSON); 2 on a usage error, a missing tool,
package or file.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import io
import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO / "configs" / "ieee8023dj_pychopmarg.toml"
DEFAULT_SHEET_NAME = "config_com_ieee8023dj_PyChOpMarg_vs_MATLAB.xls"

# The channel sets compared, in table order: folder under <shared>/channels, and the patterns
# (lower-case substrings of the file name) that make a file the victim, a FEXT or a NEXT aggressor.
CHANNEL_SETS = [
    ("vita68_example2", ("thru",), ("fext",), ("next",)),
    ("ieee8023ck_orthobp_12dB", ("_thru",), ("_fen",), ("_nen",)),
    ("ieee8023ck_orthobp_24dB", ("_thru",), ("_fen",), ("_nen",)),
    ("ieee8023ck_ca_19p75dB", ("_thru",), ("_fext",), ("_next",)),
]


class UsageError(Exception):
    """A missing tool, package or file, or a bad argument: exit status 2."""


# ------------------------------------------------------------------------------------------
# Channel sets
# ------------------------------------------------------------------------------------------

def _natural_key(path: Path) -> list[Any]:
    return [int(tok) if tok.isdigit() else tok.lower() for tok in re.split(r"(\d+)", path.name)]


def find_channel_set(channels_dir: Path, name: str, thru_pat, fext_pat, next_pat) -> dict[str, list[Path]]:
    """The victim and aggressor files of one set, by file name (Touchstone 4-port only)."""
    folder = channels_dir / name
    if not folder.is_dir():
        raise UsageError(f"channel set folder not found: {folder}")
    files = sorted((p for p in folder.iterdir() if p.suffix.lower() == ".s4p"), key=_natural_key)
    lower = {p: p.name.lower() for p in files}
    thru = [p for p in files if any(t in lower[p] for t in thru_pat)]
    fext = [p for p in files if any(t in lower[p] for t in fext_pat)]
    nxt = [p for p in files if any(t in lower[p] for t in next_pat)]
    if len(thru) != 1:
        raise UsageError(f"{folder}: expected exactly one THRU file (name containing {thru_pat}), "
                         f"found {[p.name for p in thru]}")
    return {"THRU": thru, "FEXT": fext, "NEXT": nxt}


# ------------------------------------------------------------------------------------------
# PyChOpMarg side
# ------------------------------------------------------------------------------------------

def import_pychopmarg() -> dict[str, Any]:
    try:
        from importlib.metadata import version
        from pychopmarg.com import COM
        from pychopmarg.common import OptMode, NormMode
        from pychopmarg.excel import get_com_params
    except ImportError as err:
        raise UsageError(f"cannot import pychopmarg ({err}); run this script with a Python that has it "
                         "installed, e.g. `python3 -m venv /tmp/pcm && /tmp/pcm/bin/pip install pychopmarg xlrd` "
                         "then `/tmp/pcm/bin/python scripts/compare_pychopmarg.py ...`") from err
    return {"COM": COM, "OptMode": OptMode, "NormMode": NormMode, "get_com_params": get_com_params,
            "version": version("PyChOpMarg")}


def load_pychopmarg_params(pcm: dict[str, Any], sheet: Path) -> tuple[Any, list[str]]:
    """PyChOpMarg's COMParams, read from the IEEE sheet by PyChOpMarg itself, and its warnings."""
    if not sheet.is_file():
        raise UsageError(f"configuration sheet not found: {sheet}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            params = pcm["get_com_params"](sheet)
        except ImportError as err:  # pandas needs xlrd for *.xls, openpyxl for *.xlsx
            raise UsageError(f"pychopmarg cannot read {sheet.name}: {err} (pip install xlrd openpyxl)") from err
    return params, [str(w.message) for w in caught if "xlrd engine is deprecated" not in str(w.message)]


def _f(x: Any) -> Optional[float]:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def run_pychopmarg(pcm: dict[str, Any], params: Any, chset: dict[str, list[Path]]) -> dict[str, Any]:
    """PyChOpMarg's COM (MMSE) of one channel set, with what it chose, its noise terms and timing."""
    import numpy as np

    out: dict[str, Any] = {"ok": False}
    captured = io.StringIO()
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(captured):
            warnings.simplefilter("always")
            com = pcm["COM"](params, {k: [str(p) for p in v] for k, v in chset.items()})
            com.n_procs = 1  # a serial EQ search: one process, like eyesweep's --threads 1
            t1 = time.perf_counter()
            com_db = com(opt_mode=pcm["OptMode"].MMSE, norm_mode=pcm["NormMode"].P8023dj)
        t2 = time.perf_counter()
    except Exception as err:  # pylint: disable=broad-exception-caught
        out.update(error=f"{type(err).__name__}: {err}", wall_s=time.perf_counter() - t0)
        return out
    cr, fr = com.com_rslts, com.fom_rslts
    mm = getattr(com, "mmse_rslt", None) or {}
    M = int(params.M)
    y, pJ = np.asarray(cr["y"]), np.asarray(cr["pJ"])
    cursor = int(cr["cursor_ix"])
    peak = int(fr.get("vic_peak_loc", cursor))
    out.update(
        ok=True,
        COM_dB=float(com_db),
        case_COM_dB=[float(c) for c in cr.get("case_coms", [com_db])],
        FOM_dB=float(fr["FOM"]),
        A_s_mV=1e3 * float(cr["As"]),
        A_ni_mV=1e3 * float(cr["Ani"]),
        # Final-COM terms (com_rslts), in mV. RJ is sigma_RJ alone (the Gaussian jitter part);
        # DD is the rms of the dual-Dirac PMF, sqrt(sum y^2 pJ).
        sigma_mV={
            "ISI": 1e3 * float(cr["sigma_ISI"]),
            "XT": 1e3 * float(cr["sigma_XT"]),
            "TX": 1e3 * float(cr["sigma_Tx"]),
            "N": 1e3 * float(cr["sigma_N"]),
            "RJ": 1e3 * float(cr["sigma_J"]),
            "DD": 1e3 * math.sqrt(float((y**2 * pJ).sum())),
            "G": 1e3 * float(cr["sigma_G"]),
        },
        # The MMSE solution's own breakdown (as reported by PyChOpMarg: varTx through the raw Rx FFE,
        # the others at the Rx FFE input; see the notes), for reference only.
        fom_var_V2={k: _f(fr.get(k)) for k in ("varTx", "varISI", "varJ", "varXT", "varN", "mse")},
        rx_ffe=[float(w) for w in np.atleast_1d(com.rx_taps)],
        rx_ffe_first_offset=-int(com.nRxPreTaps),
        dfe_taps=[float(b) for b in np.atleast_1d(cr["dfe_taps"])],
        mmse_dfe_taps=[float(b) for b in np.atleast_1d(mm.get("dfe_tap_weights", []))],
        cursor_sample=cursor,
        peak_sample=peak,
        cursor_offset_from_peak=cursor - peak,
        sampling_phase=cursor % M,
        n_ts_evals=_f(mm.get("n_ts_evals")),
        xt_phases=[int(p) for p in cr.get("xt_phases", [])],
        g_DC_dB=float(com.gDC), g_DC2_dB=float(com.gDC2),
        tx_ffe=[float(c) for c in com._tx_combs[com.tx_ix]],  # pylint: disable=protected-access
        n_fom_evals=_f(getattr(com, "n_fom_evals", None)),
        init_s=t1 - t0, com_s=t2 - t1, wall_s=t2 - t0,
        warnings=sorted({" ".join(str(w.message).split()) for w in caught}),
        stdout=captured.getvalue().strip(),
    )
    return out


# ------------------------------------------------------------------------------------------
# eyesweep side
# ------------------------------------------------------------------------------------------

def eyesweep_version(binary: str) -> str:
    try:
        res = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError as err:
        raise UsageError(f"cannot run eyesweep binary {binary!r}: {err}") from err
    return (res.stdout or res.stderr).strip().splitlines()[0] if (res.stdout or res.stderr).strip() else "?"


def run_eyesweep(binary: str, config: Path, chset: dict[str, list[Path]], threads: Optional[int],
                 extra: list[str], timeout: float) -> dict[str, Any]:
    """``eyesweep com --json`` on one channel set; its JSON and the wall time."""
    with tempfile.TemporaryDirectory(prefix="compare_pcm_") as tmp:
        json_path = Path(tmp) / "eyesweep.json"
        cmd = [binary, "com", "--config", str(config), "--thru", str(chset["THRU"][0])]
        for p in chset["FEXT"]:
            cmd += ["--fext", str(p)]
        for p in chset["NEXT"]:
            cmd += ["--next", str(p)]
        cmd += ["--json", str(json_path)]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        cmd += extra
        t0 = time.perf_counter()
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"timed out after {timeout:.0f} s", "cmd": cmd,
                    "wall_s": time.perf_counter() - t0}
        wall = time.perf_counter() - t0
        out: dict[str, Any] = {"cmd": cmd, "wall_s": wall, "returncode": res.returncode}
        if res.returncode != 0 or not json_path.is_file():
            tail = "\n".join((res.stderr or res.stdout).strip().splitlines()[-5:])
            out.update(ok=False, error=f"exit {res.returncode}: {tail}")
            return out
        data = json.loads(json_path.read_text())
    worst = data.get("worst_package_case")
    cases = data.get("cases", [])
    case = next((c for c in cases if c.get("package_case") == worst), cases[0] if cases else {})
    eq = case.get("equalizer", {})
    out.update(
        ok=True,
        COM_dB=data.get("COM_dB"),
        case_COM_dB=[c.get("COM_dB") for c in cases],
        FOM_dB=case.get("FOM_dB"),
        A_s_mV=case.get("A_s_mV"),
        A_ni_mV=case.get("A_ni_mV"),
        sigma_mV=case.get("sigma_mV", {}),
        fom_sigma_mV=case.get("fom_sigma_mV", {}),
        rx_ffe=eq.get("rx_ffe", []),
        rx_ffe_first_offset=eq.get("rx_ffe_first_offset"),
        dfe_taps=eq.get("dfe_taps", []),
        cursor_sample=eq.get("cursor_sample"),
        sampling_phase=eq.get("sampling_phase"),
        cursor_offset_from_peak=eq.get("cursor_offset_from_peak"),
        g_DC_dB=eq.get("g_DC_dB"), g_DC2_dB=eq.get("g_DC2_dB"),
        tx_ffe=eq.get("tx_ffe"),
        search=case.get("search"),
        notes=data.get("notes", []),
        version=f"{data.get('eyesweep_version', '?')} ({data.get('git_revision', '?')})",
        engine=f"{data.get('engine', '?')}, {data.get('device', '?')}",
        json=data,
    )
    return out


# ------------------------------------------------------------------------------------------
# Parameter check: the eyesweep TOML against PyChOpMarg's COMParams
# ------------------------------------------------------------------------------------------

def _matlab_values(value: Any) -> Optional[list[float]]:
    """A TOML value (number, array, or MATLAB text such as "[-16 16]" or "[-0.2:0.02:0]") as numbers."""
    if isinstance(value, bool):
        return [float(value)]
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, list):
        flat: list[float] = []
        for v in value:
            sub = _matlab_values(v)
            if sub is None:
                return None
            flat += sub
        return flat
    if isinstance(value, str):
        text = value.strip().strip("[]").strip()
        m = re.fullmatch(r"\s*([-+.\deE]+)\s*:\s*([-+.\deE]+)\s*:\s*([-+.\deE]+)\s*", text)
        if m:
            lo, step, hi = (float(g) for g in m.groups())
            n = int(math.floor((hi - lo) / step + 1e-9)) + 1 if step > 0 else 1
            return [lo + k * step for k in range(n)]
        try:
            return [float(t) for t in re.split(r"[\s,;]+", text) if t]
        except ValueError:
            return None
    return None


def check_parameters(toml_path: Path, params: Any) -> list[dict[str, Any]]:
    """Rows (key, eyesweep value, PyChOpMarg value, same?) for the keys that change COM."""
    import numpy as np
    try:
        import tomllib  # Python >= 3.11
    except ImportError:  # pragma: no cover
        return [{"key": "(all)", "toml": "-", "pychopmarg": "-", "same": None,
                 "note": "Python < 3.11: no tomllib, parameter check skipped"}]
    cfg = tomllib.loads(toml_path.read_text())
    low = {k.lower(): v for k, v in cfg.items() if not isinstance(v, dict)}

    def get(key: str) -> Any:
        return low.get(key.lower())

    p = params
    dw = int(p.dw)
    n_rx = len(p.rx_taps_max)
    rx_max = np.asarray(p.rx_taps_max, dtype=float)
    # Tx taps: PyChOpMarg stores c(-4..-1), c(1..3) as (min, max, step).
    tx_names = [f"c(-{k})" for k in (4, 3, 2, 1)] + [f"c({k})" for k in (1, 2, 3)]

    def tx_values(i: int) -> list[float]:
        lo, hi, st = float(p.tx_taps_min[i]), float(p.tx_taps_max[i]), float(p.tx_taps_step[i])
        if st <= 0 or hi <= lo:
            return [lo]
        return [lo + k * st for k in range(int(round((hi - lo) / st)) + 1)]

    def zp_case1(attr: str) -> Optional[list[float]]:
        v = getattr(p, attr, None)
        return None if v is None else [float(x) for x in v]

    def toml_zp(key: str) -> Optional[list[float]]:
        v = get(key)
        if v is None:
            return None
        rows = v if isinstance(v, list) else [v]
        return [float(r[0]) if isinstance(r, list) else float(r) for r in rows]  # column 1 = case 1

    def toml_zc_tx() -> Optional[list[float]]:
        v = get("package_Z_c")
        if v is None:
            return None
        rows = v if isinstance(v, list) else [v]
        return [float(r[0]) if isinstance(r, list) else float(r) for r in rows]

    checks: list[tuple[str, Optional[list[float]], Optional[list[float]]]] = [
        ("f_b", _matlab_values(get("f_b")), [p.fb]),
        ("Delta_f", _matlab_values(get("Delta_f")), [p.fstep]),
        ("L", _matlab_values(get("L")), [p.L]),
        ("M", _matlab_values(get("M")), [p.M]),
        ("DER_0", _matlab_values(get("DER_0")), [p.DER_0]),
        ("T_r", _matlab_values(get("T_r")), [p.T_r]),
        ("R_LM", _matlab_values(get("R_LM")), [p.RLM]),
        ("A_v", _matlab_values(get("A_v")), [p.A_v]),
        ("A_fe", _matlab_values(get("A_fe")), [p.A_fe]),
        ("A_ne", _matlab_values(get("A_ne")), [p.A_ne]),
        ("R_0", _matlab_values(get("R_0")), [p.R_0]),
        ("R_d", _matlab_values(get("R_d")), [float(x) for x in np.atleast_1d(p.R_d)]),
        ("A_DD", _matlab_values(get("A_DD")), [p.A_DD]),
        ("sigma_RJ", _matlab_values(get("sigma_RJ")), [p.sigma_Rj]),
        ("SNR_TX", _matlab_values(get("SNR_TX")), [p.SNR_TX]),
        ("eta_0", _matlab_values(get("eta_0")), [p.eta_0]),
        ("f_r", _matlab_values(get("f_r")), [p.f_r]),
        ("f_z", _matlab_values(get("f_z")), [p.f_z]),
        ("f_p1", _matlab_values(get("f_p1")), [p.f_p1]),
        ("f_p2", _matlab_values(get("f_p2")), [p.f_p2]),
        ("f_HP_PZ", _matlab_values(get("f_HP_PZ")), [p.f_LF]),
        ("g_DC", _matlab_values(get("g_DC")), [float(g) for g in p.g_DC]),
        ("g_DC_HP", _matlab_values(get("g_DC_HP")) or [0.0], [float(g) for g in p.g_DC2]),
        ("c(0)", _matlab_values(get("c(0)")), [p.c0_min]),
    ]
    for i, name in enumerate(tx_names):
        checks.append((name, _matlab_values(get(name)) or [0.0], tx_values(i)))
    checks += [
        ("N_b", _matlab_values(get("N_b")), [len(p.dfe_max)]),
        ("b_max(1)", _matlab_values(get("b_max(1)")), [float(p.dfe_max[0])] if len(p.dfe_max) else None),
        ("b_min(1)", _matlab_values(get("b_min(1)")), [float(p.dfe_min[0])] if len(p.dfe_min) else None),
        ("ffe_pre_tap_len", _matlab_values(get("ffe_pre_tap_len")) or [0.0], [dw]),
        ("ffe_post_tap_len", _matlab_values(get("ffe_post_tap_len")) or [0.0], [n_rx - dw - 1]),
        ("ffe_pre_tap1_max", _matlab_values(get("ffe_pre_tap1_max")) or [0.7],
         [rx_max[dw - 1]] if dw >= 1 and n_rx > 1 else None),
        ("ffe_post_tap1_max", _matlab_values(get("ffe_post_tap1_max")) or [0.7],
         [rx_max[dw + 1]] if n_rx > dw + 1 else None),
        ("ffe_tapn_max", _matlab_values(get("ffe_tapn_max")) or [0.7],
         [rx_max[0]] if dw >= 2 else ([rx_max[dw + 2]] if n_rx > dw + 2 else None)),
        ("C_d", _matlab_values(get("C_d")), _matlab_values(np.asarray(p.C_d, dtype=float).tolist())),
        ("L_s", _matlab_values(get("L_s")), _matlab_values(np.asarray(p.L_s, dtype=float).tolist())),
        ("C_b", _matlab_values(get("C_b")), [float(x) for x in np.atleast_1d(p.C_b)]),
        ("C_p", _matlab_values(get("C_p")), [float(x) for x in np.atleast_1d(p.C_p)]),
        ("package_Z_c (TX column)", toml_zc_tx(), [float(z) for z in p.z_c]),
        ("package_tl_gamma0_a1_a2", _matlab_values(get("package_tl_gamma0_a1_a2")), [p.gamma0, p.a1, p.a2]),
        ("package_tl_tau", _matlab_values(get("package_tl_tau")), [p.tau]),
        ("z_p (TX) case 1", toml_zp("z_p (TX)"), zp_case1("zp_tx")),
        ("z_p (NEXT) case 1", toml_zp("z_p (NEXT)"), zp_case1("zp_next")),
        ("z_p (FEXT) case 1", toml_zp("z_p (FEXT)"), zp_case1("zp_fext")),
        ("z_p (RX) case 1", toml_zp("z_p (RX)"), zp_case1("zp_rx")),
        ("sample_adjustment", _matlab_values(get("sample_adjustment")),
         list(p.ts_sample_adj) if getattr(p, "ts_sample_adj", None) is not None else None),
        ("Include PCB", _matlab_values(get("Include PCB")), [float(getattr(p, "include_pcb", 0))]),
        # Options PyChOpMarg (3.4.x) does not read but implements one way only: no raised-cosine
        # filter, the Tx rise-time filter in the signal path, the cursor search anchored at the peak.
        ("Raised_Cosine (PyChOpMarg: never)", _matlab_values(get("Raised_Cosine")) or [0.0], [0.0]),
        ("FORCE_TR (PyChOpMarg: always)", _matlab_values(get("FORCE_TR")) or [0.0], [1.0]),
        ("ts_anchor (PyChOpMarg: peak)", _matlab_values(get("ts_anchor")) or [0.0], [1.0]),
    ]
    rows = []
    for key, a, b in checks:
        if a is None or b is None:
            same = None
        else:
            a_f, b_f = [float(x) for x in a], [float(x) for x in b]
            same = len(a_f) == len(b_f) and all(
                math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(a_f, b_f))
        rows.append({"key": key, "toml": a, "pychopmarg": None if b is None else [float(x) for x in b],
                     "same": same})
    return rows


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------

def _fmt(x: Any, nd: int = 3) -> str:
    v = _f(x)
    return "-" if v is None else f"{v:.{nd}f}"


def _diff(a: Any, b: Any, nd: int = 3) -> str:
    va, vb = _f(a), _f(b)
    return "-" if va is None or vb is None else f"{va - vb:+.{nd}f}"


def _short(vals: Optional[list[float]], n: int = 6) -> str:
    if vals is None:
        return "n/a"
    text = ", ".join(f"{v:g}" for v in vals[:n])
    return f"[{text}{', ...' if len(vals) > n else ''}]"


def _taps_by_offset(r: dict[str, Any]) -> dict[int, float]:
    first = r.get("rx_ffe_first_offset")
    if first is None:
        return {}
    return {int(first) + i: float(w) for i, w in enumerate(r.get("rx_ffe", []))}


def render_markdown(report: dict[str, Any]) -> str:
    L: list[str] = []
    meta = report["meta"]
    L.append("# eyesweep vs PyChOpMarg (802.3dj MMSE Rx FFE)")
    L.append("")
    L.append(f"- Date: {meta['date']}; host: {meta['host']}")
    L.append(f"- PyChOpMarg {meta['pychopmarg_version']} (`COM`, `OptMode.MMSE`, `NormMode.P8023dj`, "
             f"serial search), parameters read by `pychopmarg.excel.get_com_params` from `{meta['sheet']}`")
    es_args = f"--config {meta['config']}"
    if meta.get("threads") is not None:
        es_args += f" --threads {meta['threads']}"
    if meta["eyesweep_extra"]:
        es_args += " " + meta["eyesweep_extra"]
    L.append(f"- eyesweep: `{meta['eyesweep_version']}`, `eyesweep com {es_args}` (reference engine unless "
             "the extra arguments say otherwise)")
    L.append(f"- Command: `{meta['command']}`")
    L.append("- Differences are eyesweep minus PyChOpMarg. Wall times are each tool's whole run on the set "
             "(PyChOpMarg: file reading + package + EQ search + final COM, in-process; eyesweep: the "
             "process, start to exit).")
    L.append("")
    n_bad = sum(1 for row in report["parameter_check"] if row["same"] is False)
    if n_bad:
        L.append(f"**Warning: the eyesweep config and PyChOpMarg's parameters differ in {n_bad} key{'s' if n_bad != 1 else ''} "
                 "(see the parameter check below); the two columns are not the same computation.**")
        L.append("")
    L.append("## COM and FOM")
    L.append("")
    L.append("| channel set | aggr. (F/N) | COM eyesweep | COM PyChOpMarg | ΔCOM | FOM eyesweep | FOM PyChOpMarg "
             "| ΔFOM | t eyesweep (s) | t PyChOpMarg (s) |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in report["results"]:
        es, pc = r["eyesweep"], r["pychopmarg"]
        L.append(f"| {r['set']} | {len(r['files']['FEXT'])}/{len(r['files']['NEXT'])} "
                 f"| {_fmt(es.get('COM_dB')) if es.get('ok') else 'FAILED'} "
                 f"| {_fmt(pc.get('COM_dB')) if pc.get('ok') else 'FAILED'} "
                 f"| {_diff(es.get('COM_dB'), pc.get('COM_dB'))} "
                 f"| {_fmt(es.get('FOM_dB'))} | {_fmt(pc.get('FOM_dB'))} | {_diff(es.get('FOM_dB'), pc.get('FOM_dB'))} "
                 f"| {_fmt(es.get('wall_s'), 2)} | {_fmt(pc.get('wall_s'), 2)} |")
    L.append("")
    L.append("## Signal, noise terms (mV) and choices")
    L.append("")
    L.append("Final-COM terms of each tool's winner. RJ: Gaussian jitter (sigma_RJ) alone; DD: rms of "
             "the dual-Dirac jitter PMF (PyChOpMarg: computed here from its `pJ`); phase: sampling phase "
             "(sample of M within the UI, counted from each tool's own time origin: the origins differ, so "
             "phases are not directly comparable); Δpeak: t_s minus the peak of the pre-Rx-FFE victim pulse, in "
             "samples (PyChOpMarg's sweep is -16..+16 around that peak; eyesweep's only if its JSON gives "
             "`cursor_offset_from_peak`).")
    L.append("")
    L.append("| channel set | tool | A_s | A_ni | ISI | XT | TX | N | RJ | DD | DFE b1 | phase | Δpeak |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in report["results"]:
        for tool in ("eyesweep", "pychopmarg"):
            x = r[tool]
            if not x.get("ok"):
                L.append(f"| {r['set']} | {tool} | FAILED: {x.get('error', '?').splitlines()[-1][:120]} "
                         "| | | | | | | | | | |")
                continue
            s = x.get("sigma_mV", {})
            b1 = x.get("dfe_taps") or [None]
            L.append(f"| {r['set']} | {tool} | {_fmt(x.get('A_s_mV'))} | {_fmt(x.get('A_ni_mV'))} "
                     f"| {_fmt(s.get('ISI'))} | {_fmt(s.get('XT'))} | {_fmt(s.get('TX'))} | {_fmt(s.get('N'))} "
                     f"| {_fmt(s.get('RJ'))} | {_fmt(s.get('DD'))} | {_fmt(b1[0])} "
                     f"| {x.get('sampling_phase', '-')} "
                     f"| {'-' if x.get('cursor_offset_from_peak') is None else x['cursor_offset_from_peak']} |")
    L.append("")
    L.append("## Rx FFE taps (normalised to the main tap)")
    L.append("")
    for r in report["results"]:
        es, pc = _taps_by_offset(r["eyesweep"]), _taps_by_offset(r["pychopmarg"])
        offs = sorted(set(es) | set(pc))
        if not offs:
            continue
        L.append(f"**{r['set']}**" + (f"  (max |Δw| = {max(abs(es[o] - pc[o]) for o in offs if o in es and o in pc):.4f})"
                                      if set(es) & set(pc) else ""))
        L.append("")
        L.append("| tool | " + " | ".join(f"w({o})" for o in offs) + " |")
        L.append("|---|" + "---|" * len(offs))
        L.append("| eyesweep | " + " | ".join(_fmt(es.get(o)) for o in offs) + " |")
        L.append("| PyChOpMarg | " + " | ".join(_fmt(pc.get(o)) for o in offs) + " |")
        L.append("")
    L.append("## Parameter check (eyesweep TOML vs PyChOpMarg's COMParams)")
    L.append("")
    bad = [row for row in report["parameter_check"] if row["same"] is False]
    unk = [row for row in report["parameter_check"] if row["same"] is None]
    if not bad:
        L.append(f"All {len(report['parameter_check']) - len(unk)} compared keys agree"
                 + (f" ({len(unk)} not comparable: {', '.join(r['key'] for r in unk)})." if unk else "."))
    else:
        L.append("| key | eyesweep TOML | PyChOpMarg |")
        L.append("|---|---|---|")
        for row in bad:
            L.append(f"| {row['key']} | {_short(row['toml'])} | {_short(row['pychopmarg'])} |")
        if unk:
            L.append("")
            L.append(f"Not comparable: {', '.join(r['key'] for r in unk)}.")
    L.append("")
    L.append("## Notes")
    L.append("")
    for w in report["meta"].get("sheet_warnings", []):
        L.append(f"- PyChOpMarg, reading the sheet: {w}")
    seen: set[str] = set()
    for r in report["results"]:
        for tool, key in (("PyChOpMarg", "warnings"), ("eyesweep", "notes")):
            for n in r[tool.lower()].get(key, []) or []:
                if n not in seen:
                    seen.add(n)
                    L.append(f"- {tool} ({r['set']}): {n}")
        for tool in ("eyesweep", "pychopmarg"):
            if not r[tool].get("ok"):
                L.append(f"- {tool} failed on {r['set']}: {r[tool].get('error', '?')}")
    L.append("")
    return "\n".join(L)


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eyesweep", required=True, metavar="PATH", help="the eyesweep binary")
    ap.add_argument("--config", default=str(DEFAULT_CONFIG), metavar="TOML",
                    help="eyesweep configuration (default: configs/ieee8023dj_pychopmarg.toml)")
    ap.add_argument("--shared", default=None, metavar="DIR",
                    help="shared data folder with channels/ and com-configs/ (default: $EYESWEEP_SHARED_DIR, "
                         "else ../shared relative to the repository)")
    ap.add_argument("--sheet", default=None, metavar="XLS",
                    help=f"IEEE sheet PyChOpMarg reads its parameters from (default: <shared>/com-configs/"
                         f"{DEFAULT_SHEET_NAME})")
    ap.add_argument("--sets", nargs="+", default=None, metavar="NAME",
                    help="channel sets to run (default: all: " + ", ".join(s[0] for s in CHANNEL_SETS) + ")")
    ap.add_argument("--only", choices=("both", "eyesweep", "pychopmarg"), default="both",
                    help="run one tool only (default: both)")
    ap.add_argument("--threads", type=int, default=1,
                    help="eyesweep worker threads (default 1, matching PyChOpMarg's serial search; "
                         "0 = all cores; -1 = don't pass --threads)")
    ap.add_argument("--eyesweep-args", default="", metavar="ARGS",
                    help="extra arguments for `eyesweep com`, e.g. '--backend cpu' (one shell-quoted string)")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per eyesweep run (default 3600)")
    ap.add_argument("--out", default=None, metavar="FILE", help="markdown table (default: stdout)")
    ap.add_argument("--json", default=None, metavar="FILE", help="raw numbers as JSON")
    return ap.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    shared = Path(args.shared or os.environ.get("EYESWEEP_SHARED_DIR") or (REPO.parent / "shared")).resolve()
    channels_dir = shared / "channels"
    if not channels_dir.is_dir():
        raise UsageError(f"channels folder not found: {channels_dir} (give --shared DIR or set EYESWEEP_SHARED_DIR)")
    config = Path(args.config).resolve()
    if not config.is_file():
        raise UsageError(f"eyesweep config not found: {config}")
    sheet = Path(args.sheet).resolve() if args.sheet else shared / "com-configs" / DEFAULT_SHEET_NAME

    run_es = args.only in ("both", "eyesweep")
    run_pc = args.only in ("both", "pychopmarg")
    binary = args.eyesweep
    if run_es:
        if os.sep in binary or binary.startswith("."):
            if not Path(binary).is_file():
                raise UsageError(f"eyesweep binary not found: {binary}")
            if not os.access(binary, os.X_OK):
                raise UsageError(f"eyesweep binary is not executable: {binary}")
            binary = str(Path(binary).resolve())
        es_version = eyesweep_version(binary)
    else:
        es_version = "(not run)"

    pcm = import_pychopmarg()  # also needed for the parameter check
    params, sheet_warnings = load_pychopmarg_params(pcm, sheet)

    known = {s[0]: s for s in CHANNEL_SETS}
    names = args.sets or [s[0] for s in CHANNEL_SETS]
    for n in names:
        if n not in known:
            raise UsageError(f"unknown channel set {n!r}; known: {', '.join(known)}")
    sets = [(n, find_channel_set(channels_dir, *known[n])) for n in names]
    for _, chset in sets:
        for p in (q for files in chset.values() for q in files):
            if not p.is_file():
                raise UsageError(f"channel file not found: {p}")

    threads = None if args.threads < 0 else args.threads
    extra = shlex.split(args.eyesweep_args)
    report: dict[str, Any] = {
        "meta": {
            "date": _dt.datetime.now().isoformat(timespec="seconds"),
            "host": f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})",
            "pychopmarg_version": pcm["version"],
            "eyesweep_version": es_version,
            "eyesweep_binary": binary,
            "config": os.path.relpath(config, Path.cwd()) if config.is_relative_to(Path.cwd()) else str(config),
            "sheet": str(sheet),
            "shared": str(shared),
            "threads": threads,
            "eyesweep_extra": " ".join(extra),
            "command": " ".join(shlex.quote(a) for a in [Path(sys.argv[0]).name, *argv]),
            "sheet_warnings": sheet_warnings,
        },
        "parameter_check": check_parameters(config, params),
        "results": [],
    }
    any_failed = False
    for name, chset in sets:
        print(f"[compare_pychopmarg] {name}: THRU + {len(chset['FEXT'])} FEXT + {len(chset['NEXT'])} NEXT",
              file=sys.stderr, flush=True)
        entry: dict[str, Any] = {"set": name, "files": {k: [str(p) for p in v] for k, v in chset.items()}}
        if run_pc:
            entry["pychopmarg"] = run_pychopmarg(pcm, params, chset)
            pc = entry["pychopmarg"]
            print(f"  PyChOpMarg: " + (f"COM {pc['COM_dB']:.3f} dB, FOM {pc['FOM_dB']:.3f} dB, {pc['wall_s']:.2f} s"
                                       if pc["ok"] else f"FAILED: {pc['error']}"), file=sys.stderr, flush=True)
        else:
            entry["pychopmarg"] = {"ok": False, "error": "not run (--only)"}
        if run_es:
            entry["eyesweep"] = run_eyesweep(binary, config, chset, threads, extra, args.timeout)
            es = entry["eyesweep"]
            print(f"  eyesweep:   " + (f"COM {es['COM_dB']:.3f} dB, FOM {es['FOM_dB']:.3f} dB, {es['wall_s']:.2f} s"
                                       if es["ok"] else f"FAILED: {es['error']}"), file=sys.stderr, flush=True)
        else:
            entry["eyesweep"] = {"ok": False, "error": "not run (--only)"}
        any_failed |= (run_pc and not entry["pychopmarg"]["ok"]) or (run_es and not entry["eyesweep"]["ok"])
        report["results"].append(entry)

    text = render_markdown(report)
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    return 1 if any_failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as err:
        print(f"compare_pychopmarg: error: {err}", file=sys.stderr)
        sys.exit(2)
