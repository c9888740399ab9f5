# hang.sh TREE LABEL: the matrix's 64-vCPU walk run with a QEMU monitor, RIP samples every 60 s from 150 s
tree=$1 label=$2
cd /work/main
res=/work/main/build/results/s11-$label
mon=/tmp/s11/mon-$label.sock
rm -rf $res; mkdir -p $res
tests=
for t in $(sed -n -E 's/^TEST_GEN_PROGS \+= (proc-.*-walk|proc-fd-race)$/\1/p' build/trees/series/tools/testing/selftests/proc/Makefile); do tests="$tests -t proc:$t"; done
( sleep 150; for i in $(seq 1 20); do
    [ -S $mon ] || break
    echo "=== sample $i at $(date +%T)" >> $res/rips.txt
    timeout 60 python3 /tmp/s11/mon.py $mon "info registers -a" | grep -a -E "^CPU#|^RIP" | paste - - >> $res/rips.txt
    sleep 60
  done ) &
KSFT_FROM=series FLAVOR=perf VM_SMP=64 VM_TIMEOUT=1200 TARGETS=proc KSFT_ARGS="$tests" VM_APPEND="kunit.enable=0" \
  VM_MONITOR=$mon VM_RESULTS=$res harness/kselftest build/trees/$tree > $res.log 2>&1
echo "rc=$?" >> $res.log
