// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "stats_line.h"

/* entry first: packets pass it before their verdicts, the actions 0-4 */
static const unsigned int slot_order[XDPCAP_SLOTS] = {
	XDPCAP_SLOT_ENTRY, 0, 1, 2, 3, 4,
};

/* the summary's names */
static const char *const short_names[XDPCAP_SLOTS] = {
	"XDPAborted", "XDPDrop", "XDPPass", "XDPTx", "XDPRedirect", "XDPEntry",
};

/* The counters by slot, the entry's included. */
struct slot_counts {
	unsigned long long received[XDPCAP_SLOTS], matched[XDPCAP_SLOTS];
	unsigned long long dropped[XDPCAP_SLOTS], skipped[XDPCAP_SLOTS];
};

static void slot_counts(const struct xdpcap_capture_stats *st, struct slot_counts *c)
{
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		c->received[a] = st->received[a];
		c->matched[a] = st->matched[a];
		c->dropped[a] = st->dropped[a];
		c->skipped[a] = st->skipped[a];
	}
	c->received[XDPCAP_SLOT_ENTRY] = st->entry_received;
	c->matched[XDPCAP_SLOT_ENTRY] = st->entry_matched;
	c->dropped[XDPCAP_SLOT_ENTRY] = st->entry_dropped;
	c->skipped[XDPCAP_SLOT_ENTRY] = st->entry_skipped;
}

static unsigned long long total(const unsigned long long *v, unsigned int actions)
{
	unsigned long long sum = 0;

	for (unsigned int a = 0; a < XDPCAP_SLOTS; a++)
		if (actions & (1u << a))
			sum += v[a];
	return sum;
}

/* n bytes as "412 B", "1.2 kB", "3.4 MB", "5.6 GB" (powers of 1000) */
static void human_bytes(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB" };
	double v = (double)n;
	unsigned int u = 0;

	if (n < 1000) {
		snprintf(buf, len, "%llu B", (unsigned long long)n);
		return;
	}
	for (v /= 1000; v >= 999.95 && u < 3; u++)
		v /= 1000;
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

/* " (drop 3, tx 2)": the matches of each action that has some */
static void by_action(char *buf, size_t len, const struct slot_counts *c,
		      unsigned int actions)
{
	static const char *const names[XDPCAP_SLOTS] = {
		"aborted", "drop", "pass", "tx", "redirect", "entry",
	};
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < XDPCAP_SLOTS && used < len; i++) {
		unsigned int a = slot_order[i];

		if (!(actions & (1u << a)) || !c->matched[a])
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s %llu",
					 used ? ", " : " (", names[a], c->matched[a]);
	}
	if (used && used < len)
		snprintf(buf + used, len - used, ")");
}

void stats_line_format(char *buf, size_t len,
		       const struct xdpcap_capture_stats *st,
		       unsigned int actions, const struct stats_line_extra *x)
{
	const unsigned int entry = 1u << XDPCAP_SLOT_ENTRY;
	char counts[160], breakdown[160], tail[96], bytes[24];
	const char *file = x->file ? x->file : "";
	size_t room, flen = strlen(file);
	struct slot_counts c;
	int used;

	slot_counts(st, &c);
	human_bytes(bytes, sizeof(bytes), x->file_bytes);
	by_action(breakdown, sizeof(breakdown), &c, actions);
	used = snprintf(tail, sizeof(tail), ", %llu written, %s", x->written, bytes);
	if (total(c.dropped, actions) && used > 0 && (size_t)used < sizeof(tail))
		used += snprintf(tail + used, sizeof(tail) - (size_t)used, ", %llu LOST",
				 total(c.dropped, actions));
	if (total(c.skipped, actions) && used > 0 && (size_t)used < sizeof(tail))
		snprintf(tail + used, sizeof(tail) - (size_t)used, ", %llu skipped",
			 total(c.skipped, actions));
	snprintf(counts, sizeof(counts), "%llu received, %llu matched",
		 total(c.received, actions & entry ? entry : actions), total(c.matched, actions));
	/* on a terminal, what does not fit goes: the breakdown, then the
	 * file name's start */
	if (x->width && strlen(counts) + strlen(breakdown) + strlen(tail) + 2 + flen > x->width)
		breakdown[0] = '\0';
	used = snprintf(buf, len, "%s%s%s", counts, breakdown, tail);
	if (!flen || used < 0 || (size_t)used + 2 >= len)
		return;
	room = x->width ? (x->width > (size_t)used + 2 ? x->width - (size_t)used - 2 : 0) : flen;
	if (room >= flen)
		snprintf(buf + used, len - (size_t)used, "  %s", file);
	else if (room > 3)
		snprintf(buf + used, len - (size_t)used, "  ...%s", file + flen - (room - 3));
}

void stats_summary_print(FILE *out, const struct xdpcap_capture_stats *st,
			 unsigned int actions, unsigned long long written,
			 unsigned long long discarded, const char *why)
{
	const unsigned int entry = 1u << XDPCAP_SLOT_ENTRY;
	struct slot_counts c;

	slot_counts(st, &c);
	fprintf(out, "%llu packets written\n", written);
	/* with an entry capture, every packet passes the entry once */
	fprintf(out, "%llu packets received at the hook\n",
		total(c.received, actions & entry ? entry : actions));
	if (actions & entry)
		fprintf(out, "%llu packets matched the filter as they arrived, %llu of them captured again on the way out\n",
			c.matched[XDPCAP_SLOT_ENTRY], total(c.matched, actions & ~entry));
	else
		fprintf(out, "%llu packets matched the filter\n", total(c.matched, actions));
	fprintf(out, "%llu packets lost (capture ring full)\n", total(c.dropped, actions));
	if (total(c.dropped, actions))
		fprintf(out, "To lose fewer: a larger ring (-B), fewer packets (--sample, --max-rate, a narrower filter), or a faster disk or reader.\n");
	if (total(c.skipped, actions))
		fprintf(out, "%llu packets skipped (matched, left out in the kernel by --sample or --max-rate)\n",
			total(c.skipped, actions));
	if (st->entry_failed)
		fprintf(out, "%llu packets aborted: the program could not be run again after the entry capture\n",
			(unsigned long long)st->entry_failed);
	if (discarded && why)
		fprintf(out, "%llu packets discarded (matched, but not written: %s)\n",
			discarded, why);
	else if (discarded)
		fprintf(out, "%llu packets discarded (matched, but the capture ended before they were written)\n",
			discarded);
	for (unsigned int i = 0; i < XDPCAP_SLOTS; i++) {
		unsigned int a = slot_order[i];

		if (actions & (1u << a))
			fprintf(out, "  %-12s %llu received, %llu matched, %llu lost, %llu skipped\n",
				short_names[a], c.received[a], c.matched[a], c.dropped[a],
				c.skipped[a]);
	}
}

void stats_hook_summary_print(FILE *out, const struct xdpcap_capture_stats *st,
			      unsigned int actions, unsigned long long written,
			      unsigned long long discarded)
{
	const unsigned int entry = 1u << XDPCAP_SLOT_ENTRY;
	struct slot_counts c;

	slot_counts(st, &c);
	fprintf(out, "  %llu written, %llu received, %llu matched, %llu lost, %llu skipped",
		written, total(c.received, actions & entry ? entry : actions),
		total(c.matched, actions), total(c.dropped, actions), total(c.skipped, actions));
	if (discarded)
		fprintf(out, ", %llu discarded", discarded);
	fputc('\n', out);
}
