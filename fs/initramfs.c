/*
 * initramfs: unpack a cpio archive in the "newc" format (magic 070701 or
 * 070702) into the tree. Each entry is a 110-byte header of hex fields,
 * a NUL-terminated name padded to 4 bytes, then the data padded to 4
 * bytes; "TRAILER!!!" ends the archive. Every field and bound is checked
 * before use: a malformed archive is reported with the entry's index,
 * offset and name, and never read past its end. Names that would climb
 * out of the root ("..") are refused.
 */
#include "fs/internal.h"
#include "lib/string.h"
#include "mm/mm.h"

#define CPIO_HDR_LEN	110
#define CPIO_FIELDS	13

/* header fields in archive order */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR, F_DEVMINOR,
	F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

static const char *const field_names[CPIO_FIELDS] = {
	"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor", "devminor",
	"rdevmajor", "rdevminor", "namesize", "check",
};

struct cpio_entry {
	uint32_t f[CPIO_FIELDS];
	char *path;		/* "/" + the cleaned name */
	const uint8_t *data;
	unsigned int index;
	size_t offset;
};

/* A regular file with several links: its first path, for the later ones. */
struct hardlink {
	uint32_t ino, major, minor;
	char *path;
	struct hardlink *next;
};

static int parse_hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/*
 * Turn an archive name into an absolute path in @out (PATH_MAX bytes):
 * leading "/" and "./" go, "." components go, ".." is refused. An empty
 * result is the root itself ("/").
 */
static int clean_name(const char *name, char *out)
{
	size_t o = 0;

	while (*name) {
		const char *end = name;
		size_t len;

		while (*end && *end != '/')
			end++;
		len = (size_t)(end - name);
		if (len == 2 && name[0] == '.' && name[1] == '.')
			return -EPERM;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (len && !(len == 1 && name[0] == '.')) {
			if (o + len + 2 > PATH_MAX)
				return -ENAMETOOLONG;
			out[o++] = '/';
			memcpy(out + o, name, len);
			o += len;
		}
		name = *end ? end + 1 : end;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

/* Create the missing directories above @path (like mkdir -p of its parent). */
static void make_parents(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		do_mkdirat(AT_FDCWD, path, 0755);
		*s = '/';
	}
}

/* Set the archive's mode, owner and time on what was just created. */
static int set_attrs(struct cpio_entry *e)
{
	struct dentry *d;
	struct inode *ino;
	int err = path_lookup(AT_FDCWD, e->path, 0, &d);

	if (err)
		return err;
	ino = d->inode;
	if (!S_ISLNK(ino->mode))
		ino->mode = (ino->mode & S_IFMT) | (e->f[F_MODE] & 07777);
	ino->uid = e->f[F_UID];
	ino->gid = e->f[F_GID];
	ino->mtime.sec = e->f[F_MTIME];
	ino->mtime.nsec = 0;
	ino->atime = ino->mtime;
	dput(d);
	return 0;
}

static int write_file(struct cpio_entry *e, bool exists)
{
	uint32_t size = e->f[F_FILESIZE];
	struct file *f;
	long n = 0;
	int err;

	err = do_open(AT_FDCWD, e->path, O_WRONLY | O_CREAT | O_TRUNC | (exists ? 0 : O_EXCL),
		      0600, &f);
	if (err)
		return err;
	if (size)
		n = kernel_write(f, e->data, size, 0);
	file_put(f);
	if (n < 0)
		return (int)n;
	return (uint32_t)n == size ? 0 : -ENOSPC;
}

static int make_regular(struct cpio_entry *e, struct hardlink **links)
{
	struct hardlink *h = NULL;
	int err;

	if (e->f[F_NLINK] > 1) {
		for (h = *links; h; h = h->next)
			if (h->ino == e->f[F_INO] && h->major == e->f[F_DEVMAJOR] &&
			    h->minor == e->f[F_DEVMINOR])
				break;
	}
	if (h) {
		err = do_linkat(AT_FDCWD, h->path, AT_FDCWD, e->path, 0);
		if (!err && e->f[F_FILESIZE])
			err = write_file(e, true);
		return err;
	}
	err = write_file(e, false);
	if (err || e->f[F_NLINK] <= 1)
		return err;
	h = kzalloc(sizeof(*h));
	if (h)
		h->path = kmalloc(strlen(e->path) + 1);
	if (!h || !h->path) {
		kfree(h);
		return -ENOMEM;
	}
	strcpy(h->path, e->path);
	h->ino = e->f[F_INO];
	h->major = e->f[F_DEVMAJOR];
	h->minor = e->f[F_DEVMINOR];
	h->next = *links;
	*links = h;
	return 0;
}

static int make_symlink(struct cpio_entry *e)
{
	uint32_t size = e->f[F_FILESIZE];
	char *target;
	int err;

	if (!size || size >= PATH_MAX || strnlen((const char *)e->data, size) != size)
		return -EINVAL;
	target = io_buf_alloc();
	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, size);
	target[size] = '\0';
	err = do_symlinkat(target, AT_FDCWD, e->path);
	io_buf_free(target);
	return err;
}

