/*
 * wt_logwrites: reads and replays a dm-log-writes log (Debian does not
 * package xfstests' replay-log, so this is our own reader of the format).
 *
 *   wt_logwrites list LOGDEV
 *       one line per entry: "INDEX FLAGS SECTOR NR_SECTORS [MARK]"
 *   wt_logwrites points LOGDEV
 *       the entries a power cut can stop at usefully: FLUSH and FUA
 *       entries ("INDEX flush" / "INDEX fua") and marks ("INDEX mark TEXT")
 *   wt_logwrites replay LOGDEV TARGET FROM TO
 *       apply entries FROM..TO (inclusive, by index) to TARGET, a block
 *       device or an image file; call it with consecutive ranges to move a
 *       replica forward one durability point at a time
 *   wt_logwrites tear LOGDEV TARGET ENTRY NSECT old|zero [KEEP]
 *       a power cut in the middle of write ENTRY: apply only its first
 *       NSECT sectors to TARGET; the rest of the write keeps TARGET's old
 *       content (old), or each later sector that the write would change
 *       reads back as zeros (zero: the payload of a record whose size
 *       landed but whose data did not). The write's first KEEP sectors
 *       (default 0) are never zeroed: they hold bytes the file already had
 *       (the partial block an append rewrites), and a device that zeroes
 *       stable data is beyond any software's defence. Prints
 *       "tear ENTRY sector=S nr=N applied=A zeroed=Z"
 *
 * The log format, as the kernel target writes it (drivers/md/dm-log-writes.c):
 * sector 0 holds a super block {le64 magic, le64 version, le64 nr_entries,
 * le32 sectorsize}; from sector 1 on, each entry is one header sector
 * {le64 sector, le64 nr_sectors, le64 flags, le64 data_len} (a mark's text
 * follows the header inside that sector) followed by nr_sectors of data,
 * except for discards, which carry none. "Sectors" are of sectorsize bytes,
 * both in the log and for the target address. Entries are in completion
 * order: a FUA write is logged when it completes, other writes when the
 * next flush completes, a mark when it is sent.
 */
#include "wt_common.h"

#include <endian.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#define LOG_FLUSH 1
#define LOG_FUA 2
#define LOG_DISCARD 4
#define LOG_MARK 8
#define LOG_METADATA 16
#define LOG_MAGIC 0x6a736677736872ull

struct entry {
	uint64_t sector, nr_sectors, flags, data_len;
	char mark[512];
	uint64_t data_pos;	/* byte offset of its data in the log */
};

static int logfd;
static uint32_t sectorsize;
static uint64_t nr_entries, next_pos;

static void read_at(void *buf, size_t len, uint64_t pos)
{
	ssize_t n = pread(logfd, buf, len, pos);

	if (n != (ssize_t)len)
		wt_die("wt_logwrites: reading the log at byte %llu: %s",
		       (unsigned long long)pos, n < 0 ? strerror(errno) : "short read");
}

static void open_log(const char *path)
{
	uint8_t sb[4096];
	uint64_t magic, version;

	logfd = open(path, O_RDONLY);
	if (logfd < 0)
		wt_die("wt_logwrites: open %s: %s", path, strerror(errno));
	read_at(sb, 512, 0);
	memcpy(&magic, sb, 8);
	memcpy(&version, sb + 8, 8);
	memcpy(&nr_entries, sb + 16, 8);
	memcpy(&sectorsize, sb + 24, 4);
	magic = le64toh(magic);
	nr_entries = le64toh(nr_entries);
	sectorsize = le32toh(sectorsize);
	if (magic != LOG_MAGIC)
		wt_die("wt_logwrites: %s has no dm-log-writes super block "
		       "(magic %#llx)", path, (unsigned long long)magic);
	if (le64toh(version) != 1)
		wt_die("wt_logwrites: %s: log version %llu, only 1 is known", path,
		       (unsigned long long)le64toh(version));
	if (sectorsize < 512 || sectorsize > 4096 || (sectorsize & (sectorsize - 1)))
		wt_die("wt_logwrites: %s: bad sectorsize %u", path, sectorsize);
	next_pos = sectorsize;
}

