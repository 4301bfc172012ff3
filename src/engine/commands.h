/*
 * commands.h - the subcommands behind the CLI: each takes the parsed
 * arguments, does its work on every MPI rank as needed, prints on rank 0 and
 * returns the process exit code (0 ok, 2 input error, 3 not built, 1 other).
 */
#ifndef MIST_ENGINE_COMMANDS_H
#define MIST_ENGINE_COMMANDS_H

#include <stddef.h>

#define MIST_CLI_MAX_SETS 64
#define MIST_CLI_MAX_POS 4

typedef struct mist_cli_args {
    const char *pos[MIST_CLI_MAX_POS]; /**< positional arguments */
    int n_pos;
    const char *output; /**< -o */
    const char *nifti;  /**< --nifti */
    const char *point;  /**< --point (sweep) */
    const char *interfile; /**< --interfile */
    const char *counts;    /**< --counts (observe) */
    const char *only;      /**< --only (bench): figure name prefix */
    const char *sets[MIST_CLI_MAX_SETS]; /**< --set (and --seed as "seed=N"), in order */
    size_t n_sets;
    char *owned[MIST_CLI_MAX_SETS]; /**< strings allocated while parsing */
    size_t n_owned;
    int quiet, json, quick, resume, collect, dry_run;
} mist_cli_args;

/* Run subcommand `name` (one of the CLI's commands). */
int mist_command_run(const char *name, const mist_cli_args *args);

#endif
