/*
 * vfs, the microkernel personality's file server (docs/microkernel.md):
 * the state of its clients (client.c: fd tables, open files, cwd), the
 * file systems it mounts and the vnodes it holds (fs.c), path resolution
 * (path.c), pipes (pipe.c, ring.c), the calls on names (names.c), on
 * attributes (attr.c), on data (file.c) and on the fd table (fdops.c);
 * main.c runs the worker threads, sys.c dispatches. One mutex, vfs_lock, guards all of it;
 * handlers run with it held, and drop it only to wait (a pipe, a call to
 * another server), holding references on what they use.
 */
#ifndef BASALT_VFS_H
#define BASALT_VFS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../../../kernel/mk_proto.h"
#include "../../../fs/ipcfs_proto.h"
#include "../../fsd/ipc.h"
#include "../mk.h"

#define VFS_FD_MAX	MK_FDMAP_BITS	/* fd numbers the kernel can tell apart */
#define VFS_PATH_MAX	4096		/* PATH_MAX, with the NUL */
#define VFS_NAME_MAX	255
#define VFS_SYMLOOP_MAX	40
#define VFS_IO_MAX	(64 * 1024)	/* what the kernel grants at most */
#define VFS_RESERVED	8
#define VFS_FS_OUT	(FSD_DIR_MAX + 8 * sizeof(struct fsd_attr))	/* fs_call's room */

extern pthread_mutex_t vfs_lock;

/* ---- file systems and vnodes (fs.c) ---- */
enum { FS_TMPFS, FS_REMOTE };

struct vfs_fs {
	struct vfs_fs *next;
	int kind;
	int send, slot;		/* FS_REMOTE: send end, pm's registry slot */
	uint32_t dev;		/* st_dev */
	uint32_t magic;		/* statfs f_type */
	int refs;		/* vnodes, queued FORGETs, calls in flight */
	int mounted;
	struct vnode *root;
	uint64_t root_ino;	/* FS_TMPFS: its own root in the shared tree (FSD_ROOT_INO for /tmp) */
	char *path;		/* the mount point, canonical */
};

/* A file of a mounted file system, as long as vfs uses it. */
struct vnode {
	struct vfs_fs *fs;
	uint64_t ino;
	uint64_t lookups;	/* answers that named it, for FORGET */
	int refs;
	struct fsd_attr a;	/* as of the last answer that named it */
};

/*
 * One call to a file system: @m goes there, the answer comes back in it;
 * its long part is copied into @out (VFS_FS_OUT bytes). Returns the answer's
 * label (a result or -errno); -EIO when the server is gone.
 */
long fs_call(struct vfs_fs *fs, struct ipc_msg *m, const void *in, size_t in_len, void *out,
	     size_t *out_len);
/* A vnode for the inode named by @a (one lookup of it counted). */
struct vnode *vn_new(struct vfs_fs *fs, const struct fsd_attr *a);
void vn_get(struct vnode *vn);
void vn_put(struct vnode *vn);
/* Send the FORGETs vn_put queued for remote file systems (unlocked). */
void fs_flush_forgets(void);
/* The file system mounted exactly at @path, or NULL. */
struct vfs_fs *fs_at(const char *path);
extern struct vfs_fs *vfs_mounts;	/* newest first */
/* GETATTR: refresh vn->a. */
long vn_getattr(struct vnode *vn);
int fs_init(void);

/* ---- clients, fds, open files (client.c) ---- */
enum { VF_FILE, VF_PIPE, VF_DEV };

struct pipe;

/* An open file description: shared by dup and fork, as Linux's struct file. */
struct vfile {
	int refs;
	int type;
	int flags;		/* O_ACCMODE, O_APPEND, O_NONBLOCK... */
	uint64_t pos;
	struct vnode *vn;	/* VF_FILE */
	char *path;		/* VF_FILE: canonical, for *at() and fchdir */
	struct pipe *pipe;	/* VF_PIPE */
	int end;		/* VF_PIPE: 0 read, 1 write */
	int minor;		/* VF_DEV: MEMDEV_* */
};

struct fdent {
	struct vfile *f;
	int cloexec;
};

