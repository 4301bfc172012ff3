#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>

mist_status mist_error_set(mist_error *err, mist_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void mist_error_clear(mist_error *err)
{
    if (err) {
        err->code = MIST_OK;
        err->msg[0] = '\0';
    }
}

int mist_status_exit_code(mist_status st)
{
    switch (st) {
    case MIST_OK: return 0;
    case MIST_ERR_INPUT: return 2;
    case MIST_ERR_NOT_BUILT: return 3;
    default: return 1;
    }
}

const char *mist_status_name(mist_status st)
{
    switch (st) {
    case MIST_OK: return "ok";
    case MIST_ERR_INPUT: return "input error";
    case MIST_ERR_NOT_BUILT: return "not built yet";
    case MIST_ERR_IO: return "I/O error";
    case MIST_ERR_NOMEM: return "out of memory";
    case MIST_ERR_INTERNAL: return "internal error";
    case MIST_ERR_MPI: return "MPI error";
    }
    return "unknown error";
}
