/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* What finding hooks and reading their slots share. Not installed. */
#ifndef XDPCAP_HOOK_INT_H
#define XDPCAP_HOOK_INT_H

#include <errno.h>
#include <stdbool.h>

/* What a refusal for lack of privileges says. */
#define hook_not_permitted "not permitted: run as root (CAP_BPF and CAP_NET_ADMIN)"

/* A refusal for lack of privileges. */
static inline bool hook_is_perm(int err)
{
	return err == -EPERM || err == -EACCES;
}

#endif
