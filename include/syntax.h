/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: the words of the rule language as iptables reads and prints them,
 * shared by the core parser (rules.c) and the extensions (ext/): errors,
 * numbers, ports, protocols, "did you mean", and the printer's buffer. The
 * interface of syntax.c.
 */
#ifndef MINIFW_SYNTAX_H
#define MINIFW_SYNTAX_H

#include "rules.h"

/* A blank between words: space, tab, CR, VT, FF (a newline ends the line). */
static inline bool minifw_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Room for a token quoted in an error (minifw_tok()) and for a hint. */
#define MINIFW_TOKBUF		41
#define MINIFW_HINTBUF		48

int minifw_fail(struct minifw_err *err, const char *fmt, ...) __printf(2, 3);
int minifw_nomem(struct minifw_err *err);
const char *minifw_tok(char *buf, size_t len, const char *tok);
bool minifw_long_prefix(const char *s, const char *name);

/*
 * Numbers must be plain decimal. iptables reads numbers as C does, so
 * "010" is 8 and "0x10" is 16 there: refuse what the two would read
 * differently rather than guess.
 */
enum { MINIFW_DEC_OK, MINIFW_DEC_BAD, MINIFW_DEC_OCTAL };

int minifw_decimal(const char *s, size_t len);
bool minifw_is_number(const char *s);
int minifw_not_decimal(struct minifw_err *err, const char *s, int why, const char *what);
int minifw_dotted(const char *s, size_t len, unsigned int *dots);
int minifw_parse_port(struct minifw_err *err, const char *s, u16 *port);
int minifw_parse_ports(struct minifw_err *err, char *s, u16 *range);
int minifw_parse_proto(struct minifw_err *err, const char *s, u8 *proto);
const char *minifw_proto_name(u8 num);
int minifw_copy_text(struct minifw_err *err, const char *opt, char *dst, size_t size,
		     const char *arg);

/*
 * "Did you mean": the closest known word within two edits (a swap of two
 * neighbours counts as one), if exactly one is that close.
 */
struct minifw_best {
	const char *word;
	const char *best;
	unsigned int dist;
	bool tie;
};

void minifw_consider(struct minifw_best *b, const char *cand);
const char *minifw_hint(const struct minifw_best *b, char *buf, size_t len);

/* The printer's output: words appended with one space between them. */
struct minifw_buf {
	char *s;
	size_t len, pos;
};

void minifw_put(struct minifw_buf *b, const char *fmt, ...) __printf(2, 3);
void minifw_put_string(struct minifw_buf *b, const char *opt, const char *v);

#endif /* MINIFW_SYNTAX_H */
