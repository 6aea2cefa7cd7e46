/*
 * vfs's system calls: the table of what comes to vfs (the kernel forwards
 * exactly these, docs/microkernel.md), each with how many path arguments
 * its long part carries and the handler that decodes its arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include "vfs.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2	439
#endif
#ifndef SYS_statx
#define SYS_statx	332
#endif
#ifndef SYS_renameat2
#define SYS_renameat2	316
#endif

int vfs_nstr(uint64_t nr)
{
	switch (nr) {
	case SYS_rename: case SYS_link: case SYS_symlink: case SYS_renameat:
	case SYS_linkat: case SYS_symlinkat: case SYS_renameat2:
		return 2;
	case SYS_mount:
		return 3;	/* source, target, fstype */
	case SYS_open: case SYS_stat: case SYS_lstat: case SYS_access:
	case SYS_truncate: case SYS_chdir: case SYS_mkdir: case SYS_rmdir:
	case SYS_creat: case SYS_unlink: case SYS_readlink: case SYS_chmod:
	case SYS_chown: case SYS_lchown: case SYS_statfs: case SYS_umount2:
	case SYS_openat: case SYS_mkdirat: case SYS_fchownat: case SYS_newfstatat:
	case SYS_unlinkat: case SYS_readlinkat: case SYS_fchmodat: case SYS_faccessat:
	case SYS_utimensat: case SYS_statx: case SYS_faccessat2:
		return 1;
	}
	return 0;
}

/* chown's ids: -1 leaves one alone. */
static long chown_at(struct vreq *r, long dirfd, const char *path, int flags, uint64_t uid,
		     uint64_t gid)
{
	uint64_t mask = 0;

	if ((uint32_t)uid != (uint32_t)-1)
		mask |= FSD_SET_UID;
	if ((uint32_t)gid != (uint32_t)-1)
		mask |= FSD_SET_GID;
	return sys_setattr(r, dirfd, path, flags, mask, 0, (uint32_t)uid | (gid << 32));
}

