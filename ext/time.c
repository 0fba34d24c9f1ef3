// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -m time (libxt_time, xt_time's time_mt): match by the time a
 * packet comes, not by the packet: a range of dates (--datestart,
 * --datestop, ISO 8601), a range of the day (--timestart, --timestop,
 * which may wrap past midnight), days of the month and of the week, in UTC
 * or the kernel's timezone (--kerneltz); --contiguous counts the hours
 * after midnight of a wrapping range to the day it began.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/time.h>
#endif

#include "ext.h"

#define MINIFW_DAY_SECONDS	86400
#define MINIFW_TIME_ALL_MONTHDAYS	0xfffffffeU	/* bits 1-31, as XT_TIME_ALL_MONTHDAYS */
#define MINIFW_TIME_ALL_WEEKDAYS	0xfe		/* bits 1 (Mon) - 7 (Sun) */
#define MINIFW_TIME_DATE_MAX	0x7fffffffU	/* libxt_time's default --datestop (2038) */

/* struct minifw_time.flags, as XT_TIME_* */
#define MINIFW_TIME_KERNELTZ	0x01
#define MINIFW_TIME_CONTIGUOUS	0x02

/*
 * As struct xt_time_info, with the fields libxt_time's time_init() does not
 * start at 0 kept XORed with their default, or as the days not matched, so
 * that zeroed data are the defaults: every day and every second match.
 */
struct minifw_time {
	u32 date_start;		/* seconds since 1970 */
	u32 date_stop_x;	/* date_stop ^ MINIFW_TIME_DATE_MAX */
	u32 daytime_start;	/* seconds of the day */
	u32 daytime_stop_x;	/* daytime_stop ^ 86399 */
	u32 monthdays_not;	/* the days of the month not matched */
	u8 weekdays_not;	/* of the week */
	u8 flags;		/* MINIFW_TIME_* */
	u8 pad[2];		/* explicit, so memcmp() sees only zeroes */
};

static_assert(sizeof(struct minifw_time) == 24, "struct minifw_time has padding");

static u32 minifw_time_date_stop(const struct minifw_time *t)
{
	return t->date_stop_x ^ MINIFW_TIME_DATE_MAX;
}

static u32 minifw_time_daytime_stop(const struct minifw_time *t)
{
	return t->daytime_stop_x ^ (MINIFW_DAY_SECONDS - 1);
}

enum {
	MINIFW_TIME_DATESTART, MINIFW_TIME_DATESTOP, MINIFW_TIME_TIMESTART, MINIFW_TIME_TIMESTOP,
	MINIFW_TIME_CONTIG, MINIFW_TIME_MONTHDAYS, MINIFW_TIME_WEEKDAYS, MINIFW_TIME_LOCALTZ,
	MINIFW_TIME_UTC, MINIFW_TIME_KTZ,
};

static const struct minifw_opt minifw_time_opts[] = {
	{ "--datestart", NULL, NULL, MINIFW_TIME_DATESTART, 1, 0, NULL },
	{ "--datestop", NULL, NULL, MINIFW_TIME_DATESTOP, 1, 0, NULL },
	{ "--timestart", NULL, NULL, MINIFW_TIME_TIMESTART, 1, 0, NULL },
	{ "--timestop", NULL, NULL, MINIFW_TIME_TIMESTOP, 1, 0, NULL },
	{ "--contiguous", NULL, NULL, MINIFW_TIME_CONTIG, 0, 0, NULL },
	{ "--monthdays", NULL, NULL, MINIFW_TIME_MONTHDAYS, 1, MINIFW_OPT_INV, NULL },
	{ "--weekdays", NULL, NULL, MINIFW_TIME_WEEKDAYS, 1, MINIFW_OPT_INV, NULL },
	/* --localtz: libxt_time's old name of --kerneltz */
	{ "--localtz", NULL, NULL, MINIFW_TIME_LOCALTZ, 0, 0, NULL },
	{ "--utc", NULL, NULL, MINIFW_TIME_UTC, 0, 0, NULL },
	{ "--kerneltz", NULL, NULL, MINIFW_TIME_KTZ, 0, 0, NULL },
	{ }
};

static const char *const minifw_weekdays[] = {
	NULL, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};

/*
 * Up to @n numbers of up to 4 digits, separated by @sep, each within its
 * bound; the first may end the text after @min of them. Return: how many.
 */
static int minifw_time_fields(const char *s, char sep, unsigned int min, unsigned int n,
			      const unsigned int *max, unsigned int *v)
{
	unsigned int k, d;

	for (k = 0; k < n; k++) {
		v[k] = 0;
		for (d = 0; isdigit((unsigned char)*s) && d < 4; d++)
			v[k] = v[k] * 10 + (unsigned int)(*s++ - '0');
		if (!d || v[k] > max[k])
			return -1;
		if (!*s)
			return k + 1 >= min ? (int)k + 1 : -1;
		if (*s++ != (k == 2 && sep == '-' ? 'T' : k > 2 ? ':' : sep))
			return -1;
	}
	return -1;
}

