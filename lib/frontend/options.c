// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The capture options, and what is made of them (see options.h). */
#include <string.h>

#include "xdpcap/capture.h"
#include "args.h"
#include "options.h"
#include "report.h"

#define FIELD(f) .field = offsetof(struct capture_args, f), \
		 .size = sizeof(((struct capture_args *)0)->f)
#define COMMAND FRONTEND_COMMAND
#define BOTH (FRONTEND_COMMAND | FRONTEND_EXTCAP)

const struct option_def option_defs[] = {
	{ "interface", 'i', "HOOK", OPTION_HOOK, .frontends = COMMAND,
	  .text = "capture from HOOK (give it up to 16 times)" },
	{ "prog", 0, "ID", OPTION_PROG, .frontends = COMMAND,
	  .text = "capture XDP program ID by tracing it, as if named xdp:prog:ID: "
		  "one that libxdp's dispatcher runs, or any (xdpcap list shows "
		  "their ids)" },
	{ "actions", 0, "LIST", OPTION_ACTIONS, FIELD(actions), .frontends = BOTH,
	  .text = "XDP actions to capture: aborted, drop, pass, tx, redirect or "
		  "0-4, all, comma-separated (default: all), and entry: each "
		  "packet as it arrived too",
	  .place = 1, .label = "XDP actions",
	  .tooltip_more = " (before the program changed it; the filter applies "
			  "there), with the packet id of its verdict" },
	{ "entry", 0, NULL, OPTION_FLAG, FIELD(entry), .frontends = COMMAND,
	  .text = "capture each packet as it arrived as well, before the program "
		  "changed it, with the same packet id as its verdict's (needs a "
		  "hook with an entry slot, or a program traced); FILTER applies "
		  "to the packet as it arrived" },
	{ "snaplen", 's', "N", OPTION_NUMBER, FIELD(snaplen),
	  .min = 0, .max = ARG_SNAPLEN_MAX, .initial = XDPCAP_DEFAULT_SNAPLEN,
	  .frontends = BOTH,
	  .text = "bytes to keep of each packet, 1 to 262144, or 0 for 262144 as "
		  "with tcpdump (default 262144; at most 65000 are copied from "
		  "the kernel)",
	  .place = 2, .label = "Snap length" },
	{ "count", 'c', "N", OPTION_NUMBER, FIELD(count), .min = 1, .max = ~0ull,
	  .frontends = COMMAND, .text = "stop after N packets" },
	{ NULL, 'C', "MB", OPTION_NUMBER, FIELD(rotate_mb), .min = 1,
	  .max = 1000000000ull, .frontends = COMMAND,
	  .text = "start a new file before a packet once the file holds MB "
		  "millions of bytes: OUTPUT, OUTPUT1, OUTPUT2, ..." },
	{ NULL, 'G', "SECONDS", OPTION_NUMBER, FIELD(rotate_seconds), .min = 1,
	  .max = 0x7fffffff, .frontends = COMMAND,
	  .text = "start a new file every SECONDS; OUTPUT may hold strftime(3) "
		  "conversions (%Y%m%d-%H%M%S), as tcpdump's" },
	{ NULL, 'W', "COUNT", OPTION_NUMBER, FIELD(rotate_count), .min = 1,
	  .max = 0x7fffffff, .frontends = COMMAND,
	  .text = "with -C: COUNT files in turn, OUTPUT0 to OUTPUT<COUNT-1>, the "
		  "oldest overwritten; with -G alone: stop after COUNT files" },
	{ "sample", 0, "N", OPTION_NUMBER, FIELD(sample), .min = 1,
	  .max = ARG_SAMPLE_MAX, .frontends = BOTH,
	  .text = "keep 1 in N of the packets the filter matches (each CPU keeps "
		  "the first of every N it sees), in the kernel",
	  .place = 4, .label = "Keep 1 in N", .tooltip_more = "; 0 or 1: all",
	  .zero_is_off = 1 },
	{ "max-rate", 0, "PPS", OPTION_NUMBER, FIELD(max_rate), .min = 1,
	  .max = XDPCAP_MAX_RATE, .frontends = BOTH,
	  .text = "keep at most PPS matching packets a second, in the kernel "
		  "(each CPU an equal share, and as many in a burst after a quiet "
		  "second); packets left out are counted as skipped",
	  .place = 5, .label = "Rate cap (packets/s)", .tooltip_more = "; 0: no cap",
	  .zero_is_off = 1 },
	{ "netmask", 'm', "MASK", OPTION_NETMASK, FIELD(netmask), .frontends = COMMAND,
	  .text = "the IPv4 netmask 'ip broadcast' tests against: 255.255.255.0 "
		  "or 24 (default: none, as tcpdump -r: 255.255.255.255 and "
		  "0.0.0.0 only)" },
	{ "format", 'F', "FORMAT", OPTION_FORMAT, FIELD(format), .frontends = COMMAND,
	  .text = "pcapng (default: XDP action on every packet) or pcap" },
	{ "quiet", 'q', NULL, OPTION_FLAG, FIELD(quiet), .frontends = COMMAND,
	  .text = "no statistics on stderr" },
	{ "packet-buffered", 'U', NULL, OPTION_FLAG, FIELD(flush_each),
	  .frontends = COMMAND,
	  .text = "write each packet out at once (default for -)" },
	{ "force", 0, NULL, OPTION_FLAG, FIELD(force), .frontends = COMMAND,
	  .text = "take over slots another capture keeps to itself (captures "
		  "share slots where they can)" },
	{ "buffer-size", 'B', "KIB", OPTION_NUMBER, FIELD(ring_kib),
	  .min = ARG_RING_KIB_MIN, .max = ARG_RING_KIB_MAX, .frontends = COMMAND,
	  .text = "capture ring shared by all CPUs, in KiB, rounded down to a "
		  "power of two (default: 65536, 64 MiB); one per hook, "
		  "shared out among --rings" },
	{ "rings", 0, "N", OPTION_NUMBER, FIELD(rings), .min = 0, .max = 8,
	  .frontends = COMMAND,
	  .text = "rings the CPUs write to, 1 to 8: CPU % N picks one, and "
		  "their packets are merged in time order (default 0: one per "
		  "4 CPUs)" },
	{ "hook-dir", 0, "DIR", OPTION_TEXT, FIELD(hook_dir), .frontends = BOTH,
	  .text = "where xdp:NAME hooks are pinned (default $XDPCAP_HOOK_DIR or "
		  "/sys/fs/bpf/xdpcap)",
	  .place = 3, .label = "Hook directory" },
	{ "read", 'r', "INPUT", OPTION_TEXT, FIELD(read_path), .frontends = COMMAND,
	  .text = "replay INPUT (pcap or pcapng) through the filter in the kernel "
		  "and write the matches, as tcpdump -r INPUT -w OUTPUT FILTER "
		  "would" },
	{ "verbose", 'v', NULL, OPTION_LEVEL, FIELD(verbose), .frontends = COMMAND,
	  .text = "show the kernel verifier's log when it refuses" },
	{ "help", 'h', NULL, OPTION_HELP, .frontends = BOTH,
	  .text = "show this help and exit" },
	{ "version", 'V', NULL, OPTION_VERSION, .frontends = COMMAND,
	  .text = "show the version and exit" },
};
const size_t option_defs_count = sizeof(option_defs) / sizeof(option_defs[0]);

