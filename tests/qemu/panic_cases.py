"""Panics fired from a loaded module: one QEMU boot per integrity check.

Each case boots to the shell, loads the signed modules/crashtest module and
writes a trigger name to /proc/crashtest (keys as in tests/qemu/cases.py).
It must end in panic=halt (QEMU status 65) with a record that has the
check's reason, a valid CRC, the trigger function (or, for the checks the
watchdog thread makes, the watchdog) in the backtrace, and crashtest in
the record's module list. The decode cases also run scripts/decode-panic
on the raw serial log and look for the trigger's file:line.
"""
import json
import os
import re
import subprocess
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMPT = r"\n/ # "
PANIC = re.compile(r"BASALT-PANIC v1 (\{.*\}) crc32=([0-9a-f]{8})")
CRASHTEST_C = os.path.join(ROOT, "modules", "crashtest", "crashtest.c")
KTEST_CRASH_C = os.path.join(ROOT, "kernel", "test", "crash.c")


def record(out):
    """The first panic record in @out as a dict, or None if absent or damaged."""
    m = PANIC.search(out)
    if not m or zlib.crc32(m.group(1).encode("latin-1")) != int(m.group(2), 16):
        return None
    try:
        return json.loads(m.group(1))
    except ValueError:
        return None


def module_listed(out, tdir):
    """The record names crashtest, with its load address and size."""
    rec = record(out)
    if rec is None:
        return []               # the runner's own panic check reports it
    for mod in rec.get("modules", []):
        if mod.get("name") == "crashtest":
            base = int(str(mod.get("base", "0")), 16)
            if not 0xffffffffa0000000 <= base < 0xffffffffff000000 or not mod.get("size"):
                return ["crashtest listed with base %s size %s" % (mod.get("base"),
                                                                   mod.get("size"))]
            return []
    return ["crashtest not in the record's modules %s" % rec.get("modules")]


def source_line(path, text):
    """1-based number of the line of @path that contains @text."""
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise LookupError("%s: no line with %r" % (path, text))


def decodes_to(case, frames):
    """A check hook: scripts/decode-panic on the case's serial log must
    exit 0 and print each (function, file, line) of @frames on one line."""
    def check(out, tdir):
        log = os.path.join(tdir, case + ".serial.log")
        try:
            p = subprocess.run([os.path.join(ROOT, "scripts", "decode-panic"), log],
                               capture_output=True, text=True, timeout=60, cwd=ROOT)
        except (OSError, subprocess.TimeoutExpired) as e:
            return ["decode-panic did not run: %s" % e]
        problems = []
        if p.returncode != 0:
            problems.append("decode-panic exit status %d: %s" % (p.returncode,
                                                                p.stderr.strip()[-200:]))
        for func, path, text in frames:
            line = source_line(os.path.join(ROOT, path), text)
            rx = r"\b%s\+0x[0-9a-f]+/0x[0-9a-f]+\b.* %s:%d\b" % (
                re.escape(func), re.escape(path), line)
            if not re.search(rx, p.stdout):
                problems.append("decode-panic has no frame %s at %s:%d" % (func, path, line))
        if problems:
            problems.append("decode-panic said: " + " | ".join(p.stdout.splitlines()[:40]))
        return problems
    return check


SYM_RX = re.compile(r"^[\w.$]+\+0x[0-9a-f]+/0x[0-9a-f]+")


def cpus_stopped(ncpus, panicking):
    """A check hook: the record's "cpus" has @ncpus entries, CPU @panicking
    is the only panicking one (and the top-level "cpu"), and every other CPU
    was stopped by the NMI with its registers and symbolized frames."""
    def check(out, tdir):
        rec = record(out)
        if rec is None:
            return []           # the runner's own panic check reports it
        cpus = rec.get("cpus")
        if not isinstance(cpus, list) or len(cpus) != ncpus:
            return ["record has cpus %r, expected %d entries" % (cpus, ncpus)]
        problems = []
        if rec.get("cpu") != panicking:
            problems.append("record cpu %r, expected %d" % (rec.get("cpu"), panicking))
        if [c.get("cpu") for c in cpus] != list(range(ncpus)):
            problems.append("cpus numbered %r" % [c.get("cpu") for c in cpus])
        if [c.get("cpu") for c in cpus if c.get("panicking") is True] != [panicking]:
            problems.append("panicking CPUs %r, expected [%d]" % (
                [c.get("cpu") for c in cpus if c.get("panicking") is True], panicking))
        for c in cpus:
            if c.get("cpu") == panicking:
                if c.get("stopped") is not False or c.get("rip") != rec["regs"].get("rip"):
                    problems.append("panicking CPU's entry %r" % c)
                continue
            frames = c.get("frames") or []
            if c.get("stopped") is not True or c.get("by_nmi") is not True:
                problems.append("CPU %s not stopped by NMI: %r" % (c.get("cpu"), c))
            elif not frames or frames[0].get("addr") != c.get("rip"):
                problems.append("CPU %s frames %r do not start at rip %s" % (
                    c.get("cpu"), frames[:2], c.get("rip")))
            elif not SYM_RX.match(frames[0].get("sym", "")):
                problems.append("CPU %s stopped outside the kernel: %r" % (c.get("cpu"),
                                                                         frames[0]))
            elif len(frames) < 2:
                # at least one return address: the walk from the NMI frame's rbp
                problems.append("CPU %s has no frames past its rip: %r" % (c.get("cpu"),
                                                                         frames))
            elif not int(c.get("rsp", "0"), 16) >= 0xffff800000000000:
                problems.append("CPU %s rsp %s is not a kernel stack" % (c.get("cpu"),
                                                                       c.get("rsp")))
            if c.get("also_panicking") != "":
                problems.append("CPU %s also_panicking %r" % (c.get("cpu"),
                                                            c.get("also_panicking")))
        return problems
    return check


