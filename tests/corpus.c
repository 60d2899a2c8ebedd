// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap.h>

#include "corpus.h"
#include "tap.h"

void packet_corpus_load(struct packet_corpus *pc, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	size_t cap = 0;
	pcap_t *p;

	memset(pc, 0, sizeof(*pc));
	p = pcap_open_offline(path, errbuf);
	if (!p)
		tap_bail("cannot read packet corpus %s: %s", path, errbuf);
	while (pcap_next_ex(p, &hdr, &data) == 1) {
		struct test_packet *t;

		if (pc->count == cap) {
			cap = cap ? cap * 2 : 1024;
			pc->pkts = realloc(pc->pkts, cap * sizeof(*pc->pkts));
			if (!pc->pkts)
				tap_bail("out of memory");
		}
		t = &pc->pkts[pc->count++];
		t->caplen = hdr->caplen;
		t->wirelen = hdr->len;
		t->data = malloc(hdr->caplen ? hdr->caplen : 1);
		if (!t->data)
			tap_bail("out of memory");
		memcpy(t->data, data, hdr->caplen);
	}
	pcap_close(p);
	if (!pc->count)
		tap_bail("packet corpus %s is empty", path);
}

void packet_corpus_free(struct packet_corpus *pc)
{
	for (size_t i = 0; i < pc->count; i++)
		free(pc->pkts[i].data);
	free(pc->pkts);
	memset(pc, 0, sizeof(*pc));
}

void filter_corpus_load(struct filter_corpus *fc, const char *path)
{
	char *line = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	memset(fc, 0, sizeof(*fc));
	f = fopen(path, "r");
	if (!f)
		tap_bail("cannot read filter corpus %s", path);
	while (getline(&line, &n, f) > 0) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		if (fc->count == cap) {
			cap = cap ? cap * 2 : 256;
			fc->exprs = realloc(fc->exprs, cap * sizeof(*fc->exprs));
			if (!fc->exprs)
				tap_bail("out of memory");
		}
		fc->exprs[fc->count++] = strdup(line);
	}
	free(line);
	fclose(f);
	if (!fc->count)
		tap_bail("filter corpus %s is empty", path);
}

void filter_corpus_free(struct filter_corpus *fc)
{
	for (size_t i = 0; i < fc->count; i++)
		free(fc->exprs[i]);
	free(fc->exprs);
	memset(fc, 0, sizeof(*fc));
}

const char *test_path(const char *env_name, const char *rel, char *buf,
		      size_t len)
{
	const char *v = getenv(env_name);
	const char *top = getenv("TOP_SRCDIR");

	if (v && *v)
		return v;
	snprintf(buf, len, "%s/%s", top && *top ? top : ".", rel);
	return buf;
}
