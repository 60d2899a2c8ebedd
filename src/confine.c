// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The rules for a capture on behalf of a user who is not root, by file
 * capabilities (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN). Those capabilities
 * do not bypass file permissions, so files (output, input, fifos) are
 * already opened with the user's own rights; what is left to confine is
 * what the capabilities reach: BPF objects, which only the default hook
 * directory's permissions (group xdpcap) guard, and locked memory.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xdpcap/hook.h"
#include "confine.h"

#define HOOK_PREFIX "xdp:"
#define PAGE_KIB 4
/* the library's default ring: 64 MiB over all CPUs, at least 4 MiB each */
#define DEFAULT_RING_TOTAL_KIB (64 * 1024)
#define MIN_DEFAULT_RING_KIB 4096
#define MIN_RING_KIB 8

static const char run_as_root[] = "run as root for that";

bool confine_active(void)
{
	/* AT_SECURE: the kernel marked this exec as gaining privileges */
	return getauxval(AT_SECURE) && getuid() != 0;
}

static bool is_default_dir(const char *dir)
{
	return !strcmp(dir, XDPCAP_DEFAULT_HOOK_DIR) ||
	       !strcmp(dir, XDPCAP_DEFAULT_HOOK_DIR "/");
}

int confine_hook_dir(const char *hook_dir, char *errbuf)
{
	const char *env = getenv("XDPCAP_HOOK_DIR");

	if (hook_dir && *hook_dir && !is_default_dir(hook_dir)) {
		snprintf(errbuf, XDPCAP_ERRBUF_SIZE,
			 "--hook-dir %s refused: with the capabilities of group xdpcap, hooks come from %s only; %s",
			 hook_dir, XDPCAP_DEFAULT_HOOK_DIR, run_as_root);
		return -1;
	}
	if (env && *env && !is_default_dir(env)) {
		snprintf(errbuf, XDPCAP_ERRBUF_SIZE,
			 "XDPCAP_HOOK_DIR=%s refused: with the capabilities of group xdpcap, hooks come from %s only; unset it, or %s",
			 env, XDPCAP_DEFAULT_HOOK_DIR, run_as_root);
		return -1;
	}
	return 0;
}

int confine_hook(const char *spec, char *errbuf)
{
	const char *name = spec;
	char path[512];
	struct stat st;

	if (!strncmp(name, HOOK_PREFIX, strlen(HOOK_PREFIX)))
		name += strlen(HOOK_PREFIX);
	if (name[0] == '/') {
		snprintf(errbuf, XDPCAP_ERRBUF_SIZE,
			 "hook path %s refused: with the capabilities of group xdpcap, name a hook pinned in %s as xdp:NAME; %s",
			 name, XDPCAP_DEFAULT_HOOK_DIR, run_as_root);
		return -1;
	}
	/* a pinned hook goes first, as in the library; it checks the name */
	if (snprintf(path, sizeof(path), "%s/%s", XDPCAP_DEFAULT_HOOK_DIR,
		     name) < (int)sizeof(path) && !lstat(path, &st))
		return 0;
	if (*name && !strchr(name, '/') && if_nametoindex(name)) {
		snprintf(errbuf, XDPCAP_ERRBUF_SIZE,
			 "%s is a network interface: finding the hook of an interface's XDP program needs CAP_SYS_ADMIN, which group xdpcap does not have; pin the hook in %s (group xdpcap, mode 0660) and name it xdp:NAME, or %s",
			 name, XDPCAP_DEFAULT_HOOK_DIR, run_as_root);
		return -1;
	}
	return 0; /* not there: the library says so, with the hooks that are */
}

static unsigned long read_ulong(const char *path, unsigned long fallback)
{
	unsigned long v;
	FILE *f = fopen(path, "re");
	int n;

	if (!f)
		return fallback;
	n = fscanf(f, "%lu", &v);
	fclose(f);
	return n == 1 ? v : fallback;
}

/* Ring memory per CPU (KiB, with its header page) the kernel lets us lock. */
static unsigned long long allowance_per_cpu_kib(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	struct rlimit rl;
	unsigned long long total;

	if (online < 1)
		online = 1;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return ~0ull;
	/* perf's own allowance for each online CPU, then RLIMIT_MEMLOCK */
	total = read_ulong("/proc/sys/kernel/perf_event_mlock_kb", 516) *
		(unsigned long long)online + rl.rlim_cur / 1024;
	return total / (unsigned long long)online;
}

unsigned int confine_ring_kib(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long long allowed = allowance_per_cpu_kib();
	unsigned long long want;

	want = cpus > 0 ? DEFAULT_RING_TOTAL_KIB / (unsigned long long)cpus :
		MIN_DEFAULT_RING_KIB;
	if (want < MIN_DEFAULT_RING_KIB)
		want = MIN_DEFAULT_RING_KIB;
	if (allowed >= want + PAGE_KIB)
		return 0;
	if (allowed < MIN_RING_KIB + PAGE_KIB)
		return MIN_RING_KIB; /* too little: the kernel will say so */
	return (unsigned int)(allowed - PAGE_KIB);
}

int confine_ring(unsigned int ring_kib, char *errbuf)
{
	unsigned long long allowed = allowance_per_cpu_kib();

	if ((unsigned long long)ring_kib + PAGE_KIB <= allowed)
		return 0;
	snprintf(errbuf, XDPCAP_ERRBUF_SIZE,
		 "-B %u is more than this user may lock: %llu KiB per CPU (perf_event_mlock_kb per CPU, plus ulimit -l over all CPUs), 4 KiB of it for the ring's header; give -B %llu or less, or raise the memlock limit of group xdpcap (/etc/security/limits.conf)",
		 ring_kib, allowed,
		 allowed > PAGE_KIB ? allowed - PAGE_KIB : 0);
	return -1;
}
