# SPDX-License-Identifier: GPL-2.0
# Common helpers for the harness scripts.  Source it; do not run it.

set -o errexit -o nounset -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian's tools first: the kernel's scripts (checkpatch's spdxcheck.py,
# kunit.py) need the python3 modules installed from Debian's archive, not
# whatever python3 a version manager puts first in PATH.
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
# HARNESS_BUILD: another build directory (the harness's own tests use one).
BUILD=${HARNESS_BUILD:-$ROOT/build}

PROG=$(basename "$0")

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

say() {
	echo "$PROG: $*" >&2
}

# The base the series is developed against: BASE=mainline (default; series/,
# the series to post) or BASE=6.12 (the LTS backport, series-6.12/).  Each
# base has its pin (bases/BASE.pin), its series directory, its cover-letter
# source, its bench numbers, its work tree and its worktrees.
KNOWN_BASES="mainline 6.12"
BASE=${BASE:-mainline}
case $BASE in
mainline) SFX=;;
6.12) SFX=-6.12;;
*) die "unknown BASE '$BASE' (known: ${KNOWN_BASES// /, })";;
esac
export BASE
# BASE_PIN: another pin file (the harness's own tests use fake ones).
PIN=${BASE_PIN:-$ROOT/bases/$BASE.pin}
[ -f "$PIN" ] || die "no pin file $PIN for BASE=$BASE"
WORK=$BUILD/linux$SFX			# the editable work tree
TREES=$BUILD/trees$SFX			# base/, series/, bisect/: worktrees of $WORK
# HARNESS_SERIES_DIR: another series (harness/matrix's MATRIX_SERIES=REF).
SERIES_DIR=${HARNESS_SERIES_DIR:-$ROOT/series$SFX}
COVER_SRC=$ROOT/README.series$SFX
BENCH_DATA=$ROOT/bench/$BASE		# committed numbers for the cover letter
CONFIG_DIR=$ROOT/config
RESULTS=$BUILD/results$SFX

# The identity of the series when nobody's git identity is set
# (harness/export says so when it uses it).
SERIES_NAME="Procfs Scalability Series"
SERIES_EMAIL=series@procfs-rcu.invalid

# shellcheck source=../bases/mainline.pin
. "$PIN"

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
# Depend mode: a miss compiles once and takes the inputs from kbuild's
# -MMD file, instead of running the preprocessor a second time to hash
# its output (a cold kunit kernel: 861 s against 931 s).  Depend mode
# does not see files pulled in by .incbin: harness/cc keeps such sources
# out of ccache.
export CCACHE_DEPEND=${CCACHE_DEPEND:-1}
JOBS=${JOBS:-$(($(nproc) + 1))}

# The patches of the series, in order, without the cover letter.
series_patches() {
	[ -d "$SERIES_DIR" ] || return 0
	find "$SERIES_DIR" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name '0000-cover-letter.patch' | sort
}

# Install Debian packages that are missing (names as arguments).
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	mkdir -p "$BUILD"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
		>"$BUILD/apt.log" 2>&1; then
		apt-get update -q >>"$BUILD/apt.log" 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
			>>"$BUILD/apt.log" 2>&1 ||
			die "apt-get install ${missing[*]} failed (see $BUILD/apt.log)"
	fi
}

# Everything a kernel build, a guest run and the checks need.
# Most vCPUs a guest of the harness kernels (no ACPI: QEMU's microvm
# machine, CPUs from qboot's MP table) can have: above 255 the APIC IDs
# need x2APIC and ACPI, and qboot numbers the IOAPIC after the last CPU,
# in a byte.  The default vCPU count is the host's CPUs, at most that.
MICROVM_MAX_CPUS=254
# The b4 that export makes the postings with (Debian bookworm's): its
# output is committed, so another version is refused, not followed.
B4_VERSION=0.12.0

# Does the kernel built in out dir $1 have ACPI?  Then it boots on the pc
# machine (harness/vm, kvm-probe), else on microvm.
kernel_has_acpi() {
	grep -q '^CONFIG_ACPI=y' "$1/.config" 2>/dev/null
}
default_smp() {
	local n
	n=$(nproc)
	echo $((n > MICROVM_MAX_CPUS ? MICROVM_MAX_CPUS : n))
}

HOST_PKGS=(build-essential bc bison flex libelf-dev libssl-dev cpio rsync
	   ccache sparse qemu-system-x86 busybox-static python3 git xz-utils
	   kmod perl python3-ply python3-git python3-docutils
	   debian-archive-keyring libcap-dev)

# The bench's load generator (bench/loadgen.c), built static on the host so
# that a guest runs it without loading shared libraries; prints its path.
build_loadgen() {
	local src=$ROOT/bench/loadgen.c bin=$BUILD/bench/loadgen
	mkdir -p "$BUILD/bench"
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		gcc -O2 -Wall -Wextra -Werror -static -o "$bin.tmp" "$src" >&2 ||
			die "cannot build $src"
		mv "$bin.tmp" "$bin"
	fi
	echo "$bin"
}

# The identity the series was exported with: the From: of its patches
# (RFC 2047 decoded), which must all agree.
series_ident() {
	perl -CS -MEncode -0777 -ne '
		my ($h) = /\A(.*?)\n\n/s; $h =~ s/\n[ \t]+/ /g;
		print decode("MIME-Header", $1), "\n" if $h =~ /^From: (.*)$/m' \
		"$SERIES_DIR"/[0-9][0-9][0-9][0-9]-*.patch | sort -u
}

# Die with a clear message when the series of this base has no patch yet.
need_series() {
	[ -n "$(series_patches)" ] ||
		die "${SERIES_DIR#"$ROOT"/} (BASE=$BASE) holds no patch yet${1:+: $1}"
}

base_commit() {
	git -C "$WORK" rev-parse -q --verify refs/tags/base^{commit} 2>/dev/null ||
		die "no base commit in $WORK (run: make tree)"
}

# Stage timer: stage NAME starts a stage, stage_end closes it.
STAGE_NAME=
STAGE_T0=0
stage() {
	STAGE_NAME=$1
	STAGE_T0=$SECONDS
	echo "=== $STAGE_NAME" >&2
}
stage_end() {
	printf '=== %s: done in %dm%02ds\n' "$STAGE_NAME" \
		$(((SECONDS - STAGE_T0) / 60)) $(((SECONDS - STAGE_T0) % 60)) >&2
}
