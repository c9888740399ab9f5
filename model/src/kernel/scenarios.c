/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenarios: what each CPU does, and what is shared.  Measurement is
 * in lockref.c; parameters in model.h (PARAMS).  Included by each back end.
 *
 * 1 storm   all CPUs get/put one lockref (open3/stat2 shape); CPU 0 also
 *           takes the lock once every kick_period for kick_cs, the rare
 *           outside holder of Guzik's report ("ls" of the directory).
 * 2 holder  the same storm, CPU 0 takes the lock every hold_period for
 *           hold_cs (dput slow path, other short d_lock users).
 * 3 trade   1 of every trade_div CPUs, at least two (one at 2 CPUs), take
 *           the lock back to back (trade_cs held, trade_gap between); the
 *           others get/put.
 * 4 long    every CPU: get, think, hold the lock long_cs (readdir-style
 *           walk under d_lock), think, put, think.  The stress-ng
 *           getdent/handle shape: lock holds mixed with lockref ops.
 * 5 uncont  CPU 0 alone gets/puts a lockref nobody else touches; the
 *           other CPUs idle.  (The simulator runs it for 1/10 of the run
 *           length: a steady single-CPU loop needs no more.)
 * 0 count   (check only) fixed number of gets and puts per CPU with a
 *           holder on CPU 0, to check the final count exactly.
 * SC_PROBE  (check only, simulator, 2-5 CPUs) struct probe: CPU 0 holds the
 *           lock, CPU 1 calls lockref_get_not_dead() at t_call, CPU 0 marks
 *           the lockref dead at t_dead (if set) and releases at t_release;
 *           CPUs 2.. (if any) call spin_lock() at t_wlock[] and hold the
 *           lock w_cs[]: the waiters the lock word shows.
 */

#define LOCKREF_DEAD	-128	/* __LOCKREF_DEAD_VAL, lockref_mark_dead() */

/* sleep until simulated time t (ns) */
static void delay_until(u64 t)
{
	u64 now = now_ns();

	if (t > now)
		delay_ns(t - now);
}

static void probe_worker(struct probe *pr, int cpu, struct lockref *lr)
{
	struct cpu_stats *st = my_stats();

	if (cpu == 0) {
		spin_lock(lr);
		cs_enter(lr);
		pr->t_locked = now_ns();
		if (pr->t_dead) {
			delay_until(pr->t_dead);
			/* lockref_mark_dead(): lockref->count = -128, lock held */
			lr_count_set_racy(lr, LOCKREF_DEAD);
		}
		delay_until(pr->t_release);
		cs_exit(lr);
		pr->t_rel_start = now_ns();
		spin_unlock(lr);
		pr->t_rel_done = now_ns();
	} else if (cpu == 1) {
		st->lockref_user = true;
		delay_until(pr->t_call);
		st->tr.on = true;
		pr->result = lockref_op(lr, &op_get);
		pr->t_call_end = now_ns();
		pr->locked = st->call_locked;
		pr->spins = st->call_spins;
		pr->tries = st->call_tries;
		pr->tr = st->tr;
		st->tr.on = false;
	} else if (cpu - 2 < PROBE_WAITERS && pr->t_wlock[cpu - 2]) {
		int i = cpu - 2;

		/* a lock waiter: pending (the first) or queued behind CPU 0 */
		delay_until(pr->t_wlock[i]);
		spin_lock(lr);
		cs_enter(lr);
		pr->t_wgot[i] = now_ns();
		delay_ns(pr->w_cs[i]);
		cs_exit(lr);
		pr->t_wrel[i] = now_ns();
		spin_unlock(lr);
	}
}

static u64 jitter(u64 mean)
{
	if (!mean)
		return 0;
	return mean / 2 + rnd() % (mean + 1);
}

static void storm_cycle(struct lockref *lr)
{
	lockref_op(lr, &op_get);
	delay_ns(jitter((u64)run_P->think));
	lockref_op(lr, &op_put);
	delay_ns(jitter((u64)run_P->think));
}

/* "several": at least two traders, one in trade_div CPUs; one at 2 CPUs */
static int trade_cpus(int ncpu)
{
	int k = ncpu / (int)(run_P->trade_div > 0 ? run_P->trade_div : 1);

	if (k < 2)
		k = 2;
	if (k > ncpu - 1)
		k = ncpu - 1 > 0 ? ncpu - 1 : 1;
	return k;
}

/* scenario 0: COUNT_GETS gets and COUNT_GETS / 2 puts per CPU */
#define COUNT_GETS	2000

static void worker(int scen, int cpu, int ncpu, struct lockref *shared,
		   struct lockref *own)
{
	struct cpu_stats *st = my_stats();
	const struct params *P = run_P;

	switch (scen) {
	case 0: {
		u64 next = 0;

		st->lockref_user = true;
		for (int i = 0; i < COUNT_GETS; i++) {
			if (cpu == 0 && now_ns() >= next) {
				lock_section(shared, 300);
				next = now_ns() + 5000;
			}
			lockref_op(shared, &op_get);
			delay_ns(jitter(200));
			if (i & 1) {
				lockref_op(shared, &op_put);
				delay_ns(jitter(200));
			}
		}
		break;
	}
	case SC_STORM:
	case SC_HOLDER: {
		u64 period = (u64)(scen == SC_STORM ? P->kick_period : P->hold_period);
		u64 cs = (u64)(scen == SC_STORM ? P->kick_cs : P->hold_cs);
		u64 next = period / 2;

		st->lockref_user = true;
		while (!should_stop()) {
			if (cpu == 0 && period && now_ns() >= next) {
				lock_section(shared, cs);
				next += period;
				if (next < now_ns())
					next = now_ns() + period;
			}
			storm_cycle(shared);
		}
		break;
	}
	case SC_TRADE:
		if (cpu < trade_cpus(ncpu)) {
			while (!should_stop()) {
				lock_section(shared, (u64)P->trade_cs);
				delay_ns((u64)P->trade_gap);
			}
		} else {
			st->lockref_user = true;
			while (!should_stop())
				storm_cycle(shared);
		}
		break;
	case SC_LONG:
		st->lockref_user = true;
		while (!should_stop()) {
			lockref_op(shared, &op_get);
			delay_ns(jitter((u64)P->think));
			lock_section(shared, (u64)P->long_cs);
			delay_ns(jitter((u64)P->think));
			lockref_op(shared, &op_put);
			delay_ns(jitter((u64)P->think));
		}
		break;
	case SC_PROBE:
		if (run_probe)
			probe_worker(run_probe, cpu, shared);
		break;
	case SC_UNCONT:
		if (cpu != 0)
			break;
		st->lockref_user = true;
		while (!should_stop()) {
			lockref_op(own, &op_get);
			delay_ns((u64)P->uncont_think);
			lockref_op(own, &op_put);
			delay_ns((u64)P->uncont_think);
		}
		break;
	}
}

/* what the count must be at the end */
static s64 expected_count(int scen, int ncpu)
{
	if (scen == 0)
		return 1 + (s64)ncpu * (COUNT_GETS - COUNT_GETS / 2);
	if (scen == SC_PROBE && run_probe)
		return run_probe->t_dead ? LOCKREF_DEAD : 2;
	return 1;
}
