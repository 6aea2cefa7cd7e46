"""ext2d cases: the kernel's ext2 code run as a user-space server
(/sbin/ext2d, docs/ext2d.md) behind an ipcfs mount, judged as the kernel's
ext2 is by storage_cases.py. Each boots with basalt.test=ext2d, which runs
user/tests/ext2d.sh: storage.sh's phases with STORAGE_FS=ext2d.

  ext2d-write   the guest writes files of many sizes through ext2d,
                unmounts and waits for the server to write back and exit;
                then e2fsck -fn must find the partition clean and debugfs
                must read back exactly the bytes the guest wrote
  ext2d-fuzz    eight corrupted images (other seeds than storage-fuzz) as
                /dev/vdb..vdi, each served by its own ext2d: refused or
                read with errors; no server crash, no kernel panic
"""
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import storage_cases as sc  # noqa: E402

FUZZ_DISKS = sc.FUZZ_DISKS


def setup_write(tdir):
    sc.make_disk(sc.img("ext2d-write"), "write")


def check_write(out, tdir):
    problems = sc.fsck_and_compare(sc.img("ext2d-write"))
    if not re.search(r"ok - ext2d/write/umount", out):
        problems.append("the server did not report everything written at unmount")
    return problems


def setup_fuzz(tdir):
    """As storage_cases.setup_fuzz, with seeds of its own."""
    sc.make_disk(sc.img("ext2d-fuzz"), "fuzz", size=8)
    pristine = sc.img("ext2d-fuzz-pristine")
    sc.make_disk(pristine, "fuzz", size=8, extra=["--whole", "-b", "1024", "-I", "128"])
    with open(pristine, "rb") as f:
        data = f.read()
    root = sc.root_dir_block(pristine) * 1024
    regions = [(1024, 1024), (2048, 1024), (3072, 256 * 1024)]
    if root:
        regions.append((root, 1024))
    for i in range(FUZZ_DISKS):
        rng = random.Random(2000 + i)
        b = bytearray(data)
        start, length = regions[i % len(regions)]
        for _ in range(1 + rng.randrange(16)):
            b[start + rng.randrange(length)] = rng.randrange(256)
        with open(sc.img("ext2d-fuzz%d" % i), "wb") as f:
            f.write(b)


def fuzz_args():
    args = sc.drive(sc.img("ext2d-fuzz"))
    for i in range(FUZZ_DISKS):
        args += sc.drive(sc.img("ext2d-fuzz%d" % i))
    return args


def check_fuzz(out, tdir):
    n = len(re.findall(r"ok - ext2d/fuzz/vd[b-z]", out))
    return [] if n == FUZZ_DISKS else ["%d fuzzed disks reported, want %d" % (n, FUZZ_DISKS)]


COMMON = dict(cmdline="basalt.test=ext2d", initramfs=True, collect=["ext2d/"])
NO_CRASH = sc.NO_PANIC + [r"ext2d: list corruption", r"ext2d: deadlock"]

CASES = [
    dict(name="ext2d-write", setup=setup_write, check=check_write,
         qemu_args=sc.drive(sc.img("ext2d-write")), exit=33, timeout=240,
         expect=[sc.SUMMARY_CLEAN, r"#   ext2: vda1: mounted ext2",
                 r"ok - ext2d/refuse-not-ext2", r"ok - ext2d/write/f5m"],
         reject=NO_CRASH, **COMMON),
    dict(name="ext2d-fuzz", setup=setup_fuzz, check=check_fuzz, qemu_args=fuzz_args(),
         exit=33, timeout=300, expect=[sc.SUMMARY_CLEAN], reject=NO_CRASH, **COMMON),
]
