/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Load every program of a BPF object file. Kept apart from the tests that
 * use libpcap, whose struct bpf_insn clashes with <linux/bpf.h>.
 */
#ifndef XDPCAP_TESTS_BPF_OBJECT_H
#define XDPCAP_TESTS_BPF_OBJECT_H

#include <stddef.h>

struct test_object;

/*
 * Open and load path; on failure print the reason (and libbpf's verifier
 * output) to stderr and return NULL.
 */
struct test_object *test_object_load(const char *path);

/* The fd of the program called name, or -1. */
int test_object_prog_fd(struct test_object *obj, const char *name);

void test_object_close(struct test_object *obj);

#endif
