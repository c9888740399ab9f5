// SPDX-License-Identifier: GPL-2.0
/*
 * lrmodel: command line.
 *
 *   lrmodel list
 *   lrmodel run    [options]          one run, human-readable (+ timeline)
 *   lrmodel sweep  [options] -o F.csv policies x scenarios x CPU counts
 *   lrmodel report --sim F.csv [--native F.csv] [--plot DIR]
 *   lrmodel calib  [--quick]          the calibration runs (markdown)
 *   lrmodel check                     the tests; last line "N passed, M failed"
 *
 * options: -b sim|native  -s SCEN[,SCEN|a-b]  -p POLICY[,..]|all
 *          -n CPUS[,..]   -d MS (run length)  --seed S  --set name=value
 *          --repeat R (native: median of R interleaved runs)  --timeline
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "cli.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: lrmodel list | run | sweep | report | calib | check | posted-info [options]\n"
		"  -b sim|native   back end (default sim)\n"
		"  -s LIST         scenarios, e.g. 1,2 or 1-5 (default 1-5)\n"
		"  -p LIST|all     policies (default all)\n"
		"  -n LIST         CPU counts (default sim 2,4,8,16,32,64,96,128; native 2)\n"
		"  -d MS           measured run length in ms (default sim 20, native 1000)\n"
		"  --seed S        seed (default 1)\n"
		"  --set k=v       set a parameter (lrmodel list shows them)\n"
		"  --repeat R      native: median of R interleaved runs (default 1)\n"
		"  --timeline      run: print ops and locked share over time\n"
		"  -o FILE         sweep: CSV output (default stdout)\n"
		"  --sim F --native F --plot DIR   report inputs and chart directory\n"
		"  --posted-ref H  check: sha256 of the series' extracted code (make check)\n"
		"  --posted-ref-origin S   check: where that hash came from (for the message)\n");
	exit(2);
}

static int parse_list(const char *s, int *out, int max, int lo, int hi)
{
	int n = 0;

	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s)
			return -1;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s)
				return -1;
		}
		for (long v = a; v <= b; v++) {
			if (v < lo || v > hi || n == max)
				return -1;
			out[n++] = (int)v;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

static int parse_policies(const char *s, int *out)
{
	char buf[512], *tok, *save;
	int n = 0;

	if (!strcmp(s, "all")) {
		for (int i = 0; i < P_NR; i++)
			out[n++] = i;
		return n;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int p = policy_lookup(tok);

		if (p < 0 || n == P_NR) {
			fprintf(stderr, "unknown policy '%s' (lrmodel list)\n", tok);
			exit(2);
		}
		out[n++] = p;
	}
	return n;
}

void opts_init(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->be = BE_SIM;
	o->seed = 1;
	o->repeat = 1;
	params_default(&o->P);
	o->nscen = parse_list("1-5", o->scen, SC_NR, 1, SC_NR - 1);
	o->npol = parse_policies("all", o->pol);
}

static void opts_finish(struct opts *o)
{
	if (!o->ncpus)
		o->ncpus = o->be == BE_SIM ?
			parse_list("2,4,8,16,32,64,96,128", o->cpus, MAX_CPUS, 1, MAX_CPUS) :
			parse_list("2", o->cpus, MAX_CPUS, 1, MAX_CPUS);
	if (!o->dur_ms)
		o->dur_ms = o->be == BE_SIM ? 20 : 1000;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED() do { if (!v) usage(); i++; } while (0)
		if (!strcmp(a, "-b")) {
			NEED();
			if (!strcmp(v, "sim"))
				o->be = BE_SIM;
			else if (!strcmp(v, "native"))
				o->be = BE_NATIVE;
			else
				usage();
		} else if (!strcmp(a, "-s")) {
			NEED();
			o->nscen = parse_list(v, o->scen, SC_NR, 0, SC_NR - 1);
			if (o->nscen <= 0)
				usage();
		} else if (!strcmp(a, "-p")) {
			NEED();
			o->npol = parse_policies(v, o->pol);
		} else if (!strcmp(a, "-n")) {
			NEED();
			o->ncpus = parse_list(v, o->cpus, MAX_CPUS, 1, MAX_CPUS);
			if (o->ncpus <= 0)
				usage();
		} else if (!strcmp(a, "-d")) {
			NEED();
			o->dur_ms = strtod(v, NULL);
			if (o->dur_ms <= 0)
				usage();
		} else if (!strcmp(a, "--seed")) {
			NEED();
			o->seed = strtoull(v, NULL, 0);
		} else if (!strcmp(a, "--set")) {
			NEED();
			if (params_set(&o->P, v)) {
				fprintf(stderr, "bad --set '%s' (lrmodel list)\n", v);
				exit(2);
			}
		} else if (!strcmp(a, "--repeat")) {
			NEED();
			o->repeat = atoi(v);
			if (o->repeat < 1)
				usage();
		} else if (!strcmp(a, "--timeline")) {
			o->timeline = true;
		} else if (!strcmp(a, "--quick")) {
			o->quick = true;
		} else if (!strcmp(a, "-o")) {
			NEED();
			o->out = v;
		} else if (!strcmp(a, "--sim")) {
			NEED();
			o->sim_csv = v;
		} else if (!strcmp(a, "--native")) {
			NEED();
			o->native_csv = v;
		} else if (!strcmp(a, "--posted-ref")) {
			NEED();
			o->posted_ref = v;
		} else if (!strcmp(a, "--posted-ref-origin")) {
			NEED();
			o->posted_ref_origin = v;
		} else if (!strcmp(a, "--plot")) {
			NEED();
			o->plot_dir = v;
		} else {
			usage();
		}
#undef NEED
	}
	opts_finish(o);
}

void cfg_from(struct run_cfg *c, const struct opts *o, int scen, int pol, int ncpu)
{
	memset(c, 0, sizeof(*c));
	c->be = o->be;
	c->scen = scen;
	c->policy = pol;
	c->ncpu = ncpu;
	c->seed = o->seed;
	c->duration_ns = (u64)(o->dur_ms * 1e6);
	if (o->be == BE_SIM && scen == SC_UNCONT)
		c->duration_ns /= 10;	/* steady single-CPU loop */
	c->P = o->P;
	c->pol = policy_table[pol];
	if (o->P.budget > 0 && c->pol.spins > 0)
		c->pol.spins = (int)o->P.budget;
	if (o->P.backoff > 0 && c->pol.backoff > 0)
		c->pol.backoff = (int)o->P.backoff;
}

