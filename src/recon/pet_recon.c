#include "recon/pet_recon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recon/filter.h"

static mist_osem_subset subset_of(void *ctx, size_t s)
{
    const mist_pet_subset *p = &((const mist_pet_recon *)ctx)->subsets[s];
    size_t nt = (size_t)((const mist_pet_recon *)ctx)->tof.n_tof;
    return (mist_osem_subset){
        .n = p->n * nt, .n_data = p->n_data * nt, .y = p->y, .m = p->m, .a = p->a};
}

/* Rays per chunk of a back projection: a call with fewer than two chunks' worth goes
 * straight into the image, as one sequential sum. */
#define CHUNK_RAYS 8192

/* Chunks of a back projection of n rays: fixed by n alone (never by the thread count), so
 * the float sums, and the image, are the same for any number of threads. */
static size_t n_chunks(size_t n)
{
    size_t c = n / CHUNK_RAYS;
    return c < 2 ? 1 : c > MIST_PET_RECON_CHUNKS ? MIST_PET_RECON_CHUNKS : c;
}

/* The thin drivers: one ray per bin of this rank's share of subset s.  The rays are
 * independent, so the forward projection runs them on all threads (OpenMP) with the same
 * result; the back projection sums each chunk of rays into its own buffer and then the
 * buffers into the image voxel by voxel, in chunk order. */
static void fwd(void *ctx, size_t s, size_t n, const float *img, float *proj)
{
    const mist_pet_recon *r = ctx;
    const mist_pet_subset *p = &r->subsets[s];
    if (r->psf_fwhm_mm > 0) {
        memcpy(r->work, img, mist_img_count(&r->img) * sizeof *img);
        mist_gauss_psf(&r->img, r->work, r->line, r->psf_fwhm_mm);
        img = r->work;
    }
    size_t nt = (size_t)r->tof.n_tof;
    long nr = (long)(n / nt);
#pragma omp parallel for schedule(dynamic, 256) if (nr > 4096)
    for (long i = 0; i < nr; i++) {
        float p1[3], p2[3];
        mist_pet_lor_ends(r->lors, p->bin[i], p1, p2);
        if (nt > 1)
            mist_joseph3d_tof_fwd_ray(&r->img, img, p1, p2, &r->tof, proj + (size_t)i * nt);
        else
            proj[i] = mist_joseph3d_fwd_ray(&r->img, img, p1, p2);
    }
}

/* Rays i0 <= i < i1 of subset p added into out, in order. */
static void back_rays(const mist_pet_recon *r, const mist_pet_subset *p, size_t i0, size_t i1,
                      const float *proj, float *out)
{
    size_t nt = (size_t)r->tof.n_tof;
    float p1[3], p2[3];
    for (size_t i = i0; i < i1; i++) {
        mist_pet_lor_ends(r->lors, p->bin[i], p1, p2);
        if (nt > 1)
            mist_joseph3d_tof_back_ray(&r->img, out, p1, p2, &r->tof, proj + i * nt);
        else
            mist_joseph3d_back_ray(&r->img, out, p1, p2, proj[i]);
    }
}

static void back(void *ctx, size_t s, size_t n, const float *proj, float *img)
{
    const mist_pet_recon *r = ctx;
    const mist_pet_subset *p = &r->subsets[s];
    float *out = img;
    size_t nv = mist_img_count(&r->img);
    if (r->psf_fwhm_mm > 0) {
        memset(r->work, 0, nv * sizeof *r->work);
        out = r->work;
    }
    size_t nr = n / (size_t)r->tof.n_tof, nc = n_chunks(nr);
    if (nc > r->n_chunk_bufs)
        nc = 1; /* no buffers (they were not needed at set-up) */
    if (nc <= 1) {
        back_rays(r, p, 0, nr, proj, out);
    } else {
        float *buf = r->chunk_bufs;
#pragma omp parallel for schedule(dynamic, 1)
        for (long c = 0; c < (long)nc; c++) {
            float *b = buf + (size_t)c * nv;
            memset(b, 0, nv * sizeof *b);
            back_rays(r, p, nr * (size_t)c / nc, nr * (size_t)(c + 1) / nc, proj, b);
        }
#pragma omp parallel for schedule(static)
        for (long j = 0; j < (long)nv; j++) {
            float v = out[j];
            for (size_t c = 0; c < nc; c++)
                v += buf[c * nv + (size_t)j];
            out[j] = v;
        }
    }
    if (r->psf_fwhm_mm > 0) {
        mist_gauss_psf(&r->img, r->work, r->line, r->psf_fwhm_mm);
        for (size_t j = 0; j < nv; j++)
            img[j] += r->work[j];
    }
}

