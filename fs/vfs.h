/*
 * The virtual file system: inodes (files, directories, symlinks, devices,
 * pipes), dentries (names in the tree, for path walks, "..", mounts and
 * getcwd), open files, and per-process file tables and working
 * directories. File systems plug in with struct fs_type, inode_ops and
 * file_ops; data moves through file_ops in *kernel* buffers (the syscall
 * layer copies to and from user memory), which keeps file systems free of
 * user pointers and testable on the host.
 */
#ifndef FS_VFS_H
#define FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/uaccess.h>
#include "kernel/kernel.h"
#include "lib/list.h"

/* mode bits (Linux values) */
#define S_IFMT		0170000
#define S_IFSOCK	0140000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFBLK		0060000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define S_ISUID		04000
#define S_ISGID		02000
#define S_ISVTX		01000
#define S_ISDIR(m)	(((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m)	(((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m)	(((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m)	(((m) & S_IFMT) == S_IFCHR)
#define S_ISFIFO(m)	(((m) & S_IFMT) == S_IFIFO)
#define S_ISBLK(m)	(((m) & S_IFMT) == S_IFBLK)
#define S_ISSOCK(m)	(((m) & S_IFMT) == S_IFSOCK)

/* device numbers in Linux's 32-bit encoding (what mknod and st_rdev carry) */
#define MKDEV(ma, mi)	((((mi) & 0xffU) | (((ma) & 0xfffU) << 8) | (((mi) & ~0xffU) << 12)))
#define MAJOR(dev)	(((dev) >> 8) & 0xfffU)
#define MINOR(dev)	(((dev) & 0xffU) | (((dev) >> 12) & 0xfff00U))

/* open flags (Linux x86-64 values) */
#define O_ACCMODE	00000003
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002
#define O_CREAT		00000100
#define O_EXCL		00000200
#define O_NOCTTY	00000400
#define O_TRUNC		00001000
#define O_APPEND	00002000
#define O_NONBLOCK	00004000
#define O_DIRECTORY	00200000
#define O_NOFOLLOW	00400000
#define O_CLOEXEC	02000000
#define O_PATH		010000000
#define O_LARGEFILE	00100000

#define AT_FDCWD		(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_REMOVEDIR		0x200
#define AT_SYMLINK_FOLLOW	0x400
#define AT_EMPTY_PATH		0x1000

#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

#define POLLIN		0x001
#define POLLPRI		0x002
#define POLLOUT		0x004
#define POLLERR		0x008
#define POLLHUP		0x010
#define POLLNVAL	0x020

#define NAME_MAX	255
#define PATH_MAX	4096
#define MAX_FDS		1024

struct inode;
struct dentry;
struct pipe;
struct file;
struct super_block;
struct poll_table;
struct wait_queue;

struct timespec64 {
	int64_t sec;
	int64_t nsec;
};

/* Linux's struct stat for x86-64 (what newfstatat/fstat return). */
struct kstat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	struct timespec64 st_atim, st_mtim, st_ctim;
	int64_t reserved[3];
};

/* What a setattr call changes (struct iattr's valid bits). */
#define ATTR_MODE	0x01
#define ATTR_UID	0x02
#define ATTR_GID	0x04
#define ATTR_ATIME	0x08
#define ATTR_MTIME	0x10
#define ATTR_CTIME	0x20

struct iattr {
	unsigned int valid;	/* ATTR_* */
	uint32_t mode;		/* the whole mode, file type bits included */
	uint32_t uid, gid;
	struct timespec64 atime, mtime, ctime;
};

struct inode_ops {
	/* Find @name in directory @dir; 0 and *out (a new reference) or -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	int (*create)(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, size_t len, uint32_t mode);
	int (*mknod)(struct inode *dir, const char *name, size_t len, uint32_t mode,
		     uint32_t rdev);
	int (*unlink)(struct inode *dir, const char *name, size_t len);
	int (*rmdir)(struct inode *dir, const char *name, size_t len);
	int (*rename)(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		      const char *nname, size_t nlen);
	int (*symlink)(struct inode *dir, const char *name, size_t len, const char *target);
	int (*link)(struct inode *dir, const char *name, size_t len, struct inode *target);
	/* Copy the symlink target (not NUL-terminated); returns its length. */
	int (*readlink)(struct inode *ino, char *buf, size_t size);
	int (*truncate)(struct inode *ino, uint64_t size);
	/* The last reference is gone: free the file system's data. */
	void (*evict)(struct inode *ino);
	/* Is a cached name for @ino still valid? (procfs: does the process live?) */
	bool (*revalidate)(struct inode *ino);
	/*
	 * Optional: store the changes @ia names (chmod, chown, utimensat) in
	 * the file system before the VFS copies them into @ino; an error
	 * leaves @ino as it was. Without it the inode alone changes.
	 */
	int (*setattr)(struct inode *ino, const struct iattr *ia);
};

