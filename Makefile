# SPDX-License-Identifier: GPL-2.0
#
# The procfs/VFS path-walk scalability series: mainline (v7.3.4, series/)
# and the LTS backport (v6.12.117, series-6.12/).  See README.md.
# Everything lands under build/ (git-ignored).
#
# BASE=mainline|6.12 picks the base of every target (default mainline;
# `make check` without BASE checks both).

H := harness

ifneq ($(filter-out mainline 6.12,$(BASE)),)
$(error unknown BASE '$(BASE)' (known: mainline, 6.12))
endif

.PHONY: all main bench perf-record check matrix tree export build kselftest vm selftest model clean help

## make: build base and series perf kernels, run the ps-style walk in both, print the table
all main:
	$(H)/walkbench

## make bench [VM_SMP=N] [WORKERS=N] [BENCH_PAIRS=5] [BENCH_DURATION=5] [KSRC=dir]: per-op counts, ABAB throughput of all workloads, lockref fallbacks; table + chart in build/bench
bench:
	$(H)/bench

## make perf-record WORKLOAD=samefile|procfile|ps|walk|... [TREE=series|base]: perf record -g of one bench workload in the guest
perf-record:
	$(H)/bench record '$(WORKLOAD)'

## make check [BASE=...]: the test command (CI runs it; without BASE: both bases); last line "N passed, N failed"
check:
	$(H)/check

## make matrix [STAGES='uml pv kcsan builds cocci many'] [MATRIX_SERIES=REF] [MATRIX_RECORD=1]: the robots' configurations (mainline base); results in build/matrix
STAGES ?=
matrix:
	$(H)/matrix $(STAGES)

## make tree [BASE=mainline|6.12] [FORCE=1] [KSRC=dir]: build/linux (build/linux-6.12) = pinned base + series/ (series-6.12/) (or git am onto KSRC)
tree:
	$(H)/tree

## make export [BASE=...]: work tree commits -> series/ or series-6.12/ (+ cover letter from README.series or README.series-6.12), signed by your git identity
export:
	$(H)/export

## make build FLAVOR=debug|perf|test|kunit [TREE=series|base|work|dir]
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
	rm -rf build/results build/results-* build/check build/check-*

help:
	@sed -n 's/^## //p' Makefile