def decodes_cpus(case, ncpus, panicking):
    """A check hook: decode-panic prints a section per CPU, each stopped
    CPU's frame #0 resolved to a file:line of the tree."""
    def check(out, tdir):
        log = os.path.join(tdir, case + ".serial.log")
        try:
            p = subprocess.run([os.path.join(ROOT, "scripts", "decode-panic"), log],
                               capture_output=True, text=True, timeout=60, cwd=ROOT)
        except (OSError, subprocess.TimeoutExpired) as e:
            return ["decode-panic did not run: %s" % e]
        problems = [] if p.returncode == 0 else ["decode-panic exit status %d" % p.returncode]
        if not re.search(r"\n  cpu %d: panicking" % panicking, p.stdout):
            problems.append("decode-panic does not mark cpu %d panicking" % panicking)
        for cpu in range(ncpus):
            if cpu == panicking:
                continue
            rx = (r"\n  cpu %d: stopped by NMI, pid \d+ \(.*\)\n(?:    .*\n)*?"
                  r"    #0  [0-9a-f]{16} \S+\+0x[0-9a-f]+/0x[0-9a-f]+  [\w/.-]+\.(?:c|asm):\d+" % cpu)
            if not re.search(rx, p.stdout):
                problems.append("decode-panic has no resolved frame #0 for cpu %d" % cpu)
        if problems:
            problems.append("decode-panic said: " + " | ".join(p.stdout.splitlines()[-40:]))
        return problems
    return check


def one_dump_two_panics(out, tdir):
    """CPU 1 panicked in its NMI handler while CPU 0 dumped: one dump and
    one record, CPU 1's entry carries its own reason and a trace through
    ktest_nmi (saved by itself: its NMIs were blocked)."""
    problems = []
    for what, rx in (("dumps", r"-\[ cut here \]-"), ("records", r"BASALT-PANIC v1 ")):
        n = len(re.findall(rx, out))
        if n != 1:
            problems.append("%d %s, expected 1" % (n, what))
    rec = record(out)
    cpus = rec.get("cpus", []) if rec else []
    one = [c for c in cpus if c.get("cpu") == 1]
    if not one:
        return problems + ["no CPU 1 in the record's cpus %r" % cpus]
    c = one[0]
    if c.get("also_panicking") != "ktest-nmi" or \
            c.get("also_message") != "CPU 1 panics in its NMI handler":
        problems.append("CPU 1 also_panicking %r / %r" % (c.get("also_panicking"),
                                                        c.get("also_message")))
    if c.get("stopped") is not True or c.get("by_nmi") is not False:
        problems.append("CPU 1 stopped %r by_nmi %r, expected true, false" % (
            c.get("stopped"), c.get("by_nmi")))
    if not any(f.get("sym", "").startswith("ktest_nmi+0x") for f in c.get("frames", [])):
        problems.append("ktest_nmi not in CPU 1's frames %r" % c.get("frames"))
    return problems


def fire(trigger):
    return [(PROMPT, "insmod /lib/modules/crashtest.ko && echo %s > /proc/crashtest\n"
             % trigger)]


def both(*checks):
    return lambda out, tdir: sum((c(out, tdir) for c in checks), [])


