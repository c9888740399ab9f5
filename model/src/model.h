/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lrmodel - a model of lib/lockref.c's CMPXCHG_LOOP under contention.
 *
 * Common definitions shared by the two back ends (native threads and the
 * discrete-event simulator), the runner and the report.
 */
#ifndef LRMODEL_MODEL_H
#define LRMODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
typedef int32_t s32;
typedef int64_t s64;

#define MAX_CPUS 256

/*
 * The 8-byte lockref word, as on x86-64 (little endian):
 *   bits  0- 7  qspinlock locked byte
 *   bits  8-15  qspinlock pending byte
 *   bits 16-31  qspinlock tail (bits 16-17 node index, 18-31 cpu + 1)
 *   bits 32-63  count
 * Same constants as include/asm-generic/qspinlock_types.h with
 * _Q_PENDING_BITS == 8 (NR_CPUS < 16K).
 */
#define Q_LOCKED_VAL		(1u << 0)
#define Q_LOCKED_MASK		0x000000ffu
#define Q_PENDING_VAL		(1u << 8)
#define Q_PENDING_MASK		0x0000ff00u
#define Q_LOCKED_PENDING_MASK	0x0000ffffu
#define Q_TAIL_IDX_SHIFT	16
#define Q_TAIL_CPU_SHIFT	18
#define Q_TAIL_MASK		0xffff0000u
#define Q_PENDING_LOOPS		512	/* arch/x86/include/asm/qspinlock.h */

static inline u32 lockval(u64 w) { return (u32)w; }
static inline s32 countval(u64 w) { return (s32)(u32)(w >> 32); }
static inline u64 mkword(u32 lock, s32 count)
{
	return (u64)lock | ((u64)(u32)count << 32);
}

/* arch_spin_value_unlocked() in v6.12: the whole 32-bit lock word is zero */
static inline bool lock_unlocked(u64 w) { return lockval(w) == 0; }

/* ------------------------------------------------------------------ */
/* Policies: one CMPXCHG_LOOP variant each (src/kernel/policies.c).    */

/*
 * X(id, name, function, retries, spins, epochs, backoff, description)
 *   retries: bound on cmpxchg attempts per call (-1: none)
 *   spins:   bound on lock-waiting reads per call (-1: none, 0: never waits)
 *   epochs:  lock hold episodes a call may wait through (0: not used)
 *   backoff: adaptive policies: most waits a CPU skips after failed ones
 *            (per-CPU state; 0: not used)
 * Adding a policy: write the function in policies.c, add a line here.
 */
#define POLICIES(X)							\
	X(STOCK, "stock", lr_stock, 100, 0, 0, 0,				\
	  "6.12: up to 100 cmpxchg while the lock word reads 0, else spin_lock") \
	X(UNBOUNDED, "unbounded", lr_unbounded, -1, -1, 0, 0,		\
	  "Layton RFC 3/4: wait for the lock word to read 0 as long as it takes, retry forever") \
	X(FIXED, "fixed-spin", lr_fixed_spin, 100, 100, 0, 0,		\
	  "d042dae6ad shape: one budget of 100 iterations shared by waiting reads and cmpxchg failures") \
	X(QAWARE, "qaware", lr_qaware, 100, 256, 0, 0,			\
	  "candidate: wait only while locked with no pending/tail, <=256 reads per call, else spin_lock") \
	X(QAPEND, "qaware-pend", lr_qaware_pend, 100, 256, 0, 0,		\
	  "variant: also waits while only the pending bit is set (queue only on tail), 256 reads") \
	X(QAONCE32, "qaware-once-32", lr_qaware_epoch, 100, 32, 1, 0,	\
	  "variant (wait-then-pend): qaware-once with a budget of 32 reads, then spin_lock") \
	X(QAONCE64, "qaware-once-64", lr_qaware_epoch, 100, 64, 1, 0,	\
	  "variant: qaware-once with a budget of 64 reads") \
	X(QAONCE, "qaware-once", lr_qaware_epoch, 100, 256, 1, 0,		\
	  "variant: as qaware but wait through at most one hold episode per call") \
	X(QAONCE1K, "qaware-once-1k", lr_qaware_epoch, 100, 1024, 1, 0,	\
	  "variant: qaware-once with a budget of 1024 reads") \
	X(QAEPOCH, "qaware-epoch", lr_qaware_epoch, 100, 512, 2, 0,	\
	  "variant: budget counted in lock epochs: wait through <=2 hold episodes, <=256 reads each") \
	X(QABACKOFF, "qaware-backoff", lr_qaware_backoff, 100, 256, 0, 0,	\
	  "variant: qaware plus exponential cpu_relax backoff after a failed cmpxchg") \
	X(QAADAPT, "qaware-adaptive", lr_qaware_adaptive, 100, 256, 1, 4095, \
	  "candidate: qaware-once + per-CPU backoff: after n failed waits in a row skip the next 2^n-1 (<=4095) waits") \
	X(POSTED, "posted", lr_posted, 100, -1, 0, 0,			\
	  "the series' own CMPXCHG_LOOP, compiled from LOCKREF_C (lrmodel posted-info)")

