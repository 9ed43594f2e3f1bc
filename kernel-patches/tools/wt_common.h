/* Shared by the kernel-patches/ tools: the flag values and small helpers.
 * The tools are plain C with no project library so that they run unchanged
 * inside the VM (through the host root over 9p) and on the host. */
#ifndef WT_COMMON_H
#define WT_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The ABI of the write-through series (kernel-patches/linux-6.12): fixed
 * values, so Debian's older uapi headers need not know them. */
#ifndef RWF_DSYNC
#define RWF_DSYNC 0x00000002
#endif
#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif
#define WT_RWF_WRITETHROUGH 0x00000200

/* Exit status the ctest SKIP_RETURN_CODE property maps to "skipped". */
#define WT_EXIT_SKIP 77

static inline void wt_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static inline void wt_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline uint64_t wt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* "4096", "64k", "1M", "2G": a bad value names the option it came from. */
static inline uint64_t wt_parse_size(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		wt_die("%s: '%s' is not a number", opt, s);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end)
		wt_die("%s: '%s' has trailing garbage '%s'", opt, s, end);
	return v;
}

/* xorshift64*: a seeded generator whose sequence is the same everywhere, so
 * a failing seed reproduces on any machine. */
static inline uint64_t wt_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* "wt,dsync,nowait" (or "none") -> rw_flags; a bad word is named. */
static inline int wt_parse_rwflags(const char *s)
{
	int f = 0;
	char *dup = strdup(s), *tok, *save;

	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "wt"))
			f |= WT_RWF_WRITETHROUGH;
		else if (!strcmp(tok, "dsync"))
			f |= RWF_DSYNC;
		else if (!strcmp(tok, "nowait"))
			f |= RWF_NOWAIT;
		else if (strcmp(tok, "none"))
			wt_die("--flags: unknown flag '%s' (wt, dsync, nowait, none)", tok);
	}
	free(dup);
	return f;
}

#endif
