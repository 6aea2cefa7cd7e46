"""QEMU cases for Basalt's user space, imported by tests/qemu/cases.py into
CASES. They use the keys documented there, plus two for user space:
  initramfs  True: the ISO carries build/initramfs.cpio as the multiboot2
             module "initramfs" (qemu.make_iso(initramfs=...)), so the
             kernel unpacks it and runs /init
  collect    result-name prefixes to gather from the serial output, like
             `ktest` does for "kernel/": every "ok - user/..." or
             "not ok - busybox/..." line becomes its own result

/init reads basalt.test=NAME from the kernel command line, runs
/tests/run NAME (NAME is "all", a test name, or a comma-separated list),
which ends with "user-tests: N passed, N failed", and then `poweroff -f`,
which leaves QEMU with status 33 whatever the tests said: the summary line
is what must show 0 failed.
"""

WELCOME = r"Welcome to Basalt! \(kernel "
SUMMARY_CLEAN = r"user-tests: [1-9]\d* passed, 0 failed"
USER = ["user/", "busybox/"]

USER_CASES = [
    # Signed modules: load, use and unload hello/hello_dep/edu/rtc, every
    # truncation and single-byte flip refused, every rejection reason.
    dict(name="modules", cmdline="basalt.test=modules,modsig,modreject", initramfs=True,
         collect=["modules/", "user/modsig/", "modreject/"], exit=33, timeout=400,
         expect=[SUMMARY_CLEAN], reject=[r"not ok - ", r"BASALT-PANIC"]),
    # Signed entitlements: every refusal (a device outside the ID table, an
    # ISA line, ports, DMA, another device's registers, a key granting less)
    # with its log line and errno; /proc/module_entitlements; a faulted module.
    dict(name="entitlements", cmdline="basalt.test=entitle", initramfs=True,
         collect=["entitle/"], exit=33, timeout=300,
         expect=[SUMMARY_CLEAN], reject=[r"not ok - ", r"BASALT-PANIC"]),
    # The driver model: /proc/interrupts, edu on INTx, every driver module
    # reloaded 50 times, the leaky module's leftovers released, a storm.
    dict(name="drivers", cmdline="basalt.test=drivers", initramfs=True,
         collect=["drivers/"], exit=33, timeout=600,
         expect=[SUMMARY_CLEAN], reject=[r"not ok - ", r"BASALT-PANIC"]),
    # The same under OVMF: INTx routed as UEFI firmware set the chipset up.
    dict(name="drivers-uefi", firmware="uefi", cmdline="basalt.test=drivers", initramfs=True,
         collect=["drivers/"], exit=33, timeout=900,
         expect=[SUMMARY_CLEAN], reject=[r"not ok - ", r"BASALT-PANIC"]),
    # Everything: the C tests (user/<group>/<case>) and busybox.sh.
    dict(name="user-tests", cmdline="basalt.test=all", initramfs=True,
         collect=USER, exit=33, timeout=600,
         expect=[WELCOME, r"init: running user-space tests: all", SUMMARY_CLEAN,
                 r"init: tests finished with status 0; powering off"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    # Everything again on four CPUs (more virtual CPUs than the host's cores).
    dict(name="user-tests-smp4", cmdline="basalt.test=all", initramfs=True,
         qemu_args=["-smp", "4"], collect=USER, exit=33, timeout=900,
         expect=[WELCOME, SUMMARY_CLEAN, r"smp: 4 CPUs run the scheduler"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    # One group only: /init passes the name through and /tests/run honours it.
    dict(name="user-tests-one-group", cmdline="basalt.test=sys,pipe", initramfs=True,
         collect=USER, exit=33, timeout=300,
         expect=[SUMMARY_CLEAN, r"ok - user/sys/uname_fields", r"ok - user/pipe/data_through"],
         reject=[r"ok - user/fork/", r"ok - busybox/", r"BASALT-PANIC"]),
    # Four CPUs: /proc/cpuinfo has four well-formed blocks, and /proc/stat,
    # /sys/devices/system/cpu/online and busybox's `nproc --all` (which
    # counts the cpuN directories there) agree.
    dict(name="proc-cpuinfo-smp4", qemu_args=["-smp", "4"], initramfs=True, exit=33,
         timeout=300,
         script=[(r"\n/ # ", "/tests/run proc; grep -c ^processor /proc/cpuinfo; nproc --all;"
                  " cat /sys/devices/system/cpu/online; cat /proc/cpuinfo; poweroff\n")],
         expect=[r"# /proc/cpuinfo: 4 processors, online 0-3", r"ok - user/proc/cpuinfo",
                 SUMMARY_CLEAN, r"\n4\r?\n4\r?\n0-3\r?\n"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    # Stress (user/tests/stress.c, not in "all"): processes and threads
    # hammering fork/exit, pipes, shared memory, one directory and futexes,
    # with every count and checksum checked. With -smp 4 the threads of one
    # process can run on several CPUs at once (while the APs are parked, both
    # cases run on one CPU).
    dict(name="stress-smp4", qemu_args=["-smp", "4"], cmdline="basalt.test=stress",
         initramfs=True, collect=USER, exit=33, timeout=400,
         expect=[SUMMARY_CLEAN, r"ok - user/stress/futex_pingpong"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    dict(name="stress-up", qemu_args=["-smp", "1"], cmdline="basalt.test=stress", initramfs=True,
         collect=USER, exit=33, timeout=400,
         expect=[SUMMARY_CLEAN, r"ok - user/stress/futex_pingpong"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    # Counted costs (user/tests/costs.c, also in "all" at -smp 2 and 4) on
    # one CPU, where no BKL is taken and the pinned ping-pong has CPU 0 to
    # itself; the ping-pong's and the IPC's counts are printed as notes.
    dict(name="costs-up", qemu_args=["-smp", "1"], cmdline="basalt.test=costs",
         initramfs=True, collect=USER, exit=33, timeout=300,
         expect=[SUMMARY_CLEAN, r"ok - user/costs/pipe_ping_pong",
                 r"ok - user/costs/ipc_both_sides", r"ok - user/costs/other_and_missing"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    # No basalt.test: an interactive login shell comes up on the console.
    dict(name="user-shell-prompt", initramfs=True, until=r"\n/ # ",
         expect=[WELCOME], reject=[r"BASALT-PANIC", r"init: shell exited"],
         timeout=300),
]
