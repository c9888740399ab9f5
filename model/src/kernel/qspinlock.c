/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A queued spinlock on the low 4 bytes of the lockref word, following the
 * protocol of the kernel's qspinlock (v6.12, native x86-64, no paravirt):
 * uncontended cmpxchg 0 -> locked; one waiter spins as "pending" on the
 * lock word; further waiters queue on per-CPU MCS nodes and spin locally on
 * their own node; the queue head spins on the lock word until locked and
 * pending are clear, then takes the lock and hands the head role on.
 *
 * Included by each back end; see api.h for the primitives.  Only node
 * index 0 is used: nothing in the model nests spinlocks.
 */

static inline u32 encode_tail(int cpu)
{
	return (u32)(cpu + 1) << Q_TAIL_CPU_SHIFT;
}

static inline int decode_tail(u32 val)
{
	return (int)(val >> Q_TAIL_CPU_SHIFT) - 1;
}

static bool w_pending_handover(u64 w) { return lockval(w) == Q_PENDING_VAL; }
static bool w_locked(u64 w) { return (lockval(w) & Q_LOCKED_MASK) != 0; }
static bool w_locked_pending(u64 w) { return (lockval(w) & Q_LOCKED_PENDING_MASK) != 0; }
static bool n_not_locked(u64 w) { return qn_locked(w) == 0; }
static bool n_no_next(u64 w) { return qn_next(w) < 0; }

/* atomic_cond_read_*(): read first, spin while keep(), budget may be NULL */
static inline u32 ql_cond_read(struct lockref *lr, wait_fn keep, int *budget)
{
	u64 w = ql_read(lr);

	if (keep(w) && (!budget || *budget > 0))
		w = ql_spin(lr, keep, budget);
	return lockval(w);
}

static inline bool queued_spin_trylock(struct lockref *lr)
{
	u32 val = ql_read(lr);

	if (unlikely(val))
		return false;
	return ql_try_cmpxchg(lr, &val, Q_LOCKED_VAL);
}

static void queued_spin_lock_slowpath(struct lockref *lr, u32 val)
{
	struct qnode *node;
	int cpu = this_cpu(), next = -1;
	u32 old, tail;
	u64 nw;

	/* a pending -> locked hand-over is in progress: wait a bounded while */
	if (val == Q_PENDING_VAL) {
		int cnt = Q_PENDING_LOOPS;

		val = ql_cond_read(lr, w_pending_handover, &cnt);
	}

	/* contended (pending or queued): queue */
	if (val & ~Q_LOCKED_MASK)
		goto queue;

	/* trylock || pending */
	val = ql_fetch_set_pending(lr);
	if (unlikely(val & ~Q_LOCKED_MASK)) {
		/* someone else was pending or queued: undo pending if we set it */
		if (!(val & Q_PENDING_MASK))
			ql_clear_pending(lr);
		goto queue;
	}

	/* we are pending: wait for the owner to go, then take it */
	if (val & Q_LOCKED_MASK)
		ql_cond_read(lr, w_locked, NULL);
	ql_clear_pending_set_locked(lr);
	return;

queue:
	node = qn_get(cpu);
	tail = encode_tail(cpu);
	qn_init(node);

	if (queued_spin_trylock(lr))
		return;

	old = ql_xchg_tail(lr, tail);
	if (old & Q_TAIL_MASK) {
		/* link behind the previous tail and spin on our own node */
		qn_set_next(qn_get(decode_tail(old)), cpu);
		nw = qn_read(node);
		if (n_not_locked(nw))
			nw = qn_spin(node, n_not_locked);
		next = qn_next(nw);
	}

	/* queue head: wait for the owner and the pending waiter to go */
	val = ql_cond_read(lr, w_locked_pending, NULL);

	/* last in the queue: take the lock and clear the tail in one go */
	if ((val & Q_TAIL_MASK) == tail) {
		if (ql_try_cmpxchg(lr, &val, Q_LOCKED_VAL))
			return;
	}

	/* someone queued behind us: take the lock, hand the head role on */
	ql_write_locked(lr, Q_LOCKED_VAL);
	if (next < 0) {
		nw = qn_read(node);
		if (n_no_next(nw))
			nw = qn_spin(node, n_no_next);
		next = qn_next(nw);
	}
	qn_set_locked(qn_get(next));
}

static inline void spin_lock(struct lockref *lr)
{
	u32 val = 0;

	if (likely(ql_try_cmpxchg(lr, &val, Q_LOCKED_VAL)))
		return;
	queued_spin_lock_slowpath(lr, val);
}

static inline void spin_unlock(struct lockref *lr)
{
	ql_write_locked(lr, 0);		/* smp_store_release(&lock->locked, 0) */
}
