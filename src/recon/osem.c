#include "recon/osem.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

mist_status mist_osem_allreduce(float *buf, size_t n, mist_error *err)
{
    int init = 0, fin = 0, size = 1;
    MPI_Initialized(&init);
    if (init)
        MPI_Finalized(&fin);
    if (!init || fin)
        return MIST_OK;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1)
        return MIST_OK;
    for (size_t off = 0; off < n; off += INT_MAX / 2) {
        size_t k = n - off < (size_t)INT_MAX / 2 ? n - off : (size_t)INT_MAX / 2;
        if (MPI_Allreduce(MPI_IN_PLACE, buf + off, (int)k, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD) !=
            MPI_SUCCESS)
            return mist_error_set(err, MIST_ERR_MPI, "MPI_Allreduce of a back projection failed");
    }
    return MIST_OK;
}

mist_status mist_osem_sensitivity(const mist_osem_model *m, float *sens, mist_error *err)
{
    size_t nv = m->n_voxels;
    mist_status st = MIST_OK;
    for (size_t s = 0; s < m->n_subsets && !st; s++) {
        mist_osem_subset sub = m->subset(m->ctx, s);
        float *sv = sens + s * nv;
        memset(sv, 0, nv * sizeof *sv);
        m->back(m->ctx, s, sub.n, sub.m, sv);
        st = mist_osem_allreduce(sv, nv, err);
    }
    return st;
}

mist_status mist_osem_run(const mist_osem_model *m, int iterations, float *img,
                          mist_osem_progress_fn progress, void *progress_ctx, mist_error *err)
{
    float *sens = malloc((m->n_subsets * m->n_voxels + 1) * sizeof *sens);
    if (!sens)
        return mist_error_set(err, MIST_ERR_NOMEM,
                              "out of memory for OSEM (%zu voxels x %zu subsets)", m->n_voxels,
                              m->n_subsets);
    mist_status st = mist_osem_sensitivity(m, sens, err);
    if (!st)
        st = mist_osem_run_sens(m, sens, iterations, img, progress, progress_ctx, err);
    free(sens);
    return st;
}

mist_status mist_osem_run_sens(const mist_osem_model *m, const float *sens, int iterations,
                               float *img, mist_osem_progress_fn progress, void *progress_ctx,
                               mist_error *err)
{
    size_t nv = m->n_voxels, max_n = 0;
    for (size_t s = 0; s < m->n_subsets; s++) {
        mist_osem_subset sub = m->subset(m->ctx, s);
        if (sub.n > max_n)
            max_n = sub.n;
    }
    float *bp = malloc(nv * sizeof *bp);
    float *proj = malloc((max_n ? max_n : 1) * sizeof *proj);
    mist_status st = MIST_OK;
    if (!bp || !proj) {
        st = mist_error_set(err, MIST_ERR_NOMEM,
                            "out of memory for OSEM (%zu voxels x %zu subsets)", nv, m->n_subsets);
        goto done;
    }
    if (progress)
        progress(progress_ctx, 0, img);
    for (int it = 1; it <= iterations && !st; it++) {
        for (size_t s = 0; s < m->n_subsets && !st; s++) {
            mist_osem_subset sub = m->subset(m->ctx, s);
            memset(bp, 0, nv * sizeof *bp);
            if (m->update) {
                m->update(m->ctx, s, sub.n_data, img, bp);
            } else {
                m->fwd(m->ctx, s, sub.n_data, img, proj);
                for (size_t i = 0; i < sub.n_data; i++) {
                    float ybar = sub.m[i] * proj[i] + (sub.a ? sub.a[i] : 0.0f);
                    proj[i] = mist_osem_ratio(sub.m[i] * sub.y[i], ybar);
                }
                m->back(m->ctx, s, sub.n_data, proj, bp);
            }
            st = mist_osem_allreduce(bp, nv, err);
            const float *sv = sens + s * nv;
            for (size_t j = 0; j < nv && !st; j++)
                img[j] = sv[j] > 0.0f ? img[j] * bp[j] / sv[j] : 0.0f;
        }
        if (!st && progress)
            progress(progress_ctx, it, img);
    }
done:
    free(bp);
    free(proj);
    return st;
}
