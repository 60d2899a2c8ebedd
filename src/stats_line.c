// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <stdio.h>

#include "stats_line.h"

static const char *const short_names[XDPCAP_ACTIONS] = {
	"XDPAborted", "XDPDrop", "XDPPass", "XDPTx", "XDPRedirect",
};

static unsigned long long total(const unsigned long long *v, unsigned int actions)
{
	unsigned long long sum = 0;

	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++)
		if (actions & (1u << a))
			sum += v[a];
	return sum;
}

void stats_line_format(char *buf, size_t len,
		       const struct xdpcap_capture_stats *st,
		       unsigned int actions)
{
	unsigned long long dropped[XDPCAP_ACTIONS];
	size_t used = 0;

	buf[0] = 0;
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		dropped[a] = st->dropped[a];
		if (!(actions & (1u << a)) || used >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s: %llu/%llu   ",
					 short_names[a],
					 (unsigned long long)st->received[a],
					 (unsigned long long)st->matched[a]);
	}
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used,
					 "(received/matched packets)");
	if (used < len && total(dropped, actions))
		snprintf(buf + used, len - used, "   LOST: %llu (ring full)",
			 total(dropped, actions));
}

void stats_summary_print(FILE *out, const struct xdpcap_capture_stats *st,
			 unsigned int actions, unsigned long long written,
			 unsigned long long discarded)
{
	unsigned long long received[XDPCAP_ACTIONS], matched[XDPCAP_ACTIONS];
	unsigned long long dropped[XDPCAP_ACTIONS];

	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		received[a] = st->received[a];
		matched[a] = st->matched[a];
		dropped[a] = st->dropped[a];
	}
	fprintf(out, "%llu packets written\n", written);
	fprintf(out, "%llu packets received at the hook\n", total(received, actions));
	fprintf(out, "%llu packets matched the filter\n", total(matched, actions));
	fprintf(out, "%llu packets lost (capture ring full)\n", total(dropped, actions));
	if (discarded)
		fprintf(out, "%llu packets discarded (matched, but the capture ended before they were written)\n",
			discarded);
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++)
		if (actions & (1u << a))
			fprintf(out, "  %-12s %llu received, %llu matched, %llu lost\n",
				short_names[a], received[a], matched[a], dropped[a]);
}
