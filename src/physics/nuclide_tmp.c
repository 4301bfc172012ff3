/* TEMPORARY (removed when the nuclide library lands): Ga-68 only, T1/2 67.71 min (NNDC). */
#include "physics/nuclide.h"
#include <string.h>
static const mist_nuclide T[] = {{.name = "Ga-68", .half_life_s = 67.71 * 60.0}};
const mist_nuclide *mist_nuclide_find(const char *name) { return strcmp(name, "Ga-68") ? NULL : &T[0]; }