/* OSEM's update along ray i of subset p: forward, the ratio per TOF bin, back into out. */
static void ray_update(const mist_pet_recon *r, const mist_pet_subset *p, size_t i,
                       const float *img, float *out)
{
    size_t nt = (size_t)r->tof.n_tof;
    float p1[3], p2[3];
    mist_joseph_ray ray;
    mist_pet_lor_ends(r->lors, p->bin[i], p1, p2);
    if (!mist_joseph3d_ray_init(&r->img, p1, p2, &ray))
        return; /* samples no voxel: nothing to add */
    const float *y = p->y + i * nt, *m = p->m + i * nt, *a = p->a ? p->a + i * nt : NULL;
    if (nt > 1) {
        float t[MIST_TOF_MAX_BINS];
        mist_joseph3d_ray_tof_fwd(&ray, &r->tof, img, t);
        for (size_t k = 0; k < nt; k++) {
            float ybar = m[k] * t[k] + (a ? a[k] : 0.0f);
            t[k] = mist_osem_ratio(m[k] * y[k], ybar);
        }
        mist_joseph3d_ray_tof_back(&ray, &r->tof, out, t);
    } else {
        float ybar = m[0] * mist_joseph3d_ray_fwd(&ray, img) + (a ? a[0] : 0.0f);
        mist_joseph3d_ray_back(&ray, out, mist_osem_ratio(m[0] * y[0], ybar));
    }
}

/* The fused update (no PSF model): chunks of rays as in back(). */
static void update(void *ctx, size_t s, size_t n, const float *img, float *bp)
{
    const mist_pet_recon *r = ctx;
    const mist_pet_subset *p = &r->subsets[s];
    size_t nv = mist_img_count(&r->img);
    size_t nr = n / (size_t)r->tof.n_tof, nc = n_chunks(nr);
    if (nc > r->n_chunk_bufs)
        nc = 1;
    if (nc <= 1) {
        for (size_t i = 0; i < nr; i++)
            ray_update(r, p, i, img, bp);
        return;
    }
    float *buf = r->chunk_bufs;
#pragma omp parallel for schedule(dynamic, 1)
    for (long c = 0; c < (long)nc; c++) {
        float *b = buf + (size_t)c * nv;
        memset(b, 0, nv * sizeof *b);
        for (size_t i = nr * (size_t)c / nc; i < nr * (size_t)(c + 1) / nc; i++)
            ray_update(r, p, i, img, b);
    }
#pragma omp parallel for schedule(static)
    for (long j = 0; j < (long)nv; j++) {
        float v = bp[j];
        for (size_t c = 0; c < nc; c++)
            v += buf[c * nv + (size_t)j];
        bp[j] = v;
    }
}

mist_osem_model mist_pet_recon_model(mist_pet_recon *r)
{
    return (mist_osem_model){.n_subsets = r->n_subsets,
                             .n_voxels = mist_img_count(&r->img),
                             .ctx = r,
                             .subset = subset_of,
                             .fwd = fwd,
                             .back = back,
                             .update = r->psf_fwhm_mm > 0 ? NULL : update};
}

