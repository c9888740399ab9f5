// SPDX-License-Identifier: GPL-2.0
/* Tables, parameters, one run with its aggregation, CSV. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"

const struct policy policy_table[P_NR] = {
#define X(id, nm, fn, r, s, e, b, d) [P_##id] = { .name = nm, .retries = r, .spins = s, .epochs = e, .backoff = b, .doc = d },
	POLICIES(X)
#undef X
};

int policy_lookup(const char *name)
{
	for (int i = 0; i < P_NR; i++)
		if (!strcmp(policy_table[i].name, name))
			return i;
	return -1;
}

const char *const scenario_name[SC_NR] = {
	[0] = "count",
	[SC_STORM] = "storm",
	[SC_HOLDER] = "holder",
	[SC_TRADE] = "trade",
	[SC_LONG] = "long",
	[SC_UNCONT] = "uncont",
};

const char *const scenario_doc[SC_NR] = {
	[0] = "check only: fixed gets/puts per CPU with a holder",
	[SC_STORM] = "get/put storm on one lockref (open3/stat2), rare outside holder",
	[SC_HOLDER] = "storm + short lock holder at a set rate (dput slow path, d_lock users)",
	[SC_TRADE] = ">=2 CPUs trade the lock back to back + getters (unbounded waiting's pathology)",
	[SC_LONG] = "long holds mixed with get/put on every CPU (lkp getdent/handle shape)",
	[SC_UNCONT] = "uncontended: a single CPU gets/puts its own lockref",
};

static const struct {
	const char *name, *doc;
	s64 def;
	size_t off;
} param_desc[] = {
#define X(nm, d, doc) { #nm, doc, d, offsetof(struct params, nm) },
	PARAMS(X)
#undef X
};

#define NPARAMS (sizeof(param_desc) / sizeof(param_desc[0]))

void params_default(struct params *p)
{
	for (size_t i = 0; i < NPARAMS; i++)
		*(s64 *)((char *)p + param_desc[i].off) = param_desc[i].def;
}

int params_set(struct params *p, const char *a)
{
	const char *eq = strchr(a, '=');
	char *end;
	s64 v;

	if (!eq)
		return -1;
	v = strtoll(eq + 1, &end, 10);
	if (*end || end == eq + 1)
		return -1;
	for (size_t i = 0; i < NPARAMS; i++) {
		if (strlen(param_desc[i].name) == (size_t)(eq - a) &&
		    !strncmp(param_desc[i].name, a, (size_t)(eq - a))) {
			*(s64 *)((char *)p + param_desc[i].off) = v;
			return 0;
		}
	}
	return -1;
}

void params_print(FILE *f, const struct params *p)
{
	for (size_t i = 0; i < NPARAMS; i++) {
		s64 v = *(const s64 *)((const char *)p + param_desc[i].off);

		fprintf(f, "| `%s` | %lld%s | %s |\n", param_desc[i].name, (long long)v,
			v != param_desc[i].def ? " (changed)" : "", param_desc[i].doc);
	}
}

/* the parameters that differ from the defaults, "a=1 b=2" */
void params_diff(char *buf, size_t len, const struct params *p)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < NPARAMS && n < len; i++) {
		s64 v = *(const s64 *)((const char *)p + param_desc[i].off);

		if (v != param_desc[i].def)
			n += (size_t)snprintf(buf + n, len - n, "%s%s=%lld", n ? " " : "",
					      param_desc[i].name, (long long)v);
	}
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static u64 fnv(u64 h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

int run_one(const struct run_cfg *cfg, struct run_result *r)
{
	struct be_out out = { 0 };
	static u32 hist[HIST_N];
	u64 total = 0, acc = 0, tgt;
	double t0;
	int users = 0, ret;

	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	out.stats = aligned_alloc(64, sizeof(struct cpu_stats) * (size_t)cfg->ncpu);
	if (!out.stats)
		return -1;
	memset(out.stats, 0, sizeof(struct cpu_stats) * (size_t)cfg->ncpu);
	t0 = wall_now();
	ret = cfg->be == BE_SIM ? sim_run(cfg, &out) : native_run(cfg, &out);
	r->wall_s = wall_now() - t0;
	if (ret) {
		free(out.stats);
		return ret;
	}

	memset(hist, 0, sizeof(hist));
	r->min_cpu_ops = UINT64_MAX;
	r->digest = 0xcbf29ce484222325ull;
	for (int i = 0; i < cfg->ncpu; i++) {
		const struct cpu_stats *st = &out.stats[i];

		r->ops += st->ops;
		r->locked += st->locked;
		r->sections += st->sections;
		r->waits += st->waits;
		r->wait_fails += st->wait_fails;
		r->wait_reads += st->wait_reads;
		if (st->lat_max > r->max_ns)
			r->max_ns = st->lat_max;
		if (st->max_spins > r->max_spins)
			r->max_spins = st->max_spins;
		if (st->max_tries > r->max_tries)
			r->max_tries = st->max_tries;
		if (st->lockref_user) {
			users++;
			if (st->ops < r->min_cpu_ops)
				r->min_cpu_ops = st->ops;
			if (st->ops > r->max_cpu_ops)
				r->max_cpu_ops = st->ops;
		}
		for (int b = 0; b < HIST_N; b++)
			hist[b] += st->hist[b];
		for (int w = 0; w < TL_N; w++) {
			r->tl_ops[w] += st->tl_ops[w];
			r->tl_locked[w] += st->tl_locked[w];
		}
		r->digest = fnv(r->digest, &st->ops, sizeof(st->ops));
		r->digest = fnv(r->digest, &st->locked, sizeof(st->locked));
		r->digest = fnv(r->digest, &st->sections, sizeof(st->sections));
		r->digest = fnv(r->digest, &st->lat_max, sizeof(st->lat_max));
		r->digest = fnv(r->digest, st->hist, sizeof(st->hist));
	}
	if (!users)
		r->min_cpu_ops = 0;
	for (int b = 0; b < HIST_N; b++)
		total += hist[b];
	tgt = total - total / 100;	/* p99 */
	for (int b = 0; b < HIST_N && total; b++) {
		acc += hist[b];
		if (acc >= tgt) {
			r->p99_ns = hist_value(b);
			if (r->p99_ns > r->max_ns)
				r->p99_ns = r->max_ns;
			break;
		}
	}
	r->secs = out.measured_s;
	r->ops_per_s = (double)r->ops / r->secs;
	r->ops_per_cpu = r->ops_per_s / (users ? users : 1);
	r->locked_frac = r->ops ? (double)r->locked / (double)r->ops : 0;
	r->sections_per_s = (double)r->sections / r->secs;
	r->fairness = r->max_cpu_ops ? (double)r->min_cpu_ops / (double)r->max_cpu_ops : 0;
	r->final_count = out.final_count;
	r->expected_count = out.expected_count;
	r->final_lock = out.final_lock;
	r->finished = out.finished;
	r->cs_violations = out.cs_violations;
	r->events = out.events;
	r->tl_window_s = r->secs / TL_N;
	r->digest = fnv(r->digest, &out.final_count, sizeof(out.final_count));
	r->digest = fnv(r->digest, &out.events, sizeof(out.events));
	free(out.stats);
	return 0;
}

bool result_ok(const struct run_result *r)
{
	return r->finished && !r->cs_violations && r->final_lock == 0 &&
	       r->final_count == r->expected_count;
}

void result_csv_header(FILE *f)
{
	fprintf(f, "backend,scenario,policy,cpus,seed,duration_ms,ops,ops_per_s,ops_per_cpu,"
		"locked_frac,sections_per_s,p99_ns,max_ns,min_cpu_ops,max_cpu_ops,fairness,"
		"max_spins,max_tries,ok,events_or_preempt,wall_s,spread,wait_frac,wait_fail_frac,"
		"reads_per_wait,params\n");
}

void result_csv_row(FILE *f, const struct run_result *r)
{
	char diff[512];

	params_diff(diff, sizeof(diff), &r->cfg.P);
	fprintf(f, "%s,%d,%s,%d,%llu,%.3f,%llu,%.1f,%.1f,%.6f,%.1f,%llu,%llu,%llu,%llu,%.4f,"
		"%llu,%llu,%d,%llu,%.2f,%.3f,%.6f,%.4f,%.1f,%s\n",
		r->cfg.be == BE_SIM ? "sim" : "native", r->cfg.scen, r->cfg.pol.name,
		r->cfg.ncpu, (unsigned long long)r->cfg.seed,
		(double)r->cfg.duration_ns * 1e-6, (unsigned long long)r->ops, r->ops_per_s,
		r->ops_per_cpu, r->locked_frac, r->sections_per_s,
		(unsigned long long)r->p99_ns, (unsigned long long)r->max_ns,
		(unsigned long long)r->min_cpu_ops, (unsigned long long)r->max_cpu_ops,
		r->fairness, (unsigned long long)r->max_spins,
		(unsigned long long)r->max_tries, result_ok(r),
		(unsigned long long)r->events, r->wall_s, r->spread,
		r->ops ? (double)r->waits / (double)r->ops : 0,
		r->waits ? (double)r->wait_fails / (double)r->waits : 0,
		r->waits ? (double)r->wait_reads / (double)r->waits : 0, diff);
}
