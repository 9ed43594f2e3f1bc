/*
 * wt_io: single I/O operations for the VM shell tests, because xfs_io and
 * dd cannot set RWF_WRITETHROUGH.
 *
 *   wt_io write FILE OFF LEN BYTE [--flags wt,dsync,nowait] [--uring]
 *       Write LEN bytes of value BYTE at OFF with pwritev2 (or one io_uring
 *       write). Prints "res=N" (bytes, or -errno) and exits 0 only when
 *       all LEN bytes were written.
 *   wt_io verify FILE OFF LEN BYTE [--direct]
 *       Read the range (O_DIRECT with --direct; then OFF/LEN must be
 *       4096-aligned) and exit 0 only if every byte is BYTE.
 *   wt_io fsync FILE
 *       fsync; prints "res=0" or "res=-errno", exits 0 only on success.
 *   wt_io fsync-race FILE LEN ITERS MIN_WAIT_MS
 *       ITERS times: an io_uring RWF_WRITETHROUGH write of LEN bytes at 0,
 *       then at once, while it is in flight, fsync on a second descriptor
 *       opened before the write. When the write fails, an fsync that waited
 *       on its I/O (took at least MIN_WAIT_MS: the device delays every
 *       bio) must fail too. Prints the counts; exits 0 only if no fsync
 *       that waited returned 0 for a failed write.
 *   wt_io dm-mark DMNAME TEXT
 *       Send "mark TEXT" to a dm-log-writes device (the message `dmsetup
 *       message DMNAME 0 mark TEXT` sends, without a process per mark).
 */
#include "wt_common.h"
#include "wt_dm.h"

#include <fcntl.h>
#include <liburing.h>
#include <sys/uio.h>
#include <unistd.h>

static int cmd_write(int argc, char **argv)
{
	const char *file = argv[0];
	uint64_t off = wt_parse_size("OFF", argv[1]), len = wt_parse_size("LEN", argv[2]);
	int byte = (int)wt_parse_size("BYTE", argv[3]), flags = 0, uring = 0, fd;
	long res;
	void *buf;

	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--uring"))
			uring = 1;
		else if (!strcmp(argv[i], "--flags") && i + 1 < argc)
			flags = wt_parse_rwflags(argv[++i]);
		else
			wt_die("wt_io write: unknown argument '%s'", argv[i]);
	}
	if (posix_memalign(&buf, 4096, len ? len : 1))
		wt_die("wt_io: out of memory");
	memset(buf, byte, len);
	fd = open(file, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		wt_die("wt_io write: open %s: %s", file, strerror(errno));
	if (uring) {
		struct io_uring ring;
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		int ret = io_uring_queue_init(2, &ring, 0);

		if (ret)
			wt_die("wt_io: io_uring_queue_init: %s", strerror(-ret));
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_write(sqe, fd, buf, len, off);
		sqe->rw_flags = flags;
		io_uring_submit(&ring);
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret)
			wt_die("wt_io: io_uring_wait_cqe: %s", strerror(-ret));
		res = cqe->res;
		io_uring_queue_exit(&ring);
	} else {
		struct iovec iov = { buf, len };
		ssize_t n = pwritev2(fd, &iov, 1, off, flags);

		res = n < 0 ? -errno : n;
	}
	printf("res=%ld%s%s\n", res, res < 0 ? " " : "", res < 0 ? strerror(-res) : "");
	close(fd);
	return res == (long)len ? 0 : 1;
}

static int cmd_verify(int argc, char **argv)
{
	const char *file = argv[0];
	uint64_t off = wt_parse_size("OFF", argv[1]), len = wt_parse_size("LEN", argv[2]);
	int byte = (int)wt_parse_size("BYTE", argv[3]), direct = 0, fd;
	uint8_t *buf;
	ssize_t n;

	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--direct"))
			direct = 1;
		else
			wt_die("wt_io verify: unknown argument '%s'", argv[i]);
	}
	if (direct && ((off | len) & 4095))
		wt_die("wt_io verify --direct: OFF %llu and LEN %llu must be 4096-aligned",
		       (unsigned long long)off, (unsigned long long)len);
	if (posix_memalign((void **)&buf, 4096, len ? len : 1))
		wt_die("wt_io: out of memory");
	fd = open(file, O_RDONLY | (direct ? O_DIRECT : 0));
	if (fd < 0)
		wt_die("wt_io verify: open %s: %s", file, strerror(errno));
	n = pread(fd, buf, len, off);
	if (n != (ssize_t)len) {
		printf("verify: read %zd of %llu bytes: %s\n", n, (unsigned long long)len,
		       n < 0 ? strerror(errno) : "short");
		return 1;
	}
	for (uint64_t i = 0; i < len; i++)
		if (buf[i] != byte) {
			printf("verify: byte at %llu is 0x%02x, expected 0x%02x\n",
			       (unsigned long long)(off + i), buf[i], byte);
			return 1;
		}
	printf("verify: %llu bytes of 0x%02x at %llu ok%s\n", (unsigned long long)len,
	       byte, (unsigned long long)off, direct ? " (O_DIRECT)" : "");
	return 0;
}

