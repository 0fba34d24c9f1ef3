// SPDX-License-Identifier: GPL-2.0
/*
 * make bench-unit: the matcher's cost per packet in user space, as
 * instructions counted by valgrind's callgrind (bench/bench-unit.sh), which
 * are the same on every run and machine with the same compiler: a guard
 * against regressions, where wall-clock time under emulation is not.
 *
 * Usage: bench_unit N MODE
 *   N     source-CIDR DROP rules in PREROUTING: mixed /16 to /32 anywhere
 *         in the IPv4 space but 198.51.100.0/24 and 203.0.113.0/24 (fixed
 *         seed), then a last one, 203.0.113.0/24
 *   MODE  "compiled" (as published), "walked" (rule by rule, the
 *         reference) or "chain" (compiled, the rules in a user chain
 *         "blocklist" that PREROUTING's only rule calls: -j blocklist)
 * Runs LOOKUPS packets from 203.0.113.9 (matching the last rule only)
 * through lookups_match() and LOOKUPS from 198.51.100.9 (matching none)
 * through lookups_miss(), the functions the script has callgrind count;
 * prints how many of each were dropped.
 *
 * Or: bench_unit --file RULES PACKETS compiled|walked
 *   RULES    FORWARD rules, one a line (bench/classbench.py rules, or
 *            bench-unit.sh's port rules)
 *   PACKETS  "PROTO SRC DST SPORT DPORT" a line (classbench.py packets)
 * Runs every packet through FORWARD once in lookups_file(), which
 * callgrind counts, and prints how many each verdict had: the same in
 * both modes, or the compiled chain decides differently from the walk.
 */
#include "minifw.h"

#define LOOKUPS 1000

long minifw_user_alloc_fail_after = -1;
unsigned long minifw_user_jiffies = 1000;
u32 minifw_user_random = 2463534242U;

void minifw_log(const struct minifw_pkt *pkt, u8 level, u8 flags, const char *prefix)
{
}

void minifw_nflog(const struct minifw_pkt *pkt, const struct minifw_nflog *n)
{
}

void minifw_audit(const struct minifw_pkt *pkt)
{
}

static u64 seed = 0x9e3779b97f4a7c15ULL;

static u32 rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (u32)(seed >> 11);
}

static void add(struct minifw_ruleset *rs, const char *line)
{
	struct minifw_err err = { 0 };
	struct minifw_cmd cmd;
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", line);
	if (minifw_parse_line(buf, &cmd, &err) || minifw_ruleset_apply(rs, &cmd, &err)) {
		fprintf(stderr, "bench_unit: %s: %s\n", line, err.msg);
		exit(2);
	}
	minifw_cmd_free(&cmd);
}

static unsigned int run_lookups(const struct minifw_ruleset *rs, const struct minifw_pkt *p)
{
	unsigned int i, dropped = 0;

	for (i = 0; i < LOOKUPS; i++)
		dropped += minifw_chain_eval(rs, MINIFW_PREROUTING, p) == MINIFW_T_DROP;
	return dropped;
}

/* What callgrind counts (--toggle-collect=lookups_*), one for each kind. */
noinline unsigned int lookups_match(const struct minifw_ruleset *rs,
						     const struct minifw_pkt *p)
{
	return run_lookups(rs, p);
}

noinline unsigned int lookups_miss(const struct minifw_ruleset *rs,
						    const struct minifw_pkt *p)
{
	return run_lookups(rs, p);
}

#define FILE_PKTS_MAX 100000

static struct minifw_pkt file_pkts[FILE_PKTS_MAX];

/* What callgrind counts in --file mode: each packet once. */
noinline void lookups_file(const struct minifw_ruleset *rs, unsigned int n,
			   unsigned int *verdicts)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		verdicts[minifw_chain_eval(rs, MINIFW_FORWARD, &file_pkts[i]) & 0xff]++;
}

static FILE *open_or_die(const char *path)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(2);
	}
	return f;
}

/*
 * With BENCH_UNIT_SHOW set: what FORWARD compiled into, each classified
 * segment's tables by class (the protocol; 0: all others), with the
 * lengths they hash, whether the port, and their keys, rules and longest
 * bucket.
 */
static void show_runs(const struct minifw_ruleset *rs)
{
	const struct minifw_chain *c = &rs->chain[MINIFW_FORWARD];
	u32 i, t, k, f, cls, proto;

	for (i = 0; i < c->nruns; i++) {
		const struct minifw_run *run = &c->runs[i];

		printf("run %u: rules %u-%u, kind %u\n", i, run->first, run->end - 1, run->kind);
		for (f = 0; run->kind == MINIFW_RUN_CLASS && f < 2; f++) {
			const struct minifw_cls *cl = &run->cls[f];

			for (cls = 0; cls < cl->nclasses; cls++) {
				for (proto = 1; proto < 256 && cls; proto++)
					if (cl->class_of[proto] == cls)
						break;
				for (t = cl->ctab[cls]; t < cl->ctab[cls + 1]; t++) {
					const struct minifw_ctab *ct = &cl->tab[t];
					u32 keys = 0, rules = 0, longest = 0;

					for (k = 0; k <= ct->mask; k++) {
						u32 x = ct->slot[k], n;

						if (!x)
							continue;
						n = f ? ((const struct minifw_ckey6 *)cl->key)[x].off -
							((const struct minifw_ckey6 *)cl->key)[x - 1].off :
							((const struct minifw_ckey4 *)cl->key)[x].off -
							((const struct minifw_ckey4 *)cl->key)[x - 1].off;
						keys++;
						rules += n;
						longest = n > longest ? n : longest;
					}
					printf("  IPv%c proto %3u table %2u: /%u /%u%s, rules %u-%u: "
					       "%u keys, %u rules, longest %u\n",
					       f ? '6' : '4', cls ? proto : 0, t, ct->slen, ct->dlen,
					       ct->pmsk ? " port" : "", ct->min, ct->max, keys, rules,
					       longest);
				}
			}
		}
	}
}

