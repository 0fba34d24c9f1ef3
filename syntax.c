// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: the words of the rule language, as iptables reads and prints them:
 * errors and the tokens they quote, decimal numbers, addresses, ports,
 * protocols, "did you mean", and the printer's buffer. The core parser
 * (rules.c) and the extensions (ext/) share them, so that one option reads
 * a port or a list as another does.
 *
 * Control path; no locks. Also builds in user space (include/minifw_user.h).
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/inet.h>
#include <linux/ctype.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <asm/byteorder.h>
#endif

#include "syntax.h"

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */

/**
 * minifw_fail() - record why a line is refused
 * @err: where the reason goes
 * @fmt: printf-style reason
 *
 * Context: any.
 * Return: -EINVAL, for "return minifw_fail(...)".
 */
int minifw_fail(struct minifw_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/**
 * minifw_nomem() - say "out of memory"
 * @err: reason, out
 *
 * Context: any.
 * Return: -ENOMEM.
 */
int minifw_nomem(struct minifw_err *err)
{
	minifw_fail(err, "out of memory");
	return -ENOMEM;
}

/**
 * minifw_tok() - a token as it may be quoted in an error
 * @buf: output
 * @len: size of @buf (MINIFW_TOKBUF)
 * @tok: the token
 *
 * At most @len - 1 bytes ("..." at the end if cut), anything not printable
 * ASCII shown as '?', so user input cannot forge log lines.
 *
 * Context: any.
 * Return: @buf.
 */
const char *minifw_tok(char *buf, size_t len, const char *tok)
{
	size_t i;

	for (i = 0; i + 1 < len && tok[i]; i++)
		buf[i] = (tok[i] >= 0x20 && tok[i] < 0x7f) ? tok[i] : '?';
	buf[i] = '\0';
	if (tok[i] && i >= 3)
		memcpy(buf + i - 3, "...", 3);
	return buf;
}

/**
 * minifw_long_prefix() - is @s a start of the long option @name, as
 * getopt_long() takes them ("--proto" for "--protocol")?
 * @s: a word
 * @name: a long option ("--..."), or NULL
 *
 * Context: any.
 * Return: true if so.
 */
bool minifw_long_prefix(const char *s, const char *name)
{
	return name && name[0] == '-' && name[1] == '-' && s[0] == '-' && s[1] == '-' && s[2] &&
	       !strncmp(name, s, strlen(s));
}

/* ---------------------------------------------------------------------- */
/* Numbers                                                                 */

/**
 * minifw_decimal() - is @s plain decimal, as minifw takes numbers?
 * @s: text, not necessarily NUL-terminated
 * @len: its length
 *
 * Context: any.
 * Return: MINIFW_DEC_OK, MINIFW_DEC_BAD (not all digits, or empty) or
 * MINIFW_DEC_OCTAL (a leading zero).
 */
int minifw_decimal(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return MINIFW_DEC_BAD;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return MINIFW_DEC_BAD;
	return len > 1 && s[0] == '0' ? MINIFW_DEC_OCTAL : MINIFW_DEC_OK;
}

/**
 * minifw_is_number() - all digits: a number, though maybe one
 * minifw_decimal() refuses
 * @s: NUL-terminated text
 *
 * Context: any.
 * Return: true if so.
 */
bool minifw_is_number(const char *s)
{
	return minifw_decimal(s, strlen(s)) != MINIFW_DEC_BAD;
}

/**
 * minifw_not_decimal() - refuse @s, which minifw_decimal() refused
 * @err: reason, out
 * @s: the text
 * @why: what minifw_decimal() said
 * @what: what @s should have been ("an IPv4 address")
 *
 * Context: any.
 * Return: -EINVAL.
 */
int minifw_not_decimal(struct minifw_err *err, const char *s, int why, const char *what)
{
	char tb[MINIFW_TOKBUF];

	minifw_tok(tb, sizeof(tb), s);
	if (why == MINIFW_DEC_OCTAL)
		return minifw_fail(err, "\"%s\": leading zeros are ambiguous (iptables reads them as octal)",
				   tb);
	return minifw_fail(err, "\"%s\" is not %s", tb, what);
}

/**
 * minifw_dotted() - up to four dot-separated decimal parts of 1-3 digits
 * @s: text, not necessarily NUL-terminated
 * @len: its length
 * @dots: the dots counted, out
 *
 * Context: any.
 * Return: as minifw_decimal().
 */
int minifw_dotted(const char *s, size_t len, unsigned int *dots)
{
	size_t start = 0, i;
	int ret;

	*dots = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		ret = minifw_decimal(s + start, i - start);
		if (ret != MINIFW_DEC_OK)
			return ret;
		if (i - start > 3 || (i < len && ++*dots > 3))
			return MINIFW_DEC_BAD;
		start = i + 1;
	}
	return MINIFW_DEC_OK;
}

