/*
 * wt_fsx: seeded, randomized file integrity test in the spirit of xfstests'
 * fsx, taught RWF_WRITETHROUGH.
 *
 *   wt_fsx --file PATH [--seed S] [--ops N] [--maxlen BYTES]
 *          [--no-writethrough] [--region OFF:LEN]
 *          [--remount-every N --dev DEV --mnt DIR [--fstype xfs]]
 *          [--drop-caches] [--cold] [--nowait] [--overlap] [--falloc-modes]
 *          [--copy] [--kill] [--enospc] [--extsize BYTES] [--nfiles N]
 *          [--save-model PATH]
 *
 * Mixes write-through writes (pwritev2 and io_uring; with and without
 * RWF_DSYNC; aligned and not; appending and overwriting) with buffered,
 * O_DSYNC and O_DIRECT writes, mmap writes, buffered and direct reads,
 * truncate, fallocate, punch-hole and fsync, and after EVERY operation
 * compares the whole file (size and every byte) with an in-memory model.
 * With --remount-every the filesystem is unmounted and mounted again every
 * N operations and at the end, and the file is verified again, so what
 * reached the disk is checked, not just the cache.
 *
 * --no-writethrough runs the same sequence without the flag: it must pass on
 * any kernel, which is how we show the regular paths are unchanged.
 * --region confines every operation to OFF..OFF+LEN of a file other
 * processes use too (their regions must not overlap): no truncate, no
 * append, and only the region is verified.
 *
 * Options that widen the test (none changes what the defaults do, so a seed
 * of the original test still replays the same operations):
 *   --cold          after each verification drop the file's clean pages
 *                   (POSIX_FADV_DONTNEED; write-through leaves its pages
 *                   clean), so the next operation meets an uncached range:
 *                   partial-block read-modify-write from disk
 *   --nowait        writes with RWF_NOWAIT (pwritev2 and io_uring) on a
 *                   range just dropped from the cache (with the flag:
 *                   -EINVAL, the series' refusal): -EAGAIN or the whole
 *                   write; a short write-through is a failure
 *   --overlap       2-4 writes to overlapping ranges in flight together,
 *                   from threads (pwritev2) or one io_uring batch: the file
 *                   must equal the writes applied in SOME order
 *   --falloc-modes  collapse range, insert range, zero range
 *   --copy          copy_file_range and FICLONERANGE within the file (on a
 *                   reflink=1 XFS the clone must work: counted at the end)
 *   --kill          a child writes through a large range and is SIGKILLed
 *                   during the write: every byte is old or new afterwards
 *   --enospc        ENOSPC is an allowed result of writes, fallocate,
 *                   copy and clone (each byte then old or new); no mmap
 *                   writes (a fault would be SIGBUS), no collapse/insert
 *   --extsize B     XFS extent size hint on the file(s)
 *   --nfiles N      N files PATH.0 .. PATH.N-1, each op on a random one
 *   --save-model P  at the end write the expected contents to P (P.I with
 *                   --nfiles; only the region with --region), for a check
 *                   after the caller's own umount/xfs_repair/mount
 *
 * Exit: 0 all verified; 1 mismatch or unexpected error (with the seed, the
 * failing operation and the last operations before it); 77 when the flag is
 * requested but not supported by this kernel/filesystem.
 */
#include "wt_common.h"

#include <fcntl.h>
#include <liburing.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define HIST 40
#define BLK 4096

static struct {
	const char *file, *dev, *mnt, *fstype;
	uint64_t seed;
	unsigned long ops;
	uint64_t maxlen;
	int use_wt;
	int drop_caches;
	unsigned long remount_every;
	uint64_t region_off, region_len;
	int region;
	int cold, nowait, overlap, falloc_modes, copy, kill, enospc;
	uint64_t extsize;
	unsigned nfiles;
	const char *save_model;
} cfg = { .seed = 1, .ops = 1000, .maxlen = 256 << 10, .use_wt = 1,
	  .fstype = "xfs", .nfiles = 1 };

static uint8_t *model;		/* expected contents of [0, msize) */
static uint64_t msize;		/* expected file size (whole-file mode) */
static int fd = -1, dfd = -1;	/* buffered and O_DIRECT descriptors */
static struct io_uring ring;
static uint64_t rng;
static unsigned long opno;
static char hist[HIST][160];
static int no_fallocate, no_punch, no_direct;
static uint8_t *iobuf, *rdbuf, *cand;
static const char *cur_path;	/* the file the current op works on */

/* --nfiles: per-file state, swapped into the globals above. */
struct fstate {
	char path[4096];
	uint8_t *model;
	uint64_t msize;
	int fd, dfd;
};
static struct fstate *files;
static unsigned cur_file;

/* How many of each operation ran (printed at the end: a test can see that
 * e.g. clones really happened, and docs can quote the mix). */
static struct { const char *name; unsigned long n; } counts[32];
static void count(const char *name)
{
	int i;

	for (i = 0; i < 32 && counts[i].name; i++)
		if (!strcmp(counts[i].name, name))
			break;
	if (i == 32)
		return;
	counts[i].name = name;
	counts[i].n++;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hist[opno % HIST], sizeof(hist[0]), fmt, ap);
	va_end(ap);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;
	unsigned long first = opno >= HIST ? opno - HIST + 1 : 0;

	fprintf(stderr, "wt_fsx: FAILED at op %lu (seed %llu, file %s%s): ", opno,
		(unsigned long long)cfg.seed, cur_path ? cur_path : cfg.file,
		cfg.use_wt ? "" : ", --no-writethrough");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nwt_fsx: last operations:\n");
	for (unsigned long i = first; i <= opno; i++)
		fprintf(stderr, "  %6lu %s\n", i, hist[i % HIST]);
	exit(1);
}

static uint64_t rnd(uint64_t n)
{
	return n ? wt_rand(&rng) % n : 0;
}

static uint64_t lo(void) { return cfg.region ? cfg.region_off : 0; }
static uint64_t hi(void) { return cfg.region ? cfg.region_off + cfg.region_len : cfg.maxlen; }
/* Current end of data in the range we own. */
static uint64_t cur_end(void) { return cfg.region ? hi() : msize; }