/* bench_unit --file RULES PACKETS MODE */
static int file_mode(const char *rules, const char *pkts, const char *mode)
{
	unsigned int verdicts[256] = { 0 }, n = 0, nrules = 0, v;
	struct minifw_err err = { 0 };
	struct minifw_ruleset *rs = minifw_ruleset_new();
	char line[512], proto[8], src[48], dst[48];
	unsigned int sport, dport;
	FILE *f;

	if (!rs)
		return 2;
	f = open_or_die(rules);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		add(rs, line);
		nrules++;
	}
	fclose(f);
	if (!strcmp(mode, "compiled") && minifw_ruleset_compile(rs, &err)) {
		fprintf(stderr, "bench_unit: %s\n", err.msg);
		return 2;
	}
	if (getenv("BENCH_UNIT_SHOW"))
		show_runs(rs);
	f = open_or_die(pkts);
	while (n < FILE_PKTS_MAX && fgets(line, sizeof(line), f)) {
		struct minifw_pkt *p = &file_pkts[n];

		if (sscanf(line, "%7s %47s %47s %u %u", proto, src, dst, &sport, &dport) != 5 ||
		    inet_pton(AF_INET, src, &p->saddr.ip) != 1 ||
		    inet_pton(AF_INET, dst, &p->daddr.ip) != 1) {
			fprintf(stderr, "bench_unit: %s: bad packet line: %s", pkts, line);
			return 2;
		}
		p->family = MINIFW_FAM_IPV4;
		p->proto = !strcmp(proto, "tcp") ? IPPROTO_TCP :
			   !strcmp(proto, "udp") ? IPPROTO_UDP : IPPROTO_ICMP;
		p->l4 = true;
		p->ports = p->proto != IPPROTO_ICMP;
		p->sport = htons(sport);
		p->dport = htons(dport);
		p->icmp_type = 8;
		p->tcp_flags = 0x02;	/* SYN */
		p->len = 64;
		p->in = "eth0";
		p->out = "eth1";
		n++;
	}
	fclose(f);
	lookups_file(rs, n, verdicts);
	printf("%u rules %s, %u packets:", nrules, mode, n);
	for (v = 0; v < 256; v++)
		if (verdicts[v])
			printf(" %s %u", minifw_target_name(v), verdicts[v]);
	printf("\n");
	minifw_ruleset_put(rs);
	return 0;
}

int main(int argc, char **argv)
{
	struct minifw_err err = { 0 };
	struct minifw_ruleset *rs;
	struct minifw_pkt match = { 0 }, miss;
	unsigned long n, i;
	const char *chain;
	char line[96];

	if (argc == 5 && !strcmp(argv[1], "--file") &&
	    (!strcmp(argv[4], "compiled") || !strcmp(argv[4], "walked")))
		return file_mode(argv[2], argv[3], argv[4]);
	if (argc != 3 || (strcmp(argv[2], "compiled") && strcmp(argv[2], "walked") &&
			  strcmp(argv[2], "chain"))) {
		fprintf(stderr, "usage: bench_unit N compiled|walked|chain\n"
				"       bench_unit --file RULES PACKETS compiled|walked\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 10);
	if (n < 1 || n > MINIFW_DEFAULT_MAX_RULES) {
		fprintf(stderr, "bench_unit: N from 1 to %u\n", MINIFW_DEFAULT_MAX_RULES);
		return 2;
	}
	rs = minifw_ruleset_new();
	if (!rs)
		return 2;
	chain = strcmp(argv[2], "chain") ? "PREROUTING" : "blocklist";
	if (strcmp(chain, "PREROUTING")) {
		add(rs, "-N blocklist");
		add(rs, "-A PREROUTING -j blocklist");
	}
	for (i = 0; i + 1 < n; i++) {
		unsigned int len;
		u32 a, mask;

		do {	/* none may hold the packets' sources */
			len = 16 + rnd() % 17;
			mask = ~(U32_MAX >> len);
			a = rnd();
		} while (!((a ^ 0xcb007109) & mask) || !((a ^ 0xc6336409) & mask));

		snprintf(line, sizeof(line), "-A %s -s %u.%u.%u.%u/%u -j DROP", chain,
			 a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, len);
		add(rs, line);
	}
	snprintf(line, sizeof(line), "-A %s -s 203.0.113.0/24 -j DROP", chain);
	add(rs, line);
	if (strcmp(argv[2], "walked") && minifw_ruleset_compile(rs, &err)) {
		fprintf(stderr, "bench_unit: %s\n", err.msg);
		return 2;
	}
	match.family = MINIFW_FAM_IPV4;
	match.proto = IPPROTO_UDP;
	match.l4 = match.ports = true;
	match.sport = htons(1234);
	match.dport = htons(53);
	match.len = 64;
	match.in = "eth0";
	match.out = "";
	inet_pton(AF_INET, "192.0.2.1", &match.daddr.ip);
	miss = match;
	inet_pton(AF_INET, "203.0.113.9", &match.saddr.ip);
	inet_pton(AF_INET, "198.51.100.9", &miss.saddr.ip);
	printf("N=%lu %s: %u of %u matching packets dropped, %u of %u others\n", n, argv[2],
	       lookups_match(rs, &match), LOOKUPS,
	       lookups_miss(rs, &miss), LOOKUPS);
	minifw_ruleset_put(rs);
	return 0;
}
