// SPDX-License-Identifier: GPL-2.0
/*
 * minifw: /proc/minifw/rules and /proc/minifw/stats, and -m recent's lists
 * in /proc/minifw/recent.
 *
 * Both files list one snapshot of the ruleset, taken when a listing starts,
 * so a listing never mixes two versions however many read() calls it takes. Writes to
 * rules go to the write protocol in writer.c, which hands finished
 * transactions to minifw_commit_cmds() / minifw_commit_block().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/inet.h>

#include "minifw.h"
#include "minifw_kernel.h"
#include "recent.h"

static struct proc_dir_entry *minifw_proc_dir;
static struct proc_dir_entry *minifw_proc_rules, *minifw_proc_stats, *minifw_proc_error;
static struct proc_dir_entry *minifw_recent_dir;

/*
 * The last refused write, for /proc/minifw/error: what the kernel log says,
 * for users without access to it.
 */
static DEFINE_MUTEX(minifw_error_lock);
/* under minifw_error_lock */
static char minifw_last_error[sizeof(((struct minifw_err *)0)->msg) + 16];

static void minifw_report(const struct minifw_err *err)
{
	pr_info_ratelimited("line %u: %s\n", err->line, err->msg);
	mutex_lock(&minifw_error_lock);
	snprintf(minifw_last_error, sizeof(minifw_last_error), "line %u: %s",
		 err->line, err->msg);
	mutex_unlock(&minifw_error_lock);
}

static int minifw_error_show(struct seq_file *m, void *v)
{
	mutex_lock(&minifw_error_lock);
	if (minifw_last_error[0])
		seq_printf(m, "%s\n", minifw_last_error);
	mutex_unlock(&minifw_error_lock);
	return 0;
}

/*
 * One line of a listing: the file's header, a chain's policy (a user
 * chain's declaration), a rule, the end ("COMMIT") or a chain's compiled
 * runs (a comment in stats); or past the last line.
 */
enum {
	MINIFW_L_HEAD, MINIFW_L_POLICY, MINIFW_L_RULE, MINIFW_L_TAIL, MINIFW_L_RUNS, MINIFW_L_END
};

struct minifw_cursor {
	u8 kind;
	u32 k;			/* the chain, in listing order (minifw_listed_chain()) */
	u32 idx;		/* the rule */
	loff_t pos;		/* the line it is at */
};

/* seq_file private data of an open rules or stats file */
struct minifw_open {
	struct minifw_ruleset *snap;	/* listed; a reference */
	struct minifw_cursor cur;
	bool stats;			/* which layout */
	struct mutex wlock;		/* serialises writes to this file */
	struct minifw_writer *w;	/* opened for writing, else NULL */
	char text[MINIFW_RULE_TEXT_MAX];	/* a rule being printed */
};

static const struct minifw_writer_ops minifw_writer_ops = {
	.commit_cmds = minifw_commit_cmds,
	.commit_block = minifw_commit_block,
};

static u32 minifw_nrules(const struct minifw_open *o, u32 k)
{
	return minifw_listed_chain(o->snap, k)->nrules;
}

/*
 * The line after a chain's policy line, or after its last rule, from
 * chain @k on: its first rule; else, in rules, the next chain's (or
 * "COMMIT"), in stats, the next chain's policy (or the runs).
 */
static void minifw_rules_from(struct minifw_open *o, u32 k)
{
	struct minifw_cursor *c = &o->cur;
	u32 n = o->snap->nchains;

	c->idx = 0;
	for (c->k = k; c->k < n; c->k++) {
		if (minifw_nrules(o, c->k)) {
			c->kind = MINIFW_L_RULE;
			return;
		}
		if (o->stats) {
			if (c->k + 1 < n) {
				c->kind = MINIFW_L_POLICY;
				c->k++;
			} else {
				c->kind = MINIFW_L_RUNS;
				c->k = 0;
			}
			return;
		}
	}
	c->kind = MINIFW_L_TAIL;
}

/*
 * Move the cursor one line on. rules: "*filter", a ":CHAIN POLICY [p:b]"
 * line for each chain (":NAME - [0:0]" for a user chain), every "-A"
 * line, then "COMMIT": the iptables-save layout. stats: a header, then
 * for each chain its policy line and its rules, then for each chain with
 * compiled runs a comment saying how many rules they hold. Chains in
 * listing order: the built-in ones, then the user chains by name.
 * Return: false past the end.
 */
