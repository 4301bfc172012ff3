#!/usr/bin/env bash
# The dead-time model of `mist combine` (issue #9 item 4: "randoms and dead time modelled
# from the singles") against direct simulations, on tests/data/study_basis_deadtime.yaml
# (a small block ring with 200 us of dead time per block).  The basis (simulated without
# dead time) is combined at 400 MBq, where each block is offered about 2.5 kcps (r tau
# 0.5), and compared with a direct simulation at 400 MBq, for a non-paralysable and a
# paralysable scanner:
#  (a) the direct run loses at least a quarter of its singles to dead time (the check has
#      power), and the combination's live fraction (accepted over offered singles, against
#      the energy window's share without dead time) is 1 / (1 + r tau), resp. exp(-r tau);
#  (b) accepted singles: combined against direct within 4 sigma (Poisson);
#  (c) trues + scatters + detector scatters (every coincidence carrying both blocks' live
#      fractions): combined against direct within 4 sigma (the direct counts' Poisson
#      variance plus the basis's, sum of weight^2 x counts).
# Before the basis ran without dead time, its classes carried their own losses and the
# combination applied them again: accepted singles 9 % low (z -26 here).
#   test_basis_deadtime.sh MIST SOURCE_DIR
set -euo pipefail
MIST=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for model in nonparalysable paralysable; do
  scanner="$SRC/tests/data/pet_blocks_deadtime.yaml"
  [ "$model" = paralysable ] && scanner="$SRC/tests/data/pet_blocks_deadtime_p.yaml"
  "$MIST" basis "$SRC/tests/data/study_basis_deadtime.yaml" -o "$TMP/b.h5" \
    --set scanner="$scanner" --quiet
  "$MIST" combine "$TMP/b.h5" -o "$TMP/c.h5" --set tracer.injected_MBq=400 --quiet
  "$MIST" simulate "$SRC/tests/data/study_basis_deadtime.yaml" -o "$TMP/d.h5" \
    --set scanner="$scanner" --set tracer.injected_MBq=400 --quiet
  /usr/bin/python3 - "$TMP/b.h5" "$TMP/c.h5" "$TMP/d.h5" "$model" <<'PY'
import math, sys
import h5py, numpy as np
B, C, D = (h5py.File(p, "r") for p in sys.argv[1:4])
model = sys.argv[4]
sc = list(D["pet"].keys())[0]
cnt = D["pet/%s/counts" % sc].attrs
offered, lost = float(cnt["singles_offered"]), float(cnt["lost_dead_time"])
assert lost > 0.25 * offered, (lost, offered)
# (a) the combination's live fraction per block against the model.
bc = C["pet/%s/block_singles" % sc][()]
names = C.attrs["basis_classes"]
names = (names.decode() if isinstance(names, bytes) else names).split(",")
w = C.attrs["basis_weights"]
acc0 = sum(wl * B["basis/%s/block_singles" % n][1].astype(float) for n, wl in zip(names, w))
a = D["acquisition"].attrs
r = bc[0] / (a["simulated_fraction"] * a["duration_s"])
tau = 200e-6
live = 1 / (1 + r * tau) if model == "nonparalysable" else np.exp(-r * tau)
assert np.allclose(bc[1] / acc0, live, rtol=1e-5), (bc[1] / acc0, live)
# (b) accepted singles.
sd = D["pet/%s/block_singles" % sc][1].astype(float).sum()
vs = sum(wl * wl * B["basis/%s/block_singles" % n][1].astype(float).sum()
         for n, wl in zip(names, w))
z = (bc[1].sum() - sd) / math.sqrt(sd + vs)
print("%s: r tau %.2f, direct lost %.1f %% to dead time; accepted singles direct %.0f, "
      "combined %.1f, z %.2f" % (model, (r * tau).mean(), 100 * lost / offered, sd,
                                 bc[1].sum(), z))
assert abs(z) < 4, z
# (c) coincidences.
parts = ("trues", "scatters", "detector_scatters")
d = sum(D["pet/%s/%s" % (sc, q)][()].astype(float).sum() for q in parts)
c = sum(C["pet/%s/%s" % (sc, q)][()].astype(float).sum() for q in parts)
vc = sum(wl * wl * sum(B["basis/%s/%s" % (n, q)][()].astype(float).sum() for q in parts)
         for n, wl in zip(names, w))
z = (c - d) / math.sqrt(d + vc)
print("%s: trues + scatters direct %.0f, combined %.1f, z %.2f" % (model, d, c, z))
assert abs(z) < 4, z
PY
done
echo "basis dead time ok"
