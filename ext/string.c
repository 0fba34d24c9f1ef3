// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m string --algo bm|kmp --string TEXT|--hex-string HEX [--from N]
 * [--to N] [--icase] (libxt_string, xt_string revision 1): the text is in
 * the packet, between the offsets (counted from the IP header) given, by
 * the kernel's textsearch (lib/ts_bm.c, lib/ts_kmp.c) over skb_find_text(),
 * as xt_string searches. "Drop HTTP requests for /admin":
 *
 *   -A INPUT -p tcp --dport 80 -m string --algo bm --string "GET /admin" -j DROP
 *
 * The search is prepared (textsearch_prepare()) once the rule is read, and
 * kept with the rule until no ruleset holds it (.acquire, .release).
 */

#ifdef __KERNEL__
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/textsearch.h>
#endif

#include "ext.h"

#define MINIFW_STRING_MAX	128	/* XT_STRING_MAX_PATTERN_SIZE */
#define MINIFW_STRING_ALGO_LEN	16	/* XT_STRING_MAX_ALGO_NAME_SIZE, with its NUL */
#define MINIFW_STRING_INVERT	0x01	/* XT_STRING_FLAG_INVERT */
#define MINIFW_STRING_ICASE	0x02	/* XT_STRING_FLAG_IGNORECASE */

/* A rule's -m string: xt_string_info. */
struct minifw_string {
	u16 from, to;			/* offsets from the IP header; to: not included */
	char algo[MINIFW_STRING_ALGO_LEN];	/* NUL-padded */
	u8 pattern[MINIFW_STRING_MAX];	/* patlen bytes, then zeroes */
	u8 patlen;
	u8 flags;			/* MINIFW_STRING_* */
	u8 pad[2];			/* explicit, so memcmp() sees only zeroes */
	/* what .acquire keeps: not compared */
	struct ts_config *config;
};

static_assert(sizeof(struct minifw_string) == 160, "struct minifw_string has padding");

enum {
	MINIFW_STRING_OPT_FROM, MINIFW_STRING_OPT_TO, MINIFW_STRING_OPT_ALGO,
	MINIFW_STRING_OPT_ICASE, MINIFW_STRING_OPT_STRING, MINIFW_STRING_OPT_HEX,
};

static const struct minifw_opt minifw_string_opts[] = {
	{ "--from", NULL, NULL, MINIFW_STRING_OPT_FROM, 1, 0, NULL },
	{ "--to", NULL, NULL, MINIFW_STRING_OPT_TO, 1, 0, NULL },
	{ "--algo", NULL, NULL, MINIFW_STRING_OPT_ALGO, 1, 0, NULL },
	{ "--icase", NULL, NULL, MINIFW_STRING_OPT_ICASE, 0, 0, NULL },
	{ "--string", NULL, NULL, MINIFW_STRING_OPT_STRING, 1, MINIFW_OPT_INV, NULL },
	{ "--hex-string", NULL, NULL, MINIFW_STRING_OPT_HEX, 1, MINIFW_OPT_INV, NULL },
	{ }
};

static int minifw_hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * libxt_string's parse_hex_string(): text, with "|hex bytes|" blocks
 * (blanks allowed between the bytes) and "\c" for a character c outside
 * them; "|" alone at the end closes nothing.
 */