/* ---------------------------------------------------------------------- */
/* Addresses                                                               */

static __be32 minifw_prefix_mask(unsigned int len)
{
	return len ? htonl(~0U << (32 - len)) : 0;
}

/*
 * The IPv6 masks /0 to /128, which the walk reads for an IPv6 rule's
 * prefix length: filled once, when the first IPv6 address is parsed, so
 * before any rule can name one (an IPv4 rule's mask, which the walk of an
 * IPv6 packet reads before it tests the family, may read it unfilled,
 * harmlessly).
 */
union minifw_addr minifw_prefix6[129];
static DEFINE_MUTEX(minifw_prefix6_lock);
static bool minifw_prefix6_filled;	/* set once, under minifw_prefix6_lock */

/*
 * Not DO_ONCE(): its static key would patch the module's text once per
 * load, while packets run (a mutex is all a control path needs).
 */
static void minifw_prefix6_fill(void)
{
	unsigned int len, w;

	/* pairs with the release below: a reader that sees it set sees the masks */
	if (smp_load_acquire(&minifw_prefix6_filled))
		return;
	mutex_lock(&minifw_prefix6_lock);
	if (!minifw_prefix6_filled) {
		for (len = 0; len <= 128; len++) {
			for (w = 0; w < 4; w++) {
				int bits = clamp_t(int, (int)len - 32 * (int)w, 0, 32);

				minifw_prefix6[len].ip6[w] = minifw_prefix_mask(bits);
			}
		}
		/* the masks before the flag: see the acquire above */
		smp_store_release(&minifw_prefix6_filled, true);
	}
	mutex_unlock(&minifw_prefix6_lock);
}

/**
 * minifw_mask_addr() - a rule's mask (&struct minifw_match.smsk) as 128 bits
 * @mask: the mask, out: IPv4's in the first word, the other three zero
 * @msk: the rule's mask
 * @family: the rule's family (a rule with no address has mask 0: any family)
 *
 * Context: any.
 */
void minifw_mask_addr(union minifw_addr *mask, u32 msk, u8 family)
{
	if (family == MINIFW_FAM_IPV6) {
		*mask = *minifw_mask6(msk);
		return;
	}
	memset(mask, 0, sizeof(*mask));
	mask->ip = minifw_mask4(msk);
}

/**
 * minifw_mask_pack() - a mask as a rule keeps it, from minifw_parse_addr()'s
 * @mask: the netmask; an IPv6 one is a prefix
 * @family: its address's family
 *
 * Context: any.
 * Return: IPv4: the netmask; IPv6: the prefix length.
 */
u32 minifw_mask_pack(const union minifw_addr *mask, u8 family)
{
	unsigned int w, len = 0;

	if (family != MINIFW_FAM_IPV6)
		return (__force u32)mask->ip;
	minifw_prefix6_fill();
	for (w = 0; w < 4; w++)
		len += hweight32((__force u32)mask->ip6[w]);
	return len;
}

/*
 * What in6_pton() takes but inet_pton(), and so ip6tables, does not: a
 * group of more than four digits ("02001") and an IPv4 tail with leading
 * zeros ("::ffff:010.0.0.1").
 */
static bool minifw_ip6_text(const char *s, size_t len)
{
	size_t start = 0, i;
	unsigned int dots;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ':')
			continue;
		if (memchr(s + start, '.', i - start))
			return minifw_dotted(s + start, i - start, &dots) == MINIFW_DEC_OK &&
			       dots == 3 && i == len;
		if (i - start > 4)
			return false;
		start = i + 1;
	}
	return true;
}

