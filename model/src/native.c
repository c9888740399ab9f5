// SPDX-License-Identifier: GPL-2.0
/*
 * Native back end: one pinned thread per CPU running the kernel-side code
 * (src/kernel/) on a real lockref word.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "kernel/api.h"
#include "be_native.h"

static const struct params *run_P;
static const struct policy *run_pol;
static u64 run_mstart, run_mend;
static double run_tl_scale;	/* timeline windows per ns */

#include "kernel/qspinlock.c"
#include "kernel/policies.c"
static policy_fn run_policy_fn;
#include "kernel/lockref.c"
#include "kernel/scenarios.c"

/* which posted code this back end was compiled with (posted.c) */
const char *native_posted_sha256(void) { return posted_src_sha256; }

struct nthread {
	pthread_t th;
	struct ncpu ctx;
} __attribute__((aligned(64)));

static struct {
	const struct run_cfg *cfg;
	struct lockref *lrs;		/* [0] shared, [1 + cpu] own */
	_Atomic int ready, go, done;
	_Atomic u64 nivcsw;		/* involuntary context switches */
} nr;

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void calibrate_ticks(void)
{
	static double cached;
	double t0, t1;
	u64 k0, k1;

	if (cached) {
		ns_per_tick = cached;
		return;
	}
	t0 = mono_s();
	k0 = ticks();
	do
		t1 = mono_s();
	while (t1 - t0 < 0.02);
	k1 = ticks();
	cached = (t1 - t0) * 1e9 / (double)(k1 - k0);
	ns_per_tick = cached;
}

static void *thread_main(void *arg)
{
	struct nthread *t = arg;
	const struct run_cfg *cfg = nr.cfg;
	int id = t->ctx.id;

	struct rusage ru0, ru1;

	self = &t->ctx;
	atomic_fetch_add(&nr.ready, 1);
	while (!atomic_load_explicit(&nr.go, ACQ))
		cpu_relax();
	getrusage(RUSAGE_THREAD, &ru0);
	worker(cfg->scen, id, cfg->ncpu, &nr.lrs[0], &nr.lrs[1 + id]);
	getrusage(RUSAGE_THREAD, &ru1);
	atomic_fetch_add(&nr.nivcsw, (u64)(ru1.ru_nivcsw - ru0.ru_nivcsw));
	atomic_fetch_add(&nr.done, 1);
	return NULL;
}

int native_run(const struct run_cfg *cfg, struct be_out *out)
{
	int n = cfg->ncpu, online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	struct nthread *th;
	double deadline;

	if (n < 1 || n > MAX_CPUS)
		return -EINVAL;
	calibrate_ticks();
	th = aligned_alloc(64, sizeof(*th) * (size_t)n);
	nr.lrs = aligned_alloc(64, sizeof(struct lockref) * (size_t)(n + 1));
	qnodes = aligned_alloc(64, sizeof(struct qnode) * (size_t)n);
	if (!th || !nr.lrs || !qnodes)
		return -ENOMEM;
	memset(th, 0, sizeof(*th) * (size_t)n);
	memset(nr.lrs, 0, sizeof(struct lockref) * (size_t)(n + 1));
	memset(qnodes, 0, sizeof(struct qnode) * (size_t)n);
	for (int i = 0; i <= n; i++)
		atomic_store(&nr.lrs[i].lock_count, mkword(0, 1));

	nr.cfg = cfg;
	run_begin(cfg);
	end_ns = run_mend;
	atomic_store(&nr.ready, 0);
	atomic_store(&nr.go, 0);
	atomic_store(&nr.done, 0);
	atomic_store(&nr.nivcsw, 0);

	for (int i = 0; i < n; i++) {
		pthread_attr_t attr;
		cpu_set_t set;

		th[i].ctx.id = i;
		th[i].ctx.st = &out->stats[i];
		th[i].ctx.rng = cfg->seed * 0x100000001b3ull + (u64)i;
		pthread_attr_init(&attr);
		CPU_ZERO(&set);
		CPU_SET(i % online, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (pthread_create(&th[i].th, &attr, thread_main, &th[i])) {
			fprintf(stderr, "native: pthread_create failed\n");
			exit(2);
		}
		pthread_attr_destroy(&attr);
	}
	while (atomic_load(&nr.ready) < n)
		sched_yield();
	epoch_tick = ticks();
	atomic_store_explicit(&nr.go, 1, REL);

	/* watchdog: a policy that never lets go would hang the run */
	deadline = mono_s() + (double)run_mend * 1e-9 + 20.0;
	while (atomic_load(&nr.done) < n) {
		struct timespec ts = { 0, 5000000 };

		if (mono_s() > deadline) {
			fprintf(stderr, "native: %s/%s did not drain in 20 s; aborting\n",
				scenario_name[cfg->scen], cfg->pol.name);
			exit(3);
		}
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i].th, NULL);

	out->finished = true;
	out->final_lock = lockval(atomic_load(&nr.lrs[0].lock_count));
	out->final_count = countval(atomic_load(&nr.lrs[0].lock_count));
	out->expected_count = expected_count(cfg->scen, n);
	for (int i = 1; i <= n; i++) {
		u64 w = atomic_load(&nr.lrs[i].lock_count);

		out->final_lock |= lockval(w);
		if (countval(w) != 1)	/* own lockrefs start and end at 1 */
			out->final_count = -1000000 - i;
	}
	out->events = atomic_load(&nr.nivcsw);	/* native: preemptions */
	out->cs_violations = atomic_exchange(&cs_violations, 0);
	out->measured_s = (double)cfg->duration_ns * 1e-9;
	free(th);
	free(nr.lrs);
	free(qnodes);
	return 0;
}