/* Reads the next entry header; its data (if any) is at e->data_pos. */
static void next_entry(struct entry *e, uint64_t idx)
{
	uint8_t hdr[4096];
	uint64_t v[4];

	read_at(hdr, sectorsize, next_pos);
	memcpy(v, hdr, sizeof(v));
	e->sector = le64toh(v[0]);
	e->nr_sectors = le64toh(v[1]);
	e->flags = le64toh(v[2]);
	e->data_len = le64toh(v[3]);
	e->mark[0] = 0;
	if (e->flags & LOG_MARK) {
		size_t n = e->data_len < sizeof(e->mark) - 1 ? e->data_len : sizeof(e->mark) - 1;

		if (n > sectorsize - 32)
			wt_die("wt_logwrites: entry %llu: mark of %llu bytes",
			       (unsigned long long)idx, (unsigned long long)e->data_len);
		memcpy(e->mark, hdr + 32, n);
		e->mark[n] = 0;
	}
	e->data_pos = next_pos + sectorsize;
	next_pos = e->data_pos;
	if (!(e->flags & LOG_DISCARD))
		next_pos += e->nr_sectors * sectorsize;
}

static const char *flag_str(uint64_t f)
{
	static char s[64];

	s[0] = 0;
	if (f & LOG_FLUSH) strcat(s, "flush,");
	if (f & LOG_FUA) strcat(s, "fua,");
	if (f & LOG_DISCARD) strcat(s, "discard,");
	if (f & LOG_MARK) strcat(s, "mark,");
	if (f & LOG_METADATA) strcat(s, "metadata,");
	if (!s[0])
		strcpy(s, "write,");
	s[strlen(s) - 1] = 0;
	return s;
}

/* The image to write, for a command that reads the log up to entry @last. */
static int open_target(const char *target, int flags, uint64_t last)
{
	int tfd = open(target, flags);

	if (tfd < 0)
		wt_die("wt_logwrites: open %s: %s", target, strerror(errno));
	if (last >= nr_entries)
		wt_die("wt_logwrites: entry %llu out of range (log has %llu)",
		       (unsigned long long)last, (unsigned long long)nr_entries);
	return tfd;
}

static void replay(const char *target, uint64_t from, uint64_t to)
{
	int tfd = open_target(target, O_WRONLY, to);
	static uint8_t buf[1 << 20];
	struct entry e;

	for (uint64_t i = 0; i <= to; i++) {
		next_entry(&e, i);
		if (i < from || (e.flags & LOG_MARK))
			continue;
		uint64_t len = e.nr_sectors * sectorsize, dst = e.sector * sectorsize;

		if (e.flags & LOG_DISCARD) {
			/* A discarded range reads back as zeroes on our devices.
			 * On an image file punch it, so the image stays sparse
			 * and cheap to copy at every durability point. */
			if (!fallocate(tfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				       dst, len))
				continue;
			memset(buf, 0, sizeof(buf));
			for (uint64_t o = 0; o < len; o += sizeof(buf)) {
				size_t n = len - o < sizeof(buf) ? len - o : sizeof(buf);

				if (pwrite(tfd, buf, n, dst + o) != (ssize_t)n)
					wt_die("wt_logwrites: zeroing %s: %s", target, strerror(errno));
			}
			continue;
		}
		for (uint64_t o = 0; o < len; o += sizeof(buf)) {
			size_t n = len - o < sizeof(buf) ? len - o : sizeof(buf);

			read_at(buf, n, e.data_pos + o);
			if (pwrite(tfd, buf, n, dst + o) != (ssize_t)n)
				wt_die("wt_logwrites: writing %s at %llu: %s", target,
				       (unsigned long long)(dst + o), strerror(errno));
		}
	}
	if (fsync(tfd))
		wt_die("wt_logwrites: fsync %s: %s", target, strerror(errno));
	close(tfd);
}

