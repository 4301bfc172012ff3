/*
 * basis.h - basis data for protocol sweeps (DESIGN.md, "Linearity is an asset").
 *
 * `mist basis STUDY.yaml -o BASIS.h5 [--set ...]` simulates every tissue class of the
 * study's phantom (lesion classes included) alone, at a uniform concentration (the
 * source component "unit:NAME": the class's partial-volume share of every voxel,
 * transport/source.h), with the phantom, scanner and frame of the study, and stores per
 * class the PET sinograms of the linear truth classes (trues, scatters,
 * detector_scatters) and the singles offered to and accepted by each block.  Each class
 * is simulated over the whole frame (simulated_fraction 1) at the concentration
 * max(c, 0.2 c_mean) x the study's simulated_fraction (c its concentration in the study,
 * c_mean the activity-weighted mean), so it holds about the decays the study would
 * simulate of it, at rates simulated_fraction times the real ones: its own randoms (a
 * truth class left out) stay small.  The basis simulations run without the scanner's dead
 * time (mist combine applies it at the combined rates; with it each class would carry its
 * own losses at its own rates, counted twice).  One MPI rank.
 *
 * `mist combine BASIS.h5 -o OUT.h5 [--set KEY=VALUE]...` turns a basis into the data of
 * the basis's study with other activity settings: tracer.probe (same nuclide),
 * tracer.injected_MBq, tracer.uptake_time_h, acquisition.duration_s,
 * acquisition.simulated_fraction, acquisition.batches (and name, seed, recon.*,
 * analysis.*); any other key would change the basis and is refused.  Class l enters with
 * the weight
 *     w_l = c_l(t0) x T_eff / (K_l x T_eff,l),
 * c_l(t0) its concentration at the frame start exactly as the activity map computes it
 * (tracer kinetics x injected activity, physical decay), T_eff the decay-weighted
 * simulated time of the target frame (the sum over its batch windows of the integral of
 * exp(-lambda t)), K_l and T_eff,l the basis simulation's concentration and time.
 * Non-linear terms are modelled from the combined singles:
 *  - dead time per block from its offered singles rate r (mean over the simulated
 *    time): live fraction 1 / (1 + r tau) (non-paralysable) or exp(-r tau)
 *    (paralysable), tau the scanner's dead_time_s; accepted singles x L_i, and a
 *    coincidence of crystals in blocks i, j x L_i L_j;
 *  - randoms of crystals a, b: 2 tau_c S_a S_b integrated over the windows (rates at the
 *    frame start x the integral of exp(-2 lambda t)), S the accepted singles rate of a
 *    crystal = its block's over the block's crystals (uniform inside a block), tau_c the
 *    coincidence window; delayed = the same expectation; spread evenly over TOF bins.
 * Multiples and pile-up are not modelled.  OUT.h5 is a result file (the basis's phantom,
 * attenuation map and scanner attributes; the target's activity map, /acquisition
 * attributes and study text) whose sinograms hold expected counts (float32, not a
 * Poisson draw): `mist recon`, `mist analyze` and `mist observe` read it.
 */
#ifndef MIST_ENGINE_BASIS_H
#define MIST_ENGINE_BASIS_H

#include <stddef.h>
#include <stdio.h>

#include "core/status.h"
#include "io/study.h"

typedef struct mist_basis_summary {
    size_t components;
    double decays; /**< simulated in all */
    double wall_s;
} mist_basis_summary;

mist_status mist_basis_build(mist_study *study, const char *out, FILE *log,
                             mist_basis_summary *sum, mist_error *err);

typedef struct mist_combine_summary {
    double decays, trues, scatters, randoms, prompts, singles;
    double wall_s;
} mist_combine_summary;

/* record_as (may be NULL): the study whose text and seed the result's root attributes
 * carry (a sweep point's own study, equal in effect to the basis's study with sets). */
mist_status mist_basis_combine(const char *basis, const char *out, const char *const *sets,
                               size_t n_sets, const mist_study *record_as,
                               mist_combine_summary *sum, mist_error *err);

#endif
