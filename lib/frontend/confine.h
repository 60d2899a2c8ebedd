/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What a user who is not root may ask for when xdpcap or its extcap runs
 * with the file capabilities the package gives them (group xdpcap): to
 * capture from the hooks pinned in the default hook directory, and
 * nothing else. Both front ends check their arguments here before the
 * library sees them.
 */
#ifndef XDPCAP_CONFINE_H
#define XDPCAP_CONFINE_H

#include <stdbool.h>

/*
 * Whether this process gained privileges at exec (file capabilities,
 * setuid or setgid) for a user who is not root. Root, and processes whose
 * capabilities were handed down by their parent (a service's ambient
 * capabilities), are not confined.
 */
bool confine_active(void);

/*
 * Each returns 0 when the value is allowed, or -1 with a message in errbuf
 * (XDPCAP_ERRBUF_SIZE bytes) that says what is refused and what to do.
 */

/* A hook directory (NULL: none given) and $XDPCAP_HOOK_DIR: the default only. */
int confine_hook_dir(const char *hook_dir, char *errbuf);

/*
 * A hook: xdp:NAME or NAME pinned in the default hook directory. Paths
 * are refused, and so are interface names: finding the hook of an
 * interface's XDP program needs CAP_SYS_ADMIN.
 */
int confine_hook(const char *spec, char *errbuf);

/*
 * The ring a capture asks for with -B, in KiB: at most the library's
 * default, 64 MiB. A BPF ring buffer is not locked memory, so no limit of
 * the user's (ulimit -l) bounds it: a member may not ask for more.
 */
#define CONFINE_MAX_RING_KIB (64 * 1024)
int confine_ring(unsigned int ring_kib, char *errbuf);

#endif
