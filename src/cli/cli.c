#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/commands.h"
#include "mist_version.h"
#include "par/mpi_env.h"

/* ---- command table ------------------------------------------------------- */

typedef struct opt_spec {
    const char *name; /* long name without "--" */
    char short_name;  /* or 0 */
    const char *arg;  /* value placeholder, NULL for a flag */
    const char *help;
} opt_spec;

typedef struct cmd_spec {
    const char *name;
    const char *usage; /* after "mist NAME " */
    const char *summary;
    const char *details;
    int min_pos, max_pos;
    const char *const *opts; /* names of the options it takes (NULL-terminated) */
} cmd_spec;

static const opt_spec OPTIONS[] = {
    {"output", 'o', "OUT", "result file (HDF5); written under a temporary name, renamed when complete"},
    {"set", 0, "KEY=VALUE", "override a study key by its dotted path, e.g. --set tracer.uptake_time_h=4 (repeatable)"},
    {"seed", 0, "N", "random seed (same as --set seed=N)"},
    {"quiet", 'q', NULL, "no progress report"},
    {"resume", 0, NULL, "go on from OUT.h5.checkpoint, left by an interrupted run of the same study"},
    {"json", 0, NULL, "machine-readable JSON output"},
    {"quick", 0, NULL, "the fast subset of the checks"},
    {"point", 0, "I", "run only point I of the sweep (0-based; for job arrays), no results tables"},
    {"collect", 0, NULL, "run nothing: write the results tables from the complete point files"},
    {"dry-run", 0, NULL, "validate every point and write DIR/points.csv; run nothing"},
    {"nifti", 0, "PREFIX", "also export NIfTI files PREFIX_*.nii (phantom: labels, density; recon: image)"},
    {"interfile", 0, "PREFIX", "also export the sinograms of the model as Interfile PREFIX_*.hs/.s (STIR keys)"},
    {"counts", 0, "F", "observe: realisations at F x the clinical count level (default 1)"},
    {"only", 0, "PREFIX", "bench: only the figures whose name starts with PREFIX (e.g. transport.511, emission)"},
    {"help", 'h', NULL, "show this help"},
};
#define N_OPTIONS (sizeof OPTIONS / sizeof OPTIONS[0])

static const char *const O_RUN[] = {"output", "set", "seed", "quiet", "resume", "help", NULL};
static const char *const O_SIM[] = {"output", "set", "seed", "quiet", "resume", "help", NULL};
static const char *const O_PHANTOM[] = {"output", "nifti", "help", NULL};
static const char *const O_RECON[] = {"output", "set", "quiet", "nifti", "interfile", "help", NULL};
static const char *const O_OBSERVE[] = {"set", "counts", "json", "quiet", "help", NULL};
static const char *const O_JSON[] = {"json", "help", NULL};
static const char *const O_BASIS[] = {"output", "set", "seed", "quiet", "help", NULL};
static const char *const O_SWEEP[] = {"output", "resume", "point", "collect", "dry-run",
                                      "quiet",  "help",   NULL};
static const char *const O_VALIDATE[] = {"quick", "json", "help", NULL};
static const char *const O_BENCH[] = {"json", "only", "help", NULL};
static const char *const O_HELP[] = {"help", NULL};

