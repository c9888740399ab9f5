dmesg -n 5
cd /tmp
perf record -q -g -a -e cpu-clock -o /tmp/perf.data -- sh -c 'PROC_WALK_WORKERS=16 PROC_WALK_DURATION=10 PROC_WALK_LOAD=1 /work/main/build/trees/series/out-perf/kselftest-install/proc/proc-ps-walk' >/run/results/workload.txt 2>&1 ||
	{ cat /run/results/workload.txt; exit 1; }
cp /tmp/perf.data /run/results/perf.data
cat /proc/kallsyms > /run/results/kallsyms
perf report -i /tmp/perf.data --stdio --no-children --sort sym --percent-limit 0.3 	> /run/results/report.txt 2>/run/results/report.err || { cat /run/results/report.err; exit 1; }
dmesg > /run/results/dmesg.txt
