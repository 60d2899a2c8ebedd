// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The one place that talks to libpcap's compiler: filter text in, cBPF out.
 * libpcap's struct bpf_insn and the kernel's struct sock_filter have the
 * same layout; we copy field by field rather than rely on it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pcap.h>

#include "xdpcap/filter.h"
#include "pcap_glue.h"
#include "util.h"

int cbpf_compile_on(pcap_t *handle, const char *expr, uint32_t netmask,
		    struct xdpcap_cbpf *prog, char *errbuf)
{
	struct bpf_program bp;
	int err = 0;

	prog->insns = NULL;
	prog->len = 0;
	if (pcap_compile(handle, &bp, expr ? expr : "", 1, netmask) < 0) {
		xdpcap_err(errbuf, "bad filter: %s", pcap_geterr(handle));
		return -EINVAL;
	}
	prog->insns = calloc(bp.bf_len, sizeof(*prog->insns));
	if (!prog->insns) {
		err = -ENOMEM;
		xdpcap_err(errbuf, "out of memory");
		goto out;
	}
	for (u_int i = 0; i < bp.bf_len; i++) {
		prog->insns[i].code = bp.bf_insns[i].code;
		prog->insns[i].jt = bp.bf_insns[i].jt;
		prog->insns[i].jf = bp.bf_insns[i].jf;
		prog->insns[i].k = bp.bf_insns[i].k;
	}
	prog->len = bp.bf_len;
out:
	pcap_freecode(&bp);
	return err;
}

int xdpcap_cbpf_from_expr(const char *expr, int linktype, uint32_t snaplen,
			  struct xdpcap_cbpf *prog, char *errbuf)
{
	return xdpcap_cbpf_from_expr_mask(expr, linktype, snaplen, 0, prog,
					  errbuf);
}

int xdpcap_cbpf_from_expr_mask(const char *expr, int linktype,
			       uint32_t snaplen, uint32_t netmask,
			       struct xdpcap_cbpf *prog, char *errbuf)
{
	pcap_t *dead;
	int err;

	prog->insns = NULL;
	prog->len = 0;
	dead = pcap_open_dead(linktype, (int)snaplen);
	if (!dead) {
		xdpcap_err(errbuf, "libpcap cannot open link type %d", linktype);
		return -ENOMEM;
	}
	err = cbpf_compile_on(dead, expr, netmask, prog, errbuf);
	pcap_close(dead);
	return err;
}

char *xdpcap_expr_join(char *const *words, int count)
{
	size_t len = 1;
	char *expr;

	for (int i = 0; i < count; i++)
		len += strlen(words[i]) + 1;
	expr = calloc(1, len);
	if (!expr)
		return NULL;
	for (int i = 0; i < count; i++) {
		if (i)
			strcat(expr, " ");
		strcat(expr, words[i]);
	}
	return expr;
}

void xdpcap_cbpf_free(struct xdpcap_cbpf *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	prog->insns = NULL;
	prog->len = 0;
}

void xdpcap_cbpf_dump(FILE *out, const struct xdpcap_cbpf *prog)
{
	for (size_t i = 0; i < prog->len; i++) {
		struct bpf_insn insn = {
			.code = prog->insns[i].code,
			.jt = prog->insns[i].jt,
			.jf = prog->insns[i].jf,
			.k = prog->insns[i].k,
		};

		fprintf(out, "%s\n", bpf_image(&insn, (int)i));
	}
}
