/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel interfaces the rule engine (rules.c and the files it builds
 * with) uses, done in plain C so that it builds in user space for unit
 * tests, fuzzing and benchmarks. Behaviour follows the kernel's (return
 * values of in4_pton() and kstrto*() included).
 */
#ifndef MINIFW_USER_H
#define MINIFW_USER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
typedef int64_t time64_t;
typedef uint32_t __be32;
typedef uint16_t __be16;

#define __percpu
#define __rcu
#define __force
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define noinline __attribute__((noinline))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define BIT(n) (1UL << (n))
#define __ffs(x) ((unsigned long)__builtin_ctzl(x))
/* a kernel WARN is a bug: the unit tests and the fuzzer stop on it */
#define WARN_ON_ONCE(c) ({							\
	bool __warn = !!(c);							\
	if (__warn) {								\
		fprintf(stderr, "%s:%d: WARN_ON_ONCE(%s)\n", __FILE__, __LINE__, #c); \
		abort();							\
	}									\
	__warn;									\
})
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define fallthrough __attribute__((fallthrough))
#define IS_ERR(p) ((unsigned long)(p) >= (unsigned long)-4095)
#define ERR_PTR(e) ((void *)(long)(e))
#define PTR_ERR(p) ((long)(p))
#define GFP_KERNEL 0
#define READ_ONCE(x) (x)
#define cond_resched() do { } while (0)
#define __GFP_NOWARN 0

struct rcu_work {
	void *unused;
};

typedef struct {
	int refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, int n) { r->refs = n; }
static inline void refcount_inc(refcount_t *r) { r->refs++; }
static inline bool refcount_dec_and_test(refcount_t *r) { return --r->refs == 0; }
static inline int refcount_read(const refcount_t *r) { return r->refs; }
static inline bool refcount_inc_not_zero(refcount_t *r) { return r->refs ? ++r->refs : false; }

/* One thread: locks are no-ops. */
struct mutex {
	int unused;
};

#define DEFINE_MUTEX(m) struct mutex m
static inline void mutex_lock(struct mutex *m) { (void)m; }
static inline void mutex_unlock(struct mutex *m) { (void)m; }
/* one thread: a release store is a store */
#define smp_store_release(p, v) (*(p) = (v))
/* one thread: an acquire load is a load */
#define smp_load_acquire(p) (*(p))

typedef struct {
	s64 counter;
} atomic64_t;

static inline s64 atomic64_read(const atomic64_t *v) { return v->counter; }
static inline void atomic64_set(atomic64_t *v, s64 n) { v->counter = n; }
static inline bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old, s64 n)
{
	if (v->counter != *old) {
		*old = v->counter;
		return false;
	}
	v->counter = n;
	return true;
}

typedef struct {
	u64 v;
} u64_stats_t;

struct u64_stats_sync {
	int unused;
};

/* Allocation, with optional failure injection for tests (see tests/unit). */
extern long minifw_user_alloc_fail_after;	/* <0: never fail */
static inline void *minifw_user_alloc(size_t n)
{
	if (minifw_user_alloc_fail_after == 0)
		return NULL;
	if (minifw_user_alloc_fail_after > 0)
		minifw_user_alloc_fail_after--;
	return calloc(1, n ? n : 1);
}

#define kzalloc(n, gfp) minifw_user_alloc(n)
#define kmalloc(n, gfp) minifw_user_alloc(n)
#define kfree(p) free(p)
#define kvfree(p) free(p)
static inline void *kvmalloc_array(size_t n, size_t size, int gfp)
{
	(void)gfp;
	if (size && n > SIZE_MAX / size)
		return NULL;
	return minifw_user_alloc(n * size);
}

#define U32_MAX UINT32_MAX
#define U16_MAX UINT16_MAX
#define U64_MAX UINT64_MAX
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
#define kmalloc_array(n, size, gfp) kvmalloc_array(n, size, gfp)
#define kvcalloc(n, size, gfp) kvmalloc_array(n, size, gfp)	/* zeroed: calloc */
/* <linux/overflow.h>: SIZE_MAX instead of a wrapped size */
static inline size_t array_size(size_t a, size_t b)
{
	return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static inline size_t size_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

#define kvmalloc(n, gfp) minifw_user_alloc(n)

/* lib/sort.c's interface; no swap function is ever passed. */
static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}

/* Time, for -m limit: the tests set it. */
#define HZ 100
extern unsigned long minifw_user_jiffies;
#define jiffies minifw_user_jiffies
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define div_u64(a, b) ((u64)(a) / (b))
#define div64_u64(a, b) ((u64)(a) / (u64)(b))
#define xchg(p, v) ({ __typeof__(*(p)) __old = *(p); *(p) = (v); __old; })
#define cmpxchg(p, o, n) ({ __typeof__(*(p)) __old = *(p); if (__old == (o)) *(p) = (n); __old; })