static void tear(const char *target, uint64_t idx, uint64_t nsect, int zero,
		 uint64_t keep)
{
	int tfd = open_target(target, O_RDWR, idx);
	static uint8_t want[4096], have[4096], zeros[4096];
	uint64_t zeroed = 0;
	struct entry e;

	for (uint64_t i = 0; i <= idx; i++)
		next_entry(&e, i);
	if (e.flags & (LOG_MARK | LOG_DISCARD) || !e.nr_sectors)
		wt_die("wt_logwrites: entry %llu is not a data write",
		       (unsigned long long)idx);
	if (nsect >= e.nr_sectors)
		wt_die("wt_logwrites: entry %llu has %llu sectors: nothing to tear "
		       "after %llu", (unsigned long long)idx,
		       (unsigned long long)e.nr_sectors, (unsigned long long)nsect);
	for (uint64_t s = 0; s < e.nr_sectors; s++) {
		uint64_t dst = (e.sector + s) * sectorsize;

		read_at(want, sectorsize, e.data_pos + s * sectorsize);
		if (s >= nsect) {
			if (!zero)
				break;
			if (s < keep)
				continue;
			if (pread(tfd, have, sectorsize, dst) != (ssize_t)sectorsize)
				wt_die("wt_logwrites: reading %s at %llu: %s", target,
				       (unsigned long long)dst, strerror(errno));
			if (!memcmp(have, want, sectorsize))
				continue;
			memcpy(want, zeros, sectorsize);
			zeroed++;
		}
		if (pwrite(tfd, want, sectorsize, dst) != (ssize_t)sectorsize)
			wt_die("wt_logwrites: writing %s at %llu: %s", target,
			       (unsigned long long)dst, strerror(errno));
	}
	if (fsync(tfd))
		wt_die("wt_logwrites: fsync %s: %s", target, strerror(errno));
	close(tfd);
	printf("tear %llu sector=%llu nr=%llu applied=%llu zeroed=%llu\n",
	       (unsigned long long)idx, (unsigned long long)e.sector,
	       (unsigned long long)e.nr_sectors, (unsigned long long)nsect,
	       (unsigned long long)zeroed);
}

int main(int argc, char **argv)
{
	struct entry e;

	if (argc == 3 && (!strcmp(argv[1], "list") || !strcmp(argv[1], "points"))) {
		int points = !strcmp(argv[1], "points");

		open_log(argv[2]);
		for (uint64_t i = 0; i < nr_entries; i++) {
			next_entry(&e, i);
			if (!points)
				printf("%llu %s %llu %llu%s%s\n", (unsigned long long)i,
				       flag_str(e.flags), (unsigned long long)e.sector,
				       (unsigned long long)e.nr_sectors, e.mark[0] ? " " : "",
				       e.mark);
			else if (e.flags & LOG_MARK)
				printf("%llu mark %s\n", (unsigned long long)i, e.mark);
			else if (e.flags & (LOG_FLUSH | LOG_FUA))
				printf("%llu %s\n", (unsigned long long)i,
				       e.flags & LOG_FLUSH ? "flush" : "fua");
		}
		return 0;
	}
	if (argc == 6 && !strcmp(argv[1], "replay")) {
		open_log(argv[2]);
		replay(argv[3], wt_parse_size("FROM", argv[4]), wt_parse_size("TO", argv[5]));
		return 0;
	}
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "tear") &&
	    (!strcmp(argv[6], "old") || !strcmp(argv[6], "zero"))) {
		open_log(argv[2]);
		tear(argv[3], wt_parse_size("ENTRY", argv[4]),
		     wt_parse_size("NSECT", argv[5]), !strcmp(argv[6], "zero"),
		     argc == 8 ? wt_parse_size("KEEP", argv[7]) : 0);
		return 0;
	}
	fprintf(stderr, "usage: wt_logwrites list|points LOGDEV\n"
		"       wt_logwrites replay LOGDEV TARGET FROM TO\n"
		"       wt_logwrites tear LOGDEV TARGET ENTRY NSECT old|zero [KEEP]\n");
	return 2;
}