/* YYYY[-MM[-DD[Thh[:mm[:ss]]]]], UTC, as libxt_time's time_parse_date() */
static int minifw_time_date(struct minifw_xcall *x, u32 *date)
{
	static const unsigned int max[] = { 2038, 12, 31, 23, 59, 59 };
	unsigned int v[6] = { 0, 1, 1, 0, 0, 0 };
	int n = minifw_time_fields(x->arg[0], '-', 1, 6, max, v);
	time64_t t;

	if (n < 0 || v[0] < 1970 || (n > 1 && !v[1]) || (n > 2 && !v[2]))
		return minifw_fail(x->err, "\"%s\" is not a date (YYYY[-MM[-DD[Thh[:mm[:ss]]]]], 1970 to 2038)",
				   minifw_xq(x, x->arg[0]));
	if (n < 2)
		v[1] = 1;
	if (n < 3)
		v[2] = 1;
	t = mktime64(v[0], v[1], v[2], v[3], v[4], v[5]);
	if (t < 0 || t > U32_MAX)
		return minifw_fail(x->err, "\"%s\" is not a date before 2106",
				   minifw_xq(x, x->arg[0]));
	*date = (u32)t;
	return 0;
}

/* hh:mm[:ss], as libxt_time's time_parse_minutes() */
static int minifw_time_daytime(struct minifw_xcall *x, u32 *secs)
{
	static const unsigned int max[] = { 23, 59, 59 };
	unsigned int v[3] = { 0, 0, 0 };
	int n = minifw_time_fields(x->arg[0], ':', 2, 3, max, v);

	if (n < 2)
		return minifw_fail(x->err, "\"%s\" is not a time of the day (hh:mm[:ss], 00:00:00 to 23:59:59)",
				   minifw_xq(x, x->arg[0]));
	*secs = v[0] * 3600 + v[1] * 60 + v[2];
	return 0;
}

/* "1,15,31" or "Mon,Tue" (any word with a day's first two letters) or "1,7" */
static int minifw_time_days(struct minifw_xcall *x, bool week, u32 *mask)
{
	const char *s = x->arg[0];
	unsigned int i, v;
	size_t len;

	*mask = 0;
	for (;;) {
		len = strcspn(s, ",");
		for (i = 0, v = 0; i < len && isdigit((unsigned char)s[i]) && v < 100; i++)
			v = v * 10 + (unsigned int)(s[i] - '0');
		if (i == len && len && v >= 1 && v <= (week ? 7U : 31U)) {
			*mask |= 1U << v;
		} else if (week && len >= 2) {
			for (v = 1; v <= 7 && strncmp(s, minifw_weekdays[v], 2); v++)
				;
			if (v > 7)
				goto bad;
			*mask |= 1U << v;
		} else {
			goto bad;
		}
		if (!s[len])
			return 0;
		s += len + 1;
	}
bad:
	if (week)
		return minifw_fail(x->err, "\"%.*s\" is not a day of the week (Mon ... Sun, or 1 to 7 from Monday)",
				   (int)len, s);
	return minifw_fail(x->err, "\"%.*s\" is not a day of the month (1 to 31)", (int)len, s);
}

static int minifw_time_parse(struct minifw_xcall *x)
{
	struct minifw_time *t = x->data;
	u32 v;
	int ret;

	if ((x->opt->id == MINIFW_TIME_UTC &&
	     (x->seen & (BIT(MINIFW_TIME_LOCALTZ) | BIT(MINIFW_TIME_KTZ)))) ||
	    ((x->opt->id == MINIFW_TIME_LOCALTZ || x->opt->id == MINIFW_TIME_KTZ) &&
	     (x->seen & BIT(MINIFW_TIME_UTC))))
		return minifw_fail(x->err, "--utc cannot be given with --kerneltz");
	switch (x->opt->id) {
	case MINIFW_TIME_DATESTART:
		return minifw_time_date(x, &t->date_start);
	case MINIFW_TIME_DATESTOP:
		ret = minifw_time_date(x, &v);
		t->date_stop_x = v ^ MINIFW_TIME_DATE_MAX;
		return ret;
	case MINIFW_TIME_TIMESTART:
		return minifw_time_daytime(x, &t->daytime_start);
	case MINIFW_TIME_TIMESTOP:
		ret = minifw_time_daytime(x, &v);
		t->daytime_stop_x = v ^ (MINIFW_DAY_SECONDS - 1);
		return ret;
	case MINIFW_TIME_CONTIG:
		t->flags |= MINIFW_TIME_CONTIGUOUS;
		return 0;
	case MINIFW_TIME_MONTHDAYS:
		ret = minifw_time_days(x, false, &v);
		/* the days not matched: "!" matches those */
		t->monthdays_not = x->inv ? v : ~v & MINIFW_TIME_ALL_MONTHDAYS;
		return ret;
	case MINIFW_TIME_WEEKDAYS:
		ret = minifw_time_days(x, true, &v);
		t->weekdays_not = x->inv ? v : ~v & MINIFW_TIME_ALL_WEEKDAYS;
		return ret;
	case MINIFW_TIME_UTC:
		return 0;
	default:
		t->flags |= MINIFW_TIME_KERNELTZ;
		return 0;
	}
}

