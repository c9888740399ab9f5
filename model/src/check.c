// SPDX-License-Identifier: GPL-2.0
/*
 * lrmodel check: the tests.  Each case prints "ok" or "not ok"; the last
 * line is "N passed, M failed".
 *
 * Build with BROKEN=1 (make check BROKEN=1) to swap the qaware and
 * qaware-adaptive policies for a lost-update bug: the count tests for them
 * must then fail.
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

static int npass, nfail;

static void verdict(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", npass + nfail + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		npass++;
	else
		nfail++;
}

static void run(struct run_result *r, enum backend be, int scen, int pol, int ncpu,
		double ms, u64 seed, const char *set)
{
	struct opts o;
	struct run_cfg c;

	opts_init(&o);
	o.be = be;
	o.dur_ms = ms;
	o.seed = seed;
	if (set) {
		char buf[256], *tok, *save;

		snprintf(buf, sizeof(buf), "%s", set);
		for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			params_set(&o.P, tok);
	}
	cfg_from(&c, &o, scen, pol, ncpu);
	run_checked(&c, r);
}

static const char *bename(enum backend be)
{
	return be == BE_SIM ? "sim" : "native";
}

/* final count exact, lock word free, all CPUs drained, mutual exclusion */
static void check_counts(const struct run_result *r, const char *what)
{
	verdict(result_ok(r), "%s/%s/%s/%d cpus: count %lld (want %lld) lock %#x drained %d excl-violations %llu",
		what, bename(r->cfg.be), r->cfg.pol.name, r->cfg.ncpu,
		(long long)r->final_count, (long long)r->expected_count, r->final_lock,
		r->finished, (unsigned long long)r->cs_violations);
}

/*
 * The probe (scenario SC_PROBE): CPU 0 holds the lock from the start; CPU 1
 * calls lockref_get_not_dead() through the posted policy at t_call; CPU 0
 * marks the lockref dead at t_dead (0: never) and releases at t_release.
 * Lock waiters on CPUs 2.. (t_wlock[], w_cs[]): probe_go() with the probe
 * filled in; the run has 2 + the number of waiters CPUs.
 */
static int probe_cpus(const struct probe *pr)
{
	int n = 0;

	while (n < PROBE_WAITERS && pr->t_wlock[n])
		n++;
	return 2 + n;
}

static void probe_go(struct probe *pr, struct run_result *r)
{
	struct opts o;
	struct run_cfg c;

	opts_init(&o);
	o.be = BE_SIM;
	o.dur_ms = 0.1;
	cfg_from(&c, &o, SC_PROBE, P_POSTED, probe_cpus(pr));
	c.probe = pr;
	run_checked(&c, r);
}

static void probe_run(struct probe *pr, struct run_result *r, u64 t_call, u64 t_dead,
		      u64 t_release)
{
	memset(pr, 0, sizeof(*pr));
	pr->t_call = t_call;
	pr->t_dead = t_dead;
	pr->t_release = t_release;
	probe_go(pr, r);
}

static const char *wordstr(char *buf, size_t len, u64 w)
{
	snprintf(buf, len, "{lock %#x count %d}", lockval(w), countval(w));
	return buf;
}

/*
 * The release happened inside CPU 1's wait: the call's first read saw a
 * lone holder with the count before the release (the word it must not
 * act on), then at least one waiting read saw the lock still held - the
 * first of them returned before CPU 0 issued the unlock - and a later
 * waiting read saw it free.  In the posted code only lockref_wait() reads
 * the word after the call's first read, so that read was inside the wait,
 * and the wait was still running when the release became visible.
 */
static bool probe_in_wait(const struct probe *pr)
{
	const struct call_trace *tr = &pr->tr;

	return pr->spins > 0 && tr->first == mkword(Q_LOCKED_VAL, 1) && tr->held > 0 &&
	       tr->t_wait0 <= pr->t_rel_start && tr->freed && tr->t_free >= pr->t_rel_start;
}

