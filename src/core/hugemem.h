/*
 * hugemem.h - allocation of large tables that the per-photon loop reads at random
 * (the activity map's alias table, the voxel grid's labels): aligned to 2 MiB and
 * marked for transparent huge pages (madvise MADV_HUGEPAGE; Linux with THP in
 * "madvise" mode gives them only on request), so that a random look-up costs a
 * cache miss but rarely a TLB miss and page walk as well.  Elsewhere, or when the
 * kernel declines, it is an ordinary allocation.  Set-up only; released with free().
 */
#ifndef MIST_CORE_HUGEMEM_H
#define MIST_CORE_HUGEMEM_H

#include <stddef.h>

/* bytes of memory (uninitialised), or NULL when out of memory.  Tables under 2 MiB come
 * from plain malloc. */
void *mist_huge_alloc(size_t bytes);

/* The same, zeroed. */
void *mist_huge_calloc(size_t n, size_t size);

#endif
