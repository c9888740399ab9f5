#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# report.py RUNS OUT STREE SMP WORKERS DURATION PAIRS SECONDS: the tables and
# the chart of harness/bench from its runs directory:
#   RUNS/throughput.tsv   kernel, boot, workload, vCPUs, workers, ops/s
#   RUNS/lockref.tsv      kernel, boot, vCPUs, workers, ops, spin_lock calls
#                         from lib/lockref.c, lockref_put_return() < 0
#   RUNS/counts-{base,series}.tsv   harness/count's per-op counts
#   RUNS/herd/herd.md     harness/herd's tables (per visited process or fd),
#                         copied into bench.md as they are
# Writes OUT/bench.md, OUT/bench.png and OUT/counts.tsv (workload, counter,
# base, series: the derived per-op counts of the table, for comparing runs).

import collections
import os
import statistics
import sys

sys.dont_write_bytecode = True

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png import Canvas  # noqa: E402

TP_NAMES = {
    "ps": "(a) `TZ=/etc/localtime ps -fe` loops",
    "walk": "(b) proc-ps-walk, load mode",
    "samefile": "(c) open/read/close one shared file",
    "samefile1": "(c) same, 1 opener (uncontended)",
    "procfile": "(c') open/read/close /proc/loadavg",
    "ocreat": "(d) open(O_CREAT) existing file",
    "ocreat-audit": "(d) same, audit on + matching rule",
    "monitor": "(e) read meminfo, stat, loadavg",
    "lsof": "(f) readlink /proc/*/fd/*",
}
COUNT_NAMES = {
    "pstz": "`TZ=… ps -fe` (per run)",
    "samefile": "open/read/close shared file",
    "ocreat": "open(O_CREAT) existing file",
    "ocreat-audit": "same, audit rule matching",
    "monitor": "read meminfo/stat/loadavg",
    "meminfo": "read /proc/meminfo",
    "pidstat": "read /proc/1/stat",
    "fdstat": "stat /proc/1/fd/0",
    "lsofinit": "readlink /proc/1/fd/* (per pass)",
    "ps": "ps -fe (per run)",
    "topfiles": "read stat, uptime, loadavg",
    "pidfiles": "read /proc/1/status",
    "pidmax": "read /proc/sys/.../pid_max",
    "fdlstat": "lstat /proc/1/fd/0",
    "fdinfo": "read /proc/1/fdinfo/0",
}
# Callers of down_read*() that take task->signal->exec_update_lock (the
# others harness/count watches, in fs/proc and __access_remote_vm, take
# mm->mmap_lock).
EXEC_UPDATE = {"do_task_stat", "mm_access", "proc_pid_wchan", "lock_trace",
               "proc_pid_stack", "proc_pid_syscall", "call_proc_get_link",
               "proc_pid_get_link", "proc_pid_readlink", "do_io_accounting",
               "proc_tid_io_accounting", "proc_tgid_io_accounting",
               "proc_ns_get_link", "proc_ns_readlink"}
# Workloads whose counts depend on the tasks in the guest (not repeatable).
NONDET = {"pstz", "ps"}
LOCKREF_FUNCS = ["lockref_get", "lockref_get_not_zero", "lockref_get_not_dead",
                 "lockref_put_return", "lockref_put_not_zero", "lockref_put_or_lock"]
# Derived counters: (column, description).
COUNTERS = [
    ("unlazy_next", "try_to_unlazy_next: a ->d_revalidate or permission check "
     "could not run in RCU-walk, the walk fell back to ref-walk mid-path"),
    ("try_to_unlazy", "try_to_unlazy: leaving RCU-walk at the end of a walk "
     "(complete_walk(), once an open) or for a symlink, O_CREAT, ..."),
    ("lockref", "lockref_* calls (get, get_not_zero, get_not_dead, put_return, put_not_zero, put_or_lock)"),
    ("lockref→spin", "lockref gave up the cmpxchg: spin_lock() from lib/lockref.c + lockref_put_return() < 0"),
    ("get_pid_task", "task references taken (each is dropped by an inline put_task_struct())"),
    ("exec_update_lock", "down_read*(&sig->exec_update_lock) (callers: do_task_stat, mm_access, ...)"),
    ("mmap_lock", "down_read*(&mm->mmap_lock) from /proc and __access_remote_vm"),
    ("d_lock", "spin_lock() from fs/dcache.c (d_lock; i_lock when instantiating) + lockref spin fallbacks"),
]


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def load_counts(path):
    d = collections.defaultdict(dict)
    order = []
    if not os.path.exists(path):
        return d, order
    for line in open(path):
        w, f, v = line.rstrip("\n").split("\t")
        if w not in d:
            order.append(w)
        d[w][f] = float(v)
    return d, order


