"""Debian's Linux kernel for scripts/bench: finding or fetching it, and the
initramfs it boots.

The kernel is $LINUX_KERNEL, else the newest /boot/vmlinuz-*, else
build/linux/boot/vmlinuz-*, else (make bench-linux) linux-image-amd64's
package from `apt-get download`, unpacked with `dpkg-deb -x` (nothing is
installed). Debian builds virtio_blk, virtio_pci and ext4 as modules, so
to mount the bench disk Linux needs them in its initramfs: from the
fetched package we keep those and what they depend on (by the `depends=`
of each module's .modinfo section) in build/linux/lib/modules/VERSION/,
and pack them, uncompressed, into a second cpio archive appended to
build/initramfs.cpio (Linux unpacks concatenated archives in turn), under
/lib/modules/linux-bench/ with the order to insmod them in
(user/tests/benchdisk.sh loads them).
"""
import glob
import gzip
import lzma
import os
import re
import shutil
import struct
import subprocess

# what mounting an ext2 disk on virtio-blk needs (ext4 serves ext2 in
# Debian's configuration, CONFIG_EXT4_USE_FOR_EXT2); ext4 asks the crypto
# API for crc32c at every mount, which without modprobe in the initramfs
# only a loaded crc32c_generic answers
WANTED = ("virtio_pci", "virtio_blk", "crc32c_generic", "ext4")
GUEST_DIR = "lib/modules/linux-bench"


def version_of(kernel):
    """The release a vmlinuz-RELEASE file name says, or None."""
    m = re.match(r"vmlinuz-(.+)$", os.path.basename(kernel))
    return m.group(1) if m else None


def module_dirs(cache, version):
    return [os.path.join(cache, "lib", "modules", version), "/lib/modules/" + version]


def modinfo_depends(data):
    """The depends= list of an ELF64 module's .modinfo section."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names = secs[shstrndx][4]
    for sh_name, _, _, _, off, size, _, _, _, _ in secs:
        end = data.index(b"\0", names + sh_name)
        if data[names + sh_name:end] == b".modinfo":
            for field in data[off:off + size].split(b"\0"):
                if field.startswith(b"depends="):
                    return [d for d in field[8:].decode().split(",") if d]
    return []


def read_module(path):
    """A module file's bytes, uncompressed."""
    if path.endswith(".xz"):
        return lzma.decompress(open(path, "rb").read())
    if path.endswith(".gz"):
        return gzip.decompress(open(path, "rb").read())
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    with open(path, "rb") as f:
        return f.read()


def closure(moddir):
    """[(name, path)] of WANTED and their dependencies in load order, built-in
    ones left out; or None when a module is neither there nor built in."""
    index = {}
    for p in glob.glob(os.path.join(moddir, "kernel", "**", "*.ko*"), recursive=True):
        name = re.sub(r"\.ko(\.\w+)?$", "", os.path.basename(p)).replace("-", "_")
        index[name] = p
    builtin = set()
    bpath = os.path.join(moddir, "modules.builtin")
    if os.path.exists(bpath):
        with open(bpath) as f:
            builtin = {re.sub(r"\.ko$", "", os.path.basename(l.strip())).replace("-", "_")
                       for l in f}
    order, seen = [], set()

    def visit(name):
        if name in seen or name in builtin:
            return True
        seen.add(name)
        if name not in index:
            return False
        if not all(visit(d) for d in modinfo_depends(read_module(index[name]))):
            return False
        order.append((name, index[name]))
        return True

    return order if all(visit(w) for w in WANTED) else None