/* 1 if LOR b has counts in some TOF bin. */
static int has_counts(const mist_pet_recon_input *in, size_t b)
{
    size_t nb = mist_pet_lors_count(in->lors);
    int nt = in->tof.n_tof > 1 ? in->tof.n_tof : 1;
    for (int k = 0; k < nt; k++)
        if (in->prompts[(size_t)k * nb + b] > 0)
            return 1;
    return 0;
}

/* Bins of subset s that are in use (use[b] = 1: the LOR crosses the image
 * and its efficiency is > 0), in bin order, those with counts (data = 1) or
 * without (data = 0); count only when bin == NULL. */
static size_t subset_bins(const mist_pet_recon_input *in, const uint8_t *use, size_t s, int data,
                          uint32_t *bin)
{
    const mist_pet_lors *l = in->lors;
    size_t n = 0;
    for (uint32_t plane = 0; plane < l->n_planes; plane++) {
        for (uint32_t v = (uint32_t)s; v < l->n_views; v += (uint32_t)in->n_subsets) {
            size_t b0 = ((size_t)plane * l->n_views + v) * l->n_radial;
            for (size_t b = b0; b < b0 + l->n_radial; b++) {
                if (!use[b] || has_counts(in, b) != data)
                    continue;
                if (bin)
                    bin[n] = (uint32_t)b;
                n++;
            }
        }
    }
    return n;
}

/* use[b] for every bin (one ray set-up per bin, once). */
static uint8_t *bins_in_use(const mist_pet_recon_input *in)
{
    const mist_pet_lors *l = in->lors;
    size_t nb = mist_pet_lors_count(l), nvr = (size_t)l->n_views * l->n_radial;
    uint8_t *use = malloc(nb ? nb : 1);
    if (!use)
        return NULL;
#pragma omp parallel for schedule(static)
    for (long b = 0; b < (long)nb; b++) {
        float p1[3], p2[3];
        use[b] = 0;
        if (!(l->weight[(size_t)b / nvr] > 0) || (in->norm && !(in->norm[b] > 0)))
            continue;
        mist_pet_lor_ends(l, (size_t)b, p1, p2);
        use[b] = (uint8_t)mist_joseph3d_ray_hits(&in->img, p1, p2);
    }
    return use;
}

/* This rank's share of subset s: its part of the bins with counts, then its
 * part of those without; *n_data counts the first. */
static mist_status rank_bins(const mist_pet_recon_input *in, const uint8_t *use, size_t s,
                             uint32_t **out, size_t *n, size_t *n_data, mist_error *err)
{
    size_t total[2] = {subset_bins(in, use, s, 1, NULL), subset_bins(in, use, s, 0, NULL)};
    uint32_t *all = malloc((total[0] + total[1] + 1) * sizeof *all);
    *out = malloc((total[0] + total[1] + 1) * sizeof **out);
    if (!all || !*out) {
        free(all);
        free(*out);
        *out = NULL;
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the OSEM subsets");
    }
    subset_bins(in, use, s, 1, all);
    subset_bins(in, use, s, 0, all + total[0]);
    *n = 0;
    for (int d = 0; d < 2; d++) {
        size_t off = d ? total[0] : 0;
        size_t lo = total[d] * (size_t)in->rank / (size_t)in->n_ranks;
        size_t hi = total[d] * (size_t)(in->rank + 1) / (size_t)in->n_ranks;
        for (size_t i = lo; i < hi; i++)
            (*out)[(*n)++] = all[off + i];
        if (d == 0)
            *n_data = *n;
    }
    free(all);
    return MIST_OK;
}

