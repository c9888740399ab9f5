// SPDX-License-Identifier: GPL-2.0
/*
 * lrmodel report: markdown on stdout from sweep CSVs, gnuplot charts.
 *
 * The ratio to stock of a row is taken against the stock row of the same
 * CSV, back end, scenario and CPU count: stock runs in the same sweep.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct row {
	int be;			/* BE_SIM / BE_NATIVE */
	int scen, cpus, pol;
	double dur_ms;
	double ops, ops_cpu, locked, sect, fair;
	double p99, max;
	int ok;
	double events, wall, spread;
	char params[256];
};

static struct row *rows;
static int nrows, cap;

static int split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, ',');
		if (!line)
			break;
		*line++ = 0;
	}
	return n;
}

static int load_csv(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[2048], *f[32], *hdr[32];
	char hbuf[2048];
	int nh, idx[32];
	static const char *want[] = { "backend", "scenario", "policy", "cpus", "duration_ms",
		"ops_per_s", "ops_per_cpu", "locked_frac", "sections_per_s", "fairness",
		"p99_ns", "max_ns", "ok", "events_or_preempt", "wall_s", "params", "spread" };
	const int nw = (int)(sizeof(want) / sizeof(want[0]));

	if (!fp) {
		perror(path);
		return -1;
	}
	if (!fgets(hbuf, sizeof(hbuf), fp)) {
		fclose(fp);
		return -1;
	}
	hbuf[strcspn(hbuf, "\n")] = 0;
	nh = split(hbuf, hdr, 32);
	for (int w = 0; w < nw; w++) {
		idx[w] = -1;
		for (int h = 0; h < nh; h++)
			if (!strcmp(hdr[h], want[w]))
				idx[w] = h;
		if (idx[w] < 0 && !strcmp(want[w], "spread"))
			continue;	/* optional */
		if (idx[w] < 0) {
			fprintf(stderr, "%s: no column %s\n", path, want[w]);
			fclose(fp);
			return -1;
		}
	}
	while (fgets(line, sizeof(line), fp)) {
		struct row *r;
		int n;

		line[strcspn(line, "\n")] = 0;
		n = split(line, f, 32);
		if (n < nh)
			continue;
		if (nrows == cap) {
			cap = cap ? cap * 2 : 256;
			rows = realloc(rows, (size_t)cap * sizeof(*rows));
		}
		r = &rows[nrows];
		memset(r, 0, sizeof(*r));
		r->be = !strcmp(f[idx[0]], "sim") ? BE_SIM : BE_NATIVE;
		r->scen = atoi(f[idx[1]]);
		r->pol = policy_lookup(f[idx[2]]);
		r->cpus = atoi(f[idx[3]]);
		r->dur_ms = atof(f[idx[4]]);
		r->ops = atof(f[idx[5]]);
		r->ops_cpu = atof(f[idx[6]]);
		r->locked = atof(f[idx[7]]);
		r->sect = atof(f[idx[8]]);
		r->fair = atof(f[idx[9]]);
		r->p99 = atof(f[idx[10]]);
		r->max = atof(f[idx[11]]);
		r->ok = atoi(f[idx[12]]);
		r->events = atof(f[idx[13]]);
		r->wall = atof(f[idx[14]]);
		snprintf(r->params, sizeof(r->params), "%s", f[idx[15]]);
		r->spread = idx[16] >= 0 ? atof(f[idx[16]]) : 0;
		if (r->pol < 0 || r->scen < 1 || r->scen >= SC_NR)
			continue;
		nrows++;
	}
	fclose(fp);
	return 0;
}

static const struct row *find(int be, int scen, int cpus, int pol)
{
	for (int i = 0; i < nrows; i++)
		if (rows[i].be == be && rows[i].scen == scen && rows[i].cpus == cpus &&
		    rows[i].pol == pol)
			return &rows[i];
	return NULL;
}

/* ratio of a row's ops (or lock sections) to stock's in the same sweep */
static double ratio(const struct row *r, bool sections)
{
	const struct row *s = find(r->be, r->scen, r->cpus, P_STOCK);
	double a = sections ? r->sect : r->ops, b = sections ? s->sect : s->ops;

	if (!s || b <= 0)
		return NAN;
	return a / b;
}