struct dirent_sink;
/* Called by readdir for each entry; returns nonzero when the sink is full. */
typedef int (*filldir_t)(struct dirent_sink *sink, const char *name, size_t len,
			 uint64_t ino, unsigned int type, uint64_t next_pos);

struct file_ops {
	int (*open)(struct inode *ino, struct file *f);
	void (*release)(struct inode *ino, struct file *f);
	/* Return bytes moved, 0 at end of file, or -errno. May sleep. */
	long (*read)(struct file *f, char *buf, size_t n, uint64_t *pos);
	long (*write)(struct file *f, const char *buf, size_t n, uint64_t *pos);
	/*
	 * Optional: take the user pointer as it is, for drivers that never look
	 * at the data (/dev/null): the write then costs no copy at all.
	 */
	long (*write_user)(struct file *f, const char __user *ubuf, size_t n, uint64_t *pos);
	/* @arg may be a user pointer: use the uaccess helpers. */
	long (*ioctl)(struct file *f, unsigned int cmd, unsigned long arg);
	/* Current readiness (POLLIN...); register on wait queues via poll_wait. */
	unsigned int (*poll)(struct file *f, struct poll_table *pt);
	/* Emit entries from f->pos on; update f->pos. */
	int (*readdir)(struct file *f, struct dirent_sink *sink, filldir_t fill);
	long (*llseek)(struct file *f, int64_t off, int whence);
	/* Write the file's data (and attributes unless @datasync) to its device. */
	int (*fsync)(struct file *f, int datasync);
};

struct inode {
	uint64_t ino;
	uint32_t mode;
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t size;
	uint32_t rdev;
	struct timespec64 atime, mtime, ctime;
	const struct inode_ops *iops;
	const struct file_ops *fops;
	struct super_block *sb;
	void *priv;		/* file system's own data */
	int refcount;
	struct pipe *pipe;	/* FIFOs and pipes: the buffer while open */
};

struct super_block {
	const struct fs_type *type;
	struct inode *root;
	uint64_t dev;		/* st_dev */
	uint64_t next_ino;
	void *priv;
	int refcount;		/* mounts using it */
};

struct fs_type {
	const char *name;
	/*
	 * Build a super block for a new mount (source: device path or NULL;
	 * data: mount(2)'s option string, "a=b,c", or NULL).
	 */
	int (*mount)(const struct fs_type *type, const char *source, const char *data,
		     struct super_block **out);
	struct list_head node;
	unsigned long magic;	/* f_type for statfs */
};

struct dentry {
	char name[NAME_MAX + 1];
	struct inode *inode;		/* NULL for a negative entry */
	struct dentry *parent;		/* self for a root */
	struct dentry *mounted;		/* root dentry of a mount on top, or NULL */
	struct dentry *covers;		/* for a mount root: the dentry it hides */
	struct list_head children;
	struct list_head sibling;
	int refcount;
	unsigned int flags;		/* DENTRY_* */
};
#define DENTRY_DEAD	0x1		/* unlinked or unmounted: no longer in the tree */

struct file {
	struct inode *inode;
	struct dentry *dentry;		/* for fchdir, getcwd-like uses; may be NULL */
	const struct file_ops *fops;
	uint64_t pos;
	unsigned int flags;		/* O_* status flags */
	int refcount;
	void *priv;			/* driver's data */
};

/* Per-process open files (shared between threads with CLONE_FILES). */
struct files {
	int refcount;
	struct file *fd[MAX_FDS];
	uint64_t cloexec[MAX_FDS / 64];
	uint64_t open[MAX_FDS / 64];	/* bit n: fd[n] is set (the personality's fd map, kernel/mk.c) */
};

/* Per-process root, working directory and umask (CLONE_FS shares it). */
struct fs_context {
	int refcount;
	struct dentry *root;
	struct dentry *cwd;
	uint32_t umask;
};

/* --- setup ---------------------------------------------------------------- */
/* Mount tmpfs on /, unpack the initramfs, mount devfs on /dev, proc on /proc. */
void vfs_init(void);
int register_filesystem(struct fs_type *type);
/* Unpack a cpio (newc) archive into the tree under /; -errno on bad data. */
int initramfs_unpack(const void *data, size_t len);