mist_status mist_pet_recon_init(mist_pet_recon *r, const mist_pet_recon_input *in, mist_error *err)
{
    *r = (mist_pet_recon){.lors = in->lors,
                          .img = in->img,
                          .n_subsets = in->n_subsets,
                          .psf_fwhm_mm = in->psf_fwhm_mm,
                          .tof = in->tof};
    if (r->tof.n_tof < 1)
        r->tof.n_tof = 1;
    if (r->tof.n_tof > 1 &&
        (!(r->tof.bin_mm > 0 && r->tof.sigma_mm > 0) || r->tof.n_tof > MIST_TOF_MAX_BINS))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "TOF: expected 2 to %d bins of positive width and a timing "
                              "resolution > 0 (got %d bins)",
                              MIST_TOF_MAX_BINS, r->tof.n_tof);
    if (in->n_subsets < 1 || in->n_subsets > in->lors->n_views)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "recon.subsets: expected 1 to %u (the sinogram's views), got %zu",
                              in->lors->n_views, in->n_subsets);
    if (mist_pet_lors_count(in->lors) > UINT32_MAX)
        return mist_error_set(err, MIST_ERR_INPUT, "sinogram too large for 32-bit bin indices");
    r->subsets = calloc(in->n_subsets, sizeof *r->subsets);
    uint8_t *use = r->subsets ? bins_in_use(in) : NULL;
    if (in->psf_fwhm_mm > 0) {
        int nmax = in->img.n[0] > in->img.n[1] ? in->img.n[0] : in->img.n[1];
        nmax = nmax > in->img.n[2] ? nmax : in->img.n[2];
        r->work = malloc(mist_img_count(&in->img) * sizeof *r->work);
        r->line = malloc((size_t)nmax * sizeof *r->line);
    }
    if (!use || (in->psf_fwhm_mm > 0 && (!r->work || !r->line))) {
        free(use);
        mist_pet_recon_free(r);
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the OSEM subsets");
    }
    for (size_t s = 0; s < in->n_subsets; s++) {
        mist_pet_subset *p = &r->subsets[s];
        mist_status st = rank_bins(in, use, s, &p->bin, &p->n, &p->n_data, err);
        if (st) {
            free(use);
            mist_pet_recon_free(r);
            return st;
        }
        size_t nt = (size_t)r->tof.n_tof, nb = mist_pet_lors_count(in->lors);
        size_t k = (p->n ? p->n : 1) * nt;
        p->y = malloc(k * sizeof *p->y);
        p->m = malloc(k * sizeof *p->m);
        p->a = in->additive ? malloc(k * sizeof *p->a) : NULL;
        if (!p->y || !p->m || (in->additive && !p->a)) {
            free(use);
            mist_pet_recon_free(r);
            return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for the OSEM subsets");
        }
#pragma omp parallel for schedule(dynamic, 1024)
        for (long ii = 0; ii < (long)p->n; ii++) {
            size_t i = (size_t)ii;
            float p1[3], p2[3];
            uint32_t b = p->bin[i];
            size_t plane = b / ((size_t)in->lors->n_views * in->lors->n_radial);
            double w = in->sens ? in->sens[plane * in->lors->n_radial + b % in->lors->n_radial]
                                : in->lors->weight[plane];
            double m = w * (in->norm ? in->norm[b] : 1.0f);
            if (in->mu_mm) {
                mist_pet_lor_ends(in->lors, b, p1, p2);
                m *= exp(-(double)mist_joseph3d_fwd_ray(&in->img, in->mu_mm, p1, p2));
            }
            for (size_t t = 0; t < nt; t++) {
                p->y[i * nt + t] = in->prompts[t * nb + b];
                p->m[i * nt + t] = (float)m;
                if (p->a)
                    p->a[i * nt + t] = in->additive[t * nb + b];
            }
        }
    }
    free(use);
    size_t max_chunks = 1;
    for (size_t s = 0; s < in->n_subsets; s++) {
        size_t c = n_chunks(r->subsets[s].n);
        max_chunks = c > max_chunks ? c : max_chunks;
    }
    if (max_chunks > 1) {
        r->chunk_bufs = malloc(max_chunks * mist_img_count(&in->img) * sizeof *r->chunk_bufs);
        if (!r->chunk_bufs) {
            mist_pet_recon_free(r);
            return mist_error_set(err, MIST_ERR_NOMEM,
                                  "out of memory for the back projection buffers (%zu images)",
                                  max_chunks);
        }
        r->n_chunk_bufs = max_chunks;
    }
    return MIST_OK;
}

