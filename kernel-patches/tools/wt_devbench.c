/*
 * wt_devbench: device-level durable-write benchmark (fio cannot set
 * RWF_WRITETHROUGH).
 *
 *   wt_devbench --file PATH --mode writethrough|dsync|direct|fsync|buffered
 *               --pattern append|overwrite --bs 4096 --qd N --count N
 *
 * prints exactly one line:
 *   devbench mode=M pattern=P bs=B qd=Q ops_per_sec=X mb_per_sec=Y
 *            p50_us=.. p99_us=.. p999_us=.. fsyncs=N iou_wrk_max=N
 *
 * Modes (all io_uring except fsync):
 *   writethrough  buffered fd, rw_flags RWF_WRITETHROUGH|RWF_DSYNC
 *   dsync         buffered fd, rw_flags RWF_DSYNC
 *   direct        O_DIRECT fd, rw_flags RWF_DSYNC
 *   fsync         pwrite + fdatasync per op, QD threads (RocksDB's way)
 *   buffered      buffered fd, no durability (the upper bound)
 * overwrite pre-writes the file and fdatasyncs it first; append starts from
 * an empty file. --warmup 1 (overwrite, io_uring modes) then writes the
 * whole range once more with the mode's own flags, synchronously with
 * pwritev2() and before the ring exists, so the measured ops see the page
 * cache as the mode leaves it (a write-through splits the large folios the
 * pre-write made) and no io-wq worker of the warm-up is counted. Latency is submit-to-completion per op. iou_wrk_max is the
 * most io-wq worker threads (comm "iou-wrk-*") seen in this process while
 * the ops ran, sampled every 200 us: a truly asynchronous mode has 0.
 * Exit 77 when the mode is not supported here (EOPNOTSUPP, or EINVAL from
 * O_DIRECT); 1 on any other error, never a partial result.
 */
#include "wt_common.h"

#include <dirent.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum mode { M_WT, M_DSYNC, M_DIRECT, M_FSYNC, M_BUFFERED };
static const char *const mode_names[] = { "writethrough", "dsync", "direct",
					  "fsync", "buffered" };

static struct {
	const char *file;
	enum mode mode;
	int overwrite;
	int warmup;
	unsigned bs, qd;
	unsigned long count;
} cfg = { .mode = -1, .overwrite = -1, .bs = 4096, .qd = 1, .count = 1000 };

static uint64_t *lat_ns;
static atomic_int stop_sampler;
static atomic_int iou_wrk_max;
static atomic_ulong next_op;

static int count_iou_wrk(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], comm[64] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "iou-wrk-", 8))
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static void *sampler(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_sampler)) {
		int n = count_iou_wrk();

		if (n > atomic_load(&iou_wrk_max))
			atomic_store(&iou_wrk_max, n);
		usleep(200);
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: wt_devbench --file PATH --mode writethrough|dsync|direct|fsync|buffered\n"
		"                   --pattern append|overwrite [--bs 4096] [--qd N] [--count N]\n"
		"                   [--warmup 0|1]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			wt_die("wt_devbench: option '%s' needs a value", o);
		i++;
		if (!strcmp(o, "--file")) {
			cfg.file = v;
		} else if (!strcmp(o, "--mode")) {
			for (int m = 0; m < 5; m++)
				if (!strcmp(v, mode_names[m]))
					cfg.mode = m;
			if ((int)cfg.mode < 0)
				wt_die("wt_devbench: --mode '%s' is not one of "
				       "writethrough|dsync|direct|fsync|buffered", v);
		} else if (!strcmp(o, "--pattern")) {
			if (!strcmp(v, "append"))
				cfg.overwrite = 0;
			else if (!strcmp(v, "overwrite"))
				cfg.overwrite = 1;
			else
				wt_die("wt_devbench: --pattern '%s' is not append|overwrite", v);
		} else if (!strcmp(o, "--bs")) {
			cfg.bs = wt_parse_size("--bs", v);
		} else if (!strcmp(o, "--qd")) {
			cfg.qd = wt_parse_size("--qd", v);
		} else if (!strcmp(o, "--count")) {
			cfg.count = wt_parse_size("--count", v);
		} else if (!strcmp(o, "--warmup")) {
			cfg.warmup = wt_parse_size("--warmup", v) != 0;
		} else {
			fprintf(stderr, "wt_devbench: unknown option '%s'\n", o);
			usage();
		}
	}
	if (!cfg.file || (int)cfg.mode < 0 || cfg.overwrite < 0)
		usage();
	if (cfg.bs == 0 || cfg.bs > (64u << 20))
		wt_die("wt_devbench: --bs %u must be 1..64M", cfg.bs);
	if (cfg.qd == 0 || cfg.qd > 1024)
		wt_die("wt_devbench: --qd %u must be 1..1024", cfg.qd);
	if (cfg.count == 0)
		wt_die("wt_devbench: --count must be > 0");
	if (cfg.mode == M_DIRECT && cfg.bs % 512)
		wt_die("wt_devbench: --bs %u must be a multiple of 512 for direct", cfg.bs);
}

