/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "kernel side" of the model - qspinlock.c, policies.c, lockref.c and
 * scenarios.c in this directory - is plain sequential C written against the
 * primitives below.  Each back end provides them (be_native.h: C11 atomics
 * on a real 8-byte word; be_sim.h: every access is an event in the
 * simulated cache-coherence model) and includes the kernel side once, so
 * the very same policy and lock code runs in both.
 *
 *   struct lockref                  one lockref word in its own cache line
 *   struct qnode                    a CPU's MCS node in its own cache line
 *   typedef bool (*wait_fn)(u64 w)  "keep waiting" predicate on a word
 *
 * lockref word (8 bytes):
 *   u64  lr_read(lr)                   READ_ONCE(lockref->lock_count)
 *   bool lr_try_cmpxchg(lr, &old, new) try_cmpxchg64_relaxed(), counted
 *   u64  lr_spin(lr, keep, &budget)    do { cpu_relax(); w = READ_ONCE(..);
 *                                      } while (keep(w) && --budget);
 *                                      budget == NULL: no bound; counted
 *   s32  lr_count_add(lr, d, unless_dead)  c = lockref->count; unless
 *                                      (unless_dead && c < 0) count += d;
 *                                      returns c (lock held)
 *
 * qspinlock (low 4 bytes of the same word):
 *   u32  ql_read(lr)                   atomic_read(&lock->val)
 *   bool ql_try_cmpxchg(lr, &old, new) atomic_try_cmpxchg_acquire(&lock->val)
 *   u32  ql_fetch_set_pending(lr)      queued_fetch_set_pending_acquire()
 *   u32  ql_xchg_tail(lr, tail)        xchg_tail(): 16-bit xchg, old tail bits
 *   void ql_write_locked(lr, v)        set_locked() / queued_spin_unlock()
 *   void ql_clear_pending(lr)          WRITE_ONCE(lock->pending, 0)
 *   void ql_clear_pending_set_locked(lr) WRITE_ONCE(lock->locked_pending, 1)
 *   u64  ql_spin(lr, keep, &budget)    as lr_spin, not counted for the policy
 *
 * MCS nodes (word: bits 0-31 locked, 32-63 next cpu + 1):
 *   struct qnode *qn_get(cpu); qn_init(n); qn_set_next(n, cpu);
 *   qn_set_locked(n); u64 qn_read(n); u64 qn_spin(n, keep)
 *
 * CPU: this_cpu(), cpu_relax(), now_ns(), delay_ns(ns), should_stop(),
 *      rnd() (per-CPU PRNG), my_stats()
 */
#ifndef LRMODEL_KERNEL_API_H
#define LRMODEL_KERNEL_API_H

struct lockref;
struct qnode;
typedef bool (*wait_fn)(u64 w);		/* true: keep waiting */

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

static inline u32 qn_locked(u64 w) { return (u32)w; }
static inline int qn_next(u64 w) { return (int)(w >> 32) - 1; }	/* -1: NULL */

#endif