void mist_pet_recon_free(mist_pet_recon *r)
{
    for (size_t s = 0; r->subsets && s < r->n_subsets; s++) {
        free(r->subsets[s].bin);
        free(r->subsets[s].y);
        free(r->subsets[s].m);
        free(r->subsets[s].a);
    }
    free(r->subsets);
    free(r->work);
    free(r->line);
    free(r->chunk_bufs);
    *r = (mist_pet_recon){0};
}

void mist_pet_forward(const mist_pet_lors *lors, const mist_img_geom *g, const float *img,
                      const float *mu_mm, const mist_tof *tof, float *sino)
{
    size_t n = mist_pet_lors_count(lors), nvr = (size_t)lors->n_views * lors->n_radial;
    int nt = tof && tof->n_tof > 1 ? tof->n_tof : 1;
    float p1[3], p2[3], t[MIST_TOF_MAX_BINS];
    if (nt > MIST_TOF_MAX_BINS)
        nt = MIST_TOF_MAX_BINS;
    for (size_t b = 0; b < n; b++) {
        float w = lors->weight[b / nvr];
        for (int k = 0; k < nt; k++)
            t[k] = 0.0f;
        if (w > 0) {
            mist_pet_lor_ends(lors, b, p1, p2);
            float att = mu_mm ? expf(-mist_joseph3d_fwd_ray(g, mu_mm, p1, p2)) : 1.0f;
            if (nt > 1)
                mist_joseph3d_tof_fwd_ray(g, img, p1, p2, tof, t);
            else
                t[0] = mist_joseph3d_fwd_ray(g, img, p1, p2);
            for (int k = 0; k < nt; k++)
                t[k] *= w * att;
        }
        for (int k = 0; k < nt; k++)
            sino[(size_t)k * n + b] = t[k];
    }
}

/* ---- Batched OSEM (pet_recon.h) ---- */

#define NONE UINT32_MAX
#define LANES MIST_PET_BATCH
_Static_assert(LANES >= 1 && LANES <= 16, "a walk entry's lanes are 16 bits");

static int walk_reserve(mist_pet_walk *w, size_t cap);

int mist_pet_batch_supported(const mist_pet_recon *r)
{
    return !(r->psf_fwhm_mm > 0) && r->tof.n_tof <= 1;
}

void mist_pet_batch_free(mist_pet_batch *b)
{
    for (size_t s = 0; b->walks && s < b->r->n_subsets; s++) {
        mist_pet_walk *w = &b->walks[s];
        free(w->ray);
        free(w->lanes);
        free(w->next);
        free(w->first);
        free(w->y);
        free(w->ray2);
        free(w->lanes2);
        free(w->newpos);
    }
    free(b->walks);
    free(b->bufs);
    free(b->img);
    free(b->bp);
    *b = (mist_pet_batch){0};
}

mist_status mist_pet_batch_init(mist_pet_batch *b, mist_pet_recon *r, mist_error *err)
{
    *b = (mist_pet_batch){.r = r};
    if (!mist_pet_batch_supported(r))
        return mist_error_set(err, MIST_ERR_INPUT,
                              "batched OSEM: not with a PSF or TOF model (reconstruct singly)");
    size_t nv = mist_img_count(&r->img);
    b->n_bufs = r->n_chunk_bufs > 1 ? r->n_chunk_bufs : 1;
    b->walks = calloc(r->n_subsets, sizeof *b->walks);
    b->bufs = malloc(b->n_bufs * nv * LANES * sizeof *b->bufs);
    b->img = malloc(nv * LANES * sizeof *b->img);
    b->bp = malloc(nv * LANES * sizeof *b->bp);
    int ok = b->walks && b->bufs && b->img && b->bp;
    for (size_t s = 0; ok && s < r->n_subsets; s++) {
        mist_pet_walk *w = &b->walks[s];
        size_t n = r->subsets[s].n + 1;
        w->first = malloc(n * sizeof *w->first);
        w->y = malloc(n * LANES * sizeof *w->y);
        ok = w->first && w->y && walk_reserve(w, n);
    }
    if (!ok) {
        mist_pet_batch_free(b);
        return mist_error_set(err, MIST_ERR_NOMEM,
                              "out of memory for batched OSEM (%d images, %zu voxels)", LANES,
                              nv);
    }
    return MIST_OK;
}