#define time_before(a, b) time_after(b, a)

#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define msecs_to_jiffies(m) ((unsigned long)(m) * HZ / 1000)

/* -m recent's lists: one thread, so locks and RCU do nothing */
typedef struct {
	unsigned int seq;
} seqlock_t;

#define seqlock_init(l) ((l)->seq = 0)
#define read_seqbegin(l) ((l)->seq)
#define read_seqretry(l, s) ((l)->seq != (s))
#define write_seqlock(l) ((l)->seq++)
#define write_sequnlock(l) ((l)->seq++)
#define write_seqlock_bh(l) write_seqlock(l)
#define write_sequnlock_bh(l) write_sequnlock(l)

/* -m string: the kernel's textsearch, a plain search (walk.h) */
#define TS_AUTOLOAD	1
#define TS_IGNORECASE	2

struct ts_config {
	u8 pattern[128];	/* upper case with TS_IGNORECASE */
	unsigned int len;
	bool icase;
};

static inline struct ts_config *
textsearch_prepare(const char *algo, const void *pattern, unsigned int len, int gfp, int flags)
{
	struct ts_config *ts;
	unsigned int i;

	if (strcmp(algo, "bm") && strcmp(algo, "kmp"))
		return ERR_PTR(-ENOENT);
	if (!len || len > sizeof(ts->pattern))
		return ERR_PTR(-EINVAL);
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return ERR_PTR(-ENOMEM);
	ts->len = len;
	ts->icase = flags & TS_IGNORECASE;
	for (i = 0; i < len; i++)
		ts->pattern[i] = ts->icase ? toupper(((const u8 *)pattern)[i]) :
			((const u8 *)pattern)[i];
	return ts;
}

static inline void textsearch_destroy(struct ts_config *ts)
{
	free(ts);
}

/* -m hashlimit's tables: one thread */
typedef struct {
	int unused;
} spinlock_t;

#define spin_lock_init(l) ((void)(l))
#define spin_lock(l) ((void)(l))
#define spin_unlock(l) ((void)(l))
#define spin_lock_bh(l) ((void)(l))
#define spin_unlock_bh(l) ((void)(l))

typedef struct {
	int counter;
} atomic_t;

#define atomic_read(v) ((v)->counter)
#define atomic_set(v, n) ((v)->counter = (n))
#define atomic_inc(v) ((v)->counter++)
#define atomic_dec(v) ((v)->counter--)
#define clamp_t(t, v, lo, hi) min_t(t, max_t(t, v, lo), hi)
#define ALIGN(n, a) (((n) + (a) - 1) & ~(size_t)((a) - 1))

struct rcu_head {
	void *unused;
};

#define rcu_assign_pointer(p, v) ((p) = (v))
#define RCU_INIT_POINTER(p, v) ((p) = (v))
#define read_seqlock_excl_bh(l) do { } while (0)
#define read_sequnlock_excl_bh(l) do { } while (0)
#define kvzalloc(n, gfp) minifw_user_alloc(n)
#define kvfree_rcu(p, field) free(p)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << (64 - __builtin_clzl(n - 1));
}

/* log2 of a power of 2 (the kernel's works for any n > 0: the floor) */
static inline int ilog2(unsigned long n)
{
	return 63 - __builtin_clzl(n);
}

static inline u32 reciprocal_scale(u32 val, u32 ep_ro)
{
	return (u32)(((u64)val * ep_ro) >> 32);
}

/* not the kernel's jhash, but as good a spread for the tests */
static inline u32 jhash2(const u32 *k, u32 n, u32 seed)
{
	u32 h = seed ^ 0x9e3779b9;

	while (n--) {
		h ^= *k++;
		h *= 0x01000193;
		h ^= h >> 15;
	}
	return h;
}

static inline u32 jhash_3words(u32 a, u32 b, u32 c, u32 seed)
{
	const u32 k[3] = { a, b, c };

	return jhash2(k, 3, seed);
}

/* The kernel's calendar helpers (-m time), over the C library's, in UTC. */
static inline time64_t mktime64(unsigned int year, unsigned int mon, unsigned int day,
				unsigned int hour, unsigned int min, unsigned int sec)
{
	struct tm tm = { .tm_year = (int)year - 1900, .tm_mon = (int)mon - 1, .tm_mday = (int)day,
			 .tm_hour = (int)hour, .tm_min = (int)min, .tm_sec = (int)sec };

	return timegm(&tm);
}

