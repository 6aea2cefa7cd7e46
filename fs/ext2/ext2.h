/*
 * ext2, the second extended file system, as the ext2 documentation
 * ("The Second Extended File System", Dave Poirier; e2fsprogs' ext2_fs.h
 * field names) lays it out: a superblock, groups of blocks each with a
 * block bitmap, an inode bitmap and an inode table, inodes mapping file
 * blocks through 12 direct and 3 indirect pointers, and directories as
 * linked lists of variable-length entries. Everything read from the disk
 * is checked against the superblock before use: a bad number is an error
 * (-EIO with a message naming the device), never a crash.
 */
#ifndef FS_EXT2_EXT2_H
#define FS_EXT2_EXT2_H

#include "drivers/block/blkdev.h"
#include "fs/internal.h"
#include "kernel/sched.h"

#define EXT2_SUPER_MAGIC	0xef53
#define EXT2_SUPER_OFFSET	1024
#define EXT2_ROOT_INO		2
#define EXT2_GOOD_OLD_FIRST_INO	11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDIR_BLOCKS	12
#define EXT2_IND_BLOCK		12
#define EXT2_DIND_BLOCK		13
#define EXT2_TIND_BLOCK		14
#define EXT2_N_BLOCKS		15
#define EXT2_LINK_MAX		32000
#define EXT2_VALID_FS		1
#define EXT2_ERROR_FS		2
#define EXT2_INDEX_FL		0x00001000	/* hashed directory (dir_index) */
#define EXT2_FAST_LINK_MAX	60		/* targets shorter than this live in i_block */

/* features we know */
#define EXT2_FEATURE_INCOMPAT_FILETYPE		0x0002
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER	0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE	0x0002
#define EXT2_FEATURE_RO_COMPAT_BTREE_DIR	0x0004
#define EXT2_INCOMPAT_SUPP	EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SUPP	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | \
				 EXT2_FEATURE_RO_COMPAT_LARGE_FILE | \
				 EXT2_FEATURE_RO_COMPAT_BTREE_DIR)

/* directory entry file types */
#define EXT2_FT_UNKNOWN		0
#define EXT2_FT_REG_FILE	1
#define EXT2_FT_DIR		2
#define EXT2_FT_CHRDEV		3
#define EXT2_FT_BLKDEV		4
#define EXT2_FT_FIFO		5
#define EXT2_FT_SOCK		6
#define EXT2_FT_SYMLINK		7

struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* revision 1 */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algo_bitmap;
} __attribute__((packed));

struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_pad;
	uint32_t bg_reserved[3];
};

struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks;		/* 512-byte units */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high;		/* i_dir_acl in revision 0 */
	uint32_t i_faddr;
	uint16_t i_blocks_hi;
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint32_t i_reserved2;
	/* large inodes (s_inode_size > 128) */
	uint16_t i_extra_isize;
	uint16_t i_checksum_hi;
	uint32_t i_ctime_extra;		/* nanoseconds << 2 | epoch bits */
	uint32_t i_mtime_extra;
	uint32_t i_atime_extra;
	uint32_t i_crtime;
	uint32_t i_crtime_extra;
};
#define EXT2_INODE_EXTRA_TIMES	24	/* i_extra_isize that covers the *_extra times */

struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;		/* high byte of name_len without FILETYPE */
	char name[];
};
#define EXT2_DIRENT_LEN(n)	ALIGN_UP(8U + (n), 4U)

/* One mounted file system. */
struct ext2_sb {
	struct block_device *bdev;
	struct super_block *vsb;	/* while mounted: umount frees it before the root inode */
	struct inode *root;
	const char *name;		/* the device's, for messages */
	struct buffer_head *sbh;	/* pinned: the block holding the superblock */
	struct ext2_super *es;		/* inside sbh */
	struct buffer_head **gdh;	/* pinned: the group descriptor blocks */
	uint32_t block_size, addr_per_block;
	uint32_t groups, blocks_per_group, inodes_per_group, inode_size, first_ino;
	uint32_t first_data_block, blocks_count, inodes_count, itable_blocks, desc_per_block;
	bool read_only, filetype;
	struct list_head inodes;	/* live in-memory inodes */
	struct task *owner;		/* the recursive lock's holder */
	int depth;
	struct wait_queue lock_wq;
	struct sync_hook hook;
};

/* The file system's part of an in-memory inode (inode->priv). */
struct ext2_inode_info {
	struct inode *vfs;
	struct ext2_sb *s;		/* not via vfs->sb: the VFS frees it before the root */
	uint32_t block[EXT2_N_BLOCKS];
	uint32_t flags, file_acl, generation, dtime;
	uint64_t blocks;		/* i_blocks */
	uint64_t ra_next;		/* the block a sequential reader wants next */
	uint64_t ra_end;		/* read ahead up to here */
	uint32_t goal;			/* last block allocated: the next one follows it */
	struct list_head node;
};

static inline struct ext2_inode_info *EXT2_I(struct inode *ino)
{
	return ino->priv;
}

/* super.c */
__printf(2, 3) void ext2_error(struct ext2_sb *s, const char *fmt, ...);
void ext2_lock(struct ext2_sb *s);
void ext2_unlock(struct ext2_sb *s);
struct ext2_group_desc *ext2_group(struct ext2_sb *s, uint32_t group, struct buffer_head **bh);
bool ext2_valid_block(struct ext2_sb *s, uint64_t block);
void ext2_put_super(struct ext2_sb *s);
void ext2_sync_fs(void *arg);

/* inode.c */
int ext2_iget(struct ext2_sb *s, uint32_t ino, struct inode **out);
int ext2_new_inode(struct inode *dir, uint32_t mode, struct inode **out);
int ext2_write_inode(struct inode *ino);
void ext2_write_all_inodes(struct ext2_sb *s);
void ext2_set_ops(struct inode *ino);
void ext2_touch(struct inode *ino);
void ext2_evict(struct inode *ino);
extern const struct inode_ops ext2_dir_iops, ext2_file_iops, ext2_symlink_iops;
extern const struct inode_ops ext2_special_iops;
extern const struct file_ops ext2_dir_fops, ext2_file_fops;

/* balloc.c */
int ext2_new_block(struct ext2_sb *s, uint32_t goal, uint32_t *out);
void ext2_free_block(struct ext2_sb *s, uint32_t block);
int ext2_alloc_ino(struct ext2_sb *s, uint32_t parent_group, bool dir, uint32_t *out);
void ext2_free_ino(struct ext2_sb *s, uint32_t ino, bool dir);

/* bmap.c */
int ext2_bmap(struct inode *ino, uint64_t lblock, bool create, uint32_t *out, bool *fresh);
int ext2_truncate_blocks(struct inode *ino, uint64_t size);
uint64_t ext2_max_size(struct ext2_sb *s);

/* file.c */
int ext2_truncate(struct inode *ino, uint64_t size);

/* dir.c */
int ext2_find_entry(struct inode *dir, const char *name, size_t len, uint32_t *ino);
int ext2_add_entry(struct inode *dir, const char *name, size_t len, struct inode *ino);
int ext2_remove_entry(struct inode *dir, const char *name, size_t len);
int ext2_set_entry(struct inode *dir, const char *name, size_t len, struct inode *ino);
int ext2_dir_empty(struct inode *dir);
int ext2_make_dir(struct inode *dir, struct inode *parent);
int ext2_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
int ext2_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill);

#endif