# (trigger, reason, function in the backtrace, more expected output)
TRIGGERS = [
    ("stack-canary", "stack-canary", "crashtest_stack_canary",
     [r"stack protector: canary overwritten in "]),
    ("stack-overflow", "double-fault", "crashtest_stack_overflow", []),
    ("redzone", "redzone", "crashtest_redzone", [r"kmalloc: redzone at "]),
    ("double-free", "double-free", "crashtest_double_free", [r"kmalloc: double-free at "]),
    ("use-after-free", "use-after-free", "crashtest_use_after_free",
     [r"kmalloc: use-after-free at "]),
    ("list", "list", "crashtest_list", [r"list corruption: list_del: next->prev != entry"]),
    ("bug", "bug", "crashtest_bug",
     [r"BUG_ON\(ct_bug_condition\) at modules/crashtest/crashtest.c:\d+ in crashtest_bug"]),
    ("null-deref", "null-deref", "crashtest_null_deref", [r"page fault at 0x10: "]),
    ("smap", "smap", "crashtest_smap", [r"\(user page touched: SMAP/SMEP\)"]),
    # lock debugging (kernel/locking/): each misuse has its own reason
    ("spinlock-recursion", "spinlock-recursion", "crashtest_spinlock_recursion",
     [r"spinlock ct_lock taken again on CPU \d at crashtest_spinlock_recursion\+"]),
    ("spinlock-wrong-owner", "spinlock-wrong-owner", "crashtest_spinlock_wrong_owner",
     [r"spinlock ct_lock released at crashtest_spinlock_wrong_owner\+\S+ \[crashtest\] but not held"]),
    ("mutex-recursion", "mutex-recursion", "crashtest_mutex_recursion",
     [r"mutex ct_mutex taken again by \S+ \(pid \d+\)"]),
    ("mutex-wrong-owner", "mutex-wrong-owner", "crashtest_mutex_wrong_owner",
     [r"mutex ct_mutex unlocked at crashtest_mutex_wrong_owner\+\S+ \[crashtest\] by \S+ \(pid \d+\) but owned by ct-holder"]),
    ("mutex-in-atomic", "mutex-in-atomic", "crashtest_mutex_in_atomic",
     [r"mutex_lock\(ct_mutex\) at crashtest_mutex_in_atomic\+\S+ \[crashtest\] while holding a spinlock"]),
    ("lock-order", "lock-order", "crashtest_lock_order",
     [r"lock order: ct_lock_a taken at crashtest_lock_order\+\S+ \[crashtest\] while holding "
      r"ct_lock_b \(taken at crashtest_lock_order\+\S+ \[crashtest\]\), but earlier ct_lock_b "
      r"was taken at crashtest_lock_order\+\S+ \[crashtest\] while holding ct_lock_a"]),
    ("sleep-in-atomic", "sleep-in-atomic", "crashtest_sleep_in_atomic",
     [r"wait_for_completion at crashtest_sleep_in_atomic\+\S+ \[crashtest\] would sleep holding spinlock ct_lock"]),
    # found by the watchdog thread, not in the trigger's own call chain
    ("text", "text", "watchdog_thread", [r"kernel \.text changed since boot"]),
    ("module-text", "module-text", "watchdog_thread",
     [r"module crashtest: text changed since it was loaded"]),
    ("wx", "wx", "watchdog_thread", [r"writable and executable"]),
]

# Armed triggers: the check fires later, on rmmod or on a stale call.
ARMED = [
    ("lock-held-at-exit", "rmmod crashtest\n", "lock-held-at-exit", "lock_check_released",
     [r"module crashtest: exit returned holding spinlock ct_lock \(taken at crashtest_exit\+"]),
    ("module-use-after-free", "rmmod crashtest && echo 1 > /proc/ktest_stale_call\n",
     "module-use-after-free", "proc_entry_write",
     [r"call or jump at 0x[0-9a-f]+ in the memory of unloaded module crashtest "
      r"\(instruction fetch, called from stale_call_write\+",
      r"Modules linked in: \(none\) \[last unloaded: crashtest\]"]),
]