static void probe_verdict(const struct probe *pr, const struct run_result *r, bool ok,
			  const char *name)
{
	const struct call_trace *tr = &pr->tr;
	char b1[48], b2[48], b3[48], b4[48], b5[48], b6[48], code[128] = "";

	if (tr->codes)
		snprintf(code, sizeof(code), " on %s .. %s", wordstr(b3, sizeof(b3), tr->code_first),
			 wordstr(b4, sizeof(b4), tr->code_last));
	verdict(ok, "%s/sim/2 cpus, release at call +%llu ns%s: first read %s, "
		"waiting reads %llu (%llu saw it held, the first at +%lld ns, the last at +%lld ns %s), "
		"unlock issued at +%lld ns, %s%s%s; CODE ran %llu times%s; "
		"cmpxchg %llu; returned %s%s; final %s, excl-violations %llu",
		name, (unsigned long long)(pr->t_release - pr->t_call),
		pr->t_dead ? " after marking it dead" : "",
		wordstr(b1, sizeof(b1), tr->first), (unsigned long long)pr->spins,
		(unsigned long long)tr->held, (long long)(tr->t_wait0 - pr->t_call),
		(long long)(tr->t_held - pr->t_call), wordstr(b2, sizeof(b2), tr->w_held),
		(long long)(pr->t_rel_start - pr->t_call),
		tr->freed ? "a waiting read saw " : "no waiting read saw the release",
		tr->freed ? wordstr(b6, sizeof(b6), tr->w_free) : "",
		tr->freed ? "" : " (the wait had ended)",
		(unsigned long long)tr->codes, code, (unsigned long long)pr->tries,
		pr->result ? "true" : "false", pr->locked ? " after spin_lock()" : " without spin_lock()",
		wordstr(b5, sizeof(b5), mkword(r->final_lock, (s32)r->final_count)),
		(unsigned long long)r->cs_violations);
}

/*
 * A lock word for the verdict line (check 3e): "free", "locked" (a lone
 * holder), "locked+pending", "locked+pending+tail(cpu N)", "locked+tail(cpu
 * N)", ...: pending or tail set means the word shows a waiter.
 */
static const char *lockstr(char *buf, size_t len, u32 v)
{
	int n;

	if (!v)
		return "free";
	n = snprintf(buf, len, "%s", v & Q_LOCKED_MASK ? "locked" : "unlocked");
	if (v & Q_PENDING_MASK)
		n += snprintf(buf + n, len - (size_t)n, "+pending");
	if (v & Q_TAIL_MASK)
		snprintf(buf + n, len - (size_t)n, "+tail(cpu %d)",
			 (int)(v >> Q_TAIL_CPU_SHIFT) - 1);
	return buf;
}

/*
 * Who had the lock or was inside spin_lock() for it when the getter's
 * first read returned (t): "cpu0 holds", "cpu2 waits", ...; true if every
 * waiter with t_wlock <= t was still waiting or holding then.
 */
