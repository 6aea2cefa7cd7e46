"""The report of scripts/bench: build/bench/results.md and, through
scripts/bench-plot and gnuplot, results.png. Each function takes the
scripts/bench module (@B, for its tables of operations, columns and QEMU
arguments) and the results it collected (@res, as in results.json).

The main tables have one column per system (B.COLUMNS: Basalt monolithic,
Basalt microkernel, Linux, Linux mitigations=off) and, beside each Basalt
column, what one call cost the whole system in context switches and bytes
copied between user and kernel (the bench-costs lines, docs/costs.md). A
cell reads a number, "n/a" (not available in this run, the reason in the
notes below the table), "failed", or "—" (does not apply).
"""
import os
import re
import subprocess


def cell(run, op, path, key):
    """The figure for a table cell: a number, or "n/a"/"failed", or None."""
    if not run:
        return None
    row = run["ops"].get("%s %s" % (op, path))
    if not row:
        return None
    if row.get("status"):
        return row["status"]
    return row.get(key)


def fmt(v):
    if v is None:
        return "—"
    if isinstance(v, (str, int)):
        return str(v)
    return "%.0f" % v if v >= 100 else "%.1f" % v


def ratio(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0:
        return "%.2f" % (a / b)
    return "—"


def column_run(B, runs, col, mode):
    """The parsed boot (or its microkernel section) behind column @col."""
    _, _, kernel, section = next(c for c in B.COLUMNS if c[0] == col)
    run = runs.get(kernel, {}).get(mode)
    if run and section == "mk":
        run = run.get("mk")
    return run


def column_missing(B, res, col, mode):
    """Why column @col has nothing in @mode, or None when it has figures."""
    runs = res["runs"]
    if column_run(B, runs, col, mode):
        return None
    _, _, kernel, section = next(c for c in B.COLUMNS if c[0] == col)
    if kernel.startswith("linux") and res.get("linux_missing"):
        return res["linux_missing"]
    base = runs.get(kernel, {}).get(mode)
    if base is None:
        return "not booted in this run" if kernel in runs else "not run"
    if section == "mk":
        return base.get("mk_missing") or "no microkernel section in the output"
    return "no figures"


def row_keys(B):
    """(op, path) of every table row, in order."""
    keys = []
    for op, _ in B.OPS:
        if op in B.FILE_OPS:
            keys += [(op, p) for p, _ in B.PATHS]
        else:
            keys.append((op, "-"))
    return keys


def costs_of(run, op, path):
    """The system-wide per-call costs of a row, or None."""
    if not run or not isinstance(cell(run, op, path, "median"), int):
        return None
    return run["costs"].get("%s %s system" % (op, path))


def table_rows(B, runs, mode, key):
    """Per row: the figure and the costs of each column."""
    rows, what = [], dict(B.OPS)
    for op, path in row_keys(B):
        vals, costs = {}, {}
        for col, _, _, _ in B.COLUMNS:
            run = column_run(B, runs, col, mode)
            vals[col] = cell(run, op, path, key)
            costs[col] = costs_of(run, op, path)
        rows.append(dict(op=op, path=path, what=what[op],
                         where=dict(B.PATHS).get(path, "—"), vals=vals, costs=costs))
    return rows


def cost_cells(costs, measured):
    """The switches and bytes cells of a measured row; n/a when the
    personality had no /proc/costs to read."""
    if not costs:
        return "n/a | n/a" if measured else "— | —"
    return "%s | %s" % (fmt(round(costs.get("context_switches", 0), 2)),
                        fmt(round(costs.get("bytes_user_copied", 0), 1)))


# paths only Basalt's monolithic kernel has: /srv, ipcfs served by fsd
NATIVE_ONLY = ("fsd",)


def main_table(B, res, mode, key):
    """One mode's table: the four columns, the Basalt ones with their costs."""
    hdr = ["| operation | path |", "| --- | --- |"]
    for col, title, kernel, _ in B.COLUMNS:
        if kernel == "basalt":
            hdr[0] += " %s | switches | bytes copied |" % title
            hdr[1] += " ---: | ---: | ---: |"
        else:
            hdr[0] += " %s |" % title
            hdr[1] += " ---: |"
    hdr[0] += " mono ÷ Linux m=off |"
    hdr[1] += " ---: |"
    lines = list(hdr)
    missing = {col: column_missing(B, res, col, mode) for col, _, _, _ in B.COLUMNS}
    for r in table_rows(B, res["runs"], mode, key):
        line = "| %s | %s |" % (r["what"], r["where"])
        for col, _, kernel, _ in B.COLUMNS:
            if missing[col]:
                line += " n/a |" + (" n/a | n/a |" if kernel == "basalt" else "")
                continue
            v = r["vals"][col]
            if r["path"] in NATIVE_ONLY and col != "mono":
                v = None        # fsd is the monolithic kernel's own server
            line += " %s |" % fmt(v)
            if kernel == "basalt":
                line += " %s |" % cost_cells(r["costs"][col], isinstance(v, (int, float)))
        line += " %s |" % ratio(r["vals"]["mono"], r["vals"]["nomit"])
        lines.append(line)
    return lines


def notes(B, res, mode):
    """What the n/a cells of one mode's table mean."""
    out = []
    for col, title, _, _ in B.COLUMNS:
        why = column_missing(B, res, col, mode)
        if why:
            out.append("- %s: n/a, %s." % (title, why))
    for col, title, _, _ in B.COLUMNS:
        run = column_run(B, res["runs"], col, mode)
        disk = (run or {}).get("info", {}).get("ext2_disk", "")
        if run and disk.startswith("n/a"):
            why = disk[len("n/a: "):]
            if col in ("linux", "nomit") and res.get("linux_disk_missing"):
                why = res["linux_disk_missing"]
            out.append("- %s, ext2 rows: n/a, %s." % (title, why))
    if res.get("disk_missing"):
        out.append("- ext2 rows: n/a everywhere, no bench disk: %s." % res["disk_missing"])
    return out


# Issue 13's targets: (operation, path, the most Basalt monolithic may cost
# as a fraction of Linux); and absolute ones, in instructions
TARGETS = [("getppid", "-", 1 / 4), ("pread-4k", "tmpfs", 1), ("pwrite-4k", "tmpfs", 1),
           ("open-close", "tmpfs", 1)]
ABS_TARGETS = [("ipc-rt", "-", 600)]


def target_lines(B, runs):
    """The issue's targets: against Linux and Linux mitigations=off, and absolute."""
    basalt = runs.get("basalt", {}).get("icount")
    out = []
    if not basalt:
        return out
    for op, path, most in ABS_TARGETS:
        b = cell(basalt, op, path, "median")
        if isinstance(b, int):
            out.append("- %s: %d instructions (the bracket included), target at most %d: %s"
                       % (dict(B.OPS)[op], b, most, "met" if b <= most else "not met"))
    for kernel, title in (("linux", "Linux"), ("linux-nomit", "Linux mitigations=off")):
        linux = runs.get(kernel, {}).get("icount")
        if not linux:
            continue
        for op, path, most in TARGETS:
            b, l = cell(basalt, op, path, "median"), cell(linux, op, path, "median")
            if not isinstance(b, int) or not isinstance(l, int) or not l:
                continue
            out.append("- %s%s against %s: %d ÷ %d = %.2f, target at most %.2f: %s"
                       % (dict(B.OPS)[op], "" if path == "-" else " (%s)" % path, title, b, l,
                          b / l, most, "met" if b / l <= most else "not met"))
    return out


def placement_lines(B, res):
    """The -smp 2 table: each round trip on one CPU and on two."""
    runs = res["runs"]
    if not any(runs[k].get(b) for k in runs for b, _, _, _ in B.PLACED_BOOTS):
        return []
    kernels = [k for k in ("basalt", "linux") if k in runs]
    lines = ["## Round trips on one CPU and on two (`-smp 2`, pinned with sched_setaffinity)",
             "",
             "Time: median and p99 ns per round trip under `-smp 2 -accel tcg,thread=multi` "
             "(%d host cores). Instructions: median under `-smp 2 %s`, where QEMU runs the "
             "vCPUs in turn: on two CPUs that is both vCPUs' instructions, not a latency. "
             "Basalt monolithic and Linux (with its mitigations) only."
             % (res.get("host_cores", 0), " ".join(B.ICOUNT)), ""]
    hdr, sep = "| round trip | placement |", "| --- | --- |"
    for k in kernels:
        hdr += " %s median ns | %s p99 ns | %s instructions |" % ((k.capitalize(),) * 3)
        sep += " ---: | ---: | ---: |"
    lines += [hdr, sep]
    for op in B.PLACED_OPS:
        for place, what in B.PLACEMENTS:
            line = "| %s | %s |" % (dict(B.OPS)[op], what)
            for k in kernels:
                tcg, icount = runs[k].get("tcg-smp2"), runs[k].get("icount-smp2")
                line += " %s | %s | %s |" % (fmt(cell(tcg, op, place, "median_ns")),
                                             fmt(cell(tcg, op, place, "p99_ns")),
                                             fmt(cell(icount, op, place, "median")))
            lines.append(line)
    lines.append("")
    checked = ["%s %s" % (k.capitalize(), b) for k in kernels for b, _, _, _ in B.PLACED_BOOTS
               if runs[k].get(b)]
    bad = ["%s %s `%s`: %s" % (k, b, key, p.get("result"))
           for k in kernels for b, _, _, _ in B.PLACED_BOOTS
           for key, p in (runs[k].get(b) or {}).get("place", {}).items()
           if p.get("result") != "ok"]
    lines.append("Placement checked with getcpu in both processes before and after each "
                 "row (%s): %s." % (", ".join(checked),
                                    "; ".join(bad) if bad else "every process was where "
                                    "it was pinned"))
    lines.append("")
    return lines


# the counted costs' table: (counter, column heading)
COST_COLUMNS = [("kernel_entries", "kernel entries"), ("syscalls", "syscalls"),
                ("ipc_messages", "IPC messages"), ("context_switches", "context switches"),
                ("as_switches", "AS switches"), ("bytes_user_copied", "bytes user⇄kernel"),
                ("bytes_cross_as", "bytes across AS")]


def cost_lines(B, res):
    """Per call, for each Basalt column, from its first boot that has them."""
    lines = []
    for col, title, kernel, _ in B.COLUMNS:
        if kernel != "basalt":
            continue
        runs = res["runs"]
        mode = next((m for m in ("icount", "tcg")
                     if (column_run(B, runs, col, m) or {}).get("costs")), None)
        if not mode:
            why = column_missing(B, res, col, "icount") or "no /proc/costs in this run"
            lines += ["## Counted costs per call (%s)" % title, "", "n/a: %s." % why, ""]
            continue
        costs = column_run(B, runs, col, mode)["costs"]
        lines += ["## Counted costs per call (%s, /proc/costs, %s boot)" % (title, mode), "",
                  "What one call made the whole system do, from the kernel's own counters "
                  "([costs.md](../../docs/costs.md)): the change in `/proc/costs` over the "
                  "samples, less what reading it costs, divided by the samples. A round "
                  "trip's partner and the servers are included.", ""]
        lines.append("| operation | path | " + " | ".join(h for _, h in COST_COLUMNS) + " |")
        lines.append("| --- | --- |" + " ---: |" * len(COST_COLUMNS))
        for op, path in row_keys(B):
            row = costs.get("%s %s system" % (op, path))
            if row:
                lines.append("| %s | %s | " % (dict(B.OPS)[op], dict(B.PATHS).get(path, "—")) +
                             " | ".join("%.2f" % row.get(c, 0) for c, _ in COST_COLUMNS) + " |")
        lines.append("")
    return lines


# --- the macro workload -------------------------------------------------------

# each column's run of /tests/macro.sh: (column, label of its ticks line)
MACRO_LABEL = {"mono": "native", "mk": "mk", "linux": "native", "nomit": "native"}


def macro_boots(B, res, col, mode):
    """The checked macro runs of column @col in @mode's boots: [figures]."""
    _, _, kernel, _ = next(c for c in B.COLUMNS if c[0] == col)
    boots = res["runs"].get(kernel, {})
    tags = [t for t in boots if t == mode or re.match(mode + r"-\d+$", t)]
    found = [one_macro_result(boots[t], col) for t in sorted(tags)]
    return [m for m, _ in found if m]


def macro_result(B, res, col, mode):
    """(figures, None) for a checked run, or (None, why). Under -icount the
    boot that counted the fewest busy instructions: Basalt's count grows
    with the time the guest waits for QEMU's disk (which the host decides),
    Linux's barely moves."""
    _, _, kernel, _ = next(c for c in B.COLUMNS if c[0] == col)
    run = res["runs"].get(kernel, {}).get(mode)
    if not run:
        return None, column_missing(B, res, col, mode) or "not run"
    good = [m for m in macro_boots(B, res, col, mode) if isinstance(m.get("busy"), int)]
    if mode == "icount" and good:
        return min(good, key=lambda m: m["busy"]), None
    return one_macro_result(run, col)


def one_macro_result(run, col):
    """(figures, None) for a checked run in one boot, or (None, why)."""
    m = run.get("macro", {}).get(MACRO_LABEL[col])
    if not m:
        return None, "no macro workload in the output"
    if m.get("status") == "n/a":
        return None, m.get("reason") or "n/a"
    check = m.get("check", {})
    if m.get("status") != 0 or check.get("result") != "ok":
        said = " ".join("%s=%s" % kv for kv in check.items() if kv[0] != "result")
        return None, "failed (exit status %s, check %s%s)" % (
            m.get("status"), check.get("result", "missing"), ": " + said if said else "")
    return m, None


def macro_lines(B, res):
    if not res.get("macro_files"):
        return []
    rows = [("guest instructions, busy (`-icount`; TSC ticks less idle ticks)", "icount",
             lambda m: m["busy"] if isinstance(m.get("busy"), int) else None),
            ("TSC ticks, idle included (`-icount`)", "icount", lambda m: m["ticks"]),
            ("time under TCG, s (wall clock of the guest)", "tcg", lambda m: m["ns"] / 1e9),
            ("system calls", "icount", lambda m: m.get("costs", {}).get("syscalls")),
            ("IPC messages", "icount", lambda m: m.get("costs", {}).get("ipc_messages")),
            ("context switches", "icount",
             lambda m: m.get("costs", {}).get("context_switches")),
            ("address-space switches", "icount", lambda m: m.get("costs", {}).get("as_switches")),
            ("bytes copied user⇄kernel", "icount",
             lambda m: m.get("costs", {}).get("bytes_user_copied")),
            ("bytes copied across address spaces", "icount",
             lambda m: m.get("costs", {}).get("bytes_cross_as"))]
    lines = ["## The macro workload", "",
             "user/bench/macro-work.sh on the bench disk's ext2: unpack a tarball of %d small "
             "files (scripts/gen-macro-data), grep them, concatenate and sort them, gzip and "
             "gunzip the concatenation, delete the tree; every result checked against the "
             "host's. Totals for one run, mount and unmount included. Counted costs are "
             "Basalt's `/proc/costs` (the whole system)." % res["macro_files"], ""]
    lines.append("| | " + " | ".join(t for _, t, _, _ in B.COLUMNS) + " |")
    lines.append("| --- |" + " ---: |" * len(B.COLUMNS))
    whys = {}
    for what, mode, get in rows:
        line = "| %s |" % what
        for col, _, _, _ in B.COLUMNS:
            m, why = macro_result(B, res, col, mode)
            if m is None:
                if why == "no-linux-drivers" and res.get("linux_disk_missing"):
                    why = res["linux_disk_missing"]
                whys.setdefault((col, why), mode)
                line += " %s |" % ("failed" if why.startswith("failed") else "n/a")
                continue
            v = get(m)
            line += " %s |" % ("—" if v is None else ("%.2f" % v if isinstance(v, float)
                                                     else str(v)))
        lines.append(line)
    lines.append("")
    title = {c[0]: c[1] for c in B.COLUMNS}
    for (col, why), mode in whys.items():
        lines.append("- %s (%s): %s." % (title[col], mode, why))
    ratios = []
    for mode, get, unit in (("icount", lambda m: m.get("busy"), "instructions"),
                            ("tcg", lambda m: m["ns"], "TCG time")):
        vals = {col: (get(macro_result(B, res, col, mode)[0])
                      if macro_result(B, res, col, mode)[0] else None) for col in title}
        for a, b in (("mk", "mono"), ("mono", "linux"), ("mono", "nomit"), ("linux", "nomit")):
            r = ratio(vals[a], vals[b])
            if r != "—":
                ratios.append("- %s: %s ÷ %s = %s" % (unit, title[a], title[b], r))
    spread = []
    for col, t in title.items():
        boots = [m["busy"] for m in macro_boots(B, res, col, "icount")
                 if isinstance(m.get("busy"), int)]
        if len(boots) > 1:
            spread.append("- %s, busy instructions in each `-icount` boot: %s (the table shows "
                          "the least)" % (t, ", ".join(str(b) for b in boots)))
    lines += ratios + [""] + spread + ([""] if spread else [])
    return lines


# --- the document ---------------------------------------------------------------

def markdown(B, res):
    runs, lines = res["runs"], []
    lines.append("# Syscall latency and a macro workload: Basalt monolithic, Basalt "
                 "microkernel, Linux, Linux mitigations=off")
    lines.append("")
    lines.append("Generated by `scripts/bench` on %s; %s samples per operation after "
                 "%s warm-up calls." % (res["date"], res["samples"], res["warmup"]))
    for k in ("basalt", "linux", "linux-nomit"):
        if k in runs:
            info = runs[k]["tcg"]["info"] if runs[k].get("tcg") else {}
            lines.append("%s: `%s`." % (k.capitalize(), info.get("uname", "?")))
    for k, title in (("linux", "Linux"), ("linux-nomit", "Linux mitigations=off")):
        vuln = runs.get(k, {}).get("tcg", {}).get("vuln", {})
        mitigated = ["%s (%s)" % (n, v) for n, v in sorted(vuln.items())
                     if v.startswith("Mitigation")]
        if vuln:
            lines.append("%s's mitigations on this CPU model: %s." %
                         (title, "; ".join(mitigated) if mitigated else "none"))
    if res.get("linux_missing"):
        lines.append("Linux: not run (%s)." % res["linux_missing"])
    lines.append("QEMU: `%s`, `-machine q35 -cpu max -m %s`, TCG; host CPU: %s."
                 % (res["qemu"], B.MEMORY, res["host_cpu"]))
    lines.append("Build: basalt.elf sha256 `%s…`, initramfs.cpio `%s…`."
                 % (res["sha256"]["basalt.elf"], res["sha256"]["initramfs.cpio"]))
    lines.append("")
    modes = [("icount", "Instruction counts: median guest instructions per call under "
              "`%s` (TSC ticks = instructions)" % " ".join(B.ICOUNT),
              res.get("icount_stat", "median")),
             ("tcg", "Time under plain TCG: median ns per call (host time, emulated)",
              "median_ns")]
    for mode, title, key in modes:
        if not any(runs[k].get(mode) for k in runs):
            continue
        lines += ["## " + title, ""] + main_table(B, res, mode, key) + [""]
        lines += notes(B, res, mode) + [""]
    lines.append("Every figure includes the measurement bracket itself (the first row). "
                 "switches: context switches per call, bytes copied: between user and kernel "
                 "memory per call, both for the whole system (the servers included) from "
                 "`/proc/costs`, in the same boot. `n/a`: not available in this run (the "
                 "reasons are listed under each table; ENOSYS: no IPC system calls; "
                 "not-mounted: no fsd on /srv, or no ext2 disk). `—`: does not apply.")
    lines.append("")
    lines += macro_lines(B, res)
    lines += placement_lines(B, res)
    lines += cost_lines(B, res)
    targets = target_lines(B, runs)
    if targets:
        lines += ["## The issue's targets (instruction counts, Basalt ÷ Linux)", ""]
        lines += targets + [""]
    rep = res.get("icount_repeat", {})
    if rep:
        lines += ["## Repeatability under -icount", ""]
        for k, c in rep.items():
            same = ", ".join("%s %s" % (s, "identical" if ok else "differs")
                             for s, ok in c["repeat"].items())
            lines.append("- %s, %d boots, %d rows: %s." % (k.capitalize(), c["boots"],
                                                             c["rows"], same))
            for d in c["diffs"][:8]:
                a, b = d["runs"]
                spread = ""
                if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a:
                    spread = " (%.3f%%)" % (100.0 * abs(a - b) / a)
                lines.append("  - `%s` %s: %s then %s%s" % (d["row"], d["stat"], a, b, spread))
        lines.append("")
    other = [(k, m, o) for k in runs for m in ("tcg", "icount") if runs[k].get(m)
             for o in runs[k][m]["other"]]
    if other:
        lines += ["## Other measurements in the run", "",
                  "Under `icount` a cycle count is an instruction count.", ""]
        for k, m, o in other:
            lines.append("- %s, %s: `%s`" % (k.capitalize(), m, o["line"]))
        lines.append("")
    return "\n".join(lines)


# --- the plot -----------------------------------------------------------------

def plot(B, res):
    """results.png through scripts/bench-plot: one panel per mode, one for
    the macro workload; a bar per system."""
    files = []
    series = [(col, title) for col, title, _, _ in B.COLUMNS]
    for mode, key in (("icount", res.get("icount_stat", "median")), ("tcg", "median_ns")):
        rows = table_rows(B, res["runs"], mode, key)
        # every system, so that each keeps its colour; "(n/a)" when absent
        shown = series
        have = [any(isinstance(r["vals"][c], (int, float)) for r in rows) for c, _ in series]
        if not any(have):
            shown = []
        path = os.path.join(B.OUT, "plot-%s.dat" % mode)
        with open(path, "w") as f:
            f.write("operation %s\n" % " ".join('"%s%s"' % (t, "" if h else " (n/a)")
                                                 for (_, t), h in zip(shown, have)))
            for r in rows:
                if r["op"] == "overhead" or not any(isinstance(r["vals"][c], (int, float))
                                                    for c, _ in shown):
                    continue
                name = r["what"] + ("" if r["path"] == "-" else ", " + r["path"])
                vals = [r["vals"][c] if isinstance(r["vals"][c], (int, float)) else "NaN"
                        for c, _ in shown]
                f.write('"%s" %s\n' % (name, " ".join(str(v) for v in vals)))
        files += [path, str(len(shown))]
    path = os.path.join(B.OUT, "plot-macro.dat")
    macro = {col: (macro_result(B, res, col, "icount")[0], macro_result(B, res, col, "tcg")[0])
             for col, _ in series}
    shown = series if any(any(m) for m in macro.values()) else []
    with open(path, "w") as f:
        f.write("measure %s\n" % " ".join('"%s%s"' % (t, "" if any(macro[c]) else " (n/a)")
                                           for c, t in shown))
        for what, i, get in (("instructions, millions (-icount)", 0, lambda m: m["busy"] / 1e6),
                             ("time under TCG, ms", 1, lambda m: m["ns"] / 1e6)):
            f.write('"%s" %s\n' % (what, " ".join(
                str(get(macro[c][i])) if macro[c][i] and isinstance(macro[c][i].get("busy"),
                                                                    int) else "NaN"
                for c, _ in shown)))
    files += [path, str(len(shown))]
    if all(n == "0" for n in files[1::2]):
        return "nothing to plot"
    png = os.path.join(B.OUT, "results.png")
    p = subprocess.run(["gnuplot", "-c", os.path.join(B.qemu.ROOT, "scripts", "bench-plot"),
                        png] + files, capture_output=True, text=True)
    if p.returncode != 0:
        return "gnuplot failed: " + p.stderr.strip()[-300:]
    return None
