/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* What the benchmarks share: their inputs and the machine's knobs. */
#ifndef XDPCAP_BENCH_COMMON_H
#define XDPCAP_BENCH_COMMON_H

#include <stddef.h>

/*
 * The filters of a corpus file, one a line ('#' lines and blank lines
 * skipped); NULL with errno set if it cannot be read or has none.
 */
char **bench_load_filters(const char *path, size_t *count);

/* A number read from a /proc or /sys file, -1 if there is none. */
long bench_read_sysctl(const char *path);

#endif