static void unsupported(const char *what, int err)
{
	printf("wt_devbench: mode %s unsupported here: %s: %s\n",
	       mode_names[cfg.mode], what, strerror(err));
	exit(WT_EXIT_SKIP);
}

static void *fsync_worker(void *arg)
{
	int fd = *(int *)arg;
	void *buf;

	if (posix_memalign(&buf, 4096, cfg.bs))
		wt_die("wt_devbench: out of memory");
	memset(buf, 0x5a, cfg.bs);
	for (;;) {
		unsigned long op = atomic_fetch_add(&next_op, 1);
		uint64_t t0;
		ssize_t n;

		if (op >= cfg.count)
			break;
		t0 = wt_now_ns();
		n = pwrite(fd, buf, cfg.bs, (off_t)op * cfg.bs);
		if (n != (ssize_t)cfg.bs)
			wt_die("wt_devbench: pwrite %s at %lu: %s", cfg.file,
			       op * cfg.bs, n < 0 ? strerror(errno) : "short write");
		if (fdatasync(fd))
			wt_die("wt_devbench: fdatasync %s: %s", cfg.file, strerror(errno));
		lat_ns[op] = wt_now_ns() - t0;
	}
	free(buf);
	return NULL;
}

static void warm_up(int fd, int rw_flags)
{
	void *buf;

	if (posix_memalign(&buf, 4096, cfg.bs))
		wt_die("wt_devbench: out of memory");
	memset(buf, 0x5a, cfg.bs);
	for (uint64_t i = 0; i < cfg.count; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = cfg.bs };
		ssize_t n = pwritev2(fd, &iov, 1, i * cfg.bs, rw_flags);

		if (n < 0 && errno == EOPNOTSUPP)
			unsupported("warm-up pwritev2", errno);
		if (n != (ssize_t)cfg.bs)
			wt_die("wt_devbench: warm-up pwritev2 at %llu: %s",
			       (unsigned long long)(i * cfg.bs),
			       n < 0 ? strerror(errno) : "short write");
	}
	free(buf);
}

static void run_uring(int fd, int rw_flags)
{
	struct io_uring ring;
	void **bufs = calloc(cfg.qd, sizeof(*bufs));
	uint64_t *start = calloc(cfg.count, sizeof(*start));
	unsigned *free_slots = calloc(cfg.qd, sizeof(*free_slots));
	unsigned nfree = cfg.qd, *slot_of = calloc(cfg.count, sizeof(*slot_of));
	unsigned long submitted = 0, done = 0;
	int ret;

	if (!bufs || !start || !free_slots || !slot_of)
		wt_die("wt_devbench: out of memory");
	ret = io_uring_queue_init(cfg.qd * 2, &ring, 0);
	if (ret)
		wt_die("wt_devbench: io_uring_queue_init: %s", strerror(-ret));
	for (unsigned i = 0; i < cfg.qd; i++) {
		if (posix_memalign(&bufs[i], 4096, cfg.bs))
			wt_die("wt_devbench: out of memory");
		memset(bufs[i], 0x5a, cfg.bs);
		free_slots[i] = i;
	}
	while (done < cfg.count) {
		while (nfree && submitted < cfg.count) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			unsigned slot = free_slots[--nfree];

			io_uring_prep_write(sqe, fd, bufs[slot], cfg.bs,
					    (off_t)submitted * cfg.bs);
			sqe->rw_flags = rw_flags;
			sqe->user_data = submitted;
			slot_of[submitted] = slot;
			start[submitted++] = wt_now_ns();
		}
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0)
			wt_die("wt_devbench: io_uring_submit_and_wait: %s", strerror(-ret));
		for (;;) {
			struct io_uring_cqe *cqe;
			unsigned long op;

			if (io_uring_peek_cqe(&ring, &cqe))
				break;
			op = cqe->user_data;
			if (cqe->res == -EOPNOTSUPP && done == 0)
				unsupported("io_uring write", EOPNOTSUPP);
			if (cqe->res != (int)cfg.bs)
				wt_die("wt_devbench: write %s at %lu: %s", cfg.file,
				       op * cfg.bs,
				       cqe->res < 0 ? strerror(-cqe->res) : "short write");
			lat_ns[op] = wt_now_ns() - start[op];
			free_slots[nfree++] = slot_of[op];
			io_uring_cqe_seen(&ring, cqe);
			done++;
		}
	}
	io_uring_queue_exit(&ring);
	for (unsigned i = 0; i < cfg.qd; i++)
		free(bufs[i]);
	free(bufs);
	free(start);
	free(free_slots);
	free(slot_of);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(double p)
{
	unsigned long i = (unsigned long)(p * (cfg.count - 1) + 0.5);

	return lat_ns[i] / 1000.0;
}

