"""QEMU test cases run by scripts/run-tests.

Each case boots build/basalt.elf from an ISO made for its grub options and
checks the serial output. Keys:
  name       test name ("ok - qemu/<name>")
  cmdline    kernel command line
  firmware   "bios" (SeaBIOS) or "uefi" (OVMF)
  memory     QEMU -m
  grub       dict of make_iso options: text, multiboot1
  until      regex: stop the VM once the serial output matches it
  expect     regexes that must all appear in the serial output
  reject     regexes that must not appear
  exit       expected QEMU exit status (33 success, 35 failure, 65 panic), or
             None when the runner stops the VM itself after `until`
  ktest      the boot prints in-kernel "ok - kernel/..." lines to collect
  panic      dict: expected record {reason, symbol} (CRC is always checked)
  screen     check the framebuffer/VGA screen has text drawn on it
  timeout    seconds before the boot counts as hung
  qemu_args  more QEMU arguments (disks, devices)
  setup      a function called with the test directory before the boot
  check      a function called with (serial output, test dir) after the
             boot; returns a list of problems (empty when all is well)
  script     [(regex, text)]: type text on the serial console when the
             output since the previous step matches regex
  kernel     another kernel under build/ to boot (default basalt.elf)
  iommu      False: no intel-iommu in the machine (every other case has one)
"""

from user_cases import USER_CASES, WELCOME

BANNER = r"Basalt \d+\.\d+\.\d+ \(x86_64\)"
IDLE = r"Basalt is up: idling with interrupts on"
PROMPT = r"\n/ # "		# busybox sh, started by /init, is reading the console


def _paste_lines(n):
    """@n lines of 63 printable characters, the same every run."""
    import hashlib
    out, h = [], b"basalt"
    for _ in range(n):
        h = hashlib.sha256(h).digest()
        out.append((h.hex() * 2)[:63] + "\n")
    return "".join(out)


PASTE = _paste_lines(4096)		# 256 KiB
PASTE_MD5 = __import__("hashlib").md5(PASTE.encode()).hexdigest()
BOOT_EXPECT = [BANNER, r"Command line: ", r"Memory: \d+K/\d+K available", IDLE, WELCOME]

