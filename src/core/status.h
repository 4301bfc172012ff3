/*
 * status.h - status codes and error reports shared by every mist module.
 *
 * Functions that can fail return a mist_status and, on failure, fill a
 * caller-owned mist_error with one sentence saying what went wrong (for input
 * errors: "file:line:column: key: what was expected").  Library code never
 * prints and never exits; main() turns the status into an exit code.
 */
#ifndef MIST_CORE_STATUS_H
#define MIST_CORE_STATUS_H

#include <stddef.h>

typedef enum mist_status {
    MIST_OK = 0,
    MIST_ERR_INPUT = 2,     /**< bad user input (study file, option, value) */
    MIST_ERR_NOT_BUILT = 3, /**< a capability that is not built yet */
    MIST_ERR_IO = 4,        /**< file could not be read or written */
    MIST_ERR_NOMEM = 5,     /**< allocation failed */
    MIST_ERR_INTERNAL = 6,  /**< broken invariant or library failure */
    MIST_ERR_MPI = 7        /**< MPI call failed */
} mist_status;

#define MIST_ERROR_MSG_MAX 1024

typedef struct mist_error {
    mist_status code;
    char msg[MIST_ERROR_MSG_MAX];
} mist_error;

/* Record an error (printf-style) and return its code.  err may be NULL. */
mist_status mist_error_set(mist_error *err, mist_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear an error record. */
void mist_error_clear(mist_error *err);

/* Process exit code for a status: 0 ok, 2 input, 3 not built, 1 otherwise. */
int mist_status_exit_code(mist_status st);

/* Short name of a status ("input error", ...). */
const char *mist_status_name(mist_status st);

#endif
