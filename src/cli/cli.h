/*
 * cli.h - the `mist` command line: subcommands, their options and help, and
 * the mapping from statuses to exit codes (0 ok, 2 usage or input error,
 * 3 capability not built yet, 1 anything else).
 */
#ifndef MIST_CLI_CLI_H
#define MIST_CLI_CLI_H

/* Run the command line; returns the process exit code.  MPI is initialised. */
int mist_cli_main(int argc, char **argv);

#endif
