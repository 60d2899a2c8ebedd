/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The private layout of libpcap 1.10's struct pcap (pcap_t), as built for
 * Linux without remote capture (Debian's libpcap0.8 1.10.x). libpcap does
 * not install it: it is written out here so that libpcap-xdp.so can give
 * a pcap_t made by the unmodified library the operations of an xdp:
 * device. Nothing here may be trusted before preload.c has checked the
 * running libpcap (version and a probe of the fields the module uses).
 * Field names are libpcap's, so that pcap-xdp-core.c builds against this
 * and against libpcap's own header alike.
 */
#ifndef PCAP_ABI_1_10_H
#define PCAP_ABI_1_10_H

#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <pcap/pcap.h>

/* libpcap 1.10 does not define these outside its tree */
#define MAXIMUM_SNAPLEN 262144

typedef int (*activate_op_t)(pcap_t *);
typedef int (*can_set_rfmon_op_t)(pcap_t *);
typedef int (*read_op_t)(pcap_t *, int cnt, pcap_handler, u_char *);
typedef int (*next_packet_op_t)(pcap_t *, struct pcap_pkthdr *, u_char **);
typedef int (*inject_op_t)(pcap_t *, const void *, int);
typedef void (*save_current_filter_op_t)(pcap_t *, const char *);
typedef int (*setfilter_op_t)(pcap_t *, struct bpf_program *);
typedef int (*setdirection_op_t)(pcap_t *, pcap_direction_t);
typedef int (*set_datalink_op_t)(pcap_t *, int);
typedef int (*getnonblock_op_t)(pcap_t *);
typedef int (*setnonblock_op_t)(pcap_t *, int);
typedef int (*stats_op_t)(pcap_t *, struct pcap_stat *);
typedef void (*breakloop_op_t)(pcap_t *);
typedef void (*cleanup_op_t)(pcap_t *);

/* What pcap_set_*() records before activation. */
struct pcap_opt {
	char *device;
	int timeout;			/* packet buffer timeout, ms */
	u_int buffer_size;
	int promisc;
	int rfmon;
	int immediate;
	int nonblock;
	int tstamp_type;
	int tstamp_precision;
	int protocol;			/* Linux only */
};

struct pcap {
	read_op_t read_op;
	next_packet_op_t next_packet_op;
	int fd;
	u_int bufsize;
	void *buffer;
	u_char *bp;
	int cc;
	sig_atomic_t break_loop;	/* set by pcap_breakloop() */
	void *priv;			/* the module's private data */
	int swapped;
	FILE *rfile;
	u_int fddipad;
	struct pcap *next;
	int version_major;
	int version_minor;
	int snapshot;
	int linktype;
	int linktype_ext;
	int offset;
	int activated;
	int oldstyle;
	struct pcap_opt opt;
	u_char *pkt;
	pcap_direction_t direction;
	int bpf_codegen_flags;
	int selectable_fd;
	const struct timeval *required_select_timeout;
	struct bpf_program fcode;
	char errbuf[PCAP_ERRBUF_SIZE + 1];
	int dlt_count;
	u_int *dlt_list;
	int tstamp_type_count;
	u_int *tstamp_type_list;
	int tstamp_precision_count;
	u_int *tstamp_precision_list;
	struct pcap_pkthdr pcap_header;
	activate_op_t activate_op;
	can_set_rfmon_op_t can_set_rfmon_op;
	inject_op_t inject_op;
	save_current_filter_op_t save_current_filter_op;
	setfilter_op_t setfilter_op;
	setdirection_op_t setdirection_op;
	set_datalink_op_t set_datalink_op;
	getnonblock_op_t getnonblock_op;
	setnonblock_op_t setnonblock_op;
	stats_op_t stats_op;
	breakloop_op_t breakloop_op;
	pcap_handler oneshot_callback;
	cleanup_op_t cleanup_op;
};

#endif
