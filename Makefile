# SPDX-License-Identifier: GPL-2.0
#
# The procfs/VFS path-walk scalability series for Linux 6.12.y.
# See README.md.  Everything lands under build/ (git-ignored).

H := harness

.PHONY: all main bench perf-record check tree export build kselftest vm selftest model clean help

## make: build base and series perf kernels, run the ps-style walk in both, print the table
all main:
	$(H)/walkbench

## make bench [VM_SMP=N] [WORKERS=N] [BENCH_PAIRS=5] [BENCH_DURATION=5] [KSRC=dir]: per-op counts, ABAB throughput of all workloads, lockref fallbacks; table + chart in build/bench
bench:
	$(H)/bench

## make perf-record WORKLOAD=samefile|procfile|ps|walk|... [TREE=series|base]: perf record -g of one bench workload in the guest
perf-record:
	$(H)/bench record '$(WORKLOAD)'

## make check: the test command (CI runs it); last line "N passed, N failed"
check:
	$(H)/check

## make tree [FORCE=1] [KSRC=dir]: build/linux = pinned base + series (or git am onto KSRC)
tree:
	$(H)/tree

## make export: build/linux commits -> series/ (+ cover letter from README.series)
export:
	$(H)/export

## make build FLAVOR=debug|perf [TREE=series|base|work|dir]
FLAVOR ?= debug
TREE ?= series
build:
	$(H)/build $(FLAVOR) $(TREE)

## make kselftest [TREE=...] [TARGETS=proc]: proc selftests in the debug guest
kselftest:
	$(H)/kselftest $(TREE)

## make vm FLAVOR=... TREE=... CMD='...': run a command in a guest
vm:
	$(H)/vm "$$($(H)/build $(FLAVOR) $(TREE))" '$(CMD)'

## make selftest: the harness's own tests
selftest:
	$(H)/selftest

## make model: the lockref contention model (native pass + simulated sweep)
model:
	$(MAKE) -C model model

clean:
	rm -rf build/results build/check

help:
	@sed -n 's/^## //p' Makefile