def derive(c):
    g = c.get
    rw_total = g("down_read<-proc", 0.0)
    exec_ = sum(v for k, v in c.items()
                if k.startswith("down_read<-proc@") and k.split("@", 1)[1] in EXEC_UPDATE)
    fb = g("spin_lock<-lockref", 0.0) + g("lockref_put_return<0", 0.0)
    return {
        "unlazy_next": g("try_to_unlazy_next", 0.0),
        "try_to_unlazy": g("try_to_unlazy", 0.0),
        "lockref": sum(g(f, 0.0) for f in LOCKREF_FUNCS),
        "lockref→spin": fb,
        "get_pid_task": g("get_pid_task", 0.0),
        "exec_update_lock": exec_,
        "mmap_lock": rw_total - exec_,
        "d_lock": g("spin_lock<-dcache", 0.0) + g("spin_lock<-lockref", 0.0),
    }


def fmt_ops(v):
    return f"{v:.0f}" if v >= 100 else f"{v:.2f}"


def fmt(v, per_run):
    return f"{v:.0f}" if per_run else f"{v:.2f}"


def main():
    runs, out, stree, smp, workers, duration, pairs, secs = sys.argv[1:9]
    smp, workers, secs = int(smp), int(workers), int(secs)
    md = []
    flagged = []

    # Throughput.
    tp = collections.defaultdict(dict)	# (wl) -> {(kern, boot): ops}
    wl_order = []
    for line in open(os.path.join(runs, "throughput.tsv")):
        k, boot, wl, n, w, ops = line.rstrip("\n").split("\t")
        if int(n) != smp:
            continue
        if wl not in wl_order:
            wl_order.append(wl)
        tp[wl][(k, boot)] = float(ops)
    ratios = {}
    if wl_order:
        md.append(f"Throughput, ops/s (perf kernels, {smp} vCPUs, {workers} workers, "
                  f"{duration} s a run, {pairs} base/series boot pairs run ABAB; "
                  f"medians; series/base is the median of the pairs' ratios, "
                  f"spread their min..max):")
        md.append("")
        md.append("| workload | base | series | series/base | spread | |")
        md.append("|---|---:|---:|---:|---|---|")
        for wl in wl_order:
            boots = sorted({b for (_, b) in tp[wl]})
            b = [tp[wl][("base", x)] for x in boots if ("base", x) in tp[wl]]
            s = [tp[wl][("series", x)] for x in boots if ("series", x) in tp[wl]]
            r = [tp[wl][("series", x)] / tp[wl][("base", x)] for x in boots
                 if ("base", x) in tp[wl] and ("series", x) in tp[wl] and tp[wl][("base", x)] > 0]
            mr = median(r)
            ratios[wl] = (mr, min(r), max(r))
            flag = ""
            if len(r) < 3:
                flag = f"({len(r)} pair{'s' if len(r) > 1 else ''}: too few to judge)"
            elif mr < 1.0 and max(r) < 1.0:
                flag = "**REGRESSION**"
                flagged.append(wl)
            w1 = " (1 worker)" if wl == "samefile1" else ""
            md.append(f"| {TP_NAMES.get(wl, wl)}{w1} | {fmt_ops(median(b))} | {fmt_ops(median(s))} | "
                      f"{mr:.3f} | {min(r):.3f}..{max(r):.3f} | {flag} |")
        md.append("")

    # Lockref fallbacks.
    lr = collections.defaultdict(list)	# (target, n, w, kern) -> [(spin/op, putfail/op)]
    lpath = os.path.join(runs, "lockref.tsv")
    if os.path.exists(lpath):
        for line in open(lpath):
            f = line.rstrip("\n").split("\t")
            k, t, n, w = f[0], f[2], int(f[3]), int(f[4])
            ops, spin, putfail = int(f[5]), int(f[6]), int(f[7])
            if ops:
                lr[(t, n, w, k)].append((spin / ops, putfail / ops))
    if lr:
        md.append("Lockref fallbacks per open/read/close, W openers of one file on W vCPUs, "
                  "counted with kprobe events while they run: spin_lock() calls made from "
                  "lib/lockref.c (the cmpxchg loop gave up), and lockref_put_return() "
                  "failures (dput() then takes d_lock).  samefile is (c) (a tmpfs file); "
                  "procfile is /proc/loadavg, whose every dput() to zero takes d_lock "
                  "(->d_delete): the lone holder the lockref patch waits for.  "
                  "Contention-dependent: a distribution over the boots, not a "
                  "deterministic count; median (min..max):")
        md.append("")
        md.append("| file | vCPUs = W | kernel | spin_lock from lockref.c /op | "
                  "put_return < 0 /op | fallbacks /op | runs |")
        md.append("|---|---|---|---|---|---|---|")
        for (t, n, w) in sorted({(t, n, w) for (t, n, w, _) in lr}):
            for k in ("base", "series"):
                v = lr.get((t, n, w, k), [])
                if not v:
                    continue
                sp = [x[0] for x in v]
                pf = [x[1] for x in v]
                tot = [x[0] + x[1] for x in v]
                md.append(f"| {t} | {n} = {w} | {k} | {median(sp):.5f} ({min(sp):.5f}..{max(sp):.5f}) | "
                          f"{median(pf):.5f} ({min(pf):.5f}..{max(pf):.5f}) | "
                          f"{median(tot):.5f} ({min(tot):.5f}..{max(tot):.5f}) | {len(v)} |")
        md.append("")

    # Counts.
    cb, order = load_counts(os.path.join(runs, "counts-base.tsv"))
    cs, _ = load_counts(os.path.join(runs, "counts-series.tsv"))
    derived = {}
    if order:
        cols = [c for c, _ in COUNTERS]
        md.append("Calls per operation, base → series (harness/count: ftrace function "
                  "profiler and kprobe events, one task, deterministic):")
        md.append("")
        md.append("| per operation | " + " | ".join(cols) + " |")
        md.append("|---|" + "---:|" * len(cols))
        for w in order:
            db, ds = derive(cb[w]), derive(cs.get(w, {}))
            derived[w] = (db, ds)
            per_run = w in NONDET
            md.append(f"| {COUNT_NAMES.get(w, w)}{' ¹' if per_run else ''} | " +
                      " | ".join(f"{fmt(db[c], per_run)} → {fmt(ds[c], per_run)}" for c in cols) + " |")
        md.append("")
        md.append("Columns: " + "; ".join(f"{c}: {d}" for c, d in COUNTERS) + ".")
        md.append("")
        if any(w in NONDET for w in order):
            md.append("¹ per `ps` run: ps visits every task, and the number of kernel "
                      "threads (kworkers) differs from boot to boot, so these move by "
                      "about a task's worth between runs; every other row is the same "
                      "on every run.")
            md.append("")
        with open(os.path.join(out, "counts.tsv"), "w") as o:
            for w in order:
                if w in NONDET:
                    continue
                for c in cols:
                    o.write(f"{w}\t{c}\t{derived[w][0][c]:.2f}\t{derived[w][1][c]:.2f}\n")

    hpath = os.path.join(runs, "herd", "herd.md")
    if os.path.exists(hpath):
        md.extend(open(hpath).read().rstrip("\n").split("\n"))
        md.append("")

    fpath = os.path.join(runs, "failed.tsv")
    if os.path.exists(fpath):
        fails = [l.rstrip("\n").split("\t") for l in open(fpath) if l.strip()]
        md.append(f"**The proc-ps-walk selftest (b) FAILED a check in {len(fails)} run(s)** "
                  "(its ops/s are kept above):")
        md.append("")
        for f in fails:
            md.append(f"- {f[0]} boot {f[1]}: `{f[3] if len(f) > 3 else f[2]}`")
        md.append("")
    if flagged:
        md.append("REGRESSION flagged (series/base below 1.0 over the whole spread): "
                  + ", ".join(flagged) + ".")
    elif wl_order and int(pairs) < 3:
        md.append("Nothing judged: fewer than 3 base/series pairs (BENCH_PAIRS).")
    else:
        md.append("No workload flagged (no series/base ratio below 1.0 over its whole spread).")
    md.append("")
    md.append(f"Series: {stree}.  Wall time of this `make bench`: {secs // 60} min {secs % 60:02d} s.")
    with open(os.path.join(out, "bench.md"), "w") as o:
        o.write("\n".join(md) + "\n")

    with open(os.path.join(out, "cover.txt"), "w") as o:
        o.write(cover_text(wl_order, ratios, lr, order, derived, smp, workers,
                           duration, pairs))

    chart(os.path.join(out, "bench.png"), wl_order, ratios, order, derived, smp, workers)
    return 0