enum policy_id {
#define X(id, name, fn, r, s, e, b, doc) P_##id,
	POLICIES(X)
#undef X
	P_NR
};

struct policy {
	const char *name;
	int retries;
	int spins;
	int epochs;
	int backoff;
	const char *doc;
};

extern const struct policy policy_table[P_NR];
int policy_lookup(const char *name);

/* ------------------------------------------------------------------ */
/* Scenarios (src/kernel/scenarios.c).                                  */

enum scenario {
	SC_STORM = 1,	/* get/put storm on one lockref, rare outside holder */
	SC_HOLDER,	/* storm + a short lock holder at a set rate */
	SC_TRADE,	/* several CPUs trading the lock back to back + getters */
	SC_LONG,	/* every CPU mixes long lock holds with get/put */
	SC_UNCONT,	/* one lockref per CPU: no sharing at all */
	SC_NR
};

/*
 * check only, simulator only: the dead-while-waiting probe (struct probe):
 * CPU 0 holds the lock, CPU 1 calls lockref_get_not_dead() into it, CPU 0
 * marks the lockref dead and releases the lock at set times; optional
 * CPUs 2.. wait for the lock (pending, queued) at set times.
 */
#define SC_PROBE	100

extern const char *const scenario_name[SC_NR];
extern const char *const scenario_doc[SC_NR];

/* ------------------------------------------------------------------ */
/* Parameters: every one can be set with --set name=value.             */

#define PARAMS(X)								\
	/* workload (both back ends), nanoseconds */				\
	X(think,	1000,	"mean time between a CPU's lockref ops (uniform +-50%)") \
	X(op_cs,	20,	"extra work in the locked fallback of an op (dput checks)") \
	X(kick_period,	1000000, "scenario 1: an outside holder takes the lock every ... ns") \
	X(kick_cs,	5000,	"scenario 1: ... and holds it this long (an ls walking the directory)") \
	X(hold_period,	10000,	"scenario 2: the holder takes the lock every ... ns") \
	X(hold_cs,	200,	"scenario 2: ... and holds it this long") \
	X(trade_div,	4,	"scenario 3: 1 of every trade_div CPUs is a trader (at least 2; 1 at 2 CPUs)") \
	X(trade_cs,	100,	"scenario 3: traders hold the lock this long") \
	X(trade_gap,	20,	"scenario 3: ... and retake it after this gap") \
	X(long_cs,	1000,	"scenario 4: each CPU holds the lock this long per cycle") \
	X(uncont_think,	0,	"scenario 5: time between ops") \
	/* simulator cost model, picoseconds */				\
	X(t_call,	2000,	"ps, per lockref call (call, CODE, branch)") \
	X(t_hit,	1000,	"ps, L1 hit read or plain store") \
	X(t_rmw,	6000,	"ps, locked RMW on a line held exclusively") \
	X(t_pause,	40000,	"ps, cpu_relax() (PAUSE; ~140 cycles on Skylake-SP+)") \
	X(t_c2c,	60000,	"ps, line moved from another core's cache, same socket") \
	X(t_c2c_x,	150000,	"ps, ... from the other socket") \
	X(t_llc,	35000,	"ps, clean line read from the LLC, same socket") \
	X(t_llc_x,	120000,	"ps, ... from the other socket") \
	X(t_occ,	15000,	"ps, line busy per shared read served (same socket)") \
	X(t_occ_x,	40000,	"ps, ... cross socket") \
	X(t_inv,	2000,	"ps, extra per sharer invalidated (same socket)") \
	X(t_inv_x,	10000,	"ps, ... other socket") \
	X(t_clock,	20000,	"ps, a clock read (local_clock() etc.) in the posted code") \
	X(t_window,	12000,	"ps, a new exclusive owner keeps the line this long before it moves on") \
	X(cps,		64,	"CPUs per socket (socket = cpu / cps)") \
	/* run control */							\
	X(budget,	0,	"override the policy's spin budget (0: keep)") \
	X(backoff,	0,	"override an adaptive policy's backoff limit (0: keep)") \
	X(adapt_skip0,	0,	"adaptive policies: per-CPU skip count at the start (stale backoff)") \
	X(warmup_pct,	10,	"percent of the run not measured")

