/*
 * wt_durability: the workload and the oracle of the dm-log-writes
 * power-cut test (tests/vm/durability.sh).
 *
 *   wt_durability write FILE --records N [--qd Q] [--dm NAME] [--flags F]
 *       Phase 1 appends N 4 KiB records (each extends the file, so its
 *       durability needs a log force) with io_uring at queue depth Q;
 *       phase 2 overwrites all of them with version 2 using synchronous
 *       pwritev2 (pure overwrites: FUA, no log force); phase 3 appends
 *       N/2 unaligned 1000-byte records into a second region with
 *       io_uring. Every acknowledged write is followed by the dm-log-writes
 *       mark "ack:K:V" (record K, version V), so the log says which
 *       writes the application had been promised were durable at each
 *       point. F is the rw_flags (default wt,dsync; "dsync" runs the same
 *       workload on plain buffered O_DSYNC, for comparison).
 *   wt_durability verify FILE ACKED
 *       ACKED has lines "K V": record K must be readable with version V
 *       or newer (a newer write may already have reached the disk before
 *       its acknowledgement). Exit 0 when all are, 1 naming the first that
 *       is not.
 *
 * Records: 4 KiB blocks at K*4096 for K < N, then 1000-byte records packed
 * from the first MiB boundary after them, at least 1 MiB (record N+j at
 * base + j*1000). Each holds a header
 * {magic, K, V, checksum} and a body derived from (K, V), so a torn or
 * stale record is detected, not just a missing one.
 */
#include "wt_common.h"
#include "wt_dm.h"

#include <fcntl.h>
#include <liburing.h>
#include <sys/uio.h>
#include <unistd.h>

#define REC_MAGIC 0x57545245434f5244ull /* "WTRECORD" */
#define SMALL_LEN 1000
#define MAX_RECORDS 8000	/* 2.5 x 8000 = 20,000 acknowledged writes */

struct rec_hdr {
	uint64_t magic, k, v, sum;
};

/* Where the small records start: past the 4 KiB ones, on a MiB boundary
 * (1 MiB for N <= 256, the layout of the original 30-write test). */
static uint64_t small_base(uint64_t n) { return ((n * 4096 + (1 << 20) - 1) >> 20 << 20) ?: 1 << 20; }
static uint64_t rec_off(uint64_t k, uint64_t n) { return k < n ? k * 4096 : small_base(n) + (k - n) * SMALL_LEN; }
static size_t rec_len(uint64_t k, uint64_t n) { return k < n ? 4096 : SMALL_LEN; }

static uint64_t body_sum(const uint8_t *b, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = sizeof(struct rec_hdr); i < len; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static void make_rec(uint8_t *b, size_t len, uint64_t k, uint64_t v)
{
	struct rec_hdr h = { REC_MAGIC, k, v, 0 };

	for (size_t i = sizeof(h); i < len; i++)
		b[i] = (uint8_t)(k * 7 + v * 131 + i);
	h.sum = body_sum(b, len);
	memcpy(b, &h, sizeof(h));
}

static const char *dmname;
static unsigned long nrec;

static void acked(uint64_t k, uint64_t v)
{
	char text[64];
	int ret;

	if (!dmname)
		return;
	/* One word: log-writes takes exactly one argument after "mark". */
	snprintf(text, sizeof(text), "ack:%llu:%llu", (unsigned long long)k,
		 (unsigned long long)v);
	ret = wt_dm_mark(dmname, text);
	if (ret)
		wt_die("wt_durability: mark '%s' on %s: %s", text, dmname, strerror(-ret));
}

static void uring_phase(int fd, struct io_uring *ring, uint64_t first,
			uint64_t last, uint64_t v, unsigned qd, int flags)
{
	uint8_t *bufs;
	uint64_t next = first, done = first;
	unsigned inflight = 0;

	if (posix_memalign((void **)&bufs, 4096, (size_t)qd * 4096))
		wt_die("wt_durability: out of memory");
	while (done < last) {
		while (inflight < qd && next < last) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
			uint8_t *b = bufs + (next % qd) * 4096;

			make_rec(b, rec_len(next, nrec), next, v);
			io_uring_prep_write(sqe, fd, b, rec_len(next, nrec), rec_off(next, nrec));
			sqe->rw_flags = flags;
			sqe->user_data = next++;
			inflight++;
		}
		io_uring_submit(ring);
		struct io_uring_cqe *cqe;
		int ret = io_uring_wait_cqe(ring, &cqe);

		if (ret)
			wt_die("wt_durability: io_uring_wait_cqe: %s", strerror(-ret));
		uint64_t k = cqe->user_data;

		if (cqe->res != (int)rec_len(k, nrec))
			wt_die("wt_durability: record %llu v%llu: %s", (unsigned long long)k,
			       (unsigned long long)v,
			       cqe->res < 0 ? strerror(-cqe->res) : "short write");
		io_uring_cqe_seen(ring, cqe);
		acked(k, v);
		inflight--;
		done++;
	}
	free(bufs);
}

