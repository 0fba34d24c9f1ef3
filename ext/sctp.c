// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m sctp [!] --sport P[:P] [!] --dport P[:P]
 * [!] --chunk-types all|any|only TYPE[:FLAGS][,...] (libxt_sctp, xt_sctp):
 * the ports of an SCTP packet and the chunks it carries, after -p sctp.
 * --chunk-types all: every type named is there (with its flags, where
 * given); any: one of them is; only: no other type is. FLAGS are letters of
 * the type's flags, upper case set, lower case clear: DATA's I, U, B, E;
 * ABORT's and SHUTDOWN_COMPLETE's T. "ALL" and "NONE" name every type and
 * none.
 */

#ifdef __KERNEL__
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "ext.h"

#define MINIFW_SCTP_SRC		0x01	/* XT_SCTP_SRC_PORTS */
#define MINIFW_SCTP_DST		0x02	/* XT_SCTP_DEST_PORTS */
#define MINIFW_SCTP_CHUNKS	0x04	/* XT_SCTP_CHUNK_TYPES */
#define MINIFW_SCTP_ANY		0x01	/* SCTP_CHUNK_MATCH_ANY */
#define MINIFW_SCTP_ALL		0x02	/* SCTP_CHUNK_MATCH_ALL */
#define MINIFW_SCTP_ONLY	0x04	/* SCTP_CHUNK_MATCH_ONLY */
#define MINIFW_SCTP_FLAGS	4	/* XT_NUM_SCTP_FLAGS: types with flags */

/* A rule's -m sctp: xt_sctp_info. */
struct minifw_sctp {
	u16 spts[2], dpts[2];
	u32 chunkmap[8];		/* a bit per chunk type */
	struct {
		u8 type, flag, mask;
	} flag_info[MINIFW_SCTP_FLAGS];
	u8 flag_count;
	u8 match_type;			/* MINIFW_SCTP_ANY, _ALL, _ONLY */
	u8 flags, invflags;		/* MINIFW_SCTP_SRC ... */
};

static_assert(sizeof(struct minifw_sctp) == 56, "struct minifw_sctp has padding");

enum { MINIFW_SCTP_OPT_SPORT, MINIFW_SCTP_OPT_DPORT, MINIFW_SCTP_OPT_CHUNKS };

