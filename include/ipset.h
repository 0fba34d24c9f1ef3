/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: the kernel's ipset sets, as -m set and -j SET (ext/set.c) name
 * them, and what the owner of the packet path does with them: ipset.c in
 * the kernel (through ip_set's own functions, as xt_set), a small model of
 * sets in user space (the unit tests make their sets there).
 *
 * A rule names a set; the set is found when the rule is read (its index,
 * family and dimension: as iptables asks the kernel for them), held while
 * a live ruleset names it (so that "ipset destroy" refuses it, as with
 * iptables' rules), and let go once no ruleset a packet may still walk
 * names it.
 */
#ifndef MINIFW_IPSET_H
#define MINIFW_IPSET_H

#include "rules.h"
#include "syntax.h"

#define MINIFW_IPSET_NAME_LEN	32	/* with its NUL, as IPSET_MAXNAMELEN */
#define MINIFW_IPSET_DIM_MAX	6	/* src/dst flags, as IPSET_DIM_MAX */
#define MINIFW_IPSET_NONE	65535	/* no set, as IPSET_INVALID_ID */

/*
 * A set as a rule names it, with what was found of it. @flags is
 * xt_set_info's: bit i (1 to 6) says the packet's source fills the set's
 * dimension i (IPSET_DIM_ONE_SRC...), else its destination; bit 0 is
 * IPSET_INV_MATCH.
 */
struct minifw_ipset_ref {
	char name[MINIFW_IPSET_NAME_LEN];	/* NUL-padded */
	u16 index;			/* ip_set_id_t */
	u8 dim;				/* src/dst flags given: 1-6 */
	u8 flags;
	u8 family;			/* the set's: MINIFW_FAM_* (ANY: hash:mac, list:set) */
	u8 setdim;			/* its type's dimension */
	u8 pad[2];			/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_ipset_ref) == 40, "struct minifw_ipset_ref has padding");

/* What the rule asks of the set, as struct ip_set_adt_opt has it. */
struct minifw_ipset_ask {
	u64 packets, bytes;		/* --packets-*, --bytes-* */
	u32 cmdflags;			/* IPSET_FLAG_* */
	u32 timeout;			/* ADD's, seconds; U32_MAX: the set's own */
	u8 packets_op, bytes_op;	/* IPSET_COUNTER_* */
	u8 pad[6];			/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_ipset_ask) == 32, "struct minifw_ipset_ask has padding");

enum { MINIFW_IPSET_TEST, MINIFW_IPSET_ADD, MINIFW_IPSET_DEL };

struct minifw_ruleset;
struct minifw_pkt;

/*
 * ext/set.c: the sets rule @r names: its -m set's (up to
 * MINIFW_MATCH_MAX), -j SET's --add-set and --del-set
 */
#define MINIFW_SET_REFS_MAX	(MINIFW_MATCH_MAX + 2)
unsigned int minifw_set_refs(const struct minifw_rule *r, const struct minifw_ipset_ref **refs);

#ifdef __KERNEL__
/* ipset.c */
int minifw_ipset_find(const char *name, u16 *index, u8 *family, u8 *dim,
		      struct minifw_err *err);
int minifw_ipset_sync(const struct minifw_ruleset *rs, struct minifw_err *err);
void minifw_ipset_retire(const struct minifw_ruleset *rs);
int minifw_pkt_ipset(const struct minifw_pkt *p, int op, const struct minifw_ipset_ref *ref,
		     const struct minifw_ipset_ask *a);
#else
/*
 * User space: the sets a test made, by index, as a model of ipset's:
 * members are addresses, of the first dimension only, each with the
 * counters of a set made with "counters".
 */
#define MINIFW_USER_IPSETS	7
#define MINIFW_USER_IPSET_MEMBERS	8

struct minifw_user_ipset {
	const char *name;		/* NULL: no set at this index */
	u8 family;			/* MINIFW_FAM_*; ANY as hash:mac, list:set */
	u8 dim;				/* its type's dimension */
	u8 n;				/* members */
	union minifw_addr member[MINIFW_USER_IPSET_MEMBERS];
	u64 packets[MINIFW_USER_IPSET_MEMBERS], bytes[MINIFW_USER_IPSET_MEMBERS];
};

extern struct minifw_user_ipset minifw_user_ipsets[MINIFW_USER_IPSETS];

int minifw_ipset_find(const char *name, u16 *index, u8 *family, u8 *dim,
		      struct minifw_err *err);
static inline int minifw_ipset_sync(const struct minifw_ruleset *rs, struct minifw_err *err)
{
	return 0;
}

static inline void minifw_ipset_retire(const struct minifw_ruleset *rs) { }
int minifw_pkt_ipset(const struct minifw_pkt *p, int op, const struct minifw_ipset_ref *ref,
		     const struct minifw_ipset_ask *a);
#endif

#endif /* MINIFW_IPSET_H */
