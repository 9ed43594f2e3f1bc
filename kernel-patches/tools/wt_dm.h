/* Sending a message to a device-mapper target without dmsetup: the tests
 * mark a dm-log-writes log after every acknowledged write, and a process
 * per mark would change the timing being tested. */
#ifndef WT_DM_H
#define WT_DM_H

#include "wt_common.h"

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* `dmsetup message DMNAME 0 mark TEXT`; returns 0 or -errno. TEXT must be
 * one word: log-writes refuses a mark with more arguments (EINVAL). */
static inline int wt_dm_mark(const char *dmname, const char *text)
{
	union {
		struct dm_ioctl io;
		char buf[4096];
	} u;
	struct dm_target_msg *msg;
	int fd, ret;

	memset(&u, 0, sizeof(u));
	u.io.version[0] = DM_VERSION_MAJOR;
	u.io.data_size = sizeof(u);
	u.io.data_start = sizeof(struct dm_ioctl);
	snprintf(u.io.name, sizeof(u.io.name), "%s", dmname);
	msg = (struct dm_target_msg *)(u.buf + u.io.data_start);
	msg->sector = 0;
	snprintf(msg->message, sizeof(u) - u.io.data_start - sizeof(*msg),
		 "mark %s", text);
	fd = open("/dev/mapper/control", O_RDWR);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, DM_TARGET_MSG, &u) ? -errno : 0;
	close(fd);
	return ret;
}

#endif
