/*
 * memdev's protocol: how vfs reaches /dev/null, /dev/zero and /dev/full,
 * which memdev serves (docs/microkernel.md). vfs calls memdev while it
 * works on a client's read or write, so memdev can reach that client's
 * buffer through its grant (user/mk/mk.h): a read of /dev/zero writes the
 * zeros straight into the client's memory. The label of an answer is the
 * byte count or a negative errno.
 */
#ifndef BASALT_MEMDEV_PROTO_H
#define BASALT_MEMDEV_PROTO_H

#include <stdint.h>

/* The devices, by their Linux minor numbers (major 1). */
#define MEMDEV_NULL	3
#define MEMDEV_ZERO	5
#define MEMDEV_FULL	7

/* w1 of a READ that wants its bytes in the answer's long part. */
#define MEMDEV_NO_GRANT	((uint64_t)-1)

enum memdev_op {
	/*
	 * w0 minor, w1 grant (or MEMDEV_NO_GRANT), w2 offset in the grant,
	 * w3 count (at most 64 KiB) -> count; the bytes go into the grant,
	 * or into the long part.
	 */
	MEMDEV_READ = 1,
	/* w0 minor, w3 count -> count consumed, or -ENOSPC (/dev/full). */
	MEMDEV_WRITE,
};

#endif