/* Room for cap entries in the merged walk (and its rebuilt copy). */
static int walk_reserve(mist_pet_walk *w, size_t cap)
{
    if (cap <= w->cap)
        return 1;
    if (cap >= NONE)
        return 0;
    void *a[5] = {realloc(w->ray, cap * sizeof *w->ray), NULL, NULL, NULL, NULL};
    if (a[0])
        w->ray = a[0];
    if ((a[1] = realloc(w->lanes, cap * sizeof *w->lanes)))
        w->lanes = a[1];
    if ((a[2] = realloc(w->next, cap * sizeof *w->next)))
        w->next = a[2];
    if ((a[3] = realloc(w->ray2, cap * sizeof *w->ray2)))
        w->ray2 = a[3];
    if ((a[4] = realloc(w->lanes2, cap * sizeof *w->lanes2)))
        w->lanes2 = a[4];
    if (!a[0] || !a[1] || !a[2] || !a[3] || !a[4])
        return 0;
    w->cap = cap;
    return 1;
}

/* The merge of one image into the walk: the old entries and the image's rays are copied
 * into the new walk (ray2, lanes2), the old entry e going to newpos (next[], reused). */
typedef struct walk_merge {
    mist_pet_walk *w;
    size_t k, n, nc, c, i, o; /* image, its rays, chunks, current chunk, next ray, new entries */
} walk_merge;

/* A new entry for ray x of image k (its ray i). */
static void emit_image_ray(walk_merge *m, uint32_t x, uint16_t lanes)
{
    mist_pet_walk *w = m->w;
    w->ray2[m->o] = x;
    w->lanes2[m->o] = (uint16_t)(lanes | 1u << m->k);
    while (m->c + 1 < m->nc && m->i >= m->n * (m->c + 1) / m->nc)
        m->c++;
    if (m->i == m->n * m->c / m->nc)
        w->lo[m->k][m->c] = (uint32_t)m->o;
    w->hi[m->k][m->c] = (uint32_t)(m->o + 1);
    m->i++;
    m->o++;
}

/* Old entries [q, e) and the image's rays order[i0, i1) that the walk lacks, interleaved by
 * ray index (each in its own order; ascending orders merge into one ascending walk). */
static void emit_between(walk_merge *m, uint32_t *newpos, size_t q, size_t e,
                         const uint32_t *order, size_t i0, size_t i1)
{
    mist_pet_walk *w = m->w;
    while (q < e || i0 < i1) {
        if (i0 < i1 && (q >= e || order[i0] < w->ray[q])) {
            emit_image_ray(m, order[i0++], 0);
        } else {
            newpos[q] = (uint32_t)m->o;
            w->ray2[m->o] = w->ray[q];
            w->lanes2[m->o++] = w->lanes[q++];
        }
    }
}

