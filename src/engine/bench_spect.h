/*
 * bench_spect.h - SPECT figures of `mist bench`: analog acquisition speed
 * (emitted photons per second on one core, Tc-99m point in a 200 mm water
 * cylinder, Symbia LEHR, fast collimator model) and the forced-detection
 * efficiency gain: efficiency = mean^2 / (variance x time) of the photopeak
 * counts in a 8 x 8 pixel region at the centre of view 0, forced detection
 * over analog (analog variance: Poisson, the counts' exact law; forced:
 * from the spread of 16 batches).
 */
#ifndef MIST_ENGINE_BENCH_SPECT_H
#define MIST_ENGINE_BENCH_SPECT_H

#include <stddef.h>

#include "core/status.h"
#include "engine/bench.h"

/* Appends the figures to f (room for 2 more), advancing *nf. */
mist_status mist_bench_spect(mist_bench_figure *f, size_t *nf, mist_error *err);

#endif