static const cmd_spec COMMANDS[] = {
    {"run", "[STUDY.yaml] [-o OUT.h5] [--set KEY=VALUE]... [--seed N] [--quiet] [--resume]",
     "run the whole pipeline of a study (the built-in default HER2 study without STUDY)",
     "Runs every stage that is built: study validation, the acquisition's decays in\n"
     "time-slice batches over all MPI ranks, the HDF5 result, and its OSEM reconstruction\n"
     "(recon.* keys; `mist recon` reruns that stage alone).  Stages not built yet\n"
     "(analysis) are named on stderr.\n"
     "Default output: NAME.h5 in the current directory, NAME being the study's name.\n"
     "Long runs write OUT.h5.checkpoint (every acquisition.checkpoint_s, default 300 s);\n"
     "after a crash, the same command with --resume finishes the run with the same result.",
     0, 1, O_RUN},
    {"phantom", "PHANTOM.yaml -o OUT.h5 [--nifti PREFIX]", "voxelise a phantom definition",
     NULL, 1, 1, O_PHANTOM},
    {"simulate", "STUDY.yaml -o OUT.h5 [--set KEY=VALUE]... [--seed N] [--quiet] [--resume]",
     "phantom + tracer + acquisition, without reconstruction", NULL, 1, 1, O_SIM},
    {"recon", "IN.h5 [-o OUT.h5] [--set recon.KEY=VALUE]... [--nifti PREFIX] [--interfile PREFIX]",
     "reconstruct the data in a result file (OSEM)", NULL, 1, 1, O_RECON},
    {"analyze", "IN.h5 [--json]", "lesion contrast and detectability metrics",
     "Scores every /recon/<modality>/<scanner>/image against the phantom's truth: per lesion\n"
     "CRC, background variability (NEMA-style background ROIs), CNR, SUVmax/mean/peak and\n"
     "recovery coefficients; the lung residual of a NEMA IEC phantom.  Prints a table (or\n"
     "JSON) and records /analysis/lesions in IN.h5 (written to a copy, then renamed).\n"
     "Exit code 2 when the file holds no reconstructed image, activity map or lesion.",
     1, 1, O_JSON},
    {"observe", "IN.h5 [--set analysis.realizations=N] [--counts F] [--json] [--quiet]",
     "observer study: d' and AUC per lesion (NPW, CHO) over noise realisations",
     "Per lesion, its excess activity simulated alone (analysis.lesion_oversample x the\n"
     "realisations' counts) is added to the lesion-free background: by default\n"
     "(analysis.background=model) the recon's forward model of the study's activity\n"
     "without lesions, scaled to the simulated trues, plus smoothed scatter and randoms;\n"
     "with analysis.background=simulation the simulated data (the study without the\n"
     "lesion, or the file's for a cold lesion; valid when F <= simulated_fraction).\n"
     "N = analysis.realizations Poisson realisations per class at F x the\n"
     "clinical count level (the data scaled by F / acquisition.simulated_fraction), each\n"
     "reconstructed with the study's OSEM; NPW and CHO d' and AUC with bootstrap 95 % CIs\n"
     "per lesion, printed and recorded as /analysis/observer (written to a copy, then\n"
     "renamed).  mc_ratio: realisation / lesion-only simulated counts (flagged from 0.1).",
     1, 1, O_OBSERVE},
    {"basis", "STUDY.yaml -o BASIS.h5 [--set KEY=VALUE]... [--seed N] [--quiet]",
     "simulate every tissue class of a study alone at unit concentration (sweep basis data)",
     "Per tissue class of the phantom (lesion classes included): the PET trues, scatters\n"
     "and detector scatters sinograms and the singles offered to and accepted by each block,\n"
     "from a simulation of that class alone at a uniform concentration over the whole frame.\n"
     "`mist combine` turns the file into the data of any probe (same nuclide), uptake time,\n"
     "injected activity and scan duration.  One MPI rank.",
     1, 1, O_BASIS},
    {"combine", "BASIS.h5 -o OUT.h5 [--set KEY=VALUE]... [--quiet]",
     "combine basis data into a result file for other activity settings",
     "The basis's study with --set overrides of tracer.* (same nuclide),\n"
     "acquisition.duration_s, acquisition.simulated_fraction, acquisition.batches, seed,\n"
     "name, recon.* and analysis.*: each class weighted by its concentration at the frame\n"
     "start and the frame's decay-weighted time; dead time per block and randoms\n"
     "(2 tau S_a S_b) modelled from the combined singles.  OUT.h5 holds expected counts\n"
     "and reads like a simulation's result in `mist recon`, `mist analyze`, `mist observe`.",
     1, 1, O_BASIS},
    {"sweep", "SWEEP.yaml -o DIR [--resume] [--point I | --collect | --dry-run] [--quiet]",
     "protocol study over a grid of study overrides",
     "The sweep file names a base study (study:), overrides for every point (set:), axes\n"
     "combined as a cartesian product (grid:), axes that vary together (zip:) and seed\n"
     "repeats (seeds:).  Every point's study is validated first; then DIR/points.csv is\n"
     "written and each point runs as `mist run` into DIR/point_<i>.h5 (i from 0), scored\n"
     "with `mist analyze` when it holds a reconstructed image.  DIR/results.csv and\n"
     "DIR/results.h5 collect the counters (and DIR/lesions.csv the lesion metrics).\n"
     "-o names the output directory (created if missing).  --resume skips points whose\n"
     "file is complete (and finishes a killed point from its checkpoint); --point I runs\n"
     "one point (a job-array task) and writes no results tables; --collect runs nothing\n"
     "and writes them; --dry-run validates and writes points.csv only (its rows: the\n"
     "size of a job array).",
     1, 1, O_SWEEP},
    {"info", "FILE.h5 [--json]", "describe what a result file holds",
     "Lists the root attributes, groups and datasets (shape, type, units).", 1, 1, O_JSON},
    {"validate", "[--quick] [--json]", "run the physics validation suite and print it as a table",
     "Each row: quantity, expected (analytic or published), simulated, deviation in\n"
     "standard errors, pass/fail.  Exit code 1 if any check fails.",
     0, 0, O_VALIDATE},
    {"bench", "[--json] [--only PREFIX]", "throughput figures of the kernels on this machine", NULL, 0, 0,
     O_BENCH},
    {"help", "[COMMAND]", "show help for mist or for one command", NULL, 0, 1, O_HELP},
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static int is_root(void)
{
    return mist_mpi_world().rank == 0;
}

static const opt_spec *find_option(const char *name)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (!strcmp(OPTIONS[i].name, name))
            return &OPTIONS[i];
    return NULL;
}