mist_status mist_pet_batch_add(mist_pet_batch *b, size_t k, size_t s, const float *y,
                               const uint32_t *order, size_t n, mist_error *err)
{
    const mist_pet_recon *r = b->r;
    const mist_pet_subset *p = &r->subsets[s];
    mist_pet_walk *w = &b->walks[s];
    if (k >= LANES || s >= r->n_subsets || k != (k ? w->n_img : 0) || n > p->n)
        return mist_error_set(err, MIST_ERR_INPUT,
                              "batched OSEM: image %zu of subset %zu added out of turn", k, s);
    if (k == 0) {
        w->n = 0;
        w->rays = 0;
        w->first_valid = 0;
    }
    if (!walk_reserve(w, w->n + n + 1) ||
        (!w->newpos && !(w->newpos = malloc(w->cap * sizeof *w->newpos))) ||
        (w->newpos_cap < w->cap &&
         !(w->newpos = realloc(w->newpos, w->cap * sizeof *w->newpos))))
        return mist_error_set(err, MIST_ERR_NOMEM, "out of memory for batched OSEM");
    w->newpos_cap = w->cap;
    for (size_t i = 0; i < p->n; i++)
        w->y[i * LANES + k] = y[i];
    size_t nc = n_chunks(n);
    if (nc > r->n_chunk_bufs)
        nc = 1; /* as update() */
    for (size_t j = 0; j < MIST_PET_RECON_CHUNKS; j++)
        w->lo[k][j] = w->hi[k][j] = 0;
    w->n_chunks[k] = nc;
    /* Each ray of the order at the walk's first entry of it after the previous ray's; the
     * rays the walk lacks there are inserted before the next one found. */
    walk_merge m = {.w = w, .k = k, .n = n, .nc = nc};
    uint32_t *newpos = w->newpos;
    size_t q = 0, pend = 0, old_n = w->n;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = order[i], e = w->first_valid ? w->first[x] : NONE;
        while (e != NONE && e < q)
            e = w->next[e];
        if (e == NONE)
            continue; /* pending: inserted before the next ray found */
        emit_between(&m, newpos, q, e, order, pend, i);
        newpos[e] = (uint32_t)m.o;
        emit_image_ray(&m, x, w->lanes[e]);
        q = (size_t)e + 1;
        pend = i + 1;
    }
    emit_between(&m, newpos, q, old_n, order, pend, n);
    /* The new walk in place; the earlier images' chunk edges moved with their entries. */
    uint32_t *tr = w->ray;
    w->ray = w->ray2;
    w->ray2 = tr;
    uint16_t *tl = w->lanes;
    w->lanes = w->lanes2;
    w->lanes2 = tl;
    w->n = m.o;
    for (size_t kk = 0; kk < k; kk++)
        for (size_t c = 0; c < w->n_chunks[kk]; c++)
            if (w->lo[kk][c] < w->hi[kk][c]) {
                w->lo[kk][c] = newpos[w->lo[kk][c]];
                w->hi[kk][c] = newpos[w->hi[kk][c] - 1] + 1;
            }
    for (size_t i = 0; i < p->n; i++)
        w->first[i] = NONE;
    for (size_t e = w->n; e-- > 0;) {
        w->next[e] = w->first[w->ray[e]];
        w->first[w->ray[e]] = (uint32_t)e;
    }
    w->first_valid = 1;
    w->n_img = k + 1;
    w->rays += n;
    return MIST_OK;
}

double mist_pet_batch_gain(const mist_pet_batch *b)
{
    double rays = 0, entries = 0;
    for (size_t s = 0; s < b->r->n_subsets; s++) {
        rays += (double)b->walks[s].rays;
        entries += (double)b->walks[s].n;
    }
    return entries > 0 ? rays / (entries * MIST_PET_BATCH_ENTRY_COST) : 0.0;
}

/* Chunk c of every image of subset s: the stretch of the merged walk that holds them, each
 * entry's update applied to the images whose chunk c it belongs to, into buf. */
