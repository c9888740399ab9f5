// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated back end: a deterministic discrete-event model of N CPUs
 * running the kernel-side code (src/kernel/) as coroutines against a
 * cache-coherence model of the lines involved.
 *
 * Time is in picoseconds.  Every memory access of the kernel-side code is
 * an event.  Lines (the lockref word's line, each CPU's MCS node line) are
 * MESI-like: one exclusive owner (M/E) or a set of sharers (S).
 *
 *  - A hit (read of a line we hold, write of a line we own) costs t_hit
 *    or t_rmw and happens at once.
 *  - A miss queues a request at the line.  The line serves requests one
 *    at a time, FIFO.  A write (any RMW or store) gets the data from the
 *    owner (t_c2c, t_c2c_x across sockets) or from the LLC (t_llc,
 *    t_llc_x) and invalidates every sharer, t_inv/t_inv_x extra each: the
 *    cost grows with the number of sharers.  The new owner keeps the line
 *    for t_window before the next queued request is served, so a failed
 *    cmpxchg's retry usually hits.  A read of a line owned elsewhere costs
 *    a core-to-core transfer and leaves both sharing; a read of a shared
 *    line keeps the line busy for t_occ (t_occ_x) only: reads of a
 *    shared line are served back to back, not in parallel.
 *  - The access takes effect when the line starts serving it; the CPU
 *    resumes when the transfer is done.
 *  - Spinning (lr_spin, ql_spin, qn_spin) on a line held in our cache
 *    parks the CPU until the line is invalidated or the read budget is
 *    used up; the reads in between would all hit and return the same
 *    value, so they are counted, not simulated one by one.
 *
 * Determinism: events are ordered by (time, sequence number); all
 * randomness comes from per-CPU generators seeded from the run's seed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "kernel/api.h"

/* ------------------------------------------------------------------ */
/* coroutines                                                          */

#if defined(__x86_64__)
__asm__(".text\n"
	".p2align 4\n"
	".globl lrm_coro_switch\n"
	".hidden lrm_coro_switch\n"
	".type lrm_coro_switch, @function\n"
	"lrm_coro_switch:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size lrm_coro_switch, .-lrm_coro_switch\n"
	".p2align 4\n"
	".type lrm_coro_start, @function\n"
	"lrm_coro_start:\n"
	"	movq %r13, %rdi\n"
	"	callq *%r12\n"
	"	ud2\n"
	".size lrm_coro_start, .-lrm_coro_start\n");

void lrm_coro_switch(void **save, void *to);
void lrm_coro_start(void);

struct coro {
	void *sp;
};

static void coro_make(struct coro *co, char *stack, size_t size,
		      void (*fn)(void *), void *arg)
{
	u64 *top = (u64 *)(((uintptr_t)(stack + size)) & ~(uintptr_t)15);
	u64 *sp = top - 7;

	sp[0] = 0;			/* r15 */
	sp[1] = 0;			/* r14 */
	sp[2] = (u64)(uintptr_t)arg;	/* r13 */
	sp[3] = (u64)(uintptr_t)fn;	/* r12 */
	sp[4] = 0;			/* rbx */
	sp[5] = 0;			/* rbp */
	sp[6] = (u64)(uintptr_t)lrm_coro_start;
	co->sp = sp;
}

static inline void coro_switch(struct coro *from, struct coro *to)
{
	lrm_coro_switch(&from->sp, to->sp);
}
#else
#include <ucontext.h>
struct coro {
	ucontext_t uc;
};

static void coro_make(struct coro *co, char *stack, size_t size,
		      void (*fn)(void *), void *arg)
{
	getcontext(&co->uc);
	co->uc.uc_stack.ss_sp = stack;
	co->uc.uc_stack.ss_size = size;
	co->uc.uc_link = NULL;
	makecontext(&co->uc, (void (*)(void))fn, 1, arg);
}

static inline void coro_switch(struct coro *from, struct coro *to)
{
	swapcontext(&from->uc, &to->uc);
}
#endif

#define STACK_SIZE	(64 * 1024)

/* ------------------------------------------------------------------ */
/* engine state                                                        */

enum { A_READ, A_CAS64, A_CAS32, A_FETCH_OR32, A_XCHG_TAIL, A_STORE, A_ADD_COUNT };
enum { WAKE_DEADLINE, WAKE_INVAL };