static int minifw_string_hex(struct minifw_xcall *x, const char *s, struct minifw_string *st)
{
	size_t i = 0, slen = strlen(s), n = 0;
	bool hex = false, literal = false;
	int hi, lo;

	if (!slen)
		return minifw_fail(x->err, "--hex-string needs at least one byte");
	while (i < slen) {
		if (n >= MINIFW_STRING_MAX)
			goto too_long;
		if (s[i] == '\\' && !hex) {
			literal = true;
		} else if (s[i] == '\\') {
			return minifw_fail(x->err, "--hex-string \"%s\": no \\ inside |hex|",
					   minifw_xq(x, s));
		} else if (s[i] == '|') {
			hex = !hex;
			/* blanks just after an opening | */
			while (hex && s[i + 1] == ' ')
				i++;
			if (i + 1 >= slen)
				break;
			i++;
		}
		if (literal) {
			if (i + 1 >= slen)
				return minifw_fail(x->err, "--hex-string \"%s\": a \\ at the end",
						   minifw_xq(x, s));
			st->pattern[n] = s[i + 1];
			i += 2;
			literal = false;
		} else if (hex) {
			if (i + 2 >= slen)
				return minifw_fail(x->err, "--hex-string \"%s\": a |hex| block is not closed, or has an odd number of digits",
						   minifw_xq(x, s));
			hi = minifw_hexval(s[i]);
			lo = minifw_hexval(s[i + 1]);
			if (hi < 0 || lo < 0)
				return minifw_fail(x->err, "--hex-string \"%s\": '%c' is not a hex digit",
						   minifw_xq(x, s), hi < 0 ? s[i] : s[i + 1]);
			st->pattern[n] = hi << 4 | lo;
			i += s[i + 2] == ' ' ? 3 : 2;
		} else {
			st->pattern[n] = s[i];
			i++;
		}
		n++;
	}
	st->patlen = n;
	return 0;
too_long:
	return minifw_fail(x->err, "--hex-string \"%s\" is longer than %d bytes",
			   minifw_xq(x, s), MINIFW_STRING_MAX);
}

static int minifw_string_parse(struct minifw_xcall *x)
{
	struct minifw_string *st = x->data;
	const char *s = x->arg ? x->arg[0] : NULL;
	u32 v;

	switch (x->opt->id) {
	case MINIFW_STRING_OPT_FROM:
	case MINIFW_STRING_OPT_TO:
		if (minifw_parse_uint(x->err, s, 0xffff, "an offset (0-65535)", &v))
			return -EINVAL;
		if (x->opt->id == MINIFW_STRING_OPT_FROM)
			st->from = v;
		else
			st->to = v;
		return 0;
	case MINIFW_STRING_OPT_ALGO:
		/* the kernel's textsearch algorithms for a plain pattern */
		if (strcmp(s, "bm") && strcmp(s, "kmp"))
			return minifw_fail(x->err, "--algo \"%s\" is not bm or kmp",
					   minifw_xq(x, s));
		memset(st->algo, 0, sizeof(st->algo));
		strscpy(st->algo, s, sizeof(st->algo));
		return 0;
	case MINIFW_STRING_OPT_ICASE:
		st->flags |= MINIFW_STRING_ICASE;
		return 0;
	case MINIFW_STRING_OPT_STRING:
	case MINIFW_STRING_OPT_HEX:
		if (x->seen & (1U << MINIFW_STRING_OPT_STRING | 1U << MINIFW_STRING_OPT_HEX) &
		    ~(1U << x->opt->id))
			return minifw_fail(x->err, "--string and --hex-string cannot go together");
		if (x->inv)
			st->flags |= MINIFW_STRING_INVERT;
		if (x->opt->id == MINIFW_STRING_OPT_HEX)
			return minifw_string_hex(x, s, st);
		if (!*s || strlen(s) > MINIFW_STRING_MAX)
			return minifw_fail(x->err, "--string \"%s\" is not 1 to %d bytes",
					   minifw_xq(x, s), MINIFW_STRING_MAX);
		st->patlen = strlen(s);
		memcpy(st->pattern, s, st->patlen);
		return 0;
	}
	return -EINVAL;
}

