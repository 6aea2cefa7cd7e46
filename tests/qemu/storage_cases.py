"""Storage cases (virtio-blk, the buffer cache, ext2), added to CASES by
tests/qemu/cases.py. Each boots with basalt.test=storage, which runs
user/tests/storage.sh; the disk's /phase file tells it what to do.

  storage-write   the guest writes files of many sizes, syncs, unmounts;
                  then e2fsck -fn must find the partition clean and
                  debugfs must read back exactly the bytes the guest wrote
  storage-reboot  a first boot writes (in setup), the second reads back
  storage-crash   QEMU is killed right after sync: e2fsck clean, data there
  storage-fuzz    eight corrupted images (random bytes over superblock,
                  group descriptors, inode table, root directory; fixed
                  seeds) as /dev/vdb..vdi: refused or read, no panic, no hang

File contents are made by busybox seq on both sides (storage.sh's gen()).
"""
import os
import random
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
import qemu  # noqa: E402

TDIR = os.path.join(qemu.BUILD, "test")
MKDISK = os.path.join(qemu.ROOT, "scripts", "mkdisk")
BUSYBOX = "/bin/busybox"
OFFSET = 1 << 20
SUMMARY_CLEAN = r"user-tests: [1-9]\d* passed, 0 failed"
NO_PANIC = [r"BASALT-PANIC", r"not ok - "]
FUZZ_DISKS = 8

# name, seed, size, hole in 4 KiB blocks: as in storage.sh
FILES = [("f0", 1, 0, 0), ("f1", 2, 1, 0), ("f4095", 3, 4095, 0), ("f4096", 4, 4096, 0),
         ("f4097", 5, 4097, 0), ("f1m", 6, 1 << 20, 0), ("f5m", 7, 5 << 20, 0),
         ("sparse", 8, 5000, 1536)]


def img(name):
    return os.path.join(TDIR, "storage-%s.img" % name)


def drive(path):
    return ["-drive", "file=%s,if=virtio,format=raw" % path]


def gen(seed, size):
    """The bytes storage.sh's gen() makes, from the same busybox."""
    script = "seq -w %d %d | head -c %d" % (seed * 10000000, seed * 10000000 + size // 8 + 1,
                                            size)
    return subprocess.run([BUSYBOX, "sh", "-c", script], capture_output=True,
                          check=True).stdout


def make_disk(path, phase, size=64, extra=()):
    skel = path + ".skel"
    shutil.rmtree(skel, ignore_errors=True)
    shutil.copytree(os.path.join(qemu.ROOT, "user", "disk"), skel, symlinks=True)
    with open(os.path.join(skel, "phase"), "w") as f:
        f.write(phase + "\n")
    subprocess.run([MKDISK, "-s", str(size), "-d", skel] + list(extra) + [path], check=True)
    shutil.rmtree(skel, ignore_errors=True)


def fsck_and_compare(path, offset=OFFSET):
    """Problems e2fsck and a byte-for-byte read back with debugfs find."""
    problems = []
    dev = "%s?offset=%d" % (path, offset)
    p = subprocess.run(["e2fsck", "-fn", dev], capture_output=True, text=True)
    if p.returncode != 0:
        problems.append("e2fsck -fn exit %d: %s" % (p.returncode,
                                                   " | ".join(p.stdout.splitlines()[-6:])))
    for name, seed, size, hole in FILES:
        out = path + ".dump"
        if os.path.exists(out):
            os.unlink(out)
        subprocess.run(["debugfs", "-R", "dump /data/%s %s" % (name, out), dev],
                       capture_output=True)
        want = b"\0" * (hole * 4096) + gen(seed, size)
        try:
            with open(out, "rb") as f:
                got = f.read()
        except OSError:
            got = None
        if got != want:
            problems.append("debugfs: /data/%s differs (%s bytes, want %d)" %
                            (name, "no" if got is None else len(got), len(want)))
        if os.path.exists(out):
            os.unlink(out)
    return problems


def setup_write(tdir, name="write"):
    make_disk(img(name), "write")


def check_write(out, tdir, name="write"):
    return fsck_and_compare(img(name))


