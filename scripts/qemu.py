"""Shared QEMU invocation for scripts/run-qemu, scripts/run-tests and the
benchmarks: one place that knows the machine Basalt targets (q35, -cpu max,
TCG), where OVMF lives, and how an ISO with a given grub.cfg is made."""
import hashlib
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
OVMF_CODE = ["/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_CODE.fd"]
OVMF_VARS = ["/usr/share/OVMF/OVMF_VARS_4M.fd", "/usr/share/OVMF/OVMF_VARS.fd"]


def first_existing(paths):
    for p in paths:
        if os.path.exists(p):
            return p
    raise FileNotFoundError("none of %s exists (install the ovmf package)" % paths)


# A VT-d unit in front of every PCI device (docs/confinement.md); virtio
# devices then send their DMA through it too (VIRTIO_F_ACCESS_PLATFORM).
# (QEMU allows that only for modern-only devices; Basalt drives no legacy
# virtio anyway.)
IOMMU_ARGS = ["-device", "intel-iommu"]
for _dev in ("virtio-blk-pci", "virtio-9p-pci", "virtio-rng-pci"):
    IOMMU_ARGS += ["-global", _dev + ".disable-legacy=on",
                   "-global", _dev + ".iommu_platform=on"]


def qemu_command(iso, memory="256M", uefi=False, gui=False, debug_exit=True,
                 extra=None, vars_dir=None, reboot=False, iommu=True):
    """The argument list for booting @iso. Serial is left to the caller.
    IOMMU=0 in the environment leaves the IOMMU out of every machine."""
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", "max", "-m", memory]
    if iommu and os.environ.get("IOMMU", "1") != "0":
        cmd += IOMMU_ARGS          # before the other devices, as QEMU asks
    cmd += ["-cdrom", iso, "-boot", "d",
            "-device", "edu"]         # QEMU's teaching PCI device, for modules/edu
    if uefi:
        code = first_existing(OVMF_CODE)
        vars_src = first_existing(OVMF_VARS)
        vars_dir = vars_dir or BUILD
        os.makedirs(vars_dir, exist_ok=True)
        vars_copy = os.path.join(vars_dir, "OVMF_VARS.%d.fd" % os.getpid())
        shutil.copyfile(vars_src, vars_copy)
        cmd += ["-drive", "if=pflash,format=raw,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,file=" + vars_copy]
    if not reboot:
        cmd += ["-no-reboot"]      # a reset ends QEMU, unless the case wants the reboot
    if debug_exit:
        cmd += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if not gui:
        cmd += ["-display", "none"]
    return cmd + (extra or [])


def virtfs_args(path, tag="host"):
    """Share host folder @path with the guest as virtio-9p mount tag @tag
    (mount -t 9p -o trans=virtio,version=9p2000.L TAG DIR in the guest)."""
    path = os.path.abspath(path).replace(",", ",,")   # QEMU's escape for a comma
    return ["-virtfs", "local,path=%s,mount_tag=%s,security_model=none,id=%s" % (path, tag, tag)]


def make_iso(kernel, cmdline="", text=False, multiboot1=False, initramfs=None,
             outdir=None):
    """Build (or reuse) an ISO of @kernel with a grub.cfg for these options."""
    args = ["--cmdline", cmdline]
    if text:
        args.append("--text")
    if multiboot1:
        args.append("--multiboot1")
    if initramfs:
        args.append("--initramfs")
    cfg = subprocess.run([os.path.join(ROOT, "scripts", "mkgrubcfg")] + args,
                         capture_output=True, text=True, check=True).stdout
    h = hashlib.sha256()
    h.update(cfg.encode())
    for f in [kernel] + ([initramfs] if initramfs else []):
        with open(f, "rb") as fh:
            h.update(fh.read())
    outdir = outdir or os.path.join(BUILD, "test")
    iso = os.path.join(outdir, "basalt-%s.iso" % h.hexdigest()[:16])
    if os.path.exists(iso):
        return iso
    tree = iso + ".d"
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "boot", "grub"))
    # without debug info: GRUB must fit the kernel in as little as 8 MiB of RAM
    # (build/basalt.elf keeps it for gdb and decode-panic)
    if subprocess.run(["objcopy", "--strip-debug", kernel,
                       os.path.join(tree, "boot", "basalt.elf")]).returncode:
        shutil.copy(kernel, os.path.join(tree, "boot", "basalt.elf"))
    if initramfs:
        shutil.copy(initramfs, os.path.join(tree, "boot", "initramfs.cpio"))
    with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
        f.write(cfg)
    subprocess.run(["grub-mkrescue", "-o", iso + ".tmp", tree],
                   capture_output=True, check=True)
    os.rename(iso + ".tmp", iso)
    shutil.rmtree(tree, ignore_errors=True)
    return iso
