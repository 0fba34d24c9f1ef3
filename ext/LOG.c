// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: -j LOG [--log-prefix TEXT] [--log-level LEVEL] [--log-*]
 * (libxt_LOG, xt_LOG): log the packet through the kernel's packet logger,
 * which the owner of the packet path calls (minifw_log(): minifw.c), and
 * go on to the next rule.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/kstrtox.h>
#endif

#include "ext.h"

#define MINIFW_LOG_PREFIX_MAX		29	/* as xt_LOG's prefix, less the NUL */
#define MINIFW_LOG_DEFAULT_LEVEL	4	/* warning, as iptables */

struct minifw_log {
	u8 level;		/* 0-7, syslog's */
	u8 flags;		/* NF_LOG_* */
	char prefix[MINIFW_LOG_PREFIX_MAX + 1];
};

enum { MINIFW_LOG_OPT_PREFIX, MINIFW_LOG_OPT_LEVEL, MINIFW_LOG_OPT_FLAG };

/* each flag may come again */
static const struct minifw_opt minifw_log_opts[] = {
	{ "--log-prefix", NULL, NULL, MINIFW_LOG_OPT_PREFIX, 1, 0, NULL },
	{ "--log-level", NULL, NULL, MINIFW_LOG_OPT_LEVEL, 1, 0, NULL },
	{ "--log-tcp-sequence", NULL, NULL, MINIFW_LOG_OPT_FLAG, 0, MINIFW_OPT_AGAIN, NULL },
	{ "--log-tcp-options", NULL, NULL, MINIFW_LOG_OPT_FLAG, 0, MINIFW_OPT_AGAIN, NULL },
	{ "--log-ip-options", NULL, NULL, MINIFW_LOG_OPT_FLAG, 0, MINIFW_OPT_AGAIN, NULL },
	{ "--log-uid", NULL, NULL, MINIFW_LOG_OPT_FLAG, 0, MINIFW_OPT_AGAIN, NULL },
	{ "--log-macdecode", NULL, NULL, MINIFW_LOG_OPT_FLAG, 0, MINIFW_OPT_AGAIN, NULL },
	{ }
};

/* NF_LOG_* flags of nf_log.h, by their option, in the order listed */
static const struct {
	const char *opt;
	u8 bit;
} minifw_log_flags[] = {
	{ "--log-tcp-sequence", 0x01 }, { "--log-tcp-options", 0x02 },
	{ "--log-ip-options", 0x04 }, { "--log-uid", 0x08 }, { "--log-macdecode", 0x20 },
};

/* syslog levels by name, as libxt_LOG takes them */
static const struct {
	const char *name;
	u8 level;
} minifw_log_levels[] = {
	{ "emerg", 0 }, { "panic", 0 }, { "alert", 1 }, { "crit", 2 },
	{ "error", 3 }, { "err", 3 }, { "warning", 4 }, { "warn", 4 },
	{ "notice", 5 }, { "info", 6 }, { "debug", 7 },
};

static int minifw_parse_log_level(struct minifw_xcall *x, const char *s, u8 *level)
{
	size_t i;

	if (minifw_decimal(s, strlen(s)) == MINIFW_DEC_OK && !kstrtou8(s, 10, level) && *level <= 7)
		return 0;
	for (i = 0; i < ARRAY_SIZE(minifw_log_levels); i++) {
		if (!strcasecmp(s, minifw_log_levels[i].name)) {
			*level = minifw_log_levels[i].level;
			return 0;
		}
	}
	return minifw_fail(x->err, "\"%s\" is not a log level (0-7, or emerg, alert, crit, error, warning, notice, info, debug)",
			   minifw_xq(x, s));
}

static int minifw_log_parse(struct minifw_xcall *x)
{
	struct minifw_log *lg = x->data;
	size_t k;

	switch (x->opt->id) {
	case MINIFW_LOG_OPT_PREFIX:
		return minifw_copy_text(x->err, x->opt->name, lg->prefix, sizeof(lg->prefix),
					x->arg[0]);
	case MINIFW_LOG_OPT_LEVEL:
		return minifw_parse_log_level(x, x->arg[0], &lg->level);
	}
	for (k = 0; k < ARRAY_SIZE(minifw_log_flags); k++)
		if (!strcmp(x->opt->name, minifw_log_flags[k].opt))
			lg->flags |= minifw_log_flags[k].bit;
	return 0;
}

static int minifw_log_check(struct minifw_xcall *x)
{
	struct minifw_log *lg = x->data;

	if (!(x->seen & (1U << MINIFW_LOG_OPT_LEVEL)))
		lg->level = MINIFW_LOG_DEFAULT_LEVEL;
	return 0;
}

/* LOG's options, as libxt_LOG saves them */
static void minifw_log_print(struct minifw_buf *b, const struct minifw_rule *r,
			     const void *data)
{
	const struct minifw_log *lg = data;
	size_t k;

	if (lg->prefix[0])
		minifw_put_string(b, "--log-prefix", lg->prefix);
	if (lg->level != MINIFW_LOG_DEFAULT_LEVEL)
		minifw_put(b, "--log-level %u", lg->level);
	for (k = 0; k < ARRAY_SIZE(minifw_log_flags); k++)
		if (lg->flags & minifw_log_flags[k].bit)
			minifw_put(b, "%s", minifw_log_flags[k].opt);
}

/* Packet path: log, and go on to the next rule. */
static unsigned int minifw_log_target(const void *data, const struct minifw_pkt *p)
{
	const struct minifw_log *lg = data;

	minifw_log(p, lg->level, lg->flags, lg->prefix);
	return MINIFW_T_NONE;
}

const struct minifw_ext_ops minifw_xt_LOG = {
	.name		= "LOG",
	.verdict	= MINIFW_T_LOG,
	.size		= sizeof(struct minifw_log),
	.opts		= minifw_log_opts,
	.parse		= minifw_log_parse,
	.check		= minifw_log_check,
	.print		= minifw_log_print,
	.target		= minifw_log_target,
};
