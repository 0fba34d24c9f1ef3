/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: interface names (-i, -o) kept once each and named in rules by a
 * number (ifname.c).
 */
#ifndef MINIFW_IFNAME_H
#define MINIFW_IFNAME_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/refcount.h>
#include <linux/compiler.h>
#include <linux/if.h>
#else
#include "minifw_user.h"
#endif

struct minifw_err;

/*
 * Names are numbered 1 to MINIFW_IFNAME_MAX - 1 (0: no name), in chunks of
 * MINIFW_IFNAME_CHUNK (3 KiB) allocated as they are first needed and kept
 * until the module is unloaded (minifw_ifname_exit()). Every ruleset
 * alive counts: the live one, one being built, one a reader of
 * /proc/minifw/rules still lists.
 */
#define MINIFW_IFNAME_CHUNK	128
#define MINIFW_IFNAME_MAX	65536

struct minifw_ifname {
	refcount_t ref;		/* 0: free, for the next new name */
	u16 next;		/* the next number in its hash bucket, 0 ends */
	char name[IFNAMSIZ];	/* as written ("eth+"), zero-padded */
};

struct minifw_ifname_chunk {
	struct minifw_ifname e[MINIFW_IFNAME_CHUNK];
};

extern struct minifw_ifname_chunk *minifw_ifname_chunks[MINIFW_IFNAME_MAX / MINIFW_IFNAME_CHUNK];

/*
 * The name numbered @id (not 0), which the caller holds a reference to, or
 * reads from a rule of a live ruleset. A chunk's pointer is set once,
 * before any rule can hold a number in it, and is read with an address
 * dependency on the number (READ_ONCE() for the few CPUs that do not keep
 * such loads in order).
 */
static __always_inline const char *minifw_ifname(u16 id)
{
	const struct minifw_ifname_chunk *c;

	c = READ_ONCE(minifw_ifname_chunks[id / MINIFW_IFNAME_CHUNK]);

	return c->e[id % MINIFW_IFNAME_CHUNK].name;
}

int minifw_ifname_intern(struct minifw_err *err, const char *name, u16 *id);
void minifw_ifname_get(u16 id);
void minifw_ifname_put(u16 id);
void minifw_ifname_exit(void);

#endif /* MINIFW_IFNAME_H */
