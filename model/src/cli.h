/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LRMODEL_CLI_H
#define LRMODEL_CLI_H
#include "model.h"

struct opts {
	enum backend be;
	int scen[SC_NR], nscen;
	int pol[P_NR], npol;
	int cpus[MAX_CPUS], ncpus;
	double dur_ms;
	u64 seed;
	int repeat;
	bool timeline, quick;
	struct params P;
	const char *out, *sim_csv, *native_csv, *plot_dir;
	const char *posted_ref, *posted_ref_origin;	/* check: the series' hash */
};

void opts_init(struct opts *o);
void cfg_from(struct run_cfg *c, const struct opts *o, int scen, int pol, int ncpu);
int run_checked(const struct run_cfg *c, struct run_result *r);
void run_group(const struct opts *o, int scen, int ncpu, struct run_result *res);
void print_timeline(const struct run_result *r);

int cmd_report(const struct opts *o);
int cmd_calib(const struct opts *o);
int cmd_check(const struct opts *o);
#endif