static void open_files(void)
{
	fd = open(cur_path, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		fail("open %s: %s", cur_path, strerror(errno));
	if (!no_direct) {
		dfd = open(cur_path, O_RDWR | O_DIRECT);
		if (dfd < 0) {
			if (errno != EINVAL)
				fail("open %s O_DIRECT: %s", cur_path, strerror(errno));
			no_direct = 1;	/* tmpfs: no direct I/O to mix in */
		}
	}
}

static void close_files(void)
{
	close(fd);
	if (dfd >= 0)
		close(dfd);
	fd = dfd = -1;
}

/* Never a single repeated value: misplaced bytes must show. Writes of one
 * operation that may overlap get different salts. */
static void fill_salted(uint8_t *buf, uint64_t len, unsigned salt)
{
	uint8_t base = (uint8_t)(opno * 31 + 7 + salt * 101);

	for (uint64_t i = 0; i < len; i++)
		buf[i] = base + (uint8_t)(i * 13) + (uint8_t)(i >> 9);
}

static void fill(uint8_t *buf, uint64_t len)
{
	fill_salted(buf, len, 0);
}

/* Read [off, off+len) into rdbuf; in region mode bytes past another
 * process's EOF read as absent: treat them as zero, which is what they
 * must be. */
static void verify_range_raw(uint64_t off, uint64_t len, const char *why)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, rdbuf + done, len - done, off + done);

		if (n < 0)
			fail("%s: pread %llu+%llu: %s", why, (unsigned long long)off,
			     (unsigned long long)len, strerror(errno));
		if (n == 0)
			break;
		done += n;
	}
	if (!cfg.region && done != len)
		fail("%s: read %llu bytes at %llu, expected %llu", why,
		     (unsigned long long)done, (unsigned long long)off,
		     (unsigned long long)len);
	memset(rdbuf + done, 0, len - done);
}

static void verify_range(uint64_t off, uint64_t len, const char *why)
{
	verify_range_raw(off, len, why);
	for (uint64_t i = 0; i < len; i++)
		if (rdbuf[i] != model[off + i])
			fail("%s: byte at %llu is 0x%02x, expected 0x%02x",
			     why, (unsigned long long)(off + i), rdbuf[i],
			     model[off + i]);
}

static void verify_all(const char *why)
{
	if (!cfg.region) {
		struct stat st;

		if (fstat(fd, &st))
			fail("%s: fstat: %s", why, strerror(errno));
		if ((uint64_t)st.st_size != msize)
			fail("%s: file size %lld, expected %llu", why,
			     (long long)st.st_size, (unsigned long long)msize);
	}
	verify_range(lo(), cur_end() - lo(), why);
}

/* The model's view of a size change (truncate, extending write). */
static void model_resize(uint64_t newsize)
{
	if (newsize < msize)
		memset(model + newsize, 0, msize - newsize);
	msize = newsize;
}

static void model_write(uint64_t off, const uint8_t *buf, uint64_t len)
{
	memcpy(model + off, buf, len);
	if (!cfg.region && off + len > msize)
		msize = off + len;
}

static const char *flag_name(int f)
{
	switch (f) {
	case 0: return "buffered";
	case RWF_DSYNC: return "dsync";
	case WT_RWF_WRITETHROUGH: return "wt";
	case WT_RWF_WRITETHROUGH | RWF_DSYNC: return "wt|dsync";
	}
	return "?";
}

/* Returns 1 for a complete write, 0 for an ENOSPC result the caller must
 * resolve (only with --enospc); anything else fails the test. */
static int check_write_result(long res, uint64_t len, const char *how, int flags)
{
	if (res == -EOPNOTSUPP && (flags & WT_RWF_WRITETHROUGH)) {
		printf("wt_fsx: RWF_WRITETHROUGH not supported on %s (%s): "
		       "use --no-writethrough here\n", cur_path, how);
		exit(WT_EXIT_SKIP);
	}
	if (res == (long)len)
		return 1;
	/* A short write at ENOSPC is the normal buffered-write contract (the
	 * bytes that fitted are written); the next call would say ENOSPC. */
	if (cfg.enospc && (res == -ENOSPC || (res >= 0 && res < (long)len))) {
		count("enospc");
		return 0;
	}
	{
		fail("%s %s write of %llu: %s", how, flag_name(flags),
		     (unsigned long long)len,
		     res < 0 ? strerror(-res) : "short write");
	}
	return 1;
}

static void resolve_writes(int n, const uint64_t *offs, const uint64_t *lens,
			   const uint8_t *const *bufs, const char *why);

/* Pick a write: ~1/3 block aligned, ~1/4 appending (whole-file mode). */
static void pick_range(uint64_t *off, uint64_t *len, uint64_t maxw)
{
	uint64_t span = hi() - lo();

	*len = 1 + rnd(maxw);
	if (*len > span)
		*len = span;
	if (!cfg.region && rnd(4) == 0 && msize + 1 < cfg.maxlen) {
		*off = msize + (rnd(3) == 0 ? rnd(2 * BLK) : 0);
	} else {
		*off = lo() + rnd(span);
	}
	if (rnd(3) == 0) {
		*off &= ~(uint64_t)(BLK - 1);
		*len = (*len + BLK - 1) & ~(uint64_t)(BLK - 1);
	}
	if (*off < lo())
		*off = lo();
	if (*off >= hi())
		*off = hi() - 1;
	if (*off + *len > hi())
		*len = hi() - *off;
}

static int pick_flags(void)
{
	static const int choices[] = {
		WT_RWF_WRITETHROUGH | RWF_DSYNC, WT_RWF_WRITETHROUGH,
		WT_RWF_WRITETHROUGH | RWF_DSYNC, 0, RWF_DSYNC,
	};
	int f = choices[rnd(5)];

	return cfg.use_wt ? f : (f & ~WT_RWF_WRITETHROUGH);
}

static void op_pwritev2(void)
{
	uint64_t off, len;
	int flags = pick_flags();
	struct iovec iov;
	ssize_t n;

	pick_range(&off, &len, 64 << 10);
	fill(iobuf, len);
	note("pwritev2 %-9s off %llu len %llu", flag_name(flags),
	     (unsigned long long)off, (unsigned long long)len);
	iov.iov_base = iobuf;
	iov.iov_len = len;
	n = pwritev2(fd, &iov, 1, off, flags);
	count("pwritev2");
	if (check_write_result(n < 0 ? -errno : n, len, "pwritev2", flags)) {
		model_write(off, iobuf, len);
	} else {
		const uint8_t *b = iobuf;

		resolve_writes(1, &off, &len, &b, "pwritev2 at ENOSPC");
	}
}