struct scpu {
	struct coro co;
	int id, socket;
	u64 now;		/* ps: simulated time this CPU has reached */
	u64 pend;		/* ps of local work not yet slept off */
	u64 gen;		/* only the event carrying the latest gen is live */
	bool done;
	/* outstanding miss */
	int rq_kind, rq_next;
	u64 rq_a, rq_b, rq_res;
	bool rq_ok;
	/* parked spinner */
	int park_line, wprev, wnext, wake;
	u64 park_t0;
	struct cpu_stats *st;
	u64 rng;
	char *stack;
};

struct sline {
	u64 value;
	int owner;		/* M/E holder, -1 none */
	int nsh;
	u64 sh[MAX_CPUS / 64];	/* sharers */
	int last_socket;	/* socket of the last writer */
	int qhead, qtail;	/* FIFO of CPUs with a miss outstanding */
	bool xfer_sched;
	u64 busy_until;
	int whead;		/* parked spinners */
};

struct ev {
	u64 t, seq;
	int kind, id;
	u64 gen;
};

enum { EV_CPU, EV_LINE };

static struct {
	const struct run_cfg *cfg;
	const struct params *P;
	int ncpu, nline;
	struct scpu *cpu;
	struct sline *line;
	struct coro sched;
	struct scpu *cur;
	u64 now;		/* ps, global */
	u64 seq, events;
	struct ev *heap;
	size_t heap_n, heap_cap;
	u64 end_ps;
} S;

struct lockref { int line; int cs_owner; };
struct qnode { int line; };

static struct lockref *sim_lrs;		/* [0] shared, [1 + cpu] own */
static struct qnode *sim_qnodes;

/* ------------------------------------------------------------------ */
/* event heap                                                          */

static bool ev_before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void ev_push(u64 t, int kind, int id, u64 gen)
{
	size_t i;

	if (S.heap_n == S.heap_cap) {
		S.heap_cap = S.heap_cap ? S.heap_cap * 2 : 1024;
		S.heap = realloc(S.heap, S.heap_cap * sizeof(*S.heap));
		if (!S.heap) {
			fprintf(stderr, "sim: out of memory\n");
			exit(2);
		}
	}
	i = S.heap_n++;
	S.heap[i] = (struct ev){ t, S.seq++, kind, id, gen };
	while (i) {
		size_t p = (i - 1) / 2;
		struct ev tmp;

		if (!ev_before(&S.heap[i], &S.heap[p]))
			break;
		tmp = S.heap[i];
		S.heap[i] = S.heap[p];
		S.heap[p] = tmp;
		i = p;
	}
}

static struct ev ev_pop(void)
{
	struct ev top = S.heap[0];
	size_t i = 0;

