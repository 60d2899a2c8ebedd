/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Option structs across library versions, by libbpf's rule. Each public
 * options struct starts with its size, as the caller's build knew it:
 *
 *   smaller than ours  an older caller: the fields it did not know are
 *                      taken as 0 (their defaults);
 *   larger than ours   a newer caller: accepted if every byte we do not
 *                      know is 0 (it asked for nothing we cannot do),
 *                      refused otherwise.
 *
 * The library works on its own full-size copy. Not installed.
 */
#ifndef XDPCAP_OPTS_H
#define XDPCAP_OPTS_H

#include <stddef.h>

/*
 * Copy the caller's options (src, NULL for all defaults) into dst, a
 * struct of dst_sz bytes whose first member is its size_t sz. Returns 0
 * or -EINVAL with a message naming type.
 */
int opts_copy(void *dst, size_t dst_sz, const void *src, const char *type,
	      char *errbuf);

#endif