CASES = [
    # no panic: the listing, an unknown name refused, and unloading
    dict(name="panic-crashtest-listing", initramfs=True, exit=33, timeout=60,
         script=[(PROMPT, "insmod /lib/modules/crashtest.ko && cat /proc/crashtest\n"),
                 (r"\nsmap +read user memory directly[^\n]*\n/ # ",
                  "echo nosuch > /proc/crashtest; echo status=$?\n"),
                 (r"status=\d+", "rmmod crashtest && echo unloaded\n"),
                 (r"\nunloaded\n", "poweroff\n")],
         expect=[r"\n%s +\S" % re.escape(t[0]) for t in TRIGGERS] +
                [r"crashtest: unknown trigger 'nosuch' \(cat /proc/crashtest\)",
                 r"status=1", r"\nunloaded\n"],
         reject=[r"BASALT-PANIC", r"crashtest: firing"]),
] + [
    dict(name="panic-module-" + trig, initramfs=True, exit=65, timeout=60,
         script=fire(trig),
         expect=[r"crashtest: firing '%s'" % re.escape(trig)] + more,
         reject=[r"the check did not fire", r"the watchdog did not notice"],
         panic=dict(reason=reason, symbol=sym), check=module_listed)
    for trig, reason, sym, more in TRIGGERS
] + [
    dict(name="panic-module-" + trig, initramfs=True, exit=65, timeout=60,
         script=fire(trig) + [(r"crashtest: '%s' armed" % re.escape(trig), then)],
         expect=[r"crashtest: '%s' armed" % re.escape(trig)] + more,
         reject=[r"the check did not fire", r"running after unload"],
         panic=dict(reason=reason, symbol=sym))
    for trig, then, reason, sym, more in ARMED
] + [
    # decode-panic on the raw serial log (\r, ANSI colours): module frames
    # through the module object, kernel frames through basalt.elf
    dict(name="panic-decode-module-frames", initramfs=True, exit=65, timeout=60,
         script=fire("bug"), panic=dict(reason="bug", symbol="crashtest_bug"),
         check=both(module_listed, decodes_to("panic-decode-module-frames", [
             ("crashtest_bug", "modules/crashtest/crashtest.c", "BUG_ON(ct_bug_condition)"),
             ("crashtest_write", "modules/crashtest/crashtest.c",
              "err = triggers[i].fire();")]))),
    dict(name="panic-decode-kernel-frames", cmdline="ktest.crash=bug", exit=65,
         panic=dict(reason="bug", symbol="crash_bug"),
         check=decodes_to("panic-decode-kernel-frames", [
             ("crash_bug", "kernel/test/crash.c", "BUG_ON(crash != NULL)"),
             ("ktest_crash_run", "kernel/test/crash.c", "crashes[i].fn();")])),
    # SMP: the panicking CPU stops the other three with an NMI; the dump and
    # the record show all four, and decode-panic resolves each one's frames
    dict(name="panic-smp-stop-cpus", cmdline="ktest.crash=bug", qemu_args=["-smp", "4"],
         exit=65, panic=dict(reason="bug", symbol="crash_bug"),
         expect=[r"CPU: 0 PID: \d+ ", r"CPU 0: panicking \(registers and Call Trace above\)",
                 r"CPU 1: stopped by NMI, PID \d+ Comm ", r"CPU 2: stopped by NMI, ",
                 r"CPU 3: stopped by NMI, PID \d+ Comm \S+\r?\n RIP: 0008:\S+\+0x"],
         reject=[r"did not stop", r"nested panic", r"NMI received at"],
         check=both(cpus_stopped(4, 0), decodes_cpus("panic-smp-stop-cpus", 4, 0))),
    dict(name="panic-smp-8-cpus", cmdline="ktest.crash=bug", qemu_args=["-smp", "8"],
         exit=65, panic=dict(reason="bug", symbol="crash_bug"),
         expect=[r"CPU 7: stopped by NMI, "], reject=[r"did not stop"],
         check=cpus_stopped(8, 0)),
    # lockup detectors (kernel/lockup.c), with short thresholds: a CPU spinning
    # in the kernel with interrupts on (its own tick panics), and one spinning
    # with them off (its buddy's watcher NMIs it; the record has its trace)
    dict(name="panic-soft-lockup", initramfs=True, cmdline="softlockup_thresh=3", exit=65,
         timeout=90, script=fire("soft-lockup"),
         expect=[r"soft lockup: CPU \d stuck for \ds without scheduling \(sh, pid \d+\)"],
         panic=dict(reason="soft-lockup", symbol="crashtest_soft_lockup")),
    dict(name="panic-hard-lockup", initramfs=True, cmdline="hardlockup_thresh=3", exit=65,
         timeout=90, script=fire("hard-lockup"), qemu_args=["-smp", "2"],
         expect=[r"hard lockup: CPU \d took no timer interrupt for 3s \(interrupts off at "
                 r"crashtest_hard_lockup\+"],
         panic=dict(reason="hard-lockup", symbol="crashtest_hard_lockup")),
    # two CPUs panic at once (kernel/test/crash.c, "smp-two"): one dump
    dict(name="panic-smp-two-at-once", cmdline="ktest.crash=smp-two", qemu_args=["-smp", "4"],
         exit=65, panic=dict(reason="bug", symbol="crash_smp_two"),
         expect=[r"CPU: 0 PID: ", r"CPU 1: stopped itself \(its NMIs were blocked\)",
                 r"CPU 1 was panicking too: ktest-nmi: CPU 1 panics in its NMI handler",
                 r"CPU 2: stopped by NMI, ", r"CPU 3: stopped by NMI, "],
         reject=[r"did not stop", r"nested panic", r"NMI received at"],
         check=one_dump_two_panics),
]