static int cpus_list(int be, int *out)
{
	int n = 0;

	for (int i = 0; i < nrows; i++) {
		bool seen = false;

		if (rows[i].be != be)
			continue;
		for (int j = 0; j < n; j++)
			seen = seen || out[j] == rows[i].cpus;
		if (!seen && n < MAX_CPUS)
			out[n++] = rows[i].cpus;
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (out[j] < out[i]) {
				int t = out[i];

				out[i] = out[j];
				out[j] = t;
			}
	return n;
}

static bool have_pol(int be, int pol)
{
	for (int i = 0; i < nrows; i++)
		if (rows[i].be == be && rows[i].pol == pol)
			return true;
	return false;
}

static const char *pct(double r, char *buf)
{
	if (isnan(r))
		return "n/a";
	sprintf(buf, "%+.1f%%", 100 * (r - 1));
	return buf;
}

static const char *si(double v, char *buf)
{
	if (v >= 1e9)
		sprintf(buf, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		sprintf(buf, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		sprintf(buf, "%.1fk", v / 1e3);
	else
		sprintf(buf, "%.0f", v);
	return buf;
}

static const char *ns(double v, char *buf)
{
	if (v >= 1e6)
		sprintf(buf, "%.2f ms", v / 1e6);
	else if (v >= 1e3)
		sprintf(buf, "%.1f us", v / 1e3);
	else
		sprintf(buf, "%.0f ns", v);
	return buf;
}

/* worst ratio (ops, and lock sections where there are any) in scenarios 3-5 */
static double worst35(int be, int pol, int *wscen, int *wcpus, bool *wsect)
{
	double w = INFINITY;

	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (r->be != be || r->pol != pol || r->scen < SC_TRADE)
			continue;
		for (int k = 0; k < 2; k++) {
			double q = ratio(r, k);

			if (!isnan(q) && q < w) {
				w = q;
				*wscen = r->scen;
				*wcpus = r->cpus;
				*wsect = k;
			}
		}
	}
	return w;
}

/* geometric mean of the ops ratio in scenarios 1-2 over all CPU counts */
static double gain12(int be, int pol)
{
	double s = 0;
	int n = 0;

	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		double q;

		if (r->be != be || r->pol != pol || r->scen > SC_HOLDER)
			continue;
		q = ratio(r, false);
		if (!isnan(q) && q > 0) {
			s += log(q);
			n++;
		}
	}
	return n ? exp(s / n) : NAN;
}

static void ratio_matrix(int be, int scen, bool sections)
{
	int cpus[MAX_CPUS], nc = cpus_list(be, cpus);
	char b[32];

	printf("| policy |");
	for (int c = 0; c < nc; c++)
		printf(" %d |", cpus[c]);
	printf("\n|---|");
	for (int c = 0; c < nc; c++)
		printf("---:|");
	printf("\n");
	for (int p = 0; p < P_NR; p++) {
		if (!have_pol(be, p))
			continue;
		printf("| %s |", policy_table[p].name);
		for (int c = 0; c < nc; c++) {
			const struct row *r = find(be, scen, cpus[c], p);

			printf(" %s |", r ? pct(ratio(r, sections), b) : "");
		}
		printf("\n");
	}
	printf("\n");
}

static void full_table(int be, int scen)
{
	int cpus[MAX_CPUS], nc = cpus_list(be, cpus);
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];

	printf("| CPUs | policy | ops/s | ops/s per CPU | locked | p99 wait | worst wait | fairness (min/max) | lock sections/s | vs stock (ops) | vs stock (sections) |%s\n",
	       be == BE_NATIVE ? " spread of repeats | preemptions |" : "");
	printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|%s\n",
	       be == BE_NATIVE ? "---:|---:|" : "");
	for (int ci = 0; ci < nc; ci++)
		for (int p = 0; p < P_NR; p++) {
			const struct row *r = find(be, scen, cpus[ci], p);

			if (!r)
				continue;
			printf("| %d | %s | %s | %s | %.1f%% | %s | %s | %.2f | %s | %s | %s |%s",
			       r->cpus, policy_table[p].name, si(r->ops, a), si(r->ops_cpu, b),
			       100 * r->locked, ns(r->p99, c), ns(r->max, d), r->fair,
			       si(r->sect, e), pct(ratio(r, false), f),
			       pct(ratio(r, true), g), r->ok ? "" : " **check failed**");
			if (be == BE_NATIVE)
				printf(" %.0f%% | %.0f |\n", 100 * r->spread, r->events);
			else
				printf("\n");
		}
	printf("\n");
}

