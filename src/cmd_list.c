// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* xdpcap list: the hooks that can be found, and who holds their slots. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdpcap/capture.h"
#include "xdpcap/hook.h"
#include "cmd.h"
#include "frontend/confine.h"

static const char list_usage[] =
	"Usage: xdpcap list [--json] [--hook-dir DIR] [HOOK...]\n"
	"\n"
	"Show every xdpcap hook that can be found (pinned in the hook directory,\n"
	"or used by the XDP program of an interface of this network namespace),\n"
	"or only the HOOKs given, with who holds each of their slots: nobody\n"
	"(empty), a running xdpcap (pid N), one that is gone (pid N (gone)),\n"
	"captures that share it (pid N + pid M, in the order they run), or\n"
	"another program (prog ID NAME). A hook this process may not open (a\n"
	"pin whose mode keeps it out) is listed as unreadable, with what it\n"
	"needs on stderr, and the others are listed all the same. Without HOOK,\n"
	"the XDP programs of this namespace's interfaces that have no hook follow:\n"
	"traced (xdp:IFNAME captures them with fentry/fexit), or why not.\n"
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
	"system fails (bpffs not mounted), 2 on an unknown or bad HOOK, bad\n"
	"usage, or a refusal for lack of privileges (a hook, or the hook\n"
	"directory, that may not be read: the rest is listed).\n";

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
	/* refused for lack of privileges: why, and whether hook.source
	 * is known (a HOOK operand that failed to open has only its name) */
	bool denied, source_known;
	char why[XDPCAP_ERRBUF_SIZE];
	size_t order;		/* where the library listed it */
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

/*
 * A capture's owner: "pid N", "(gone)" once it ended, and where its pid
 * is one of a pid namespace we cannot see into, which.
 */
static void put_owner(const char *sep, uint32_t prog_id, int pid, bool alive)
{
	printf("%spid %d%s%s", sep, pid,
	       xdpcap_prog_owner_elsewhere(prog_id) ? " (of another pid namespace)" : "",
	       alive ? "" : " (gone)");
}

static void put_json_owner(uint32_t prog_id, int pid, bool alive)
{
	printf(",\"owner_pid\":%d,\"owner_alive\":%s", pid, alive ? "true" : "false");
	if (xdpcap_prog_owner_elsewhere(prog_id))
		fputs(",\"owner_pidns\":\"other\"", stdout);
}