/* "2001:db8::/32": in6_pton() and a prefix length, as ip6tables takes them */
static int minifw_parse_addr6(const char *s, union minifw_addr *addr,
			      union minifw_addr *mask, struct minifw_err *err)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char tb[MINIFW_TOKBUF];
	const char *end;
	unsigned int i;
	u8 len = 128;
	int ret;

	if (!alen || alen > 45 || !minifw_ip6_text(s, alen) ||
	    !in6_pton(s, (int)alen, (u8 *)addr->ip6, -1, &end) || end != s + alen)
		return minifw_fail(err, "\"%s\" is not an IPv6 address",
				   minifw_tok(tb, sizeof(tb), s));
	if (slash) {
		ret = minifw_decimal(slash + 1, strlen(slash + 1));
		if (ret == MINIFW_DEC_OCTAL)
			return minifw_not_decimal(err, slash + 1, ret, "");
		if (ret != MINIFW_DEC_OK || kstrtou8(slash + 1, 10, &len) || len > 128)
			return minifw_fail(err, "IPv6 prefix length \"%s\" is not in 0-128",
					   minifw_tok(tb, sizeof(tb), slash + 1));
	}
	for (i = 0; i < 4; i++, len -= min_t(u8, len, 32)) {
		mask->ip6[i] = minifw_prefix_mask(min_t(u8, len, 32));
		addr->ip6[i] &= mask->ip6[i];
	}
	return 0;
}

/**
 * minifw_parse_addr() - parse an address as iptables or ip6tables does
 * @s: "ADDR[/LEN|/MASK]" for IPv4 ("10/8" is 10.0.0.0/8, as in iptables),
 *     "ADDR6[/LEN]" for IPv6 (any text with a colon)
 * @addr: address with host bits cleared, out; IPv4 in the first word
 * @mask: netmask, out (all ones when no length is given)
 * @family: MINIFW_FAM_IPV4 or MINIFW_FAM_IPV6, out
 * @err: reason on failure
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_addr(const char *s, union minifw_addr *addr, union minifw_addr *mask,
		      u8 *family, struct minifw_err *err)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	const char *end;
	unsigned int dots;
	char buf[24];
	int ret;
	u8 a[4];

	memset(addr, 0, sizeof(*addr));
	memset(mask, 0, sizeof(*mask));
	/* a colon makes it IPv6, unless after a dot ("10.0.0.1:80") */
	if (memchr(s, ':', alen) && strcspn(s, ".") > strcspn(s, ":")) {
		*family = MINIFW_FAM_IPV6;
		return minifw_parse_addr6(s, addr, mask, err);
	}
	*family = MINIFW_FAM_IPV4;
	ret = alen > 15 ? MINIFW_DEC_BAD : minifw_dotted(s, alen, &dots);
	if (ret != MINIFW_DEC_OK)
		return minifw_not_decimal(err, s, ret, "an IPv4 address");
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	/* iptables completes a short network address: "10" is 10.0.0.0 */
	for (; dots < 3; dots++)
		strcat(buf, ".0");
	/* in4_pton() stops at any odd character: insist it read everything */
	if (!in4_pton(buf, -1, a, -1, &end) || *end)
		return minifw_not_decimal(err, s, MINIFW_DEC_BAD, "an IPv4 address");
	memcpy(&addr->ip, a, 4);

	if (!slash) {
		mask->ip = htonl(0xffffffff);
	} else if (strchr(slash + 1, '.')) {
		size_t mlen = strlen(slash + 1);

		ret = mlen > 15 ? MINIFW_DEC_BAD : minifw_dotted(slash + 1, mlen, &dots);
		if (ret == MINIFW_DEC_OK && dots != 3)
			ret = MINIFW_DEC_BAD;
		if (ret != MINIFW_DEC_OK || !in4_pton(slash + 1, (int)mlen, a, -1, &end) ||
		    end != slash + 1 + mlen)
			return minifw_not_decimal(err, slash + 1, ret, "a netmask");
		memcpy(&mask->ip, a, 4);
	} else {
		char tb[MINIFW_TOKBUF];
		u8 len;

		ret = minifw_decimal(slash + 1, strlen(slash + 1));
		if (ret == MINIFW_DEC_OCTAL)
			return minifw_not_decimal(err, slash + 1, ret, "");
		if (ret != MINIFW_DEC_OK || kstrtou8(slash + 1, 10, &len) || len > 32)
			return minifw_fail(err, "prefix length \"%s\" is not in 0-32",
					   minifw_tok(tb, sizeof(tb), slash + 1));
		mask->ip = minifw_prefix_mask(len);
	}
	addr->ip &= mask->ip;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Ports and protocols                                                     */