struct client {
	struct client *next;
	int tgid;
	int refs;
	int dead;		/* it exited: waits on its behalf give up */
	uint32_t uid, gid, euid, egid;
	uint32_t umask;
	struct fdent fds[VFS_FD_MAX];
	char cwd[VFS_PATH_MAX];	/* canonical */
	struct vnode *cwd_vn;	/* NULL: in the kernel's name space */
	struct {
		int fd;
		int64_t ms;
	} reserved[VFS_RESERVED];	/* numbers given to the kernel's files */
};

/* The client @tgid, made (empty, cwd "/") if vfs does not know it; with a reference. */
struct client *client_get(int tgid);
void client_put(struct client *c);
struct vfile *vfile_new(int type, int flags);
void vfile_get(struct vfile *f);
void vfile_put(struct vfile *f);
/* The file at fd @fd of @c, or NULL. */
struct vfile *fd_file(struct client *c, long fd);
/* The lowest free fd >= @min that the kernel does not back, or -EMFILE. */
int fd_alloc(struct client *c, const struct mk_fdmap *map, long min);
/*
 * Keep @fd free for a moment: the kernel is about to make a file there
 * (a native open, MK_ALLOC_FD), and a call of another of the client's
 * threads may come with an mk_fdmap from before.
 */
void fd_reserve(struct client *c, int fd);
/* Put @f (a reference the table takes over) at @fd. */
void fd_install(struct client *c, int fd, struct vfile *f, int cloexec);
int fd_close(struct client *c, long fd);
long client_enter(int tgid, const struct ipc_msg *m, const char *cwd);
long client_fork(int parent, int child, const struct ipc_msg *m);
void client_exit(int tgid);
void client_exec(int tgid);
void client_cred(int tgid, const struct ipc_msg *m);

/* ---- one request (main.c) ---- */
struct vreq {
	struct ipc_msg *m;	/* the call; becomes the answer */
	int badge;
	struct client *c;
	const char *str[4];	/* its path arguments */
	int nstr;
	struct mk_fdmap map;
	const char *extra;	/* what follows the mk_fdmap, if anything */
	size_t extra_len;
	char *out;		/* the answer's long part (IPC_LONG_MAX) */
	size_t out_len;
	int native;		/* answer MK_ANSWER_NATIVE ... */
	long native_fd;		/* ... with this fd number (open) */
};

/*
 * One request: @m (label, words; becomes the answer), from @badge, long
 * part @in (@len bytes, room for one more); the answer's long part goes
 * to @out. Returns the answer's label. Called with vfs_lock held.
 */
long vfs_request(struct ipc_msg *m, int badge, char *in, size_t len, char *out, size_t *out_len);
/* How many path arguments system call @nr has in its long part. */
int vfs_nstr(uint64_t nr);

static inline uint64_t arg(const struct vreq *r, int i)
{
	return r->m->w[i];
}

/* Answer "the kernel runs it" with the canonical @paths (then w0 = @fd). */
long answer_native(struct vreq *r, const char *p1, const char *p2, long fd);

/*
 * Is the call we work on still there? A signal may have withdrawn it; a
 * wait on its behalf then gives up. Only for calls that hold grant 0.
 */
int call_alive(void);

/* ---- path resolution (path.c) ---- */
#define W_FOLLOW	0x1	/* follow a symlink in the last component */
#define W_PARENT	0x2	/* stop at the directory holding the last component */
#define W_EMPTY		0x4	/* an empty path means the base itself (AT_EMPTY_PATH) */

/* Where a walk ended: the kernel's name space, a vnode, or a memdev node. */
struct walk {
	char path[VFS_PATH_MAX];	/* canonical absolute path of the target */
	struct vnode *vn;		/* the target (W_PARENT: its directory); NULL: kernel's */
	int minor;			/* a memdev node (not with W_PARENT) */
	const char *name;		/* W_PARENT: the last component, in path */
	size_t name_len;
	int dot;			/* W_PARENT: it was "." (1), ".." (2), none (3) */
	int fresh;			/* vn->a comes from the lookup just made */
	int trailing;			/* the path ended with '/' */
	int loops;
};

/*
 * Resolve @path for @r's client from directory fd @dirfd (AT_FDCWD: its
 * cwd). Returns 0 with @w filled (w->vn holds a reference: walk_done), or
 * -errno (nothing held).
 */
long walk(struct vreq *r, long dirfd, const char *path, int flags, struct walk *w);
void walk_done(struct walk *w);
/* Is @path canonical-equal to or below @dir? */
int path_within(const char *path, const char *dir);
/* The memdev node at canonical @path, or 0. */
int dev_node(const char *path);

