/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CMPXCHG_LOOP variants.  Each function is the loop of one policy: it
 * returns true when the op was done locklessly (SUCCESS) and false to fall
 * back to spin_lock(), exactly like the code that follows CMPXCHG_LOOP in
 * lib/lockref.c.  op->code() is the loop's CODE; it returns false where
 * the kernel's CODE would leave the loop (e.g. "if (old.count <= 0)"),
 * and the policy returns false at once.  Where the kernel's CODE returns
 * from the op instead (lockref_get_not_dead() on a dead count), code()
 * has said so (cpu_stats.call_returned) and lockref_op() takes no lock.
 *
 * Waiting is written with lr_spin(lr, keep, &budget), which is
 *	do { cpu_relax(); old = READ_ONCE(lockref->lock_count); }
 *	while (keep(old) && --budget);
 * (budget NULL: no bound).  In the kernel it is that loop inline.
 *
 * Included by each back end; see api.h.  Table of policies: model.h.
 */

struct lr_op {
	const char *name;
	bool (*code)(u64 old, u64 *new);	/* CODE */
	bool (*locked)(struct lockref *lr);	/* the op under spin_lock; its result */
};

typedef bool (*policy_fn)(struct lockref *lr, const struct lr_op *op,
			  const struct policy *p);

static bool w_lock_held(u64 w) { return !lock_unlocked(w); }

/* locked by one holder, nobody pending or queued */
static bool w_held_uncontended(u64 w) { return lockval(w) == Q_LOCKED_VAL; }

/* held (or being handed over) with nobody in the MCS queue */
static bool w_held_no_tail(u64 w)
{
	return lockval(w) != 0 && !(lockval(w) & Q_TAIL_MASK);
}

/* v6.12 lib/lockref.c */
static bool lr_stock(struct lockref *lr, const struct lr_op *op,
		     const struct policy *p)
{
	int retry = p->retries;
	u64 old = lr_read(lr);

	while (likely(lock_unlocked(old))) {
		u64 new;

		if (!op->code(old, &new))
			return false;
		if (likely(lr_try_cmpxchg(lr, &old, new)))
			return true;
		if (!--retry)
			break;
	}
	return false;
}

/* Jeff Layton's RFC 3/4 (Aug 2024): wait for unlock for as long as it takes */
static bool lr_unbounded(struct lockref *lr, const struct lr_op *op,
			 const struct policy *p)
{
	u64 old = lr_read(lr);

	(void)p;
	for (;;) {
		if (likely(lock_unlocked(old))) {
			u64 new;

			if (!op->code(old, &new))
				return false;
			if (likely(lr_try_cmpxchg(lr, &old, new)))
				return true;
		} else {
			old = lr_spin(lr, w_lock_held, NULL);
		}
	}
}

/*
 * The loop that went into linux-next as d042dae6ad (Linus' version of
 * Guzik's speculative spin): waiting reads and cmpxchg failures share one
 * budget of p->spins (100) iterations.
 */
static bool lr_fixed_spin(struct lockref *lr, const struct lr_op *op,
			  const struct policy *p)
{
	int budget = p->spins;
	u64 old = lr_read(lr);

	for (;;) {
		u64 new;

		if (unlikely(!lock_unlocked(old))) {
			old = lr_spin(lr, w_lock_held, &budget);
			if (!lock_unlocked(old))
				return false;
		}
		if (!op->code(old, &new))
			return false;
		if (likely(lr_try_cmpxchg(lr, &old, new)))
			return true;
		if (--budget <= 0)
			return false;
	}
}

/*
 * Candidate: like stock, but when the word shows the lock held by a lone
 * holder (locked byte set, no pending bit, no MCS tail) wait for it, at
 * most p->spins reads per call.  Pending or tail set means others already
 * queue: join them at once, as stock does.
 */