static int minifw_time_check(struct minifw_xcall *x)
{
	const struct minifw_time *t = x->data;

	if ((t->flags & MINIFW_TIME_CONTIGUOUS) && t->daytime_start < minifw_time_daytime_stop(t))
		return minifw_fail(x->err, "--contiguous is for a range of the day that wraps past midnight (--timestop before --timestart)");
	return 0;
}

static void minifw_time_put_date(struct minifw_buf *b, const char *opt, u32 date)
{
	struct tm tm;

	time64_to_tm(date, 0, &tm);
	minifw_put(b, "%s %04ld-%02d-%02dT%02d:%02d:%02d", opt, tm.tm_year + 1900L,
		   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* as libxt_time's time_save(), on a 64-bit host: --datestop always listed */
static void minifw_time_print(struct minifw_buf *b, const struct minifw_rule *r,
			      const void *data)
{
	const struct minifw_time *t = data;
	u32 start = t->daytime_start, stop = minifw_time_daytime_stop(t), mask, i;
	char days[96];
	size_t n;

	if (start || stop != MINIFW_DAY_SECONDS - 1)
		minifw_put(b, "--timestart %02u:%02u:%02u --timestop %02u:%02u:%02u",
			   start / 3600, start / 60 % 60, start % 60,
			   stop / 3600, stop / 60 % 60, stop % 60);
	if (t->monthdays_not) {
		mask = ~t->monthdays_not & MINIFW_TIME_ALL_MONTHDAYS;
		for (i = 1, n = 0, days[0] = '\0'; i <= 31; i++)
			if (mask & BIT(i))
				n += scnprintf(days + n, sizeof(days) - n, "%s%u", n ? "," : "", i);
		minifw_put(b, "--monthdays %s", days);
	}
	if (t->weekdays_not) {
		mask = ~t->weekdays_not & MINIFW_TIME_ALL_WEEKDAYS;
		for (i = 1, n = 0, days[0] = '\0'; i <= 7; i++)
			if (mask & BIT(i))
				n += scnprintf(days + n, sizeof(days) - n, "%s%s", n ? "," : "",
					       minifw_weekdays[i]);
		minifw_put(b, "--weekdays %s", days);
	}
	if (t->date_start)
		minifw_time_put_date(b, "--datestart", t->date_start);
	minifw_time_put_date(b, "--datestop", minifw_time_date_stop(t));
	if (t->flags & MINIFW_TIME_KERNELTZ)
		minifw_put(b, "--kerneltz");
	if (t->flags & MINIFW_TIME_CONTIGUOUS)
		minifw_put(b, "--contiguous");
}

/* Packet path: as xt_time's time_mt(). */
static int minifw_time_match(const void *data, const struct minifw_pkt *p,
			     struct minifw_counter *c)
{
	const struct minifw_time *t = data;
	s64 now = minifw_pkt_time(p, t->flags & MINIFW_TIME_KERNELTZ);
	u32 stop = minifw_time_daytime_stop(t), secs;
	struct tm tm;

	if (now < t->date_start || now > minifw_time_date_stop(t))
		return MINIFW_NOMATCH;
	secs = (u32)(now % MINIFW_DAY_SECONDS);
	if (t->daytime_start < stop) {
		if (secs < t->daytime_start || secs > stop)
			return MINIFW_NOMATCH;
	} else {
		if (secs < t->daytime_start && secs > stop)
			return MINIFW_NOMATCH;
		/* the hours after midnight belong to the day before */
		if ((t->flags & MINIFW_TIME_CONTIGUOUS) && secs <= stop)
			now -= MINIFW_DAY_SECONDS;
	}
	time64_to_tm(now, 0, &tm);
	/* tm_wday: 0 for Sunday, which is day 7 here */
	if (t->weekdays_not & BIT(tm.tm_wday ? tm.tm_wday : 7))
		return MINIFW_NOMATCH;
	if (t->monthdays_not & BIT(tm.tm_mday))
		return MINIFW_NOMATCH;
	return MINIFW_MATCH;
}

const struct minifw_ext_ops minifw_xt_time = {
	.name		= "time",
	.size		= sizeof(struct minifw_time),
	.opts		= minifw_time_opts,
	.parse		= minifw_time_parse,
	.check		= minifw_time_check,
	.print		= minifw_time_print,
	.match		= minifw_time_match,
};
