#include "engine/commands.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/analyze_cmd.h"
#include "engine/basis.h"
#include "engine/observe_cmd.h"
#include "engine/bench.h"
#include "engine/phantom_cmd.h"
#include "engine/run.h"
#include "engine/recon_cmd.h"
#include "engine/simulate.h"
#include "engine/sweep.h"
#include "engine/validate.h"
#include "io/h5out.h"
#include "io/study.h"
#include "par/mpi_env.h"

static int report(const char *cmd, mist_status st, const mist_error *err)
{
    if (st && mist_mpi_world().rank == 0)
        fprintf(stderr, "mist %s: %s: %s\n", cmd, st == MIST_ERR_INPUT ? "error" : mist_status_name(st),
                err->msg);
    return mist_status_exit_code(st);
}

/* Reconstruct `in` (into `out`, or in place), saying what was done on rank 0. */
static mist_status run_recon(const char *cmd, const char *in, const char *out,
                             const char *const *sets, size_t n_sets, const char *nifti,
                             const char *interfile, int quiet, mist_error *err)
{
    mist_recon_summary sum;
    mist_status st = mist_recon_file(in, out, sets, n_sets, nifti, interfile, &sum, err);
    if (!st && !quiet && mist_mpi_world().rank == 0)
        fprintf(stderr,
                "mist %s: /recon/%s/%s/image in %s: %d x %d x %d voxels of %g mm, %d iterations "
                "x %d subsets, %.2f s per iteration (set-up %.2f s, peak memory %.0f MiB per "
                "rank)\n",
                cmd, sum.modality, sum.scanner, out ? out : in, sum.n[0], sum.n[1], sum.n[2], sum.voxel_mm,
                sum.iterations, sum.subsets, sum.s_per_iteration, sum.setup_s, sum.memory_MiB);
    return st;
}

/* mist recon IN.h5 [-o OUT.h5] [--set recon.KEY=VALUE]... */
static int cmd_recon(const mist_cli_args *a)
{
    mist_error err;
    mist_error_clear(&err);
    mist_status st = run_recon("recon", a->pos[0], a->output, a->sets, a->n_sets, a->nifti,
                               a->interfile, a->quiet, &err);
    return report("recon", st, &err);
}

/* mist run / mist simulate: load the study, simulate, write the result. */
static int cmd_simulate(const char *cmd, const mist_cli_args *a)
{
    mist_error err;
    mist_error_clear(&err);
    mist_study *study = NULL;
    const char *path = a->n_pos ? a->pos[0] : NULL;
    mist_status st = mist_study_load(path, a->sets, a->n_sets, &study, &err);
    if (!st && !strcmp(cmd, "simulate") && !a->output)
        st = mist_error_set(&err, MIST_ERR_INPUT, "-o OUT.h5 is required");
    if (st)
        return report(cmd, st, &err);

    char default_out[160];
    snprintf(default_out, sizeof default_out, "%s.h5", study->name);
    mist_simulate_opts opts = {.output = a->output ? a->output : default_out,
                               .quiet = a->quiet,
                               .with_recon = !strcmp(cmd, "run"),
                               .resume = a->resume};
    mist_simulate_result res;
    st = opts.with_recon ? mist_run_pipeline(study, &opts, a->quiet ? NULL : stdout, &res, &err)
                         : mist_simulate(study, &opts, &res, &err);
    if (!st && mist_mpi_world().rank == 0 && !a->quiet && res.spect)
        fprintf(stderr, "mist %s: wrote %s (%llu decays, %llu %s, on %d rank%s in %.2f s)\n", cmd,
                opts.output, (unsigned long long)res.decays,
                (unsigned long long)res.spect_in_matrix,
                study->acquisition.spect.forced_detection ? "forced-detection rays"
                                                          : "photons in the projections",
                mist_mpi_world().size, mist_mpi_world().size > 1 ? "s" : "", res.wall_s);
    if (!st && mist_mpi_world().rank == 0 && !a->quiet && !res.spect) {
        fprintf(stderr,
                "mist %s: wrote %s (%llu decays, %llu prompt coincidences, on %d rank%s in %.2f s)\n",
                cmd, opts.output, (unsigned long long)res.decays, (unsigned long long)res.prompts,
                mist_mpi_world().size, mist_mpi_world().size > 1 ? "s" : "", res.wall_s);
    }
    if (!st && mist_mpi_world().rank == 0 && !a->quiet && res.recon_done)
        fprintf(stderr,
                "mist %s: /recon/%s/%s/image: %d x %d x %d voxels of %g mm, %d iterations x %d "
                "subsets, %.2f s per iteration (set-up %.2f s, peak memory %.0f MiB per rank)%s\n",
                cmd, res.recon.modality, res.recon.scanner, res.recon.n[0], res.recon.n[1], res.recon.n[2],
                res.recon.voxel_mm, res.recon.iterations, res.recon.subsets,
                res.recon.s_per_iteration, res.recon.setup_s, res.recon.memory_MiB,
                res.analyzed ? "; lesion analysis in /analysis/lesions" : "");
    if (!st && mist_mpi_world().rank == 0 && !a->quiet && res.missing_stages[0])
        fprintf(stderr, "mist %s: not built yet, so not in the result: %s\n", cmd,
                res.missing_stages);
    mist_study_free(study);
    return report(cmd, st, &err);
}

