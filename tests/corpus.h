/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Test inputs: the packet corpus and the filter corpus, read into memory. */
#ifndef XDPCAP_TESTS_CORPUS_H
#define XDPCAP_TESTS_CORPUS_H

#include <stddef.h>
#include <stdint.h>

struct test_packet {
	uint8_t *data;
	uint32_t caplen, wirelen;
};

struct packet_corpus {
	struct test_packet *pkts;
	size_t count;
};

struct filter_corpus {
	char **exprs;
	size_t count;
};

/* Read every packet of a pcap file; exits the test on failure. */
void packet_corpus_load(struct packet_corpus *pc, const char *path);
void packet_corpus_free(struct packet_corpus *pc);

/* Read filters, one per line; '#' lines and blank lines are skipped. */
void filter_corpus_load(struct filter_corpus *fc, const char *path);
void filter_corpus_free(struct filter_corpus *fc);

/* $name, or the path made from $TOP_SRCDIR/rel when name is unset. */
const char *test_path(const char *env_name, const char *rel, char *buf,
		      size_t len);

#endif