/* getopt's value for an option: its letter, or 256 and its index */
static int option_key(const struct option_def *d)
{
	return d->letter ? d->letter : 256 + (int)(d - option_defs);
}

const struct option_def *option_by_key(int key)
{
	for (size_t i = 0; i < option_defs_count; i++)
		if (option_key(&option_defs[i]) == key)
			return &option_defs[i];
	return NULL;
}

void options_getopt(unsigned int frontend, const struct option *extra,
		    struct option longopts[OPTIONS_MAX], const char *prefix,
		    char shortopts[2 * OPTIONS_MAX + 2])
{
	size_t n = 0, s = strlen(prefix);

	memcpy(shortopts, prefix, s);
	for (size_t i = 0; i < option_defs_count; i++) {
		const struct option_def *d = &option_defs[i];
		int has_arg = d->value ? required_argument : no_argument;

		if (!(d->frontends & frontend))
			continue;
		/* the extcap is given long options only */
		if (d->letter && frontend == FRONTEND_COMMAND) {
			shortopts[s++] = (char)d->letter;
			if (d->value)
				shortopts[s++] = ':';
		}
		if (d->name)
			longopts[n++] = (struct option){ d->name, has_arg, NULL, option_key(d) };
	}
	for (; extra && extra->name && n < OPTIONS_MAX - 1; extra++)
		longopts[n++] = *extra;
	longopts[n] = (struct option){ 0 };
	shortopts[s] = '\0';
}