static bool lr_qaware(struct lockref *lr, const struct lr_op *op,
		      const struct policy *p)
{
	int retry = p->retries, spins = p->spins;
	u64 old = lr_read(lr);

	for (;;) {
		u64 new;

		if (unlikely(!lock_unlocked(old))) {
			if (lockval(old) != Q_LOCKED_VAL || spins <= 0)
				return false;
			old = lr_spin(lr, w_held_uncontended, &spins);
			continue;
		}
		if (!op->code(old, &new))
			return false;
		if (likely(lr_try_cmpxchg(lr, &old, new)))
			return true;
		if (!--retry)
			return false;
	}
}

/* Variant: tolerate the pending bit (one waiter), queue only on a tail. */
static bool lr_qaware_pend(struct lockref *lr, const struct lr_op *op,
			   const struct policy *p)
{
	int retry = p->retries, spins = p->spins;
	u64 old = lr_read(lr);

	for (;;) {
		u64 new;

		if (unlikely(!lock_unlocked(old))) {
			if ((lockval(old) & Q_TAIL_MASK) || spins <= 0)
				return false;
			old = lr_spin(lr, w_held_no_tail, &spins);
			continue;
		}
		if (!op->code(old, &new))
			return false;
		if (likely(lr_try_cmpxchg(lr, &old, new)))
			return true;
		if (!--retry)
			return false;
	}
}

/*
 * Variant: the budget is counted in lock epochs.  Each time the call finds
 * the lock held after having seen it free (or at the start) is a new hold
 * episode; wait through at most p->epochs of them, p->spins / p->epochs
 * reads each.
 */
static bool lr_qaware_epoch(struct lockref *lr, const struct lr_op *op,
			    const struct policy *p)
{
	int retry = p->retries, epochs = p->epochs, spins = 0;
	bool in_epoch = false;
	u64 old = lr_read(lr);

	for (;;) {
		u64 new;

		if (unlikely(!lock_unlocked(old))) {
			if (lockval(old) != Q_LOCKED_VAL)
				return false;
			if (!in_epoch) {
				if (epochs-- <= 0)
					return false;
				spins = p->spins / p->epochs;
				in_epoch = true;
			}
			if (spins <= 0)
				return false;
			old = lr_spin(lr, w_held_uncontended, &spins);
			continue;
		}
		in_epoch = false;
		if (!op->code(old, &new))
			return false;
		if (likely(lr_try_cmpxchg(lr, &old, new)))
			return true;
		if (!--retry)
			return false;
	}
}

/* Variant: qaware plus exponential backoff after a failed cmpxchg. */
static bool lr_qaware_backoff(struct lockref *lr, const struct lr_op *op,
			      const struct policy *p)
{
	int retry = p->retries, spins = p->spins, backoff = 1;
	u64 old = lr_read(lr);

	for (;;) {
		u64 new;

		if (unlikely(!lock_unlocked(old))) {
			if (lockval(old) != Q_LOCKED_VAL || spins <= 0)
				return false;
			old = lr_spin(lr, w_held_uncontended, &spins);
			continue;
		}
		if (!op->code(old, &new))
			return false;
		if (likely(lr_try_cmpxchg(lr, &old, new)))
			return true;
		if (!--retry)
			return false;
		for (int i = 0; i < backoff; i++)
			cpu_relax();
		if (backoff < 16)
			backoff <<= 1;
		old = lr_read(lr);
	}
}

/*
 * Small per-CPU state of the adaptive policy; in the kernel
 *	static DEFINE_PER_CPU(u16, lockref_wait_skip);
 *	static DEFINE_PER_CPU(u8, lockref_wait_fails);
 * read and written with raw_cpu_read()/raw_cpu_write(): racy against
 * preemption and interrupts, harmless (a lost or misplaced update only
 * steers the heuristic).  Here one cache line per CPU, reset at the start
 * of each run, each access an L1 hit (t_hit).  It is touched only once the
 * lock word has been seen locked: the uncontended path is stock's.
 */
struct lr_pcpu {
	u16 skip;	/* lone-holder sightings left to handle like stock */
	u8 fails;	/* consecutive failed waits (capped) */
} __attribute__((aligned(64)));

static struct lr_pcpu lr_pcpu[MAX_CPUS];

