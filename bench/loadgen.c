// SPDX-License-Identifier: GPL-2.0
/*
 * loadgen: the bench's load generator (harness/bench, bench/workloads).
 *
 *   loadgen MODE [-w WORKERS] [-t SECONDS | -n OPS] [-f PATH] [-a] [-o FDS]
 *           [-- CMD...]
 *
 * Modes (one "op" each):
 *   samefile   open, read, close of one file shared by all workers (one
 *              dentry, many openers); -f PATH (default /tmp/bench-samefile,
 *              created if missing)
 *   ocreat     open(O_WRONLY|O_CREAT) and close of one existing file in one
 *              directory (-f PATH, default /tmp/bench-ocreat/f); -a: with
 *              audit enabled and a syscall rule that matches these opens
 *   monitor    open, read to EOF, close of /proc/meminfo, /proc/stat and
 *              /proc/loadavg in turn (one file is one op)
 *   lsof       readlink of every /proc/PID/fd/N in turn (one link is one op;
 *              with -n, N is the number of passes); -f PID: of that process
 *              only
 *   top        one refresh of top(1) with its default fields (procps 4.0.2
 *              `top -b`, seen with strace): for every /proc/PID, stat() the
 *              directory, then open, read and close /proc/PID/stat and
 *              /proc/PID/statm (one process is one op; with -n, N is the
 *              number of refreshes)
 *   fds        lsof(8) on one process (lsof 4.95 `lsof -p PID`, seen with
 *              strace): for every /proc/PID/fd/N of process -f PID,
 *              readlink(), lstat() and stat() it, then open, read and close
 *              /proc/PID/fdinfo/N (one fd is one op; with -n, N is the
 *              number of passes); /proc itself is not read
 *   hold       start a process that opens /dev/null -o FDS times (default
 *              0) beside its stdin, stdout and stderr (/dev/null too) and
 *              sleeps until killed; it writes its PID to -f PATH once its
 *              fds are open, and loadgen exits then (no ops, no output)
 *   exec       run CMD (after --) to completion, stdout to /dev/null
 *   audit-on   enable audit with that rule (no ops); audit-off undoes it
 *
 * WORKERS processes (default 1) run for SECONDS (default 5), or each does
 * OPS ops.  Prints "ops=N seconds=S ops_per_sec=R workers=W" on stdout: R
 * is the sum of the workers' rates, each its ops over the time its last op
 * ended (the op under way at the end of the interval finishes and counts).
 * The audit rule is "-a always,exit -F arch=b64 -S openat -F a2&O_CREAT":
 * it matches every O_CREAT openat while it is loaded.  Without auditd the
 * records go to printk (at KERN_NOTICE).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/netlink.h>

#define MAX_WORKERS	4096

enum mode { SAMEFILE, OCREAT, MONITOR, LSOF, EXEC, AUDIT_ON, AUDIT_OFF,
	    TOP, FDS, HOLD };

static const char *const mode_names[] = {
	"samefile", "ocreat", "monitor", "lsof", "exec", "audit-on", "audit-off",
	"top", "fds", "hold",
};

/* One cache line a worker: the counters must not be shared traffic. */
struct shared {
	volatile int go;
	volatile int stop;
	double t0;
	struct {
		volatile unsigned long n;
		volatile double t;	/* when the n-th op ended, since t0 */
	} __attribute__((aligned(64))) ops[MAX_WORKERS];
};

static struct shared *sh;
static const char *path;
static char **cmd;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Open, read to EOF (or one buffer), close: one op. */
static void read_file(const char *p, int to_eof)
{
	char buf[4096];
	ssize_t n;
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		die("open %s: %s", p, strerror(errno));
	do {
		n = read(fd, buf, sizeof(buf));
	} while (to_eof && n > 0);
	if (n < 0)
		die("read %s: %s", p, strerror(errno));
	close(fd);
}

static void ocreat_once(void)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	if (fd < 0)
		die("open(O_CREAT) %s: %s", path, strerror(errno));
	close(fd);
}

/* One pass over /proc/PID/fd/N; each readlink is an op. */
static unsigned long lsof_pass(volatile int *stop)
{
	unsigned long ops = 0;
	struct dirent *p, *f;
	char dir[300], link[600], target[PATH_MAX];
	DIR *pd = opendir("/proc"), *fd;

	if (!pd)
		die("opendir /proc: %s", strerror(errno));
	while ((p = readdir(pd)) && !(stop && *stop)) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		if (path && strcmp(path, p->d_name))
			continue;
		snprintf(dir, sizeof(dir), "/proc/%s/fd", p->d_name);
		fd = opendir(dir);
		if (!fd)
			continue;	/* gone, or a kernel thread's */
		while ((f = readdir(fd))) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%s/%s", dir, f->d_name);
			if (readlink(link, target, sizeof(target)) >= 0)
				ops++;
		}
		closedir(fd);
	}
	closedir(pd);
	return ops;
}

/* Open, one read of up to 1024 bytes (as procps does), close; 0 if it opened. */
static int read_once(const char *p)
{
	char buf[1024];
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf)) < 0)
		die("read %s: %s", p, strerror(errno));
	close(fd);
	return 0;
}