def setup_reboot(tdir):
    """The first boot: the write phase, which leaves /phase saying verify."""
    make_disk(img("reboot"), "write")
    iso = qemu.make_iso(os.path.join(qemu.BUILD, "basalt.elf"), cmdline="basalt.test=storage",
                        initramfs=os.path.join(qemu.BUILD, "initramfs.cpio"))
    log = os.path.join(tdir, "storage-reboot.first.log")
    cmd = qemu.qemu_command(iso, extra=["-serial", "file:" + log] + drive(img("reboot")))
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=240)


def check_reboot(out, tdir):
    with open(os.path.join(tdir, "storage-reboot.first.log"), "rb") as f:
        first = f.read().decode("latin-1")
    if not re.search(SUMMARY_CLEAN, first):
        return ["the first (writing) boot did not pass: see storage-reboot.first.log"]
    return []


def setup_crash(tdir):
    make_disk(img("crash"), "crash")


def check_crash(out, tdir):
    return fsck_and_compare(img("crash"))


def root_dir_block(path):
    """The root directory's first block, as debugfs reports it."""
    p = subprocess.run(["debugfs", "-R", "bmap / 0", path], capture_output=True, text=True)
    try:
        return int(p.stdout.split()[0])
    except (IndexError, ValueError):
        return 0


def setup_fuzz(tdir):
    make_disk(img("fuzz"), "fuzz", size=8)
    pristine = img("fuzz-pristine")
    make_disk(pristine, "fuzz", size=8, extra=["--whole", "-b", "1024", "-I", "128"])
    with open(pristine, "rb") as f:
        data = f.read()
    root = root_dir_block(pristine) * 1024
    # superblock, group descriptors, bitmaps and inode table, root directory
    regions = [(1024, 1024), (2048, 1024), (3072, 256 * 1024)]
    if root:
        regions.append((root, 1024))
    for i in range(FUZZ_DISKS):
        rng = random.Random(1000 + i)
        b = bytearray(data)
        start, length = regions[i % len(regions)]
        for _ in range(1 + rng.randrange(16)):
            b[start + rng.randrange(length)] = rng.randrange(256)
        with open(img("fuzz%d" % i), "wb") as f:
            f.write(b)


def fuzz_args():
    args = drive(img("fuzz"))
    for i in range(FUZZ_DISKS):
        args += drive(img("fuzz%d" % i))
    return args


def check_fuzz(out, tdir):
    n = len(re.findall(r"ok - storage/fuzz/vd[b-z]", out))
    return [] if n == FUZZ_DISKS else ["%d fuzzed disks reported, want %d" % (n, FUZZ_DISKS)]


COMMON = dict(cmdline="basalt.test=storage", initramfs=True, collect=["storage/"])

CASES = [
    dict(name="storage-write", setup=setup_write, check=check_write,
         qemu_args=drive(img("write")), exit=33, timeout=180,
         expect=[SUMMARY_CLEAN, r"vda1: mounted ext2"], reject=NO_PANIC, **COMMON),
    dict(name="storage-reboot", setup=setup_reboot, check=check_reboot,
         qemu_args=drive(img("reboot")), exit=33, timeout=180,
         expect=[SUMMARY_CLEAN, r"ok - storage/verify/f5m"], reject=NO_PANIC, **COMMON),
    dict(name="storage-crash", setup=setup_crash, check=check_crash,
         qemu_args=drive(img("crash")), until=r"storage: synced", timeout=180,
         expect=[r"storage: synced"], reject=NO_PANIC, **COMMON),
    dict(name="storage-fuzz", setup=setup_fuzz, check=check_fuzz, qemu_args=fuzz_args(),
         exit=33, timeout=240, expect=[SUMMARY_CLEAN], reject=NO_PANIC, **COMMON),
    # the same writes and fsck at -smp 4: the block layer's completions on
    # CPU 0 while the writer runs elsewhere
    dict(name="storage-write-smp4", setup=lambda tdir: setup_write(tdir, "write-smp4"),
         check=lambda out, tdir: check_write(out, tdir, "write-smp4"),
         qemu_args=drive(img("write-smp4")) + ["-smp", "4"], exit=33, timeout=240,
         expect=[SUMMARY_CLEAN, r"vda1: mounted ext2"], reject=NO_PANIC, **COMMON),
]