struct params {
#define X(name, def, doc) s64 name;
	PARAMS(X)
#undef X
};

void params_default(struct params *p);
int params_set(struct params *p, const char *assignment);	/* "name=value" */
void params_print(FILE *f, const struct params *p);

/* ------------------------------------------------------------------ */
/* Statistics.                                                         */

/*
 * One call's view of the lockref word, recorded only while .on is set (the
 * probe's getter): the words the call read and the words its CODE ran on.
 * "Waiting reads" are the reads after a call's first (kshim.h: in the
 * posted code, only lockref_wait() reads the word again).  Times are the
 * CPU's time (ns) when the read returned.
 */
struct call_trace {
	bool on;
	u64 reads;		/* reads of the word, the first included */
	u64 first;		/* the first read's word */
	u64 held, w_held, t_held;	/* waiting reads that saw the lock held, up
					 * to the first that saw it free; the last */
	u64 t_wait0;		/* the first waiting read */
	bool freed;		/* a waiting read saw the lock free ... */
	u64 w_free, t_free;	/* ... the first one: its word and time */
	u64 codes, code_first, code_last;	/* CODE runs, their words */
	u64 t_first;		/* the first read returned */
	u64 waiter_reads;	/* waiting reads that saw a waiter (pending
				 * or tail set in the word) ... */
	u64 w_waiter, t_waiter;	/* ... the first of them ... */
	u64 after_waiter;	/* ... and waiting reads after that one */
	u64 t_lock;		/* the call went to spin_lock() (0: never) */
};

#define HIST_SUB	32
#define HIST_N		(64 + 40 * HIST_SUB)
#define TL_N		50

struct cpu_stats {
	u64 ops;		/* lockref ops completed in the measured window */
	u64 locked;		/* ... of which fell back to spin_lock */
	u64 sections;		/* plain lock sections (holders, traders) */
	u64 lat_max;		/* ns */
	u64 max_spins;		/* most lock-waiting reads in one policy call */
	u64 max_tries;		/* most cmpxchg attempts in one policy call */
	u64 call_spins, call_tries;	/* scratch for the current call */
	bool call_returned;	/* CODE returned from the op (no spin_lock) */
	bool call_locked;	/* the call took spin_lock() */
	struct call_trace tr;	/* the current call, if tr.on */
	u64 waits, wait_fails;	/* ops that waited for the lock; ... and then locked */
	u64 wait_reads;		/* lock-waiting reads of measured ops */
	bool lockref_user;	/* this CPU does lockref ops in the scenario */
	u64 tl_ops[TL_N], tl_locked[TL_N];
	u32 hist[HIST_N];
} __attribute__((aligned(64)));

static inline int hist_bucket(u64 ns)
{
	int e;

	if (ns < 64)
		return (int)ns;
	e = 63 - __builtin_clzll(ns);		/* >= 6 */
	if (e >= 6 + 40)
		return HIST_N - 1;
	return 64 + (e - 6) * HIST_SUB + (int)((ns >> (e - 5)) & (HIST_SUB - 1));
}

