// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The rules for a capture on behalf of a user who is not root, by file
 * capabilities (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN). They do not bypass
 * file permissions, so files (output, input, fifos) are already opened
 * with the user's own rights; what is left to confine is what the
 * capabilities reach: BPF objects, which only the default hook
 * directory's permissions (group xdpcap) guard, and kernel memory for
 * the ring, which RLIMIT_MEMLOCK does not bound (it is not locked memory).
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xdpcap/hook.h"
#include "confine.h"

#define HOOK_PREFIX "xdp:"

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
	if (!strncmp(name, "prog:", 5)) {
		snprintf(errbuf, XDPCAP_ERRBUF_SIZE,
			 "%s refused: with the capabilities of group xdpcap, only hooks pinned in %s can be captured, not programs traced by id; %s",
			 spec, XDPCAP_DEFAULT_HOOK_DIR, run_as_root);
		return -1;
	}
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

int confine_ring(unsigned int ring_kib, char *errbuf)
{
	if (ring_kib <= CONFINE_MAX_RING_KIB)
		return 0;
	snprintf(errbuf, XDPCAP_ERRBUF_SIZE,
		 "-B %u refused: with the capabilities of group xdpcap the ring is at most %u KiB (the default); run as root for a larger one",
		 ring_kib, CONFINE_MAX_RING_KIB);
	return -1;
}