/* Create one entry; an existing non-directory of the same name is replaced. */
static int make_entry(struct cpio_entry *e, struct hardlink **links)
{
	uint32_t mode = e->f[F_MODE];
	struct dentry *d;
	int err;

	if (!strcmp(e->path, "/"))
		return S_ISDIR(mode) ? set_attrs(e) : -EINVAL;
	if (!path_lookup(AT_FDCWD, e->path, 0, &d)) {
		bool dir = S_ISDIR(d->inode->mode);

		dput(d);
		if (dir && S_ISDIR(mode))
			return set_attrs(e);
		err = dir ? do_rmdir(AT_FDCWD, e->path) : do_unlinkat(AT_FDCWD, e->path);
		if (err)
			return err;
	}
	make_parents(e->path);
	switch (mode & S_IFMT) {
	case S_IFDIR:
		err = do_mkdirat(AT_FDCWD, e->path, 0700);
		break;
	case S_IFREG:
		err = make_regular(e, links);
		break;
	case S_IFLNK:
		err = make_symlink(e);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		err = do_mknodat(AT_FDCWD, e->path, (mode & S_IFMT) | 0600,
				 MKDEV(e->f[F_RDEVMAJOR], e->f[F_RDEVMINOR]));
		break;
	default:
		return -EINVAL;
	}
	return err ? err : set_attrs(e);
}

/*
 * Parse the header at @off and check every bound of the entry. Returns
 * the offset of the next header, or 0 after printing what is wrong.
 */
static size_t parse_entry(const uint8_t *p, size_t len, size_t off, struct cpio_entry *e,
			  const char **name)
{
	size_t name_off = off + CPIO_HDR_LEN, data_off, end;

	e->offset = off;
	if (len - off < CPIO_HDR_LEN) {
		pr_err("initramfs: entry %u at offset %zu: truncated header (%zu bytes left)\n",
		       e->index, off, len - off);
		return 0;
	}
	if (memcmp(p + off, "070701", 6) && memcmp(p + off, "070702", 6)) {
		pr_err("initramfs: entry %u at offset %zu: bad magic (not a newc cpio archive)\n",
		       e->index, off);
		return 0;
	}
	for (int i = 0; i < CPIO_FIELDS; i++) {
		if (parse_hex8(p + off + 6 + 8 * i, &e->f[i])) {
			pr_err("initramfs: entry %u at offset %zu: field %s is not hex\n",
			       e->index, off, field_names[i]);
			return 0;
		}
	}
	if (e->f[F_NAMESIZE] < 2 || e->f[F_NAMESIZE] > PATH_MAX) {
		pr_err("initramfs: entry %u at offset %zu: name size %u out of range\n", e->index,
		       off, e->f[F_NAMESIZE]);
		return 0;
	}
	if (e->f[F_NAMESIZE] > len - name_off) {
		pr_err("initramfs: entry %u at offset %zu: name runs past the end\n", e->index,
		       off);
		return 0;
	}
	*name = (const char *)p + name_off;
	if (strnlen(*name, e->f[F_NAMESIZE]) != e->f[F_NAMESIZE] - 1) {
		pr_err("initramfs: entry %u at offset %zu: name is not a NUL-terminated string of %u bytes\n",
		       e->index, off, e->f[F_NAMESIZE]);
		return 0;
	}
	data_off = ALIGN_UP(name_off + e->f[F_NAMESIZE], 4);
	if (data_off > len || e->f[F_FILESIZE] > len - data_off) {
		pr_err("initramfs: entry %u '%s': %u bytes of data run past the end of the archive\n",
		       e->index, *name, e->f[F_FILESIZE]);
		return 0;
	}
	e->data = p + data_off;
	end = ALIGN_UP(data_off + e->f[F_FILESIZE], 4);
	return MIN(end, len);
}

static void free_links(struct hardlink *h)
{
	while (h) {
		struct hardlink *next = h->next;

		kfree(h->path);
		kfree(h);
		h = next;
	}
}

int initramfs_unpack(const void *data, size_t len)
{
	const uint8_t *p = data;
	struct hardlink *links = NULL;
	struct cpio_entry e = { 0 };
	size_t off = 0, next;
	unsigned int count = 0;
	bool trailer = false;
	int err = 0, first_err = 0;

	e.path = io_buf_alloc();
	if (!e.path)
		return -ENOMEM;
	for (;;) {
		const char *name = NULL;

		/* zero padding may follow a trailer; another archive may follow it */
		while (count && off < len && p[off] == '\0')
			off++;
		if (off == len && count)
			break;
		next = parse_entry(p, len, off, &e, &name);
		if (!next) {
			first_err = -EINVAL;
			break;
		}
		e.index++;
		off = next;
		if (!strcmp(name, "TRAILER!!!")) {
			trailer = true;
			count++;
			continue;
		}
		trailer = false;
		err = clean_name(name, e.path);
		if (!err)
			err = make_entry(&e, &links);
		if (err) {
			pr_err("initramfs: entry %u '%s': %s (error %d); skipped\n", e.index - 1,
			       name, err == -EPERM ? "name leaves the root" : "cannot create",
			       err);
			first_err = first_err ? first_err : -EINVAL;
		}
		count++;
	}
	if (!first_err && !trailer) {
		pr_err("initramfs: archive ends at offset %zu without TRAILER!!! (truncated?)\n",
		       off);
		first_err = -EINVAL;
	}
	free_links(links);
	io_buf_free(e.path);
	if (!first_err && count)
		pr_info("initramfs: unpacked %u entries\n", count);
	return first_err;
}
