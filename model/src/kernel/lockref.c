/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lockref ops of the scenarios and the call wrapper that runs the
 * selected policy's CMPXCHG_LOOP, falls back to spin_lock() like
 * lib/lockref.c and records the op.  Included by each back end.
 */

/* lockref_get_not_dead(): the path walk's legitimize_path() */
static bool code_get(u64 old, u64 *new)
{
	if (countval(old) < 0)
		return false;
	*new = mkword(lockval(old), countval(old) + 1);
	return true;
}

static void locked_get(struct lockref *lr)
{
	lr_count_add(lr, 1);
}

/* lockref_put_return() and fast_dput()'s locked fallback */
static bool code_put(u64 old, u64 *new)
{
	if (countval(old) <= 0)
		return false;
	*new = mkword(lockval(old), countval(old) - 1);
	return true;
}

static void locked_put(struct lockref *lr)
{
	lr_count_add(lr, -1);
	delay_ns((u64)run_P->op_cs);	/* fast_dput()'s checks under d_lock */
}

static const struct lr_op op_get = { "get", code_get, locked_get };
static const struct lr_op op_put = { "put", code_put, locked_put };

/* A run's policy and measured window, the same for every back end. */
static void run_begin(const struct run_cfg *cfg)
{
	u64 warm = cfg->duration_ns * (u64)cfg->P.warmup_pct / 100;

	run_P = &cfg->P;
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

static void lockref_op(struct lockref *lr, const struct lr_op *op)
{
	struct cpu_stats *st = my_stats();
	u64 t0 = now_ns(), t1;
	bool locked = false;

	st->call_spins = 0;
	st->call_tries = 0;
	charge_ps((u64)run_P->t_call);
	if (!run_policy_fn(lr, op, run_pol)) {
		spin_lock(lr);
		cs_enter(lr);
		op->locked(lr);
		cs_exit(lr);
		spin_unlock(lr);
		locked = true;
	}
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