/* Up to four non-overlapping io_uring writes in flight together, so the
 * asynchronous completion path runs with several I/Os outstanding. */
static void op_uring(void)
{
	uint64_t offs[4], lens[4], bufoff = 0;
	int flags = pick_flags(), n = 1 + rnd(4), got = 0;
	char desc[120] = "";

	for (int i = 0; i < n; i++) {
		pick_range(&offs[i], &lens[i], 16 << 10);
		for (int j = 0; j < i; j++)
			if (offs[i] < offs[j] + lens[j] && offs[j] < offs[i] + lens[i])
				lens[i] = 0;	/* overlaps: drop it */
		if (!lens[i])
			continue;
		fill(iobuf + bufoff, lens[i]);
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_write(sqe, fd, iobuf + bufoff, lens[i], offs[i]);
		sqe->rw_flags = flags;
		sqe->user_data = i;
		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc),
			 " %llu+%llu", (unsigned long long)offs[i],
			 (unsigned long long)lens[i]);
		bufoff += lens[i];
		got++;
	}
	note("io_uring %-9s%s", flag_name(flags), desc);
	if (io_uring_submit(&ring) != got)
		fail("io_uring_submit");
	count("io_uring");
	int complete = 1;

	for (int i = 0; i < got; i++) {
		struct io_uring_cqe *cqe;
		int ret = io_uring_wait_cqe(&ring, &cqe);

		if (ret)
			fail("io_uring_wait_cqe: %s", strerror(-ret));
		complete &= check_write_result(cqe->res, lens[cqe->user_data], "io_uring", flags);
		io_uring_cqe_seen(&ring, cqe);
	}
	/* Appends in one batch may land in any order: the model applies
	 * them all, so the file must end up the same either way. */
	const uint8_t *bufs[4];
	uint64_t ro[4], rl[4];
	int m = 0;

	bufoff = 0;
	for (int i = 0; i < n; i++) {
		if (!lens[i])
			continue;
		if (complete)
			model_write(offs[i], iobuf + bufoff, lens[i]);
		bufs[m] = iobuf + bufoff;
		ro[m] = offs[i];
		rl[m++] = lens[i];
		bufoff += lens[i];
	}
	if (!complete)
		resolve_writes(m, ro, rl, bufs, "io_uring at ENOSPC");
}

static void op_direct_write(void)
{
	uint64_t span = (hi() - lo()) / BLK, off, len;
	ssize_t n;

	if (no_direct || span == 0)
		return;
	off = ((lo() + BLK - 1) / BLK + rnd(span)) * BLK;
	len = (1 + rnd(8)) * BLK;
	if (off >= hi())
		return;
	if (off + len > hi())
		len = (hi() - off) / BLK * BLK;
	if (!len)
		return;
	fill(iobuf, len);
	note("direct   write      off %llu len %llu", (unsigned long long)off,
	     (unsigned long long)len);
	n = pwrite(dfd, iobuf, len, off);
	count("direct_write");
	if (n != (ssize_t)len) {
		const uint8_t *b = iobuf;

		if (!cfg.enospc || (n < 0 && errno != ENOSPC))
			fail("O_DIRECT write: %s", n < 0 ? strerror(errno) : "short");
		count("enospc");
		resolve_writes(1, &off, &len, &b, "O_DIRECT write at ENOSPC");
		return;
	}
	model_write(off, iobuf, len);
}

static void op_direct_read(void)
{
	uint64_t end = cur_end() / BLK * BLK, off, len;
	ssize_t n;

	if (no_direct || end <= lo() + BLK)
		return;
	off = ((lo() + BLK - 1) / BLK) * BLK;
	off += rnd((end - off) / BLK) * BLK;
	len = (1 + rnd(8)) * BLK;
	if (off + len > end)
		len = end - off;
	if (!len)
		return;
	note("direct   read       off %llu len %llu", (unsigned long long)off,
	     (unsigned long long)len);
	n = pread(dfd, rdbuf, len, off);
	if (n != (ssize_t)len)
		fail("O_DIRECT read: %s", n < 0 ? strerror(errno) : "short");
	for (uint64_t i = 0; i < len; i++)
		if (rdbuf[i] != model[off + i])
			fail("O_DIRECT read: byte at %llu is 0x%02x, expected 0x%02x",
			     (unsigned long long)(off + i), rdbuf[i], model[off + i]);
}

static void op_mmap_write(void)
{
	uint64_t end = cur_end(), off, len, moff;
	uint8_t *p;

	if (end <= lo())
		return;
	off = lo() + rnd(end - lo());
	len = 1 + rnd(8192);
	if (off + len > end)
		len = end - off;
	moff = off & ~(uint64_t)(sysconf(_SC_PAGESIZE) - 1);
	p = mmap(NULL, off + len - moff, PROT_READ | PROT_WRITE, MAP_SHARED, fd, moff);
	if (p == MAP_FAILED)
		fail("mmap %llu+%llu: %s", (unsigned long long)moff,
		     (unsigned long long)(off + len - moff), strerror(errno));
	fill(iobuf, len);
	note("mmap     write      off %llu len %llu", (unsigned long long)off,
	     (unsigned long long)len);
	memcpy(p + (off - moff), iobuf, len);
	if (rnd(2) && msync(p, off + len - moff, MS_SYNC))
		fail("msync: %s", strerror(errno));
	munmap(p, off + len - moff);
	model_write(off, iobuf, len);
}

static void op_truncate(void)
{
	uint64_t size = rnd(cfg.maxlen + 1);

	if (cfg.region)
		return;
	if (rnd(2))
		size &= ~(uint64_t)(BLK - 1);
	note("truncate            to %llu", (unsigned long long)size);
	if (ftruncate(fd, size)) {
		/* The tail of the new last block may be zeroed before the
		 * size change fails. */
		if (cfg.enospc && errno == ENOSPC) {
			uint64_t len = size < msize ? msize - size : 0;
			const uint8_t *b = cand;

			memset(cand, 0, len);
			count("enospc");
			if (len)
				resolve_writes(1, &size, &len, &b, "truncate at ENOSPC");
			return;
		}
		fail("ftruncate %llu: %s", (unsigned long long)size, strerror(errno));
	}
	model_resize(size);
}

