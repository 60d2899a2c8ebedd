// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Option structs across library versions (see opts.h). */
#include <errno.h>
#include <string.h>

#include "opts.h"
#include "util.h"

int opts_copy(void *dst, size_t dst_sz, size_t known, const void *src,
	      const char *type, char *errbuf)
{
	size_t user_sz;

	memset(dst, 0, dst_sz);
	memcpy(dst, &dst_sz, sizeof(dst_sz));
	if (!src)
		return 0;
	memcpy(&user_sz, src, sizeof(user_sz));
	if (user_sz < sizeof(size_t)) {
		xdpcap_err(errbuf, "%s: size %zu is too small to hold its own size",
			   type, user_sz);
		return -EINVAL;
	}
	for (size_t i = known; i < user_sz; i++) {
		if (((const unsigned char *)src)[i]) {
			xdpcap_err(errbuf, "%s: byte %zu is set, past the %zu bytes this library knows (built for a newer one?)",
				   type, i, known);
			return -EINVAL;
		}
	}
	memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
	       (user_sz < known ? user_sz : known) - sizeof(size_t));
	return 0;
}

size_t opts_size(const void *p)
{
	size_t sz;

	memcpy(&sz, p, sizeof(sz));
	return sz;
}

int opts_out(void *dst, const void *src, size_t src_sz)
{
	size_t user_sz = opts_size(dst);

	if (user_sz < sizeof(size_t))
		return -EINVAL;
	memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
	       (user_sz < src_sz ? user_sz : src_sz) - sizeof(size_t));
	return 0;
}

void opts_in(void *dst, size_t dst_sz, const void *src)
{
	size_t user_sz = opts_size(src);

	memset(dst, 0, dst_sz);
	memcpy(dst, &dst_sz, sizeof(dst_sz));
	if (user_sz > sizeof(size_t))
		memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
		       (user_sz < dst_sz ? user_sz : dst_sz) - sizeof(size_t));
}
