// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* xdpcap -r: replay a capture file through the filter in the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "xdpcap/filter_prog.h"
#include "xdpcap/replay.h"
#include "cmd.h"

int cmd_replay(const char *in_path, const char *out_path, char **filter,
	       int nfilter, uint32_t netmask, int verbose)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	XDPCAP_OPTS(xdpcap_replay_stats, stats);
	struct xdpcap_replay *replay;
	char *expr, *log = NULL;
	int err, ret = 0;

	expr = xdpcap_expr_join(filter, nfilter);
	if (!expr) {
		p_err("out of memory");
		return EXIT_RUNTIME;
	}
	err = xdpcap_replay_open_mask(in_path, expr, netmask, &replay, errbuf);
	free(expr);
	if (err) {
		p_err("%s", errbuf);
		return exit_status(err);
	}
	err = xdpcap_replay_load(replay, verbose ? &log : NULL, errbuf);
	if (err) {
		p_err("%s", errbuf);
		if (log)
			fprintf(stderr, "%s", log);
		free(log);
		ret = exit_status(err);
		goto out;
	}
	err = xdpcap_replay_run(replay, out_path, &stats, errbuf);
	if (stats.cut)
		p_err("%llu packets longer than %u bytes were filtered on their first %u bytes (the most the kernel's test runs take) and their real length",
		      (unsigned long long)stats.cut, xdpcap_filter_prog_max_caplen(),
		      xdpcap_filter_prog_max_caplen());
	if (err) {
		p_err("%s", errbuf);
		ret = exit_status(err);
		goto out;
	}
	if (verbose)
		fprintf(stderr, "%llu packets read, %llu matched\n",
			(unsigned long long)stats.packets,
			(unsigned long long)stats.matched);
out:
	xdpcap_replay_close(replay);
	return ret;
}
