/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* What the benchmarks share: their inputs and the machine's knobs. */
#ifndef XDPCAP_BENCH_COMMON_H
#define XDPCAP_BENCH_COMMON_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The filters of a corpus file, one a line ('#' lines and blank lines
 * skipped); NULL with errno set if it cannot be read or has none.
 */
char **bench_load_filters(const char *path, size_t *count);

/* A number read from a /proc or /sys file, -1 if there is none. */
long bench_read_sysctl(const char *path);

/* Write value to a /proc or /sys file; 0 or -1. Async-signal-safe. */
int bench_write_knob(const char *path, const char *value);

/*
 * Test runs with repeat > 1 of a program not attached anywhere wait for
 * an RCU grace period each (some 16 ms here). bench_rcu_expedite() sets
 * /sys/kernel/rcu_expedited for the run if it is off: 1 when it did, 0
 * when it was on already, -1 when it could not. bench_rcu_restore() puts
 * it back (async-signal-safe; registered with atexit).
 */
int bench_rcu_expedite(void);
void bench_rcu_restore(void);
bool bench_rcu_is_on(void);

/* The first three fields of /proc/loadavg, to tell a busy machine ("?"). */
void bench_read_loadavg(char *buf, size_t len);

/* Pin the caller to cpu, or to the last CPU of allowed if cpu < 0. */
int bench_pin_cpu(int cpu, const cpu_set_t *allowed);

#endif
