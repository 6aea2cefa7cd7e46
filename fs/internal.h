/*
 * Declarations shared by the files of fs/ and by nothing else: the dentry
 * cache, path lookup, the mount table, character devices, and the kernel
 * halves of the name syscalls (do_mkdirat and friends take kernel strings,
 * so initramfs and the host tests use them without user memory).
 * The rest of the kernel uses fs/vfs.h only.
 */
#ifndef FS_INTERNAL_H
#define FS_INTERNAL_H

#include <stdbool.h>
#include <asm/uaccess.h>
#include "fs/vfs.h"

/* permission masks for inode_permission() */
#define MAY_EXEC	1
#define MAY_WRITE	2
#define MAY_READ	4

/* path lookup flags */
#define LOOKUP_FOLLOW	0x1	/* follow a symlink in the last component */
#define LOOKUP_EMPTY	0x2	/* "" names the start directory (AT_EMPTY_PATH) */
#define LOOKUP_REAL_ID	0x4	/* check with the real uid/gid (access()) */

#define MAX_SYMLINKS	40
#define IO_CHUNK	4096	/* bounce buffer size between user and kernel */

#define TMPFS_MAGIC	0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572
#define PIPEFS_MAGIC	0x50495045

/* struct timeval as select and utimes pass it */
struct kernel_old_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* --- dentries (fs/dcache.c) ---------------------------------------------- */
struct dentry *dentry_alloc(struct dentry *parent, const char *name, size_t len,
			    struct inode *ino);
struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
struct dentry *d_find_child(struct dentry *dir, const char *name, size_t len);
void d_drop(struct dentry *d);
void d_move(struct dentry *d, struct dentry *ndir, const char *name, size_t len);
int d_path(struct dentry *d, struct dentry *root, char *buf, size_t size);
bool d_is_ancestor(struct dentry *anc, struct dentry *d);

/* --- path lookup (fs/namei.c) -------------------------------------------- */
struct path_parent {
	struct dentry *dir;	/* owned reference */
	const char *name;	/* last component, inside the caller's path */
	size_t len;
	bool trailing_slash;
};

int inode_permission(struct inode *ino, int mask, unsigned int flags);
int path_lookup(int dirfd, const char *path, unsigned int flags, struct dentry **out);
int path_lookup_parent(int dirfd, const char *path, struct path_parent *pp);
int lookup_child_raw(struct dentry *dir, const char *name, size_t len, struct dentry **out);
int lookup_child(struct dentry *dir, const char *name, size_t len, struct dentry **out);
struct dentry *follow_mounts(struct dentry *d);
bool name_is_dot(const char *name, size_t len);
bool name_is_dotdot(const char *name, size_t len);
long getname(const char __user *upath, char **out);
void putname(char *kpath);

/* --- mounts (fs/super.c) -------------------------------------------------- */
extern struct dentry *vfs_root_dentry;
int do_mount(const char *source, const char *target, const char *type,
	     unsigned long flags, const char *data);
int do_umount(const char *target, int flags);
const struct fs_type *find_filesystem(const char *name);
long mounts_show(char *buf, size_t size);
long filesystems_show(char *buf, size_t size);
struct super_block *sb_alloc(const struct fs_type *type);
int vfs_init_tree(const void *initramfs, size_t len);
int memdev_init(void);

/* --- open files (fs/file.c, fs/open.c) ------------------------------------- */
int do_open(int dirfd, const char *path, int flags, uint32_t mode, struct file **out);
struct file *dentry_open(struct dentry *d, int flags, int *err);
int fd_close(int fd);
int fd_move(int from, int to);
int fd_install_at(int fd, struct file *f, int cloexec);
void fd_set_cloexec(int fd, int on);
bool fd_is_cloexec(int fd);
int fd_alloc_from(int from);
void *io_buf_alloc(void);
void io_buf_free(void *buf);
long vfs_truncate(struct inode *ino, uint64_t size);

/* --- name operations (fs/dirops.c, fs/links.c) ----------------------------- */
int may_modify_dir(struct dentry *dir);
int sticky_check(struct inode *dir, struct inode *victim);
int may_create(struct path_parent *pp);
int lookup_victim(struct path_parent *pp, int dot_err, int dotdot_err, struct dentry **out);
int do_mkdirat(int dirfd, const char *path, uint32_t mode);
int do_mknodat(int dirfd, const char *path, uint32_t mode, uint32_t rdev);
int do_rmdir(int dirfd, const char *path);
int do_unlinkat(int dirfd, const char *path);
int do_renameat2(int odfd, const char *oldp, int ndfd, const char *newp, unsigned int flags);
int do_symlinkat(const char *target, int dirfd, const char *path);
int do_linkat(int odfd, const char *oldp, int ndfd, const char *newp, int flags);
long do_readlinkat(int dirfd, const char *path, char *buf, size_t size);

/* --- attributes (fs/attr.c) ------------------------------------------------ */
int do_chmod(struct inode *ino, uint32_t mode);
int do_chown(struct inode *ino, uint32_t uid, uint32_t gid);
const struct cred *current_cred(void);
uint32_t current_umask(void);

/* --- character devices (fs/inode.c) ---------------------------------------- */
struct chrdev {
	uint32_t rdev;
	const struct file_ops *fops;
	void *priv;
	struct list_head node;
};
int chrdev_add(uint32_t rdev, const struct file_ops *fops, void *priv);
struct chrdev *chrdev_find(uint32_t rdev);

/* --- file systems ----------------------------------------------------------- */
extern struct fs_type tmpfs_type;
extern struct fs_type devfs_type;
extern struct fs_type procfs_type;
extern struct fs_type sysfs_type;
extern const struct file_ops tmpfs_file_fops;
extern const struct inode_ops tmpfs_file_iops;
struct super_block *tmpfs_create_sb(const struct fs_type *type);
int fifo_open(struct inode *ino, struct file *f);
long generic_llseek(struct file *f, int64_t off, int whence);


/* --- procfs (fs/procfs.c, fs/proc_pid.c, fs/proc_misc.c) --------------------- */
enum proc_kind { PROC_ROOT, PROC_ENTRY, PROC_SELF, PROC_PID_DIR, PROC_PID_FILE };

struct proc_node {
	enum proc_kind kind;
	int pid;
	int index;		/* which registered entry or per-process file */
};

/* Fills @buf (@size bytes) with a file's text; returns the full length. */
typedef long (*proc_gen_t)(const void *ctx, char *buf, size_t size);

#define PROC_PID_POS	0x10000000ULL	/* root readdir positions of pids start here */

struct inode *proc_new_inode(struct super_block *sb, uint64_t ino, uint32_t mode,
			     const struct inode_ops *iops, const struct file_ops *fops,
			     enum proc_kind kind, int pid, int index);
int proc_open_text(struct file *f, proc_gen_t gen, const void *ctx);
int proc_text_refresh(struct file *f, proc_gen_t gen, const void *ctx);
long proc_text_read(struct file *f, char *buf, size_t n, uint64_t *pos);
long proc_text_llseek(struct file *f, int64_t off, int whence);
void proc_text_release(struct inode *ino, struct file *f);
void proc_evict(struct inode *ino);
/* fs/proc_pid.c: the /proc/<pid> directories */
int proc_pid_dir_lookup(struct inode *root, const char *name, size_t len, struct inode **out);
int proc_pid_dirs_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill);
int proc_misc_init(void);

#endif