static bool minifw_step(struct minifw_open *o)
{
	struct minifw_cursor *c = &o->cur;
	u32 n = o->snap->nchains;

	c->pos++;
	switch (c->kind) {
	case MINIFW_L_HEAD:
		c->kind = MINIFW_L_POLICY;
		c->k = 0;
		return true;
	case MINIFW_L_POLICY:
		if (o->stats)
			minifw_rules_from(o, c->k);
		else if (++c->k == n)
			minifw_rules_from(o, 0);
		return true;
	case MINIFW_L_RULE:
		if (++c->idx < minifw_nrules(o, c->k))
			return true;
		if (!o->stats) {
			minifw_rules_from(o, c->k + 1);
		} else if (++c->k < n) {
			c->kind = MINIFW_L_POLICY;
		} else {
			c->kind = MINIFW_L_RUNS;
			c->k = 0;
		}
		return true;
	case MINIFW_L_RUNS:
		if (++c->k < n)
			return true;
		break;
	}
	/* and there it stays, so that a read at the end finds the end again */
	c->kind = MINIFW_L_END;
	return false;
}

/* Put the cursor on line @pos: where it is, or counted from the top. */
static bool minifw_locate(struct minifw_open *o, loff_t pos)
{
	struct minifw_cursor *c = &o->cur;

	if (c->pos > pos || pos == 0) {
		c->kind = MINIFW_L_HEAD;
		c->pos = 0;
		c->k = 0;
		c->idx = 0;
	}
	while (c->pos < pos)
		if (!minifw_step(o))
			return false;
	return c->kind != MINIFW_L_END;
}

/*
 * "# compiled INPUT: 2 runs, 10001 of 10003 rules", and of them those in
 * classified segments: "(900 classified)" (see "DOC: Compiled chains" and
 * "DOC: Classified segments")
 */
static void minifw_show_runs(struct seq_file *m, const struct minifw_chain *ch)
{
	u32 i, n = 0, cls = 0;

	if (!ch->nruns)
		return;
	for (i = 0; i < ch->nruns; i++) {
		n += ch->runs[i].end - ch->runs[i].first;
		if (ch->runs[i].kind == MINIFW_RUN_CLASS)
			cls += ch->runs[i].end - ch->runs[i].first;
	}
	seq_printf(m, "# compiled %s: %u run%s, %u of %u rules", ch->name, ch->nruns,
		   ch->nruns == 1 ? "" : "s", n, ch->nrules);
	if (cls)
		seq_printf(m, " (%u classified)", cls);
	seq_putc(m, '\n');
}

static void *minifw_seq_start(struct seq_file *m, loff_t *pos)
{
	struct minifw_open *o = m->private;

	/* a listing from the top is of the ruleset as it is now */
	if (*pos == 0 && o->snap) {
		minifw_ruleset_put(o->snap);
		o->snap = minifw_ruleset_get_live();
	}
	return o->snap && minifw_locate(o, *pos) ? &o->cur : NULL;
}

static void *minifw_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return minifw_seq_start(m, pos);
}

static void minifw_seq_stop(struct seq_file *m, void *v)
{
}

/* A rule, with the name of the chain it jumps to */
static const char *minifw_show_rule(struct minifw_open *o, const struct minifw_rule *r)
{
	const char *jump = NULL;

	if (r->target == MINIFW_T_JUMP || r->target == MINIFW_T_GOTO)
		jump = o->snap->chain[r->target_arg].name;
	minifw_rule_format(r, jump, o->text, sizeof(o->text));
	return o->text;
}

