#!/usr/bin/python3
"""Plots and an HTML report of a `mist sweep` directory.

    python3 scripts/plot_sweep.py DIR [--metric NAME] [--x AXIS]

Reads DIR/results.csv (one row per point: index, the sweep's axes, seed, file and the
counters decays, prompts, trues, scatters, randoms, delayed) and, when the points were
reconstructed and analysed, DIR/lesions.csv (one row per point, image and lesion: crc,
bv, cnr, suv_max, suv_mean, suv_peak) and, after an observer study (the sweep's
`observe:`), DIR/observer.csv (one row per point, lesion and observer: d_prime, auc and
their bootstrap 95 % CIs).  Plots the metric against the first axis (or
--x), one line per combination of the other axes' values; seed repeats are averaged,
with their standard deviation as error bars.  Default metrics: AUC and d' per lesion
(one line per observer, CI bars) when observer.csv exists, CRC (and CNR) per lesion when
lesions.csv exists, else trues (and prompts); with lesion metrics, also panels of each
point's reconstructed image through every lesion with its outline marked
(sweep_images.png).  Writes DIR/sweep_<metric>.png and DIR/report.html, which embeds the
figures (base64) and the table of points.

Needs numpy and matplotlib (Debian python3-numpy, python3-matplotlib); runs headless.
"""
import argparse
import base64
import csv
import html
import math
import os
import sys
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COUNTERS = ["decays", "prompts", "trues", "scatters", "randoms", "delayed"]
LESION_METRICS = ["crc", "bv", "cnr", "suv_max", "suv_mean", "suv_peak"]
OBSERVER_METRICS = ["auc", "d_prime"]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def axes_of(rows):
    cols = list(rows[0].keys())
    return cols[cols.index("index") + 1:cols.index("seed")]


def short(value):
    """A file path as its name without extension; other values as they are."""
    if "/" in value or value.endswith((".yaml", ".yml")):
        return os.path.splitext(os.path.basename(value))[0]
    return value


def as_number(value):
    try:
        v = float(value)
        return v if math.isfinite(v) else None
    except ValueError:
        return None


def determined_by(rows, x_axis, a):
    """True when axis a's value follows from x_axis's in every row."""
    seen = {}
    return all(seen.setdefault(r[x_axis], r[a]) == r[a] for r in rows)


def series(rows, x_axis, others, metric, ci=False):
    """{label of the other axes' values: (x values, means, error bars)} with seeds averaged:
    the error bars are the seeds' SD, or with ci (one seed) the distance to the row's
    METRIC_lo and METRIC_hi (its 95 % CI) as a (2, n) array."""
    groups = OrderedDict()
    for r in rows:
        y = as_number(r.get(metric, ""))
        if y is None:
            continue
        lo = as_number(r.get(metric + "_lo", "")) if ci else None
        hi = as_number(r.get(metric + "_hi", "")) if ci else None
        label = ", ".join(f"{a.split('.')[-1]}={short(r[a])}" for a in others)
        groups.setdefault(label, OrderedDict()).setdefault(r[x_axis], []).append((y, lo, hi))
    out = OrderedDict()
    for label, by_x in groups.items():
        xs = list(by_x)
        means = [float(np.mean([v[0] for v in by_x[x]])) for x in xs]
        if ci and all(len(by_x[x]) == 1 and by_x[x][0][1] is not None
                      and by_x[x][0][2] is not None for x in xs):
            # A point estimate may lie outside its bootstrap percentile interval (small
            # samples): the bar then starts at the estimate on that side (matplotlib refuses
            # negative lengths).
            err = np.clip(np.array([[m - by_x[x][0][1] for m, x in zip(means, xs)],
                                    [by_x[x][0][2] - m for m, x in zip(means, xs)]]), 0.0, None)
        else:
            err = [float(np.std([v[0] for v in by_x[x]], ddof=1)) if len(by_x[x]) > 1 else 0.0
                   for x in xs]
        out[label] = (xs, means, err)
    return out


