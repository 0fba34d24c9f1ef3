// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m statistic (libxt_statistic, xt_statistic):
 *   --mode random [!] --probability P   a packet matches with probability
 *                                       P, 0 to 1 (kept in 31 bits, as
 *                                       xt_statistic keeps it)
 *   --mode nth [!] --every N --packet P every Nth packet matches, the
 *                                       first after N - P packets (P 0
 *                                       to N - 1)
 * One "!" inverts the match whichever option it is given before, and is
 * listed after the mode, as iptables-save lists it: "--mode random !
 * --probability 0.50000000000", "--mode nth --every 3 --packet 0". The nth
 * count lives in the rule's counters (struct minifw_counter.credit), so it
 * survives edits of other rules and -Z, as the counts do.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/string.h>
#endif

#include "ext.h"

enum { MINIFW_STAT_RANDOM = 1, MINIFW_STAT_NTH };

/* the probability's unit: 1 is 0x80000000, as xt_statistic's */
#define MINIFW_STAT_ONE		0x80000000U

struct minifw_statistic {
	u32 probability;	/* random: 0 to MINIFW_STAT_ONE */
	u32 every;		/* nth: N - 1, as xt_statistic keeps it */
	u32 packet;		/* nth: P */
	u8 mode;
	u8 inv;
	u8 pad[2];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_statistic) == 16, "struct minifw_statistic has padding");

enum {
	MINIFW_STAT_OPT_MODE, MINIFW_STAT_OPT_PROBABILITY, MINIFW_STAT_OPT_EVERY,
	MINIFW_STAT_OPT_PACKET,
};

static const struct minifw_opt minifw_statistic_opts[] = {
	{ "--mode", NULL, NULL, MINIFW_STAT_OPT_MODE, 1, 0, NULL },
	{ "--probability", NULL, NULL, MINIFW_STAT_OPT_PROBABILITY, 1, MINIFW_OPT_INV, NULL },
	{ "--every", NULL, NULL, MINIFW_STAT_OPT_EVERY, 1, MINIFW_OPT_INV, NULL },
	{ "--packet", NULL, NULL, MINIFW_STAT_OPT_PACKET, 1, 0, NULL },
	{ }
};

/*
 * "I[.F]" (digits; I 0 or 1, at most 1 in all) to round(P * 2^31), as
 * libxt_statistic's lround(0x80000000 * strtod()). Exactly: N / 10^k of
 * up to 18 decimals (further ones, below 10^-18, are dropped) times 2^31,
 * by long division one bit at a time. minifw: no exponent, hexadecimal,
 * "inf" or "nan", which strtod() would also read.
 */
static int minifw_parse_probability(struct minifw_xcall *x, const char *s, u32 *prob)
{
	u64 n = 0, d = 1, rem;
	const char *c = s;
	unsigned int k, q = 0;

	if (*c != '0' && *c != '1' && *c != '.')
		goto bad;
	if (*c != '.')
		n = *c++ - '0';
	if (*c == '.')
		c++;
	else if (*c)
		goto bad;
	for (k = 0; isdigit((unsigned char)*c); c++, k++) {
		if (k < 18) {
			n = n * 10 + (*c - '0');
			d *= 10;
		}
	}
	if (*c || (s[0] == '.' && !k) || n > d)
		goto bad;
	/* round(n * 2^31 / d); n / d is 0 or 1 */
	q = n / d;
	rem = n % d;
	for (k = 0; k < 31; k++) {
		rem <<= 1;
		q <<= 1;
		if (rem >= d) {
			q |= 1;
			rem -= d;
		}
	}
	/* half or more left: up (never exactly half with so few decimals) */
	*prob = q + (rem * 2 >= d);
	return 0;
bad:
	return minifw_fail(x->err, "--probability \"%s\" is not a probability from 0 to 1",
			   minifw_xq(x, s));
}

static int minifw_statistic_parse(struct minifw_xcall *x)
{
	struct minifw_statistic *st = x->data;
	const char *arg = x->arg[0];
	u32 v;

	if (x->inv)
		st->inv = 1;
	switch (x->opt->id) {
	case MINIFW_STAT_OPT_MODE:
		if (!strcmp(arg, "random"))
			st->mode = MINIFW_STAT_RANDOM;
		else if (!strcmp(arg, "nth"))
			st->mode = MINIFW_STAT_NTH;
		else
			return minifw_fail(x->err, "--mode \"%s\": random or nth",
					   minifw_xq(x, arg));
		return 0;
	case MINIFW_STAT_OPT_PROBABILITY:
		if (x->seen & (BIT(MINIFW_STAT_OPT_EVERY) | BIT(MINIFW_STAT_OPT_PACKET)))
			return minifw_fail(x->err, "--probability and --every/--packet: one or the other");
		return minifw_parse_probability(x, arg, &st->probability);
	case MINIFW_STAT_OPT_EVERY:
		if (x->seen & BIT(MINIFW_STAT_OPT_PROBABILITY))
			return minifw_fail(x->err, "--probability and --every/--packet: one or the other");
		if (minifw_parse_uint(x->err, arg, U32_MAX, "a number of packets (1-4294967295)",
				      &v))
			return -EINVAL;
		if (!v)
			return minifw_fail(x->err, "--every 0: every 1 packet or more");
		st->every = v - 1;
		return 0;
	default:
		if (x->seen & BIT(MINIFW_STAT_OPT_PROBABILITY))
			return minifw_fail(x->err, "--probability and --every/--packet: one or the other");
		return minifw_parse_uint(x->err, arg, U32_MAX, "a number of packets (0-4294967295)",
					 &st->packet);
	}
}