static int minifw_seq_show(struct seq_file *m, void *v)
{
	struct minifw_open *o = m->private;
	const struct minifw_cursor *c = v;
	const struct minifw_chain *ch = NULL;
	const char *text;
	u64 pkts, bytes;

	/* the header and COMMIT are of no chain: c->k may be past the last */
	if (c->kind == MINIFW_L_POLICY || c->kind == MINIFW_L_RULE || c->kind == MINIFW_L_RUNS)
		ch = minifw_listed_chain(o->snap, c->k);
	switch (c->kind) {
	case MINIFW_L_HEAD:
		if (o->stats)
			seq_puts(m, "# chain rule packets bytes rule-options\n");
		else
			seq_puts(m, "# minifw ruleset, iptables-save format\n*filter\n");
		break;
	case MINIFW_L_POLICY:
		minifw_counter_read(ch->policy_cnt, &pkts, &bytes);
		if (o->stats)
			seq_printf(m, "%s policy %llu %llu %s\n", ch->name, pkts, bytes,
				   minifw_target_name(ch->policy));
		else if (c->k >= MINIFW_NCHAINS)
			/* as iptables-save: a user chain's counters are not listed */
			seq_printf(m, ":%s - [0:0]\n", ch->name);
		else
			seq_printf(m, ":%s %s [%llu:%llu]\n", ch->name,
				   minifw_target_name(ch->policy), pkts, bytes);
		break;
	case MINIFW_L_RULE:
		text = minifw_show_rule(o, &ch->rules[c->idx]);
		if (o->stats) {
			minifw_counter_read(ch->rules[c->idx].cnt, &pkts, &bytes);
			seq_printf(m, "%s %u %llu %llu%s%s\n", ch->name, c->idx + 1, pkts, bytes,
				   text[0] ? " " : "", text);
		} else {
			seq_printf(m, "-A %s%s%s\n", ch->name, text[0] ? " " : "", text);
		}
		break;
	case MINIFW_L_TAIL:
		seq_puts(m, "COMMIT\n");
		break;
	case MINIFW_L_RUNS:
		minifw_show_runs(m, ch);
		break;
	}
	return 0;
}

static const struct seq_operations minifw_seq_ops = {
	.start	= minifw_seq_start,
	.next	= minifw_seq_next,
	.stop	= minifw_seq_stop,
	.show	= minifw_seq_show,
};

static int minifw_open_common(struct file *file, bool stats)
{
	struct minifw_open *o;

	o = __seq_open_private(file, &minifw_seq_ops, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->stats = stats;
	mutex_init(&o->wlock);
	if (!stats && (file->f_mode & FMODE_WRITE)) {
		o->w = kzalloc(sizeof(*o->w), GFP_KERNEL);
		if (!o->w) {
			seq_release_private(file_inode(file), file);
			return -ENOMEM;
		}
		minifw_writer_init(o->w, &minifw_writer_ops, NULL);
	}
	if (file->f_mode & FMODE_READ)
		o->snap = minifw_ruleset_get_live();
	return 0;
}

static int minifw_rules_open(struct inode *inode, struct file *file)
{
	return minifw_open_common(file, false);
}

static int minifw_stats_open(struct inode *inode, struct file *file)
{
	return minifw_open_common(file, true);
}

static int minifw_release(struct inode *inode, struct file *file)
{
	struct minifw_open *o = ((struct seq_file *)file->private_data)->private;

	if (o->w) {
		mutex_lock(&o->wlock);
		if (minifw_writer_release(o->w))
			minifw_report(&o->w->err);
		mutex_unlock(&o->wlock);
		kfree(o->w);
	}
	minifw_ruleset_put(o->snap);
	mutex_destroy(&o->wlock);
	return seq_release_private(inode, file);
}

/* Chunk size for copying a write in: any write size works, lines too. */
#define MINIFW_CHUNK	PAGE_SIZE

static ssize_t minifw_rules_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct minifw_open *o = ((struct seq_file *)file->private_data)->private;
	struct minifw_writer *w = o->w;
	size_t done = 0;
	char *buf;
	int ret = 0;

	/* the opener's capability, so a passed-on descriptor cannot escalate */
	if (!file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN))
		return -EPERM;
	buf = kmalloc(MINIFW_CHUNK, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	mutex_lock(&o->wlock);
	/* all of it, even after an error: line numbers stay those of the file */
	while (done < len) {
		size_t n = min_t(size_t, len - done, MINIFW_CHUNK);

		if (copy_from_user(buf, ubuf + done, n)) {
			ret = -EFAULT;
			break;
		}
		minifw_writer_feed(w, buf, n);
		done += n;
	}
	if (ret) {
		/* nothing of this write may apply: drop what it fed */
		minifw_writer_abort(w);
	} else {
		ret = minifw_writer_end_write(w);
		if (ret)
			minifw_report(&w->err);
	}
	mutex_unlock(&o->wlock);
	kfree(buf);
	return ret ? ret : len;
}

