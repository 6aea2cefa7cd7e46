"""Smoke tests for `make bench`, imported by tests/qemu/cases.py: a short
run of /tests/bench.sh (basalt.test=bench with few samples) must measure
every operation it can with positive, ordered figures, and under QEMU's
-icount two boots must give exactly the same instruction counts. At
-smp 2 the pipe and IPC round trips pinned to one CPU and to two must be
measured (each reply is checked by syscall-lat itself) with both
processes seen by getcpu where they were pinned. On Basalt the counted
costs per call (bench-costs lines) must be what the calls are known to
cost: one syscall for getppid, 64 bytes out for pread-64, two
address-space switches per pipe round trip, four IPC messages per IPC
round trip. With the bench disk attached (bench-ext2-macro, a small copy
of the one scripts/bench makes), syscall-lat's ext2 rows must be measured
and cost what tmpfs's do in system calls and copies, the macro workload
must pass its own checks and report positive totals, and e2fsck must find
the file system clean afterwards. They read the serial output with
scripts/bench's own parser, so a change in the output format breaks them
rather than the benchmark report.
"""
import importlib.machinery
import importlib.util
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMOKE = "basalt.test=bench bench.samples=2000 bench.warmup=200"
SUMMARY_CLEAN = r"user-tests: [1-9]\d* passed, 0 failed"
# measured on every kernel; the fsd and IPC rows may read n/a
MUST_MEASURE = ["overhead -", "getppid -", "getpid -", "write-null -", "pread-64 tmpfs",
                "pread-4k tmpfs", "pwrite-64 tmpfs", "pwrite-4k tmpfs", "open-close tmpfs",
                "fstat tmpfs", "pipe-rt -"]


def bench_module():
    """scripts/bench, loaded as a module (its name has no .py)."""
    path = os.path.join(ROOT, "scripts", "bench")
    loader = importlib.machinery.SourceFileLoader("basalt_bench", path)
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader("basalt_bench", loader))
    loader.exec_module(mod)
    return mod


# Counted costs per call (docs/costs.md) that must hold on Basalt, at -smp 1
# and 2: (row and scope, counter, lowest, highest). Two CPUs may add idle
# switches to an unpinned round trip; a few background events spread over
# the samples add fractions.
COSTS_EXPECTED = [
    ("getppid - self", "syscalls", 1.0, 1.01), ("getppid - self", "kernel_entries", 1.0, 1.1),
    ("getppid - self", "bytes_user_copied", 0, 0.1),
    ("pread-64 tmpfs self", "bytes_to_user", 64, 64.5),
    ("pwrite-4k tmpfs self", "bytes_from_user", 4096, 4097),
    ("pipe-rt - system", "syscalls", 4.0, 4.2), ("pipe-rt - system", "as_switches", 1.9, 4.5),
    ("pipe-rt - system", "bytes_user_copied", 4.0, 4.5),
    ("ipc-rt - system", "ipc_messages", 3.95, 4.1), ("ipc-rt - system", "syscalls", 2.0, 2.2),
    ("pread-4k fsd system", "ipc_messages", 3.95, 4.2),
    ("pread-4k fsd system", "bytes_cross_as", 4096, 4200),
]


def check_costs(run):
    """Basalt's bench-costs lines against what the calls are known to cost."""
    if run["info"].get("costs") != "proc":
        return []
    problems = []
    for key, counter, lo, hi in COSTS_EXPECTED:
        op_row = run["ops"].get(key.rsplit(" ", 1)[0])
        if op_row is None or op_row.get("status"):
            continue        # not measured in this run (n/a: no fsd)
        v = run["costs"].get(key, {}).get(counter)
        if v is None or not lo <= v <= hi:
            problems.append("bench-costs %s: %s=%s, expected %s..%s" % (key, counter, v, lo, hi))
    return problems


def check_figures(out, tdir):
    run = bench_module().parse(out)
    problems = check_figures_only(run, MUST_MEASURE)
    if not problems and float(run["info"].get("tsc_hz", 0)) <= 0:
        problems.append("no TSC frequency in bench-info")
    return problems + check_costs(run)


def check_figures_only(run, must):
    """Every row of @must measured; every measured row positive and ordered."""
    problems = []
    for key in must:
        row = run["ops"].get(key)
        if row is None:
            problems.append("no result for %s" % key)
        elif row.get("status"):
            problems.append("%s: %s (%s)" % (key, row["status"], row.get("reason")))
    for key, row in run["ops"].items():
        if row.get("status") == "failed":
            problems.append("%s failed: %s" % (key, row.get("reason")))
        if row.get("status"):
            continue
        figs = [row.get(k) for k in ("min", "median", "p99", "min_ns", "median_ns", "p99_ns")]
        if not all(isinstance(f, (int, float)) and f > 0 for f in figs):
            problems.append("%s: a figure is not positive: %s" % (key, figs))
        elif not figs[0] <= figs[1] <= figs[2]:
            problems.append("%s: min <= median <= p99 does not hold: %s" % (key, figs[:3]))
    return problems


def check_icount_repeat(out, tdir):
    """Boot the same -icount run a second time: every figure must repeat."""
    problems = check_figures(out, tdir)
    if problems:
        return problems
    bench = bench_module()
    bench.OUT = tdir
    out2, _, problem = bench.boot("basalt", "icount", SMOKE, "bench-icount-repeat-2", 120)
    if problem:
        return ["second boot: " + problem]
    c = bench.compare(bench.parse(out), bench.parse(out2))
    return ["%s %s differs between boots: %s" % (d["row"], d["stat"], d["runs"])
            for d in c["diffs"][:6]]


