// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* XDP action names as front ends take them: "drop,pass", "all", "entry". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xdpcap/capture.h"
#include "util.h"

/* The keyword of each slot a capture fills, as --actions takes it. */
static const char *const keywords[XDPCAP_SLOTS] = {
	"aborted", "drop", "pass", "tx", "redirect", "entry",
};

const char *xdpcap_action_keyword(unsigned int slot)
{
	return slot < XDPCAP_SLOTS ? keywords[slot] : NULL;
}

int xdpcap_parse_actions(const char *list, unsigned int *mask, char *errbuf)
{
	char *copy, *tok;
	int err = 0;

	*mask = 0;
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (char *next = copy; next && !err; ) {
		const char *name = tok = next;
		unsigned int a;

		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (!*tok) {
			xdpcap_err(errbuf, "empty XDP action in '%s': give names or numbers separated by single commas",
				   list);
			err = -EINVAL;
			break;
		}
		if (!strncasecmp(name, "xdp_", 4))
			name += 4;
		if (!strcasecmp(name, "all")) {
			*mask |= (1u << XDPCAP_ACTIONS) - 1;
			continue;
		}
		for (a = 0; a < XDPCAP_SLOTS; a++)
			if (!strcasecmp(name, keywords[a]) ||
			    (a < XDPCAP_ACTIONS && name[0] == '0' + (int)a && !name[1]))
				break;
		if (a == XDPCAP_SLOTS) {
			xdpcap_err(errbuf, "unknown XDP action '%s': use aborted, drop, pass, tx, redirect, their numbers 0-4, all, or entry (each packet as it arrived)",
				   tok);
			err = -EINVAL;
			break;
		}
		*mask |= 1u << a;
	}
	if (!err && !*mask) {
		xdpcap_err(errbuf, "no XDP action given: use aborted, drop, pass, tx, redirect, all or entry");
		err = -EINVAL;
	}
	free(copy);
	return err;
}