static void print_text(const struct listed *l)
{
	const struct xdpcap_hook *h = &l->hook;
	unsigned int a;

	put_text(h->name);
	if (l->denied) {
		if (l->source_known)
			printf("  %s", source_name(h->source));
		fputs("  unreadable (not permitted)\n", stdout);
		return;
	}
	printf("  %s  map %u  ", source_name(h->source), h->map_id);
	if (h->prog_id && h->ifname[0]) {
		put_text(h->ifname);
		printf(" prog %u ", h->prog_id);
		put_text(h->prog_name);
	} else if (h->prog_id) {
		/* pinned from another network namespace, or detached */
		printf("prog %u ", h->prog_id);
		put_text(h->prog_name);
		fputs(" on no interface here", stdout);
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
			put_owner("", s->prog_id, s->owner_pid, s->owner_alive);
			for (unsigned int i = 0; i < s->n_shared; i++)
				put_owner(" + ", s->shared[i].prog_id, s->shared[i].owner_pid,
					  s->shared[i].owner_alive);
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
	if (l->source_known) {
		fputs(",\"source\":", stdout);
		put_json_str(source_name(h->source));
	}
	if (h->path[0]) {
		fputs(",\"path\":", stdout);
		put_json_str(h->path);
	}
	if (l->denied) {
		fputs(",\"unreadable\":true,\"error\":", stdout);
		put_json_str(l->why);
		putchar('}');
		return;
	}
	printf(",\"map_id\":%u,\"max_entries\":%u", h->map_id, h->max_entries);
	if (h->prog_id && h->ifname[0]) {
		fputs(",\"ifname\":", stdout);
		put_json_str(h->ifname);
		printf(",\"ifindex\":%d", h->ifindex);
	}
	if (h->prog_id) {
		printf(",\"prog_id\":%u,\"prog_name\":", h->prog_id);
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
			put_json_owner(s->prog_id, s->owner_pid, s->owner_alive);
		if (s->unreadable)
			fputs(",\"unreadable\":true", stdout);
		if (s->n_shared) {
			fputs(",\"shared_with\":[", stdout);
			for (unsigned int i = 0; i < s->n_shared; i++)
			{
				printf("%s{\"prog_id\":%u", i ? "," : "", s->shared[i].prog_id);
				put_json_owner(s->shared[i].prog_id, s->shared[i].owner_pid,
					       s->shared[i].owner_alive);
				putchar('}');
			}
			putchar(']');
		}
		putchar('}');
	}
	fputs("]}", stdout);
}

/* An interface's XDP program without a hook: traced, or why not. */
static void print_hookless_text(const struct xdpcap_hookless *h)
{
	put_text(h->name);
	printf("  %s  ", h->traceable ? "traced" : "no hook");
	put_text(h->ifname);
	printf(" prog %u ", h->prog_id);
	put_text(h->prog_name);
	if (h->traceable) {
		fputs("  function ", stdout);
		put_text(h->func_name);
	} else {
		fputs("  not capturable: ", stdout);
		put_text(h->why);
	}
	if (h->dispatcher_id)
		printf("  run by dispatcher %u, position %d", h->dispatcher_id, h->position);
	putchar('\n');
}

static void print_hookless_json(const struct xdpcap_hookless *h)
{
	fputs("{\"name\":", stdout);
	put_json_str(h->name);
	fputs(",\"source\":\"program\",\"ifname\":", stdout);
	put_json_str(h->ifname);
	printf(",\"ifindex\":%d,\"prog_id\":%u,\"prog_name\":", h->ifindex, h->prog_id);
	put_json_str(h->prog_name);
	if (h->func_name[0]) {
		fputs(",\"function\":", stdout);
		put_json_str(h->func_name);
	}
	if (h->dispatcher_id)
		printf(",\"dispatcher_id\":%u,\"position\":%d", h->dispatcher_id, h->position);
	printf(",\"traceable\":%s", h->traceable ? "true" : "false");
	if (!h->traceable) {
		fputs(",\"reason\":", stdout);
		put_json_str(h->why);
	}
	putchar('}');
}

/* Mark l refused for lack of privileges, with what it needs. */
static void mark_denied(struct listed *l, const char *why)
{
	l->denied = true;
	snprintf(l->why, sizeof(l->why), "%s", why);
}

/* Mark l refused, and say what it needs. */
static void deny(struct listed *l, const char *why)
{
	p_err("%s", why);
	mark_denied(l, why);
}

/* What the library may not open while it lists the others. */
struct denials {
	struct listed *v;
	size_t n, cap;
	bool dir;		/* the hook directory itself */
	bool nomem;
};

static void on_denied(const struct xdpcap_hook *hook, const char *why, void *ctx)
{
	struct denials *d = ctx;
	struct listed *v;
	size_t cap;

	if (!hook) {
		p_err("%s", why);
		d->dir = true;
		return;
	}
	if (d->n == d->cap) {
		cap = d->cap ? 2 * d->cap : 4;
		v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->nomem = true;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	v = &d->v[d->n++];
	memset(v, 0, sizeof(*v));
	v->hook = *hook;
	v->source_known = true;
	mark_denied(v, why); /* said in the list's order (find_all) */
}

/* Pinned hooks first, by name, readable or not; then the library's order. */
static int by_place(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	bool xp = x->hook.source == XDPCAP_HOOK_PINNED;
	bool yp = y->hook.source == XDPCAP_HOOK_PINNED;

	if (xp != yp)
		return xp ? -1 : 1;
	if (xp)
		return strcmp(x->hook.name, y->hook.name);
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Every hook there is (cmd_list without HOOK): *out, and the exit status
 * so far (EXIT_USAGE where some could not be read for lack of
 * privileges); *out NULL and the status where listing failed.
 */
static int find_all(const char *hook_dir, struct listed **out, size_t *n)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_hook *found = NULL;
	struct denials den = { 0 };
	struct listed *list;
	size_t nfound = 0;
	int err;

	*out = NULL;
	err = xdpcap_hook_list_denied(hook_dir, on_denied, &den, &found, &nfound, errbuf);
	if (!err && den.nomem) {
		xdpcap_hook_list_free(found, nfound);
		err = -ENOMEM;
		snprintf(errbuf, sizeof(errbuf), "out of memory");
	}
	if (err) {
		free(den.v);
		p_err("%s", errbuf);
		return exit_status(err);
	}
	*n = nfound + den.n;
	list = calloc(*n ? *n : 1, sizeof(*list));
	if (!list) {
		xdpcap_hook_list_free(found, nfound);
		free(den.v);
		p_err("out of memory");
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < nfound; i++) {
		list[i].hook = found[i];
		list[i].source_known = true;
		list[i].order = i;
	}
	free(found); /* the hooks' fds are list's now */
	if (den.n)
		memcpy(list + nfound, den.v, den.n * sizeof(*list));
	free(den.v);
	qsort(list, *n, sizeof(*list), by_place);
	for (size_t i = 0; i < *n; i++)
		if (list[i].denied)
			p_err("%s", list[i].why);
	*out = list;
	return den.n || den.dir ? EXIT_USAGE : 0;
}

/* The hooks named (cmd_list HOOK...), as find_all() returns them. */
static int find_named(const char *hook_dir, int nhooks, char **hooks,
		      struct listed **out, size_t *n)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct listed *list;
	int err, status, ret = 0;

	*n = 0;
	*out = list = calloc((size_t)nhooks, sizeof(*list));
	if (!list) {
		p_err("out of memory");
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < nhooks; i++) {
		err = xdpcap_hook_open(hooks[i], hook_dir, &list[*n].hook, errbuf);
		status = err ? exit_status(err) : 0;
		ret = status > ret ? status : ret;
		if (err == -EPERM) {
			/* shown where it was asked for, as it was named */
			snprintf(list[*n].hook.name, sizeof(list[*n].hook.name), "%s", hooks[i]);
			deny(&list[(*n)++], errbuf);
		} else if (err) {
			p_err("%s", errbuf);
		} else {
			list[(*n)++].source_known = true;
		}
	}
	return ret;
}

/* Who holds each slot of each hook listed; the exit status so far. */
static int read_slots(struct listed *list, size_t n)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	int err, ret = 0;

	for (size_t i = 0; i < n; i++) {
		if (list[i].denied)
			continue;
		list[i].nslots = list[i].hook.max_entries >= XDPCAP_ENTRY_HOOK_SLOTS ?
				 XDPCAP_SLOTS : XDPCAP_ACTIONS;
		err = xdpcap_hook_slots(&list[i].hook, list[i].slots, errbuf);
		if (!err && list[i].nslots > XDPCAP_SLOT_ENTRY)
			err = xdpcap_hook_slot(&list[i].hook, XDPCAP_SLOT_ENTRY,
					       &list[i].slots[XDPCAP_SLOT_ENTRY], errbuf);
		if (err == -EPERM) {
			deny(&list[i], errbuf);
			ret = EXIT_USAGE;
		} else if (err) {
			p_err("%s", errbuf);
			if (!ret)
				ret = EXIT_RUNTIME;
		} else {
			list[i].ok = true;
		}
	}
	return ret;
}