static inline void time64_to_tm(time64_t totalsecs, int offset, struct tm *result)
{
	time_t t = (time_t)(totalsecs + offset);

	gmtime_r(&t, result);
}

/* one CPU: -j NFQUEUE --queue-cpu-fanout */
static inline unsigned int smp_processor_id(void)
{
	return 0;
}

static inline u32 jhash(const void *key, u32 len, u32 seed)
{
	const u8 *k = key;
	u32 h = seed ^ 0x9e3779b9;

	while (len--) {
		h ^= *k++;
		h *= 0x01000193;
	}
	return h ^ (h >> 15);
}

/* Randomness, for -m statistic --mode random: each program's xorshift32 state (not 0). */
extern u32 minifw_user_random;
static inline u32 get_random_u32(void)
{
	u32 x = minifw_user_random;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return minifw_user_random = x;
}

#define __alloc_percpu(size, align) minifw_user_alloc(size)	/* zeroed */
#define free_percpu(p) free(p)
#define u64_stats_init(syncp) do { } while (0)
#define this_cpu_ptr(p) (p)
#define per_cpu_ptr(p, cpu) (p)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)

/*
 * in4_pton() as net/core/utils.c has it, including its quirk that with
 * delim == -1 any unexpected character ends the address: callers must
 * check *end.
 */
#define IN6PTON_XDIGIT		0x00010000
#define IN6PTON_DIGIT		0x00020000
#define IN6PTON_COLON_MASK	0x00700000
#define IN6PTON_COLON_1		0x00100000	/* single : requested */
#define IN6PTON_COLON_2		0x00200000	/* second : requested */
#define IN6PTON_COLON_1_2	0x00400000	/* :: requested */
#define IN6PTON_DOT		0x00800000	/* . */
#define IN6PTON_DELIM		0x10000000
#define IN6PTON_NULL		0x20000000	/* first/tail */
#define IN6PTON_UNKNOWN		0x40000000

static inline int minifw_user_xdigit2bin(char c, int delim)
{
	int val;

	if (c == delim || c == '\0')
		return IN6PTON_DELIM;
	if (c == ':')
		return IN6PTON_COLON_MASK;
	if (c == '.')
		return IN6PTON_DOT;
	if (c >= '0' && c <= '9')
		val = c - '0';
	else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		val = (c | 0x20) - 'a' + 10;
	else
		val = -1;
	if (val >= 0)
		return val | IN6PTON_XDIGIT | (val < 10 ? IN6PTON_DIGIT : 0);
	if (delim == -1)
		return IN6PTON_DELIM;
	return IN6PTON_UNKNOWN;
}

static inline int in4_pton(const char *src, int srclen, u8 *dst, int delim,
			   const char **end)
{
	const char *s = src;
	u8 dbuf[4], *d = dbuf;
	int ret = 0, i = 0, w = 0;

	if (srclen < 0)
		srclen = (int)strlen(src);
	while (1) {
		int c = minifw_user_xdigit2bin(srclen > 0 ? *s : '\0', delim);

		if (!(c & (IN6PTON_DIGIT | IN6PTON_DOT | IN6PTON_DELIM | IN6PTON_COLON_MASK)))
			goto out;
		if (c & (IN6PTON_DOT | IN6PTON_DELIM | IN6PTON_COLON_MASK)) {
			if (w == 0)
				goto out;
			*d++ = w & 0xff;
			w = 0;
			i++;
			if (c & (IN6PTON_DELIM | IN6PTON_COLON_MASK)) {
				if (i != 4)
					goto out;
				break;
			}
			goto cont;
		}
		w = (w * 10) + c;
		if ((w & 0xffff) > 255)
			goto out;
cont:
		if (i >= 4)
			goto out;
		s++;
		srclen--;
	}
	ret = 1;
	memcpy(dst, dbuf, sizeof(dbuf));
out:
	if (end)
		*end = s;
	return ret;
}