/* How an option is named in messages: as the user most likely gave it */
static void option_name(const struct option_def *d, unsigned int frontend,
			char *buf, size_t size)
{
	if (d->letter && frontend == FRONTEND_COMMAND)
		snprintf(buf, size, "-%c", d->letter);
	else
		snprintf(buf, size, "--%s", d->name);
}

static void store(const struct option_def *d, struct capture_args *args,
		  unsigned long long n)
{
	char *p = (char *)args + d->field;
	uint32_t n32 = (uint32_t)n;

	if (d->size == sizeof(n32))
		memcpy(p, &n32, sizeof(n32));
	else
		memcpy(p, &n, sizeof(n));
}

int option_take(const struct option_def *d, unsigned int frontend,
		const char *value, struct capture_args *args)
{
	char *p = (char *)args + d->field;
	char errbuf[XDPCAP_ERRBUF_SIZE], name[64];
	bool zero_off = d->zero_is_off && frontend == FRONTEND_EXTCAP;
	unsigned long long n;

	option_name(d, frontend, name, sizeof(name));
	switch (d->kind) {
	case OPTION_FLAG:
		*(bool *)p = true;
		return 0;
	case OPTION_LEVEL:
		(*(int *)p)++;
		return 0;
	case OPTION_NUMBER:
		if (arg_number(name, value, zero_off ? 0 : d->min, d->max, &n))
			return -1;
		store(d, args, n);
		return 0;
	case OPTION_ACTIONS:
		if (xdpcap_parse_actions(value, (unsigned int *)p, errbuf)) {
			p_err("%s", errbuf);
			return -1;
		}
		return 0;
	case OPTION_NETMASK:
		return arg_netmask(name, value, (uint32_t *)p);
	case OPTION_FORMAT:
		if (strcmp(value, "pcapng") && strcmp(value, "pcap")) {
			p_err("%s takes pcapng or pcap, not '%s'", name, value);
			return -1;
		}
		*(enum xdpcap_format *)p = value[4] ? XDPCAP_FORMAT_PCAPNG : XDPCAP_FORMAT_PCAP;
		return 0;
	case OPTION_TEXT:
		/* Wireshark passes a setting left empty as "" */
		*(const char **)p = frontend == FRONTEND_EXTCAP && !*value ? NULL : value;
		return 0;
	case OPTION_HOOK:
	case OPTION_PROG:
		if (args->n_hooks == XDPCAP_SESSION_MAX_HOOKS) {
			p_err("%s: at most %d hooks in one capture", name,
			      XDPCAP_SESSION_MAX_HOOKS);
			return -1;
		}
		if (d->kind == OPTION_PROG) {
			if (arg_number(name, value, 1, UINT32_MAX, &n))
				return -1;
			snprintf(args->prog_hooks[args->n_hooks],
				 sizeof(args->prog_hooks[0]), "xdp:prog:%llu", n);
			value = args->prog_hooks[args->n_hooks];
		}
		args->hooks[args->n_hooks++] = value;
		return 0;
	default:
		return 1;
	}
}

void options_init(struct capture_args *args)
{
	for (size_t i = 0; i < option_defs_count; i++)
		if (option_defs[i].kind == OPTION_NUMBER)
			store(&option_defs[i], args, option_defs[i].initial);
}

#define FLAGS_COLUMN 2
#define TEXT_COLUMN 25
#define LINE_WIDTH 78