def fetch(pkg, cache):
    """Download @pkg and keep its vmlinuz and the modules WANTED needs."""
    os.makedirs(cache, exist_ok=True)
    tmp = os.path.join(cache, "x")
    shutil.rmtree(tmp, ignore_errors=True)
    r = subprocess.run("apt-get download -q %s >&2 && dpkg-deb -x %s_*.deb x" % (pkg, pkg),
                       shell=True, cwd=cache)
    try:
        if r.returncode != 0:
            return False
        os.makedirs(os.path.join(cache, "boot"), exist_ok=True)
        for k in glob.glob(os.path.join(tmp, "boot", "vmlinuz-*")):
            shutil.move(k, os.path.join(cache, "boot", os.path.basename(k)))
        for src in glob.glob(os.path.join(tmp, "lib", "modules", "*")):
            dst = os.path.join(cache, "lib", "modules", os.path.basename(src))
            mods = closure(src) or []
            for _, p in mods:
                rel = os.path.relpath(p, src)
                os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
                shutil.copy(p, os.path.join(dst, rel))
            if os.path.exists(os.path.join(src, "modules.builtin")):
                shutil.copy(os.path.join(src, "modules.builtin"), dst)
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for deb in glob.glob(os.path.join(cache, pkg + "_*.deb")):
            os.unlink(deb)


def kernel(build, want_fetch):
    """(path, None) or (None, why). With @want_fetch, a kernel found in the
    cache without all its modules (fetched by an older scripts/bench) is
    fetched again for them."""
    k = os.environ.get("LINUX_KERNEL")
    if k:
        return (k, None) if os.access(k, os.R_OK) else (None, "cannot read " + k)
    cache = os.path.join(build, "linux")
    found = sorted(glob.glob("/boot/vmlinuz-*") + glob.glob(cache + "/boot/vmlinuz-*"))
    found = [f for f in found if os.access(f, os.R_OK)]
    if found:
        ver = version_of(found[-1])
        if want_fetch and found[-1].startswith(cache) and ver and not any(
                os.path.isdir(d) and closure(d) is not None for d in module_dirs(cache, ver)):
            fetch("linux-image-" + ver, cache)
        return found[-1], None
    if not want_fetch:
        return None, "no Linux kernel at hand (make bench-linux fetches one)"
    deps = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                          capture_output=True, text=True).stdout
    m = re.search(r"Depends: (linux-image-[0-9]\S*)", deps)
    if not m:
        return None, "apt-cache knows no linux-image-amd64 (run apt-get update)"
    pkg = m.group(1)
    found = sorted(glob.glob(cache + "/boot/vmlinuz-*")) if fetch(pkg, cache) else []
    if not found:
        return None, "could not fetch " + pkg
    return found[-1], None


def cpio_newc(entries):
    """A newc cpio archive of [(path, mode, data or None for a folder)]."""
    out = bytearray()

    def add(ino, name, mode, data):
        name_b = name.encode() + b"\0"
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0)
        out.extend(b"070701" + b"".join(b"%08X" % v for v in fields) + name_b)
        out.extend(b"\0" * (-len(out) % 4) + data + b"\0" * (-len(data) % 4))

    for ino, (path, mode, data) in enumerate(entries, 1):
        add(ino, path, mode, data if data is not None else b"")
    add(0, "TRAILER!!!", 0, b"")
    return bytes(out)


def initramfs(kernel_path, base, outdir, build):
    """(path, why): @base with Linux's disk drivers appended, or @base alone
    and why they are missing."""
    ver = version_of(kernel_path)
    if not ver:
        return base, "cannot tell the release of " + kernel_path
    cache = os.path.join(build, "linux")
    mods = None
    for d in module_dirs(cache, ver):
        if os.path.isdir(d):
            mods = closure(d)
            if mods is not None:
                break
    if mods is None:
        return base, ("no virtio_blk/ext4 modules for %s (make bench-linux fetches them)" % ver)
    entries = [(GUEST_DIR, 0o40755, None)]
    entries += [("%s/%s.ko" % (GUEST_DIR, n), 0o100644, read_module(p)) for n, p in mods]
    entries.append(("%s/load-order" % GUEST_DIR, 0o100644,
                    "".join(n + "\n" for n, _ in mods).encode()))
    out = os.path.join(outdir, "linux-initramfs.cpio")
    with open(base, "rb") as f, open(out + ".tmp", "wb") as o:
        shutil.copyfileobj(f, o)
        o.write(cpio_newc(entries))
    os.replace(out + ".tmp", out)
    return out, None