static int cmd_fsync(char **argv)
{
	int fd = open(argv[0], O_RDWR);
	int res;

	if (fd < 0)
		wt_die("wt_io fsync: open %s: %s", argv[0], strerror(errno));
	res = fsync(fd) ? -errno : 0;
	printf("res=%d%s%s\n", res, res ? " " : "", res ? strerror(-res) : "");
	return res ? 1 : 0;
}

/*
 * The write's I/O is delayed by dm-delay over dm-error, so the fsync below
 * finds its folios under writeback and sleeps until the completion ends it.
 * The error must already be recorded in the mapping by then: an fsync woken
 * by the end of writeback that checks before the error is set returns 0
 * although the disk holds the old data.
 */
static int cmd_fsync_race(char **argv)
{
	const char *file = argv[0];
	uint64_t len = wt_parse_size("LEN", argv[1]), iters = wt_parse_size("ITERS", argv[2]);
	uint64_t min_wait_ns = wt_parse_size("MIN_WAIT_MS", argv[3]) * 1000000;
	uint64_t failed = 0, waited = 0, lost = 0, ok = 0;
	struct io_uring ring;
	void *buf;
	int ret = io_uring_queue_init(2, &ring, 0);

	if (ret)
		wt_die("wt_io: io_uring_queue_init: %s", strerror(-ret));
	if (posix_memalign(&buf, 4096, len ? len : 1))
		wt_die("wt_io: out of memory");
	for (uint64_t i = 0; i < iters; i++) {
		int wfd = open(file, O_RDWR), sfd = open(file, O_RDWR);
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;
		uint64_t t0, t1;
		int sync_res;

		if (wfd < 0 || sfd < 0)
			wt_die("wt_io fsync-race: open %s: %s", file, strerror(errno));
		memset(buf, (int)(0x40 + i % 64), len);
		io_uring_prep_write(sqe, wfd, buf, len, 0);
		sqe->rw_flags = WT_RWF_WRITETHROUGH;
		t0 = wt_now_ns();
		io_uring_submit(&ring);
		sync_res = fsync(sfd) ? -errno : 0;
		t1 = wt_now_ns();
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret)
			wt_die("wt_io: io_uring_wait_cqe: %s", strerror(-ret));
		if (cqe->res >= 0) {
			ok++;
		} else {
			failed++;
			if (t1 - t0 >= min_wait_ns) {
				waited++;
				if (!sync_res) {
					lost++;
					printf("iteration %llu: write res=%d, the fsync that waited %llu ms on it returned 0\n",
					       (unsigned long long)i, cqe->res,
					       (unsigned long long)((t1 - t0) / 1000000));
				}
			}
		}
		io_uring_cqe_seen(&ring, cqe);
		close(sfd);
		close(wfd);
	}
	io_uring_queue_exit(&ring);
	printf("fsync-race: %llu writes, %llu failed, %llu fsyncs waited on a failed write, %llu of them returned 0, %llu writes succeeded\n",
	       (unsigned long long)iters, (unsigned long long)failed,
	       (unsigned long long)waited, (unsigned long long)lost,
	       (unsigned long long)ok);
	return lost ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "write"))
		return cmd_write(argc - 2, argv + 2);
	if (argc >= 6 && !strcmp(argv[1], "verify"))
		return cmd_verify(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "fsync"))
		return cmd_fsync(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "fsync-race"))
		return cmd_fsync_race(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "dm-mark")) {
		int ret = wt_dm_mark(argv[2], argv[3]);

		if (ret)
			wt_die("wt_io dm-mark %s: %s", argv[2], strerror(-ret));
		return 0;
	}
	fprintf(stderr, "usage: wt_io write FILE OFF LEN BYTE [--flags wt,dsync,nowait] [--uring]\n"
		"       wt_io verify FILE OFF LEN BYTE [--direct]\n"
		"       wt_io fsync FILE\n"
		"       wt_io fsync-race FILE LEN ITERS MIN_WAIT_MS\n"
		"       wt_io dm-mark DMNAME TEXT\n");
	return 2;
}