/* --- process state ---------------------------------------------------------- */
struct files *files_alloc(void);
struct files *files_dup(struct files *f);		/* fork: copy the table */
void files_put(struct files *f);			/* close all at last ref */
void files_close_on_exec(struct files *f);
struct fs_context *fs_context_root(void);		/* for the first process */
struct fs_context *fs_context_dup(struct fs_context *fs);
void fs_context_put(struct fs_context *fs);

/* --- kernel-internal file access (exec, mmap of files, init) ----------------- */
/* Open @path relative to the caller's cwd; *err gets -errno on failure. */
struct file *vfs_open(const char *path, int flags, uint32_t mode, int *err);
long kernel_read(struct file *f, void *buf, size_t n, uint64_t off);
long kernel_write(struct file *f, const void *buf, size_t n, uint64_t off);
struct file *file_get(struct file *f);
void file_put(struct file *f);
/* Install @f in the current process's table at the lowest free fd. */
int fd_install(struct file *f, int cloexec);
/* Install a pair (pipe ends, endpoint ends) and copy the two fds to @ufds. */
int fd_install_pair(struct file *a, struct file *b, int cloexec, int __user *ufds);
struct file *fd_get(int fd);		/* borrowed: valid while the caller runs */
int vfs_stat_inode(struct inode *ino, struct kstat *st);
/* May the caller execute @f (a regular file with an x bit it may use)? */
int vfs_may_exec(struct file *f);

/* --- inodes and files for file systems and drivers --------------------------- */
struct inode *inode_alloc(struct super_block *sb, uint32_t mode);
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
/* A file for an anonymous inode (pipes): refcount 1, not in the tree. */
struct file *file_alloc(struct inode *ino, const struct file_ops *fops, unsigned int flags);
void vfs_timestamp(struct timespec64 *ts);

/* Register a device node /dev/@name (S_IFCHR | perm) served by @fops. */
int devfs_register(const char *name, uint32_t mode, uint32_t rdev,
		   const struct file_ops *fops, void *priv);

/*
 * sync(2), reboot: write back every file system that lives on a block
 * device (drivers/block/buffer.c). Weak: absent when nothing provides it.
 */
void block_sync_all(void) __attribute__((weak));
/* Reads and writes on block device nodes (drivers/block/bdev_file.c). */
extern const struct file_ops blkdev_fops __attribute__((weak));

/*
 * What poll/select pass to a file's poll(): poll_wait() links an entry of
 * @entries into each wait queue the file names. With @proxy set, poll_wait
 * calls it instead (a layer between the file and a driver that may go away
 * keeps those queues to itself: drivers/base/misc.c).
 */
struct poll_table {
	struct wait_entry *entries;
	int count, cap;
	bool overflow;		/* some queue was not registered: poll again soon */
	void (*proxy)(struct poll_table *pt, struct wait_queue *wq);
	void *proxy_ctx;
};

/* poll support: readiness waiters register on each object's wait queue */
void poll_wait(struct file *f, struct wait_queue *wq, struct poll_table *pt);

/* Pipes: create a connected pair (read end, write end). */
int pipe_create(struct file **rd, struct file **wr, unsigned int flags);

/* procfs: add a file /proc/@name whose contents @show writes into buf. */
int procfs_register(const char *name, long (*show)(char *buf, size_t size));
/* The same, its text made again at every read from offset 0 (pread(fd, .., 0)). */
int procfs_register_fresh(const char *name, long (*show)(char *buf, size_t size));
/* A writable /proc file: @write gets each write(2)'s bytes (kernel copy). */
int procfs_register_rw(const char *name, long (*show)(char *buf, size_t size),
		       long (*write)(const char *buf, size_t len));
/*
 * A /proc file whose callbacks get @data (a driver's per-device state);
 * @write may be NULL. As for every procfs show: it runs at each open,
 * writes the whole text into @buf (@size bytes, 4 KiB at first) and
 * returns the length or -errno; a return >= @size calls it again with a
 * buffer twice as large. @write gets each write(2)'s bytes, returns the
 * count taken or -errno.
 */
int procfs_register_data(const char *name, long (*show)(char *buf, size_t size, void *data),
			 long (*write)(const char *buf, size_t len, void *data), void *data);
int procfs_unregister(const char *name);
/*
 * A read-only file /sys/@name ("devices/system/cpu/online"), shown like a
 * procfs_register_data file; the directories on the way are made.
 */
int sysfs_register_data(const char *name, long (*show)(char *buf, size_t size, void *data),
			void *data);

#endif