static void plots(const char *dir)
{
	char path[1024], cmd[1200];
	int cpus[MAX_CPUS], nc = cpus_list(BE_SIM, cpus);
	FILE *gp;

	for (int s = 1; s < SC_NR; s++) {
		for (int k = 0; k < 2; k++) {
			FILE *f;

			snprintf(path, sizeof(path), "%s/%s%d.dat", dir, k ? "r" : "s", s);
			f = fopen(path, "w");
			if (!f) {
				perror(path);
				return;
			}
			fprintf(f, "cpus");
			for (int p = 0; p < P_NR; p++)
				if (have_pol(BE_SIM, p))
					fprintf(f, " %s", policy_table[p].name);
			fprintf(f, "\n");
			for (int c = 0; c < nc; c++) {
				fprintf(f, "%d", cpus[c]);
				for (int p = 0; p < P_NR; p++) {
					const struct row *r;

					if (!have_pol(BE_SIM, p))
						continue;
					r = find(BE_SIM, s, cpus[c], p);
					if (!r)
						fprintf(f, " NaN");
					else if (k)
						fprintf(f, " %.4f", ratio(r, false));
					else
						fprintf(f, " %.4f", r->ops / 1e6);
				}
				fprintf(f, "\n");
			}
			fclose(f);
		}
	}
	snprintf(path, sizeof(path), "%s/charts.gp", dir);
	gp = fopen(path, "w");
	if (!gp) {
		perror(path);
		return;
	}
	for (int k = 0; k < 2; k++) {
		fprintf(gp, "set terminal pngcairo noenhanced size 1800,1050 font 'sans,10'\n");
		{
			static const char *col[] = { "#000000", "#e41a1c", "#ff7f00", "#377eb8",
				"#984ea3", "#4daf4a", "#a65628", "#f781bf", "#999999", "#17becf",
				"#bcbd22", "#8c564b" };

			for (int i = 0; i < 12; i++)
				fprintf(gp, "set linetype %d lc rgb '%s' lw %s pt %d dt %d\n", i + 1,
					col[i], i ? "1.3" : "2.5", i % 7 + 1, i < 6 ? 1 : 2);
		}
		fprintf(gp, "set output '%s/%s.png'\n", dir, k ? "ratio" : "throughput");
		fprintf(gp, "set multiplot layout 2,3 title '%s'\n",
			k ? "lockref CMPXCHG_LOOP model (simulated): ops/s relative to stock"
			  : "lockref CMPXCHG_LOOP model (simulated): lockref ops/s vs CPUs");
		fprintf(gp, "set logscale x 2\nset xlabel 'CPUs'\nset grid\n");
		fprintf(gp, "set ylabel '%s'\n", k ? "ops/s / stock ops/s" : "Mops/s");
		fprintf(gp, "set key outside right top font 'sans,8'\n");
		fprintf(gp, "set yrange [0:*]\n");
		for (int s = 1; s < SC_NR; s++) {
			fprintf(gp, "set title '%d %s'\n", s, scenario_name[s]);
			fprintf(gp, "plot for [i=2:*] '%s/%s%d.dat' using 1:i with linespoints "
				"lt (i-1) pointsize 0.7 title columnheader(i)\n", dir, k ? "r" : "s", s);
		}
		fprintf(gp, "unset multiplot\n");
	}
	fclose(gp);
	if (system("command -v gnuplot >/dev/null 2>&1")) {
		fprintf(stderr, "report: gnuplot not found (apt-get install gnuplot-nox): no PNG\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "gnuplot '%s/charts.gp'", dir);
	if (system(cmd))
		fprintf(stderr, "report: gnuplot failed\n");
}

int cmd_report(const struct opts *o)
{
	int cand[P_NR], nc = 0, pick = -1, sim_cpus[MAX_CPUS], nsim;
	bool pick_ok = false;
	char b1[32];

	if (!o->sim_csv && !o->native_csv) {
		fprintf(stderr, "report: give --sim and/or --native CSV\n");
		return 2;
	}
	if ((o->sim_csv && load_csv(o->sim_csv)) || (o->native_csv && load_csv(o->native_csv)))
		return 1;
	nsim = cpus_list(BE_SIM, sim_cpus);

	/* the model's pick: bounded queue-aware candidates only */
	for (int p = 0; p < P_NR; p++)
		if (!strncmp(policy_table[p].name, "qaware", 6) && have_pol(BE_SIM, p))
			cand[nc++] = p;
	{
		double best = -1, bestw = -1;

		for (int i = 0; i < nc; i++) {
			int ws, wc;
			bool wk;
			double w = worst35(BE_SIM, cand[i], &ws, &wc, &wk);
			double g = gain12(BE_SIM, cand[i]);

			if (w >= 0.95 && g > best) {
				best = g;
				pick = cand[i];
			}
			if (w > bestw)
				bestw = w;
		}
		pick_ok = pick >= 0;
		if (!pick_ok) {
			/*
			 * None meets the floor: among those within a point of
			 * the best worst case, the largest gain, then the
			 * smallest budget.
			 */
			for (int i = 0; i < nc; i++) {
				int ws, wc;
				bool wk;
				double w = worst35(BE_SIM, cand[i], &ws, &wc, &wk);
				double g = gain12(BE_SIM, cand[i]);

				if (w < bestw - 0.01)
					continue;
				if (pick < 0 || g > best + 1e-3 ||
				    (g > best - 1e-3 && policy_table[cand[i]].spins <
				     policy_table[pick].spins)) {
					pick = cand[i];
					best = g;
				}
			}
		}
	}

	printf("# lockref CMPXCHG_LOOP policies: model report\n\n");
	printf("Generated by `lrmodel report`%s%s%s%s. **All numbers are model results**: the "
	       "simulator's cost model (README.md, calibration) and, for the native back end, "
	       "userspace threads on this machine.\n\n",
	       o->sim_csv ? " from `" : "", o->sim_csv ? o->sim_csv : "",
	       o->sim_csv ? "`" : "", o->native_csv ? " and the native CSV" : "");
	for (int be = 0; be < 2; be++) {
		for (int i = 0; i < nrows; i++)
			if (rows[i].be == be) {
				printf("- %s: %.0f ms measured per run%s%s, parameters: %s\n",
				       be == BE_SIM ? "simulated" : "native",
				       rows[i].dur_ms, be == BE_SIM ? " (simulated time; scenario 5: 1/10)" : "",
				       be == BE_NATIVE ? " (median of the repeats)" : "",
				       rows[i].params[0] ? rows[i].params : "defaults");
				break;
			}
	}
	printf("\n## Recommendation\n\n");
	if (pick < 0) {
		printf("No queue-aware candidate in the input.\n\n");
	} else {
		int ws = 0, wc = 0;
		bool wk = false;
		double w = worst35(BE_SIM, pick, &ws, &wc, &wk);

		printf("Model pick: **%s** - %s.\n\n", policy_table[pick].name, policy_table[pick].doc);
		printf("Rule: among the bounded queue-aware candidates (`qaware*`), the one with the "
		       "largest geometric-mean gain over stock in scenarios 1-2 (all simulated CPU "
		       "counts) whose worst ratio to stock in scenarios 3-5 (lockref ops and lock "
		       "sections, every simulated CPU count) is at least 0.95.%s\n\n",
		       pick_ok ? "" : " **No candidate meets the 0.95 floor; shown: among those "
		       "within one point of the best worst case, the largest gain, then the smallest budget.**");
		printf("Its worst case in scenarios 3-5 (simulated): %s %s at %d CPUs, scenario %d %s.\n\n",
		       pct(w, b1), wk ? "lock sections/s" : "lockref ops/s", wc, ws, scenario_name[ws]);

		printf("### Key numbers (%s vs stock, ops/s)\n\n", policy_table[pick].name);
		printf("| scenario |");
		{
			static const int want[] = { 16, 64, 128 };

			for (int k = 0; k < 3; k++)
				printf(" %d CPUs (sim) |", want[k]);
			printf(" 2 CPUs (native) |\n|---|---:|---:|---:|---:|\n");
			for (int s = SC_STORM; s <= SC_HOLDER; s++) {
				const struct row *r;

				printf("| %d %s |", s, scenario_name[s]);
				for (int k = 0; k < 3; k++) {
					r = find(BE_SIM, s, want[k], pick);
					printf(" %s |", r ? pct(ratio(r, false), b1) : "n/a");
				}
				r = find(BE_NATIVE, s, 2, pick);
				printf(" %s |\n", r ? pct(ratio(r, false), b1) : "n/a");
			}
		}
		printf("\nWorst ratio to stock in scenarios 3-5 per CPU count (min of lockref ops/s "
		       "and lock sections/s):\n\n| scenario |");
		for (int c = 0; c < nsim; c++)
			printf(" %d |", sim_cpus[c]);
		printf(" native 2 |\n|---|");
		for (int c = 0; c <= nsim; c++)
			printf("---:|");
		printf("\n");
		for (int s = SC_TRADE; s < SC_NR; s++) {
			printf("| %d %s |", s, scenario_name[s]);
			for (int c = 0; c <= nsim; c++) {
				const struct row *r = c < nsim ? find(BE_SIM, s, sim_cpus[c], pick) :
					find(BE_NATIVE, s, 2, pick);
				double q1, q2;

				if (!r) {
					printf(" n/a |");
					continue;
				}
				q1 = ratio(r, false);
				q2 = ratio(r, true);
				if (!isnan(q2) && (isnan(q1) || q2 < q1))
					q1 = q2;
				printf(" %s |", pct(q1, b1));
			}
			printf("\n");
		}
		printf("\n");
		if (have_pol(BE_NATIVE, pick)) {
			printf("Native noise: spread of the repeats ((max - min) / median of ops/s), "
			       "%s / stock:", policy_table[pick].name);
			for (int s = SC_STORM; s < SC_NR; s++) {
				const struct row *r = find(BE_NATIVE, s, 2, pick);
				const struct row *t = find(BE_NATIVE, s, 2, P_STOCK);

				if (r && t)
					printf("%s scenario %d %.0f%% / %.0f%%", s > SC_STORM ? "," : "",
					       s, 100 * r->spread, 100 * t->spread);
			}
			printf(".  Differences smaller than the spread are not measured.\n\n");
		}
	}

	printf("## All candidates against the criteria (simulated)\n\n");
	printf("| policy | geo-mean gain, scenarios 1-2 | worst ratio, scenarios 3-5 | where |\n");
	printf("|---|---:|---:|---|\n");
	for (int p = 0; p < P_NR; p++) {
		int ws = 0, wc = 0;
		bool wk = false;
		double w;

		if (!have_pol(BE_SIM, p))
			continue;
		w = worst35(BE_SIM, p, &ws, &wc, &wk);
		printf("| %s | %s |", policy_table[p].name, pct(gain12(BE_SIM, p), b1));
		printf(" %s | scenario %d, %d CPUs, %s |\n", pct(w, b1), ws, wc,
		       wk ? "lock sections" : "lockref ops");
	}
	printf("\n");

	for (int be = 0; be < 2; be++) {
		bool any = false;

		for (int i = 0; i < nrows && !any; i++)
			any = rows[i].be == be;
		if (!any)
			continue;
		printf("## %s: lockref ops/s relative to stock\n\n",
		       be == BE_SIM ? "Simulated" : "Native");
		for (int s = 1; s < SC_NR; s++) {
			printf("### Scenario %d %s - %s\n\n", s, scenario_name[s], scenario_doc[s]);
			ratio_matrix(be, s, false);
			if (s == SC_TRADE || s == SC_LONG) {
				printf("Lock sections/s relative to stock:\n\n");
				ratio_matrix(be, s, true);
			}
		}
	}

	for (int be = 0; be < 2; be++) {
		bool any = false;

		for (int i = 0; i < nrows && !any; i++)
			any = rows[i].be == be;
		if (!any)
			continue;
		printf("## %s: full results\n\n", be == BE_SIM ? "Simulated" : "Native");
		printf("ops/s counts lockref ops (get + put); per CPU: over the CPUs that do them. "
		       "locked: share of ops that fell back to spin_lock. Waits are the latency of "
		       "one lockref op. Fairness: min/max ops over those CPUs.%s\n\n",
		       be == BE_NATIVE ? " Native: median of the repeats; the worst wait includes "
		       "preemption by other load on this machine." : "");
		for (int s = 1; s < SC_NR; s++) {
			printf("### Scenario %d %s\n\n", s, scenario_name[s]);
			full_table(be, s);
		}
	}
	if (o->plot_dir && nsim) {
		plots(o->plot_dir);
		printf("## Charts\n\n![throughput](throughput.png)\n\n![ratio to stock](ratio.png)\n");
	}
	return 0;
}
