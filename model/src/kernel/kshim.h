/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel environment the series' own CMPXCHG_LOOP is compiled in
 * (posted.c): the few kernel types, macros and primitives that the text
 * scripts/extract-posted.py takes from the tree (lib/lockref.c's
 * USE_CMPXCHG_LOCKREF block, qspinlock.h helpers) uses, each mapped onto
 * the model's primitives (api.h) and so onto its cost accounting:
 *
 *   READ_ONCE(lockref->lock_count)        lr_read(): a read of the lockref
 *                                         line (the simulator's coherence
 *                                         model); every read after a call's
 *                                         first counts as a waiting read
 *   try_cmpxchg64_relaxed(&lockref->lock_count, ...)  lr_try_cmpxchg()
 *   atomic_read() of a *copy* of the lock word  a plain read (no cost)
 *   cpu_relax()                           the back end's (PAUSE / t_pause)
 *   DEFINE_PER_CPU + raw_cpu_* / this_cpu_* / __this_cpu_*
 *                                         one array slot per CPU, each slot
 *                                         its own cache line; each access
 *                                         charged t_hit in the simulator;
 *                                         zeroed at the start of every run
 *   local_clock(), sched_clock(), ktime_get_ns(), ktime_get_mono_fast_ns()
 *                                         the back end's now_ns(): simulated
 *                                         ns (charged t_clock first) or the
 *                                         TSC natively
 *   CONFIG_QUEUED_SPINLOCKS, CONFIG_SMP,  defined: x86-64 bare metal, as the
 *   CONFIG_ARCH_USE_CMPXCHG_LOCKREF       model's qspinlock (no paravirt)
 *
 * Anything else the code uses is a compile error here, on purpose: map it
 * (and its cost) before trusting a number.  The shared lock word may be
 * touched only through READ_ONCE()/try_cmpxchg64*(); an atomic_read() (or
 * a READ_ONCE of anything else) that hits the lockref word aborts the run.
 *
 * Included from posted.c only, after the model's policies; kshim_end.h
 * undoes the names that would clash with the model's own code.
 */

typedef struct lockref lrm_lockref_t;	/* the model's lockref (back end's) */

/* ---- compiler ---- */
#undef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#define noinline		__attribute__((noinline))
#define __cold			__attribute__((cold))
#define __maybe_unused		__attribute__((unused))
#define __read_mostly
#define __must_check
#define BUILD_BUG_ON(cond)	((void)sizeof(char[1 - 2 * !!(cond)]))
#define barrier()		__asm__ __volatile__("" ::: "memory")

/*
 * Kconfig: x86-64 with queued spinlocks, as a distro kernel (PARAVIRT=y) on
 * bare metal: virt_spin_lock_key off, no paravirt spinlocks (the model's
 * qspinlock is the native one)
 */
#define CONFIG_SMP			1
#define CONFIG_PARAVIRT			1
#define CONFIG_QUEUED_SPINLOCKS		1
#define CONFIG_ARCH_USE_CMPXCHG_LOCKREF	1
#define CONFIG_X86			1
#define CONFIG_X86_64			1
#define CONFIG_64BIT			1
#define __KSHIM_ARG_PLACEHOLDER_1	0,
#define __kshim_take_second(a, b, ...)	b
#define __kshim_is_defined(x)		___kshim_is_defined(x)
#define ___kshim_is_defined(val)	____kshim_is_defined(__KSHIM_ARG_PLACEHOLDER_##val)
#define ____kshim_is_defined(arg)	__kshim_take_second(arg 1, 0, 0)
#define IS_ENABLED(option)		__kshim_is_defined(option)
#define USE_CMPXCHG_LOCKREF		1

/* ---- types: include/linux/types.h, asm-generic/qspinlock_types.h, ... ---- */
typedef int8_t s8;
typedef int16_t s16;
typedef struct { int counter; } atomic_t;
typedef struct qspinlock {
	union {
		atomic_t val;
		struct { u8 locked; u8 pending; };
		struct { u16 locked_pending; u16 tail; };
	};
} arch_spinlock_t;
typedef struct raw_spinlock { arch_spinlock_t raw_lock; } raw_spinlock_t;
typedef struct spinlock { union { struct raw_spinlock rlock; }; } spinlock_t;

