#!/usr/bin/env python3
"""Per-tissue check of a SPECT reconstruction: for each tissue with activity,
the mean of /recon/spect/<camera>/image (nearest recon voxel to each phantom
voxel) over the tissue's core (the tissue eroded by 10 mm, away from partial
volume) against the true concentration from /phantom/activity.

    /usr/bin/python3 scripts/spect_recon_tissues.py RESULT.h5
"""
import sys

import h5py
import numpy as np
from scipy import ndimage

f = h5py.File(sys.argv[1], "r")
lab = f["/phantom/labels"][...]
a = f["/phantom/activity"]
act, pv, po = a[...], a.attrs["voxel_size_mm"], a.attrs["origin_mm"]
names = {int(t["label"]): t["name"].decode() for t in f["/phantom/tissues"][...]}
cam = list(f["/recon/spect"].keys())[0]
d = f[f"/recon/spect/{cam}/image"]
img, v, o = d[...], d.attrs["voxel_size_mm"], d.attrs["origin_mm"]
conc = act / np.prod(pv) * 1e3  # Bq/mL
idx = [np.clip(np.rint((po[k] + pv[k] * np.arange(lab.shape[2 - k]) - o[k]) / v[k]).astype(int),
               0, img.shape[2 - k] - 1) for k in range(3)]
rec = img[np.ix_(idx[2], idx[1], idx[0])]
print(f"{'tissue':<16} {'core voxels':>11} {'truth Bq/mL':>12} {'recon Bq/mL':>12} {'ratio':>6}")
for l in np.unique(lab):
    core = ndimage.binary_erosion(lab == l, iterations=int(np.ceil(10.0 / pv.min())))
    if core.sum() < 100 or not conc[core].mean() > 0:
        continue
    t, r = conc[core].mean(), rec[core].mean()
    print(f"{names.get(int(l), str(l)):<16} {int(core.sum()):>11} {t:>12.0f} {r:>12.0f} {r / t:>6.3f}")
