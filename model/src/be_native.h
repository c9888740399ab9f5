/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native back end primitives (see kernel/api.h): C11 atomics on a real
 * 8-byte lockref word, one thread per CPU.
 *
 * The lock word is accessed with mixed sizes, as the kernel does on x86-64
 * (8-byte cmpxchg of lock+count, 4-byte cmpxchg of the lock, 2-byte xchg
 * of the tail, byte stores of locked/pending): overlapping atomic objects
 * of different sizes in one union.  ISO C leaves that undefined; GCC and
 * Clang on x86-64 compile each to the one instruction the kernel uses.
 */
#include <stdatomic.h>

struct lockref {
	union {
		_Atomic u64 lock_count;
		struct {
			union {
				_Atomic u32 val;
				struct {
					_Atomic u8 locked;
					_Atomic u8 pending;
				};
				struct {
					_Atomic u16 locked_pending;
					_Atomic u16 tail;
				};
			};
			_Atomic s32 count;
		};
	};
	_Atomic int cs_owner;		/* check only: who is in the section */
	char pad[52];
} __attribute__((aligned(64)));

struct qnode {
	union {
		_Atomic u64 word;
		struct {
			_Atomic u32 locked;
			_Atomic u32 next;	/* cpu + 1, 0: NULL */
		};
	};
	char pad[56];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct lockref) == 64, "lockref: one line");
_Static_assert(sizeof(struct qnode) == 64, "qnode: one line");

struct ncpu {
	int id;
	struct cpu_stats *st;
	u64 rng;
};

static __thread struct ncpu *self;
static struct qnode *qnodes;
static u64 epoch_tick, end_ns;
static double ns_per_tick;

#define RLX memory_order_relaxed
#define ACQ memory_order_acquire
#define REL memory_order_release

#if defined(__x86_64__) || defined(__i386__)
static inline u64 ticks(void) { return __builtin_ia32_rdtsc(); }
static inline void cpu_relax(void) { __builtin_ia32_pause(); }
#else
#include <time.h>
static inline u64 ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}
#if defined(__aarch64__)
static inline void cpu_relax(void) { __asm__ __volatile__("yield" ::: "memory"); }
#else
static inline void cpu_relax(void) { __asm__ __volatile__("" ::: "memory"); }
#endif
#endif

static inline int this_cpu(void) { return self->id; }
static inline struct cpu_stats *my_stats(void) { return self->st; }
static inline u64 now_ns(void) { return (u64)((double)(ticks() - epoch_tick) * ns_per_tick); }
static inline bool should_stop(void) { return now_ns() >= end_ns; }
static inline void charge_ps(u64 ps) { (void)ps; }	/* the real code costs what it costs */

static inline void delay_ns(u64 ns)
{
	u64 end;

	if (!ns)
		return;
	end = ticks() + (u64)((double)ns / ns_per_tick);
	while (ticks() < end)
		;
}

static inline u64 rnd(void)
{
	u64 z = (self->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* mutual exclusion check, on the lock's own line: costs a hit */
static _Atomic u64 cs_violations;

static inline void cs_enter(struct lockref *lr)
{
	if (atomic_exchange_explicit(&lr->cs_owner, self->id + 1, RLX) != 0)
		atomic_fetch_add(&cs_violations, 1);
}

static inline void cs_exit(struct lockref *lr)
{
	if (atomic_exchange_explicit(&lr->cs_owner, 0, RLX) != self->id + 1)
		atomic_fetch_add(&cs_violations, 1);
}

/* lockref word */
static inline u64 lr_read(struct lockref *lr)
{
	return atomic_load_explicit(&lr->lock_count, RLX);
}

static inline bool lr_try_cmpxchg(struct lockref *lr, u64 *old, u64 new)
{
	self->st->call_tries++;
	return atomic_compare_exchange_strong_explicit(&lr->lock_count, old, new,
						       RLX, RLX);
}

static inline u64 lr_spin(struct lockref *lr, wait_fn keep, int *budget)
{
	struct cpu_stats *st = self->st;
	u64 w;

	do {
		cpu_relax();
		w = atomic_load_explicit(&lr->lock_count, RLX);
		st->call_spins++;
		if (budget && --*budget <= 0)
			break;
	} while (keep(w));
	return w;
}

static inline s32 lr_count_add(struct lockref *lr, int d, bool unless_dead)
{
	s32 c = atomic_load_explicit(&lr->count, RLX);

	if (!(unless_dead && c < 0))
		atomic_store_explicit(&lr->count, c + d, RLX);
	return c;
}

static inline void lr_count_set_racy(struct lockref *lr, s32 c)
{
	atomic_store_explicit(&lr->count, c, RLX);
}

/* qspinlock */
static inline u32 ql_read(struct lockref *lr)
{
	return atomic_load_explicit(&lr->val, ACQ);
}

static inline bool ql_try_cmpxchg(struct lockref *lr, u32 *old, u32 new)
{
	return atomic_compare_exchange_strong_explicit(&lr->val, old, new, ACQ, ACQ);
}

static inline u32 ql_fetch_set_pending(struct lockref *lr)
{
	return atomic_fetch_or_explicit(&lr->val, Q_PENDING_VAL, ACQ);
}

static inline u32 ql_xchg_tail(struct lockref *lr, u32 tail)
{
	/* release publishes the node init (the kernel's smp_wmb()) */
	return (u32)atomic_exchange_explicit(&lr->tail, (u16)(tail >> 16),
					     memory_order_acq_rel) << 16;
}

static inline void ql_write_locked(struct lockref *lr, u8 v)
{
	atomic_store_explicit(&lr->locked, v, v ? RLX : REL);
}

static inline void ql_clear_pending(struct lockref *lr)
{
	atomic_store_explicit(&lr->pending, 0, RLX);
}

static inline void ql_clear_pending_set_locked(struct lockref *lr)
{
	atomic_store_explicit(&lr->locked_pending, Q_LOCKED_VAL, RLX);
}

static inline u64 ql_spin(struct lockref *lr, wait_fn keep, int *budget)
{
	u64 w;

	do {
		cpu_relax();
		w = atomic_load_explicit(&lr->lock_count, ACQ);
		if (budget && --*budget <= 0)
			break;
	} while (keep(w));
	return w;
}

/* MCS nodes */
static inline struct qnode *qn_get(int cpu) { return &qnodes[cpu]; }

static inline void qn_init(struct qnode *n)
{
	atomic_store_explicit(&n->locked, 0, RLX);
	atomic_store_explicit(&n->next, 0, RLX);
}

static inline void qn_set_next(struct qnode *n, int cpu)
{
	atomic_store_explicit(&n->next, (u32)cpu + 1, REL);
}

static inline void qn_set_locked(struct qnode *n)
{
	atomic_store_explicit(&n->locked, 1, REL);
}

static inline u64 qn_read(struct qnode *n)
{
	return atomic_load_explicit(&n->word, ACQ);
}

static inline u64 qn_spin(struct qnode *n, wait_fn keep)
{
	u64 w;

	do {
		cpu_relax();
		w = atomic_load_explicit(&n->word, ACQ);
	} while (keep(w));
	return w;
}