int main(int argc, char **argv)
{
	int flags = O_RDWR | O_CREAT, fd, rw_flags = 0;
	unsigned long fsyncs = 0;
	pthread_t samp;
	uint64_t t0, t1;
	double secs;

	parse(argc, argv);
	lat_ns = calloc(cfg.count, sizeof(*lat_ns));
	if (!lat_ns)
		wt_die("wt_devbench: out of memory");
	if (!cfg.overwrite)
		flags |= O_TRUNC;
	fd = open(cfg.file, flags, 0644);
	if (fd < 0)
		wt_die("wt_devbench: open %s: %s", cfg.file, strerror(errno));
	if (cfg.overwrite) {
		/* Written and stable blocks, so every op is a pure overwrite. */
		void *buf = calloc(1, 1 << 20);
		uint64_t len = (uint64_t)cfg.count * cfg.bs;

		for (uint64_t off = 0; off < len; off += 1 << 20) {
			size_t n = len - off < (1 << 20) ? len - off : (1 << 20);

			if (pwrite(fd, buf, n, off) != (ssize_t)n)
				wt_die("wt_devbench: prewrite %s: %s", cfg.file, strerror(errno));
		}
		if (fdatasync(fd))
			wt_die("wt_devbench: fdatasync %s: %s", cfg.file, strerror(errno));
		free(buf);
	}
	if (cfg.mode == M_DIRECT) {
		int dfd = open(cfg.file, O_RDWR | O_DIRECT);

		if (dfd < 0 && errno == EINVAL)
			unsupported("open O_DIRECT", errno);
		if (dfd < 0)
			wt_die("wt_devbench: open %s O_DIRECT: %s", cfg.file, strerror(errno));
		close(fd);
		fd = dfd;
	}
	switch (cfg.mode) {
	case M_WT: rw_flags = WT_RWF_WRITETHROUGH | RWF_DSYNC; break;
	case M_DSYNC: case M_DIRECT: rw_flags = RWF_DSYNC; break;
	default: break;
	}
	if (cfg.warmup && cfg.overwrite && rw_flags)
		warm_up(fd, rw_flags);
	pthread_create(&samp, NULL, sampler, NULL);
	t0 = wt_now_ns();
	if (cfg.mode == M_FSYNC) {
		pthread_t *th = calloc(cfg.qd, sizeof(*th));

		for (unsigned i = 0; i < cfg.qd; i++)
			pthread_create(&th[i], NULL, fsync_worker, &fd);
		for (unsigned i = 0; i < cfg.qd; i++)
			pthread_join(th[i], NULL);
		free(th);
		fsyncs = cfg.count;
	} else {
		run_uring(fd, rw_flags);
	}
	t1 = wt_now_ns();
	atomic_store(&stop_sampler, 1);
	pthread_join(samp, NULL);
	close(fd);

	secs = (t1 - t0) / 1e9;
	qsort(lat_ns, cfg.count, sizeof(*lat_ns), cmp_u64);
	printf("devbench mode=%s pattern=%s bs=%u qd=%u ops_per_sec=%.0f "
	       "mb_per_sec=%.2f p50_us=%.0f p99_us=%.0f p999_us=%.0f fsyncs=%lu "
	       "iou_wrk_max=%d\n",
	       mode_names[cfg.mode], cfg.overwrite ? "overwrite" : "append",
	       cfg.bs, cfg.qd, cfg.count / secs,
	       (double)cfg.count * cfg.bs / secs / (1 << 20), pct_us(0.50),
	       pct_us(0.99), pct_us(0.999), fsyncs, atomic_load(&iou_wrk_max));
	free(lat_ns);
	return 0;
}
