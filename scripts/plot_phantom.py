#!/usr/bin/python3
"""Render three orthogonal slices of a mist phantom to a PNG.

    /usr/bin/python3 scripts/plot_phantom.py OUT.h5 [-o PNG] [--center X Y Z] [--density]

Reads /phantom/labels (uint8 [nz, ny, nx], attrs voxel_size_mm, origin_mm) and
/phantom/tissues, and draws the axial (z), coronal (y) and sagittal (x) slices
through the given point in mm (default: the first lesion's centre, or the
grid's centre), with a legend of tissue names, or with --density the density
in g/cm3.  Needs Debian's python3-h5py, python3-matplotlib and python3-numpy.
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402


def decode(s):
    return s.decode() if isinstance(s, bytes) else str(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("h5", help="result file with a /phantom group")
    ap.add_argument("-o", "--output", help="PNG to write (default: H5 name with .png)")
    ap.add_argument("--center", nargs=3, type=float, metavar=("X", "Y", "Z"),
                    help="slice through this point [mm]")
    ap.add_argument("--density", action="store_true", help="show density instead of labels")
    a = ap.parse_args()
    try:
        f = h5py.File(a.h5, "r")
    except OSError as e:
        sys.exit(f"plot_phantom: cannot open {a.h5}: {e}")
    with f:
        if "phantom/labels" not in f:
            sys.exit(f"plot_phantom: {a.h5} has no /phantom/labels")
        d = f["phantom/labels"]
        labels = d[()]
        vox = np.asarray(d.attrs["voxel_size_mm"], float)
        org = np.asarray(d.attrs["origin_mm"], float)
        tissues = f["phantom/tissues"][()]
        lesions = f["phantom/lesions"][()] if "phantom/lesions" in f else []
    nz, ny, nx = labels.shape
    names = {int(t["label"]): decode(t["name"]) for t in tissues}
    rho = np.zeros(256)
    for t in tissues:
        rho[int(t["label"])] = t["density_g_cm3"]
    if a.center is not None:
        c = np.asarray(a.center)
    elif len(lesions):
        c = np.asarray(lesions[0]["center_mm"], float)
    else:
        c = org + vox * (np.array([nx, ny, nz]) - 1) / 2
    ijk = np.clip(np.round((c - org) / vox).astype(int), 0, [nx - 1, ny - 1, nz - 1])
    lo = org - vox / 2
    hi = org + vox * (np.array([nx, ny, nz]) - 0.5)
    views = [  # (title, image [rows, cols], extent, x label, y label)
        (f"axial z = {org[2] + ijk[2] * vox[2]:.1f} mm", labels[ijk[2], :, :],
         [lo[0], hi[0], lo[1], hi[1]], "x [mm]", "y [mm]"),
        (f"coronal y = {org[1] + ijk[1] * vox[1]:.1f} mm", labels[:, ijk[1], :],
         [lo[0], hi[0], lo[2], hi[2]], "x [mm]", "z [mm]"),
        (f"sagittal x = {org[0] + ijk[0] * vox[0]:.1f} mm", labels[:, :, ijk[0]],
         [lo[1], hi[1], lo[2], hi[2]], "y [mm]", "z [mm]"),
    ]
    used = sorted(names)
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.5))
    base = plt.get_cmap("tab20")
    cmap = ListedColormap([base(i % 20) for i in range(max(used) + 1)])
    for ax, (title, img, ext, xl, yl) in zip(axes, views):
        if a.density:
            im = ax.imshow(rho[img], origin="lower", extent=ext, cmap="gray",
                           interpolation="nearest")
        else:
            im = ax.imshow(img, origin="lower", extent=ext, cmap=cmap, vmin=-0.5,
                           vmax=max(used) + 0.5, interpolation="nearest")
        ax.set_title(title)
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
    if a.density:
        fig.colorbar(im, ax=axes, label="density [g/cm3]", shrink=0.8)
    else:
        fig.legend(handles=[Patch(color=cmap(i), label=names[i]) for i in used],
                   loc="center right", fontsize=8)
        fig.subplots_adjust(right=0.88)
    out = a.output or a.h5.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=90)
    print(out)


if __name__ == "__main__":
    main()
