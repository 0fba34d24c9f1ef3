// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m owner (libxt_owner revision 1, xt_owner): the local socket a
 * packet was sent from, in OUTPUT and POSTROUTING (elsewhere a packet has
 * none, as x_tables' .hooks say).
 *   [!] --socket-exists        it has one (of this network namespace)
 *   [!] --uid-owner N[-M]      its file's filesystem user id is in the range
 *   [!] --gid-owner N[-M]      its group id is ...
 *   --suppl-groups             ... or one of its supplementary groups is
 *                              (after --gid-owner)
 * Ids are numbers, 0 to 4294967294 (N:M also reads as a range).
 * minifw: user and group names are refused; iptables looks them up in
 * user space (getpwnam()), which a kernel module cannot, and iptables-save
 * lists numbers. Listed in libxt_owner's order: --socket-exists,
 * --uid-owner, --gid-owner, --suppl-groups.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include <linux/netfilter/xt_owner.h>
#include "ext.h"

struct minifw_owner {
	u32 uid[2], gid[2];	/* inclusive ranges */
	u8 match;		/* XT_OWNER_* given */
	u8 invert;		/* XT_OWNER_* negated */
	u8 pad[2];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_owner) == 20, "struct minifw_owner has padding");

enum { MINIFW_OWNER_OPT_UID, MINIFW_OWNER_OPT_GID, MINIFW_OWNER_OPT_SOCKET,
	MINIFW_OWNER_OPT_SUPPL };

static const struct minifw_opt minifw_owner_opts[] = {
	{ "--uid-owner", NULL, NULL, MINIFW_OWNER_OPT_UID, 1, MINIFW_OPT_INV, NULL },
	{ "--gid-owner", NULL, NULL, MINIFW_OWNER_OPT_GID, 1, MINIFW_OPT_INV, NULL },
	{ "--socket-exists", NULL, NULL, MINIFW_OWNER_OPT_SOCKET, 0, MINIFW_OPT_INV, NULL },
	{ "--suppl-groups", NULL, NULL, MINIFW_OWNER_OPT_SUPPL, 0, 0, NULL },
	{ }
};

#define MINIFW_OWNER_ID_MAX	(U32_MAX - 1)	/* (u32)-1 is no id */

/* "N", "N-M" or "N:M", as libxt_owner's owner_parse_range() */
static int minifw_owner_range(struct minifw_xcall *x, const char *what, u32 *range)
{
	char *s = x->arg[0], *sep = strpbrk(s, "-:"), c = sep ? *sep : '\0';
	int ret;

	if (sep)
		*sep = '\0';
	ret = minifw_parse_uint(x->err, s, MINIFW_OWNER_ID_MAX, what, &range[0]);
	range[1] = range[0];
	if (!ret && sep)
		ret = minifw_parse_uint(x->err, sep + 1, MINIFW_OWNER_ID_MAX, what, &range[1]);
	if (sep)
		*sep = c;
	if (ret)
		return ret;
	if (range[1] < range[0])
		return minifw_fail(x->err, "%s \"%s\" is a reversed range (first > last)",
				   x->opt->name, minifw_xq(x, s));
	return 0;
}

static int minifw_owner_parse(struct minifw_xcall *x)
{
	struct minifw_owner *o = x->data;
	bool uid = x->opt->id == MINIFW_OWNER_OPT_UID;
	u8 bit;

	switch (x->opt->id) {
	case MINIFW_OWNER_OPT_UID:
	case MINIFW_OWNER_OPT_GID:
		bit = uid ? XT_OWNER_UID : XT_OWNER_GID;
		if (!isdigit((unsigned char)x->arg[0][0]))
			return minifw_fail(x->err, "%s \"%s\": a number; minifw cannot look up %s names (iptables-save lists numbers)",
					   x->opt->name, minifw_xq(x, x->arg[0]),
					   uid ? "user" : "group");
		if (minifw_owner_range(x, uid ? "a user id (0-4294967294)" : "a group id (0-4294967294)",
				       uid ? o->uid : o->gid))
			return -EINVAL;
		break;
	case MINIFW_OWNER_OPT_SOCKET:
		bit = XT_OWNER_SOCKET;
		break;
	default:
		if (!(o->match & XT_OWNER_GID))
			return minifw_fail(x->err, "--suppl-groups needs --gid-owner before it");
		bit = XT_OWNER_SUPPL_GROUPS;
		break;
	}
	o->match |= bit;
	if (x->inv)
		o->invert |= bit;
	return 0;
}