static const cmd_spec *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(COMMANDS[i].name, name))
            return &COMMANDS[i];
    return NULL;
}

static void print_usage(FILE *out)
{
    fprintf(out, "usage: mist COMMAND [ARGS]   (under MPI: mpirun -n N mist COMMAND ...)\n\n"
                 "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-9s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(out, "\n  mist --version    version and git commit\n"
                 "  mist help COMMAND details of one command\n");
}

static void print_command_help(FILE *out, const cmd_spec *c)
{
    fprintf(out, "usage: mist %s %s\n\n%s.\n", c->name, c->usage, c->summary);
    if (c->details)
        fprintf(out, "\n%s\n", c->details);
    fprintf(out, "\noptions:\n");
    for (size_t i = 0; c->opts[i]; i++) {
        const opt_spec *o = find_option(c->opts[i]);
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        fprintf(out, "  %-22s %s\n", left, o->help);
    }
}

static int usage_error(const cmd_spec *c, const char *fmt, const char *what)
{
    if (is_root()) {
        fprintf(stderr, "mist%s%s: ", c ? " " : "", c ? c->name : "");
        fprintf(stderr, fmt, what);
        fputc('\n', stderr);
        if (c)
            fprintf(stderr, "usage: mist %s %s\n(see `mist help %s`)\n", c->name, c->usage,
                    c->name);
        else
            print_usage(stderr);
    }
    return 2;
}

/* ---- argument parsing ---------------------------------------------------- */

static int takes(const cmd_spec *c, const char *name)
{
    for (size_t i = 0; c->opts[i]; i++)
        if (!strcmp(c->opts[i], name))
            return 1;
    return 0;
}

