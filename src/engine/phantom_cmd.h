/*
 * phantom_cmd.h - `mist phantom PHANTOM.yaml -o OUT.h5 [--nifti PREFIX]`:
 * build a phantom from its definition file and write it (the /phantom group
 * of a result file, written atomically) and, on request, NIfTI-1 label and
 * density volumes.
 */
#ifndef MIST_ENGINE_PHANTOM_CMD_H
#define MIST_ENGINE_PHANTOM_CMD_H

/* Returns the process exit code: 0 ok, 2 input error (message on stderr as
 * "mist phantom: error: <msg>"), 1 any other failure.  nifti_prefix may be NULL. */
int mist_phantom_command(const char *yaml_path, const char *out_h5, const char *nifti_prefix);

#endif