static void batch_chunk(const mist_pet_batch *b, size_t s, size_t c, float *buf)
{
    const mist_pet_recon *r = b->r;
    const mist_pet_subset *p = &r->subsets[s];
    const mist_pet_walk *w = &b->walks[s];
    uint32_t lo = NONE, hi = 0;
    for (size_t k = 0; k < w->n_img; k++) {
        if (c >= w->n_chunks[k] || w->lo[k][c] == w->hi[k][c])
            continue;
        lo = w->lo[k][c] < lo ? w->lo[k][c] : lo;
        hi = w->hi[k][c] > hi ? w->hi[k][c] : hi;
    }
    for (uint32_t e = lo; e < hi; e++) {
        unsigned act = 0;
        for (size_t k = 0; k < w->n_img; k++)
            act |= (unsigned)((w->lanes[e] >> k & 1) && e >= w->lo[k][c] && e < w->hi[k][c] &&
                              c < w->n_chunks[k])
                   << k;
        if (!act)
            continue;
        uint32_t i = w->ray[e];
        float p1[3], p2[3], t[LANES], v[LANES];
        mist_joseph_ray ray;
        mist_pet_lor_ends(r->lors, p->bin[i], p1, p2);
        if (!mist_joseph3d_ray_init(&r->img, p1, p2, &ray))
            continue;
        mist_joseph3d_ray_fwd_lanes(&ray, b->img, t);
        const float m = p->m[i], a = p->a ? p->a[i] : 0.0f, *y = w->y + (size_t)i * LANES;
        for (int k = 0; k < LANES; k++) {
            float ybar = m * t[k] + a; /* as ray_update: m (A x) + (a or 0) */
            v[k] = (act >> k & 1) ? mist_osem_ratio(m * y[k], ybar) : 0.0f;
        }
        mist_joseph3d_ray_back_lanes(&ray, buf, v);
    }
}

mist_status mist_pet_batch_osem(mist_pet_batch *b, const float *sens, int iterations,
                                size_t n_img, float *img, mist_error *err)
{
    const mist_pet_recon *r = b->r;
    size_t nv = mist_img_count(&r->img), ns = r->n_subsets;
    if (n_img < 1 || n_img > LANES)
        return mist_error_set(err, MIST_ERR_INPUT, "batched OSEM: %zu images (1 to %d)", n_img,
                              LANES);
    for (size_t s = 0; s < ns; s++)
        if (b->walks[s].n_img != n_img)
            return mist_error_set(err, MIST_ERR_INPUT,
                                  "batched OSEM: subset %zu holds %zu of the %zu images", s,
                                  b->walks[s].n_img, n_img);
    for (size_t j = 0; j < nv; j++)
        for (size_t k = 0; k < LANES; k++)
            b->img[j * LANES + k] = k < n_img ? img[k * nv + j] : 1.0f;
    mist_status st = MIST_OK;
    for (int it = 1; it <= iterations && !st; it++) {
        for (size_t s = 0; s < ns && !st; s++) {
            const mist_pet_walk *w = &b->walks[s];
            size_t nc = 1;
            for (size_t k = 0; k < n_img; k++)
                nc = w->n_chunks[k] > nc ? w->n_chunks[k] : nc;
            float *bufs = b->bufs;
#pragma omp parallel for schedule(dynamic, 1)
            for (long c = 0; c < (long)nc; c++) {
                float *buf = bufs + (size_t)c * nv * LANES;
                memset(buf, 0, nv * LANES * sizeof *buf);
                batch_chunk(b, s, (size_t)c, buf);
            }
            /* The chunks in order (a lane whose image has fewer chunks adds +0). */
            float *bp = b->bp;
#pragma omp parallel for schedule(static)
            for (long j = 0; j < (long)(nv * LANES); j++) {
                float v = 0.0f;
                for (size_t c = 0; c < nc; c++)
                    v += bufs[c * nv * LANES + (size_t)j];
                bp[j] = v;
            }
            st = mist_osem_allreduce(bp, nv * LANES, err);
            const float *sv = sens + s * nv;
            float *x = b->img;
            for (size_t j = 0; j < nv && !st; j++)
                for (size_t k = 0; k < LANES; k++)
                    x[j * LANES + k] =
                        sv[j] > 0.0f ? x[j * LANES + k] * bp[j * LANES + k] / sv[j] : 0.0f;
        }
    }
    for (size_t k = 0; k < n_img && !st; k++)
        for (size_t j = 0; j < nv; j++)
            img[k * nv + j] = b->img[j * LANES + k];
    return st;
}