/* "-s, --snaplen N", "--actions LIST" or "-C MB" */
static void option_flags(const struct option_def *d, char *buf, size_t size)
{
	const char *value = d->value ? d->value : "";
	const char *sep = d->value ? " " : "";

	if (d->letter && d->name)
		snprintf(buf, size, "-%c, --%s%s%s", d->letter, d->name, sep, value);
	else if (d->letter)
		snprintf(buf, size, "-%c%s%s", d->letter, sep, value);
	else
		snprintf(buf, size, "--%s%s%s", d->name, sep, value);
}

/* text from column col on, wrapped into the text column */
static void print_wrapped(FILE *out, const char *text, int col)
{
	while (*text) {
		size_t len = strcspn(text, " ");

		if (col > TEXT_COLUMN && col + 1 + (int)len > LINE_WIDTH) {
			fputc('\n', out);
			col = 0;
		}
		if (col < TEXT_COLUMN) {
			col += fprintf(out, "%*s", TEXT_COLUMN - col, "");
		} else {
			fputc(' ', out);
			col++;
		}
		col += fprintf(out, "%.*s", (int)len, text);
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

void options_help(FILE *out, unsigned int frontend)
{
	char flags[64];

	for (size_t i = 0; i < option_defs_count; i++) {
		const struct option_def *d = &option_defs[i];
		int col;

		if (!(d->frontends & frontend))
			continue;
		option_flags(d, flags, sizeof(flags));
		/* short options line up; long-only ones start 4 further */
		col = fprintf(out, "%*s%s", FLAGS_COLUMN + (d->letter ? 0 : 4), "", flags);
		if (col >= TEXT_COLUMN - 1) {
			fputc('\n', out);
			col = 0;
		}
		print_wrapped(out, d->text, col);
	}
}

void options_synopsis(FILE *out, unsigned int frontend, int indent)
{
	int col = fprintf(out, "%*s", indent, "");
	char word[80];

	for (size_t i = 0; i < option_defs_count; i++) {
		const struct option_def *d = &option_defs[i];

		if (!(d->frontends & frontend) || !d->value)
			continue;
		snprintf(word, sizeof(word), "[--%s %s]", d->name, d->value);
		if (col > indent && col + 1 + (int)strlen(word) > LINE_WIDTH) {
			fputc('\n', out);
			col = fprintf(out, "%*s", indent, "");
		}
		col += fprintf(out, "%s%s", col > indent ? " " : "", word);
	}
	fputc('\n', out);
}

static void print_dialog_entry(FILE *out, const struct option_def *d,
			       unsigned int action_slots, const char *hook_dir)
{
	unsigned int arg = d->place - 1;

	fprintf(out, "arg {number=%u}{call=--%s}{display=%s}{tooltip=%s%s}", arg,
		d->name, d->label, d->text, d->tooltip_more ? d->tooltip_more : "");
	switch (d->kind) {
	case OPTION_ACTIONS:
		fputs("{type=multicheck}\n", out);
		for (unsigned int i = 0; i < action_slots; i++)
			fprintf(out, "value {arg=%u}{value=%s}{display=%s}{default=%s}\n",
				arg, xdpcap_action_keyword(i), xdpcap_action_name(i),
				i == XDPCAP_SLOT_ENTRY ? "false" : "true");
		break;
	case OPTION_NUMBER:
		fprintf(out, "{type=unsigned}{range=%llu,%llu}{default=%llu}\n",
			d->zero_is_off ? 0 : d->min, d->max, d->initial);
		break;
	default:	/* the only text in the dialog is the hook directory */
		fprintf(out, "{type=string}{default=%s}\n", hook_dir);
		break;
	}
}

void options_extcap_config(FILE *out, unsigned int action_slots,
			   const char *hook_dir_default)
{
	for (unsigned int place = 1; place <= option_defs_count; place++)
		for (size_t i = 0; i < option_defs_count; i++)
			if (option_defs[i].place == place)
				print_dialog_entry(out, &option_defs[i], action_slots,
						   hook_dir_default);
}