CASES = [
    # two CPUs, as make run boots (whatever TEST_SMP says)
    dict(name="boot-bios", firmware="bios", until=PROMPT, initramfs=True,
         qemu_args=["-smp", "2"],
         expect=BOOT_EXPECT + [r"\(BIOS\)", r"fbcon: 1024x768", r"smp: 2 CPUs run the scheduler"],
         reject=[r"BASALT-PANIC"]),
    # SMP bring-up: every CPU the MADT lists starts and parks (nosmp and
    # maxcpus= limit it), under SeaBIOS and OVMF; the shell still comes up.
    dict(name="smp-bios-4", qemu_args=["-smp", "4"], until=PROMPT, initramfs=True,
         expect=[r"acpi: .* 4 CPU\(s\)", r"smp: CPU 3 \(APIC id 3\) is up", r"smp: 4 CPU\(s\) up",
                 WELCOME], reject=[r"BASALT-PANIC", r"did not come up", r"reads itself as"]),
    dict(name="smp-uefi-8", firmware="uefi", qemu_args=["-smp", "8"], until=PROMPT,
         initramfs=True, timeout=120,
         expect=[r"smp: CPU 7 \(APIC id 7\) is up", r"smp: 8 CPU\(s\) up", WELCOME],
         reject=[r"BASALT-PANIC", r"did not come up", r"reads itself as"]),
    dict(name="smp-nosmp", qemu_args=["-smp", "4"], cmdline="loglevel=6 nosmp", until=PROMPT,
         initramfs=True, expect=[r"smp: 1 of 4 CPUs used \(nosmp\)", WELCOME],
         reject=[r"smp: CPU \d+ .* is up", r"BASALT-PANIC"]),
    # the same sources built with CONFIG_SMP=n (make test builds build/smp-n):
    # one CPU whatever the machine has, and everything a shell needs works
    dict(name="boot-smp-n", kernel="smp-n/basalt.elf", qemu_args=["-smp", "2"], exit=33,
         initramfs=True,
         script=[(PROMPT, "nproc; grep -c ^processor /proc/cpuinfo; "
                          "(echo piped | cat) && echo smp-n-$((6*7))\n"),
                 (r"smp-n-42", "poweroff\n")],
         expect=[r"smp: 1 of 2 CPUs used \(built without CONFIG_SMP\)", WELCOME,
                 r"nproc[^\n]*\n1\r?\n1\r?\npiped\r?\nsmp-n-42", r"reboot: Power down"],
         reject=[r"smp: CPU \d+ .* is up", r"BASALT-PANIC"]),
    dict(name="smp-maxcpus", qemu_args=["-smp", "4"], cmdline="loglevel=6 maxcpus=2",
         until=PROMPT, initramfs=True,
         expect=[r"smp: 2 of 4 CPUs used \(maxcpus=\)", r"smp: CPU 1 \(APIC id 1\) is up",
                 r"smp: 2 CPU\(s\) up", WELCOME],
         reject=[r"smp: CPU 2 ", r"BASALT-PANIC"]),
    # one CPU: the uniprocessor boot keeps working (no IPIs, no APs)
    dict(name="boot-bios-up", qemu_args=["-smp", "1"], until=PROMPT, initramfs=True,
         expect=BOOT_EXPECT, reject=[r"BASALT-PANIC", r"smp: CPU \d+ .* is up"]),
    dict(name="boot-uefi", firmware="uefi", until=PROMPT, initramfs=True,
         expect=BOOT_EXPECT + [r"\(UEFI\)"], reject=[r"BASALT-PANIC"], timeout=120),
    dict(name="ktest-bios", cmdline="ktest=all", ktest=True, exit=33,
         expect=[r"ktest: \d+ passed, 0 failed"]),
    dict(name="ktest-uefi", firmware="uefi", cmdline="ktest=all", ktest=True,
         exit=33, expect=[r"ktest: \d+ passed, 0 failed"], timeout=120),
    dict(name="fbcon-draws-text", until=PROMPT, initramfs=True, screen="fb",
         expect=[r"fbcon: 1024x768 32 bpp"]),
    # typed on the PS/2 keyboard (the GUI console's input): "echo kbd$((6*7))"
    dict(name="ps2-keyboard-input", until=PROMPT, initramfs=True,
         keys=["e", "c", "h", "o", "spc", "k", "b", "d", "shift-4", "shift-9", "shift-9",
               "6", "shift-8", "7", "shift-0", "shift-0", "ret"],
         keys_expect=r"kbd42"),
    dict(name="vga-text-fallback", grub=dict(text=True), until=PROMPT, initramfs=True,
         screen="text", expect=[r"vgacon: "], reject=[r"fbcon: \d+x\d+"]),
    dict(name="unknown-cmdline-option", cmdline="loglevel=6 frobnicate=3 ktest.crash",
         until=PROMPT, initramfs=True,
         expect=[r"cmdline: unknown option 'frobnicate' ignored",
                 r"cmdline: bad value '' for option 'ktest.crash' ignored", WELCOME]),
    dict(name="bad-loglevel-value", cmdline="loglevel=9", until=PROMPT, initramfs=True,
         expect=[r"cmdline: bad value '9' for option 'loglevel' ignored", WELCOME]),
    # A person at the serial console: ^C interrupts a foreground job, ^Z
    # stops one and fg resumes it, history recall works, and poweroff really
    # powers the machine off (status 33 through isa-debug-exit).
    dict(name="interactive-shell", initramfs=True, exit=33, timeout=120,
         script=[(PROMPT, "\n"), (PROMPT, "sleep 100\n"), (r"sleep 100", "\x03"),
                 (PROMPT, "echo status=$?\n"), (r"status=\d+", "sleep 30\n"),
                 (r"sleep 30", "\x1a"), (r"Stopped", "fg\n"), (r"sleep 30", "\x03"),
                 (PROMPT, "echo history-check\n"), (r"history-check\r?\n", "\x1b[A\n"),
                 (r"history-check[\s\S]*history-check[\s\S]*history-check", "poweroff\n")],
         expect=[r"status=130", r"Stopped\s+sleep 30", r"reboot: Power down"],
         reject=[r"BASALT-PANIC"]),
    # Pasting into the serial console loses nothing: 256 KiB of lines,
    # pasted while the reader sleeps (so the 4 KiB line discipline fills at
    # once), then read by head in canonical mode with echo and in raw mode
    # without; both checksums are the host's (the UART is held back while
    # the line discipline is full, drivers/tty/serial8250.c).
    dict(name="serial-paste", initramfs=True, exit=33, timeout=300,
         script=[(PROMPT, "echo paste-1; sleep 2; head -c %d | md5sum\n" % len(PASTE)),
                 (r"paste-1\r?\n", PASTE),
                 (r"%s  -" % PASTE_MD5, "stty raw -echo; echo paste-2; sleep 2; head -c %d | md5sum; "
                  "stty sane; echo pasted\n" % len(PASTE)),
                 (r"paste-2\r?\n", PASTE),
                 (r"pasted\r?\n", "poweroff\n")],
         expect=[r"%s  -[\s\S]*paste-2[\s\S]*%s  -" % (PASTE_MD5, PASTE_MD5),
                 r"reboot: Power down"],
         reject=[r"BASALT-PANIC"]),
    # A panic survives a warm reboot: panic=reboot resets the machine, the
    # next boot reports the record and serves it as /proc/last_panic.
    dict(name="panic-record-survives-reboot", cmdline="panic=reboot", initramfs=True,
         reboot=True, exit=33, timeout=120,
         script=[(PROMPT, "echo c > /proc/sysrq-trigger\n"),
                 (r"Rebooting in 0 seconds", ""),
                 (r"the previous boot panicked", ""),
                 (PROMPT, "cat /proc/last_panic\n"),
                 (r"\"reason\":\"sysrq\"[^\n]*crc32=[0-9a-f]{8}", "poweroff\n")],
         expect=[r"pstore: the previous boot panicked; the record is in /proc/last_panic",
                 r"BASALT-PANIC v1 \{\"reason\":\"sysrq\""],
         reject=[r"CRC mismatch"]),
    dict(name="no-init-found", until=r"BASALT-PANIC", exit=65,
         expect=[r"init: cannot run /init \(error -2\)", r"initramfs: no boot module"],
         panic=dict(reason="no-init", symbol="init_thread")),
    dict(name="not-multiboot2", grub=dict(multiboot1=True),
         until=r"not started by a Multiboot2 boot loader",
         expect=[r"Basalt: not started by a Multiboot2 boot loader \(eax=0x2badb002"],
         reject=[BANNER]),
    # 12 MiB: below the 16 MiB minimum, with room for GRUB to load the kernel
    dict(name="too-little-memory", memory="12M", exit=65,
         expect=[r"Basalt needs at least \d+ MiB of RAM"],
         panic=dict(reason="no-memory", symbol="mm_init")),
    # Each deliberate fault must end in panic() with its own reason code, a
    # valid record, and the faulting function in the backtrace.
    dict(name="panic-exception-ud2", cmdline="ktest.crash=ud2", exit=65,
         expect=[r"invalid opcode \(#UD\)", r"Call Trace:"],
         panic=dict(reason="exception", symbol="crash_ud2")),
    dict(name="panic-null-deref", cmdline="ktest.crash=null", exit=65,
         expect=[r"page fault at 0x8: not-present page on write"],
         panic=dict(reason="null-deref", symbol="crash_null")),
    dict(name="panic-stack-canary", cmdline="ktest.crash=canary", exit=65,
         panic=dict(reason="stack-canary", symbol="crash_canary")),
    dict(name="panic-redzone", cmdline="ktest.crash=redzone", exit=65,
         panic=dict(reason="redzone", symbol="crash_redzone")),
    dict(name="panic-double-free", cmdline="ktest.crash=double-free", exit=65,
         panic=dict(reason="double-free", symbol="crash_double_free")),
    dict(name="panic-stack-overflow-guard", cmdline="ktest.crash=stack-overflow",
         exit=65, panic=dict(reason="double-fault", symbol="crash_recurse")),
    dict(name="panic-bug-on", cmdline="ktest.crash=bug", exit=65,
         expect=[r"BUG_ON\(crash != NULL\) at kernel/test/crash.c:\d+"],
         panic=dict(reason="bug", symbol="crash_bug")),
] + USER_CASES

# Every other tests/qemu/<area>_cases.py adds its list CASES here.
import glob as _glob
import importlib as _importlib
import os as _os

for _f in sorted(_glob.glob(_os.path.join(_os.path.dirname(_os.path.abspath(__file__)),
                                          "*_cases.py"))):
    _name = _os.path.basename(_f)[:-3]
    if _name != "user_cases":
        CASES += getattr(_importlib.import_module(_name), "CASES", [])