static const struct proc_ops minifw_rules_ops = {
	.proc_open	= minifw_rules_open,
	.proc_read	= seq_read,
	.proc_write	= minifw_rules_write,
	.proc_lseek	= seq_lseek,
	.proc_release	= minifw_release,
};

static const struct proc_ops minifw_stats_ops = {
	.proc_open	= minifw_stats_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= minifw_release,
};

/*
 * /proc/minifw/recent/NAME, a -m recent list's file, read and written as
 * xt_recent's /proc/net/xt_recent/NAME. It belongs to the name: a list
 * made again (a larger --hitcount) keeps it. Its calls find the list by
 * name under RCU each time, so they never wait for minifw_lock, under
 * which the file is removed.
 */
struct minifw_recent_file {
	struct proc_dir_entry *pde;
	u32 hash;
	char name[MINIFW_RECENT_NAME_LEN];
};

struct minifw_recent_iter {
	const struct minifw_recent_file *f;
	struct minifw_recent_list *l;	/* found by start(), RCU */
};

/* a position is a bucket; 1-based, as NULL ends */
static void *minifw_recent_seq_start(struct seq_file *m, loff_t *pos)
	__acquires(RCU)
{
	struct minifw_recent_iter *it = m->private;

	rcu_read_lock();
	it->l = minifw_recent_find(it->f->name, it->f->hash);
	if (!it->l || *pos >= it->l->nbuckets)
		return NULL;
	return (void *)(uintptr_t)(*pos + 1);
}

static void *minifw_recent_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct minifw_recent_iter *it = m->private;

	++*pos;
	return *pos < it->l->nbuckets ? (void *)(uintptr_t)(*pos + 1) : NULL;
}

