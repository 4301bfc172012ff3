#include "engine/simulate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/acquisition.h"
#include "engine/engine.h"
#include "mist_version.h"
#include "par/mpi_env.h"
#include "physics/nuclide.h"
#include "physics/tracer.h"

mist_status mist_write_root_attrs(hid_t file, const mist_study *study, mist_error *err)
{
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    uint64_t seed = study->seed;
    mist_status st;
    if ((st = mist_h5_attr_str(file, "mist_version", MIST_VERSION, err)) ||
        (st = mist_h5_attr_str(file, "git_commit", MIST_GIT_COMMIT, err)) ||
        (st = mist_h5_attr_str(file, "study_name", study->name, err)) ||
        (st = mist_h5_attr_str(file, "study_source", study->source, err)) ||
        (st = mist_h5_attr_str(file, "study_yaml", study->study_yaml, err)) ||
        (st = mist_h5_attr_u64(file, "seed", &seed, 1, err)) ||
        (st = mist_h5_attr_int(file, "mpi_ranks", mist_mpi_world().size, err)) ||
        (st = mist_h5_attr_str(file, "created_utc", created, err)))
        return st;
    return MIST_OK;
}

static mist_status write_result(mist_h5 *h5, const mist_study *study, const mist_tracer *tracer,
                                const mist_nuclide *nuc,
                                const mist_acquisition *acq, mist_tallies *t, mist_error *err)
{
    mist_status st = mist_write_root_attrs(h5->file, study, err);
    for (size_t i = 0; !st && i < t->n_arrays; i++) {
        const mist_tally_array *arr = &t->arrays[i];
        st = mist_h5_write(h5->file, arr->path, H5T_NATIVE_UINT64, arr->ndim, arr->dims,
                           mist_tally_data(t, i), arr->units, NULL, err);
    }
    if (st)
        return st;
    hid_t g = H5Gopen2(h5->file, "/acquisition", H5P_DEFAULT);
    if (g < 0)
        return mist_error_set(err, MIST_ERR_IO, "cannot open /acquisition");
    double expected = mist_acquisition_expected_total(acq);
    uint64_t decays = mist_tally_sum(t, acq->id_batch), batches = acq->n_batches;
    (void)((st = mist_h5_attr_str(g, "probe", mist_tracer_name(tracer), err)) ||
           (st = mist_h5_attr_str(g, "nuclide", nuc->name, err)) ||
        (st = mist_h5_attr_double(g, "half_life_s", &nuc->half_life_s, 1, err)) ||
        (st = mist_h5_attr_double(g, "activity_at_injection_Bq", &acq->activity0_Bq, 1, err)) ||
        (st = mist_h5_attr_double(g, "frame_start_s", &acq->frame_start_s, 1, err)) ||
        (st = mist_h5_attr_double(g, "duration_s", &acq->duration_s, 1, err)) ||
        (st = mist_h5_attr_double(g, "simulated_fraction", &acq->simulated_fraction, 1, err)) ||
        (st = mist_h5_attr_double(g, "time_bin_s", &acq->time_bin_s, 1, err)) ||
        (st = mist_h5_attr_double(g, "expected_decays", &expected, 1, err)) ||
        (st = mist_h5_attr_u64(g, "decays", &decays, 1, err)) ||
           (st = mist_h5_attr_u64(g, "batches", &batches, 1, err)));
    H5Gclose(g);
    return st;
}

mist_status mist_simulate(const mist_study *study, const mist_simulate_opts *opts,
                          mist_simulate_result *res, mist_error *err)
{
    memset(res, 0, sizeof *res);
    mist_mpi mpi = mist_mpi_world();
    const mist_nuclide *nuc = NULL;
    mist_tracer *tracer = NULL;
    mist_acquisition acq;
    mist_tallies t;
    memset(&t, 0, sizeof t);
    mist_h5 h5 = {.file = H5I_INVALID_HID};

    mist_status st = mist_tracer_load(study->tracer.probe_path, &tracer, err);
    if (!st && !(nuc = mist_tracer_nuclide(tracer)))
        st = mist_error_set(err, MIST_ERR_INTERNAL, "%s: tracer has no nuclide",
                            study->tracer.probe_path);
    if (!st)
        st = mist_acquisition_init(&acq, nuc, study->tracer.injected_MBq * 1.0e6,
                                   study->tracer.uptake_time_h * 3600.0,
                                   study->acquisition.duration_s,
                                   study->acquisition.simulated_fraction,
                                   (uint64_t)study->acquisition.batches,
                                   study->acquisition.time_bin_s, &t, err);
    if (!st)
        st = mist_tallies_alloc(&t, err);
    /* Rank 0 creates the (temporary) result file first: an unwritable output
     * fails before the simulation, not after it. */
    if (!st && mpi.rank == 0)
        st = mist_h5_create(&h5, opts->output, err);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;

    if (!st) {
        mist_engine_opts eo = {.seed = study->seed,
                               .n_batches = acq.n_batches,
                               .quiet = opts->quiet,
                               .label = "simulate",
                               .unit = "decays"};
        mist_engine_stats stats;
        st = mist_engine_run(&eo, mist_acquisition_batch, &acq, &t, &stats, err);
        res->wall_s = stats.wall_s;
    }
    if (!st && mpi.rank == 0) {
        res->decays = mist_tally_sum(&t, acq.id_batch);
        st = write_result(&h5, study, tracer, nuc, &acq, &t, err);
        if (!st)
            st = mist_h5_commit(&h5, err);
    }
    if (st && mpi.rank == 0)
        mist_h5_abort(&h5);
    mist_mpi_share_error(st, err);
    st = mist_mpi_agree_status(st) ? err->code : MIST_OK;
    snprintf(res->missing_stages, sizeof res->missing_stages,
             "phantom voxelisation, emission and photon transport, %s detector%s",
             "PET/SPECT", opts->with_recon ? ", OSEM reconstruction, lesion analysis" : "");
    mist_tallies_free(&t);
    mist_tracer_free(tracer);
    return st;
}