#define _Q_LOCKED_OFFSET	0
#define _Q_LOCKED_BITS		8
#define _Q_PENDING_OFFSET	8
#define _Q_PENDING_BITS		8
#define _Q_TAIL_IDX_OFFSET	16
#define _Q_TAIL_IDX_BITS	2
#define _Q_TAIL_CPU_OFFSET	18
#define _Q_TAIL_CPU_BITS	14
#define _Q_TAIL_OFFSET		_Q_TAIL_IDX_OFFSET
#define _Q_LOCKED_VAL		Q_LOCKED_VAL
#define _Q_LOCKED_MASK		Q_LOCKED_MASK
#define _Q_PENDING_VAL		Q_PENDING_VAL
#define _Q_PENDING_MASK		Q_PENDING_MASK
#define _Q_LOCKED_PENDING_MASK	Q_LOCKED_PENDING_MASK
#define _Q_TAIL_MASK		Q_TAIL_MASK
#define _Q_PENDING_LOOPS	Q_PENDING_LOOPS

/* include/linux/lockref.h: "struct lockref" here is the kernel's layout */
#define lockref kshim_lockref
struct kshim_lockref {
	union {
		u64 lock_count;		/* aligned_u64 */
		struct {
			spinlock_t lock;
			int count;
		};
	};
};
_Static_assert(sizeof(struct kshim_lockref) == 8, "lockref: 8 bytes");
_Static_assert(offsetof(struct kshim_lockref, lock_count) == 0, "lock_count first");
_Static_assert(offsetof(struct kshim_lockref, count) == 4, "count at 4, as mkword()");

#define __LOCKREF_DEAD_VAL	-128

/* ---- the shared word: only through these ---- */
/* per CPU, a line each (natively these are real stores: no false sharing) */
static struct kshim_cpu {
	lrm_lockref_t *cur;	/* the call's lockref */
	int reads;		/* word reads in this call */
} __attribute__((aligned(64))) kshim_cpu[MAX_CPUS];

static __attribute__((noreturn, cold)) void kshim_fatal(const char *what)
{
	fprintf(stderr, "lrmodel: posted code: %s: map it in src/kernel/kshim.h\n", what);
	abort();
}

static inline lrm_lockref_t *kshim_word(const void *p, const char *what)
{
	lrm_lockref_t *lr = kshim_cpu[this_cpu()].cur;

	if ((const void *)lr != p)
		kshim_fatal(what);
	return lr;
}

/* check's probe: what the call read (struct call_trace, model.h); no cost */
static void kshim_trace_read(struct call_trace *tr, u64 w, bool waiting)
{
	u64 t = now_ns();

	if (!tr->reads++) {
		tr->first = w;
		tr->t_first = t;
		return;
	}
	if (!waiting)
		return;
	if (tr->waiter_reads)
		tr->after_waiter++;
	if ((lockval(w) & ~Q_LOCKED_MASK) && !tr->waiter_reads++) {
		tr->w_waiter = w;	/* pending or tail set: a waiter */
		tr->t_waiter = t;
	}
	if (tr->held + tr->freed == 0)
		tr->t_wait0 = t;
	if (tr->freed)
		return;
	if (!lock_unlocked(w)) {
		tr->held++;
		tr->w_held = w;
		tr->t_held = t;
	} else {
		tr->freed = true;
		tr->w_free = w;
		tr->t_free = t;
	}
}

static inline u64 kshim_read_word(const u64 *p)
{
	u64 w = lr_read(kshim_word(p, "READ_ONCE() of something else than lockref->lock_count"));
	bool waiting = kshim_cpu[this_cpu()].reads++ != 0;

	if (waiting)
		my_stats()->call_spins++;	/* a waiting read */
	if (unlikely(my_stats()->tr.on))
		kshim_trace_read(&my_stats()->tr, w, waiting);
	return w;
}

#define READ_ONCE(x)	_Generic(&(x), u64 *: kshim_read_word((const u64 *)&(x)))

static inline bool kshim_try_cmpxchg64(u64 *p, u64 *old, u64 new)
{
	lrm_lockref_t *lr = kshim_word(p, "cmpxchg of something else than lockref->lock_count");

#ifdef LRMODEL_BROKEN_POLICY
	/* make check BROKEN=1: a lost update (read, then a separate store) */
	u64 cur = lr_read(lr);

	my_stats()->call_tries++;	/* an attempt, as lr_try_cmpxchg() counts */

	if (cur != *old || !lock_unlocked(cur)) {
		*old = cur;
		return false;
	}
	delay_ns(5);
	lr_count_set_racy(lr, countval(new));
	return true;
#else
	return lr_try_cmpxchg(lr, old, new);
#endif
}

