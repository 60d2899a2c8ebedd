// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* xdpcap list: the hooks that can be found, and who holds their slots. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdpcap/hook.h"
#include "cmd.h"

static const char list_usage[] =
	"Usage: xdpcap list [--json] [--hook-dir DIR] [HOOK...]\n"
	"\n"
	"Show every xdpcap hook that can be found (pinned in the hook directory,\n"
	"or used by the XDP program of an interface of this network namespace),\n"
	"or only the HOOKs given, with who holds each of their slots: nobody\n"
	"(empty), a running xdpcap (pid N), one that is gone (pid N (gone)),\n"
	"captures that share it (pid N + pid M, in the order they run), or\n"
	"another program (prog ID NAME).\n"
	"\n"
	"HOOK is xdp:NAME or NAME (pinned under the hook directory), xdp:IFNAME or\n"
	"IFNAME (the hook of the XDP program on that interface), or a bpffs path.\n"
	"\n"
	"  -j, --json            one JSON array of hooks on stdout\n"
	"      --hook-dir DIR    where xdp:NAME hooks are pinned\n"
	"                        (default $XDPCAP_HOOK_DIR or " XDPCAP_DEFAULT_HOOK_DIR ")\n"
	"  -h, --help            show this help and exit\n"
	"\n"
	"Exit status: 0 on success (also when no hook is found), 1 when the\n"
	"system fails (not permitted, bpffs not mounted), 2 on an unknown or bad\n"
	"HOOK or bad usage.\n";

enum { OPT_HOOK_DIR = 256 };

static const struct option list_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "hook-dir", required_argument, NULL, OPT_HOOK_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct listed {
	struct xdpcap_hook hook;
	struct xdpcap_slot slots[XDPCAP_SLOTS];
	unsigned int nslots;	/* the entry slot too, where the hook has it */
	bool ok;		/* slots read */
};

static const char *const source_names[] = {
	[XDPCAP_HOOK_PINNED] = "pinned",
	[XDPCAP_HOOK_INTERFACE] = "interface",
	[XDPCAP_HOOK_PATH] = "path",
};

static const char *source_name(enum xdpcap_hook_source source)
{
	if ((unsigned int)source < sizeof(source_names) / sizeof(source_names[0]))
		return source_names[source];
	return "unknown";
}