COVER_TP = {
    "ps": "(a) ps -fe loops",
    "walk": "(b) proc-ps-walk, load mode",
    "samefile": "(c) open/read/close one file",
    "samefile1": "(c) the same, one opener",
    "procfile": "(c') the same on /proc/loadavg",
    "ocreat": "(d) O_CREAT open, existing file",
    "ocreat-audit": "(d) the same, audit on",
    "monitor": "(e) meminfo, stat, loadavg",
    "lsof": "(f) readlink /proc/*/fd/*",
}
COVER_COUNTS = ["unlazy_next", "get_pid_task", "lockref", "exec_update_lock"]
COVER_COUNT_NAMES = {
    "meminfo": "read /proc/meminfo",
    "pidstat": "read /proc/1/stat",
    "fdstat": "stat /proc/1/fd/0",
    "pstz": "ps -fe, per run",
    "samefile": "open/read/close",
    "ocreat": "O_CREAT open",
    "ocreat-audit": "O_CREAT, audit on",
    "monitor": "monitor reads",
    "lsofinit": "lsof, per pass",
}


def cover_num(v):
    if abs(v - round(v)) < 0.005 or abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def cover_text(wl_order, ratios, lr, order, derived, smp, workers, duration,
               pairs):
    """The bench's numbers in lines of at most 75 columns (cover letter)."""
    t = []
    if wl_order:
        t.append(f"Throughput, series/base, median of {pairs} base/series boot "
                 f"pairs run")
        t.append(f"in turn (min..max), {smp}-vCPU QEMU TCG guest, {workers} "
                 f"workers, {duration} s a run:")
        t.append("")
        for wl in wl_order:
            mr, lo, hi = ratios[wl]
            flag = "  slower" if int(pairs) >= 3 and mr < 1.0 and hi < 1.0 else ""
            t.append(f"  {COVER_TP.get(wl, wl):34} {mr:6.3f}  ({lo:.3f}..{hi:.3f}){flag}")
        t.append("")
    if lr:
        t.append("lockref operations that fell back to the spinlock, per "
                 "open/read/close")
        t.append("of one file by W tasks on W vCPUs (median of the boots, "
                 "base -> series):")
        t.append("")
        for (tg, n, w) in sorted({(a, b, c) for (a, b, c, _) in lr}):
            v = {}
            for k in ("base", "series"):
                x = lr.get((tg, n, w, k), [])
                v[k] = median([a + b for a, b in x]) if x else float("nan")
            name = "tmpfs file" if tg == "samefile" else \
                "/proc/loadavg" if tg == "procfile" else tg
            t.append(f"  {name + f', W={w}':34} {v['base']:.5f} -> {v['series']:.5f}")
        t.append("")
    if order:
        t.append("Calls per operation, base -> series (deterministic):")
        t.append("")
        t.append(f"  {'':19}" + "".join(f"{c.replace('_lock', ''):>13}"
                                        for c in COVER_COUNTS))
        for w in order:
            db, ds = derived[w]
            name = COVER_COUNT_NAMES.get(w, w)
            cells = "".join(f"{cover_num(db[c]) + ' -> ' + cover_num(ds[c]):>13}"
                            for c in COVER_COUNTS)
            t.append(f"  {name[:19]:19}{cells}")
        t.append("")
        t.append("unlazy_next: walks that fell back to ref-walk mid-path in")
        t.append("try_to_unlazy_next() (a stat() that follows "
                 "/proc/<pid>/fd/N still")
        t.append("leaves RCU-walk at the link, through try_to_unlazy()); "
                 "get_pid_task:")
        t.append("task references; lockref: lockref_* calls; exec_update: "
                 "down_read() of")
        t.append("exec_update_lock.  ps visits every task, so its row moves "
                 "a little from")
        t.append("boot to boot (kernel threads); the others are the same on "
                 "every run.")
        t.append("")
    return "\n".join(t)


