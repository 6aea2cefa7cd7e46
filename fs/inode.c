/*
 * Inodes: allocation, reference counts and the attributes the VFS reads
 * (stat, timestamps). An inode is freed when its last reference goes; a
 * file system that keeps data behind inode->priv frees it in iops->evict.
 * A file system's own directory entries count as references, so an
 * unlinked file lives exactly as long as someone still has it open.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "mm/mm.h"

static uint64_t anon_next_ino = 1;

/* A new inode with one reference, owned by the caller (fsuid/fsgid, now). */
struct inode *inode_alloc(struct super_block *sb, uint32_t mode)
{
	const struct cred *cred = current_cred();
	struct inode *ino = kzalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	ino->ino = sb ? sb->next_ino++ : anon_next_ino++;
	ino->mode = mode;
	ino->uid = cred->euid;
	ino->gid = cred->egid;
	ino->nlink = 1;
	ino->refcount = 1;
	ino->sb = sb;
	vfs_timestamp(&ino->atime);
	ino->mtime = ino->atime;
	ino->ctime = ino->atime;
	return ino;
}

void inode_get(struct inode *ino)
{
	ino->refcount++;
}

void inode_put(struct inode *ino)
{
	if (!ino)
		return;
	if (WARN_ON(ino->refcount <= 0))
		return;
	if (--ino->refcount > 0)
		return;
	if (ino->iops && ino->iops->evict)
		ino->iops->evict(ino);
	kfree(ino);
}

/* The wall clock (kernel/time.c), when the kernel has one. */
extern uint64_t ktime_real_ns(void) __attribute__((weak));

/* The current time for timestamps: the wall clock, else the time since boot. */
void vfs_timestamp(struct timespec64 *ts)
{
	uint64_t ns = ktime_real_ns ? ktime_real_ns() : ktime_ns();

	ts->sec = (int64_t)(ns / 1000000000ULL);
	ts->nsec = (int64_t)(ns % 1000000000ULL);
}

int vfs_stat_inode(struct inode *ino, struct kstat *st)
{
	*st = (struct kstat){
		.st_dev = ino->sb ? ino->sb->dev : 0,
		.st_ino = ino->ino,
		.st_nlink = ino->nlink,
		.st_mode = ino->mode,
		.st_uid = ino->uid,
		.st_gid = ino->gid,
		.st_rdev = ino->rdev,
		.st_size = (int64_t)ino->size,
		.st_blksize = PAGE_SIZE,
		.st_blocks = (int64_t)(ALIGN_UP(ino->size, PAGE_SIZE) / 512),
		.st_atim = ino->atime,
		.st_mtim = ino->mtime,
		.st_ctim = ino->ctime,
	};
	if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode) && !S_ISLNK(ino->mode))
		st->st_blocks = 0;
	return 0;
}

int vfs_may_exec(struct file *f)
{
	if (!S_ISREG(f->inode->mode))
		return -EACCES;
	return inode_permission(f->inode, MAY_EXEC, 0);
}