static void kshim_reset(void);

static void policies_reset(void)
{
	kshim_reset();		/* the posted code's per-CPU variables */
	memset(lr_pcpu, 0, sizeof(lr_pcpu));
	for (int i = 0; i < MAX_CPUS; i++)	/* stale-state experiments */
		lr_pcpu[i].skip = (u16)run_P->adapt_skip0;
}

static inline struct lr_pcpu *pcpu_state(void)
{
	charge_ps((u64)run_P->t_hit);
	return &lr_pcpu[this_cpu()];
}

/*
 * Candidate: qaware-once (wait through at most one lone-holder episode,
 * at most p->spins reads) plus a per-CPU backoff of the willingness to
 * wait.  A wait that ends in spin_lock() anyway ("failed": the lock never
 * came free for us, e.g. one CPU re-taking it back to back, or others
 * queued meanwhile) makes this CPU handle its next 2^fails - 1 lone-holder
 * sightings like stock (spin_lock() at once, which takes the pending bit),
 * fails counting consecutive failed waits, up to p->backoff sightings; a
 * wait that ends in a lockless op resets it.  A CPU that keeps losing
 * behaves like stock except for one probe every p->backoff sightings.
 */
static bool lr_qaware_adaptive(struct lockref *lr, const struct lr_op *op,
			       const struct policy *p)
{
	int retry = p->retries, spins = p->spins;
	bool waited = false, waiting = false;
	u64 old = lr_read(lr);

	for (;;) {
		u64 new;

		if (unlikely(!lock_unlocked(old))) {
			if (lockval(old) != Q_LOCKED_VAL)
				break;			/* pending/tail: queue */
			if (!waiting) {
				struct lr_pcpu *pc;

				if (waited)
					break;		/* a second hold episode */
				pc = pcpu_state();
				if (pc->skip) {		/* backing off: stock */
					pc->skip--;
					charge_ps((u64)run_P->t_hit);
					return false;
				}
				waited = waiting = true;
			}
			if (spins <= 0)
				break;
			old = lr_spin(lr, w_held_uncontended, &spins);
			continue;
		}
		waiting = false;
		if (!op->code(old, &new))
			return false;
		if (likely(lr_try_cmpxchg(lr, &old, new))) {
			if (waited) {
				struct lr_pcpu *pc = pcpu_state();

				if (pc->fails) {
					pc->fails = 0;
					charge_ps((u64)run_P->t_hit);
				}
			}
			return true;
		}
		if (!--retry)
			break;
	}
	if (waited) {
		/* the wait did not pay: skip the next 2^fails - 1 waits */
		struct lr_pcpu *pc = pcpu_state();

		if ((2 << pc->fails) - 1 <= p->backoff)
			pc->fails++;
		pc->skip = (u16)((1 << pc->fails) - 1);
		charge_ps(2 * (u64)run_P->t_hit);
	}
	return false;
}

#ifdef LRMODEL_BROKEN_POLICY
/*
 * Self-test of the tests (make check BROKEN=1): a lost-update bug, the
 * read and the write are two separate accesses.  check must fail with it.
 */
static bool lr_broken(struct lockref *lr, const struct lr_op *op,
		      const struct policy *p)
{
	u64 old = lr_read(lr), new;

	(void)p;
	if (!lock_unlocked(old) || !op->code(old, &new))
		return false;
	delay_ns(5);
	lr_count_set_racy(lr, countval(new));	/* 4-byte store: lock bits untouched */
	return true;
}
#endif

/* the series' own loop, compiled from the tree (posted.c, kshim.h) */
#include "posted.c"

#ifdef LRMODEL_BROKEN_POLICY
/* must fail check */
#define PICK(id, fn) (P_##id == P_QAWARE || P_##id == P_QAADAPT ? lr_broken : fn)
#else
#define PICK(id, fn) fn
#endif

static const policy_fn policy_fns[P_NR] = {
#define X(id, name, fn, r, s, e, b, doc) [P_##id] = PICK(id, fn),
	POLICIES(X)
#undef X
};