static void op_fallocate(void)
{
	uint64_t off, len;
	int keep = cfg.region || rnd(2);

	if (no_fallocate)
		return;
	pick_range(&off, &len, 64 << 10);
	note("fallocate%s      off %llu len %llu", keep ? " keep" : "     ",
	     (unsigned long long)off, (unsigned long long)len);
	if (fallocate(fd, keep ? FALLOC_FL_KEEP_SIZE : 0, off, len)) {
		if (errno == EOPNOTSUPP) {
			no_fallocate = 1;
			return;
		}
		/* XFS sets the size only after the whole allocation worked,
		 * and allocation alone changes no byte. */
		if (cfg.enospc && errno == ENOSPC) {
			count("enospc");
			return;
		}
		fail("fallocate: %s", strerror(errno));
	}
	if (!keep && off + len > msize)
		msize = off + len;	/* the new bytes read as zero */
}

static void op_punch(void)
{
	uint64_t end = cur_end(), off, len;

	if (no_punch || end <= lo())
		return;
	off = lo() + rnd(end - lo());
	len = 1 + rnd(32 << 10);
	if (off + len > end)
		len = end - off;
	note("punch               off %llu len %llu", (unsigned long long)off,
	     (unsigned long long)len);
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len)) {
		if (errno == EOPNOTSUPP) {
			no_punch = 1;
			return;
		}
		if (cfg.enospc && errno == ENOSPC) {
			const uint8_t *b = cand;

			memset(cand, 0, len);
			count("enospc");
			resolve_writes(1, &off, &len, &b, "punch at ENOSPC");
			return;
		}
		fail("punch hole: %s", strerror(errno));
	}
	memset(model + off, 0, len);
}

static void op_read(void)
{
	uint64_t end = cur_end(), off, len;

	if (end <= lo())
		return;
	off = lo() + rnd(end - lo());
	len = 1 + rnd(64 << 10);
	if (off + len > end)
		len = end - off;
	note("read                off %llu len %llu", (unsigned long long)off,
	     (unsigned long long)len);
	verify_range(off, len, "read");
}

static void op_sync(void)
{
	int data = rnd(2);

	note("%s", data ? "fdatasync" : "fsync");
	if (data ? fdatasync(fd) : fsync(fd))
		fail("%s: %s", data ? "fdatasync" : "fsync", strerror(errno));
}

static void op_drop_caches(void)
{
	int dc;

	if (!cfg.drop_caches)
		return;
	note("drop_caches");
	if (fsync(fd))
		fail("fsync before drop_caches: %s", strerror(errno));
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (dc < 0 || write(dc, "3", 1) != 1)
		fail("drop_caches: %s", strerror(errno));
	close(dc);
}

/* The file's size now, from the kernel. */
static uint64_t file_size(void)
{
	struct stat st;

	if (fstat(fd, &st))
		fail("fstat: %s", strerror(errno));
	return st.st_size;
}

/*
 * After an operation that may have done only part of its writes (ENOSPC, a
 * SIGKILLed writer): every byte a write covered must be the old or the new
 * value, the size must lie between the old one and the largest end, and
 * then the model takes what the file holds. Everything else is checked by
 * the usual verification that follows.
 */
static void resolve_writes(int n, const uint64_t *offs, const uint64_t *lens,
			   const uint8_t *const *bufs, const char *why)
{
	uint64_t size = file_size(), maxend = msize;

	for (int i = 0; i < n; i++)
		if (offs[i] + lens[i] > maxend)
			maxend = offs[i] + lens[i];
	if (!cfg.region && (size < msize || size > maxend))
		fail("%s: size %llu, expected between %llu and %llu", why,
		     (unsigned long long)size, (unsigned long long)msize,
		     (unsigned long long)maxend);
	if (cfg.region)
		size = hi();
	for (int i = 0; i < n; i++) {
		uint64_t len = lens[i];

		if (offs[i] >= size)
			continue;
		if (offs[i] + len > size)
			len = size - offs[i];
		verify_range_raw(offs[i], len, why);
		for (uint64_t j = 0; j < len; j++) {
			uint8_t got = rdbuf[j];

			if (got != model[offs[i] + j] && got != bufs[i][j])
				fail("%s: byte at %llu is 0x%02x, neither old 0x%02x nor new 0x%02x",
				     why, (unsigned long long)(offs[i] + j), got,
				     model[offs[i] + j], bufs[i][j]);
		}
		memcpy(model + offs[i], rdbuf, len);
	}
	if (!cfg.region)
		msize = size;
}

/* Drop the file's clean pages: write-through leaves its pages clean, so the
 * next operation finds the range uncached (only dirty buffered/mmap data
 * stays). */
static void drop_file_cache(void)
{
	int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);

	if (err)
		fail("posix_fadvise DONTNEED: %s", strerror(err));
}

/* RWF_NOWAIT write into a range just dropped from the cache: the kernel may
 * say -EAGAIN (nothing written) or write all of it. A write-through write
 * must never stop part way; a plain buffered NOWAIT write may (the bytes it
 * reports are written). The series refuses a caller's
 * RWF_WRITETHROUGH|RWF_NOWAIT with -EINVAL before copying anything
 * (kernel-patches/DESIGN.md): the check after the op sees the file
 * unchanged. */
