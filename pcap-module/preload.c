// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libpcap-xdp.so: xdp:NAME devices for any program linked with the
 * system's unmodified libpcap 1.10, loaded with LD_PRELOAD (or the
 * xdpcap-preload command). It takes the place of four libpcap functions
 * and calls the real ones (dlsym(RTLD_NEXT)):
 *
 *   pcap_create      an xdp: name gets a pcap_t made by libpcap, given the
 *                    operations of pcap-xdp-core.c; other names pass
 *   pcap_findalldevs the hooks are added after the usual devices
 *   pcap_compile     the filter's text reaches the module, which runs it
 *                    in the kernel (pcap_setfilter only passes cBPF)
 *   pcap_close       frees the module's state
 *
 * libpcap calls these through its own symbol table too (pcap_open_live,
 * pcap_lookupdev), so those paths are covered as well.
 *
 * Giving a pcap_t other operations relies on libpcap 1.10's private
 * layout (pcap-abi-1.10.h). Before touching one, the running libpcap's
 * version is checked, and each new pcap_t is probed: fields set through
 * the public API must read back where the layout says. Anything else is
 * refused with a message, never guessed at.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap-xdp-core.h"

#define EXPORT __attribute__((visibility("default")))
#define SUPPORTED_VERSION "libpcap version 1.10."

/* The module's state, and libpcap's own cleanup to finish with. */
struct preload_handle {
	struct pcap_xdp xdp;		/* first: p->priv points here */
	cleanup_op_t libpcap_cleanup;
	pcap_t *p;
	struct preload_handle *next;
};

static struct {
	pcap_t *(*create)(const char *, char *);
	int (*findalldevs)(pcap_if_t **, char *);
	int (*compile)(pcap_t *, struct bpf_program *, const char *, int, bpf_u_int32);
	void (*close)(pcap_t *);
} real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

/* The xdp: handles made here: only these are ever treated as ours. */
static struct preload_handle *handles;
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;

static void find_real(void)
{
	real.create = (pcap_t *(*)(const char *, char *))dlsym(RTLD_NEXT, "pcap_create");
	real.findalldevs = (int (*)(pcap_if_t **, char *))dlsym(RTLD_NEXT, "pcap_findalldevs");
	real.compile = (int (*)(pcap_t *, struct bpf_program *, const char *, int, bpf_u_int32))
		dlsym(RTLD_NEXT, "pcap_compile");
	real.close = (void (*)(pcap_t *))dlsym(RTLD_NEXT, "pcap_close");
}

/* Without libpcap behind us nothing can work: say so and stop. */
static void need_real(void)
{
	pthread_once(&real_once, find_real);
	if (!real.create || !real.findalldevs || !real.compile || !real.close) {
		static const char msg[] =
			"libpcap-xdp.so: libpcap's functions not found: preload it into a program linked with libpcap\n";

		if (write(2, msg, sizeof(msg) - 1) < 0)
			abort();
		abort();
	}
}

static int version_supported(void)
{
	return !strncmp(pcap_lib_version(), SUPPORTED_VERSION, strlen(SUPPORTED_VERSION));
}

/*
 * Does this fresh pcap_t have 1.10's layout? What pcap_create() and the
 * pcap_set_*() calls store must be where the module will read it.
 */
static int layout_matches(pcap_t *p, const char *device)
{
	int ok = p->activated == 0 && p->fd == -1 && p->selectable_fd == -1 &&
		 p->snapshot == 0 && p->opt.device && !strcmp(p->opt.device, device) &&
		 p->opt.tstamp_type == -1 &&
		 p->opt.tstamp_precision == PCAP_TSTAMP_PRECISION_MICRO &&
		 pcap_geterr(p) == p->errbuf && p->priv && p->activate_op &&
		 p->cleanup_op && p->breakloop_op && p->oneshot_callback;

	if (!ok)
		return 0;
	pcap_set_snaplen(p, 12345);
	pcap_set_timeout(p, 4321);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, 1 << 22);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	ok = p->snapshot == 12345 && p->opt.timeout == 4321 && p->opt.immediate == 1 &&
	     p->opt.buffer_size == 1 << 22 &&
	     p->opt.tstamp_precision == PCAP_TSTAMP_PRECISION_NANO;
	if (ok) {
		p->snapshot = 0;
		p->opt.timeout = 0;
		p->opt.immediate = 0;
		p->opt.buffer_size = 0;
		p->opt.tstamp_precision = PCAP_TSTAMP_PRECISION_MICRO;
	}
	return ok;
}

