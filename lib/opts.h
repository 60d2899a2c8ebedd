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
 * "Ours" ends with our last field, not with the struct's padding, where a
 * later version may put a field. The library works on its own full-size
 * copy. Not installed.
 */
#ifndef XDPCAP_OPTS_H
#define XDPCAP_OPTS_H

#include <stddef.h> /* offsetof */

/*
 * Where the fields this library knows of struct TYPE end: at its last
 * field, which the public header names beside the struct, as
 * TYPE__last_field (libbpf's way).
 */
#define OPTS_KNOWN(TYPE) \
	(offsetof(struct TYPE, TYPE##__last_field) + \
	 sizeof(((struct TYPE *)0)->TYPE##__last_field))

/*
 * Copy the caller's options (src, NULL for all defaults) into dst, a
 * struct of dst_sz bytes whose first member is its size_t sz and whose
 * known fields end at byte known (OPTS_KNOWN). Returns 0 or -EINVAL with
 * a message naming type.
 */
int opts_copy(void *dst, size_t dst_sz, size_t known, const void *src,
	      const char *type, char *errbuf);

/*
 * Output structs start with their size too, set by the caller (it says
 * how much it has room for): copy the library's full struct src (of
 * src_sz bytes) into the caller's dst, as much as both know. Returns 0,
 * or -EINVAL where dst's size cannot even hold itself.
 */
int opts_out(void *dst, const void *src, size_t src_sz);

/*
 * The other way: the caller's struct src (its own size first) into the
 * library's full dst of dst_sz bytes, fields it does not have as 0.
 */
void opts_in(void *dst, size_t dst_sz, const void *src);

/* The size a caller gave its struct (its first member). */
size_t opts_size(const void *p);

#endif