static void op_nowait(void)
{
	uint64_t off, len;
	int flags = pick_flags() | RWF_NOWAIT, uring = rnd(2);
	long res;
	int err;

	pick_range(&off, &len, 64 << 10);
	fill(iobuf, len);
	err = posix_fadvise(fd, off, len, POSIX_FADV_DONTNEED);
	if (err)
		fail("posix_fadvise: %s", strerror(err));
	note("%s nowait %-9s off %llu len %llu", uring ? "io_uring" : "pwritev2",
	     flag_name(flags & ~RWF_NOWAIT), (unsigned long long)off,
	     (unsigned long long)len);
	if (uring) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;

		io_uring_prep_write(sqe, fd, iobuf, len, off);
		sqe->rw_flags = flags;
		if (io_uring_submit(&ring) != 1 || io_uring_wait_cqe(&ring, &cqe))
			fail("io_uring nowait submit/wait");
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	} else {
		struct iovec iov = { iobuf, len };

		res = pwritev2(fd, &iov, 1, off, flags);
		if (res < 0)
			res = -errno;
	}
	count(uring ? "nowait_uring" : "nowait_pwritev2");
	if (res == -EAGAIN) {
		count("nowait_eagain");
		return;
	}
	if (res == -EINVAL && (flags & WT_RWF_WRITETHROUGH)) {
		count("nowait_wt_refused");
		return;
	}
	if (res == -EOPNOTSUPP && (flags & WT_RWF_WRITETHROUGH))
		check_write_result(res, len, "nowait", flags & ~RWF_NOWAIT);
	if (cfg.enospc && res == -ENOSPC) {
		const uint8_t *b = iobuf;

		count("enospc");
		resolve_writes(1, &off, &len, &b, "nowait write at ENOSPC");
		return;
	}
	if (res < 0)
		fail("%s nowait %s write of %llu: %s", uring ? "io_uring" : "pwritev2",
		     flag_name(flags & ~RWF_NOWAIT), (unsigned long long)len,
		     strerror(-res));
	if ((uint64_t)res < len && (flags & WT_RWF_WRITETHROUGH) && !cfg.enospc)
		fail("%s nowait %s write of %llu: short write-through (%ld)",
		     uring ? "io_uring" : "pwritev2", flag_name(flags & ~RWF_NOWAIT),
		     (unsigned long long)len, res);
	model_write(off, iobuf, res);
}

/*
 * --overlap: 2-4 writes to overlapping ranges in flight at once. The inode
 * lock orders buffered writes, so the file must equal the model with the
 * writes applied in one of the K! orders; the cache must also agree with
 * the disk afterwards (a later cold read or remount checks that).
 */
struct ow {
	uint64_t off, len;
	const uint8_t *buf;
	int flags;
	long res;
	pthread_barrier_t *bar;
};

static void *ow_thread(void *arg)
{
	struct ow *w = arg;
	struct iovec iov = { (void *)w->buf, w->len };

	pthread_barrier_wait(w->bar);
	w->res = pwritev2(fd, &iov, 1, w->off, w->flags);
	if (w->res < 0)
		w->res = -errno;
	return NULL;
}

static int next_perm(int *a, int n)
{
	int i = n - 2, j = n - 1, t;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return 0;
	while (a[j] <= a[i])
		j--;
	t = a[i]; a[i] = a[j]; a[j] = t;
	for (int l = i + 1, r = n - 1; l < r; l++, r--) {
		t = a[l]; a[l] = a[r]; a[r] = t;
	}
	return 1;
}