	S.heap[0] = S.heap[--S.heap_n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct ev tmp;

		if (l < S.heap_n && ev_before(&S.heap[l], &S.heap[m]))
			m = l;
		if (r < S.heap_n && ev_before(&S.heap[r], &S.heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = S.heap[i];
		S.heap[i] = S.heap[m];
		S.heap[m] = tmp;
		i = m;
	}
	return top;
}

/* ------------------------------------------------------------------ */
/* CPU side                                                            */

static void wake_at(struct scpu *c, u64 t)
{
	ev_push(t, EV_CPU, c->id, ++c->gen);
}

/* give the CPU back to the scheduler until an event resumes it */
static void suspend(struct scpu *c)
{
	coro_switch(&c->co, &S.sched);
}

/* sleep off the local work before the next visible action */
static void flush(struct scpu *c)
{
	if (c->pend) {
		u64 t = c->now + c->pend;

		c->pend = 0;
		wake_at(c, t);
		suspend(c);
	}
}

static inline bool is_sharer(const struct sline *L, int id)
{
	return (L->sh[id >> 6] >> (id & 63)) & 1;
}

/* for each sharer i of L */
#define for_each_sharer(L, i)						\
	for (int _w = 0; _w < MAX_CPUS / 64; _w++)			\
		for (u64 _b = (L)->sh[_w]; _b; _b &= _b - 1)		\
			for (int i = _w * 64 + __builtin_ctzll(_b), _o = 1; _o; _o = 0)

static inline void add_sharer(struct sline *L, int id)
{
	if (!is_sharer(L, id)) {
		L->sh[id >> 6] |= 1ull << (id & 63);
		L->nsh++;
	}
}

static u64 apply(struct sline *L, int kind, u64 a, u64 b, bool *ok)
{
	u64 v = L->value, r = v;

	*ok = true;
	switch (kind) {
	case A_READ:
		break;
	case A_CAS64:
		if (v == a)
			L->value = b;
		else
			*ok = false;
		break;
	case A_CAS32:
		r = (u32)v;
		if ((u32)v == (u32)a)
			L->value = (v & ~0xffffffffull) | (u32)b;
		else
			*ok = false;
		break;
	case A_FETCH_OR32:
		r = (u32)v;
		L->value = v | (u32)a;
		break;
	case A_XCHG_TAIL:
		r = (u32)v & Q_TAIL_MASK;
		L->value = (v & ~(u64)Q_TAIL_MASK) | ((u32)a & Q_TAIL_MASK);
		break;
	case A_STORE:		/* a: mask, b: value */
		L->value = (v & ~a) | (b & a);
		break;
	case A_ADD_COUNT:	/* a: delta, b: not if the count is negative */
		if (!(b && countval(v) < 0))
			L->value = mkword(lockval(v), countval(v) + (s32)a);
		break;
	}
	return r;
}

static u64 hit_cost(int kind)
{
	switch (kind) {
	case A_READ:
	case A_STORE:
		return (u64)S.P->t_hit;
	case A_ADD_COUNT:
		return 2 * (u64)S.P->t_hit;
	default:
		return (u64)S.P->t_rmw;
	}
}

static u64 sim_access(int li, int kind, u64 a, u64 b, bool *okp)
{
	struct scpu *c = S.cur;
	struct sline *L = &S.line[li];
	bool ok;

	flush(c);
	if (L->owner == c->id || (kind == A_READ && is_sharer(L, c->id))) {
		u64 r = apply(L, kind, a, b, &ok);

		c->pend += hit_cost(kind);
		if (okp)
			*okp = ok;
		return r;
	}
	c->rq_kind = kind;
	c->rq_a = a;
	c->rq_b = b;
	c->rq_next = -1;
	if (L->qtail >= 0)
		S.cpu[L->qtail].rq_next = c->id;
	else
		L->qhead = c->id;
	L->qtail = c->id;
	if (!L->xfer_sched) {
		L->xfer_sched = true;
		ev_push(S.now > L->busy_until ? S.now : L->busy_until, EV_LINE, li, 0);
	}
	c->gen++;
	suspend(c);
	if (okp)
		*okp = c->rq_ok;
	return c->rq_res;
}

/* ------------------------------------------------------------------ */
/* line side                                                           */

static void unpark(struct sline *L, struct scpu *w)
{
	if (w->wprev >= 0)
		S.cpu[w->wprev].wnext = w->wnext;
	else
		L->whead = w->wnext;
	if (w->wnext >= 0)
		S.cpu[w->wnext].wprev = w->wprev;
	w->park_line = -1;
}

static void invalidate_sharers(struct sline *L, u64 t)
{
	memset(L->sh, 0, sizeof(L->sh));
	L->nsh = 0;
	while (L->whead >= 0) {
		struct scpu *w = &S.cpu[L->whead];

		unpark(L, w);
		w->wake = WAKE_INVAL;
		wake_at(w, t);
	}
}

static void line_xfer(int li, u64 t)
{
	const struct params *P = S.P;
	struct sline *L = &S.line[li];
	struct scpu *c = &S.cpu[L->qhead];
	int s = c->socket;
	u64 lat, occ;

	L->xfer_sched = false;
	L->qhead = c->rq_next;
	if (L->qhead < 0)
		L->qtail = -1;

	if (c->rq_kind == A_READ) {
		if (L->owner >= 0) {
			/* forwarded by the owner, both share it afterwards */
			int os = S.cpu[L->owner].socket;

			lat = (u64)(os == s ? P->t_c2c : P->t_c2c_x);
			occ = lat;
			add_sharer(L, L->owner);
			add_sharer(L, c->id);
			L->owner = -1;
		} else if (L->nsh > 0) {
			/* clean and shared: served from an LLC */
			bool local = false;

			for_each_sharer(L, i)
				local = local || S.cpu[i].socket == s;
			local = local || L->last_socket == s;
			lat = (u64)(local ? P->t_llc : P->t_llc_x);
			occ = (u64)(local ? P->t_occ : P->t_occ_x);
			add_sharer(L, c->id);
		} else {
			/* nobody caches it: exclusive (E) */
			bool local = L->last_socket == s;

			lat = (u64)(local ? P->t_llc : P->t_llc_x);
			occ = (u64)(local ? P->t_occ : P->t_occ_x);
			L->owner = c->id;
		}
	} else {
		if (L->owner >= 0) {
			int os = S.cpu[L->owner].socket;

			lat = (u64)(os == s ? P->t_c2c : P->t_c2c_x);
		} else if (L->nsh > 0) {
			int nl = 0, nx = 0;

			for_each_sharer(L, i) {
				if (i == c->id)
					continue;
				if (S.cpu[i].socket == s)
					nl++;
				else
					nx++;
			}
			lat = (u64)((nx || (!is_sharer(L, c->id) && L->last_socket != s)) ?
				    P->t_llc_x : P->t_llc);
			lat += (u64)(nl * P->t_inv + nx * P->t_inv_x);
		} else {
			lat = (u64)(L->last_socket == s ? P->t_llc : P->t_llc_x);
		}
		lat += hit_cost(c->rq_kind);
		invalidate_sharers(L, t);
		L->owner = c->id;
		L->last_socket = s;
		occ = lat + (u64)P->t_window;
	}
	c->rq_res = apply(L, c->rq_kind, c->rq_a, c->rq_b, &c->rq_ok);
	wake_at(c, t + lat);
	L->busy_until = t + occ;
	if (L->qhead >= 0) {
		L->xfer_sched = true;
		ev_push(t + occ, EV_LINE, li, 0);
	}
}

/* ------------------------------------------------------------------ */
/* spinning                                                            */

/*
 * do { cpu_relax(); w = READ_ONCE(line); } while (keep(w) && --budget);
 * Reads that would hit in our cache and return the same value are counted
 * while the CPU is parked; it wakes when the line is invalidated or when
 * the budget runs out.
 */
static u64 sim_spin(int li, wait_fn keep, int *budget, bool counted)
{
	const struct params *P = S.P;
	struct scpu *c = S.cur;
	struct sline *L = &S.line[li];
	u64 titer = (u64)(P->t_pause + P->t_hit), w;
	bool pause = true;

	for (;;) {
		u64 left, k;

		if (pause)
			c->pend += (u64)P->t_pause;
		pause = true;
		w = sim_access(li, A_READ, 0, 0, NULL);
		if (counted)
			c->st->call_spins++;
		if (budget && --*budget <= 0)
			return w;
		if (!keep(w))
			return w;
		flush(c);
		if (!is_sharer(L, c->id) && L->owner != c->id)
			continue;	/* already invalidated: read again */

		/* park: every further read would hit and return w */
		left = budget ? (u64)*budget : 0;
		c->park_line = li;
		c->park_t0 = c->now;
		c->wake = WAKE_DEADLINE;
		c->wprev = -1;
		c->wnext = L->whead;
		if (L->whead >= 0)
			S.cpu[L->whead].wprev = c->id;
		L->whead = c->id;
		if (budget)
			wake_at(c, c->now + left * titer);
		else
			c->gen++;
		suspend(c);

		if (c->wake == WAKE_DEADLINE) {
			unpark(L, c);
			if (counted)
				c->st->call_spins += left;
			*budget = 0;
			return w;
		}
		/* invalidated: k iterations hit; the current one reads again */
		k = (c->now - c->park_t0) / titer;
		if (budget && k >= left) {
			if (counted)
				c->st->call_spins += left;
			*budget = 0;
			return w;
		}
		if (counted)
			c->st->call_spins += k;
		if (budget)
			*budget -= (int)k;
		{
			u64 read_at = c->park_t0 + k * titer + (u64)P->t_pause;

			c->pend = read_at > c->now ? read_at - c->now : 0;
		}
		pause = false;
	}
}

/* ------------------------------------------------------------------ */
/* primitives for the kernel side (kernel/api.h)                        */

static u64 run_end_ns;

static inline int this_cpu(void) { return S.cur->id; }
static inline struct cpu_stats *my_stats(void) { return S.cur->st; }
static inline u64 now_ns(void) { return (S.cur->now + S.cur->pend) / 1000; }
static inline bool should_stop(void) { return now_ns() >= run_end_ns; }
static inline void charge_ps(u64 ps) { S.cur->pend += ps; }
static inline void delay_ns(u64 ns) { S.cur->pend += ns * 1000; }
static inline void cpu_relax(void) { S.cur->pend += (u64)S.P->t_pause; }

static inline u64 rnd(void)
{
	u64 z = (S.cur->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* mutual exclusion check (not part of the cost model) */
static u64 cs_violations;

static inline void cs_enter(struct lockref *lr)
{
	if (lr->cs_owner)
		cs_violations++;
	lr->cs_owner = S.cur->id + 1;
}

static inline void cs_exit(struct lockref *lr)
{
	if (lr->cs_owner != S.cur->id + 1)
		cs_violations++;
	lr->cs_owner = 0;
}

static inline u64 lr_read(struct lockref *lr)
{
	return sim_access(lr->line, A_READ, 0, 0, NULL);
}

static inline bool lr_try_cmpxchg(struct lockref *lr, u64 *old, u64 new)
{
	bool ok;
	u64 r = sim_access(lr->line, A_CAS64, *old, new, &ok);

	S.cur->st->call_tries++;
	if (!ok)
		*old = r;
	return ok;
}

static inline u64 lr_spin(struct lockref *lr, wait_fn keep, int *budget)
{
	return sim_spin(lr->line, keep, budget, true);
}

static inline s32 lr_count_add(struct lockref *lr, int d, bool unless_dead)
{
	return countval(sim_access(lr->line, A_ADD_COUNT, (u64)(s64)d, unless_dead, NULL));
}

static inline void lr_count_set_racy(struct lockref *lr, s32 c)
{
	sim_access(lr->line, A_STORE, 0xffffffff00000000ull, mkword(0, c), NULL);
}

static inline u32 ql_read(struct lockref *lr)
{
	return lockval(sim_access(lr->line, A_READ, 0, 0, NULL));
}

static inline bool ql_try_cmpxchg(struct lockref *lr, u32 *old, u32 new)
{
	bool ok;
	u32 r = (u32)sim_access(lr->line, A_CAS32, *old, new, &ok);

	if (!ok)
		*old = r;
	return ok;
}

static inline u32 ql_fetch_set_pending(struct lockref *lr)
{
	return (u32)sim_access(lr->line, A_FETCH_OR32, Q_PENDING_VAL, 0, NULL);
}

static inline u32 ql_xchg_tail(struct lockref *lr, u32 tail)
{
	return (u32)sim_access(lr->line, A_XCHG_TAIL, tail, 0, NULL);
}

static inline void ql_write_locked(struct lockref *lr, u8 v)
{
	sim_access(lr->line, A_STORE, Q_LOCKED_MASK, v, NULL);
}

static inline void ql_clear_pending(struct lockref *lr)
{
	sim_access(lr->line, A_STORE, Q_PENDING_MASK, 0, NULL);
}

static inline void ql_clear_pending_set_locked(struct lockref *lr)
{
	sim_access(lr->line, A_STORE, Q_LOCKED_PENDING_MASK, Q_LOCKED_VAL, NULL);
}

static inline u64 ql_spin(struct lockref *lr, wait_fn keep, int *budget)
{
	return sim_spin(lr->line, keep, budget, false);
}

static inline struct qnode *qn_get(int cpu) { return &sim_qnodes[cpu]; }

static inline void qn_init(struct qnode *n)
{
	sim_access(n->line, A_STORE, ~0ull, 0, NULL);
}

static inline void qn_set_next(struct qnode *n, int cpu)
{
	sim_access(n->line, A_STORE, 0xffffffff00000000ull, (u64)(cpu + 1) << 32, NULL);
}

static inline void qn_set_locked(struct qnode *n)
{
	sim_access(n->line, A_STORE, 0xffffffffull, 1, NULL);
}

static inline u64 qn_read(struct qnode *n)
{
	return sim_access(n->line, A_READ, 0, 0, NULL);
}

static inline u64 qn_spin(struct qnode *n, wait_fn keep)
{
	return sim_spin(n->line, keep, NULL, false);
}

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
const char *sim_posted_sha256(void) { return posted_src_sha256; }
const char *sim_posted_origin(void) { return posted_src_origin; }
const char *sim_posted_headers(void) { return posted_src_headers; }

/* ------------------------------------------------------------------ */
/* run                                                                 */

static void cpu_main(void *arg)
{
	struct scpu *c = arg;
	const struct run_cfg *cfg = S.cfg;

	worker(cfg->scen, c->id, cfg->ncpu, &sim_lrs[0], &sim_lrs[1 + c->id]);
	flush(c);
	c->done = true;
	for (;;)
		suspend(c);
}

static u64 rnd_seed_stagger(u64 seed, int i)
{
	u64 z = seed * 0x9e3779b97f4a7c15ull + (u64)i * 0xbf58476d1ce4e5b9ull + 1;

	z ^= z >> 31;
	z *= 0x94d049bb133111ebull;
	z ^= z >> 29;
	return z % 100000;
}

int sim_run(const struct run_cfg *cfg, struct be_out *out)
{
	int n = cfg->ncpu, done = 0;
	u64 limit;

	if (n < 1 || n > MAX_CPUS)
		return -EINVAL;
	memset(&S, 0, sizeof(S));
	S.cfg = cfg;
	S.P = &cfg->P;
	S.ncpu = n;
	/* lines: shared lockref, n own lockrefs, n MCS nodes */
	S.nline = 1 + 2 * n;
	S.cpu = calloc((size_t)n, sizeof(*S.cpu));
	S.line = calloc((size_t)S.nline, sizeof(*S.line));
	sim_lrs = calloc((size_t)n + 1, sizeof(*sim_lrs));
	sim_qnodes = calloc((size_t)n, sizeof(*sim_qnodes));
	if (!S.cpu || !S.line || !sim_lrs || !sim_qnodes)
		return -ENOMEM;
	for (int i = 0; i < S.nline; i++) {
		struct sline *L = &S.line[i];

		L->owner = -1;
		L->qhead = L->qtail = -1;
		L->whead = -1;
		L->last_socket = 0;
		L->value = i <= n ? mkword(0, 1) : 0;
	}
	for (int i = 0; i <= n; i++)
		sim_lrs[i].line = i;
	for (int i = 0; i < n; i++) {
		struct scpu *c = &S.cpu[i];

		sim_qnodes[i].line = n + 1 + i;
		c->id = i;
		c->socket = cfg->P.cps > 0 ? i / (int)cfg->P.cps : 0;
		c->st = &out->stats[i];
		c->rng = cfg->seed * 0x100000001b3ull + (u64)i;
		c->park_line = -1;
		c->wprev = c->wnext = -1;
		c->stack = malloc(STACK_SIZE);
		if (!c->stack)
			return -ENOMEM;
		coro_make(&c->co, c->stack, STACK_SIZE, cpu_main, c);
		S.line[1 + i].last_socket = c->socket;
		S.line[n + 1 + i].last_socket = c->socket;
		/* start staggered by up to 100 ns so CPUs do not act in lockstep */
		wake_at(c, (rnd_seed_stagger(cfg->seed, i)));
	}

	run_begin(cfg);
	run_end_ns = run_mend;
	/* after the end, allow time to drain: long enough for any bounded wait */
	limit = (run_mend + 50000000ull) * 1000;
	if (cfg->scen == 0)
		limit = 10000000000000ull;	/* fixed work: 10 s simulated */

	while (S.heap_n && done < n) {
		struct ev e = ev_pop();
		struct scpu *c;

		S.now = e.t;
		if (e.t > limit)
			break;
		if (e.kind == EV_LINE) {
			line_xfer(e.id, e.t);
			continue;
		}
		c = &S.cpu[e.id];
		if (e.gen != c->gen || c->done)
			continue;
		c->now = e.t;
		S.cur = c;
		S.events++;
		coro_switch(&S.sched, &c->co);
		if (c->done)
			done++;
	}

	out->finished = done == n;
	out->final_lock = lockval(S.line[0].value);
	out->final_count = countval(S.line[0].value);
	out->expected_count = expected_count(cfg->scen, n);
	for (int i = 1; i <= n; i++) {
		out->final_lock |= lockval(S.line[i].value);
		if (countval(S.line[i].value) != 1)
			out->final_count = -1000000 - i;
	}
	out->events = S.events;
	out->cs_violations = cs_violations;
	cs_violations = 0;
	out->measured_s = (double)cfg->duration_ns * 1e-9;

	for (int i = 0; i < n; i++)
		free(S.cpu[i].stack);
	free(S.cpu);
	free(S.line);
	free(S.heap);
	free(sim_lrs);
	free(sim_qnodes);
	memset(&S, 0, sizeof(S));
	return 0;
}
