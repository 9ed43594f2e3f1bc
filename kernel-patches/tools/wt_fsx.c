/*
 * wt_fsx: seeded, randomized file integrity test in the spirit of xfstests'
 * fsx, taught RWF_WRITETHROUGH.
 *
 *   wt_fsx --file PATH [--seed S] [--ops N] [--maxlen BYTES]
 *          [--no-writethrough] [--region OFF:LEN]
 *          [--remount-every N --dev DEV --mnt DIR [--fstype xfs]]
 *          [--drop-caches]
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
 * Exit: 0 all verified; 1 mismatch or unexpected error (with the seed, the
 * failing operation and the last operations before it); 77 when the flag is
 * requested but not supported by this kernel/filesystem.
 */
#include "wt_common.h"

#include <fcntl.h>
#include <liburing.h>
#include <linux/falloc.h>
#include <sys/mman.h>
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
} cfg = { .seed = 1, .ops = 1000, .maxlen = 256 << 10, .use_wt = 1,
	  .fstype = "xfs" };

static uint8_t *model;		/* expected contents of [0, msize) */
static uint64_t msize;		/* expected file size (whole-file mode) */
static int fd = -1, dfd = -1;	/* buffered and O_DIRECT descriptors */
static struct io_uring ring;
static uint64_t rng;
static unsigned long opno;
static char hist[HIST][160];
static int no_fallocate, no_punch, no_direct;
static uint8_t *iobuf, *rdbuf;

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
		(unsigned long long)cfg.seed, cfg.file,
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
	fd = open(cfg.file, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		fail("open %s: %s", cfg.file, strerror(errno));
	if (!no_direct) {
		dfd = open(cfg.file, O_RDWR | O_DIRECT);
		if (dfd < 0) {
			if (errno != EINVAL)
				fail("open %s O_DIRECT: %s", cfg.file, strerror(errno));
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

static void fill(uint8_t *buf, uint64_t len)
{
	/* Never a single repeated value: misplaced bytes must show. */
	uint8_t base = (uint8_t)(opno * 31 + 7);

	for (uint64_t i = 0; i < len; i++)
		buf[i] = base + (uint8_t)(i * 13) + (uint8_t)(i >> 9);
}

static void verify_range(uint64_t off, uint64_t len, const char *why)
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
	/* In region mode bytes past another process's EOF read as absent:
	 * treat them as zero, which is what they must be. */
	memset(rdbuf + done, 0, len - done);
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

static void check_write_result(long res, uint64_t len, const char *how, int flags)
{
	if (res == -EOPNOTSUPP && (flags & WT_RWF_WRITETHROUGH)) {
		printf("wt_fsx: RWF_WRITETHROUGH not supported on %s (%s): "
		       "use --no-writethrough here\n", cfg.file, how);
		exit(WT_EXIT_SKIP);
	}
	if (res != (long)len)
		fail("%s %s write of %llu: %s", how, flag_name(flags),
		     (unsigned long long)len,
		     res < 0 ? strerror(-res) : "short write");
}

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
	check_write_result(n < 0 ? -errno : n, len, "pwritev2", flags);
	model_write(off, iobuf, len);
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
	/* Appends in one batch may land in any order: the model applies
	 * them all, so the file must end up the same either way. */
	bufoff = 0;
	for (int i = 0; i < n; i++) {
		if (!lens[i])
			continue;
		model_write(offs[i], iobuf + bufoff, lens[i]);
		bufoff += lens[i];
	}
	for (int i = 0; i < got; i++) {
		struct io_uring_cqe *cqe;
		int ret = io_uring_wait_cqe(&ring, &cqe);

		if (ret)
			fail("io_uring_wait_cqe: %s", strerror(-ret));
		check_write_result(cqe->res, lens[cqe->user_data], "io_uring", flags);
		io_uring_cqe_seen(&ring, cqe);
	}
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
	if (n != (ssize_t)len)
		fail("O_DIRECT write: %s", n < 0 ? strerror(errno) : "short");
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
	if (ftruncate(fd, size))
		fail("ftruncate %llu: %s", (unsigned long long)size, strerror(errno));
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

static void remount(void)
{
	note("remount %s", cfg.mnt);
	close_files();
	if (umount(cfg.mnt))
		fail("umount %s: %s", cfg.mnt, strerror(errno));
	if (mount(cfg.dev, cfg.mnt, cfg.fstype, 0, NULL))
		fail("mount %s on %s: %s", cfg.dev, cfg.mnt, strerror(errno));
	open_files();
	verify_all("after remount");
}

static void usage(void)
{
	fprintf(stderr, "usage: wt_fsx --file PATH [--seed S] [--ops N] [--maxlen BYTES]\n"
		"              [--no-writethrough] [--region OFF:LEN] [--drop-caches]\n"
		"              [--remount-every N --dev DEV --mnt DIR [--fstype T]]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--no-writethrough")) { cfg.use_wt = 0; continue; }
		if (!strcmp(o, "--drop-caches")) { cfg.drop_caches = 1; continue; }
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
}

int main(int argc, char **argv)
{
	int ret;

	parse(argc, argv);
	rng = cfg.seed;
	model = calloc(1, cfg.maxlen + 1);
	if (posix_memalign((void **)&iobuf, BLK, 256 << 10) ||
	    posix_memalign((void **)&rdbuf, BLK, cfg.maxlen + BLK) || !model)
		wt_die("wt_fsx: out of memory");
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		wt_die("wt_fsx: io_uring_queue_init: %s", strerror(-ret));

	if (!cfg.region) {
		unlink(cfg.file);
		open_files();
	} else {
		/* Other processes own the rest of the file: grow it to cover our
		 * region without ever shrinking it, and start from zeros. */
		open_files();
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
		switch (rnd(20)) {
		case 0 ... 5: op_pwritev2(); break;
		case 6 ... 8: op_uring(); break;
		case 9: op_direct_write(); break;
		case 10: op_direct_read(); break;
		case 11 ... 12: op_mmap_write(); break;
		case 13: op_truncate(); break;
		case 14: op_fallocate(); break;
		case 15: op_punch(); break;
		case 16 ... 17: op_read(); break;
		case 18: op_sync(); break;
		case 19: op_drop_caches(); break;
		}
		verify_all("after op");
		if (cfg.remount_every && (opno + 1) % cfg.remount_every == 0)
			remount();
	}
	if (cfg.remount_every)
		remount();
	printf("wt_fsx: %lu ops verified (seed %llu, %s, final size %llu%s)\n",
	       cfg.ops, (unsigned long long)cfg.seed,
	       cfg.use_wt ? "writethrough" : "no-writethrough",
	       (unsigned long long)(cfg.region ? cfg.region_len : msize),
	       cfg.remount_every ? ", remounted" : "");
	close_files();
	io_uring_queue_exit(&ring);
	return 0;
}