static void op_overlap(void)
{
	struct ow w[4];
	pthread_t th[4];
	pthread_barrier_t bar;
	int k = 2 + rnd(3), threads = rnd(2), perm[4];
	uint64_t base, span, lo_u, hi_u, bufoff = 0, maxend = msize;
	char desc[140] = "";

	pick_range(&base, &span, 32 << 10);
	for (int i = 0; i < k; i++) {
		/* Each write starts within the first one and differs in length:
		 * all of them overlap the first block of the range. */
		w[i].off = base + (i ? rnd(span) : 0);
		w[i].len = 1 + rnd(32 << 10);
		if (w[i].off >= hi())
			w[i].off = hi() - 1;
		if (w[i].off + w[i].len > hi())
			w[i].len = hi() - w[i].off;
		if (i && rnd(2)) {	/* block aligned, as a WAL would write */
			w[i].off = w[0].off & ~(uint64_t)(BLK - 1);
			w[i].len = (w[i].len + BLK - 1) & ~(uint64_t)(BLK - 1);
			if (w[i].off + w[i].len > hi())
				w[i].len = hi() - w[i].off;
		}
		w[i].flags = pick_flags();
		fill_salted(iobuf + bufoff, w[i].len, i + 1);
		w[i].buf = iobuf + bufoff;
		bufoff += w[i].len;
		w[i].bar = &bar;
		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " %s:%llu+%llu",
			 flag_name(w[i].flags), (unsigned long long)w[i].off,
			 (unsigned long long)w[i].len);
	}
	note("overlap  %s%s", threads ? "threads " : "io_uring", desc);
	count(threads ? "overlap_threads" : "overlap_uring");
	if (threads) {
		pthread_barrier_init(&bar, NULL, k);
		for (int i = 0; i < k; i++)
			if (pthread_create(&th[i], NULL, ow_thread, &w[i]))
				fail("pthread_create");
		for (int i = 0; i < k; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&bar);
	} else {
		for (int i = 0; i < k; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			io_uring_prep_write(sqe, fd, (void *)w[i].buf, w[i].len, w[i].off);
			sqe->rw_flags = w[i].flags;
			sqe->user_data = i;
		}
		if (io_uring_submit(&ring) != k)
			fail("io_uring_submit");
		for (int i = 0; i < k; i++) {
			struct io_uring_cqe *cqe;

			if (io_uring_wait_cqe(&ring, &cqe))
				fail("io_uring_wait_cqe");
			w[cqe->user_data].res = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	int complete = 1;

	for (int i = 0; i < k; i++)
		complete &= check_write_result(w[i].res, w[i].len,
					       threads ? "overlapping pwritev2" :
					       "overlapping io_uring", w[i].flags);
	if (!complete)
		fail("overlapping writes at ENOSPC are not modelled");
	lo_u = w[0].off;
	hi_u = 0;
	for (int i = 0; i < k; i++) {
		if (w[i].off < lo_u)
			lo_u = w[i].off;
		if (w[i].off + w[i].len > hi_u)
			hi_u = w[i].off + w[i].len;
		if (!cfg.region && w[i].off + w[i].len > maxend)
			maxend = w[i].off + w[i].len;
	}
	/* Which order explains the file? Each candidate starts from the model. */
	verify_range_raw(lo_u, hi_u - lo_u, "overlap read-back");
	for (int i = 0; i < k; i++)
		perm[i] = i;
	do {
		memcpy(cand + lo_u, model + lo_u, hi_u - lo_u);
		for (int i = 0; i < k; i++)
			memcpy(cand + w[perm[i]].off, w[perm[i]].buf, w[perm[i]].len);
		if (!memcmp(cand + lo_u, rdbuf, hi_u - lo_u)) {
			memcpy(model + lo_u, cand + lo_u, hi_u - lo_u);
			msize = maxend;
			return;
		}
	} while (next_perm(perm, k));
	/* A plain buffered io_uring write is not one unit: io_uring tries it
	 * with NOWAIT, and when that copies only part, finishes the rest later
	 * from a worker, so another write can land in between. Such batches
	 * only need every byte to come from one of the writes (or the old
	 * data). A write-through write must not be split (it either fails with
	 * -EAGAIN before copying anything, or completes whole), nor may a
	 * synchronous pwritev2, which holds the inode lock throughout. */
	int splittable = 0;

	for (int i = 0; i < k; i++)
		if (!threads && !(w[i].flags & WT_RWF_WRITETHROUGH))
			splittable = 1;
	for (uint64_t i = lo_u; i < hi_u; i++) {
		int ok = model[i] == rdbuf[i - lo_u];

		for (int j = 0; j < k; j++)
			if (i >= w[j].off && i < w[j].off + w[j].len &&
			    w[j].buf[i - w[j].off] == rdbuf[i - lo_u])
				ok = 1;
		if (!ok)
			fail("overlapping writes: byte at %llu is 0x%02x, from none of the %d writes",
			     (unsigned long long)i, rdbuf[i - lo_u], k);
	}
	if (splittable) {
		count("overlap_uring_split");
		memcpy(model + lo_u, rdbuf, hi_u - lo_u);
		msize = maxend;
		return;
	}
	fail("overlapping writes: no order of the %d writes gives the file's %llu..%llu "
	     "(every byte is from one of them: torn between writes)", k,
	     (unsigned long long)lo_u, (unsigned long long)hi_u);
}

/* Collapse, insert or zero a range (whole-file mode). */
static void op_falloc_mode(void)
{
	uint64_t off, len;
	int what = rnd(3), mode;
	const char *name;

	if (no_fallocate)
		return;
	if (cfg.region || cfg.enospc)
		what = 2;	/* no shifting in a shared file or at ENOSPC */
	if (what < 2) {
		/* Block aligned (4 KiB covers 1 and 2 KiB blocks too). */
		uint64_t blocks = msize / BLK;

		len = (1 + rnd(8)) * BLK;
		if (what == 0) {	/* collapse: must end before EOF */
			if (blocks < 2 || len >= blocks * BLK)
				return;
			off = rnd(blocks - len / BLK) * BLK;
			if (off + len >= msize)
				return;
			mode = FALLOC_FL_COLLAPSE_RANGE;
			name = "collapse";
		} else {		/* insert: must start before EOF */
			if (blocks < 1 || msize + len > cfg.maxlen)
				return;
			off = rnd(blocks) * BLK;
			mode = FALLOC_FL_INSERT_RANGE;
			name = "insert";
		}
	} else {
		pick_range(&off, &len, 64 << 10);
		mode = FALLOC_FL_ZERO_RANGE | (cfg.region || rnd(2) ? FALLOC_FL_KEEP_SIZE : 0);
		name = mode & FALLOC_FL_KEEP_SIZE ? "zero keep" : "zero";
	}
	note("%-19s off %llu len %llu", name, (unsigned long long)off,
	     (unsigned long long)len);
	count(name);
	if (fallocate(fd, mode, off, len)) {
		if (cfg.enospc && errno == ENOSPC && what == 2) {
			/* Zero range is punch + allocate: bytes old or zero. */
			const uint8_t *b = cand;

			memset(cand, 0, len);
			count("enospc");
			resolve_writes(1, &off, &len, &b, "zero range at ENOSPC");
			return;
		}
		fail("fallocate %s %llu+%llu: %s", name, (unsigned long long)off,
		     (unsigned long long)len, strerror(errno));
	}
	if (what == 0) {
		memmove(model + off, model + off + len, msize - off - len);
		memset(model + msize - len, 0, len);
		msize -= len;
	} else if (what == 1) {
		memmove(model + off + len, model + off, msize - off);
		memset(model + off, 0, len);
		msize += len;
	} else {
		uint64_t end = off + len;

		if (mode & FALLOC_FL_KEEP_SIZE) {
			if (!cfg.region && end > msize)
				end = msize > off ? msize : off;
		} else if (end > msize) {
			msize = end;
		}
		if (end > off)
			memset(model + off, 0, end - off);
	}
}

/* copy_file_range or a reflink clone of one part of the file onto another
 * (the two ranges must not overlap). */
static int no_clone;
static void op_copy(void)
{
	uint64_t end = cur_end(), src, dst, len, done = 0;
	int clone = !no_clone && rnd(2);

	if (end <= lo() + BLK)
		return;
	if (clone) {		/* block aligned, source inside EOF */
		uint64_t first = (lo() + BLK - 1) / BLK, last = end / BLK;

		if (last <= first + 1)
			return;
		src = (first + rnd(last - first - 1)) * BLK;
		len = (1 + rnd(8)) * BLK;
		if (src + len > last * BLK)
			len = last * BLK - src;
		dst = (first + rnd((hi() - lo()) / BLK)) * BLK;
	} else {
		src = lo() + rnd(end - lo());
		len = 1 + rnd(32 << 10);
		if (src + len > end)
			len = end - src;
		dst = lo() + rnd(hi() - lo());
	}
	if (dst + len > hi())
		return;
	if (src < dst + len && dst < src + len)
		return;		/* overlapping: EINVAL by definition */
	note("%-19s %llu -> %llu len %llu", clone ? "clone" : "copy_file_range",
	     (unsigned long long)src, (unsigned long long)dst,
	     (unsigned long long)len);
	memcpy(cand, model + src, len);
	if (clone) {
		struct file_clone_range r = { .src_fd = fd, .src_offset = src,
					      .src_length = len, .dest_offset = dst };

		if (ioctl(fd, FICLONERANGE, &r)) {
			if (errno == EOPNOTSUPP || errno == EXDEV) {
				no_clone = 1;	/* not a reflink file system */
				return;
			}
			if (cfg.enospc && errno == ENOSPC)
				goto enospc;
			fail("FICLONERANGE %llu -> %llu len %llu: %s",
			     (unsigned long long)src, (unsigned long long)dst,
			     (unsigned long long)len, strerror(errno));
		}
		done = len;
	} else {
		while (done < len) {
			loff_t in = src + done, out = dst + done;
			ssize_t n = copy_file_range(fd, &in, fd, &out, len - done, 0);

			if (n < 0 && cfg.enospc && errno == ENOSPC)
				goto enospc;
			if (n <= 0)
				fail("copy_file_range %llu -> %llu len %llu: %s",
				     (unsigned long long)src + done,
				     (unsigned long long)dst + done,
				     (unsigned long long)(len - done),
				     n < 0 ? strerror(errno) : "no progress");
			done += n;
		}
	}
	count(clone ? "clone" : "copy_file_range");
	model_write(dst, cand, len);
	return;
enospc: {
	const uint8_t *b = cand;

	count("enospc");
	resolve_writes(1, &dst, &len, &b, "copy/clone at ENOSPC");
	}
}

/* A writer killed in the middle of a large write-through write: the kernel
 * must stop cleanly (no task stuck in D state, which the VM turns into a
 * failed test), and every byte must be old or new. */
static void op_kill(void)
{
	uint64_t off, len;
	int flags = pick_flags();
	pid_t pid;
	int status;
	unsigned delay_us = rnd(4000);

	pick_range(&off, &len, 256 << 10);
	fill(iobuf, len);
	note("kill     %-9s off %llu len %llu after %u us", flag_name(flags),
	     (unsigned long long)off, (unsigned long long)len, delay_us);
	count("kill");
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		struct iovec iov = { iobuf, len };

		for (;;)	/* the same bytes again until killed */
			if (pwritev2(fd, &iov, 1, off, flags) < 0 && errno != EINTR)
				_exit(errno == EOPNOTSUPP ? WT_EXIT_SKIP : 1);
	}
	usleep(delay_us);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		fail("waitpid: %s", strerror(errno));
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == WT_EXIT_SKIP)
			check_write_result(-EOPNOTSUPP, len, "pwritev2 (killed writer)", flags);
		if (!(cfg.enospc && WEXITSTATUS(status) == 1))
			fail("killed writer exited %d before the kill", WEXITSTATUS(status));
	}
	const uint8_t *b = iobuf;

	resolve_writes(1, &off, &len, &b, "after SIGKILL of the writer");
}