long vfs_sys(struct vreq *r)
{
	const char *s0 = r->str[0], *s1 = r->str[1];

	switch (r->m->label) {
	case SYS_read: return sys_rw(r, 0, 0);
	case SYS_write: return sys_rw(r, 1, 0);
	case SYS_pread64: return sys_rw(r, 0, 1);
	case SYS_pwrite64: return sys_rw(r, 1, 1);
	case SYS_readv: return sys_rw_vec(r, 0);
	case SYS_writev: return sys_rw_vec(r, 1);
	case SYS_open: return sys_open(r, AT_FDCWD, s0, (long)arg(r, 1), (long)arg(r, 2));
	case SYS_openat: return sys_open(r, (int)arg(r, 0), s0, (long)arg(r, 2), (long)arg(r, 3));
	case SYS_creat:
		return sys_open(r, AT_FDCWD, s0, O_CREAT | O_WRONLY | O_TRUNC, (long)arg(r, 1));
	case SYS_close: return sys_close(r);
	case SYS_stat: return sys_stat(r, AT_FDCWD, s0, 0);
	case SYS_lstat: return sys_stat(r, AT_FDCWD, s0, AT_SYMLINK_NOFOLLOW);
	case SYS_newfstatat: return sys_stat(r, (int)arg(r, 0), s0, (int)arg(r, 3));
	case SYS_fstat: return sys_fstat(r);
	case SYS_statx: return sys_statx(r);
	case SYS_poll: return sys_poll(r);
	case SYS_lseek: return sys_lseek(r);
	case SYS_ioctl: return fd_file(r->c, (long)arg(r, 0)) ? -ENOTTY : -EBADF;
	case SYS_access: return sys_access(r, AT_FDCWD, s0, (long)arg(r, 1), 0);
	case SYS_faccessat: return sys_access(r, (int)arg(r, 0), s0, (long)arg(r, 2), 0);
	case SYS_faccessat2:
		return sys_access(r, (int)arg(r, 0), s0, (long)arg(r, 2), (long)arg(r, 3));
	case SYS_pipe: return sys_pipe(r, 0);
	case SYS_pipe2: return sys_pipe(r, (long)arg(r, 1));
	case SYS_dup: return sys_dup(r, (long)arg(r, 0), -1, 0, SYS_dup);
	case SYS_dup2: return sys_dup(r, (long)arg(r, 0), (long)arg(r, 1), 0, SYS_dup2);
	case SYS_dup3:
		return sys_dup(r, (long)arg(r, 0), (long)arg(r, 1), (long)arg(r, 2), SYS_dup3);
	case SYS_fcntl: return sys_fcntl(r);
	case SYS_fsync: case SYS_fdatasync: return sys_fsync(r);
	case SYS_truncate: return sys_truncate(r, s0, (long)arg(r, 1));
	case SYS_ftruncate: return sys_ftruncate(r);
	case SYS_getdents64: return sys_getdents(r);
	case SYS_getcwd: return sys_getcwd(r);
	case SYS_chdir: return sys_chdir(r, s0);
	case SYS_fchdir: return sys_fchdir(r, (long)arg(r, 0));
	case SYS_rename: return sys_rename(r, AT_FDCWD, s0, AT_FDCWD, s1, 0);
	case SYS_renameat: return sys_rename(r, (int)arg(r, 0), s0, (int)arg(r, 2), s1, 0);
	case SYS_renameat2:
		return sys_rename(r, (int)arg(r, 0), s0, (int)arg(r, 2), s1, (long)arg(r, 4));
	case SYS_mkdir: return sys_mkdir(r, AT_FDCWD, s0, (long)arg(r, 1));
	case SYS_mkdirat: return sys_mkdir(r, (int)arg(r, 0), s0, (long)arg(r, 2));
	case SYS_rmdir: return sys_unlink(r, AT_FDCWD, s0, AT_REMOVEDIR);
	case SYS_unlink: return sys_unlink(r, AT_FDCWD, s0, 0);
	case SYS_unlinkat: return sys_unlink(r, (int)arg(r, 0), s0, (long)arg(r, 2));
	case SYS_link: return sys_link(r, AT_FDCWD, s0, AT_FDCWD, s1, 0);
	case SYS_linkat:
		return sys_link(r, (int)arg(r, 0), s0, (int)arg(r, 2), s1, (long)arg(r, 4));
	case SYS_symlink: return sys_symlink(r, s0, AT_FDCWD, s1);
	case SYS_symlinkat: return sys_symlink(r, s0, (int)arg(r, 1), s1);
	case SYS_readlink: return sys_readlink(r, AT_FDCWD, s0, (long)arg(r, 2));
	case SYS_readlinkat: return sys_readlink(r, (int)arg(r, 0), s0, (long)arg(r, 3));
	case SYS_chmod: return sys_setattr(r, AT_FDCWD, s0, 0, FSD_SET_MODE, arg(r, 1), 0);
	case SYS_fchmodat:
		return sys_setattr(r, (int)arg(r, 0), s0, 0, FSD_SET_MODE, arg(r, 2), 0);
	case SYS_fchmod:
		return sys_setattr(r, (int)arg(r, 0), "", AT_EMPTY_PATH, FSD_SET_MODE, arg(r, 1), 0);
	case SYS_chown: return chown_at(r, AT_FDCWD, s0, 0, arg(r, 1), arg(r, 2));
	case SYS_lchown:
		return chown_at(r, AT_FDCWD, s0, AT_SYMLINK_NOFOLLOW, arg(r, 1), arg(r, 2));
	case SYS_fchown: return chown_at(r, (int)arg(r, 0), "", AT_EMPTY_PATH, arg(r, 1), arg(r, 2));
	case SYS_fchownat:
		return chown_at(r, (int)arg(r, 0), s0, (int)arg(r, 4), arg(r, 2), arg(r, 3));
	case SYS_utimensat: return sys_utimens(r);
	case SYS_umask: {
		long old = r->c->umask;

		r->c->umask = (uint32_t)arg(r, 0) & 0777;
		return old;
	}
	case SYS_statfs: return sys_statfs(r, AT_FDCWD, s0);
	case SYS_fstatfs: return sys_statfs(r, (long)arg(r, 0), NULL);
	case SYS_mount: return sys_mount(r);
	case SYS_umount2: return sys_umount(r);
	}
	return -ENOSYS;
}
