#!/usr/bin/python3
"""NEMA IEC contrast recovery with statistical uncertainties, for tests/cli/test_iec_crc.sh.

    iec_crc.py LO.h5 LO.json HI.h5 HI.json [--iters-strict D,...] [--pairs-strict I-J,...]
               [--slope-strict lo,hi]

LO/HI: the same data reconstructed with fewer / more iterations; the JSON files are
`mist analyze --json` of each.  CRC values are mist analyze's.  Their uncertainty is measured
in the image itself: balls of each sphere's diameter are placed wholly in the uniform
background water (phantom labels), at least 10 mm from every sphere and inside |z| <= 60 mm
(the plateau of the scanner's axial sensitivity), on a grid that keeps them apart; the SD of
their means over their average, sigma_q, is the relative noise of a ROI of that size and
shape.  A sphere's mean C_H is taken to carry the same relative noise, scaled up with its
intensity (Q = C_H / C_B, multiplicative noise: an upper bound for OSEM, whose variance grows
between the mean and its square), and C_B the SE of mist analyze's background ROIs
(BV / sqrt(n_bg_rois)):
    sigma_CRC = Q sqrt(sigma_q^2 + BV^2 / n_bg) / (a_H / a_B - 1).
For the rise with iterations the same balls give the noise of the difference directly (the two
images come from the same data, so their noise is correlated): the SD over the balls of
Q_hi q_hi - Q_lo q_lo, with the C_B terms of both images added.  Spheres of different sizes sit
50 mm or more apart, so their errors are taken as independent.

Checks (K = 4 standard errors, the project's bound):
  * iterations: for every sphere CRC_hi - CRC_lo > -K sigma (no significant fall), and for the
    spheres listed in --iters-strict (diameters) CRC_hi - CRC_lo > K sigma (a significant rise);
  * iterations over all six spheres: the mean rise, weighted by 1 / sigma^2, > K of its SE;
  * size, in both images: for every pair of spheres d_i < d_j, CRC_j - CRC_i > -K sigma, and
    for the pairs listed in --pairs-strict (d_i-d_j) CRC_j - CRC_i > K sigma;
  * size over all six spheres: in the images listed in --slope-strict (lo, hi) the weighted
    least-squares slope of CRC against diameter > K of its SE (printed for both).
Prints the table; exits 1 with the failed checks listed.
"""
import json
import math
import sys

import h5py
import numpy as np

K = 4.0


def load(h5, js):
    f = h5py.File(h5, "r")
    (scanner,) = list(f["/recon/pet"].keys())
    d = f["/recon/pet/%s/image" % scanner]
    img = d[...].astype(np.float64)
    vox, org = np.array(d.attrs["voxel_size_mm"]), np.array(d.attrs["origin_mm"])
    lab = f["/phantom/labels"]
    labels = lab[...]
    lvox, lorg = np.array(lab.attrs["voxel_size_mm"]), np.array(lab.attrs["origin_mm"])
    tissues = f["/phantom/tissues"][...]
    names = [t["name"].decode() if isinstance(t["name"], bytes) else t["name"] for t in tissues]
    bg_label = int(tissues["label"][names.index("iec_background")])
    les = f["/phantom/lesions"][...]
    spheres = [((l["name"].decode() if isinstance(l["name"], bytes) else l["name"]),
                np.array(l["center_mm"], float), float(l["diameter_mm"])) for l in les]
    rows = {r["name"]: r for r in json.load(open(js))["lesions"]}
    return dict(img=img, vox=vox, org=org, labels=labels, lvox=lvox, lorg=lorg,
                bg=bg_label, spheres=spheres, rows=rows)


def axes(shape, vox, org):
    nz, ny, nx = shape
    return (org[0] + vox[0] * np.arange(nx), org[1] + vox[1] * np.arange(ny),
            org[2] + vox[2] * np.arange(nz))


