/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Finding xdpcap hooks: the program arrays that instrumented XDP programs
 * return their verdicts through (bpf/xdpcap_hook.h).
 *
 * A hook is named, in every front end, by one of:
 *   xdp:NAME    a hook pinned as HOOK_DIR/NAME (HOOK_DIR defaults to
 *               /sys/fs/bpf/xdpcap, or $XDPCAP_HOOK_DIR)
 *   xdp:IFNAME  the map named "xdpcap_hook" of the XDP program attached to
 *               network interface IFNAME (no pinning needed)
 *   NAME, IFNAME  the same without the prefix
 *   /PATH       a hook pinned anywhere on bpffs
 * A pinned NAME is preferred to an interface of the same name. Names
 * cannot leave HOOK_DIR ("..", "/" and symlinks out of it are refused).
 *
 * Interfaces are those of the caller's network namespace; pinned hooks
 * need bpffs, interface hooks do not. Everything here needs root
 * (CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN).
 */
#ifndef XDPCAP_HOOK_H_API
#define XDPCAP_HOOK_H_API

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xdpcap_abi.h>

#include "xdpcap/common.h"
#include "xdpcap/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XDPCAP_DEFAULT_HOOK_DIR "/sys/fs/bpf/xdpcap"
/* One slot per XDP action: ABORTED, DROP, PASS, TX, REDIRECT. */
#define XDPCAP_ACTIONS XDPCAP_HOOK_SLOTS
/*
 * Hooks declared with XDPCAP_HOOK_WITH_ENTRY (bpf/xdpcap_hook.h) have two
 * more: the entry capture, and the XDP program itself, which the entry
 * capture runs again (the library's names for xdpcap_abi.h's
 * XDPCAP_ENTRY_SLOT, XDPCAP_RERUN_SLOT and XDPCAP_HOOK_ENTRY_SLOTS).
 * Captures fill XDPCAP_SLOTS slots at most.
 */
#define XDPCAP_SLOT_ENTRY XDPCAP_ENTRY_SLOT
#define XDPCAP_SLOT_RERUN XDPCAP_RERUN_SLOT
#define XDPCAP_ENTRY_HOOK_SLOTS XDPCAP_HOOK_ENTRY_SLOTS
#define XDPCAP_SLOTS 6

enum xdpcap_hook_source {
	XDPCAP_HOOK_PINNED,	/* xdp:NAME under the hook directory */
	XDPCAP_HOOK_INTERFACE,	/* xdp:IFNAME */
	XDPCAP_HOOK_PATH,	/* an absolute bpffs path */
	/* xdp:IFNAME whose program has no hook, captured by tracing it
	 * (map_fd -1; prog_id, prog_name, ifname, ifindex set) */
	XDPCAP_HOOK_TRACED,
};

struct xdpcap_hook {
	int map_fd;			/* -1 when closed */
	enum xdpcap_hook_source source;
	char name[128];			/* canonical: "xdp:NAME", "xdp:IFNAME", or the resolved path */
	char path[512];			/* resolved pinned path, "" for interfaces */
	char ifname[32];		/* an interface using it, "" if none found */
	int ifindex;			/* 0 if none found */
	uint32_t map_id;
	uint32_t max_entries;
	uint32_t prog_id;		/* the XDP program of ifname using it, 0 if none found */
	char prog_name[16];		/* its name, "" if none found */
};

/* The most captures that share one slot, each with its own filter. */
#define XDPCAP_SLOT_SHARED_MAX 8

/* A capture that shares a slot with the one that holds it. */
struct xdpcap_slot_sharer {
	uint32_t prog_id;
	int owner_pid;
	bool owner_alive;
};

/* Who holds a slot of a hook. */
struct xdpcap_slot {
	uint32_t prog_id;		/* 0: empty */
	char prog_name[16];
	int owner_pid;			/* the xdpcap process that filled it, 0: not
					 * xdpcap's; its pid as the caller sees it, or
					 * see xdpcap_prog_owner_elsewhere() */
	bool owner_alive;		/* that capture (or its guard) still runs, as
					 * the kernel tells, in any namespace */
	/* the program could not be read (that needs CAP_SYS_ADMIN): its
	 * name and owner are unknown */
	bool unreadable;
	/* the other captures on the slot, in the order their programs run
	 * after this one's (reading them needs CAP_SYS_ADMIN) */
	unsigned int n_shared;
	struct xdpcap_slot_sharer shared[XDPCAP_SLOT_SHARED_MAX - 1];
};

/* The hook directory: hook_dir if not NULL, else $XDPCAP_HOOK_DIR, else the default. */
XDPCAP_API const char *xdpcap_hook_dir(const char *hook_dir);