/*
 * After the hooks, the interfaces' programs without one; shown counts
 * what was printed. Returns the exit status for this part.
 */
static int list_hookless(bool json, size_t *shown)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_hookless *h;
	size_t n;
	int err;

	err = xdpcap_hookless_list(&h, &n, errbuf);
	/* without privileges the hooks' part said what to do */
	if (err == -EPERM)
		return 0;
	if (err) {
		p_err("%s", errbuf);
		return exit_status(err);
	}
	for (size_t i = 0; i < n; i++, (*shown)++) {
		if (json && *shown)
			putchar(',');
		if (json)
			print_hookless_json(&h[i]);
		else
			print_hookless_text(&h[i]);
	}
	xdpcap_hookless_list_free(h);
	return 0;
}

/*
 * With file capabilities (confine.h): the hook directory, and each HOOK
 * named, within what group xdpcap may list. 0, or -1 with why not.
 */
static int confine_list(const char *hook_dir, int nhooks, char **hooks, char *errbuf)
{
	if (hook_dir && confine_hook_dir(hook_dir, errbuf))
		return -1;
	for (int i = 0; i < nhooks; i++)
		if (confine_hook(hooks[i], errbuf))
			return -1;
	return confine_hook_dir(NULL, errbuf);
}

int cmd_list(int argc, char **argv)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	const char *hook_dir = NULL;
	struct listed *list = NULL;
	size_t n = 0, shown = 0, i;
	bool json = false;
	int opt, ret, status;

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
	if (confine_active() && confine_list(hook_dir, argc - optind, argv + optind, errbuf)) {
		p_err("%s", errbuf);
		return EXIT_USAGE;
	}

	ret = optind == argc ? find_all(hook_dir, &list, &n) :
			       find_named(hook_dir, argc - optind, argv + optind, &list, &n);
	if (!list)
		return ret;
	status = read_slots(list, n);
	ret = status > ret ? status : ret;

	if (json)
		putchar('[');
	for (i = 0; i < n; i++) {
		if (!list[i].ok && !list[i].denied)
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
	if (optind == argc) {
		status = list_hookless(json, &shown);
		ret = status > ret ? status : ret;
	}
	if (json)
		fputs("]\n", stdout);
	if (!shown && !ret && !json)
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
