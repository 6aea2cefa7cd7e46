"""AHCI cases, added to CASES by tests/qemu/cases.py: a disk from
scripts/mkdisk on q35's ICH9 AHCI controller (bus ide.0, port 0) is
/dev/sda. At the shell the test mounts /dev/sda1, writes a file, syncs,
unmounts and mounts again (so the read comes from the disk, not the
cache), compares checksums, unmounts and powers off; on the host
e2fsck -fn must find the partition clean and debugfs must read the same
bytes. ahci-ext2 completes requests by MSI, ahci-ext2-polled by polling.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
import qemu  # noqa: E402

TDIR = os.path.join(qemu.BUILD, "test")
OFFSET = 1 << 20
PROMPT = r"\n/ # "
# 40000 numbered lines (about 230 KiB): many blocks, several requests
LINES = 40000
WANT = "".join("%d\n" % i for i in range(1, LINES + 1)).encode()


def img(name):
    return os.path.join(TDIR, "%s.img" % name)


def setup(name):
    def fn(tdir):
        os.makedirs(TDIR, exist_ok=True)
        subprocess.run([os.path.join(qemu.ROOT, "scripts", "mkdisk"), "-s", "32", "-d",
                        os.path.join(qemu.ROOT, "user", "disk"), img(name)], check=True)
    return fn


def check(name):
    def fn(out, tdir):
        problems = []
        dev = "%s?offset=%d" % (img(name), OFFSET)
        p = subprocess.run(["e2fsck", "-fn", dev], capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("e2fsck -fn exit %d: %s" %
                            (p.returncode, " | ".join(p.stdout.splitlines()[-6:])))
        p = subprocess.run(["debugfs", "-R", "cat /ahci.txt", dev], capture_output=True)
        if p.stdout != WANT:
            problems.append("debugfs: /ahci.txt differs (%d bytes, want %d)" %
                            (len(p.stdout), len(WANT)))
        return problems
    return fn


def case(name, cmdline, mode):
    return dict(
        name=name, cmdline=cmdline, initramfs=True, exit=33, timeout=120,
        setup=setup(name), check=check(name),
        qemu_args=["-drive", "file=%s,if=none,id=sata0,format=raw" % img(name),
                   "-device", "ide-hd,drive=sata0,bus=ide.0"],
        script=[(PROMPT, "mount -t ext2 /dev/sda1 /mnt; echo mount-$?\n"),
                (r"mount-0", "seq 1 %d > /mnt/ahci.txt; sync; echo wrote-$?\n" % LINES),
                # unmounting drops the cache: the second mount reads the disk
                (r"wrote-0", "umount /mnt; mount -t ext2 /dev/sda1 /mnt; echo again-$?\n"),
                (r"again-0", "md5sum /mnt/ahci.txt; seq 1 %d | md5sum\n" % LINES),
                (r"  -\r?\n", "umount /mnt; echo umount-$?\n"),
                (r"umount-0", "poweroff\n")],
        expect=[r"ahci \S+: AHCI \d+\.\d+, \d+ slots, ports 0x[0-9a-f]+, " + mode,
                r"sda: port 0, QEMU HARDDISK", r"ahci: port 2: ATAPI drive, not used",
                r"sda1: partition at sector", r"mount-0", r"wrote-0", r"again-0",
                r"([0-9a-f]{32})  /mnt/ahci.txt\s+\1  -", r"umount-0",
                r"reboot: Power down"],
        reject=[r"BASALT-PANIC", r"ahci: .*error"])


CASES = [
    case("ahci-ext2", "", "MSI"),
    case("ahci-ext2-polled", "ahci.poll", "polled"),
]