static struct preload_handle *find_handle(pcap_t *p)
{
	struct preload_handle *h;

	pthread_mutex_lock(&handles_lock);
	for (h = handles; h && h->p != p; h = h->next)
		;
	pthread_mutex_unlock(&handles_lock);
	return h;
}

EXPORT pcap_t *pcap_create(const char *device, char *errbuf)
{
	struct preload_handle *h;
	pcap_t *p;

	need_real();
	if (!pcap_xdp_is_device(device))
		return real.create(device, errbuf);
	if (!version_supported()) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE,
			 "%s: libpcap-xdp.so supports libpcap 1.10 only, this is %s: use a libpcap built with xdp: devices (packaging/build-libpcap-xdp.sh)",
			 device, pcap_lib_version());
		return NULL;
	}
	p = real.create(device, errbuf);
	if (!p)
		return NULL;
	if (!layout_matches(p, device)) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE,
			 "%s: this libpcap (%s) is not laid out as libpcap-xdp.so expects: use a libpcap built with xdp: devices (packaging/build-libpcap-xdp.sh)",
			 device, pcap_lib_version());
		real.close(p);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: out of memory", device);
		real.close(p);
		return NULL;
	}
	/* libpcap's private part for an interface stays unused */
	h->p = p;
	h->libpcap_cleanup = p->cleanup_op;
	p->priv = &h->xdp;
	if (pcap_xdp_setup(p, errbuf)) {
		real.close(p);
		free(h);
		return NULL;
	}
	pthread_mutex_lock(&handles_lock);
	h->next = handles;
	handles = h;
	pthread_mutex_unlock(&handles_lock);
	return p;
}

void pcap_xdp_release(pcap_t *p)
{
	struct preload_handle *h = p->priv;

	h->libpcap_cleanup(p);
}

EXPORT void pcap_close(pcap_t *p)
{
	struct preload_handle *h, **link;

	need_real();
	if (!find_handle(p)) {
		real.close(p);
		return;
	}
	real.close(p);
	pthread_mutex_lock(&handles_lock);
	for (link = &handles; *link && (*link)->p != p; link = &(*link)->next)
		;
	h = *link;
	if (h)
		*link = h->next;
	pthread_mutex_unlock(&handles_lock);
	free(h);
}

EXPORT int pcap_compile(pcap_t *p, struct bpf_program *program, const char *text,
			int optimize, bpf_u_int32 netmask)
{
	int err;

	need_real();
	err = real.compile(p, program, text, optimize, netmask);
	if (err || !find_handle(p))
		return err;
	if (pcap_xdp_filter_compiled(p, text, program)) {
		pcap_freecode(program);
		return PCAP_ERROR;
	}
	return 0;
}

/* Append to the list at *ctx (a pointer to the last next pointer). */
static int append_device(void *ctx, const char *name, const char *description,
			 char *errbuf)
{
	pcap_if_t ***tail = ctx;
	pcap_if_t *d = calloc(1, sizeof(*d));

	if (d) {
		d->name = strdup(name);
		d->description = strdup(description);
		/* as libpcap-built-in devices: never the default device */
		d->flags = PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE;
	}
	if (!d || !d->name || !d->description) {
		if (d) {
			free(d->name);
			free(d->description);
		}
		free(d);
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "out of memory listing xdp: devices");
		return -1;
	}
	**tail = d;
	*tail = &d->next;
	return 0;
}

EXPORT int pcap_findalldevs(pcap_if_t **alldevs, char *errbuf)
{
	pcap_if_t **tail;
	int err;

	need_real();
	err = real.findalldevs(alldevs, errbuf);
	/* only what can be opened is listed */
	if (err || !version_supported())
		return err;
	for (tail = alldevs; *tail; tail = &(*tail)->next)
		;
	if (pcap_xdp_list_devices(append_device, &tail, errbuf)) {
		pcap_freealldevs(*alldevs);
		*alldevs = NULL;
		return PCAP_ERROR;
	}
	return 0;
}
