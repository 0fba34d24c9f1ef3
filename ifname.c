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
 * only writer of names. It finds a name by its hash (freed names stay in
 * their bucket until their number is taken again), and looks for a free
 * number only when a count has fallen to 0 since the last one was taken.
 *
 * Also builds in user space (include/minifw_user.h).
 */

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#endif

#include "ifname.h"
#include "syntax.h"

#define MINIFW_IFNAME_BUCKETS	256

/* set under minifw_ifname_lock, each once; read without a lock (minifw_ifname()) */
struct minifw_ifname_chunk *minifw_ifname_chunks[MINIFW_IFNAME_MAX / MINIFW_IFNAME_CHUNK];
static DEFINE_MUTEX(minifw_ifname_lock);
/* under minifw_ifname_lock: the numbers handed out are below top */
static u32 minifw_ifname_top = 1;
/* under minifw_ifname_lock: the names by hash, free ones too, 0 ends */
static u16 minifw_ifname_bucket[MINIFW_IFNAME_BUCKETS];
/* numbers below top whose count fell to 0: raised anywhere, lowered under the lock */
static atomic_t minifw_ifname_free;

static struct minifw_ifname *minifw_ifname_slot(u32 id)
{
	return &minifw_ifname_chunks[id / MINIFW_IFNAME_CHUNK]->e[id % MINIFW_IFNAME_CHUNK];
}

static u16 *minifw_ifname_head(const char *key)
{
	u32 h = 0;
	int i;

	for (i = 0; i < IFNAMSIZ; i++)
		h = h * 31 + (u8)key[i];
	return &minifw_ifname_bucket[h % MINIFW_IFNAME_BUCKETS];
}

/* Take number @id, free, out of the bucket of the name it had. */
static void minifw_ifname_unlink(u16 id)
{
	u16 *p = minifw_ifname_head(minifw_ifname_slot(id)->name);

	while (*p != id)
		p = &minifw_ifname_slot(*p)->next;
	*p = minifw_ifname_slot(id)->next;
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
	int ret = 0;
	u16 *head;
	u32 i;

	strscpy(key, name, sizeof(key));
	mutex_lock(&minifw_ifname_lock);
	head = minifw_ifname_head(key);
	for (i = *head; i; i = e->next) {
		e = minifw_ifname_slot(i);
		if (!memcmp(e->name, key, sizeof(key)) && refcount_inc_not_zero(&e->ref))
			goto found;
	}
	/* a new name: the first free number, if any, or a new one */
	i = minifw_ifname_top;
	if (atomic_read(&minifw_ifname_free) > 0)
		for (i = 1; i < minifw_ifname_top; i++)
			if (!refcount_read(&minifw_ifname_slot(i)->ref))
				break;
	if (i < minifw_ifname_top) {
		atomic_dec(&minifw_ifname_free);
		minifw_ifname_unlink(i);
	} else if (i == MINIFW_IFNAME_MAX) {
		ret = minifw_fail(err, "more than %d interface names are in use",
				  MINIFW_IFNAME_MAX - 1);
		goto out;
	} else {
		if (!minifw_ifname_chunks[i / MINIFW_IFNAME_CHUNK]) {
			struct minifw_ifname_chunk *c = kzalloc(sizeof(*c), GFP_KERNEL);

			if (!c) {
				ret = minifw_nomem(err);
				goto out;
			}
			/* see minifw_ifname(): set once, before any rule names it */
			smp_store_release(&minifw_ifname_chunks[i / MINIFW_IFNAME_CHUNK], c);
		}
		minifw_ifname_top++;
	}
	e = minifw_ifname_slot(i);
	memcpy(e->name, key, sizeof(key));
	e->next = *head;
	*head = i;
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
		atomic_inc(&minifw_ifname_free);
}

/**
 * minifw_ifname_exit() - free the names, once no rule is left
 *
 * Context: module unload (or the end of a user-space test).
 */
void minifw_ifname_exit(void)
{
	unsigned int i;

	for (i = 1; i < minifw_ifname_top; i++)
		WARN_ON_ONCE(refcount_read(&minifw_ifname_slot(i)->ref));
	for (i = 0; i < ARRAY_SIZE(minifw_ifname_chunks); i++) {
		kfree(minifw_ifname_chunks[i]);
		minifw_ifname_chunks[i] = NULL;
	}
	memset(minifw_ifname_bucket, 0, sizeof(minifw_ifname_bucket));
	atomic_set(&minifw_ifname_free, 0);
	minifw_ifname_top = 1;
}