/* as libxt_statistic's statistic_check() and the options' .also */
static int minifw_statistic_check(struct minifw_xcall *x)
{
	struct minifw_statistic *st = x->data;
	u32 nth = BIT(MINIFW_STAT_OPT_EVERY) | BIT(MINIFW_STAT_OPT_PACKET);

	if (!(x->seen & BIT(MINIFW_STAT_OPT_MODE)))
		return minifw_fail(x->err, "-m statistic needs --mode random or --mode nth");
	if (st->mode == MINIFW_STAT_RANDOM && !(x->seen & BIT(MINIFW_STAT_OPT_PROBABILITY)))
		return minifw_fail(x->err, "--mode random needs --probability");
	if (st->mode == MINIFW_STAT_NTH && (x->seen & nth) != nth)
		return minifw_fail(x->err, "--mode nth needs --every and --packet");
	if (st->mode == MINIFW_STAT_RANDOM && (x->seen & nth))
		return minifw_fail(x->err, "--every and --packet are for --mode nth");
	if (st->mode == MINIFW_STAT_NTH && (x->seen & BIT(MINIFW_STAT_OPT_PROBABILITY)))
		return minifw_fail(x->err, "--probability is for --mode random");
	if (st->mode == MINIFW_STAT_NTH && st->packet > st->every)
		return minifw_fail(x->err, "--packet %u: from 0 to --every - 1 (%u)", st->packet,
				   st->every);
	return 0;
}

/*
 * The probability as "%.11f" prints it: the decimals of prob / 2^31 by
 * long division, rounded half to even as glibc rounds the exact value.
 */
static void minifw_put_probability(struct minifw_buf *b, u32 prob)
{
	char digits[12];
	u64 rem = prob & (MINIFW_STAT_ONE - 1);
	u32 whole = prob >> 31;
	int k;

	for (k = 0; k < 11; k++) {
		rem *= 10;
		digits[k] = '0' + (rem >> 31);
		rem &= MINIFW_STAT_ONE - 1;
	}
	digits[11] = '\0';
	if (rem > MINIFW_STAT_ONE / 2 ||
	    (rem == MINIFW_STAT_ONE / 2 && ((digits[10] - '0') & 1))) {
		for (k = 10; k >= 0 && digits[k] == '9'; k--)
			digits[k] = '0';
		if (k >= 0)
			digits[k]++;
		else
			whole++;
	}
	minifw_put(b, "--probability %u.%s", whole, digits);
}

static void minifw_statistic_print(struct minifw_buf *b, const struct minifw_rule *r,
				   const void *data)
{
	const struct minifw_statistic *st = data;

	minifw_put(b, "--mode %s", st->mode == MINIFW_STAT_RANDOM ? "random" : "nth");
	if (st->inv)
		minifw_put(b, "!");
	if (st->mode == MINIFW_STAT_RANDOM)
		minifw_put_probability(b, st->probability);
	else
		minifw_put(b, "--every %llu --packet %u", (unsigned long long)st->every + 1,
			   st->packet);
}

/* A new nth rule starts its count as xt_statistic's checkentry does. */
static void minifw_statistic_init(const void *data, struct minifw_counter *c)
{
	const struct minifw_statistic *st = data;

	c->credit = st->every - st->packet;
}

/* Packet path: as xt_statistic's statistic_mt(), the count moved with cmpxchg(). */
static int minifw_statistic_match(const void *data, const struct minifw_pkt *p,
				  struct minifw_counter *c)
{
	const struct minifw_statistic *st = data;
	u32 oval, nval;
	bool ret;

	if (st->mode == MINIFW_STAT_RANDOM) {
		ret = (get_random_u32() & (MINIFW_STAT_ONE - 1)) < st->probability;
	} else {
		do {
			oval = READ_ONCE(c->credit);
			nval = oval == st->every ? 0 : oval + 1;
		} while (cmpxchg(&c->credit, oval, nval) != oval);
		ret = !nval;
	}
	return ret ^ st->inv ? MINIFW_MATCH : MINIFW_NOMATCH;
}

const struct minifw_ext_ops minifw_xt_statistic = {
	.name		= "statistic",
	.size		= sizeof(struct minifw_statistic),
	.opts		= minifw_statistic_opts,
	.parse		= minifw_statistic_parse,
	.check		= minifw_statistic_check,
	.print		= minifw_statistic_print,
	.init		= minifw_statistic_init,
	.match		= minifw_statistic_match,
};
