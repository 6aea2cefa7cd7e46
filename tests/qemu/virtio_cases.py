"""Virtio library cases, added to CASES by tests/qemu/cases.py.

QEMU's virtio-rng-pci through modules/virtio_rng (user/tests/virtio_rng.sh,
run with basalt.test=virtio_rng): each loads the module, reads random bytes
from /dev/hwrng, loads/reads/unloads 50 times and checks MemFree and the
log, in each interrupt mode of the PCI transport:

  virtio-rng-msix         MSI-X, a vector for the queue and one for configuration
  virtio-rng-msix-single  the device has one MSI-X vector: it serves everything
  virtio-rng-intx         INTx forced with virtio_pci.force_intx=1

virtio-blk-intx is storage-write (storage_cases.py) with INTx forced:
virtio-blk on the shared line, e2fsck and debugfs checking the result.
"""
import storage_cases as st

SUMMARY_CLEAN = r"user-tests: [1-9]\d* passed, 0 failed"
RESULTS = [r"ok - virtio_rng/read-4k-distinct-bytes", r"ok - virtio_rng/load-read-unload-x50",
           r"ok - virtio_rng/memfree-returns", r"ok - virtio_rng/no-warnings"]
REJECT = [r"not ok - ", r"BASALT-PANIC", r"# SKIP", r"WARNING", r"nobody cared"]
INTERRUPTS = r"virtio-pci \S+: virtio\d+: interrupts: "


def rng_case(name, cmdline, device, mode, line):
    return dict(
        name=name, cmdline="basalt.test=virtio_rng " + cmdline, initramfs=True,
        collect=["virtio_rng/"], exit=33, timeout=600,
        qemu_args=["-device", device],
        expect=[SUMMARY_CLEAN, r"ok - virtio_rng/interrupts-" + mode, INTERRUPTS + line] +
        RESULTS,
        reject=REJECT)


def setup_write_intx(tdir):
    st.make_disk(st.img("write-intx"), "write")


def check_write_intx(out, tdir):
    return st.fsck_and_compare(st.img("write-intx"))


CASES = [
    rng_case("virtio-rng-msix", "", "virtio-rng-pci", "MSI-X",
             r"MSI-X, 2 vectors \(one per queue, one for configuration\)"),
    rng_case("virtio-rng-msix-single", "", "virtio-rng-pci,vectors=1", "MSI-X",
             r"MSI-X, 1 vector shared by the queues and configuration"),
    rng_case("virtio-rng-intx", "virtio_pci.force_intx=1", "virtio-rng-pci", "INTx",
             r"INTx \(IRQ \d+, shared\), forced by virtio_pci.force_intx"),
    dict(name="virtio-blk-intx", cmdline="basalt.test=storage virtio_pci.force_intx=1",
         initramfs=True, collect=["storage/"], setup=setup_write_intx, check=check_write_intx,
         qemu_args=st.drive(st.img("write-intx")), exit=33, timeout=240,
         expect=[SUMMARY_CLEAN, r"vda1: mounted ext2", INTERRUPTS + r"INTx \(IRQ \d+, shared\)",
                 r"virtio_blk virtio0: virtio-blk, queue of \d+, interrupts"],
         reject=st.NO_PANIC + [r"nobody cared"]),
]