def balls(im, r):
    """Centres of background balls of radius r [mm]."""
    lx, ly, lz = axes(im["labels"].shape, im["lvox"], im["lorg"])
    step = 2.0 * r + 4.0
    out = []
    zmax = 60.0 - r
    for cz in np.arange(-math.floor(zmax / step) * step, zmax + 1e-9, step):
        for cy in np.arange(ly[0], ly[-1], step):
            for cx in np.arange(lx[0], lx[-1], step):
                c = np.array([cx, cy, cz])
                if any(np.linalg.norm(c - sc) < r + 0.5 * sd + 10.0 for _, sc, sd in im["spheres"]):
                    continue
                # every phantom voxel within r + 4 mm (one recon voxel) is background water
                R = r + 4.0
                ix = np.nonzero(np.abs(lx - cx) <= R)[0]
                iy = np.nonzero(np.abs(ly - cy) <= R)[0]
                iz = np.nonzero(np.abs(lz - cz) <= R)[0]
                if len(ix) == 0 or len(iy) == 0 or len(iz) == 0:
                    continue
                if ix[0] == 0 or iy[0] == 0 or iz[0] == 0 or ix[-1] == len(lx) - 1 \
                        or iy[-1] == len(ly) - 1 or iz[-1] == len(lz) - 1:
                    continue
                Z, Y, X = np.meshgrid(lz[iz], ly[iy], lx[ix], indexing="ij")
                inside = (X - cx) ** 2 + (Y - cy) ** 2 + (Z - cz) ** 2 <= R * R
                sub = im["labels"][iz[0]:iz[-1] + 1, iy[0]:iy[-1] + 1, ix[0]:ix[-1] + 1]
                if np.all(sub[inside] == im["bg"]):
                    out.append(c)
    return out


def ball_means(im, centres, r):
    x, y, z = axes(im["img"].shape, im["vox"], im["org"])
    means = []
    for c in centres:
        ix = np.nonzero(np.abs(x - c[0]) <= r)[0]
        iy = np.nonzero(np.abs(y - c[1]) <= r)[0]
        iz = np.nonzero(np.abs(z - c[2]) <= r)[0]
        Z, Y, X = np.meshgrid(z[iz], y[iy], x[ix], indexing="ij")
        m = (X - c[0]) ** 2 + (Y - c[1]) ** 2 + (Z - c[2]) ** 2 <= r * r
        sub = im["img"][iz[0]:iz[-1] + 1, iy[0]:iy[-1] + 1, ix[0]:ix[-1] + 1]
        means.append(sub[m].mean())
    return np.array(means)