static int minifw_string_check(struct minifw_xcall *x)
{
	struct minifw_string *st = x->data;

	if (!(x->seen & (1U << MINIFW_STRING_OPT_STRING | 1U << MINIFW_STRING_OPT_HEX)))
		return minifw_fail(x->err, "-m string needs --string or --hex-string");
	if (!(x->seen & 1U << MINIFW_STRING_OPT_ALGO))
		return minifw_fail(x->err, "-m string needs --algo bm or --algo kmp");
	/* as textsearch_prepare() refuses it: --hex-string "|" */
	if (!st->patlen)
		return minifw_fail(x->err, "-m string: the text is empty");
	if (!(x->seen & 1U << MINIFW_STRING_OPT_TO))
		st->to = 0xffff;
	/* as xt_string's checkentry */
	if (st->from > st->to)
		return minifw_fail(x->err, "-m string: --from %u is after --to %u",
				   st->from, st->to);
	return 0;
}

/* Listed in hex if a byte is not printable, or the last is a backslash. */
static bool minifw_string_is_hex(const struct minifw_string *st)
{
	unsigned int i;

	for (i = 0; i < st->patlen; i++)
		if (st->pattern[i] < 0x20 || st->pattern[i] > 0x7e)
			return true;
	return st->pattern[st->patlen - 1] == '\\';
}

/* As libxt_string's string_save(). */
static void minifw_string_print(struct minifw_buf *b, const struct minifw_rule *rule,
				const void *data)
{
	const struct minifw_string *st = data;
	bool hex = minifw_string_is_hex(st);
	unsigned int i;

	if (st->flags & MINIFW_STRING_INVERT)
		minifw_put(b, "!");
	minifw_put(b, "%s \"%s", hex ? "--hex-string" : "--string", hex ? "|" : "");
	/* glued to what came before: no blank */
	for (i = 0; i < st->patlen && b->pos + 4 < b->len; i++) {
		if (hex) {
			b->pos += scnprintf(b->s + b->pos, b->len - b->pos, "%02x", st->pattern[i]);
			continue;
		}
		if (st->pattern[i] == '"' || st->pattern[i] == '\\')
			b->s[b->pos++] = '\\';
		b->s[b->pos++] = st->pattern[i];
	}
	if (b->pos + 2 < b->len) {
		if (hex)
			b->s[b->pos++] = '|';
		b->s[b->pos++] = '"';
	}
	b->s[b->pos] = '\0';
	minifw_put(b, "--algo %s", st->algo);
	if (st->from)
		minifw_put(b, "--from %u", st->from);
	if (st->to != 0xffff)
		minifw_put(b, "--to %u", st->to);
	if (st->flags & MINIFW_STRING_ICASE)
		minifw_put(b, "--icase");
}

/* The prepared search, as xt_string's checkentry prepares it. */
static int minifw_string_acquire(void *data, struct minifw_err *err)
{
	struct minifw_string *st = data;
	int flags = TS_AUTOLOAD | (st->flags & MINIFW_STRING_ICASE ? TS_IGNORECASE : 0);
	struct ts_config *ts;

	ts = textsearch_prepare(st->algo, st->pattern, st->patlen, GFP_KERNEL, flags);
	if (IS_ERR(ts))
		return minifw_fail(err, "-m string: the kernel cannot search with --algo %s: error %ld",
				   st->algo, PTR_ERR(ts));
	st->config = ts;
	return 0;
}

static void minifw_string_release(void *data)
{
	struct minifw_string *st = data;

	textsearch_destroy(st->config);
}

/* Packet path, RCU read side, bottom halves disabled: xt_string's string_mt(). */
static int minifw_string_match(const void *data, const struct minifw_pkt *p,
			       struct minifw_counter *c)
{
	const struct minifw_string *st = data;
	bool found = minifw_pkt_find_text(p, st->from, st->to, st->config);

	return found != !!(st->flags & MINIFW_STRING_INVERT) ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_string = {
	.name		= "string",
	.size		= sizeof(struct minifw_string),
	.cmp		= offsetof(struct minifw_string, config),
	.opts		= minifw_string_opts,
	.parse		= minifw_string_parse,
	.check		= minifw_string_check,
	.print		= minifw_string_print,
	.acquire	= minifw_string_acquire,
	.release	= minifw_string_release,
	.match		= minifw_string_match,
};
