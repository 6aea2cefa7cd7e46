/* Temporary weak stand-ins for the VFS while fs/ is being written; the real
 * definitions override them. Deleted when fs/ lands. */
#include "fs/vfs.h"
__attribute__((weak)) struct files *files_alloc(void){return 0;}
__attribute__((weak)) struct files *files_dup(struct files *f){return 0;}
__attribute__((weak)) void files_put(struct files *f){}
__attribute__((weak)) void files_close_on_exec(struct files *f){}
__attribute__((weak)) struct fs_context *fs_context_root(void){return 0;}
__attribute__((weak)) struct fs_context *fs_context_dup(struct fs_context *fs){return 0;}
__attribute__((weak)) void fs_context_put(struct fs_context *fs){}
__attribute__((weak)) struct file *vfs_open(const char *path, int flags, uint32_t mode, int *err){*err=-2;return 0;}
__attribute__((weak)) long kernel_read(struct file *f, void *buf, size_t n, uint64_t off){return -5;}
__attribute__((weak)) struct file *file_get(struct file *f){return f;}
__attribute__((weak)) void file_put(struct file *f){}
__attribute__((weak)) int fd_install(struct file *f, int cloexec){return -1;}
__attribute__((weak)) struct file *fd_get(int fd){return 0;}
__attribute__((weak)) void vfs_init(void){}