/* --nfiles: make file I the current one (its state in the globals). */
static void select_file(unsigned i)
{
	struct fstate *f = &files[cur_file];

	f->model = model;
	f->msize = msize;
	f->fd = fd;
	f->dfd = dfd;
	cur_file = i;
	f = &files[i];
	model = f->model;
	msize = f->msize;
	fd = f->fd;
	dfd = f->dfd;
	cur_path = f->path;
}

static void remount(void)
{
	unsigned keep = cur_file;

	note("remount %s", cfg.mnt);
	for (unsigned i = 0; i < cfg.nfiles; i++) {
		select_file(i);
		close_files();
	}
	if (umount(cfg.mnt))
		fail("umount %s: %s", cfg.mnt, strerror(errno));
	if (mount(cfg.dev, cfg.mnt, cfg.fstype, 0, NULL))
		fail("mount %s on %s: %s", cfg.dev, cfg.mnt, strerror(errno));
	for (unsigned i = 0; i < cfg.nfiles; i++) {
		select_file(i);
		open_files();
		verify_all("after remount");
	}
	select_file(keep);
}

/* --extsize: XFS extent size hint, set while the file is still empty. */
static void set_extsize(void)
{
	struct fsxattr a;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &a))
		fail("FS_IOC_FSGETXATTR: %s", strerror(errno));
	a.fsx_xflags |= FS_XFLAG_EXTSIZE;
	a.fsx_extsize = cfg.extsize;
	if (ioctl(fd, FS_IOC_FSSETXATTR, &a))
		fail("FS_IOC_FSSETXATTR extsize %llu: %s",
		     (unsigned long long)cfg.extsize, strerror(errno));
}

static void save_model(void)
{
	char path[4200];
	uint64_t off = lo(), len = cur_end() - lo();
	FILE *f;

	if (cfg.nfiles > 1)
		snprintf(path, sizeof(path), "%s.%u", cfg.save_model, cur_file);
	else
		snprintf(path, sizeof(path), "%s", cfg.save_model);
	f = fopen(path, "w");
	if (!f || fwrite(model + off, 1, len, f) != len || fclose(f))
		fail("writing the model to %s: %s", path, strerror(errno));
}

static void usage(void)
{
	fprintf(stderr, "usage: wt_fsx --file PATH [--seed S] [--ops N] [--maxlen BYTES]\n"
		"              [--no-writethrough] [--region OFF:LEN] [--drop-caches]\n"
		"              [--remount-every N --dev DEV --mnt DIR [--fstype T]]\n"
		"              [--cold] [--nowait] [--overlap] [--falloc-modes] [--copy]\n"
		"              [--kill] [--enospc] [--extsize B] [--nfiles N] [--save-model P]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--no-writethrough")) { cfg.use_wt = 0; continue; }
		if (!strcmp(o, "--drop-caches")) { cfg.drop_caches = 1; continue; }
		if (!strcmp(o, "--cold")) { cfg.cold = 1; continue; }
		if (!strcmp(o, "--nowait")) { cfg.nowait = 1; continue; }
		if (!strcmp(o, "--overlap")) { cfg.overlap = 1; continue; }
		if (!strcmp(o, "--falloc-modes")) { cfg.falloc_modes = 1; continue; }
		if (!strcmp(o, "--copy")) { cfg.copy = 1; continue; }
		if (!strcmp(o, "--kill")) { cfg.kill = 1; continue; }
		if (!strcmp(o, "--enospc")) { cfg.enospc = 1; continue; }
		if (!v)
			wt_die("wt_fsx: option '%s' needs a value", o);
		i++;
		if (!strcmp(o, "--file")) cfg.file = v;
		else if (!strcmp(o, "--seed")) cfg.seed = wt_parse_size("--seed", v);
		else if (!strcmp(o, "--ops")) cfg.ops = wt_parse_size("--ops", v);
		else if (!strcmp(o, "--maxlen")) cfg.maxlen = wt_parse_size("--maxlen", v);
		else if (!strcmp(o, "--remount-every"))
			cfg.remount_every = wt_parse_size("--remount-every", v);
		else if (!strcmp(o, "--dev")) cfg.dev = v;
		else if (!strcmp(o, "--mnt")) cfg.mnt = v;
		else if (!strcmp(o, "--fstype")) cfg.fstype = v;
		else if (!strcmp(o, "--extsize")) cfg.extsize = wt_parse_size("--extsize", v);
		else if (!strcmp(o, "--nfiles")) cfg.nfiles = wt_parse_size("--nfiles", v);
		else if (!strcmp(o, "--save-model")) cfg.save_model = v;
		else if (!strcmp(o, "--region")) {
			char *colon = strchr(v, ':');

			if (!colon)
				wt_die("wt_fsx: --region '%s' is not OFF:LEN", v);
			*colon = 0;
			cfg.region_off = wt_parse_size("--region offset", v);
			cfg.region_len = wt_parse_size("--region length", colon + 1);
			if (cfg.region_len < BLK)
				wt_die("wt_fsx: --region length must be at least %d", BLK);
			cfg.region = 1;
		} else {
			fprintf(stderr, "wt_fsx: unknown option '%s'\n", o);
			usage();
		}
	}
	if (!cfg.file)
		usage();
	if (cfg.maxlen < 2 * BLK || cfg.maxlen > (1ull << 30))
		wt_die("wt_fsx: --maxlen must be between 8k and 1G");
	if (cfg.remount_every && (!cfg.dev || !cfg.mnt))
		wt_die("wt_fsx: --remount-every needs --dev and --mnt");
	if (cfg.region)
		cfg.maxlen = cfg.region_off + cfg.region_len;
	if (cfg.seed == 0)
		cfg.seed = 1;	/* xorshift needs a non-zero state */
	if (cfg.nfiles < 1 || cfg.nfiles > 64 || (cfg.nfiles > 1 && cfg.region))
		wt_die("wt_fsx: --nfiles must be 1..64 and not with --region");
}

