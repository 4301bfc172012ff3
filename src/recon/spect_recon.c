#include "recon/spect_recon.h"

#include <stdlib.h>
#include <string.h>

static size_t pixels(const mist_spect_proj *p)
{
    return (size_t)p->n_rows * (size_t)p->n_cols;
}

static mist_osem_subset subset_of(void *ctx, size_t s)
{
    const mist_spect_recon *r = ctx;
    const mist_spect_subset *q = &r->subsets[s];
    size_t n = q->n_views * pixels(r->proj);
    return (mist_osem_subset){.n = n, .n_data = n, .y = q->y, .m = q->m, .a = q->a};
}

static void fwd(void *ctx, size_t s, size_t n, const float *img, float *proj)
{
    const mist_spect_recon *r = ctx;
    const mist_spect_subset *q = &r->subsets[s];
    size_t np = pixels(r->proj);
    for (size_t i = 0; i < q->n_views && i * np < n; i++)
        mist_spect_fwd_view(r->proj, q->view[i], img, proj + i * np);
}

static void back(void *ctx, size_t s, size_t n, const float *proj, float *img)
{
    const mist_spect_recon *r = ctx;
    const mist_spect_subset *q = &r->subsets[s];
    size_t np = pixels(r->proj);
    for (size_t i = 0; i < q->n_views && i * np < n; i++)
        mist_spect_back_view(r->proj, q->view[i], proj + i * np, img);
}

mist_osem_model mist_spect_recon_model(mist_spect_recon *r)
{
    return (mist_osem_model){.n_subsets = r->n_subsets,
                             .n_voxels = mist_img_count(&r->proj->img),
                             .ctx = r,
                             .subset = subset_of,
                             .fwd = fwd,
                             .back = back};
}

mist_status mist_spect_recon_init(mist_spect_recon *r, const mist_spect_recon_input *in,
                                  mist_error *err)
{
    const mist_spect_proj *p = in->proj;
    memset(r, 0, sizeof *r);
    if (in->n_subsets < 1 || in->n_subsets > p->n_views)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "recon.subsets: expected 1 to %zu (the SPECT views), got %zu",
                              p->n_views, in->n_subsets);
    r->proj = p;
    r->n_subsets = in->n_subsets;
    r->subsets = calloc(in->n_subsets, sizeof *r->subsets);
    if (!r->subsets)
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the OSEM subsets");
    size_t np = pixels(p);
    for (size_t s = 0; s < in->n_subsets; s++) {
        mist_spect_subset *q = &r->subsets[s];
        size_t idx = 0, n = 0;
        for (size_t k = s; k < p->n_views; k += in->n_subsets, idx++)
            n += idx % (size_t)in->n_ranks == (size_t)in->rank;
        q->view = malloc((n ? n : 1) * sizeof *q->view);
        q->y = malloc((n ? n : 1) * np * sizeof *q->y);
        q->m = malloc((n ? n : 1) * np * sizeof *q->m);
        q->a = in->additive ? malloc((n ? n : 1) * np * sizeof *q->a) : NULL;
        if (!q->view || !q->y || !q->m || (in->additive && !q->a)) {
            mist_spect_recon_free(r);
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the OSEM subsets");
        }
        idx = 0;
        for (size_t k = s; k < p->n_views; k += in->n_subsets, idx++) {
            if (idx % (size_t)in->n_ranks != (size_t)in->rank)
                continue;
            size_t i = q->n_views++;
            q->view[i] = k;
            memcpy(q->y + i * np, in->counts + k * np, np * sizeof *q->y);
            if (q->a)
                memcpy(q->a + i * np, in->additive + k * np, np * sizeof *q->a);
            for (size_t j = 0; j < np; j++)
                q->m[i * np + j] = (float)in->sens[k];
        }
    }
    return MIST_OK;
}

void mist_spect_recon_free(mist_spect_recon *r)
{
    for (size_t s = 0; r->subsets && s < r->n_subsets; s++) {
        free(r->subsets[s].view);
        free(r->subsets[s].y);
        free(r->subsets[s].m);
        free(r->subsets[s].a);
    }
    free(r->subsets);
    memset(r, 0, sizeof *r);
}

void mist_spect_forward(const mist_spect_proj *p, const float *img, const double *sens,
                        float *out)
{
    size_t np = pixels(p);
    for (size_t k = 0; k < p->n_views; k++) {
        mist_spect_fwd_view(p, k, img, out + k * np);
        if (sens)
            for (size_t i = 0; i < np; i++)
                out[k * np + i] *= (float)sens[k];
    }
}
