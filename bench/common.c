// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

char **bench_load_filters(const char *path, size_t *count)
{
	char *line = NULL, **exprs = NULL, **grown;
	size_t n = 0, cap = 0;
	FILE *f;

	*count = 0;
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (getline(&line, &n, f) > 0) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		if (*count == cap) {
			cap = cap ? cap * 2 : 256;
			grown = realloc(exprs, cap * sizeof(*exprs));
			if (!grown)
				goto fail;
			exprs = grown;
		}
		exprs[*count] = strdup(line);
		if (!exprs[*count])
			goto fail;
		(*count)++;
	}
	free(line);
	fclose(f);
	if (!*count) {
		free(exprs);
		errno = ENOENT;
		return NULL;
	}
	return exprs;
fail:
	free(line);
	fclose(f);
	while (*count)
		free(exprs[--*count]);
	free(exprs);
	errno = ENOMEM;
	return NULL;
}

long bench_read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}