PLACED = "bench.ops=pipe-rt,ipc-rt bench.place=same-cpu,two-cpus"
PLACED_SMOKE = "basalt.test=bench bench.samples=300 bench.warmup=50 " + PLACED
# (client CPU, server CPU) of each placement, as user/bench/place.c pins them
PINNED = {"same-cpu": (0, 0), "two-cpus": (0, 1)}


def check_placed(out, tdir):
    """Four measured rows, and a bench-place line for each saying that both
    processes were on their CPUs before and after the run."""
    run = bench_module().parse(out)
    problems = check_figures_only(run, ["%s %s" % (op, p) for op in ("pipe-rt", "ipc-rt")
                                        for p in PINNED])
    for op in ("pipe-rt", "ipc-rt"):
        for place, (cc, sc) in PINNED.items():
            key = "%s %s" % (op, place)
            p = run["place"].get(key)
            if p is None:
                problems.append("no bench-place line for %s" % key)
                continue
            want = dict(client_cpu=cc, client_before=cc, client_after=cc,
                        server_cpu=sc, server_before=sc, server_after=sc, result="ok")
            wrong = ["%s=%s (want %s)" % (k, p.get(k), v) for k, v in want.items()
                     if p.get(k) != v]
            if wrong:
                problems.append("%s: %s" % (key, ", ".join(wrong)))
    return problems


# the bench disk, small: 300 files in the macro workload's tarball
DISK = os.path.join(ROOT, "build", "test", "bench-disk.img")
MACRO_FILES = 300
EXT2_SMOKE = ("basalt.test=bench,mkbench,macro bench.samples=500 bench.warmup=50 "
              "bench.ops=getppid,pread-64,pwrite-4k,open-close,fstat")


def setup_disk(tdir):
    skel = DISK + ".skel"
    subprocess.run(["rm", "-rf", skel], check=True)
    subprocess.run([os.path.join(ROOT, "scripts", "gen-macro-data"), "-n", str(MACRO_FILES),
                    skel], check=True)
    subprocess.run([os.path.join(ROOT, "scripts", "mkdisk"), "-s", "64", "-d", skel, DISK],
                   check=True)
    subprocess.run(["rm", "-rf", skel], check=True)


def check_ext2_macro(out, tdir):
    """The ext2 rows measured with tmpfs's costs; the macro run checked,
    counted and positive; the disk clean."""
    run = bench_module().parse(out)
    problems = check_figures_only(run, ["%s ext2" % op for op in
                                        ("pread-64", "pwrite-4k", "open-close", "fstat")])
    for key, counter, lo, hi in [("pread-64 ext2 self", "bytes_to_user", 64, 64.5),
                                 ("pwrite-4k ext2 self", "bytes_from_user", 4096, 4097),
                                 ("fstat ext2 self", "syscalls", 1.0, 1.01)]:
        v = run["costs"].get(key, {}).get(counter)
        if v is None or not lo <= v <= hi:
            problems.append("bench-costs %s: %s=%s, expected %s..%s" % (key, counter, v, lo, hi))
    m = run["macro"].get("native", {})
    if m.get("check", {}).get("result") != "ok" or m.get("status") != 0:
        problems.append("macro workload: %s" % m)
    elif str(m["check"].get("files")) != str(MACRO_FILES):
        problems.append("macro workload unpacked %s files" % m["check"].get("files"))
    elif not 0 < m.get("busy", 0) <= m.get("ticks", 0) * m.get("cpus", 1) or m.get("ns", 0) <= 0:
        problems.append("macro workload figures: %s" % m)
    elif m.get("costs", {}).get("syscalls", 0) < 10 * MACRO_FILES:
        problems.append("macro workload made few system calls: %s" % m.get("costs"))
    if "mk" not in run["macro"]:
        problems.append("no line for the microkernel personality's macro run")
    if not run.get("mk") and not run.get("mk_missing"):
        problems.append("no microkernel section from mkbench.sh, nor why")
    p = subprocess.run(["e2fsck", "-fn", "%s?offset=%d" % (DISK, 1 << 20)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        problems.append("e2fsck -fn: exit %d: %s" % (p.returncode, p.stdout[-300:]))
    return problems


CASES = [
    # a short benchmark run: every operation measured with positive figures
    dict(name="bench-smoke", cmdline=SMOKE, initramfs=True, collect=["bench/"], exit=33,
         timeout=120, check=check_figures,
         expect=[r"bench-done measured=\d+ na=\d+ failed=0", SUMMARY_CLEAN],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    # deterministic instruction counts: two boots under -icount agree exactly
    dict(name="bench-icount-repeat", cmdline=SMOKE, initramfs=True, exit=33, timeout=120,
         qemu_args=bench_module().ICOUNT, check=check_icount_repeat,
         expect=[r"bench-done measured=\d+ na=\d+ failed=0", SUMMARY_CLEAN],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    # the round trips pinned to one CPU and to two: replies right, placement held
    dict(name="bench-placed-smp2", cmdline=PLACED_SMOKE, initramfs=True, exit=33,
         timeout=180, qemu_args=["-smp", "2"], check=check_placed,
         expect=[r"bench-done measured=4 na=0 failed=0", SUMMARY_CLEAN],
         reject=[r"not ok - ", r"BASALT-PANIC", r"result=(?!ok)"]),
    # the bench disk: syscall-lat's ext2 rows and the macro workload, checked
    dict(name="bench-ext2-macro", cmdline=EXT2_SMOKE, initramfs=True, exit=33, timeout=180,
         setup=setup_disk, qemu_args=["-drive", "file=%s,if=virtio,format=raw" % DISK],
         check=check_ext2_macro,
         expect=[r"bench-done measured=\d+ na=\d+ failed=0", r"bench-macro-check native result=ok",
                 SUMMARY_CLEAN],
         reject=[r"not ok - ", r"BASALT-PANIC", r"result=bad"]),
]
