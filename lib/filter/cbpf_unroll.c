// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Loops in cBPF, made straight for the kernel.
 *
 * libpcap jumps backwards only in "protochain": it walks a packet's
 * header chain in a loop. The translators want a program that only jumps
 * forward (cbpf_flow.c's analysis relies on it, and the verifier's own
 * loop support would have to explore every round), so a program with
 * backward jumps is rewritten into one without, with the same result for
 * every packet that takes fewer than a fixed number of backward jumps:
 *
 *   head      instructions before the first backward jump target t
 *   copy 0    instructions t..end, as they are
 *   copy 1    the same again
 *   ...
 *   copy K-1
 *   give up   ret #give_up
 *
 * Forward jumps stay inside their copy, relative offsets unchanged. A
 * backward jump of copy i to instruction u (u >= t) becomes a jump
 * forward to u in copy i + 1, which runs exactly what u would have run;
 * in the last copy it goes to "give up". So a packet gets libpcap's
 * answer if libpcap's interpreter takes at most K - 1 backward jumps on
 * it, and give_up otherwise. K is as large as fits in BPF_MAXINSNS
 * instructions, and at least 2 (a program of up to twice that length,
 * which only the translators see).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf.h"
#include "util.h"

static bool jumps_backwards(const struct sock_filter *f)
{
	return f->code == (BPF_JMP | BPF_JA) && (int32_t)f->k < 0;
}

int cbpf_unroll(const struct xdpcap_cbpf *prog, uint32_t give_up,
		struct xdpcap_cbpf *out, uint32_t *rounds, char *errbuf)
{
	size_t len = prog->len, t = len, region, copies, n = 0;
	struct sock_filter *insns;

	*rounds = 0;
	for (size_t i = 0; i < len; i++) {
		if (!jumps_backwards(&prog->insns[i]))
			continue;
		size_t to = (size_t)((int64_t)i + 1 + (int32_t)prog->insns[i].k);

		if (to < t)
			t = to;
	}
	if (t == len) {
		insns = malloc(len * sizeof(*insns));
		if (!insns) {
			xdpcap_err(errbuf, "out of memory");
			return -ENOMEM;
		}
		memcpy(insns, prog->insns, len * sizeof(*insns));
		*out = (struct xdpcap_cbpf){ .insns = insns, .len = len };
		return 0;
	}

	region = len - t;
	copies = (BPF_MAXINSNS - 1 - t) / region;
	if (copies < 2)
		copies = 2;
	insns = malloc((t + copies * region + 1) * sizeof(*insns));
	if (!insns) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	memcpy(insns, prog->insns, t * sizeof(*insns));
	n = t;
	for (size_t c = 0; c < copies; c++) {
		size_t base = t + c * region;

		for (size_t i = t; i < len; i++) {
			struct sock_filter f = prog->insns[i];

			if (jumps_backwards(&f)) {
				size_t to = (size_t)((int64_t)i + 1 + (int32_t)f.k);
				/* u in the next copy, or the give-up return */
				size_t dest = c + 1 < copies ?
					base + region + (to - t) :
					t + copies * region;

				f.k = (uint32_t)(dest - (n + 1));
			}
			insns[n++] = f;
		}
	}
	insns[n++] = (struct sock_filter){ .code = BPF_RET | BPF_K, .k = give_up };
	*out = (struct xdpcap_cbpf){ .insns = insns, .len = n };
	*rounds = (uint32_t)copies - 1;
	return 0;
}
