// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
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

#define RCU_EXPEDITED "/sys/kernel/rcu_expedited"

static volatile sig_atomic_t rcu_restore_needed;

int bench_write_knob(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t len = (ssize_t)strlen(value), n;

	if (fd < 0)
		return -1;
	n = write(fd, value, (size_t)len);
	close(fd);
	return n == len ? 0 : -1;
}

void bench_rcu_restore(void)
{
	if (rcu_restore_needed) {
		rcu_restore_needed = 0;
		bench_write_knob(RCU_EXPEDITED, "0");
	}
}

bool bench_rcu_is_on(void)
{
	return bench_read_sysctl(RCU_EXPEDITED) > 0;
}

int bench_rcu_expedite(void)
{
	if (bench_rcu_is_on())
		return 0;
	atexit(bench_rcu_restore);
	rcu_restore_needed = 1;
	if (bench_write_knob(RCU_EXPEDITED, "1")) {
		rcu_restore_needed = 0;
		return -1;
	}
	return 1;
}

int bench_pin_cpu(int cpu, const cpu_set_t *allowed)
{
	cpu_set_t set;

	if (cpu < 0) {
		/* the last CPU we may run on: CPU 0 takes more interrupts */
		for (int c = CPU_SETSIZE - 1; c >= 0; c--)
			if (CPU_ISSET(c, allowed)) {
				cpu = c;
				break;
			}
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

void bench_read_loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(buf, len, "?");
	if (f) {
		double a, b, c;

		if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
			snprintf(buf, len, "%.2f %.2f %.2f", a, b, c);
		fclose(f);
	}
}