/**
 * minifw_parse_port() - a port number, 0-65535, or a service name of
 * @proto ("ssh"), as iptables takes them
 * @err: reason on failure
 * @s: the text
 * @proto: IPPROTO_TCP or IPPROTO_UDP, whose names count; or 0: either's
 * @port: out
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_port(struct minifw_err *err, const char *s, u8 proto, u16 *port)
{
	int ret = minifw_decimal(s, strlen(s)), svc;
	char tb[MINIFW_TOKBUF];

	if (ret == MINIFW_DEC_OCTAL)
		return minifw_not_decimal(err, s, ret, "");
	if (ret == MINIFW_DEC_OK && !kstrtou16(s, 10, port))
		return 0;
	svc = ret == MINIFW_DEC_BAD ? minifw_service_port(s, proto) : -1;
	if (svc >= 0) {
		*port = svc;
		return 0;
	}
	minifw_tok(tb, sizeof(tb), s);
	if (ret == MINIFW_DEC_OK || !*s)
		return minifw_fail(err, "\"%s\" is not a port (0-65535)", tb);
	return minifw_fail(err, "\"%s\" is not a port (0-65535) or a %s service name",
			   tb, minifw_proto_name(proto ?: IPPROTO_TCP));
}

/**
 * minifw_parse_ports() - "P", "P:P", "P:", ":P" as iptables' tcp and udp
 * matches take them, each P a number or a service name of @proto
 * @err: reason on failure
 * @s: the text; cut at the colon while it is read
 * @proto: as minifw_parse_port()'s
 * @range: first and last port, inclusive, out
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_ports(struct minifw_err *err, char *s, u8 proto, u16 *range)
{
	char *colon = strchr(s, ':');
	char tb[MINIFW_TOKBUF];
	int ret;

	range[0] = 0;
	range[1] = 0xffff;
	if (!colon) {
		ret = minifw_parse_port(err, s, proto, &range[0]);
		range[1] = range[0];
		return ret;
	}
	*colon = '\0';
	ret = (*s ? minifw_parse_port(err, s, proto, &range[0]) : 0) ?:
	      (colon[1] ? minifw_parse_port(err, colon + 1, proto, &range[1]) : 0);
	*colon = ':';
	if (ret)
		return ret;
	if (range[0] > range[1])
		return minifw_fail(err, "\"%s\" is a reversed port range (first > last)",
				   minifw_tok(tb, sizeof(tb), s));
	return 0;
}

/**
 * minifw_parse_uint() - a number as iptables reads marks, lengths and TTLs:
 * decimal or hexadecimal with 0x ("0xfeedcafe", "4294967295"); leading
 * zeros, which iptables would read as octal, and signs are refused
 * @err: reason on failure
 * @s: the text
 * @max: the largest value allowed
 * @what: what it is, for the error ("a TTL from 0 to 255")
 * @v: the value, out
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_uint(struct minifw_err *err, const char *s, u32 max, const char *what, u32 *v)
{
	int ret = MINIFW_DEC_BAD;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		size_t i;

		for (i = 2; s[i]; i++)
			if (!isxdigit((unsigned char)s[i]))
				break;
		if (i > 2 && !s[i] && !kstrtou32(s, 16, v) && *v <= max)
			return 0;
	} else {
		ret = minifw_decimal(s, strlen(s));
		if (ret == MINIFW_DEC_OK && !kstrtou32(s, 10, v) && *v <= max)
			return 0;
	}
	return minifw_not_decimal(err, s, ret, what);
}

/**
 * minifw_parse_u64() - a 64-bit number as XTTYPE_UINT64 reads it: decimal
 * or 0x hexadecimal; leading zeros and signs are refused, as by
 * minifw_parse_uint()
 * @err: reason on failure
 * @s: the text
 * @what: what it is, for the error ("a number of bytes")
 * @v: the value, out
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_u64(struct minifw_err *err, const char *s, const char *what, u64 *v)
{
	int ret = MINIFW_DEC_BAD;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (isxdigit((unsigned char)s[2]) && !kstrtou64(s, 16, v))
			return 0;
	} else {
		ret = minifw_decimal(s, strlen(s));
		if (ret == MINIFW_DEC_OK && !kstrtou64(s, 10, v))
			return 0;
	}
	return minifw_not_decimal(err, s, ret, what);
}

/*
 * Protocol names: libxtables' and /etc/protocols'; the first entry of a
 * number is the one listings print (iptables-save prints /etc/protocols'
 * name).
 */