int main(int argc, char **argv)
{
	int ret;

	void (*extra[8])(void);
	int nextra = 0;

	parse(argc, argv);
	rng = cfg.seed;
	files = calloc(cfg.nfiles, sizeof(*files));
	cand = calloc(1, cfg.maxlen + (256 << 10));
	if (posix_memalign((void **)&iobuf, BLK, 256 << 10) ||
	    posix_memalign((void **)&rdbuf, BLK, cfg.maxlen + BLK) || !files || !cand)
		wt_die("wt_fsx: out of memory");
	for (unsigned i = 0; i < cfg.nfiles; i++) {
		if (cfg.nfiles > 1)
			snprintf(files[i].path, sizeof(files[i].path), "%s.%u", cfg.file, i);
		else
			snprintf(files[i].path, sizeof(files[i].path), "%s", cfg.file);
		files[i].model = calloc(1, cfg.maxlen + (256 << 10));
		files[i].fd = files[i].dfd = -1;
		if (!files[i].model)
			wt_die("wt_fsx: out of memory");
	}
	model = files[0].model;
	cur_path = files[0].path;
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		wt_die("wt_fsx: io_uring_queue_init: %s", strerror(-ret));
	/* The widening operations, drawn only when asked for: without any of
	 * these options a seed replays exactly the operations it always did. */
	if (cfg.nowait)
		extra[nextra++] = op_nowait;
	if (cfg.overlap && !cfg.enospc)
		extra[nextra++] = op_overlap;
	if (cfg.falloc_modes)
		extra[nextra++] = op_falloc_mode;
	if (cfg.copy)
		extra[nextra++] = op_copy;
	if (cfg.kill)
		extra[nextra++] = op_kill;

	if (!cfg.region) {
		for (unsigned i = cfg.nfiles; i-- > 0;) {
			select_file(i);
			unlink(cur_path);
			open_files();
			if (cfg.extsize)
				set_extsize();
		}
	} else {
		/* Other processes own the rest of the file: grow it to cover our
		 * region without ever shrinking it, and start from zeros. */
		open_files();
		if (cfg.extsize && file_size() == 0)
			set_extsize();	/* the first process to arrive; may race: ignored */
		if (fallocate(fd, 0, cfg.region_off, cfg.region_len) && errno != EOPNOTSUPP)
			fail("fallocate region: %s", strerror(errno));
		memset(iobuf, 0, BLK);
		for (uint64_t o = cfg.region_off; o < hi(); o += BLK) {
			uint64_t n = hi() - o < BLK ? hi() - o : BLK;

			if (pwrite(fd, iobuf, n, o) != (ssize_t)n)
				fail("zero region: %s", strerror(errno));
		}
	}

	for (opno = 0; opno < cfg.ops; opno++) {
		if (cfg.nfiles > 1)
			select_file(rnd(cfg.nfiles));
		if (nextra && rnd(3) == 0) {
			extra[rnd(nextra)]();
			goto verify;
		}
		switch (rnd(20)) {
		case 0 ... 5: op_pwritev2(); break;
		case 6 ... 8: op_uring(); break;
		case 9: op_direct_write(); break;
		case 10: op_direct_read(); break;
		case 11 ... 12:
			if (cfg.enospc)
				op_pwritev2();	/* an mmap fault at ENOSPC is SIGBUS */
			else
				op_mmap_write();
			break;
		case 13: op_truncate(); break;
		case 14: op_fallocate(); break;
		case 15: op_punch(); break;
		case 16 ... 17: op_read(); break;
		case 18: op_sync(); break;
		case 19: op_drop_caches(); break;
		}
verify:
		verify_all("after op");
		if (cfg.cold)
			drop_file_cache();
		if (cfg.remount_every && (opno + 1) % cfg.remount_every == 0)
			remount();
	}
	if (cfg.remount_every)
		remount();
	printf("wt_fsx: %lu ops verified (seed %llu, %s, final size %llu%s%s)\n",
	       cfg.ops, (unsigned long long)cfg.seed,
	       cfg.use_wt ? "writethrough" : "no-writethrough",
	       (unsigned long long)(cfg.region ? cfg.region_len : msize),
	       cfg.remount_every ? ", remounted" : "", cfg.cold ? ", cold" : "");
	printf("wt_fsx: op counts:");
	for (int i = 0; i < 32 && counts[i].name; i++)
		printf(" %s=%lu", counts[i].name, counts[i].n);
	printf("\n");
	for (unsigned i = 0; i < cfg.nfiles; i++) {
		select_file(i);
		if (cfg.save_model)
			save_model();
		close_files();
	}
	io_uring_queue_exit(&ring);
	return 0;
}
