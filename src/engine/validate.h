/*
 * validate.h - `mist validate`: runs every module's validation checks and
 * prints them as a table (or JSON).  The foundation contributes the random
 * number generator (published pcg32 vector, jump-ahead) and the statistics of
 * radioactive decay in an acquisition frame (counts and time distribution
 * against the exact exponential law).
 */
#ifndef MIST_ENGINE_VALIDATE_H
#define MIST_ENGINE_VALIDATE_H

#include "core/validation.h"

/* The foundation's checks (RNG, decay statistics), appended to v. */
mist_status mist_validate_foundation(int quick, mist_validation *v, mist_error *err);

/* The command: returns the exit code (0 all pass, 1 a check failed). */
int mist_validate_command(int quick, int json);

#endif