def main(argv):
    strict_pairs, strict_iters, strict_slope = set(), set(), set()
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--pairs-strict":
            strict_pairs = {tuple(float(v) for v in p.split("-")) for p in argv[i + 1].split(",") if p}
            i += 2
        elif argv[i] == "--slope-strict":
            strict_slope = set(argv[i + 1].split(","))
            i += 2
        elif argv[i] == "--iters-strict":
            strict_iters = {float(v) for v in argv[i + 1].split(",") if v}
            i += 2
        else:
            args.append(argv[i])
            i += 1
    lo, hi = load(args[0], args[1]), load(args[2], args[3])
    fails = []
    res = {}
    for name, centre, diam in sorted(lo["spheres"], key=lambda s: s[2]):
        r = 0.5 * diam
        cs = balls(lo, r)
        if len(cs) < 10:
            fails.append("%s: only %d background balls" % (name, len(cs)))
            continue
        q = {}
        for tag, im in (("lo", lo), ("hi", hi)):
            m = ball_means(im, cs, r)
            q[tag] = m / m.mean()
        e = {}
        for tag, im in (("lo", lo), ("hi", hi)):
            row = im["rows"][name]
            Q = row["c_h_Bq_mL"] / row["c_b_Bq_mL"]
            kk = row["a_h_Bq_mL"] / row["a_b_Bq_mL"] - 1.0
            cb2 = (Q * row["bv"]) ** 2 / row["n_bg_rois"]
            e[tag] = dict(crc=row["crc"], Q=Q, k=kk, cb2=cb2,
                          sigma=math.sqrt((Q * q[tag].std(ddof=1)) ** 2 + cb2) / kk)
        d = e["hi"]["Q"] * q["hi"] - e["lo"]["Q"] * q["lo"]
        sd = math.sqrt(d.std(ddof=1) ** 2 + e["hi"]["cb2"] + e["lo"]["cb2"]) / e["hi"]["k"]
        res[diam] = dict(name=name, n=len(cs), lo=e["lo"], hi=e["hi"], sd=sd,
                         sq_lo=q["lo"].std(ddof=1), sq_hi=q["hi"].std(ddof=1))
    print("%-12s %5s %16s %16s %16s" % ("sphere", "balls", "CRC lo", "CRC hi", "hi - lo"))
    for diam in sorted(res):
        s = res[diam]
        delta = s["hi"]["crc"] - s["lo"]["crc"]
        print("%-12s %5d %7.3f +- %5.3f %7.3f +- %5.3f %7.3f +- %5.3f" % (
            s["name"], s["n"], s["lo"]["crc"], s["lo"]["sigma"], s["hi"]["crc"], s["hi"]["sigma"],
            delta, s["sd"]))
        if delta <= -K * s["sd"]:
            fails.append("%s: CRC falls with iterations (%.3f, %.1f sigma)" % (s["name"], delta, delta / s["sd"]))
        if diam in strict_iters and delta <= K * s["sd"]:
            fails.append("%s: CRC rise with iterations %.3f is not above %g sigma (%.3f)" % (s["name"], delta, K, K * s["sd"]))
    ds = sorted(res)
    for tag in ("lo", "hi"):
        for a in range(len(ds)):
            for b in range(a + 1, len(ds)):
                si, sj = res[ds[a]][tag], res[ds[b]][tag]
                delta, sig = sj["crc"] - si["crc"], math.hypot(si["sigma"], sj["sigma"])
                strict = (ds[a], ds[b]) in strict_pairs
                print("%s: CRC(%g mm) - CRC(%g mm) = %6.3f +- %5.3f (%+.1f sigma)%s" % (
                    tag, ds[b], ds[a], delta, sig, delta / sig, "  [asserted > %g sigma]" % K if strict else ""))
                if delta <= -K * sig:
                    fails.append("%s: CRC(%g mm) < CRC(%g mm) by %.1f sigma" % (tag, ds[b], ds[a], -delta / sig))
                if strict and delta <= K * sig:
                    fails.append("%s: CRC(%g mm) - CRC(%g mm) = %.3f not above %g sigma (%.3f)" % (
                        tag, ds[b], ds[a], delta, K, K * sig))
    # Trends over all six spheres: the weighted least-squares slope of CRC against diameter in
    # each image, and the weighted mean rise with iterations, each above K of its SE.
    for tag in ("lo", "hi"):
        w = np.array([1.0 / res[d][tag]["sigma"] ** 2 for d in ds])
        x = np.array(ds)
        y = np.array([res[d][tag]["crc"] for d in ds])
        xm = (w * x).sum() / w.sum()
        sxx = (w * (x - xm) ** 2).sum()
        slope = (w * (x - xm) * y).sum() / sxx
        se = 1.0 / math.sqrt(sxx)
        print("%s: CRC slope against diameter %.4f +- %.4f per mm (%+.1f sigma)%s" % (
            tag, slope, se, slope / se, "  [asserted > %g sigma]" % K if tag in strict_slope else ""))
        if slope <= -K * se:
            fails.append("%s: CRC falls with sphere size: slope %.4f, %.1f sigma" % (tag, slope, slope / se))
        if tag in strict_slope and slope <= K * se:
            fails.append("%s: CRC does not rise with sphere size: slope %.4f, %.1f sigma" % (tag, slope, slope / se))
    w = np.array([1.0 / res[d]["sd"] ** 2 for d in ds])
    rise = np.array([res[d]["hi"]["crc"] - res[d]["lo"]["crc"] for d in ds])
    mean, se = (w * rise).sum() / w.sum(), 1.0 / math.sqrt(w.sum())
    print("weighted mean rise of CRC with iterations %.3f +- %.3f (%+.1f sigma)  [asserted > %g sigma]" % (
        mean, se, mean / se, K))
    if mean <= K * se:
        fails.append("CRC does not rise with iterations: weighted mean %.3f, %.1f sigma" % (mean, mean / se))
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
