// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: interface names, kept once each. A rule's -i and -o name a
 * number, not 16 bytes each: 28 bytes less a rule, which is most of a rule
 * that has no interface. The walk compares the packet's device name with
 * minifw_ifname(number), one load more for a rule that has one.
 *
 * The same name always gets the same number while a rule holds it, so
 * rules still compare with memcmp() (-D CHAIN rule) and runs still find
 * rules alike. Each name is counted: a rule (in every ruleset that holds
 * it) and a parsed command hold one reference each. A name whose count
 * falls to 0 leaves its number free for the next new name.
 *
 * Numbers are handed out under minifw_ifname_lock; references are taken
 * only by holders of one (copies of a rule), and dropped anywhere (RCU
 * callbacks free rulesets). So a number whose count is 0 can only be
 * taken back under the lock, by minifw_ifname_intern(), which is also the
 * only writer of names.
 *
 * Also builds in user space (include/minifw_user.h).
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#endif

#include "ifname.h"
#include "syntax.h"

struct minifw_ifname_chunk *minifw_ifname_chunks[MINIFW_IFNAME_MAX / MINIFW_IFNAME_CHUNK];
static DEFINE_MUTEX(minifw_ifname_lock);
static u16 minifw_ifname_top = 1;	/* numbers below have been handed out */

static struct minifw_ifname *minifw_ifname_slot(u16 id)
{
	return &minifw_ifname_chunks[id / MINIFW_IFNAME_CHUNK]->e[id % MINIFW_IFNAME_CHUNK];
}

/**
 * minifw_ifname_intern() - the number of an interface name, with a reference
 * @err: reason on failure
 * @name: the name as written, shorter than IFNAMSIZ
 * @id: its number, out
 *
 * Context: control path, may sleep.
 * Return: 0, -ENOMEM, or -EINVAL when MINIFW_IFNAME_MAX - 1 names are in use.
 */
int minifw_ifname_intern(struct minifw_err *err, const char *name, u16 *id)
{
	char key[IFNAMSIZ] = { 0 };
	struct minifw_ifname *e;
	u16 i, spare = 0;
	int ret = 0;

	strscpy(key, name, sizeof(key));
	mutex_lock(&minifw_ifname_lock);
	for (i = 1; i < minifw_ifname_top; i++) {
		e = minifw_ifname_slot(i);
		if (!memcmp(e->name, key, sizeof(key)) && refcount_inc_not_zero(&e->ref))
			goto found;
		if (!spare && !refcount_read(&e->ref))
			spare = i;
	}
	if (!spare) {
		if (minifw_ifname_top == MINIFW_IFNAME_MAX) {
			ret = minifw_fail(err, "more than %d interface names are in use",
					  MINIFW_IFNAME_MAX - 1);
			goto out;
		}
		spare = minifw_ifname_top;
		if (!minifw_ifname_chunks[spare / MINIFW_IFNAME_CHUNK]) {
			struct minifw_ifname_chunk *c = kzalloc(sizeof(*c), GFP_KERNEL);

			if (!c) {
				ret = minifw_nomem(err);
				goto out;
			}
			/* see minifw_ifname(): set once, before any rule names it */
			smp_store_release(&minifw_ifname_chunks[spare / MINIFW_IFNAME_CHUNK], c);
		}
		minifw_ifname_top++;
	}
	i = spare;
	e = minifw_ifname_slot(i);
	memcpy(e->name, key, sizeof(key));
	refcount_set(&e->ref, 1);
found:
	*id = i;
out:
	mutex_unlock(&minifw_ifname_lock);
	return ret;
}

/**
 * minifw_ifname_get() - another reference to a name the caller holds one to
 * @id: its number, or 0 (no name: nothing to do)
 *
 * Context: control path.
 */
void minifw_ifname_get(u16 id)
{
	if (id)
		refcount_inc(&minifw_ifname_slot(id)->ref);
}

/**
 * minifw_ifname_put() - drop a reference to a name
 * @id: its number, or 0
 *
 * Context: any; does not sleep.
 */
void minifw_ifname_put(u16 id)
{
	/* at 0 there is nothing to free: the next new name takes the number */
	if (id && refcount_dec_and_test(&minifw_ifname_slot(id)->ref))
		return;
}

/**
 * minifw_ifname_exit() - free the names, once no rule is left
 *
 * Context: module unload (or the end of a user-space test).
 */
void minifw_ifname_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(minifw_ifname_chunks); i++) {
		kfree(minifw_ifname_chunks[i]);
		minifw_ifname_chunks[i] = NULL;
	}
	minifw_ifname_top = 1;
}