def chart(path, wl_order, ratios, order, derived, smp, workers):
    W = 1200
    top_h = 60 + 34 * max(1, len(wl_order)) + 40
    cnt = [c for c in ("unlazy_next", "lockref", "get_pid_task", "exec_update_lock", "d_lock")]
    rows = [w for w in order if w in derived]
    bot_h = 70 + 22 * len(cnt) * max(1, len(rows)) + 14 * len(rows) if rows else 0
    cv = Canvas(W, top_h + bot_h + 10)
    black, grey, blue, red = (0, 0, 0), (150, 150, 150), (40, 90, 200), (200, 40, 40)
    # Ratio per workload, 0.5..1.5 around 1.0, whiskers for the spread.
    cv.text(10, 10, f"SERIES/BASE THROUGHPUT ({smp} VCPUS, {workers} WORKERS): "
            "MEDIAN OF PAIR RATIOS, WHISKER = MIN..MAX", black, 2)
    x0, x1 = 380, W - 40
    lo, hi = 0.5, 1.5

    def xr(v):
        return int(x0 + (min(max(v, lo), hi) - lo) / (hi - lo) * (x1 - x0))
    y = 50
    for t in (0.5, 0.75, 1.0, 1.25, 1.5):
        cv.vline(xr(t), y, y + 34 * len(wl_order), grey if t != 1.0 else black)
        cv.text(xr(t) - 12, y + 34 * len(wl_order) + 6, f"{t:.2f}", black)
    for wl in wl_order:
        m, a, b = ratios[wl]
        c = red if (m < 1.0 and b < 1.0) else blue
        cv.text(10, y + 10, TP_NAMES.get(wl, wl).replace("`", "")[:58], black)
        cv.rect(xr(1.0), y + 6, xr(m), y + 26, c)
        cv.hline(xr(a), xr(b) + 1, y + 16, black)
        cv.vline(xr(a), y + 10, y + 23, black)
        cv.vline(xr(b), y + 10, y + 23, black)
        cv.text(min(xr(max(m, 1.0)) + 6, x1 - 40), y + 2, f"{m:.3f}", black)
        y += 34
    if not rows:
        cv.png(path)
        return
    # Counts per operation: base (grey) and series (blue), bars scaled to the
    # larger of the two, the values written next to them.
    y = top_h + 10
    cv.text(10, y, "CALLS PER OPERATION: BASE (GREY) VS SERIES (BLUE)", black, 2)
    y += 30
    bx0, bx1 = 420, W - 160
    for w in rows:
        db, ds = derived[w]
        cv.text(10, y, COUNT_NAMES.get(w, w).replace("`", "").replace("…", "...")[:64], black)
        y += 12
        for c in cnt:
            b, s = db[c], ds[c]
            m = max(b, s, 1e-9)
            cv.text(30, y + 3, c.upper(), black)
            cv.rect(bx0, y, bx0 + int((bx1 - bx0) * b / m), y + 8, grey)
            cv.rect(bx0, y + 9, bx0 + int((bx1 - bx0) * s / m), y + 17, blue)
            cv.text(bx1 + 8, y + 5, f"{b:.2f} > {s:.2f}", black)
            y += 22
        y += 2
    cv.png(path)


if __name__ == "__main__":
    sys.exit(main())