def plot(rows, x_axis, others, metric, title, path, ci=False):
    data = series(rows, x_axis, others, metric, ci)
    if not data:
        return False
    all_x = list(OrderedDict.fromkeys(r[x_axis] for r in rows))
    numeric = all(as_number(x) is not None for x in all_x)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, (xs, means, sds) in data.items():
        pos = [as_number(x) if numeric else all_x.index(x) for x in xs]
        has_err = np.any(np.asarray(sds) != 0)
        ax.errorbar(pos, means, yerr=sds if has_err else None, marker="o", capsize=3,
                    label=label or metric)
    lows = [m for _, means, _ in data.values() for m in means]
    if min(lows) > 0 and max(lows) / min(lows) > 30:
        ax.set_yscale("log")
    if not numeric:
        ax.set_xticks(range(len(all_x)))
        ax.set_xticklabels([short(x) for x in all_x], rotation=15)
    ax.set_xlabel(x_axis)
    ax.set_ylabel(metric)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if len(data) > 1 or others:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def image_panels(d, rows, axes, path, max_points=8):
    """Transverse slices of each point's first reconstructed image through each lesion's
    centre, the lesion's outline (its sphere's diameter) marked: rows = points, columns =
    lesions.  False when no point file holds a /recon image."""
    import h5py
    from matplotlib.patches import Circle
    panels = []  # (point row, image name, lesion name, slice, extent, centre, radius)
    for r in rows[:max_points]:
        fpath = os.path.join(d, r["file"])
        if not os.path.exists(fpath):
            continue
        with h5py.File(fpath, "r") as f:
            if "recon" not in f:
                continue
            names = []
            f["recon"].visit(lambda n: names.append(n) if n.endswith("/image") else None)
            if not names or "/phantom/lesions" not in f:
                continue
            img = f["recon"][sorted(names)[0]]
            vox = np.array(img.attrs["voxel_size_mm"], float)
            org = np.array(img.attrs["origin_mm"], float)
            nz, ny, nx = img.shape
            for les in f["/phantom/lesions"][...]:
                c = np.array(les["center_mm"], float)
                k = int(round((c[2] - org[2]) / vox[2]))
                if not 0 <= k < nz:
                    continue
                extent = [org[0] - vox[0] / 2, org[0] + (nx - 0.5) * vox[0],
                          org[1] - vox[1] / 2, org[1] + (ny - 0.5) * vox[1]]
                name = les["name"].decode() if isinstance(les["name"], bytes) else les["name"]
                panels.append((r, sorted(names)[0][:-6], name, img[k], extent, c,
                               float(les["diameter_mm"]) / 2))
    if not panels:
        return False
    lesion_names = list(OrderedDict.fromkeys(p[2] for p in panels))
    point_ids = list(OrderedDict.fromkeys(p[0]["index"] for p in panels))
    fig, axs = plt.subplots(len(point_ids), len(lesion_names), squeeze=False,
                            figsize=(3.0 * len(lesion_names), 2.8 * len(point_ids)))
    for ax in axs.flat:
        ax.axis("off")
    for r, image, name, sl, extent, c, rad in panels:
        ax = axs[point_ids.index(r["index"])][lesion_names.index(name)]
        ax.axis("on")
        ax.imshow(sl, origin="lower", extent=extent, cmap="gray_r")
        ax.add_patch(Circle((c[0], c[1]), rad, fill=False, color="tab:red", lw=1.2))
        ax.set_xlim(c[0] - 6 * rad - 10, c[0] + 6 * rad + 10)
        ax.set_ylim(c[1] - 6 * rad - 10, c[1] + 6 * rad + 10)
        label = ", ".join(f"{a.split('.')[-1]}={short(r[a])}" for a in axes if a in r)
        ax.set_title(f"point {r['index']}: {name} ({image})\n{label}", fontsize=7)
        ax.tick_params(labelsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def table_html(rows, columns, axes):
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(short(r[c]) if c in axes else r[c])}</td>"
                         for c in columns) + "</tr>" for r in rows)
    return f"<table>\n<tr>{head}</tr>\n{body}\n</table>"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="the directory of `mist sweep ... -o DIR`")
    ap.add_argument("--metric", help="a column of results.csv or lesions.csv, or auc / d_prime "
                    "of observer.csv (default: auc and d_prime when observer.csv exists, crc "
                    "and cnr when lesions.csv exists, else trues and prompts)")
    ap.add_argument("--x", help="the axis on the x axis (default: the first)")
    args = ap.parse_args()
    d = args.dir
    res_path = os.path.join(d, "results.csv")
    if not os.path.exists(res_path):
        sys.exit(f"plot_sweep: {res_path} not found (run `mist sweep SWEEP.yaml -o {d}`, or "
                 "--collect after a job array)")
    rows = read_csv(res_path)
    les_path = os.path.join(d, "lesions.csv")
    lesions = read_csv(les_path) if os.path.exists(les_path) else []
    obs_path = os.path.join(d, "observer.csv")
    observers = read_csv(obs_path) if os.path.exists(obs_path) else []
    axes = axes_of(rows)
    if not axes:
        axes = ["seed"]
    x_axis = args.x or axes[0]
    if x_axis not in axes:
        sys.exit(f"plot_sweep: --x {x_axis}: not an axis of this sweep ({', '.join(axes)})")
    # Lines: one per combination of the other axes, leaving out those that vary with the
    # x axis (its zip partners) and those with one value.
    # An axis that follows from one already kept (a zip partner: the probe's uptake time)
    # adds no line and is left out of the labels.
    others = []
    for a in axes:
        if a != x_axis and a != "seed" and not determined_by(rows, x_axis, a) \
                and not any(determined_by(rows, k, a) for k in others):
            others.append(a)

    figures = []  # (title, png path)
    have_crc = any(as_number(r.get("crc", "")) is not None for r in lesions)
    metrics = [args.metric] if args.metric else (["crc", "cnr"] if have_crc else
                                                 ["trues", "prompts"])
    if observers and not args.metric:
        metrics = OBSERVER_METRICS + metrics
    for metric in metrics:
        if metric in OBSERVER_METRICS:
            if not observers:
                sys.exit(f"plot_sweep: --metric {metric}: no observer.csv in {d}")
            for name in OrderedDict.fromkeys(r["lesion"] for r in observers):
                sub = [r for r in observers if r["lesion"] == name]
                png = os.path.join(d, f"sweep_{metric}_{name}.png")
                if plot(sub, x_axis, others + ["observer"], metric,
                        f"{metric} of lesion {name} (bars: bootstrap 95 % CI)", png, ci=True):
                    figures.append((f"{metric}, lesion {name}", png))
        elif metric in LESION_METRICS or metric == "diameter_mm":
            for name in OrderedDict.fromkeys(r["lesion"] for r in lesions):
                sub = [r for r in lesions if r["lesion"] == name]
                png = os.path.join(d, f"sweep_{metric}_{name}.png")
                if plot(sub, x_axis, others + ["image"], metric, f"{metric} of lesion {name}",
                        png):
                    figures.append((f"{metric}, lesion {name}", png))
        elif metric in rows[0]:
            png = os.path.join(d, f"sweep_{metric}.png")
            if plot(rows, x_axis, others, metric, f"{metric} per point", png):
                figures.append((metric, png))
        else:
            sys.exit(f"plot_sweep: --metric {metric}: no such column")
    if not figures:
        sys.exit("plot_sweep: nothing to plot")
    png = os.path.join(d, "sweep_images.png")
    if lesions and image_panels(d, rows, axes, png):
        figures.append(("reconstructed images through the lesions (outline: the lesion's "
                        "diameter; first 8 points)", png))

    note = ("" if lesions else
            "<p>Counters only: no point file holds a reconstructed image, so there are no "
            "lesion metrics; the figures show coincidence counts.</p>")
    parts = [f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>mist sweep "
             f"{html.escape(d)}</title>\n<style>body{{font-family:sans-serif;margin:2em}}"
             "table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #bbb;"
             "padding:2px 6px;text-align:right}</style></head><body>",
             f"<h1>mist sweep: {html.escape(os.path.abspath(d))}</h1>",
             f"<p>{len(rows)} points; axes: {html.escape(', '.join(axes))}.</p>", note]
    for title, png in figures:
        with open(png, "rb") as f:
            b64 = base64.b64encode(f.read()).decode()
        parts.append(f"<h2>{html.escape(title)}</h2>\n<img alt='{html.escape(title)}' "
                     f"src='data:image/png;base64,{b64}'>")
    parts.append("<h2>Points (results.csv)</h2>")
    parts.append(table_html(rows, list(rows[0].keys()), axes))
    if lesions:
        parts.append("<h2>Lesions (lesions.csv)</h2>")
        parts.append(table_html(lesions, list(lesions[0].keys()), axes))
    if observers:
        parts.append("<h2>Observer study (observer.csv)</h2>")
        parts.append(table_html(observers, list(observers[0].keys()), axes))
    parts.append("</body></html>\n")
    out = os.path.join(d, "report.html")
    with open(out, "w") as f:
        f.write("\n".join(parts))
    for _, png in figures:
        print(png)
    print(out)


if __name__ == "__main__":
    main()