/*
 * Open the hook named spec and check it is a program array with 4-byte
 * keys and values and at least XDPCAP_ACTIONS slots (and, if already
 * bound to a program type, bound to XDP). hook_dir as for
 * xdpcap_hook_dir(). For a pinned hook, ifname and prog_* tell the first
 * interface whose XDP program uses it, if any. Errors (-ENOENT no such
 * hook, -EINVAL not a hook or a bad name, -EPERM not permitted, -ENODEV
 * bpffs not mounted, and others from the kernel) come with a message
 * that says what to do, and for an unknown name lists the hooks that
 * exist. hook->map_fd is -1 on error.
 */
XDPCAP_API int xdpcap_hook_open(const char *spec, const char *hook_dir,
				struct xdpcap_hook *hook, char *errbuf);

/*
 * Open the hook of the XDP program attached to interface ifindex (the
 * map named XDPCAP_HOOK_MAP_NAME among its maps), as xdp:IFNAME does but
 * never a pinned hook of the same name. -ENOENT if the interface has no
 * XDP program or its program has no such map.
 */
XDPCAP_API int xdpcap_hook_open_ifindex(int ifindex, struct xdpcap_hook *hook,
					char *errbuf);

/* Close the hook's map fd; closing twice, or NULL, is fine. */
XDPCAP_API void xdpcap_hook_close(struct xdpcap_hook *hook);

/*
 * Read who holds each of the first XDPCAP_ACTIONS slots: a snapshot, as
 * other processes may fill or empty slots at any time.
 * xdpcap_hook_slot() reads one, any slot of the hook.
 */
XDPCAP_API int xdpcap_hook_slot(const struct xdpcap_hook *hook, uint32_t key,
				struct xdpcap_slot *slot, char *errbuf);
XDPCAP_API int xdpcap_hook_slots(const struct xdpcap_hook *hook,
				 struct xdpcap_slot slots[XDPCAP_ACTIONS],
				 char *errbuf);

/*
 * Every hook that can be found: pinned under the hook directory (sorted
 * by name), then held by the XDP programs of network interfaces (in
 * interface order). A pinned map that an interface's program uses is
 * listed once, under its pinned name, with that interface; a map that
 * several interfaces use, once, with the first; a map pinned under
 * several names, under each. Files in the hook directory that are not
 * hooks are skipped, and a missing hook directory or bpffs just means no
 * pinned hooks. Fails only when the search itself does (-EPERM not
 * permitted, -ENOMEM, or listing interfaces fails). The hooks are open;
 * free them with xdpcap_hook_list_free().
 */
XDPCAP_API int xdpcap_hook_list(const char *hook_dir, struct xdpcap_hook **hooks,
				size_t *count, char *errbuf);

/*
 * Something a listing found but may not open: hook is a pin of the hook
 * directory, closed (map_fd -1, map_id 0), with only its name, source
 * and path known; or NULL, for the hook directory itself, which may not
 * be read. why says what was refused and what privilege it needs.
 */
typedef void (*xdpcap_hook_denied_fn)(const struct xdpcap_hook *hook,
				      const char *why, void *ctx);

/*
 * As xdpcap_hook_list(), but a pin (or the hook directory) this process
 * may not open does not end the search: it goes to denied, if not NULL,
 * and the others are listed. Interfaces whose XDP program it may not
 * read are skipped, as by xdpcap_hook_list() (most XDP programs have no
 * hook): that fails the search (-EPERM) only when nothing was found and
 * nothing went to denied.
 */
XDPCAP_API int xdpcap_hook_list_denied(const char *hook_dir,
				       xdpcap_hook_denied_fn denied, void *ctx,
				       struct xdpcap_hook **hooks, size_t *count,
				       char *errbuf);
XDPCAP_API void xdpcap_hook_list_free(struct xdpcap_hook *hooks, size_t count);

/*
 * Capture programs are named "xdpcap_<pid>" so that another xdpcap can
 * tell who owns a slot. Returns the pid (only digits after "xdpcap_",
 * greater than 0), or 0 for another name.
 */
XDPCAP_API int xdpcap_prog_name_owner(const char *prog_name);

/*
 * Whether the xdpcap process that owns capture program prog_id runs in a
 * pid namespace the caller cannot see into (beside or above its own):
 * the slot's owner_pid is then its pid there, not one of the caller's.
 */
XDPCAP_API bool xdpcap_prog_owner_elsewhere(uint32_t prog_id);


#ifdef __cplusplus
}
#endif

#endif