/* One top refresh; each process read is an op. */
static unsigned long top_pass(volatile int *stop)
{
	unsigned long ops = 0;
	struct dirent *p;
	struct stat st;
	char dir[300], f[320];
	DIR *pd = opendir("/proc");

	if (!pd)
		die("opendir /proc: %s", strerror(errno));
	while ((p = readdir(pd)) && !(stop && *stop)) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(dir, sizeof(dir), "/proc/%s", p->d_name);
		if (stat(dir, &st))
			continue;	/* gone */
		snprintf(f, sizeof(f), "%s/stat", dir);
		if (read_once(f))
			continue;
		snprintf(f, sizeof(f), "%s/statm", dir);
		if (!read_once(f))
			ops++;
	}
	closedir(pd);
	return ops;
}

/* One lsof pass over /proc/PID/fd (PID: -f); each fd is an op. */
static unsigned long fds_pass(void)
{
	unsigned long ops = 0;
	struct dirent *f;
	struct stat st;
	char dir[300], link[600], info[600], target[PATH_MAX];
	DIR *fd;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", path);
	fd = opendir(dir);
	if (!fd)
		die("opendir %s: %s", dir, strerror(errno));
	while ((f = readdir(fd))) {
		if (f->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, f->d_name);
		snprintf(info, sizeof(info), "/proc/%s/fdinfo/%s", path, f->d_name);
		if (readlink(link, target, sizeof(target)) < 0 ||
		    lstat(link, &st) || stat(link, &st) || read_once(info))
			die("%s: %s", link, strerror(errno));
		ops++;
	}
	closedir(fd);
	return ops;
}

/*
 * hold: a child opens the fds, writes its PID to PATH (renamed into place
 * when complete) and sleeps; the parent returns once the child said so.
 */
static void hold(long nfds)
{
	char tmp[PATH_MAX], c;
	int p[2], fd, i;
	pid_t pid;
	FILE *f;

	if (pipe(p))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			die("hold: the holder died before its fds were open");
		return;
	}
	/* Nothing inherited but the pipe: the holder has 3 + FDS fds. */
	for (i = 3; i < 1024; i++)
		if (i != p[1])
			close(i);
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		die("open /dev/null: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) < 0)
			die("dup2: %s", strerror(errno));
	if (fd > 2)
		close(fd);
	for (i = 0; i < nfds; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			die("open /dev/null: %s", strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) ||
	    rename(tmp, path))
		die("hold: cannot write %s: %s", path, strerror(errno));
	if (write(p[1], "", 1) != 1)
		die("hold: %s", strerror(errno));
	close(p[1]);
	for (;;)
		pause();
}

static void exec_once(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("%s failed (status %#x)", cmd[0], status);
}

/* One op (lsof: one pass, returns the links read). */
static unsigned long do_op(enum mode m, unsigned long i, volatile int *stop)
{
	static const char *const mon[] = {
		"/proc/meminfo", "/proc/stat", "/proc/loadavg",
	};

	switch (m) {
	case SAMEFILE:
		read_file(path, 0);
		return 1;
	case OCREAT:
		ocreat_once();
		return 1;
	case MONITOR:
		read_file(mon[i % 3], 1);
		return 1;
	case LSOF:
		return lsof_pass(stop);
	case TOP:
		return top_pass(stop);
	case FDS:
		return fds_pass();
	case EXEC:
		exec_once();
		return 1;
	default:
		return 0;
	}
}

/* Audit over netlink: send one message and wait for its ack. */
static void audit_request(int type, const void *data, size_t len, int may_fail)
{
	struct {
		struct nlmsghdr h;
		char data[sizeof(struct audit_rule_data) + 64];
	} req = { 0 };
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	char buf[8192];
	ssize_t n;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);

	if (fd < 0)
		die("audit socket: %s", strerror(errno));
	if (len > sizeof(req.data))
		die("audit request too long");
	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = 1;
	memcpy(req.data, data, len);
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&addr,
		   sizeof(addr)) < 0)
		die("audit send: %s", strerror(errno));
	for (;;) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			die("audit recv: %s", strerror(errno));
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error && !may_fail)
					die("audit request %d: %s", type, strerror(-e->error));
				close(fd);
				return;
			}
		}
	}
}

static void audit_set(int enable)
{
	struct audit_status s = {
		.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_FAILURE |
			AUDIT_STATUS_BACKLOG_LIMIT | AUDIT_STATUS_BACKLOG_WAIT_TIME,
		.enabled = enable,
		.failure = AUDIT_FAIL_SILENT,
		.backlog_limit = 16384,
		.backlog_wait_time = 0,
	};

	audit_request(AUDIT_SET, &s, sizeof(s), 0);
}

