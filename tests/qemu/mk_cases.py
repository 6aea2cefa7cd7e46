"""QEMU cases for the microkernel personality (docs/microkernel.md): the
same tests run under /bin/mkrun, so that their files, pipes and devices
go through pm, vfs, memdev and ext2d.

  mk-suite      user/tests/mkrun.sh (a shell in the personality, servers
                killed mid-call and restarted, a client sending vfs
                nonsense), then the file, pipe, getdents and fork tests
                and the busybox applet checks, each under mkrun
  mk-ext2-write storage.sh's write phase under mkrun: mount -t ext2 goes
                to vfs, which asks pm for an ext2d; after the unmount the
                host runs e2fsck -fn and compares every byte (as for the
                kernel's ext2 in storage_cases.py)
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import storage_cases as sc  # noqa: E402
from user_cases import SUMMARY_CLEAN, WELCOME  # noqa: E402


def setup_ext2(tdir):
    sc.make_disk(sc.img("mk-ext2-write"), "write")


def setup_suite(tdir):
    sc.make_disk(sc.img("mk-suite"), "write")


def check_ext2(out, tdir):
    problems = sc.fsck_and_compare(sc.img("mk-ext2-write"))
    if not re.search(r"ok - mkext2/write/umount", out):
        problems.append("the unmount under mkrun did not succeed")
    return problems


MK_TESTS = "mkrun,mk:files,mk:pipe,mk:getdents,mk:fork,mk:busybox"

CASES = [
    dict(name="mk-suite", cmdline="basalt.test=" + MK_TESTS, initramfs=True,
         setup=setup_suite, qemu_args=sc.drive(sc.img("mk-suite")),
         collect=["mkrun/", "user/", "busybox/"], exit=33, timeout=900,
         expect=[WELCOME, r"pm: serving the microkernel personality", SUMMARY_CLEAN,
                 r"ok - mkrun/shell/pipes", r"ok - mkrun/kill/vfs-next-call-works",
                 r"ok - mkrun/costs/microkernel-copy-and-switches",
                 r"pm: vfs \(pid \d+\) died \(signal 9\); restarted as pid \d+",
                 r"pm: memdev \(pid \d+\) died \(signal 9\); restarted as pid \d+",
                 r"pm: ext2d \(pid \d+\) died \(signal 9\); restarted as pid \d+",
                 r"ok - user/files/", r"ok - busybox/"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    dict(name="mk-ext2-write", cmdline="basalt.test=mk:mkext2", initramfs=True,
         setup=setup_ext2, check=check_ext2, qemu_args=sc.drive(sc.img("mk-ext2-write")),
         collect=["mkext2/"], exit=33, timeout=400,
         expect=[SUMMARY_CLEAN, r"ok - mkext2/write/f5m"],
         reject=sc.NO_PANIC + [r"not ok - "]),
]
