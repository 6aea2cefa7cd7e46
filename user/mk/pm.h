/*
 * pm's two halves: pm.c serves the IPC calls (process table, the kernel's
 * notifications), servers.c starts, watches and restarts the servers.
 */
#ifndef BASALT_PM_H
#define BASALT_PM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Make the endpoints of vfs and memdev, start both, register them and
 * start the thread that restarts dead servers. *@vfs_send: pm's send end
 * to vfs. Nonzero when that failed (said on stderr).
 */
int pm_start_servers(int *vfs_send);
/* PM_SPAWN_FS: start a file server of @type on the device named by @in. */
long pm_spawn_fs(uint64_t type, const char *in, size_t in_len);
/* PM_STOP_FS: stop the file server in @slot; returns once it exited. */
long pm_stop_fs(uint64_t slot);
/* Is @pid the running vfs? (only it may ask for file servers) */
int pm_is_vfs(int pid);

#endif