static int minifw_owner_check(struct minifw_xcall *x)
{
	if (!x->seen)
		return minifw_fail(x->err, "-m owner needs --uid-owner, --gid-owner or --socket-exists");
	return 0;
}

static void minifw_owner_put(struct minifw_buf *b, const struct minifw_owner *o, u8 bit,
			     const char *name, const u32 *range)
{
	if (!(o->match & bit))
		return;
	if (o->invert & bit)
		minifw_put(b, "!");
	if (!range)
		minifw_put(b, "%s", name);
	else if (range[0] == range[1])
		minifw_put(b, "%s %u", name, range[0]);
	else
		minifw_put(b, "%s %u-%u", name, range[0], range[1]);
}

static void minifw_owner_print(struct minifw_buf *b, const struct minifw_rule *r,
			       const void *data)
{
	const struct minifw_owner *o = data;

	minifw_owner_put(b, o, XT_OWNER_SOCKET, "--socket-exists", NULL);
	minifw_owner_put(b, o, XT_OWNER_UID, "--uid-owner", o->uid);
	minifw_owner_put(b, o, XT_OWNER_GID, "--gid-owner", o->gid);
	minifw_owner_put(b, o, XT_OWNER_SUPPL_GROUPS, "--suppl-groups", NULL);
}

static bool minifw_owner_in(const u32 *range, u32 id)
{
	return id >= range[0] && id <= range[1];
}

/*
 * Packet path: as xt_owner's owner_mt(), on what the owner of the packet
 * path reads of the packet's socket (minifw_pkt_owner()).
 */
static int minifw_owner_match(const void *data, const struct minifw_pkt *p,
			      struct minifw_counter *c)
{
	const struct minifw_owner *o = data;
	struct minifw_sock_owner so;
	bool gid;

	minifw_pkt_owner(p, (o->match & XT_OWNER_SUPPL_GROUPS) ? o->gid : NULL, &so);
	/* no socket: only options all negated match */
	if (!so.sock)
		return (o->match ^ o->invert) == 0 ? MINIFW_MATCH : MINIFW_NOMATCH;
	if (o->match & o->invert & XT_OWNER_SOCKET)
		return MINIFW_NOMATCH;
	/* a socket without a file: the id options all negated, or none */
	if (!so.file)
		return ((o->match ^ o->invert) & (XT_OWNER_UID | XT_OWNER_GID)) == 0 ?
		       MINIFW_MATCH : MINIFW_NOMATCH;
	if ((o->match & XT_OWNER_UID) &&
	    minifw_owner_in(o->uid, so.uid) == !!(o->invert & XT_OWNER_UID))
		return MINIFW_NOMATCH;
	if (o->match & XT_OWNER_GID) {
		gid = minifw_owner_in(o->gid, so.gid) || so.suppl;
		if (gid == !!(o->invert & XT_OWNER_GID))
			return MINIFW_NOMATCH;
	}
	return MINIFW_MATCH;
}

const struct minifw_ext_ops minifw_xt_owner = {
	.name		= "owner",
	.hooks		= MINIFW_CHAIN_BIT(MINIFW_OUTPUT) | MINIFW_CHAIN_BIT(MINIFW_POSTROUTING),
	.hooks_why	= "only packets this host sends have a local socket",
	.size		= sizeof(struct minifw_owner),
	.opts		= minifw_owner_opts,
	.parse		= minifw_owner_parse,
	.check		= minifw_owner_check,
	.print		= minifw_owner_print,
	.match		= minifw_owner_match,
};