static void minifw_recent_seq_stop(struct seq_file *m, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

/*
 * The addresses of one bucket, as xt_recent lists them: "src=ADDR ttl: T
 * last_seen: J oldest_pkt: I J1, J2, ..." (jiffies, in the order kept)
 */
static int minifw_recent_seq_show(struct seq_file *m, void *v)
{
	struct minifw_recent_iter *it = m->private;
	struct minifw_recent_list *l = it->l;
	u32 bk = (uintptr_t)v - 1, w, i;
	const struct minifw_recent_entry *e;

	read_seqlock_excl_bh(&l->bucket[bk].lock);
	for (w = 0; w < MINIFW_RECENT_WAYS; w++) {
		e = minifw_recent_slot(l, bk, w);
		if (!e->family)
			continue;
		if (e->family == MINIFW_FAM_IPV4)
			seq_printf(m, "src=%pI4", &e->addr.ip);
		else
			seq_printf(m, "src=%pI6", e->addr.ip6);
		seq_printf(m, " ttl: %u last_seen: %lu oldest_pkt: %u", e->ttl, e->last,
			   ((e->next - 1U) & (l->stamps - 1)) + 1);
		for (i = 0; i < e->nstamps; i++)
			seq_printf(m, "%s %lu", i ? "," : "", e->stamps[i]);
		seq_putc(m, '\n');
	}
	read_sequnlock_excl_bh(&l->bucket[bk].lock);
	return 0;
}

static const struct seq_operations minifw_recent_seq_ops = {
	.start	= minifw_recent_seq_start,
	.next	= minifw_recent_seq_next,
	.stop	= minifw_recent_seq_stop,
	.show	= minifw_recent_seq_show,
};

static int minifw_recent_open(struct inode *inode, struct file *file)
{
	struct minifw_recent_iter *it;

	it = __seq_open_private(file, &minifw_recent_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->f = pde_data(inode);
	return 0;
}

/* the longest line: "+" and an IPv6 address with an IPv4 tail, and "\n" */
#define MINIFW_RECENT_LINE	(1 + INET6_ADDRSTRLEN + 1)
/* most lines one write takes */
#define MINIFW_RECENT_WRITE_LINES	64

struct minifw_recent_cmd {
	char op;			/* '+', '-' or '/' */
	u8 family;
	union minifw_addr addr;
};

/* One line: "+ADDR", "-ADDR" or "/". Return: 0 or -EINVAL. */
static int minifw_recent_parse_line(const char *s, size_t len, struct minifw_recent_cmd *c)
{
	const char *end;

	memset(c, 0, sizeof(*c));
	c->op = len ? s[0] : 0;
	if (c->op == '/')
		return len == 1 ? 0 : -EINVAL;
	if ((c->op != '+' && c->op != '-') || len < 2)
		return -EINVAL;
	s++;
	len--;
	if (memchr(s, ':', len)) {
		c->family = MINIFW_FAM_IPV6;
		if (!in6_pton(s, len, (u8 *)c->addr.ip6, -1, &end))
			return -EINVAL;
	} else {
		c->family = MINIFW_FAM_IPV4;
		if (!in4_pton(s, len, (u8 *)&c->addr.ip, -1, &end))
			return -EINVAL;
	}
	return end == s + len ? 0 : -EINVAL;
}

/*
 * Does the list have @c's address after the lines before it, @cmds[0..i)?
 * Those lines say so if one is about the address or empties the list;
 * else the list does (now).
 */
static bool minifw_recent_will_have(struct minifw_recent_list *l,
				    const struct minifw_recent_cmd *cmds, u32 i)
{
	const struct minifw_recent_cmd *c = &cmds[i];

	while (i--) {
		if (cmds[i].op == '/')
			return false;
		if (cmds[i].family == c->family &&
		    !memcmp(&cmds[i].addr, &c->addr, sizeof(c->addr)))
			return cmds[i].op == '+';
	}
	return !minifw_recent_edit(l, '?', &c->addr, c->family);
}

/* Empty the list called as @f's, a few buckets at a time (it may be large). */
static int minifw_recent_flush(const struct minifw_recent_file *f)
{
	struct minifw_recent_list *l;
	u32 bk = 0;

	for (;;) {
		rcu_read_lock();
		l = minifw_recent_find(f->name, f->hash);
		if (!l) {
			rcu_read_unlock();
			return -ENOENT;
		}
		if (bk >= l->nbuckets) {
			rcu_read_unlock();
			return 0;
		}
		bk = minifw_recent_clear(l, bk, 256);
		rcu_read_unlock();
		cond_resched();
	}
}

/*
 * Lines "+ADDR" (add or refresh), "-ADDR" (remove) and "/" (empty the
 * list), up to MINIFW_RECENT_WRITE_LINES a write, as xt_recent reads one
 * a write. All are read first: a bad line, or an address to remove that
 * the list has not (after the lines before), refuses the write whole, and
 * the kernel log says which line and why. Packets go on changing the list
 * meanwhile: one may remove an address between the check and the line
 * that removes it (which then does nothing).
 */
static ssize_t minifw_recent_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	const struct minifw_recent_file *f = pde_data(file_inode(file));
	struct minifw_recent_cmd *cmds;
	struct minifw_recent_list *l;
	char *buf, *s, *nl;
	u32 n = 0, i, from = 0;
	int ret = 0;

	if (!file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (len > MINIFW_RECENT_LINE * MINIFW_RECENT_WRITE_LINES) {
		pr_info_ratelimited("recent/%s: a write of %zu bytes: at most %d lines of \"+ADDR\", \"-ADDR\" or \"/\"\n",
				    f->name, len, MINIFW_RECENT_WRITE_LINES);
		return -EINVAL;
	}
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (strlen(buf) != len) {
		pr_info_ratelimited("recent/%s: a NUL byte in the write\n", f->name);
		kfree(buf);
		return -EINVAL;
	}
	cmds = kcalloc(MINIFW_RECENT_WRITE_LINES, sizeof(*cmds), GFP_KERNEL);
	if (!cmds) {
		kfree(buf);
		return -ENOMEM;
	}
	for (s = buf; *s && !ret; s = nl ? nl + 1 : s + strlen(s)) {
		size_t l_len;

		nl = strchr(s, '\n');
		l_len = nl ? (size_t)(nl - s) : strlen(s);
		if (n == MINIFW_RECENT_WRITE_LINES) {
			pr_info_ratelimited("recent/%s: line %u: more than %d lines in one write\n",
					    f->name, n + 1, MINIFW_RECENT_WRITE_LINES);
			ret = -EINVAL;
		} else if (minifw_recent_parse_line(s, l_len, &cmds[n])) {
			pr_info_ratelimited("recent/%s: line %u: \"%.*s\" is not \"+ADDR\", \"-ADDR\" or \"/\"\n",
					    f->name, n + 1, (int)min_t(size_t, l_len, 64), s);
			ret = -EINVAL;
		} else if (cmds[n].op == '/') {
			from = n + 1;	/* what comes before it does not matter */
		}
		n++;
	}
	rcu_read_lock();
	l = minifw_recent_find(f->name, f->hash);
	if (!ret && !l)
		ret = -ENOENT;
	for (i = 0; !ret && i < n; i++) {
		if (cmds[i].op == '-' && !minifw_recent_will_have(l, cmds, i)) {
			pr_info_ratelimited("recent/%s: line %u: the list has no such address\n",
					    f->name, i + 1);
			ret = -ENOENT;
		}
	}
	rcu_read_unlock();
	if (!ret && from)
		ret = minifw_recent_flush(f);
	rcu_read_lock();
	l = minifw_recent_find(f->name, f->hash);
	for (i = from; !ret && l && i < n; i++)
		minifw_recent_edit(l, cmds[i].op, &cmds[i].addr, cmds[i].family);
	rcu_read_unlock();
	kfree(cmds);
	kfree(buf);
	return ret ?: len;
}

static const struct proc_ops minifw_recent_ops = {
	.proc_open	= minifw_recent_open,
	.proc_read	= seq_read,
	.proc_write	= minifw_recent_write,
	.proc_lseek	= seq_lseek,
	.proc_release	= seq_release_private,
};

/**
 * minifw_proc_recent_add() - make /proc/minifw/recent/NAME for a new list
 * @l: the list
 *
 * Context: control path, may sleep, under minifw_lock.
 * Return: 0 or -ENOMEM.
 */
int minifw_proc_recent_add(struct minifw_recent_list *l)
{
	struct minifw_recent_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	strscpy(f->name, l->name, sizeof(f->name));
	f->hash = l->hash;
	f->pde = proc_create_data(f->name, 0600, minifw_recent_dir, &minifw_recent_ops, f);
	if (!f->pde) {
		kfree(f);
		return -ENOMEM;
	}
	l->file = f;
	return 0;
}

/**
 * minifw_proc_recent_remove() - remove a list's file; waits for its calls
 * @f: the file
 *
 * Context: control path, may sleep, under minifw_lock.
 */
void minifw_proc_recent_remove(struct minifw_recent_file *f)
{
	proc_remove(f->pde);
	kfree(f);
}

/**
 * minifw_proc_init() - create /proc/minifw/{rules,stats,error,recent/}
 *
 * Context: module init.
 * Return: 0 or -ENOMEM.
 */
int minifw_proc_init(void)
{
	minifw_proc_dir = proc_mkdir("minifw", NULL);
	if (!minifw_proc_dir)
		return -ENOMEM;
	/* the rules file last: once it is there, writers may make lists */
	minifw_recent_dir = proc_mkdir("recent", minifw_proc_dir);
	minifw_proc_stats = proc_create("stats", 0444, minifw_proc_dir, &minifw_stats_ops);
	minifw_proc_error = proc_create_single("error", 0444, minifw_proc_dir, minifw_error_show);
	if (minifw_recent_dir && minifw_proc_stats && minifw_proc_error)
		minifw_proc_rules = proc_create("rules", 0600, minifw_proc_dir, &minifw_rules_ops);
	if (!minifw_proc_rules) {
		proc_remove(minifw_proc_dir);
		return -ENOMEM;
	}
	return 0;
}

/**
 * minifw_proc_exit_rules() - remove /proc/minifw/rules; waits for running
 * calls and releases files still open
 *
 * After it, no writer changes the ruleset or makes lists.
 *
 * Context: module exit.
 */
void minifw_proc_exit_rules(void)
{
	proc_remove(minifw_proc_rules);
}

/**
 * minifw_proc_exit() - remove /proc/minifw; waits for running calls and
 * releases files still open
 *
 * Context: module exit (after minifw_proc_exit_rules() and the lists'
 * end), or init failure.
 */
void minifw_proc_exit(void)
{
	proc_remove(minifw_proc_dir);
}