static bool probe_at(const struct probe *pr, u64 t, char *buf, size_t len)
{
	size_t n = 0;
	bool all = true;

	buf[0] = 0;
	if (pr->t_locked <= t && t < pr->t_rel_start)
		n += (size_t)snprintf(buf + n, len - n, "cpu0 holds");
	for (int i = 0; i < PROBE_WAITERS && pr->t_wlock[i]; i++) {
		const char *st = NULL;

		if (pr->t_wlock[i] > t)
			continue;
		if (t < pr->t_wgot[i])
			st = "waits";
		else if (t < pr->t_wrel[i])
			st = "holds";
		else
			all = false;
		if (st && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%scpu%d %s", n ? ", " : "", 2 + i, st);
	}
	return all;
}

static void waiter_verdict(const struct probe *pr, const struct run_result *r, bool ok,
			   const char *name)
{
	const struct call_trace *tr = &pr->tr;
	char b1[48], b2[48], b3[48], who[128], lk[96] = "no spin_lock()", wt[96] = "";

	probe_at(pr, tr->t_first, who, sizeof(who));
	if (tr->t_lock && tr->waiter_reads)
		snprintf(lk, sizeof(lk), "spin_lock() %lld ns after the first waiting read that saw a waiter",
			 (long long)(tr->t_lock - tr->t_waiter));
	else if (tr->t_lock)
		snprintf(lk, sizeof(lk), "spin_lock() %lld ns after the first read",
			 (long long)(tr->t_lock - tr->t_first));
	if (tr->waiter_reads)
		snprintf(wt, sizeof(wt), " (the first at call +%lld ns: %s)",
			 (long long)(tr->t_waiter - pr->t_call),
			 lockstr(b2, sizeof(b2), lockval(tr->w_waiter)));
	verdict(ok, "%s/sim/%d cpus: first read at call +%lld ns: %s, count %d (%s); "
		"waiting reads %llu, %llu saw a waiter%s, %llu after it; "
		"%s; cmpxchg %llu; returned %s%s; "
		"final %s, excl-violations %llu",
		name, r->cfg.ncpu, (long long)(tr->t_first - pr->t_call),
		lockstr(b1, sizeof(b1), lockval(tr->first)), countval(tr->first), who,
		(unsigned long long)pr->spins, (unsigned long long)tr->waiter_reads,
		wt, (unsigned long long)tr->after_waiter,
		lk,
		(unsigned long long)pr->tries, pr->result ? "true" : "false",
		pr->locked ? " after spin_lock()" : " without spin_lock()",
		wordstr(b3, sizeof(b3), mkword(r->final_lock, (s32)r->final_count)),
		(unsigned long long)r->cs_violations);
}

struct bound_acc {
	u64 spins, tries;
};

static void bounds_add(struct bound_acc *b, const struct run_result *r)
{
	if (r->max_spins > b->spins)
		b->spins = r->max_spins;
	if (r->max_tries > b->tries)
		b->tries = r->max_tries;
}

int cmd_check(const struct opts *opt)
{
	static struct bound_acc bnd[P_NR];
	struct run_result r, r2;
	bool quick = opt->quick;

	memset(bnd, 0, sizeof(bnd));

	/*
	 * 0. conformance: the posted policy runs the series' code.  The hash
	 * of the text compiled in (both back ends) must be the hash of the
	 * same extraction from the series (make check computes it from
	 * the series' patches on the pinned base, or from REF_TREE).
	 */
	if (opt->posted_ref) {
		bool same = !strcmp(opt->posted_ref, sim_posted_sha256()) &&
			    !strcmp(opt->posted_ref, native_posted_sha256());

		verdict(same, "posted/conformance: compiled from %s, sha256 %.16s (native %.16s); %s: %s%s",
			sim_posted_origin(), sim_posted_sha256(), native_posted_sha256(),
			opt->posted_ref_origin ? opt->posted_ref_origin : "reference",
			opt->posted_ref,
			same ? "" : " -- the model does not run the series' CMPXCHG_LOOP: rebuild it from the series tree (make -C model LOCKREF_C=...), see README");
	} else {
		printf("# skip posted/conformance: no --posted-ref (make check passes it)\n");
	}

	/* 1. exact counts after a fixed number of gets/puts, with a holder */
	for (int p = 0; p < P_NR; p++) {
		run(&r, BE_SIM, 0, p, 8, 1, 1, NULL);
		check_counts(&r, "count-exact");
		bounds_add(&bnd[p], &r);
		run(&r, BE_SIM, 0, p, 48, 1, 2, "cps=24");
		check_counts(&r, "count-exact");
		bounds_add(&bnd[p], &r);
		run(&r, BE_NATIVE, 0, p, 2, 1, 1, NULL);
		check_counts(&r, "count-exact");
		bounds_add(&bnd[p], &r);
	}

	/* 2. every scenario: count back to its start, lock free, bounds */
	for (int s = 1; s < SC_NR; s++) {
		for (int p = 0; p < P_NR; p++) {
			run(&r, BE_SIM, s, p, 16, 2, 3, NULL);
			check_counts(&r, scenario_name[s]);
			bounds_add(&bnd[p], &r);
			run(&r, BE_NATIVE, s, p, 2, quick ? 20 : 50, 3, NULL);
			check_counts(&r, scenario_name[s]);
			bounds_add(&bnd[p], &r);
		}
	}

	/* 3. bounded policies never exceed their bounds (all runs above) */
	for (int p = 0; p < P_NR; p++) {
		const struct policy *pol = &policy_table[p];
		bool ok = true;

		if (pol->spins >= 0 && bnd[p].spins > (u64)pol->spins)
			ok = false;
		if (pol->retries >= 0 && bnd[p].tries > (u64)pol->retries)
			ok = false;
		if (pol->spins < 0 && pol->retries < 0)
			continue;	/* unbounded: nothing to check */
		verdict(ok, "bounds/%s: max waiting reads per call %llu (bound %d), max cmpxchg per call %llu (bound %d)",
			pol->name, (unsigned long long)bnd[p].spins, pol->spins,
			(unsigned long long)bnd[p].tries, pol->retries);
	}

	/* 3b. the adaptive policy (qaware-adaptive) */
	{
		const struct policy *pol = &policy_table[P_QAADAPT];
		struct run_result st, q, o;

		/* exact counts with the backoff engaged from the start, both back ends */
		run(&r, BE_SIM, 0, P_QAADAPT, 8, 1, 4, "adapt_skip0=5");
		check_counts(&r, "adaptive/count-exact skip0=5");
		run(&r, BE_SIM, 0, P_QAADAPT, 48, 1, 5, "cps=24 adapt_skip0=2");
		check_counts(&r, "adaptive/count-exact skip0=2");
		run(&r, BE_NATIVE, 0, P_QAADAPT, 2, 1, 4, "adapt_skip0=5");
		check_counts(&r, "adaptive/count-exact skip0=5");

		/*
		 * Bounded: one lone CPU re-taking the lock, in the regime where
		 * every wait runs its whole budget (t_window=30 ns).  The budget
		 * is reached and never exceeded; same natively.
		 */
		run(&st, BE_SIM, SC_TRADE, P_STOCK, 2, 20, 6, "t_window=30000");
		run(&q, BE_SIM, SC_TRADE, P_QAADAPT, 2, 20, 6, "t_window=30000");
		run(&o, BE_SIM, SC_TRADE, P_QAONCE, 2, 20, 6, "t_window=30000");
		check_counts(&q, "adaptive/trade");
		verdict(q.max_spins == (u64)pol->spins && q.max_tries <= (u64)pol->retries,
			"adaptive/bounded/sim/trade/2 cpus: max waiting reads per call %llu (== budget %d), max cmpxchg %llu (<= %d)",
			(unsigned long long)q.max_spins, pol->spins,
			(unsigned long long)q.max_tries, pol->retries);
		run(&r, BE_NATIVE, SC_TRADE, P_QAADAPT, 2, quick ? 20 : 50, 6, NULL);
		check_counts(&r, "adaptive/trade");
		verdict(r.max_spins <= (u64)pol->spins && r.max_tries <= (u64)pol->retries,
			"adaptive/bounded/native/trade/2 cpus: max waiting reads per call %llu (<= %d), max cmpxchg %llu (<= %d)",
			(unsigned long long)r.max_spins, pol->spins,
			(unsigned long long)r.max_tries, pol->retries);

		/* it backs off where qaware-once burns its budget on every op */
		verdict(q.ops_per_s >= 0.95 * st.ops_per_s && o.ops_per_s < 0.2 * st.ops_per_s &&
			q.waits * 100 < q.ops,
			"adaptive/backs-off/sim/trade/2 cpus, t_window=30ns: %.0f ops/s (waited on %.2f%% of ops) vs stock %.0f, qaware-once %.0f",
			q.ops_per_s, q.ops ? 100.0 * (double)q.waits / (double)q.ops : 0,
			st.ops_per_s, o.ops_per_s);

		/* and keeps qaware-once's gain where waits succeed */
		run(&st, BE_SIM, SC_STORM, P_STOCK, 64, 10, 1, NULL);
		run(&q, BE_SIM, SC_STORM, P_QAADAPT, 64, 10, 1, NULL);
		verdict(q.ops_per_s > 3 * st.ops_per_s && q.wait_fails == 0,
			"adaptive/keeps-gain/sim/storm/64 cpus: %.0f vs stock %.0f ops/s, %llu failed waits",
			q.ops_per_s, st.ops_per_s, (unsigned long long)q.wait_fails);

		/* stale backoff state: no gain, but no worse than stock */
		run(&q, BE_SIM, SC_STORM, P_QAADAPT, 64, 10, 1, "adapt_skip0=4095");
		verdict(q.ops_per_s >= 0.99 * st.ops_per_s,
			"adaptive/stale-state/sim/storm/64 cpus, all CPUs backing off: %.0f vs stock %.0f ops/s",
			q.ops_per_s, st.ops_per_s);

		/* the per-CPU state is reset per run: same seed, same digest */
		run(&q, BE_SIM, SC_TRADE, P_QAADAPT, 4, 5, 8, NULL);
		run(&o, BE_SIM, SC_TRADE, P_QAADAPT, 4, 5, 8, NULL);
		verdict(q.digest == o.digest,
			"adaptive/deterministic/sim/trade/4 cpus: digest %016llx == %016llx",
			(unsigned long long)q.digest, (unsigned long long)o.digest);
	}

	/*
	 * 3c. the posted code (the series' own loop): forward progress where
	 * waiting cannot pay - a lone CPU re-taking the lock back to back,
	 * with waiters that see the release (defaults) and that never do
	 * (t_window=30 ns): every CPU completes lockref ops, the traders
	 * complete lock sections, counts exact.  (Natively only the counts
	 * are checked, by the runs above: on a shared 2-CPU machine even
	 * stock completes no op in some 50 ms runs of this scenario.)
	 */
	{
		static const struct { enum backend be; int ncpu; const char *set; } fp[] = {
			{ BE_SIM, 2, NULL }, { BE_SIM, 2, "t_window=30000" },
			{ BE_SIM, 16, "t_window=30000" },
		};

		for (size_t i = 0; i < sizeof(fp) / sizeof(fp[0]); i++) {
			run(&r, fp[i].be, SC_TRADE, P_POSTED, fp[i].ncpu, 10, 11, fp[i].set);
			check_counts(&r, "posted/trade");
			verdict(result_ok(&r) && r.min_cpu_ops > 0 && r.sections > 0,
				"posted/forward-progress/%s/trade/%d cpus%s%s: least ops on a CPU %llu, lock sections %llu, worst op %llu ns, max waiting reads per call %llu",
				bename(fp[i].be), fp[i].ncpu, fp[i].set ? ", " : "",
				fp[i].set ? fp[i].set : "", (unsigned long long)r.min_cpu_ops,
				(unsigned long long)r.sections, (unsigned long long)r.max_ns,
				(unsigned long long)r.max_spins);
		}
	}

	/*
	 * 3d. the posted code, dead while waiting (the path the KUnit case
	 * lockref_test_dead_while_waiting cannot reach on real timing: there
	 * the holder releases after the wait has given up).  CPU 0 holds the
	 * lock; CPU 1's lockref_get_not_dead() reads the word (count 1, lock
	 * held by a lone holder) and waits; during the wait CPU 0 sets the
	 * count to -128 (lockref_mark_dead()) and 100 ns later releases.  The
	 * getter must run CODE on the fresh word and return false: no
	 * cmpxchg, no spin_lock(), the count stays -128.  Mirror: no
	 * lockref_mark_dead(); the cmpxchg after the wait takes the
	 * reference (count 2), no spin_lock().  Releases at three points of
	 * the wait (10 us from its 16th read): before its first clock read,
	 * in the middle, near its end.  Control: the release after the wait
	 * has given up (the KUnit timing) is seen by no waiting read, and
	 * the getter returns false from the spin_lock() fallback.
	 */
	{
		static const u64 rel[] = { 250, 3000, 9000 };
		const u64 t_call = 1000;
		struct probe pr;

		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			u64 t_rel = t_call + rel[i], fresh;

			probe_run(&pr, &r, t_call, t_rel - 100, t_rel);
			fresh = mkword(0, -128);
			probe_verdict(&pr, &r,
				      probe_in_wait(&pr) && pr.tr.w_free == fresh &&
				      !pr.result && !pr.locked && pr.tries == 0 &&
				      pr.tr.codes > 0 && pr.tr.code_first == fresh &&
				      pr.tr.code_last == fresh && result_ok(&r),
				      "posted/dead-while-waiting");

			probe_run(&pr, &r, t_call, 0, t_rel);
			fresh = mkword(0, 1);
			probe_verdict(&pr, &r,
				      probe_in_wait(&pr) && pr.tr.w_free == fresh &&
				      pr.result && !pr.locked && pr.tries > 0 &&
				      pr.tr.codes > 0 && pr.tr.code_first == fresh &&
				      pr.tr.code_last == fresh && result_ok(&r),
				      "posted/release-while-waiting");
		}
		probe_run(&pr, &r, t_call, t_call + 24900, t_call + 25000);
		probe_verdict(&pr, &r,
			      pr.spins > 0 && !pr.tr.freed && pr.tr.first == mkword(Q_LOCKED_VAL, 1) &&
			      !pr.result && pr.locked && pr.tr.codes == 0 && result_ok(&r),
			      "posted/dead-after-wait (control)");
	}

	/*
	 * 3e. the posted code does not wait when the lock word shows a waiter
	 * (the lone-holder condition of lockref_wait(): what separates it
	 * from a speculative spin).  CPU 0 holds the lock from the start;
	 * CPUs 2.. call spin_lock() at set times and so really wait in the
	 * model's qspinlock (the first one pending, the next ones queued);
	 * CPU 1 calls lockref_get_not_dead() through posted.  The word the
	 * getter's first read returned (struct call_trace) must be the
	 * intended one - locked+pending, locked+pending+tail, locked+tail
	 * with pending clear - and every waiter that had called spin_lock()
	 * must still be inside it (or hold the lock) at that read's time.
	 * Then: no waiting read at all (nothing read in lockref_wait()), no
	 * cmpxchg, no CODE, spin_lock() at once; true, count 2, word free.
	 * Control: the same CPUs with the waiters coming after the release:
	 * a lone holder, the getter waits (spins > 0), sees the release and
	 * takes the reference without the lock.  A waiter arriving during the
	 * wait (CPU 2 takes the pending bit 2 us into it): the wait must stop
	 * at the first waiting read that shows it - no read after that one -
	 * and the getter queue.
	 */
	{
		static const struct wcase {
			const char *name;
			u64 t_call, t_release;		/* getter, CPU 0's release */
			u64 t_wlock[PROBE_WAITERS], w_cs[PROBE_WAITERS];
			int kind;			/* 0 waiter at the call, 1 control,
							 * 2 waiter during the wait */
			u32 first;			/* lock word of the first read */
		} wc[] = {
			{ "posted/pending-at-call", 1000, 4000, { 500 }, { 200 }, 0,
			  Q_LOCKED_VAL | Q_PENDING_VAL },
			{ "posted/queue-at-call", 1000, 4000, { 300, 600 }, { 200, 200 }, 0,
			  Q_LOCKED_VAL | Q_PENDING_VAL | (4u << Q_TAIL_CPU_SHIFT) },
			{ "posted/tail-at-call", 2000, 1000, { 200, 400, 600 }, { 4000, 200, 200 }, 0,
			  Q_LOCKED_VAL | (5u << Q_TAIL_CPU_SHIFT) },
			{ "posted/lone-holder-at-call (control)", 1000, 4000, { 9000, 9300 },
			  { 200, 200 }, 1, Q_LOCKED_VAL },
			{ "posted/waiter-during-wait", 1000, 7000, { 3000 }, { 200 }, 2,
			  Q_LOCKED_VAL },
		};
		struct probe pr;

		for (size_t i = 0; i < sizeof(wc) / sizeof(wc[0]); i++) {
			const struct wcase *w = &wc[i];
			const struct call_trace *tr = &pr.tr;
			char who[128];
			bool ok;

			memset(&pr, 0, sizeof(pr));
			pr.t_call = w->t_call;
			pr.t_release = w->t_release;
			memcpy(pr.t_wlock, w->t_wlock, sizeof(pr.t_wlock));
			memcpy(pr.w_cs, w->w_cs, sizeof(pr.w_cs));
			probe_go(&pr, &r);

			/* the word was what it was meant to be, and so were the CPUs */
			ok = result_ok(&r) && r.final_count == 2 && pr.result &&
			     tr->first == mkword(w->first, 1) &&
			     probe_at(&pr, tr->t_first, who, sizeof(who));
			switch (w->kind) {
			case 0:	/* a waiter in the word: queue at once */
				ok = ok && pr.spins == 0 && tr->reads == 1 && pr.tries == 0 &&
				     tr->codes == 0 && pr.locked && tr->t_lock >= tr->t_first &&
				     tr->t_lock - tr->t_first <= 50;
				break;
			case 1:	/* lone holder: wait, see the release, no lock */
				ok = ok && pr.spins > 0 && tr->waiter_reads == 0 &&
				     probe_in_wait(&pr) && tr->w_free == mkword(0, 1) &&
				     !pr.locked && pr.tries > 0 && pr.t_wlock[0] > pr.t_call_end;
				break;
			case 2:	/* waited on a lone holder until a waiter showed */
				ok = ok && pr.spins > tr->waiter_reads && tr->held > 0 &&
				     tr->t_wait0 < pr.t_wlock[0] && tr->waiter_reads == 1 &&
				     tr->after_waiter == 0 && tr->t_waiter >= pr.t_wlock[0] &&
				     tr->t_waiter < pr.t_rel_start &&
				     lockval(tr->w_waiter) == (Q_LOCKED_VAL | Q_PENDING_VAL) &&
				     !tr->freed && pr.tries == 0 && tr->codes == 0 && pr.locked &&
				     tr->t_lock >= tr->t_waiter && tr->t_lock - tr->t_waiter <= 50;
				break;
			}
			waiter_verdict(&pr, &r, ok, w->name);
		}
	}

	/* 4. the simulator is deterministic for a seed */
	run(&r, BE_SIM, SC_HOLDER, P_QAWARE, 64, 2, 7, NULL);
	run(&r2, BE_SIM, SC_HOLDER, P_QAWARE, 64, 2, 7, NULL);
	verdict(r.digest == r2.digest && r.events == r2.events,
		"deterministic/sim/holder/64 cpus: digest %016llx == %016llx, events %llu == %llu",
		(unsigned long long)r.digest, (unsigned long long)r2.digest,
		(unsigned long long)r.events, (unsigned long long)r2.events);
	run(&r, BE_SIM, SC_LONG, P_FIXED, 128, 1, 9, NULL);
	run(&r2, BE_SIM, SC_LONG, P_FIXED, 128, 1, 9, NULL);
	verdict(r.digest == r2.digest, "deterministic/sim/long/128 cpus: digest %016llx == %016llx",
		(unsigned long long)r.digest, (unsigned long long)r2.digest);
	run(&r2, BE_SIM, SC_LONG, P_FIXED, 128, 1, 10, NULL);
	verdict(r.digest != r2.digest, "seed-matters/sim/long/128 cpus: seed 9 %016llx != seed 10 %016llx",
		(unsigned long long)r.digest, (unsigned long long)r2.digest);

	/* 5. the cost model: one uncontended get = call + read hit + cmpxchg hit */
	run(&r, BE_SIM, SC_UNCONT, P_STOCK, 4, 1, 1, NULL);
	{
		struct params P;
		double want;

		params_default(&P);
		want = 1e12 / (double)(P.t_call + P.t_hit + P.t_rmw);
		verdict(r.ops_per_s > want * 0.99 && r.ops_per_s < want * 1.01,
			"cost-model/uncontended: %.0f ops/s, expected %.0f", r.ops_per_s, want);
	}

	/* 6. the published facts the calibration relies on (README) */
	{
		struct run_result st, pr;

		run(&st, BE_SIM, SC_STORM, P_STOCK, 64, 10, 1, "kick_period=0");
		verdict(st.locked_frac < 0.01,
			"calibration/storm alone stays lockless (stock, 64 cpus, no holder): locked %.2f%%",
			100 * st.locked_frac);
		run(&st, BE_SIM, SC_STORM, P_STOCK, 64, 10, 1, NULL);
		verdict(st.locked_frac > 0.5,
			"calibration/stock collapses after a rare holder (storm, 64 cpus): locked %.1f%%",
			100 * st.locked_frac);
		run(&st, BE_SIM, SC_TRADE, P_STOCK, 16, 5, 1, NULL);
		run(&pr, BE_SIM, SC_TRADE, P_UNBOUNDED, 16, 5, 1, NULL);
		verdict(pr.ops_per_s < 0.05 * st.ops_per_s,
			"calibration/unbounded starves under lock trading (16 cpus): %.0f vs stock %.0f ops/s",
			pr.ops_per_s, st.ops_per_s);
		run(&st, BE_SIM, SC_LONG, P_STOCK, 64, 5, 1, NULL);
		run(&pr, BE_SIM, SC_LONG, P_FIXED, 64, 5, 1, NULL);
		verdict(pr.ops_per_s < 0.8 * st.ops_per_s,
			"calibration/fixed-spin loses under long holds (64 cpus): %.0f vs stock %.0f ops/s",
			pr.ops_per_s, st.ops_per_s);
	}

	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
