"""9p cases (fs/9p: a host folder over virtio-9p), added to CASES by
tests/qemu/cases.py. Each shares a fresh folder under build/test with
the mount tag "host", as `make run` shares build/.

  9p            user/tests/9p.sh mounts it at /host with Linux's
                syntax, reads what the setup put there, writes, appends,
                truncates, renames, links, chmods and deletes; the check
                then reads the folder on the host: every byte and mode
                the guest left, and the deleted names gone
  9p-module     user/tests/9p_module.sh loads build/modules/hello.ko
                from the share and unloads it, twice

File contents are made by busybox seq on both sides (gen()). (The file is
ninep_cases.py because a Python module's name cannot start with a digit.)
"""
import calendar
import os
import shutil
import stat

from storage_cases import TDIR, gen  # the same generator as storage.sh's
import qemu  # noqa: E402  (scripts/, on the path storage_cases set)

SHARE = os.path.join(TDIR, "9p-share")
MODULE_SHARE = os.path.join(TDIR, "9p-module-share")
HELLO_KO = os.path.join(os.path.dirname(TDIR), "modules", "hello.ko")
NO_PANIC = [r"BASALT-PANIC", r"not ok - "]
SUMMARY_CLEAN = r"user-tests: [1-9]\d* passed, 0 failed"


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def setup_share(tdir):
    fresh(SHARE)
    with open(os.path.join(SHARE, "hello.txt"), "w") as f:
        f.write("hello from the host\n")
    with open(os.path.join(SHARE, "hostbig"), "wb") as f:
        f.write(gen(1, 200000))
    with open(os.path.join(SHARE, "victim"), "w") as f:
        f.write("the guest deletes this\n")
    os.makedirs(os.path.join(SHARE, "many"))
    for i in range(300):
        open(os.path.join(SHARE, "many", "f%03d" % i), "w").close()


def read(name):
    try:
        with open(os.path.join(SHARE, name), "rb") as f:
            return f.read()
    except OSError:
        return None


def check_share(out, tdir):
    problems = []
    want = {
        "dir/moved.txt": b"written by basalt\nmore\n",
        "big.bin": gen(2, 307200),
        "trunc": gen(3, 10000)[:4000],
        "small-msize.bin": gen(4, 50000),
        "hostbig": gen(1, 200000),
    }
    for name, data in want.items():
        got = read(name)
        if got != data:
            problems.append("host: %s differs (%s bytes, want %d)" %
                            (name, "no" if got is None else len(got), len(data)))
    for name in ("new.txt", "doomed", "victim", "gone"):
        if os.path.lexists(os.path.join(SHARE, name)):
            problems.append("host: %s should have been deleted" % name)
    moved = os.path.join(SHARE, "dir", "moved.txt")
    if os.path.exists(moved) and stat.S_IMODE(os.stat(moved).st_mode) != 0o640:
        problems.append("host: dir/moved.txt has mode %o, want 640" %
                        stat.S_IMODE(os.stat(moved).st_mode))
    link = os.path.join(SHARE, "link")
    if not os.path.islink(link) or os.readlink(link) != "dir/moved.txt":
        problems.append("host: link is not a symlink to dir/moved.txt")
    big = os.path.join(SHARE, "big.bin")
    when = calendar.timegm((2001, 2, 3, 4, 5, 6, 0, 0, 0))
    if os.path.exists(big) and int(os.stat(big).st_mtime) != when:
        problems.append("host: big.bin mtime %d, want %d" % (os.stat(big).st_mtime, when))
    return problems


def setup_module(tdir):
    fresh(MODULE_SHARE)
    shutil.copy(HELLO_KO, MODULE_SHARE)


COMMON = dict(initramfs=True, exit=33, timeout=300, reject=NO_PANIC)

CASES = [
    dict(name="9p", cmdline="basalt.test=9p", setup=setup_share, check=check_share,
         qemu_args=qemu.virtfs_args(SHARE), collect=["9p/"],
         expect=[SUMMARY_CLEAN, r"virtio-9p, mount tag \"host\""], **COMMON),
    dict(name="9p-module", cmdline="basalt.test=9p_module", setup=setup_module,
         qemu_args=qemu.virtfs_args(MODULE_SHARE), collect=["9p/module/"],
         expect=[SUMMARY_CLEAN, r"hello: goodbye, world"], **COMMON),
]