static int cmd_info(const mist_cli_args *a)
{
    mist_error err;
    mist_status st = MIST_OK;
    if (mist_mpi_world().rank == 0)
        st = mist_h5_info(a->pos[0], a->json, stdout, &err);
    return report("info", st, &err);
}

static int cmd_analyze(const mist_cli_args *a)
{
    mist_error err;
    mist_error_clear(&err);
    mist_status st = MIST_OK;
    if (mist_mpi_world().rank == 0)
        st = mist_analyze(a->pos[0], a->json, stdout, &err);
    return report("analyze", st, &err);
}

static int cmd_observe(const mist_cli_args *a)
{
    mist_error err;
    mist_error_clear(&err);
    mist_observe_opts o = {.path = a->pos[0], .sets = a->sets, .n_sets = a->n_sets,
                           .json = a->json, .out = stdout, .log = a->quiet ? NULL : stderr};
    mist_status st = MIST_OK;
    if (a->counts) {
        char *end;
        o.counts = strtod(a->counts, &end);
        if (end == a->counts || *end || !(o.counts > 0) || !isfinite(o.counts))
            st = mist_error_set(&err, MIST_ERR_INPUT,
                                "--counts %s: expected a share of the clinical count level > 0",
                                a->counts);
    }
    if (!st)
        st = mist_observe(&o, &err);
    return report("observe", st, &err);
}

static int cmd_basis(const mist_cli_args *a)
{
    mist_error err;
    mist_error_clear(&err);
    mist_study *study = NULL;
    mist_status st = a->output ? MIST_OK
                               : mist_error_set(&err, MIST_ERR_INPUT, "-o BASIS.h5 is required");
    if (!st)
        st = mist_study_load(a->pos[0], a->sets, a->n_sets, &study, &err);
    mist_basis_summary sum;
    if (!st)
        st = mist_basis_build(study, a->output, a->quiet ? NULL : stderr, &sum, &err);
    if (!st && !a->quiet)
        fprintf(stderr, "mist basis: wrote %s (%zu tissue classes, %.4g decays, %.1f s)\n",
                a->output, sum.components, sum.decays, sum.wall_s);
    mist_study_free(study);
    return report("basis", st, &err);
}

static int cmd_combine(const mist_cli_args *a)
{
    mist_error err;
    mist_error_clear(&err);
    mist_status st = a->output ? MIST_OK
                               : mist_error_set(&err, MIST_ERR_INPUT, "-o OUT.h5 is required");
    mist_combine_summary sum;
    if (!st)
        st = mist_basis_combine(a->pos[0], a->output, a->sets, a->n_sets, NULL, &sum, &err);
    if (!st && !a->quiet)
        fprintf(stderr,
                "mist combine: wrote %s (expected %.4g prompts: %.4g trues, %.4g scatters, "
                "%.4g randoms; %.4g singles; %.2f s)\n",
                a->output, sum.prompts, sum.trues, sum.scatters, sum.randoms, sum.singles,
                sum.wall_s);
    return report("combine", st, &err);
}

static int cmd_sweep(const mist_cli_args *a)
{
    mist_error err;
    mist_error_clear(&err);
    mist_sweep_opts o = {.path = a->pos[0], .out_dir = a->output, .point = -1,
                         .resume = a->resume, .collect = a->collect, .dry_run = a->dry_run,
                         .log = a->quiet ? NULL : stderr};
    mist_status st = MIST_OK;
    if (!a->output)
        st = mist_error_set(&err, MIST_ERR_INPUT, "-o DIR is required");
    if (!st && a->point) {
        char *end;
        errno = 0;
        o.point = strtol(a->point, &end, 10);
        if (end == a->point || *end || o.point < 0 || errno)
            st = mist_error_set(&err, MIST_ERR_INPUT,
                                "--point %s: expected a point index (0, 1, ...)", a->point);
    }
    if (!st && a->collect + a->dry_run + (a->point != NULL) > 1)
        st = mist_error_set(&err, MIST_ERR_INPUT,
                            "--point, --collect and --dry-run exclude each other");
    if (!st)
        st = mist_sweep_run(&o, &err);
    return report("sweep", st, &err);
}

int mist_command_run(const char *name, const mist_cli_args *a)
{
    if (!strcmp(name, "run") || !strcmp(name, "simulate"))
        return cmd_simulate(name, a);
    if (!strcmp(name, "info"))
        return cmd_info(a);
    if (!strcmp(name, "validate"))
        return mist_validate_command(a->quick, a->json);
    if (!strcmp(name, "bench"))
        return mist_bench_command(a->json, a->only);
    if (!strcmp(name, "phantom")) {
        mist_error err = {MIST_ERR_INPUT, "-o OUT.h5 is required"};
        if (!a->output)
            return report(name, MIST_ERR_INPUT, &err);
        return mist_mpi_world().rank == 0 ? mist_phantom_command(a->pos[0], a->output, a->nifti)
                                          : 0;
    }
    if (!strcmp(name, "recon"))
        return cmd_recon(a);
    if (!strcmp(name, "analyze"))
        return cmd_analyze(a);
    if (!strcmp(name, "sweep"))
        return cmd_sweep(a);
    if (!strcmp(name, "observe"))
        return cmd_observe(a);
    if (!strcmp(name, "basis"))
        return cmd_basis(a);
    if (!strcmp(name, "combine"))
        return cmd_combine(a);
    return 2;
}
