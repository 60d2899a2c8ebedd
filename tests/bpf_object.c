// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <stdio.h>
#include <bpf/libbpf.h>

#include "bpf_object.h"

struct test_object *test_object_load(const char *path)
{
	struct bpf_object *obj;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "cannot open BPF object %s\n", path);
		return NULL;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "the kernel refused a program of %s\n", path);
		bpf_object__close(obj);
		return NULL;
	}
	return (struct test_object *)obj;
}

int test_object_prog_fd(struct test_object *obj, const char *name)
{
	struct bpf_program *prog;

	prog = bpf_object__find_program_by_name((struct bpf_object *)obj, name);
	return prog ? bpf_program__fd(prog) : -1;
}

void test_object_close(struct test_object *obj)
{
	bpf_object__close((struct bpf_object *)obj);
}