#define try_cmpxchg64_relaxed(p, o, n)	kshim_try_cmpxchg64((p), (o), (n))
#define try_cmpxchg64(p, o, n)		kshim_try_cmpxchg64((p), (o), (n))

/* atomic_read() on a copy of the lock word (struct lockref old) */
static inline int kshim_atomic_read(const atomic_t *v)
{
	const char *lr = (const char *)kshim_cpu[this_cpu()].cur;

	if ((const char *)v >= lr && (const char *)v < lr + 8)
		kshim_fatal("atomic_read() of the shared lock word");
	return v->counter;
}

#define atomic_read(v)		kshim_atomic_read(v)
#define arch_atomic_read(v)	kshim_atomic_read(v)

/* ---- per-CPU variables ---- */
#define DEFINE_PER_CPU(type, name)					\
	struct __attribute__((aligned(64))) { type v; } name[MAX_CPUS]	\
	__attribute__((section("lrm_kshim_pcpu"), used))
#define DEFINE_PER_CPU_ALIGNED(type, name)	DEFINE_PER_CPU(type, name)

extern char __start_lrm_kshim_pcpu[] __attribute__((weak));
extern char __stop_lrm_kshim_pcpu[] __attribute__((weak));

/* called from policies_reset(): every run starts with zeroed state */
static void kshim_reset(void)
{
	if (__start_lrm_kshim_pcpu && __stop_lrm_kshim_pcpu)
		memset(__start_lrm_kshim_pcpu, 0,
		       (size_t)(__stop_lrm_kshim_pcpu - __start_lrm_kshim_pcpu));
}

#define kshim_pcpu(var)		(charge_ps((u64)run_P->t_hit), &(var)[this_cpu()].v)
#define raw_cpu_read(var)	(*kshim_pcpu(var))
#define raw_cpu_write(var, x)	((void)(*kshim_pcpu(var) = (x)))
#define raw_cpu_add(var, x)	((void)(*kshim_pcpu(var) += (x)))
#define raw_cpu_inc(var)	raw_cpu_add(var, 1)
#define raw_cpu_dec(var)	raw_cpu_add(var, -1)
#define this_cpu_read(var)	raw_cpu_read(var)
#define this_cpu_write(var, x)	raw_cpu_write(var, x)
#define this_cpu_add(var, x)	raw_cpu_add(var, x)
#define this_cpu_inc(var)	raw_cpu_inc(var)
#define this_cpu_dec(var)	raw_cpu_dec(var)
#define __this_cpu_read(var)	raw_cpu_read(var)
#define __this_cpu_write(var, x) raw_cpu_write(var, x)
#define __this_cpu_add(var, x)	raw_cpu_add(var, x)
#define __this_cpu_inc(var)	raw_cpu_inc(var)
#define __this_cpu_dec(var)	raw_cpu_dec(var)
#define this_cpu_ptr(ptr)	kshim_pcpu(*(ptr))
#define raw_cpu_ptr(ptr)	kshim_pcpu(*(ptr))

/* static keys: a patched jump, no cost; every key is off (bare metal) */
struct static_key_false { bool enabled; };
struct static_key_true { bool enabled; };
static const struct static_key_false virt_spin_lock_key = { false };
#define static_branch_unlikely(k)	(unlikely((k)->enabled))
#define static_branch_likely(k)		(likely((k)->enabled))

/* nothing to do: the model has no preemption */
#define preempt_disable()	do { } while (0)
#define preempt_enable()	do { } while (0)

/* ---- time ---- */
#define NSEC_PER_USEC	1000L
#define NSEC_PER_MSEC	1000000L
#define NSEC_PER_SEC	1000000000L

static inline u64 kshim_clock(void)
{
	charge_ps((u64)run_P->t_clock);	/* simulator: a clock read; native: no-op */
	return now_ns();
}

#define local_clock()			kshim_clock()
#define sched_clock()			kshim_clock()
#define ktime_get_ns()			kshim_clock()
#define ktime_get_mono_fast_ns()	kshim_clock()
#define ktime_get_raw_fast_ns()		kshim_clock()