/* Parse argv[first..] for command c into args; returns 0, or an exit code. */
static int parse_args(const cmd_spec *c, int argc, char **argv, int first, mist_cli_args *a,
                      int *want_help)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            const opt_spec *o = NULL;
            const char *value = NULL;
            if (arg[1] == '-') {
                char name[64];
                const char *eq = strchr(arg + 2, '=');
                size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
                if (len >= sizeof name)
                    return usage_error(c, "unknown option '%s'", arg);
                memcpy(name, arg + 2, len);
                name[len] = '\0';
                o = find_option(name);
                if (eq)
                    value = eq + 1;
            } else if (arg[2] == '\0') {
                for (size_t k = 0; k < N_OPTIONS; k++)
                    if (OPTIONS[k].short_name == arg[1])
                        o = &OPTIONS[k];
            }
            if (!o || !takes(c, o->name))
                return usage_error(c, "unknown option '%s'", arg);
            if (o->arg && !value) {
                if (i + 1 >= argc)
                    return usage_error(c, "option '%s' needs a value", arg);
                value = argv[++i];
            } else if (!o->arg && value) {
                return usage_error(c, "option '%s' takes no value", arg);
            }
            if (!strcmp(o->name, "help"))
                *want_help = 1;
            else if (!strcmp(o->name, "output"))
                a->output = value;
            else if (!strcmp(o->name, "nifti"))
                a->nifti = value;
            else if (!strcmp(o->name, "point"))
                a->point = value;
            else if (!strcmp(o->name, "collect"))
                a->collect = 1;
            else if (!strcmp(o->name, "dry-run"))
                a->dry_run = 1;
            else if (!strcmp(o->name, "interfile"))
                a->interfile = value;
            else if (!strcmp(o->name, "counts"))
                a->counts = value;
            else if (!strcmp(o->name, "only"))
                a->only = value;
            else if (!strcmp(o->name, "quiet"))
                a->quiet = 1;
            else if (!strcmp(o->name, "json"))
                a->json = 1;
            else if (!strcmp(o->name, "quick"))
                a->quick = 1;
            else if (!strcmp(o->name, "resume"))
                a->resume = 1;
            else if (!strcmp(o->name, "set") || !strcmp(o->name, "seed")) {
                if (a->n_sets == MIST_CLI_MAX_SETS)
                    return usage_error(c, "more than %s --set options", "64");
                if (!strcmp(o->name, "seed")) {
                    char *s = malloc(strlen(value) + 6);
                    if (!s)
                        return 1;
                    sprintf(s, "seed=%s", value);
                    a->owned[a->n_owned++] = s;
                    value = s;
                }
                a->sets[a->n_sets++] = value;
            }
        } else {
            if (a->n_pos == c->max_pos)
                return usage_error(c, "unexpected argument '%s'", arg);
            a->pos[a->n_pos++] = arg;
        }
    }
    if (!*want_help && a->n_pos < c->min_pos)
        return usage_error(c, "missing argument (%s)", c->usage);
    return 0;
}

int mist_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        if (is_root())
            print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
        if (is_root())
            printf("mist %s (git %s)\n", MIST_VERSION, MIST_GIT_COMMIT);
        return 0;
    }
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        if (is_root())
            print_usage(stdout);
        return 0;
    }
    const cmd_spec *c = find_command(name);
    if (!c)
        return usage_error(NULL, "unknown command '%s'", name);

    mist_cli_args a;
    memset(&a, 0, sizeof a);
    int want_help = 0;
    int code = parse_args(c, argc, argv, 2, &a, &want_help);
    if (!code && (want_help || !strcmp(c->name, "help"))) {
        const cmd_spec *target = c;
        if (!strcmp(c->name, "help") && a.n_pos == 1 && !(target = find_command(a.pos[0])))
            code = usage_error(NULL, "unknown command '%s'", a.pos[0]);
        else if (is_root()) {
            if (!strcmp(c->name, "help") && a.n_pos == 0)
                print_usage(stdout);
            else
                print_command_help(stdout, target);
        }
    } else if (!code) {
        code = mist_command_run(c->name, &a);
    }
    for (size_t i = 0; i < a.n_owned; i++)
        free(a.owned[i]);
    return code;
}