static int cmd_write(int argc, char **argv)
{
	const char *file = argv[0];
	unsigned qd = 8;
	int flags = WT_RWF_WRITETHROUGH | RWF_DSYNC, fd, dirfd;
	struct io_uring ring;
	uint8_t *b;
	char *dir, *slash;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			wt_die("wt_durability write: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "--records")) nrec = wt_parse_size("--records", argv[++i]);
		else if (!strcmp(argv[i], "--qd")) qd = wt_parse_size("--qd", argv[++i]);
		else if (!strcmp(argv[i], "--dm")) dmname = argv[++i];
		else if (!strcmp(argv[i], "--flags")) flags = wt_parse_rwflags(argv[++i]);
		else wt_die("wt_durability write: unknown option '%s'", argv[i]);
	}
	if (nrec == 0 || nrec > MAX_RECORDS || qd == 0 || qd > 64)
		wt_die("wt_durability write: --records must be 1..%d and --qd 1..64", MAX_RECORDS);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		wt_die("wt_durability: open %s: %s", file, strerror(errno));
	/* The file itself must survive, or nothing can be checked. */
	dir = strdup(file);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	dirfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
	if (fsync(fd) || dirfd < 0 || fsync(dirfd))
		wt_die("wt_durability: fsync %s and its directory: %s", file, strerror(errno));
	close(dirfd);
	if (dmname && wt_dm_mark(dmname, "start"))
		wt_die("wt_durability: cannot mark %s (is it a log-writes device?)", dmname);
	if (io_uring_queue_init(qd * 2, &ring, 0))
		wt_die("wt_durability: io_uring_queue_init failed");

	uring_phase(fd, &ring, 0, nrec, 1, qd, flags);
	if (posix_memalign((void **)&b, 4096, 4096))
		wt_die("wt_durability: out of memory");
	for (uint64_t k = 0; k < nrec; k++) {
		struct iovec iov = { b, 4096 };
		ssize_t n;

		make_rec(b, 4096, k, 2);
		n = pwritev2(fd, &iov, 1, rec_off(k, nrec), flags);
		if (n != 4096)
			wt_die("wt_durability: record %llu v2: %s", (unsigned long long)k,
			       n < 0 ? strerror(errno) : "short write");
		acked(k, 2);
	}
	uring_phase(fd, &ring, nrec, nrec + nrec / 2, 1, qd, flags);
	if (dmname && wt_dm_mark(dmname, "end"))
		wt_die("wt_durability: cannot mark end on %s", dmname);
	io_uring_queue_exit(&ring);
	close(fd);
	printf("wt_durability: %lu records written and acknowledged\n", nrec + nrec / 2);
	return 0;
}

static int cmd_verify(char **argv)
{
	FILE *acks = fopen(argv[1], "r");
	int fd = open(argv[0], O_RDONLY);
	unsigned long long k, v, checked = 0;
	uint8_t b[4096];

	if (!acks || fd < 0)
		wt_die("wt_durability verify: open %s / %s: %s", argv[0], argv[1], strerror(errno));
	/* The layout depends on the writer's N (small records start after
	 * the 4 KiB ones), passed as the first line "n N". */
	if (fscanf(acks, "n %lu", &nrec) != 1)
		wt_die("wt_durability verify: %s must start with 'n N'", argv[1]);
	while (fscanf(acks, "%llu %llu", &k, &v) == 2) {
		size_t len = rec_len(k, nrec);
		ssize_t n = pread(fd, b, len, rec_off(k, nrec));
		struct rec_hdr h;

		memset(&h, 0, sizeof(h));
		if (n == (ssize_t)len)
			memcpy(&h, b, sizeof(h));
		if (n != (ssize_t)len || h.magic != REC_MAGIC || h.k != k ||
		    h.sum != body_sum(b, len) || h.v < v) {
			printf("LOST: record %llu (acknowledged v%llu) at offset %llu: %s\n",
			       k, v, (unsigned long long)rec_off(k, nrec),
			       n != (ssize_t)len ? "beyond EOF" :
			       h.magic != REC_MAGIC ? "no record there" :
			       h.k != k ? "another record's data" :
			       h.sum != body_sum(b, len) ? "torn" : "older version");
			return 1;
		}
		checked++;
	}
	printf("verified %llu acknowledged records\n", checked);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "write"))
		return cmd_write(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "verify"))
		return cmd_verify(argv + 2);
	fprintf(stderr, "usage: wt_durability write FILE --records N [--qd Q] [--dm NAME] [--flags F]\n"
		"       wt_durability verify FILE ACKED\n");
	return 2;
}