/* in6_pton() as net/core/utils.c has it (same quirks as in4_pton()). */
static inline int in6_pton(const char *src, int srclen, u8 *dst, int delim,
			   const char **end)
{
	const char *s, *tok = NULL;
	u8 *d, *dc = NULL;
	u8 dbuf[16];
	int ret = 0;
	int i;
	int state = IN6PTON_COLON_1_2 | IN6PTON_XDIGIT | IN6PTON_NULL;
	int w = 0;

	memset(dbuf, 0, sizeof(dbuf));
	s = src;
	d = dbuf;
	if (srclen < 0)
		srclen = (int)strlen(src);
	while (1) {
		int c = minifw_user_xdigit2bin(srclen > 0 ? *s : '\0', delim);

		if (!(c & state))
			goto out;
		if (c & (IN6PTON_DELIM | IN6PTON_COLON_MASK)) {
			/* process one 16-bit word */
			if (!(state & IN6PTON_NULL)) {
				*d++ = (w >> 8) & 0xff;
				*d++ = w & 0xff;
			}
			w = 0;
			if (c & IN6PTON_DELIM)
				break;
			switch (state & IN6PTON_COLON_MASK) {
			case IN6PTON_COLON_2:
				dc = d;
				state = IN6PTON_XDIGIT | IN6PTON_DELIM;
				if (dc - dbuf >= (long)sizeof(dbuf))
					state |= IN6PTON_NULL;
				break;
			case IN6PTON_COLON_1 | IN6PTON_COLON_1_2:
				state = IN6PTON_XDIGIT | IN6PTON_COLON_2;
				break;
			case IN6PTON_COLON_1:
				state = IN6PTON_XDIGIT;
				break;
			case IN6PTON_COLON_1_2:
				state = IN6PTON_COLON_2;
				break;
			default:
				state = 0;
			}
			tok = s + 1;
			goto cont;
		}
		if (c & IN6PTON_DOT) {
			ret = in4_pton(tok ? tok : s, srclen + (int)(s - tok), d, delim, &s);
			if (ret > 0) {
				d += 4;
				break;
			}
			goto out;
		}
		w = (w << 4) | (0xff & c);
		state = IN6PTON_COLON_1 | IN6PTON_DELIM;
		if (!(w & 0xf000))
			state |= IN6PTON_XDIGIT;
		if (!dc && d + 2 < dbuf + sizeof(dbuf)) {
			state |= IN6PTON_COLON_1_2;
			state &= ~IN6PTON_DELIM;
		}
		if (d + 2 >= dbuf + sizeof(dbuf))
			state &= ~(IN6PTON_COLON_1 | IN6PTON_COLON_1_2);
cont:
		if ((dc && d + 4 < dbuf + sizeof(dbuf)) || d + 4 == dbuf + sizeof(dbuf))
			state |= IN6PTON_DOT;
		if (d >= dbuf + sizeof(dbuf))
			state &= ~(IN6PTON_XDIGIT | IN6PTON_COLON_MASK);
		s++;
		srclen--;
	}
	i = 15;
	d--;
	if (dc) {
		while (d >= dc)
			dst[i--] = *d--;
		while (i >= dc - dbuf)
			dst[i--] = 0;
		while (i >= 0)
			dst[i--] = *d--;
	} else {
		memcpy(dst, dbuf, sizeof(dbuf));
	}
	ret = 1;
out:
	if (end)
		*end = s;
	return ret;
}

#define hweight32(x) __builtin_popcount(x)

/* kstrtoul()-like: base 10 or 16 (with or without 0x), whole string, range checked. */
static inline int minifw_user_kstrtoul(const char *s, unsigned int base, unsigned long max,
				       unsigned long *res)
{
	unsigned long v = 0;

	if (*s == '+')
		s++;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (v > (ULONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (v > max)
		return -ERANGE;
	*res = v;
	return 0;
}

#define MINIFW_USER_KSTRTO(name, type, max)                                  \
	static inline int name(const char *s, unsigned int base, type *res)  \
	{                                                                     \
		unsigned long v;                                              \
		int ret;                                                      \
		if (base != 10 && base != 16)                                 \
			abort();	/* not in the shim */                 \
		ret = minifw_user_kstrtoul(s, base, max, &v);                 \
		if (!ret)                                                     \
			*res = (type)v;                                       \
		return ret;                                                   \
	}
MINIFW_USER_KSTRTO(kstrtou8, u8, 0xff)
MINIFW_USER_KSTRTO(kstrtou16, u16, 0xffff)
MINIFW_USER_KSTRTO(kstrtou32, u32, 0xffffffffUL)
MINIFW_USER_KSTRTO(kstrtou64, u64, ULONG_MAX)

static inline int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static inline int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n;

	if (!size)
		return 0;
	n = vsnprintf(buf, size, fmt, ap);
	if (n < 0)
		return 0;
	return (size_t)n >= size ? (int)size - 1 : n;
}

static inline int scnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* The kernel's strscpy(): copy with a NUL, -E2BIG if cut. */
static inline long strscpy(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(src, size);

	if (!size)
		return -E2BIG;
	if (len == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return (long)len;
}

#endif /* MINIFW_USER_H */