static const struct {
	const char *name;
	u8 num;
} minifw_protos[] = {
	{ "all", 0 },	{ "icmp", 1 },	{ "igmp", 2 },	{ "tcp", 6 },
	{ "udp", 17 },	{ "dccp", 33 },	{ "gre", 47 },	{ "esp", 50 },	{ "ah", 51 },
	{ "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "ospf", 89 }, { "ipcomp", 108 },
	{ "sctp", 132 }, { "mobility-header", 135 }, { "ipv6-mh", 135 }, { "mh", 135 },
	{ "udplite", 136 },
};

/**
 * minifw_proto_name() - the name iptables-save prints for a protocol
 * @num: protocol number
 *
 * Context: any.
 * Return: "tcp" etc., or NULL for a protocol without a name.
 */
const char *minifw_proto_name(u8 num)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(minifw_protos); i++)
		if (minifw_protos[i].num == num)
			return minifw_protos[i].name;
	return NULL;
}

/**
 * minifw_parse_proto() - a protocol by name (in any case) or number
 * @err: reason on failure
 * @s: the text
 * @proto: out
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_proto(struct minifw_err *err, const char *s, u8 *proto)
{
	char lower[16], tb[MINIFW_TOKBUF];
	size_t i;

	if (minifw_is_number(s)) {
		if (minifw_decimal(s, strlen(s)) == MINIFW_DEC_OCTAL)
			return minifw_not_decimal(err, s, MINIFW_DEC_OCTAL, "");
		if (kstrtou8(s, 10, proto))
			return minifw_fail(err, "protocol \"%s\" is not in 0-255",
					   minifw_tok(tb, sizeof(tb), s));
		return 0;
	}
	/* iptables lower-cases protocol names: -p TCP works */
	for (i = 0; s[i] && i + 1 < sizeof(lower); i++)
		lower[i] = tolower((unsigned char)s[i]);
	lower[i] = '\0';
	if (!s[i]) {
		for (i = 0; i < ARRAY_SIZE(minifw_protos); i++) {
			if (!strcmp(lower, minifw_protos[i].name)) {
				*proto = minifw_protos[i].num;
				return 0;
			}
		}
	}
	return minifw_fail(err, "unknown protocol \"%s\" (tcp, udp, icmp, all or a number)",
			   minifw_tok(tb, sizeof(tb), s));
}

/**
 * minifw_copy_text() - a text argument (--comment, --log-prefix), kept as
 * given, refused if too long, never cut
 * @err: reason on failure
 * @opt: the option, for the message
 * @dst: where it goes
 * @size: size of @dst, the NUL included
 * @arg: the argument
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_copy_text(struct minifw_err *err, const char *opt, char *dst, size_t size,
		     const char *arg)
{
	size_t len = strlen(arg);

	if (len >= size)
		return minifw_fail(err, "%s is longer than %zu characters", opt, size - 1);
	memcpy(dst, arg, len + 1);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Did you mean                                                            */

static unsigned int minifw_distance(const char *a, const char *b)
{
	u8 d[3][MINIFW_TOKBUF];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la >= MINIFW_TOKBUF || lb >= MINIFW_TOKBUF)
		return 255;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		u8 *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			bool same = tolower((unsigned char)a[i - 1]) ==
				    tolower((unsigned char)b[j - 1]);
			u8 v = min_t(u8, prev[j] + 1, cur[j - 1] + 1);

			v = min_t(u8, v, prev[j - 1] + !same);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				v = min_t(u8, v, prev2[j - 2] + 1);
			cur[j] = v;
		}
	}
	return d[la % 3][lb];
}

/**
 * minifw_consider() - weigh one known word against the unknown one
 * @b: the search, with .word the unknown word
 * @cand: a known word, or NULL
 *
 * Context: any.
 */
void minifw_consider(struct minifw_best *b, const char *cand)
{
	unsigned int dist;

	if (!cand)
		return;
	dist = minifw_distance(b->word, cand);
	if (dist > 2 || dist * 2 > strlen(cand))
		return;
	if (b->best && dist == b->dist && strcmp(b->best, cand)) {
		b->tie = true;
	} else if (!b->best || dist < b->dist) {
		b->best = cand;
		b->dist = dist;
		b->tie = false;
	}
}

/**
 * minifw_hint() - " (did you mean "x"?)" or "", for appending to an error
 * @b: the search
 * @buf: room for the hint (MINIFW_HINTBUF)
 * @len: its size
 *
 * Context: any.
 * Return: the hint.
 */