int run_checked(const struct run_cfg *c, struct run_result *r)
{
	if (run_one(c, r)) {
		fprintf(stderr, "run failed\n");
		exit(1);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Run every selected policy for one (scenario, cpus).  Native: R rounds,
 * policies interleaved within a round; the run with the median ops/s
 * is kept.
 */
void run_group(const struct opts *o, int scen, int ncpu, struct run_result *res)
{
	static struct run_result rr[16][P_NR];
	int R = o->be == BE_NATIVE ? o->repeat : 1;

	for (int k = 0; k < R && k < 16; k++) {
		for (int j = 0; j < o->npol; j++) {
			struct run_cfg c;

			cfg_from(&c, o, scen, o->pol[j], ncpu);
			c.seed = o->seed + (u64)k;
			run_checked(&c, &rr[k][j]);
		}
	}
	for (int j = 0; j < o->npol; j++) {
		double v[16];
		int m = 0;

		for (int k = 0; k < R && k < 16; k++)
			v[k] = rr[k][j].ops_per_s;
		qsort(v, (size_t)(R < 16 ? R : 16), sizeof(double), cmp_double);
		for (int k = 0; k < R && k < 16; k++)
			if (rr[k][j].ops_per_s == v[(R < 16 ? R : 16) / 2])
				m = k;
		res[j] = rr[m][j];
		res[j].spread = v[(R < 16 ? R : 16) / 2] > 0 ?
			(v[(R < 16 ? R : 16) - 1] - v[0]) / v[(R < 16 ? R : 16) / 2] : 0;
	}
}

static int cmd_list(void)
{
	struct params P;

	params_default(&P);
	printf("policies:\n");
	for (int i = 0; i < P_NR; i++)
		printf("  %-15s retries %4d spins %5d epochs %d backoff %3d  %s\n",
		       policy_table[i].name, policy_table[i].retries, policy_table[i].spins,
		       policy_table[i].epochs, policy_table[i].backoff, policy_table[i].doc);
	printf("scenarios:\n");
	for (int i = 1; i < SC_NR; i++)
		printf("  %d %-7s %s\n", i, scenario_name[i], scenario_doc[i]);
	printf("parameters (--set name=value):\n");
	params_print(stdout, &P);
	return 0;
}

static void print_result(const struct run_result *r)
{
	printf("%-6s s%d %-7s %-15s cpus %3d: %10.0f ops/s (%9.0f/cpu) locked %5.1f%% "
	       "sect %9.0f/s p99 %7llu ns max %9llu ns fair %.2f spins %llu tries %llu %s"
	       " [%.1fs%s] waited %.2f%% of ops, %.1f%% of waits failed, %.0f reads/wait\n",
	       r->cfg.be == BE_SIM ? "sim" : "native", r->cfg.scen, scenario_name[r->cfg.scen],
	       r->cfg.pol.name, r->cfg.ncpu, r->ops_per_s, r->ops_per_cpu,
	       100 * r->locked_frac, r->sections_per_s, (unsigned long long)r->p99_ns,
	       (unsigned long long)r->max_ns, r->fairness,
	       (unsigned long long)r->max_spins, (unsigned long long)r->max_tries,
	       result_ok(r) ? "ok" : "BAD", r->wall_s,
	       r->events ? "" : "",
	       r->ops ? 100.0 * (double)r->waits / (double)r->ops : 0,
	       r->waits ? 100.0 * (double)r->wait_fails / (double)r->waits : 0,
	       r->waits ? (double)r->wait_reads / (double)r->waits : 0);
	if (!result_ok(r))
		printf("   final count %lld expected %lld lock %#x finished %d cs_violations %llu\n",
		       (long long)r->final_count, (long long)r->expected_count, r->final_lock,
		       r->finished, (unsigned long long)r->cs_violations);
}

void print_timeline(const struct run_result *r)
{
	printf("   timeline (%.2f ms windows): ops/s  locked%%\n", r->tl_window_s * 1e3);
	for (int w = 0; w < TL_N; w++)
		printf("   %6.2f ms %10.0f %5.1f%%\n", (w + 1) * r->tl_window_s * 1e3,
		       (double)r->tl_ops[w] / r->tl_window_s,
		       r->tl_ops[w] ? 100.0 * (double)r->tl_locked[w] / (double)r->tl_ops[w] : 0);
}

static int cmd_run(const struct opts *o)
{
	for (int s = 0; s < o->nscen; s++)
		for (int n = 0; n < o->ncpus; n++)
			for (int j = 0; j < o->npol; j++) {
				struct run_cfg c;
				struct run_result r;

				cfg_from(&c, o, o->scen[s], o->pol[j], o->cpus[n]);
				run_checked(&c, &r);
				print_result(&r);
				if (o->timeline)
					print_timeline(&r);
				fflush(stdout);
			}
	return 0;
}

static int cmd_sweep(const struct opts *o)
{
	FILE *f = o->out ? fopen(o->out, "w") : stdout;
	static struct run_result res[P_NR];

	if (!f) {
		perror(o->out);
		return 1;
	}
	result_csv_header(f);
	for (int s = 0; s < o->nscen; s++)
		for (int n = 0; n < o->ncpus; n++) {
			run_group(o, o->scen[s], o->cpus[n], res);
			for (int j = 0; j < o->npol; j++) {
				result_csv_row(f, &res[j]);
				if (o->out)
					print_result(&res[j]);
			}
			fflush(f);
			fflush(stdout);
		}
	if (o->out)
		fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (argc < 2)
		usage();
	opts_init(&o);
	parse_opts(argc - 2, argv + 2, &o);
	if (!strcmp(argv[1], "list"))
		return cmd_list();
	if (!strcmp(argv[1], "run"))
		return cmd_run(&o);
	if (!strcmp(argv[1], "sweep"))
		return cmd_sweep(&o);
	if (!strcmp(argv[1], "report"))
		return cmd_report(&o);
	if (!strcmp(argv[1], "calib"))
		return cmd_calib(&o);
	if (!strcmp(argv[1], "posted-info")) {
		printf("posted policy compiled from: %s\n  + %s\nsha256 of the extracted text: %s (native back end %s)\n",
		       sim_posted_origin(), *sim_posted_headers() ? sim_posted_headers() : "(no header helper used)",
		       sim_posted_sha256(),
		       strcmp(sim_posted_sha256(), native_posted_sha256()) ? "DIFFERS" : "same");
		return 0;
	}
	if (!strcmp(argv[1], "check"))
		return cmd_check(&o);
	usage();
	return 2;
}
