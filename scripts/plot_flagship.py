#!/usr/bin/python3
"""The HER2 figure from a `mist sweep scripts/sweeps/her2_flagship.yaml -o DIR` run.

    python3 scripts/plot_flagship.py DIR [-o FIGURE.png]   (default DIR/her2_flagship.png)

Reads DIR/observer.csv (and DIR/lesions.csv) and draws a 2 x 2 grid: rows the lesions (breast
primary, axillary node), columns the scanners (whole-body ring, breast ring); in each panel the
observers' d' (NPW solid, CHO dashed, bootstrap 95 % CI bars) against the lesion diameter, one
colour per probe.  A lesion outside a scanner's field (observer.csv in_field 0 gives d' 0) is
marked as such.  Needs numpy and matplotlib (Debian python3-numpy, python3-matplotlib).
"""
import argparse
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def short(v):
    return os.path.splitext(os.path.basename(v))[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("-o", "--out", default=None)
    a = ap.parse_args()
    if a.out is None:
        a.out = os.path.join(a.dir, "her2_flagship.png")
    rows = list(csv.DictReader(open(os.path.join(a.dir, "observer.csv"))))
    lesions = list(dict.fromkeys(r["lesion"] for r in rows))
    scanners = list(dict.fromkeys(r["scanner"] for r in rows))
    probes = list(dict.fromkeys(r["tracer.probe"] for r in rows))
    colours = ["tab:red", "tab:blue", "tab:green", "tab:purple"]
    fig, axs = plt.subplots(len(lesions), len(scanners), figsize=(5.2 * len(scanners),
                            3.6 * len(lesions)), squeeze=False, sharex=True)
    for li, les in enumerate(lesions):
        for si, sc in enumerate(scanners):
            ax = axs[li][si]
            outside = False
            for pi, pr in enumerate(probes):
                for obs, style in (("npw", "-"), ("cho", "--")):
                    sub = [r for r in rows if r["lesion"] == les and r["scanner"] == sc
                           and r["tracer.probe"] == pr and r["observer"] == obs]
                    sub.sort(key=lambda r: float(r["lesions.0.diameter_mm"]))
                    if not sub:
                        continue
                    x = [float(r["lesions.0.diameter_mm"]) for r in sub]
                    y = [float(r["d_prime"]) for r in sub]
                    lo = [max(0.0, yy - float(r["d_prime_lo"])) for yy, r in zip(y, sub)]
                    hi = [max(0.0, float(r["d_prime_hi"]) - yy) for yy, r in zip(y, sub)]
                    outside |= any(r.get("in_field", "1") == "0" or
                                   int(r["realizations"]) == 0 for r in sub)
                    ax.errorbar(x, y, yerr=[lo, hi], fmt=style, marker="o", ms=4, capsize=3,
                                color=colours[pi % len(colours)],
                                label=f"{short(pr)} ({obs.upper()})")
            ax.set_title(f"{les}, {short(sc)}", fontsize=10)
            ax.axhline(0, color="0.6", lw=0.8)
            if outside:
                ax.text(0.5, 0.5, "outside the scanner's field:\nnot seen (d' 0)",
                        transform=ax.transAxes, ha="center", va="center", fontsize=9)
            ax.grid(alpha=0.3)
            if li == len(lesions) - 1:
                ax.set_xlabel("lesion diameter [mm]")
            if si == 0:
                ax.set_ylabel("detectability d'")
    axs[0][0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    fig.savefig(a.out, dpi=100)
    print(a.out)


if __name__ == "__main__":
    main()
