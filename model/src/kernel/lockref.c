/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lockref ops of the scenarios and the call wrapper that runs the
 * selected policy's CMPXCHG_LOOP, falls back to spin_lock() like
 * lib/lockref.c and records the op.  Included by each back end.
 */

/* check's probe (scenario SC_PROBE): the words CODE ran on; no cost */
static inline void trace_code(u64 old)
{
	struct call_trace *tr = &my_stats()->tr;

	if (unlikely(tr->on)) {
		if (!tr->codes++)
			tr->code_first = old;
		tr->code_last = old;
	}
}

/*
 * lockref_get_not_dead(): the path walk's legitimize_path().  Its CODE,
 *	new.count++; if (old.count < 0) return false;
 * returns from the function (the lockref is dead): no spin_lock().  The
 * model's CODE says so in call_returned; the policy then leaves its loop
 * as for any false CODE and lockref_op() returns false without the lock.
 */
static bool code_get(u64 old, u64 *new)
{
	trace_code(old);
	if (countval(old) < 0) {
		my_stats()->call_returned = true;
		return false;
	}
	*new = mkword(lockval(old), countval(old) + 1);
	return true;
}

/* spin_lock(); if (lockref->count >= 0) { count++; retval = true; } */
static bool locked_get(struct lockref *lr)
{
	return lr_count_add(lr, 1, true) >= 0;
}

/*
 * lockref_put_return() and fast_dput()'s locked fallback: a false CODE
 * returns -1 from lockref_put_return(), and fast_dput() takes the lock.
 */
static bool code_put(u64 old, u64 *new)
{
	if (countval(old) <= 0)
		return false;
	*new = mkword(lockval(old), countval(old) - 1);
	return true;
}

static bool locked_put(struct lockref *lr)
{
	lr_count_add(lr, -1, false);
	delay_ns((u64)run_P->op_cs);	/* fast_dput()'s checks under d_lock */
	return true;
}

static const struct lr_op op_get = { "get", code_get, locked_get };
static const struct lr_op op_put = { "put", code_put, locked_put };

static struct probe *run_probe;	/* scenario SC_PROBE (check) */

/* A run's policy and measured window, the same for every back end. */
static void run_begin(const struct run_cfg *cfg)
{
	u64 warm = cfg->duration_ns * (u64)cfg->P.warmup_pct / 100;

	run_P = &cfg->P;
	run_probe = cfg->probe;
	run_pol = &cfg->pol;
	run_policy_fn = policy_fns[cfg->policy];
	policies_reset();
	run_mstart = warm;
	run_mend = warm + cfg->duration_ns;
	run_tl_scale = (double)TL_N / (double)cfg->duration_ns;
}

static inline bool measuring(u64 t)
{
	return t >= run_mstart && t < run_mend;
}

static inline int tl_index(u64 t)
{
	u64 i = (u64)((double)(t - run_mstart) * run_tl_scale);

	return i >= TL_N ? TL_N - 1 : (int)i;
}

/* one op; returns its result (false: lockref_get_not_dead() found it dead) */
static bool lockref_op(struct lockref *lr, const struct lr_op *op)
{
	struct cpu_stats *st = my_stats();
	u64 t0 = now_ns(), t1;
	bool locked = false, result = true;

	st->call_spins = 0;
	st->call_tries = 0;
	st->call_returned = false;
	st->call_locked = false;
	if (unlikely(st->tr.on))
		st->tr = (struct call_trace){ .on = true };
	charge_ps((u64)run_P->t_call);
	if (!run_policy_fn(lr, op, run_pol)) {
		if (st->call_returned) {
			result = false;		/* CODE returned: no lock */
		} else {
			if (unlikely(st->tr.on))
				st->tr.t_lock = now_ns();
			spin_lock(lr);
			cs_enter(lr);
			result = op->locked(lr);
			cs_exit(lr);
			spin_unlock(lr);
			locked = true;
		}
	}
	st->call_locked = locked;
	t1 = now_ns();
	if (st->call_spins > st->max_spins)
		st->max_spins = st->call_spins;
	if (st->call_tries > st->max_tries)
		st->max_tries = st->call_tries;
	if (measuring(t1)) {
		u64 lat = t1 - t0;
		int i = tl_index(t1);

		st->ops++;
		st->locked += locked;
		if (st->call_spins) {
			st->waits++;
			st->wait_fails += locked;
			st->wait_reads += st->call_spins;
		}
		st->tl_ops[i]++;
		st->tl_locked[i] += locked;
		st->hist[hist_bucket(lat)]++;
		if (lat > st->lat_max)
			st->lat_max = lat;
	}
	return result;
}

/* a plain lock section: d_lock users that are not lockref ops */
static void lock_section(struct lockref *lr, u64 cs)
{
	spin_lock(lr);
	cs_enter(lr);
	delay_ns(cs);
	cs_exit(lr);
	spin_unlock(lr);
	if (measuring(now_ns()))
		my_stats()->sections++;
}
