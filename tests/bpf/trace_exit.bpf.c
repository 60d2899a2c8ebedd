// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * An fexit program as libbpf builds one, attached to an XDP program's
 * function at load time: it notes each run's verdict and packet length.
 * The tests compare what it sees with what xdpcap's own probe says.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* the kernel's, as far as read here (CO-RE finds the offsets) */
struct xdp_buff {
	void *data;
	void *data_end;
} __attribute__((preserve_access_index));

__u64 runs;
__s32 last_ret;
__u64 last_len;

SEC("fexit/xdp_traced")
int BPF_PROG(trace_exit, struct xdp_buff *xdp, int ret)
{
	runs++;
	last_ret = ret;
	last_len = (__u64)(xdp->data_end - xdp->data);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
