/*
 * Scatter lists, with Linux's names: a buffer made of pieces of kernel
 * memory (each contiguous in the direct map), handed to a DMA engine such
 * as a virtqueue as one request. A list is an array whose last entry is
 * marked; sg_next() walks it. Only the buffer forms exist here (no pages):
 * sg_init_one(), sg_init_table() + sg_set_buf().
 */
#ifndef BASALT_LIB_SCATTERLIST_H
#define BASALT_LIB_SCATTERLIST_H

#include <stddef.h>
#include <stdint.h>
#include "lib/string.h"

#define SG_END		0x1	/* the last entry of its list */

struct scatterlist {
	void *buf;		/* kernel virtual address */
	unsigned int length;
	unsigned int flags;	/* SG_END */
	uint64_t dma_address;	/* set by whoever maps it for a device */
};

/* Zero @nents entries and mark the last one as the end. */
static inline void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, sizeof(*sgl) * nents);
	if (nents)
		sgl[nents - 1].flags = SG_END;
}

/* Point @sg at @len bytes at @buf (its end mark is kept). */
static inline void sg_set_buf(struct scatterlist *sg, const void *buf, unsigned int len)
{
	sg->buf = (void *)buf;
	sg->length = len;
}

/* A list of one entry covering @buf. */
static inline void sg_init_one(struct scatterlist *sg, const void *buf, unsigned int len)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, len);
}

static inline void sg_mark_end(struct scatterlist *sg)
{
	sg->flags |= SG_END;
}

static inline int sg_is_last(const struct scatterlist *sg)
{
	return sg->flags & SG_END;
}

/* The entry after @sg, or NULL at the end of the list. */
static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	return sg_is_last(sg) ? NULL : sg + 1;
}

static inline void *sg_virt(const struct scatterlist *sg)
{
	return sg->buf;
}

#define for_each_sg(sglist, sg, nr, i)                                        \
	for ((i) = 0, (sg) = (sglist); (i) < (nr) && (sg); (i)++, (sg) = sg_next(sg))

#endif