/* ---- pipes (pipe.c, ring.c) ---- */
/* A ring buffer: the pipe's bytes, tested on the host. */
struct ring {
	char *buf;
	size_t size, head, count;
};

/* Copies @len bytes between @p and the client's side, @done bytes into the transfer. */
typedef long (*xfer_fn)(void *arg, size_t done, char *p, size_t len);

int ring_init(struct ring *rg, size_t size);
void ring_free(struct ring *rg);
size_t ring_space(const struct ring *rg);
/*
 * Copy up to @len bytes out with @fn, whose offsets start at @base; the
 * ring advances only by what was copied (not at all with @peek).
 */
long ring_get(struct ring *rg, size_t len, xfer_fn fn, void *arg, size_t base, int peek);
void ring_drop(struct ring *rg, size_t n);
/* Copy up to @len bytes in with @fn. */
long ring_put(struct ring *rg, size_t len, xfer_fn fn, void *arg, size_t base);

long pipe_make(struct vfile **rd, struct vfile **wr, int flags);
void pipe_close(struct vfile *f);
/* Read up to @len bytes (@peek: leave them); waits for a writer unless @nonblock. */
long pipe_read(struct client *c, struct vfile *f, size_t len, xfer_fn fn, void *arg, int nonblock,
	       int peek);
void pipe_drop(struct vfile *f, size_t n);
long pipe_write(struct client *c, struct vfile *f, size_t len, xfer_fn fn, void *arg);
short pipe_poll(struct vfile *f, short events);
size_t pipe_size(struct vfile *f);
/* Wake every poll (a pipe changed, a client left). */
void poll_wake(void);
/* Wait for a poll_wake until @deadline_ms (CLOCK_MONOTONIC; -1: forever) or 1 s. */
void poll_wait(int64_t deadline_ms);
int64_t now_ms(void);

/* ---- memdev and pm (fs.c) ---- */
long memdev_call(struct ipc_msg *m, void *out, size_t cap);
long pm_call(struct ipc_msg *m, const void *in, size_t in_len);

/* ---- the handlers (sys.c dispatches) ---- */
long vfs_sys(struct vreq *r);

/* names.c */
long sys_open(struct vreq *r, long dirfd, const char *path, long flags, long mode);
long sys_mkdir(struct vreq *r, long dirfd, const char *path, long mode);
long sys_unlink(struct vreq *r, long dirfd, const char *path, long flags);
long sys_rename(struct vreq *r, long odir, const char *op, long ndir, const char *np, long flags);
long sys_link(struct vreq *r, long odir, const char *op, long ndir, const char *np, long flags);
long sys_symlink(struct vreq *r, const char *target, long dirfd, const char *path);
long sys_readlink(struct vreq *r, long dirfd, const char *path, long size);
long lookup_name(struct walk *w, struct fsd_attr *a);

/* attr.c */
long sys_stat(struct vreq *r, long dirfd, const char *path, int flags);
long sys_fstat(struct vreq *r);
long sys_statx(struct vreq *r);
long sys_access(struct vreq *r, long dirfd, const char *path, long mode, long flags);
long sys_setattr(struct vreq *r, long dirfd, const char *path, int flags, uint64_t mask,
		 uint64_t mode, uint64_t ids);
long sys_utimens(struct vreq *r);
long sys_truncate(struct vreq *r, const char *path, long size);
long sys_statfs(struct vreq *r, long fd, const char *path);

/* path.c */
long sys_chdir(struct vreq *r, const char *path);
long sys_fchdir(struct vreq *r, long fd);
long sys_getcwd(struct vreq *r);

/* fs.c */
long sys_mount(struct vreq *r);
long sys_umount(struct vreq *r);

/* file.c */
long sys_rw(struct vreq *r, int write, int positioned);
long sys_rw_vec(struct vreq *r, int write);
long sys_lseek(struct vreq *r);
long sys_getdents(struct vreq *r);
long sys_ftruncate(struct vreq *r);
long sys_fsync(struct vreq *r);

/* fdops.c */
long sys_close(struct vreq *r);
long sys_dup(struct vreq *r, long old, long new, long flags, int which);
long sys_fcntl(struct vreq *r);
long sys_pipe(struct vreq *r, long flags);
long sys_poll(struct vreq *r);

#endif