/* A name as text on one line: control characters as \xNN. */
static void put_text(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void put_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* "DROP" for XDP_DROP, "ENTRY" for the entry slot */
static const char *short_action(unsigned int action)
{
	if (action == XDPCAP_SLOT_ENTRY)
		return "ENTRY";
	return xdpcap_action_name(action) + strlen("XDP_");
}

static void print_text(const struct listed *l)
{
	const struct xdpcap_hook *h = &l->hook;
	unsigned int a;

	put_text(h->name);
	printf("  %s  map %u  ", source_name(h->source), h->map_id);
	if (h->prog_id) {
		put_text(h->ifname);
		printf(" prog %u ", h->prog_id);
		put_text(h->prog_name);
	} else {
		fputs("interface unknown", stdout);
	}
	fputs("  ", stdout);
	for (a = 0; a < l->nslots; a++) {
		const struct xdpcap_slot *s = &l->slots[a];

		printf("%s%s ", a ? ", " : "", short_action(a));
		if (!s->prog_id) {
			fputs("empty", stdout);
		} else if (s->owner_pid) {
			printf("pid %d%s", s->owner_pid,
			       s->owner_alive ? "" : " (gone)");
			for (unsigned int i = 0; i < s->n_shared; i++)
				printf(" + pid %d%s", s->shared[i].owner_pid,
				       s->shared[i].owner_alive ? "" : " (gone)");
		} else if (s->unreadable) {
			printf("prog %u (whose needs CAP_SYS_ADMIN to tell)", s->prog_id);
		} else {
			printf("prog %u ", s->prog_id);
			put_text(s->prog_name);
		}
	}
	putchar('\n');
}

static void print_json(const struct listed *l)
{
	const struct xdpcap_hook *h = &l->hook;
	unsigned int a;

	fputs("{\"name\":", stdout);
	put_json_str(h->name);
	fputs(",\"source\":", stdout);
	put_json_str(source_name(h->source));
	if (h->path[0]) {
		fputs(",\"path\":", stdout);
		put_json_str(h->path);
	}
	printf(",\"map_id\":%u,\"max_entries\":%u", h->map_id, h->max_entries);
	if (h->prog_id) {
		fputs(",\"ifname\":", stdout);
		put_json_str(h->ifname);
		printf(",\"ifindex\":%d,\"prog_id\":%u,\"prog_name\":",
		       h->ifindex, h->prog_id);
		put_json_str(h->prog_name);
	}
	fputs(",\"slots\":[", stdout);
	for (a = 0; a < l->nslots; a++) {
		const struct xdpcap_slot *s = &l->slots[a];

		printf("%s{\"action\":\"%s\",\"prog_id\":%u", a ? "," : "",
		       xdpcap_action_name(a), s->prog_id);
		if (s->prog_id) {
			fputs(",\"prog_name\":", stdout);
			put_json_str(s->prog_name);
		}
		if (s->owner_pid)
			printf(",\"owner_pid\":%d,\"owner_alive\":%s",
			       s->owner_pid, s->owner_alive ? "true" : "false");
		if (s->unreadable)
			fputs(",\"unreadable\":true", stdout);
		if (s->n_shared) {
			fputs(",\"shared_with\":[", stdout);
			for (unsigned int i = 0; i < s->n_shared; i++)
				printf("%s{\"prog_id\":%u,\"owner_pid\":%d,\"owner_alive\":%s}",
				       i ? "," : "", s->shared[i].prog_id, s->shared[i].owner_pid,
				       s->shared[i].owner_alive ? "true" : "false");
			putchar(']');
		}
		putchar('}');
	}
	fputs("]}", stdout);
}

/* Bad names and things that are not hooks are bad input; the rest fails. */
static int open_error_status(int err)
{
	return err == -ENOENT || err == -EINVAL || err == -ENAMETOOLONG ?
		EXIT_USAGE : EXIT_RUNTIME;
}

int cmd_list(int argc, char **argv)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	const char *hook_dir = NULL;
	struct xdpcap_hook *found = NULL;
	struct listed *list = NULL;
	size_t nfound = 0, n = 0, shown = 0, i;
	bool json = false;
	int opt, err, ret = 0, status;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+jh", list_options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case OPT_HOOK_DIR:
			hook_dir = optarg;
			break;
		case 'h':
			fputs(list_usage, stdout);
			return 0;
		default:
			fputs(list_usage, stderr);
			return EXIT_USAGE;
		}
	}

	if (optind == argc) {
		err = xdpcap_hook_list(hook_dir, &found, &nfound, errbuf);
		if (err) {
			p_err("%s", errbuf);
			return EXIT_RUNTIME;
		}
		list = calloc(nfound ? nfound : 1, sizeof(*list));
		if (!list) {
			xdpcap_hook_list_free(found, nfound);
			p_err("out of memory");
			return EXIT_RUNTIME;
		}
		for (i = 0; i < nfound; i++)
			list[n++].hook = found[i];
		free(found); /* the hooks' fds are list's now */
	} else {
		list = calloc((size_t)(argc - optind), sizeof(*list));
		if (!list) {
			p_err("out of memory");
			return EXIT_RUNTIME;
		}
		for (; optind < argc; optind++) {
			err = xdpcap_hook_open(argv[optind], hook_dir,
					       &list[n].hook, errbuf);
			if (err) {
				p_err("%s", errbuf);
				status = open_error_status(err);
				ret = status > ret ? status : ret;
				continue;
			}
			n++;
		}
	}

	for (i = 0; i < n; i++) {
		list[i].nslots = list[i].hook.max_entries >= XDPCAP_ENTRY_HOOK_SLOTS ?
				 XDPCAP_SLOTS : XDPCAP_ACTIONS;
		err = xdpcap_hook_slots(&list[i].hook, list[i].slots, errbuf);
		if (!err && list[i].nslots > XDPCAP_SLOT_ENTRY)
			err = xdpcap_hook_slot(&list[i].hook, XDPCAP_SLOT_ENTRY,
					       &list[i].slots[XDPCAP_SLOT_ENTRY], errbuf);
		if (err) {
			p_err("%s", errbuf);
			if (!ret)
				ret = EXIT_RUNTIME;
			continue;
		}
		list[i].ok = true;
	}

	if (json)
		putchar('[');
	for (i = 0; i < n; i++) {
		if (!list[i].ok)
			continue;
		if (json) {
			if (shown)
				putchar(',');
			print_json(&list[i]);
		} else {
			print_text(&list[i]);
		}
		shown++;
	}
	if (json)
		fputs("]\n", stdout);
	if (!n && !ret && !json)
		fprintf(stderr, "no hooks found: nothing pinned in %s, and no XDP program on an interface here has a map named %s\n",
			xdpcap_hook_dir(hook_dir), XDPCAP_HOOK_MAP_NAME);

	for (i = 0; i < n; i++)
		xdpcap_hook_close(&list[i].hook);
	free(list);
	if (fflush(stdout) && !ret) {
		p_err("cannot write the list: %s", strerror(errno));
		ret = EXIT_RUNTIME;
	}
	return ret;
}
