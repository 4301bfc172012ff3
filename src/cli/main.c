/* mist: Molecular Imaging Simulation Toolkit.  See README.md and `mist help`. */
#include <stdio.h>

#include "cli/cli.h"
#include "par/mpi_env.h"

int main(int argc, char **argv)
{
    mist_mpi mpi;
    mist_error err;
    if (mist_mpi_init(&argc, &argv, &mpi, &err)) {
        fprintf(stderr, "mist: error: %s\n", err.msg);
        return 1;
    }
    int code = mist_cli_main(argc, argv);
    mist_mpi_finalize();
    return code;
}
