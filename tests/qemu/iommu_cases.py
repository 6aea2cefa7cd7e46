"""DMA confined by the IOMMU (drivers/iommu/intel-iommu.c, docs/confinement.md).

Every case boots with QEMU's intel-iommu in front of the PCI devices (as
every case does, scripts/qemu.py). The edu device, driven by crashtest for
a moment, writes where nothing was mapped for it: into kernel text
(dma-text) or into a page its driver has just unmapped (dma-unmapped). The
write must be blocked and reported as an integrity-check failure naming
device, address, direction and module, the device must lose bus
mastering, and the kernel must keep running with its text unchanged.
With iommu=off the write lands and the watchdog panics with `text`,
saying where; with iommu.fault=panic the fault itself is the panic.
"""
import json
import re
import zlib

PROMPT = r"\n/ # "
PANIC = re.compile(r"BASALT-PANIC v1 (\{.*\}) crc32=([0-9a-f]{8})")
EDU = r"0000:00:0\d\.0"
BLOCKED = (r"DMAR: integrity check failed: DMA write of 0x[0-9a-f]+ by %s \(crashtest, "
           r"module crashtest\) blocked: the page is not mapped writable for the device "
           r"\(reason 0x5\)" % EDU)


def fire(trigger):
    return (PROMPT, "insmod /lib/modules/crashtest.ko && echo %s > /proc/crashtest; "
                    "echo status=$?\n" % trigger)


def record(out):
    m = PANIC.search(out)
    if not m or zlib.crc32(m.group(1).encode("latin-1")) != int(m.group(2), 16):
        return None
    return json.loads(m.group(1))


def text_address(out):
    """ksym_address's physical address, as crashtest printed it."""
    m = re.search(r"crashtest: edu \S+ DMAs 8 bytes to (0x[0-9a-f]+), the text of ksym_address",
                  out)
    return int(m.group(1), 16) if m else None


def blocked_at_text(out, tdir):
    """The fault names the very address crashtest aimed at."""
    want = text_address(out)
    m = re.search(r"DMA write of (0x[0-9a-f]+) by", out)
    if want is None or not m:
        return ["no target address or no fault line"]
    if int(m.group(1), 16) != want & ~0xfff:
        return ["fault at %s, crashtest aimed at %#x" % (m.group(1), want)]
    return []


def fault_record(out, tdir):
    rec = record(out)
    if rec is None:
        return ["no valid panic record"]
    f = rec.get("dma_fault") or {}
    problems = []
    for key, want in (("direction", "write"), ("driver", "crashtest"),
                      ("module", "crashtest"), ("fault_reason", 5)):
        if f.get(key) != want:
            problems.append("dma_fault.%s is %r, want %r" % (key, f.get(key), want))
    if not re.fullmatch(EDU, f.get("device", "")):
        problems.append("dma_fault.device is %r" % f.get("device"))
    want = text_address(out)
    if want is None or int(str(f.get("address", "0")), 16) != want & ~0xfff:
        problems.append("dma_fault.address %r, crashtest aimed at %r" % (f.get("address"), want))
    return problems


