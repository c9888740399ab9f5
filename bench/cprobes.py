#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# cprobes SYSTEM_MAP OUTDIR CALLERS RETNEG: kprobe events that count the calls
# of a function made from given code (harness/count's CALLERS, harness/bench's
# lockref fallback counter).  CALLERS has one counter a line: NAME
# FUNCTION[,FUNCTION...] CALLER[,CALLER...], a CALLER being an object of the
# build (lib/lockref.o), a directory of objects (fs/proc/) or a symbol.
# Prints EVENT|DEFINITION|FILTER lines; writes "EVENT NAME FUNCTION" lines to
# fd 3.
# RETNEG: functions whose negative int returns are counted (kretprobes).
import bisect, os, struct, subprocess, sys
smap, out, callers, retneg = sys.argv[1:5]
addr, syms = {}, []
for line in open(smap):
    a, t, n = line.split()[:3]
    if t in "tTwW":
        addr.setdefault(n, []).append(int(a, 16))
        syms.append((int(a, 16), n))
syms.sort()
starts = [a for a, _ in syms]

def end_of(a):
    i = bisect.bisect_right(starts, a)
    while i < len(starts) and starts[i] == a:
        i += 1
    return starts[i] if i < len(starts) else a + 1

def ranges(spec):
    rs = []
    for c in spec.split(","):
        objs = []
        if c.endswith("/"):
            d = os.path.join(out, c)
            objs = [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".o")]
        elif c.endswith(".o"):
            objs = [os.path.join(out, c)]
        else:
            if len(addr.get(c, [])) != 1:
                sys.exit(f"count: caller symbol {c}: {len(addr.get(c, []))} in System.map")
            rs.append((addr[c][0], end_of(addr[c][0])))
            continue
        for o in objs:
            if not os.path.exists(o):
                sys.exit(f"count: no {o} (caller {c})")
            tab = subprocess.run(["objdump", "-t", o], capture_output=True,
                                 text=True, check=True).stdout
            lo = hi = None
            for l in tab.splitlines():
                f = l.split()
                # Local and global (not weak) functions of .text whose names
                # are unique in the kernel locate the object's .text (linked
                # contiguously); .init.text and the like are not counted.
                if len(f) != 6 or f[1] not in "lg" or f[2] != "F" or \
                   f[3] != ".text" or len(addr.get(f[5], [])) != 1:
                    continue
                a = addr[f[5]][0]
                lo = a if lo is None else min(lo, a)
                hi = a + int(f[4], 16) if hi is None else max(hi, a + int(f[4], 16))
            if lo is None:
                continue		# nothing of it linked in
            if hi - lo > 1 << 20:
                sys.exit(f"count: {o}: .text spans {hi - lo} bytes, not one object's")
            rs.append((lo, hi))
        if not rs:
            sys.exit(f"count: no .text functions of {c} in System.map")
    # Merge ranges that touch (up to function alignment padding).
    rs.sort()
    merged = [list(rs[0])]
    for lo, hi in rs[1:]:
        if lo <= merged[-1][1] + 64:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return merged

# Sections of vmlinux: (address, file offset, size).
def sections(path):
    with open(path, "rb") as f:
        eh = f.read(64)
        shoff, = struct.unpack_from("<Q", eh, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", eh, 0x3a)
        f.seek(shoff)
        tab = f.read(shentsize * shnum)
    for i in range(shnum):
        _, typ, _, a, off, size = struct.unpack_from("<IIQQQQ", tab, i * shentsize)
        if typ == 1 and a:		# SHT_PROGBITS, allocated
            yield a, off, size

VMLINUX = os.path.join(out, "vmlinux")
SECS = list(sections(VMLINUX))

def probe_offset(fn):
    """The offset of the first instruction after FN's ftrace site.

    A kprobe at the ftrace site itself is an ftrace kprobe, and the ftrace
    function profiler on the same function (harness/count's FUNCS) makes it
    miss hits.  Past the site the kprobe is an int3/jump one; the stack is
    still as at entry there, so $stack0 is still the return address."""
    if len(addr.get(fn, [])) != 1:
        sys.exit(f"count: function {fn}: {len(addr.get(fn, []))} in System.map")
    a = addr[fn][0]
    for sa, off, size in SECS:
        if sa <= a < sa + size:
            with open(VMLINUX, "rb") as f:
                f.seek(off + a - sa)
                code = f.read(9)
            break
    else:
        sys.exit(f"count: {fn} at {a:#x} is in no section of {VMLINUX}")
    o = 4 if code[:4] == b"\xf3\x0f\x1e\xfa" else 0		# endbr64
    if code[o] == 0xe8 or code[o:o + 5] == b"\x0f\x1f\x44\x00\x00":	# call __fentry__ / nop5
        return o + 5
    return 0

names = open(3, "w")
n = 0
for line in callers.strip().splitlines():
    f = line.split()
    if not f:
        continue
    if len(f) != 3:
        sys.exit(f"count: CALLERS line '{line}': want NAME FUNCTIONS CALLERS")
    flt = " || ".join(f"(caller >= {lo:#x} && caller < {hi:#x})" for lo, hi in ranges(f[2]))
    for fn in f[1].split(","):
        ev = f"cp_{n}"
        n += 1
        at = f"{fn}+{probe_offset(fn)}"
        print(f"{ev}|p:kprobes/{ev} {at} caller=$stack0:x64|{flt}")
        names.write(f"{ev} {f[0]} {fn}\n")
for fn in retneg.split():
    ev = f"cp_{n}"
    n += 1
    print(f"{ev}|r:kprobes/{ev} {fn} ret=$retval:s32|ret < 0")
    names.write(f"{ev} {fn}<0 {fn}\n")
