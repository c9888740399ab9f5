/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "posted" policy: the series' own CMPXCHG_LOOP, compiled from a
 * kernel tree.  posted-src.h is generated at build time by
 * scripts/extract-posted.py from $(LOCKREF_C) (default: the tree with the
 * series applied, build/trees/series/lib/lockref.c) and the qspinlock
 * headers of the same tree; kshim.h maps the kernel primitives it uses
 * onto the model's.  Nothing below is a transcription: the loop, its
 * helpers, constants and per-CPU state are the tree's text.  What is
 * the model's: the call (t_call), the CODE of the ops (op->code(), as for
 * every policy) and the spin_lock() fallback after the loop
 * (lockref_op() in lockref.c).
 *
 * The hash of the extracted text (POSTED_SRC_SHA256) is compiled in;
 * "lrmodel check --posted-ref HASH" (make check) fails when it is not the
 * hash of the same extraction from the series.
 *
 * Included at the end of policies.c, in each back end.
 */
#include "kshim.h"
#include "posted-src.h"

static bool lr_posted(lrm_lockref_t *mlr, const struct lr_op *op,
		      const struct policy *p)
{
	struct lockref *lockref = (struct lockref *)mlr;
	int cpu = this_cpu();

	(void)p;
	kshim_cpu[cpu].cur = mlr;
	kshim_cpu[cpu].reads = 0;
	CMPXCHG_LOOP(
		if (!op->code(old.lock_count, &new.lock_count))
			return false;
	,
		return true;
	);
	return false;
}

static const char posted_src_sha256[] = POSTED_SRC_SHA256;
static const char posted_src_origin[] = POSTED_SRC_ORIGIN;
static const char posted_src_headers[] = POSTED_SRC_HEADERS;

#include "kshim_end.h"
