# Sourced by the resume tests (bash).
#   kill_at_checkpoint CHECKPOINT EPOCH CMD...
# starts CMD in a session of its own (PID: its leader, for the caller's trap), waits until the
# checkpoint file CHECKPOINT records at least EPOCH completed epochs, then kills the whole
# session with SIGKILL, as a crash would. KILLED_AT: the epoch the checkpoint holds after the kill.
# Fails the test if the run ends first or leaves no such checkpoint.
checkpoint_epoch() {
  /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['next_epoch_epoch_size_batches'][0])" \
    "$1" 2>/dev/null || echo 0
}

kill_at_checkpoint() {
  local ckpt=$1 want=$2
  shift 2
  setsid "$@" &
  PID=$!
  for _ in $(seq 600); do
    [ "$(checkpoint_epoch "$ckpt")" -ge "$want" ] && break
    kill -0 "$PID" 2>/dev/null || { echo "the run ended before it could be killed"; exit 1; }
    sleep 0.05
  done
  kill -9 -- -"$PID" 2>/dev/null || kill -9 "$PID"
  wait "$PID" 2>/dev/null || true
  KILLED_AT=$(checkpoint_epoch "$ckpt")
  [ "$KILLED_AT" -ge "$want" ] || { echo "no checkpoint to resume from"; exit 1; }
}

#   same_tallies A.h5 B.h5 GROUP... : every dataset under the top-level GROUPs of A equals B's.
same_tallies() {
  /usr/bin/python3 - "$@" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
groups = sys.argv[3:]
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset)
             and n.split("/")[0] in groups else None)
assert len(names) > 2, names
for n in names:
    assert np.array_equal(a[n][...], b[n][...]), f"{n} differs after resume"
print(f"{len(names)} tallies under {', '.join(groups)} identical")
PY
}