static const struct minifw_opt minifw_sctp_opts[] = {
	{ "--sport", "--source-port", NULL, MINIFW_SCTP_OPT_SPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--dport", "--destination-port", NULL, MINIFW_SCTP_OPT_DPORT, 1, MINIFW_OPT_INV, NULL },
	{ "--chunk-types", NULL, NULL, MINIFW_SCTP_OPT_CHUNKS, 2, MINIFW_OPT_INV, NULL },
	{ }
};

/* libxt_sctp's chunk names; the flags, from bit 7 to bit 0 */
static const struct {
	const char *name;
	u8 type;
	const char *flags;
} minifw_sctp_chunks[] = {
	{ "DATA", 0, "----IUBE" }, { "INIT", 1, "--------" }, { "INIT_ACK", 2, "--------" },
	{ "SACK", 3, "--------" }, { "HEARTBEAT", 4, "--------" },
	{ "HEARTBEAT_ACK", 5, "--------" }, { "ABORT", 6, "-------T" },
	{ "SHUTDOWN", 7, "--------" }, { "SHUTDOWN_ACK", 8, "--------" },
	{ "ERROR", 9, "--------" }, { "COOKIE_ECHO", 10, "--------" },
	{ "COOKIE_ACK", 11, "--------" }, { "ECN_ECNE", 12, "--------" },
	{ "ECN_CWR", 13, "--------" }, { "SHUTDOWN_COMPLETE", 14, "-------T" },
	{ "I_DATA", 64, "----IUBE" }, { "RE_CONFIG", 130, "--------" },
	{ "PAD", 132, "--------" }, { "ASCONF", 193, "--------" },
	{ "ASCONF_ACK", 128, "--------" }, { "FORWARD_TSN", 192, "--------" },
	{ "I_FORWARD_TSN", 194, "--------" },
};

static bool minifw_sctp_isset(const u32 *map, unsigned int type)
{
	return map[type / 32] & (1U << (type % 32));
}

/* A chunk type's flags: "UB" set, "ie" clear, into its flag_info. */
static int minifw_sctp_flags(struct minifw_xcall *x, struct minifw_sctp *sc, unsigned int i,
			     const char *f, size_t len)
{
	const char *valid = minifw_sctp_chunks[i].flags;
	unsigned int k, n, bit;
	const char *at;

	/*
	 * libxt_sctp keeps flags under the name's place in its table, which
	 * is the type itself for DATA, ABORT and SHUTDOWN_COMPLETE, not for
	 * I_DATA (whose flags it then applies to type 15)
	 */
	if (minifw_sctp_chunks[i].type != i)
		return minifw_fail(x->err, "--chunk-types: %s takes no flags (iptables would apply them to chunk type %u)",
				   minifw_sctp_chunks[i].name, i);
	for (n = 0; n < sc->flag_count && sc->flag_info[n].type != i; n++)
		;
	if (n == MINIFW_SCTP_FLAGS)
		return minifw_fail(x->err, "--chunk-types: flags for at most %d chunk types",
				   MINIFW_SCTP_FLAGS);
	for (k = 0; k < len; k++) {
		at = f[k] ? strchr(valid, toupper(f[k])) : NULL;
		if (!at || f[k] == '-')
			return minifw_fail(x->err, "--chunk-types: '%c' is not a flag of %s",
					   f[k], minifw_sctp_chunks[i].name);
		bit = 7 - (at - valid);
		sc->flag_info[n].type = i;
		sc->flag_info[n].mask |= 1U << bit;
		if (isupper(f[k]))
			sc->flag_info[n].flag |= 1U << bit;
	}
	if (len && n == sc->flag_count)
		sc->flag_count++;
	return 0;
}

/* libxt_sctp's parse_sctp_chunks(): "all|any|only" and "TYPE[:FLAGS],..." */
static int minifw_sctp_chunks_parse(struct minifw_xcall *x, struct minifw_sctp *sc)
{
	const char *how = x->arg[0], *s = x->arg[1], *end, *colon;
	size_t len, i;
	int ret;

	if (!strcasecmp(how, "any"))
		sc->match_type = MINIFW_SCTP_ANY;
	else if (!strcasecmp(how, "all"))
		sc->match_type = MINIFW_SCTP_ALL;
	else if (!strcasecmp(how, "only"))
		sc->match_type = MINIFW_SCTP_ONLY;
	else
		return minifw_fail(x->err, "--chunk-types \"%s\": all, any or only",
				   minifw_xq(x, how));
	if (!strcasecmp(s, "ALL")) {
		memset(sc->chunkmap, 0xff, sizeof(sc->chunkmap));
		return 0;
	}
	if (!strcasecmp(s, "NONE"))
		return 0;
	/* as strtok(","): empty names are skipped */
	for (; *s; s = *end ? end + 1 : end) {
		end = s + strcspn(s, ",");
		if (end == s)
			continue;
		colon = memchr(s, ':', end - s);
		len = (colon ?: end) - s;
		for (i = 0; i < ARRAY_SIZE(minifw_sctp_chunks); i++)
			if (strlen(minifw_sctp_chunks[i].name) == len &&
			    !strncasecmp(minifw_sctp_chunks[i].name, s, len))
				break;
		if (i == ARRAY_SIZE(minifw_sctp_chunks))
			return minifw_fail(x->err, "--chunk-types: \"%s\" is not an SCTP chunk type",
					   minifw_xq(x, x->arg[1]));
		sc->chunkmap[minifw_sctp_chunks[i].type / 32] |=
			1U << (minifw_sctp_chunks[i].type % 32);
		if (colon) {
			ret = minifw_sctp_flags(x, sc, i, colon + 1, end - colon - 1);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int minifw_sctp_parse(struct minifw_xcall *x)
{
	struct minifw_sctp *sc = x->data;
	u8 bit = 1U << x->opt->id;	/* MINIFW_SCTP_SRC, _DST, _CHUNKS by option */

	sc->flags |= bit;
	if (x->inv)
		sc->invflags |= bit;
	if (x->opt->id == MINIFW_SCTP_OPT_CHUNKS)
		return minifw_sctp_chunks_parse(x, sc);
	return minifw_parse_ports(x->err, x->arg[0], IPPROTO_SCTP,
				  x->opt->id == MINIFW_SCTP_OPT_SPORT ? sc->spts : sc->dpts);
}

/* As libxt_sctp's sctp_save(). */
static void minifw_sctp_print(struct minifw_buf *b, const struct minifw_rule *rule,
			      const void *data)
{
	const struct minifw_sctp *sc = data;
	unsigned int t, i, k, bit;
	bool first = true, all = true, none = true;
	char list[512];
	size_t pos = 0;

	if (sc->flags & MINIFW_SCTP_SRC)
		minifw_put_ports(b, "--sport", sc->invflags & MINIFW_SCTP_SRC, sc->spts);
	if (sc->flags & MINIFW_SCTP_DST)
		minifw_put_ports(b, "--dport", sc->invflags & MINIFW_SCTP_DST, sc->dpts);
	if (!(sc->flags & MINIFW_SCTP_CHUNKS))
		return;
	if (sc->invflags & MINIFW_SCTP_CHUNKS)
		minifw_put(b, "!");
	for (t = 0; t < 256; t++) {
		all &= minifw_sctp_isset(sc->chunkmap, t);
		none &= !minifw_sctp_isset(sc->chunkmap, t);
	}
	list[0] = '\0';
	for (t = 0; t < 256 && !all && !none; t++) {
		if (!minifw_sctp_isset(sc->chunkmap, t))
			continue;
		for (i = 0; i < ARRAY_SIZE(minifw_sctp_chunks); i++)
			if (minifw_sctp_chunks[i].type == t)
				break;
		pos += scnprintf(list + pos, sizeof(list) - pos, "%s%s", first ? "" : ",",
				 i < ARRAY_SIZE(minifw_sctp_chunks) ? minifw_sctp_chunks[i].name : "");
		first = false;
		for (k = 0; k < sc->flag_count; k++) {
			if (sc->flag_info[k].type != t)
				continue;
			pos += scnprintf(list + pos, sizeof(list) - pos, ":");
			for (bit = 8; bit-- > 0;) {
				char c = minifw_sctp_chunks[t].flags[7 - bit];

				if (!(sc->flag_info[k].mask & (1U << bit)))
					continue;
				if (!(sc->flag_info[k].flag & (1U << bit)))
					c = tolower(c);
				pos += scnprintf(list + pos, sizeof(list) - pos, "%c", c);
			}
		}
	}
	minifw_put(b, "--chunk-types %s %s",
		   sc->match_type == MINIFW_SCTP_ANY ? "any" :
		   sc->match_type == MINIFW_SCTP_ALL ? "all" : "only",
		   none ? "NONE" : all ? "ALL" : list);
}

/* xt_sctp's match_flags() */
static bool minifw_sctp_flags_ok(const struct minifw_sctp *sc, u8 type, u8 flags)
{
	unsigned int i;

	for (i = 0; i < sc->flag_count; i++)
		if (sc->flag_info[i].type == type)
			return (flags & sc->flag_info[i].mask) == sc->flag_info[i].flag;
	return true;
}

/* xt_sctp's match_packet(): the chunks after the common header */
static int minifw_sctp_chunks_match(const struct minifw_sctp *sc, const struct minifw_pkt *p)
{
	u32 left[8], off = 12;	/* sizeof(struct sctphdr) */
	u8 ch[4];			/* struct sctp_chunkhdr: type, flags, length */
	unsigned int i;
	u16 len;

	memcpy(left, sc->chunkmap, sizeof(left));
	do {
		if (minifw_pkt_l4_at(p, off, ch, sizeof(ch)))
			return MINIFW_HOTDROP;
		len = ch[2] << 8 | ch[3];
		if (!len)
			return MINIFW_HOTDROP;
		off += (len + 3U) & ~3U;
		if (minifw_sctp_isset(sc->chunkmap, ch[0])) {
			bool ok = minifw_sctp_flags_ok(sc, ch[0], ch[1]);

			if (sc->match_type == MINIFW_SCTP_ANY && ok)
				return MINIFW_MATCH;
			if (sc->match_type == MINIFW_SCTP_ALL && ok)
				left[ch[0] / 32] &= ~(1U << (ch[0] % 32));
			if (sc->match_type == MINIFW_SCTP_ONLY && !ok)
				return MINIFW_NOMATCH;
		} else if (sc->match_type == MINIFW_SCTP_ONLY) {
			return MINIFW_NOMATCH;
		}
	} while (p->thoff + off < p->len);
	if (sc->match_type == MINIFW_SCTP_ALL) {
		for (i = 0; i < ARRAY_SIZE(left); i++)
			if (left[i])
				return MINIFW_NOMATCH;
		return MINIFW_MATCH;
	}
	return sc->match_type == MINIFW_SCTP_ONLY ? MINIFW_MATCH : MINIFW_NOMATCH;
}

/* Packet path, RCU read side, bottom halves disabled: xt_sctp's sctp_mt(). */
static int minifw_sctp_match(const void *data, const struct minifw_pkt *p,
			     struct minifw_counter *c)
{
	const struct minifw_sctp *sc = data;
	int m;

	if (p->fragoff)
		return MINIFW_NOMATCH;
	if (!p->l4)
		return MINIFW_HOTDROP;
	if ((sc->flags & MINIFW_SCTP_SRC) &&
	    minifw_port_in(sc->spts, p->sport) == !!(sc->invflags & MINIFW_SCTP_SRC))
		return MINIFW_NOMATCH;
	if ((sc->flags & MINIFW_SCTP_DST) &&
	    minifw_port_in(sc->dpts, p->dport) == !!(sc->invflags & MINIFW_SCTP_DST))
		return MINIFW_NOMATCH;
	if (!(sc->flags & MINIFW_SCTP_CHUNKS))
		return MINIFW_MATCH;
	m = minifw_sctp_chunks_match(sc, p);
	if (m == MINIFW_HOTDROP)
		return m;
	return (m == MINIFW_MATCH) != !!(sc->invflags & MINIFW_SCTP_CHUNKS) ?
	       MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_sctp = {
	.name		= "sctp",
	.proto		= IPPROTO_SCTP,
	.size		= sizeof(struct minifw_sctp),
	.reads		= MINIFW_SKIP_L4 | MINIFW_SKIP_PROTO,
	.opts		= minifw_sctp_opts,
	.parse		= minifw_sctp_parse,
	.print		= minifw_sctp_print,
	.match		= minifw_sctp_match,
};