CASES = [
    # the boot log shows each device's domain; /proc/iommu lists them
    dict(name="iommu-domains", initramfs=True, exit=33, timeout=60,
         script=[(PROMPT, "cat /proc/iommu; echo iommu-listed\n"),
                 (r"iommu-listed\r?\n", "poweroff\n")],
         expect=[r"DMAR: 0000:00:1f\.2 \[8086:2922\] ICH9 AHCI: domain \d+",
                 r"DMAR: 0000:00:0\d\.0 \[1234:11e8\] edu: domain \d+",
                 r"DMAR: 0xfed90000: VT-d \d\.\d, 3-level tables \(39-bit\), \d+ domain ids, "
                 r"\S+ page walks; DMA remapping on",
                 r"unit 0xfed90000 levels 3 faults 0",
                 r"0000:00:1f\.2 domain \d+ pages \d+ driver ahci"],
         reject=[r"BASALT-PANIC", r"DMA unconfined", r"integrity check failed"]),
    # a driver's mappings: there while it is bound, gone when it is unbound
    dict(name="iommu-unbind-clears", initramfs=True, exit=33, timeout=60,
         script=[(PROMPT, "insmod /lib/modules/edu.ko && grep ' edu$' /proc/iommu; "
                          "rmmod edu && grep 'driver -' /proc/iommu && echo edu-gone\n"),
                 (r"edu-gone\r?\n", "poweroff\n")],
         expect=[r"%s domain \d+ pages [1-9]\d* driver edu" % EDU,
                 r"rmmod edu[^\n]*\n[\s\S]*%s domain \d+ pages 0 driver -" % EDU],
         reject=[r"BASALT-PANIC", r"integrity check failed"]),
    # no IOMMU in the machine: everything as before, and the log says so
    dict(name="iommu-absent", iommu=False, initramfs=True, exit=33, timeout=60,
         script=[(PROMPT, "insmod /lib/modules/edu.ko && cat /proc/iommu; echo listed\n"),
                 (r"listed\r?\n", "poweroff\n")],
         expect=[r"DMAR: no remapping unit \(no ACPI DMAR table\): DMA is unconfined",
                 r"\nDMA unconfined"],
         reject=[r"BASALT-PANIC", r"DMA remapping on"]),
    # a device writing kernel text: blocked, reported, the kernel goes on
    dict(name="iommu-dma-text-blocked", initramfs=True, exit=33, timeout=90,
         script=[fire("dma-text"),
                 (r"status=\d+", "sleep 3; cat /proc/iommu /proc/modules "
                                  "/proc/module_entitlements; echo alive-after\n"),
                 (r"alive-after\r?\n", "rmmod crashtest && echo removed\n"),
                 (r"\nremoved\r?\n", "poweroff\n")],
         expect=[BLOCKED,
                 r"DMAR: %s: bus mastering off; driver crashtest \(module crashtest\) marked "
                 r"faulted" % EDU,
                 r"crashtest: dma-text: the device's write did not land; kernel text unchanged",
                 r"crashtest: 'dma-text' was stopped before it did harm", r"status=0",
                 r"unit 0xfed90000 levels 3 faults 1",
                 r"%s domain \d+ pages 0 driver - faulted" % EDU,
                 r"\ncrashtest \d+ 0 - Live 0x[0-9a-f]+ \(faulted\)",
                 r"\ncrashtest \S+ [^\n]*\(faulted: DMA write of 0x[0-9a-f]+ blocked by the IOMMU\)",
                 r"\nremoved"],
         check=blocked_at_text,
         reject=[r"BASALT-PANIC", r"the watchdog did not notice"]),
    # the same device write with iommu=off: it lands, the watchdog panics, saying where
    dict(name="iommu-off-dma-text-panics", cmdline="loglevel=6 iommu=off panic=halt",
         initramfs=True, exit=65, timeout=90, script=[fire("dma-text")],
         expect=[r"DMAR: iommu=off: DMA is unconfined",
                 r"BASALT-PANIC v1 \{\"reason\":\"text\"",
                 r"kernel \.text changed since boot \(SHA-512 mismatch\): first change in the "
                 r"64 bytes at 0xffffffff[0-9a-f]+ \(ksym_address\+0x[0-9a-f]+/0x[0-9a-f]+\), "
                 r"page 0xffffffff[0-9a-f]+000"],
         reject=[r"integrity check failed: DMA"]),
    # iommu.fault=panic: the blocked write is the panic, its record names it all
    dict(name="iommu-fault-panic", cmdline="loglevel=6 iommu.fault=panic panic=halt",
         initramfs=True, exit=65, timeout=90, script=[fire("dma-text")],
         expect=[r"BASALT-PANIC v1 \{\"reason\":\"dma-fault\"",
                 r"DMA fault: device %s write of 0x[0-9a-f]+, driver crashtest, module "
                 r"crashtest, fault reason 0x5" % EDU],
         check=fault_record),
    # a page the driver unmapped is out of the device's reach again
    dict(name="iommu-dma-after-unmap", initramfs=True, exit=33, timeout=90,
         script=[fire("dma-unmapped"),
                 (r"status=\d+", "poweroff\n")],
         expect=[r"crashtest: dma-unmapped: mapped write landed, unmapped write blocked",
                 r"DMAR: integrity check failed: DMA write of 0x[0-9a-f]+ by %s" % EDU,
                 r"crashtest: 'dma-unmapped' was stopped before it did harm", r"status=0"],
         reject=[r"BASALT-PANIC"]),
]