/* -a always,exit -F arch=b64 -S openat -F a2&O_CREAT */
static void audit_rule(int add)
{
	struct audit_rule_data r;

	memset(&r, 0, sizeof(r));
	r.flags = AUDIT_FILTER_EXIT;
	r.action = AUDIT_ALWAYS;
	r.mask[AUDIT_WORD(__NR_openat)] |= AUDIT_BIT(__NR_openat);
	r.field_count = 2;
	r.fields[0] = AUDIT_ARCH;
	r.fieldflags[0] = AUDIT_EQUAL;
	r.values[0] = AUDIT_ARCH_X86_64;
	r.fields[1] = AUDIT_ARG2;
	r.fieldflags[1] = AUDIT_BIT_MASK;
	r.values[1] = O_CREAT;
	audit_request(add ? AUDIT_ADD_RULE : AUDIT_DEL_RULE, &r, sizeof(r), !add);
}

static void audit_on(void)
{
	audit_set(1);
	audit_rule(0);		/* at most one copy */
	audit_rule(1);
}

static void audit_off(void)
{
	audit_rule(0);
	audit_set(0);
}

static void prepare(enum mode m)
{
	struct stat st;
	char dir[PATH_MAX], *slash;
	int fd;

	switch (m) {
	case SAMEFILE:
	case OCREAT:
		if (!stat(path, &st))
			return;
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = 0;
			if (mkdir(dir, 0755) && errno != EEXIST)
				die("mkdir %s: %s", dir, strerror(errno));
		}
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0 || write(fd, "loadgen\n", 8) != 8)
			die("create %s: %s", path, strerror(errno));
		close(fd);
		return;
	case EXEC:
		if (!cmd || !cmd[0])
			die("exec: no command after --");
		return;
	default:
		return;
	}
}

static void usage(void)
{
	die("usage: loadgen samefile|ocreat|monitor|lsof|top|fds|hold|exec|"
	    "audit-on|audit-off [-w WORKERS] [-t SECONDS | -n OPS] [-f PATH] "
	    "[-a] [-o FDS] [-- CMD...]");
}

static long num_arg(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		die("%s %s: not a number in %ld..%ld", opt, s, min, max);
	return v;
}

int main(int argc, char **argv)
{
	int workers = 1, seconds = 5, audit = 0, i, c, failed = 0;
	long nfds = 0;
	unsigned long nops = 0, total = 0;
	enum mode m;
	double t0, t1, rate = 0;

	if (argc < 2)
		usage();
	for (m = 0; m < sizeof(mode_names) / sizeof(mode_names[0]); m++)
		if (!strcmp(argv[1], mode_names[m]))
			break;
	if (m == sizeof(mode_names) / sizeof(mode_names[0]))
		die("unknown mode '%s'", argv[1]);
	optind = 2;
	while ((c = getopt(argc, argv, "+w:t:n:f:ao:")) != -1) {
		switch (c) {
		case 'w':
			workers = num_arg("-w", optarg, 1, MAX_WORKERS);
			break;
		case 't':
			seconds = num_arg("-t", optarg, 1, 3600);
			break;
		case 'n':
			nops = num_arg("-n", optarg, 1, 1L << 40);
			break;
		case 'f':
			path = optarg;
			break;
		case 'a':
			audit = 1;
			break;
		case 'o':
			nfds = num_arg("-o", optarg, 0, 1 << 20);
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		cmd = argv + optind;
	if (m == AUDIT_ON || m == AUDIT_OFF) {
		if (m == AUDIT_ON)
			audit_on();
		else
			audit_off();
		return 0;
	}
	if (m == HOLD || m == FDS) {
		if (!path)
			die("%s: -f %s missing", mode_names[m], m == HOLD ? "PATH" : "PID");
		if (m == HOLD) {
			hold(nfds);
			return 0;
		}
	}
	if (!path && m != LSOF && m != TOP)
		path = m == OCREAT ? "/tmp/bench-ocreat/f" : "/tmp/bench-samefile";
	prepare(m);
	/* Before the fork: only tasks forked after audit is on get a context. */
	if (audit)
		audit_on();

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			unsigned long ops = 0, n = 0;

			while (!sh->go)
				usleep(1000);
			if (nops) {
				while (n < nops)
					ops += do_op(m, n++, NULL);
			} else {
				/*
				 * The op under way at the stop finishes and
				 * counts: each worker's rate is its ops over
				 * the time its last op ended, exact also for
				 * ops as long as a ps run.
				 */
				while (!sh->stop)
					ops += do_op(m, n++, &sh->stop);
			}
			sh->ops[i].n = ops;
			sh->ops[i].t = now() - sh->t0;
			_exit(0);
		}
	}
	t0 = sh->t0 = now();
	sh->go = 1;
	if (!nops) {
		struct timespec ts = { .tv_sec = seconds };

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		sh->stop = 1;
	}
	for (i = 0; i < workers; i++) {
		int status;

		if (wait(&status) < 0)
			die("wait: %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	t1 = now();
	for (i = 0; i < workers; i++) {
		total += sh->ops[i].n;
		if (sh->ops[i].t > 0)
			rate += sh->ops[i].n / sh->ops[i].t;
	}
	if (audit)
		audit_off();
	if (failed)
		die("%d of %d workers failed", failed, workers);
	printf("ops=%lu seconds=%.3f ops_per_sec=%.1f workers=%d\n",
	       total, t1 - t0, rate, workers);
	return 0;
}
