#!/usr/bin/python3
"""Add synthetic reconstructed images to a mist result file, for the `mist analyze`
tests:  make_recon_image.py FILE.h5

  /recon/pet/exact/image  piecewise constant on a 2 mm grid: every voxel a lesion's
                          sphere touches holds the lesion's true concentration, every
                          other voxel its tissue's (so CRC = 1 exactly, and a cold
                          lung insert reads 0)
  /recon/pet/noisy/image  the same plus white Gaussian noise of 10 % of the background

Prints, as JSON, the truth the test checks against: per lesion a_H, and a_B, the
SUV scale (body g / decayed injected Bq) and the noise SD.
"""
import json
import sys

import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r+") as f:
    lab = f["/phantom/labels"]
    vox = np.array(lab.attrs["voxel_size_mm"])
    org = np.array(lab.attrs["origin_mm"])
    labels = lab[...]
    act = f["/phantom/activity"][...]
    vml = np.prod(vox) * 1e-3
    les = f["/phantom/lesions"][...]
    pv_v = f["/phantom/lesion_pv/voxel"][...]
    pv_f = f["/phantom/lesion_pv/fraction"][...]
    conc = act.reshape(-1) / vml
    mask = np.zeros(conc.size, bool)
    mask[pv_v] = True
    # The background: the commonest tissue that holds activity.
    flat = labels.reshape(-1)
    hot = ~mask & (conc > 0)
    a_b = float(np.median(conc[hot & (flat == np.bincount(flat[hot]).argmax())]))
    truth = {"a_b": a_b, "lesions": {}}
    for row in les:
        # Least squares over the lesion's voxels: c = f a_H + (1 - f) a_B.
        s, n = int(row["pv_offset"]), int(row["pv_count"])
        fr = pv_f[s:s + n].astype(float)
        c = conc[pv_v[s:s + n]].astype(float)
        truth["lesions"][row["name"].decode()] = float(np.sum(fr * (c - (1 - fr) * a_b)) / np.sum(fr * fr))
    acq = f["/acquisition"].attrs
    truth["suv_scale"] = float(acq["body_mass_kg"] * 1e3 / (
        acq["injected_Bq"] * np.exp(-np.log(2) * acq["frame_start_s"] / acq["half_life_s"])))

    # The image grid: 2 mm voxels over the phantom's extent (a different grid on purpose).
    h = 2.0
    lo = org - 0.5 * vox
    hi = lo + vox * np.array(labels.shape[::-1])
    n = np.floor((hi - lo) / h).astype(int)
    iorg = lo + 0.5 * h
    zc, yc, xc = [iorg[a] + h * np.arange(n[a]) for a in (2, 1, 0)]
    Z, Y, X = np.meshgrid(zc, yc, xc, indexing="ij")
    # Body: the phantom label at each image voxel centre.
    pi = np.clip(np.floor((np.stack([X, Y, Z]) - lo[:, None, None, None]) / vox[:, None, None, None]).astype(int),
                 0, np.array(labels.shape[::-1])[:, None, None, None] - 1)
    plab = labels[pi[2], pi[1], pi[0]]
    inbody = plab != 0
    # Each tissue's true concentration (median over its voxels that no lesion touches).
    flat = labels.reshape(-1)
    tissue = np.zeros(256)
    for l in np.unique(flat[~mask]):
        tissue[l] = np.median(conc[~mask & (flat == l)])
    img = tissue[plab]
    for row in les:
        c = np.array(row["center_mm"])
        r = 0.5 * row["diameter_mm"]
        # Nearest point of each voxel box to the centre: touched when closer than r.
        d2 = sum(np.maximum(0.0, np.abs(G - c[a]) - 0.5 * h) ** 2 for a, G in enumerate((X, Y, Z)))
        img[d2 < r * r] = truth["lesions"][row["name"].decode()]
    sigma = 0.1 * a_b
    truth["sigma"] = sigma
    rng = np.random.default_rng(12345)
    noisy = img + sigma * rng.standard_normal(img.shape) * inbody
    for name, data in (("exact", img), ("noisy", noisy)):
        d = f.create_dataset(f"/recon/pet/{name}/image", data=data.astype(np.float32))
        d.attrs["voxel_size_mm"] = np.array([h, h, h])
        d.attrs["origin_mm"] = iorg
        d.attrs["units"] = "Bq/mL"
print(json.dumps(truth))
