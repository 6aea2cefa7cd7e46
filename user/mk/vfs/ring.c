/*
 * The byte ring under a pipe. The copies go through a callback (a grant
 * copy into the client's buffer, or memcpy in the host tests), and the
 * ring moves only by what was copied: a read whose client has gone (the
 * grant copy fails) leaves the bytes for the next reader.
 */
#include <errno.h>
#include <stdlib.h>
#include "vfs.h"

int ring_init(struct ring *rg, size_t size)
{
	rg->buf = malloc(size);
	rg->size = size;
	rg->head = rg->count = 0;
	return rg->buf ? 0 : -ENOMEM;
}

void ring_free(struct ring *rg)
{
	free(rg->buf);
	rg->buf = NULL;
}

size_t ring_space(const struct ring *rg)
{
	return rg->size - rg->count;
}

/* Copy the @n bytes at ring position @at with @fn: how many went (or -errno). */
static long copy2(struct ring *rg, size_t at, size_t n, xfer_fn fn, void *arg, size_t base)
{
	size_t first = n < rg->size - at ? n : rg->size - at;
	long err = first ? fn(arg, base, rg->buf + at, first) : 0;

	if (err < 0)
		return err;
	if (n > first && fn(arg, base + first, rg->buf, n - first) < 0)
		return (long)first;
	return (long)n;
}

long ring_get(struct ring *rg, size_t len, xfer_fn fn, void *arg, size_t base, int peek)
{
	size_t n = len < rg->count ? len : rg->count;
	long k = copy2(rg, rg->head, n, fn, arg, base);

	if (k > 0 && !peek)
		ring_drop(rg, (size_t)k);
	return k;
}

void ring_drop(struct ring *rg, size_t n)
{
	if (n > rg->count)
		n = rg->count;
	rg->head = (rg->head + n) % rg->size;
	rg->count -= n;
}

long ring_put(struct ring *rg, size_t len, xfer_fn fn, void *arg, size_t base)
{
	size_t space = ring_space(rg), n = len < space ? len : space;
	long k = copy2(rg, (rg->head + rg->count) % rg->size, n, fn, arg, base);

	if (k > 0)
		rg->count += (size_t)k;
	return k;
}