static inline u64 hist_value(int b)
{
	int e;
	u64 sub;

	if (b < 64)
		return (u64)b;
	e = (b - 64) / HIST_SUB + 6;
	sub = (u64)((b - 64) % HIST_SUB);
	/* upper edge of the bucket */
	return ((u64)1 << e) + ((sub + 1) << (e - 5)) - 1;
}

/* ------------------------------------------------------------------ */
/* One run.                                                            */

enum backend { BE_NATIVE, BE_SIM };

/*
 * The probe (scenario SC_PROBE, simulator, 2-5 CPUs; check.c): CPU 0 takes
 * the lock at the start, marks the lockref dead at t_dead (0: never) and
 * releases it at t_release; CPU 1 calls lockref_get_not_dead() at t_call.
 * Optional lock waiters (2 + PROBE_WAITERS CPUs at most): CPU 2 + i calls
 * spin_lock() at t_wlock[i] (0: no such CPU; the run has 2 + the number
 * of waiters CPUs, which must be the first ones), holds the lock w_cs[i]
 * and releases it: the model's qspinlock makes the first one pending and
 * queues the others.  Times in simulated ns from the start of the run.
 */
#define PROBE_WAITERS	3
struct probe {
	u64 t_call, t_dead, t_release;		/* in */
	u64 t_wlock[PROBE_WAITERS], w_cs[PROBE_WAITERS];	/* in: waiters */
	u64 t_wgot[PROBE_WAITERS], t_wrel[PROBE_WAITERS];	/* out: a waiter
					 * had the lock, issued its unlock */
	bool result, locked;	/* the get's return value; it took spin_lock */
	u64 spins, tries;	/* its waiting reads, cmpxchg attempts */
	u64 t_locked;		/* CPU 0 had the lock */
	u64 t_rel_start, t_rel_done;	/* CPU 0's unlock store issued, done */
	u64 t_call_end;		/* CPU 1's call returned */
	struct call_trace tr;	/* CPU 1's call */
};

struct run_cfg {
	enum backend be;
	int scen;
	int policy;
	int ncpu;
	u64 seed;
	u64 duration_ns;
	struct params P;
	struct policy pol;	/* policy_table entry with overrides applied */
	bool quiet;
	struct probe *probe;	/* scenario SC_PROBE: times in, results out */
};

struct run_result {
	struct run_cfg cfg;
	double secs;		/* measured (simulated or wall) seconds */
	u64 ops, locked, sections;
	double ops_per_s, ops_per_cpu, locked_frac, sections_per_s;
	u64 p99_ns, max_ns;
	u64 min_cpu_ops, max_cpu_ops;
	double fairness;	/* min/max ops over CPUs doing lockref ops */
	u64 max_spins, max_tries;
	u64 waits, wait_fails, wait_reads;
	s64 final_count, expected_count;
	u32 final_lock;
	bool finished;		/* all CPUs drained at the end */
	u64 cs_violations;
	u64 events;		/* simulator: events; native: involuntary context switches */
	double wall_s;
	double spread;		/* native repeats: (max - min) / median of ops/s */
	u64 digest;		/* hash of all per-CPU stats (determinism test) */
	u64 tl_ops[TL_N], tl_locked[TL_N];
	double tl_window_s;
};

/* back ends: fill stats[0..ncpu-1], count and lock word; 0 on success */
struct be_out {
	struct cpu_stats *stats;
	s64 final_count, expected_count;
	u32 final_lock;
	bool finished;
	u64 events;		/* simulator: events; native: preemptions */
	u64 cs_violations;	/* two CPUs inside one lock section */
	double measured_s;
};

int native_run(const struct run_cfg *cfg, struct be_out *out);
int sim_run(const struct run_cfg *cfg, struct be_out *out);

/* the posted code each back end was compiled with (kernel/posted.c) */
const char *native_posted_sha256(void);
const char *sim_posted_sha256(void);
const char *sim_posted_origin(void);
const char *sim_posted_headers(void);

/* runner (main.c) */
int run_one(const struct run_cfg *cfg, struct run_result *res);
bool result_ok(const struct run_result *r);
void params_diff(char *buf, size_t len, const struct params *p);
void result_csv_header(FILE *f);
void result_csv_row(FILE *f, const struct run_result *r);

#endif