const char *minifw_hint(const struct minifw_best *b, char *buf, size_t len)
{
	if (!b->best || b->tie)
		return "";
	scnprintf(buf, len, " (did you mean \"%s\"?)", b->best);
	return buf;
}

/* ---------------------------------------------------------------------- */
/* Printing                                                                */

/**
 * minifw_put() - append a word (or words) to a listing
 * @b: the buffer; a word that does not fit is cut, NUL-terminated
 * @fmt: printf-style text
 *
 * Context: any.
 */
void minifw_put(struct minifw_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->pos + 1 >= b->len)
		return;
	if (b->pos)
		b->s[b->pos++] = ' ';
	va_start(ap, fmt);
	b->pos += vscnprintf(b->s + b->pos, b->len - b->pos, fmt, ap);
	va_end(ap);
}

/**
 * minifw_parse_ifname() - an interface name as -i, -o and --physdev-in
 * take it: "eth0", or "eth+" for every name starting "eth"
 * @err: reason on failure
 * @s: the text
 * @name: IFNAMSIZ bytes, zeroed by the caller: the name as written, out
 * @cmplen: the bytes a match compares, out: the name and its NUL, or the
 *	    part before the "+"
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int minifw_parse_ifname(struct minifw_err *err, const char *s, char *name, u8 *cmplen)
{
	size_t len = strlen(s);
	char tb[MINIFW_TOKBUF];
	size_t i;

	if (!len)
		return minifw_fail(err, "an empty interface name matches nothing; leave the option out");
	if (len >= IFNAMSIZ)
		return minifw_fail(err, "interface name \"%s\" is longer than %d characters",
				   minifw_tok(tb, sizeof(tb), s), IFNAMSIZ - 1);
	/* what the kernel refuses in a name, and quotes, which would not list back */
	for (i = 0; i < len; i++)
		if (strchr("/:\"'\\", s[i]) || s[i] < 0x21 || s[i] > 0x7e)
			return minifw_fail(err, "\"%s\" is not an interface name",
					   minifw_tok(tb, sizeof(tb), s));
	memcpy(name, s, len);
	*cmplen = s[len - 1] == '+' ? len - 1 : len + 1;
	return 0;
}

/**
 * minifw_mask4_len() - the prefix length of a contiguous IPv4 mask, which
 * iptables-save lists as "/LEN" (others dotted)
 * @hm: the mask, host order
 *
 * Context: any.
 * Return: 0-32, or -1 if the mask is not contiguous (255.0.255.0).
 */
int minifw_mask4_len(u32 hm)
{
	if (hm && (~hm & (~hm + 1)))
		return -1;
	return hm ? 32 - (int)__ffs(hm) : 0;
}

/**
 * minifw_put_ports() - a port option as iptables-save prints it:
 * "[! ]--dport P" or "[! ]--dport P:P", the range as given
 * @b: the buffer
 * @opt: the option ("--dport")
 * @inv: it follows "!"
 * @pts: first and last port
 *
 * Context: any.
 */
void minifw_put_ports(struct minifw_buf *b, const char *opt, bool inv, const u16 *pts)
{
	if (inv)
		minifw_put(b, "!");
	if (pts[0] != pts[1])
		minifw_put(b, "%s %u:%u", opt, pts[0], pts[1]);
	else
		minifw_put(b, "%s %u", opt, pts[0]);
}

/**
 * minifw_put_string() - an option with a text argument, as
 * xtables_save_string() prints it
 * @b: the buffer
 * @opt: the option ("--comment")
 * @v: the text
 *
 * Bare if the text is only letters, digits, '_' and '-', else in double
 * quotes with ", \ and ' escaped, which the tokenizer reads back.
 *
 * Context: any.
 */
void minifw_put_string(struct minifw_buf *b, const char *opt, const char *v)
{
	size_t plain = 0;
	const char *c;

	for (c = v; *c; c++)
		plain += (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			 (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
	if (*v && plain == strlen(v)) {
		minifw_put(b, "%s %s", opt, v);
		return;
	}
	minifw_put(b, "%s \"", opt);
	for (c = v; *c && b->pos + 3 < b->len; c++) {
		if (*c == '"' || *c == '\\' || *c == '\'')
			b->s[b->pos++] = '\\';
		b->s[b->pos++] = *c;
	}
	if (b->pos + 1 < b->len)
		b->s[b->pos++] = '"';
	b->s[b->pos] = '\0';
}
