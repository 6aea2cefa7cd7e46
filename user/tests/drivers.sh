#!/bin/sh
# The driver model under load, inside QEMU (needs "-device edu"):
# /proc/interrupts, the edu module on its shared, level-triggered INTx line,
# every in-tree driver module loaded, used and removed 50 times while its
# device interrupts (MemFree back within 64 KiB, no warning), the leaky
# module whose forgotten PCI driver, IRQ, timer, work item, /proc entry and
# ioremap the kernel releases with one warning each, and an interrupt storm on a line nobody
# claims, which the kernel disables. Prints "ok - drivers/<case>" lines;
# the exit status is the number of failures.

M=${MODULES_DIR:-/lib/modules}
T=${TMPDIR:-/tmp}/basalt-drivers.$$
T_PREFIX=drivers
. "$(dirname "$0")/lib.sh"
LOOPS=${DRIVER_LOOPS:-50}
export LC_ALL=C
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT

fact() { echo "$1" > /dev/edu && cat /dev/edu; }
# count LINE-REGEX: the /proc/interrupts line matching it, summed over the CPU columns
count() {
	grep -E "$1" /proc/interrupts | head -n 1 |
		awk '{ n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }'
}

for m in hello hello_dep edu rtc; do loaded $m && rmmod $m; done
if ! grep -q ' 1234:11e8 ' /proc/pci; then
	fail edu-present "no edu device (QEMU -device edu)"
	exit $nfail
fi

# --- /proc/interrupts --------------------------------------------------------------
head -n 1 /proc/interrupts | grep -Eq '^ *CPU0( +CPU[0-9]+)*$'
ok interrupts/header $? "$(head -n 1 /proc/interrupts)"
grep -Eq '^ +4:( +[0-9]+)+ +IO-APIC +4-edge +ttyS0\([0-9]+\)$' /proc/interrupts
ok interrupts/serial-line $? "$(cat /proc/interrupts)"
grep -Eq '^ LOC:( +[0-9]+)+ +Local timer interrupts$' /proc/interrupts
ok interrupts/local-timer $? "$(cat /proc/interrupts)"

# --- edu on its INTx line (level-triggered, shared) ----------------------------------
mark
out=$(insmod "$M/edu.ko" intx=1 2>&1)
ok edu-intx/insmod $? "$out"
new_log | grep -q 'interrupts by INTx'
ok edu-intx/uses-intx $? "$(new_log | grep edu)"
irq=$(grep -E ' edu\([0-9]+\)' /proc/interrupts | awk -F: '{print $1}' | tr -d ' ')
grep -Eq "^ +$irq:( +[0-9]+)+ +IO-APIC +$irq-fasteoi +edu\([0-9]+\)" /proc/interrupts
ok edu-intx/proc-interrupts-line $? "$(cat /proc/interrupts)"
before=$(count ' edu\(')
check edu-intx/factorial 3628800 "$(fact 10)"
check edu-intx/factorial-again 120 "$(fact 5)"
after=$(count ' edu\(')
[ "${after:-0}" -ge $((${before:-0} + 2)) ]
ok edu-intx/count-rises $? "before $before after $after"
out=$(rmmod edu 2>&1)
ok edu-intx/rmmod $? "$out"
grep -q ' edu(' /proc/interrupts
[ $? -ne 0 ]
ok edu-intx/handler-gone $? "$(cat /proc/interrupts)"

# --- every in-tree driver, loaded and removed again and again ------------------------
hw_ok() { hwclock -r -u > /dev/null 2>&1; }
one_round() {
	insmod "$M/hello.ko" greeting_count=1 && insmod "$M/hello_dep.ko" &&
		rmmod hello_dep && rmmod hello || return 1
	insmod "$M/edu.ko" || return 2
	[ "$(fact 6)" = 720 ] || { rmmod edu; return 3; }
	rmmod edu || return 4
	insmod "$M/edu.ko" intx=1 || return 5
	[ "$(fact 7)" = 5040 ] || { rmmod edu; return 6; }
	rmmod edu || return 7
	insmod "$M/rtc.ko" && hw_ok && rmmod rtc || return 8
	return 0
}
one_round	# warm-up: first-use allocations (caches, /dev and /proc nodes)
mark
free0=$(memfree)
i=0 st=0
while [ $i -lt "$LOOPS" ]; do
	one_round
	st=$?
	[ $st -eq 0 ] || break
	i=$((i + 1))
done
check reload-loop/rounds "$LOOPS rounds, status 0" "$i rounds, status $st"
free1=$(memfree)
[ $((free0 - free1)) -le 64 ]
ok reload-loop/memfree-within-64k $? "MemFree $free0 kB -> $free1 kB"
new_log | grep -Eq 'WARNING|left .*; |nobody cared|BUG'
[ $? -ne 0 ]
ok reload-loop/no-warnings $? "$(new_log | grep -E 'WARNING|left|nobody cared|BUG' | head -n 5)"

# --- leaky: the kernel releases what the module forgot -------------------------------
mark
out=$(insmod "$M/leaky.ko" 2>&1)
ok leaky/insmod $? "$out"
sleep 1
n1=$(count ' leaky\(')
sleep 1
n2=$(count ' leaky\(')
[ "${n2:-0}" -gt "${n1:-0}" ] && [ "${n1:-0}" -gt 0 ]
ok leaky/line-fires $? "leaky interrupts: $n1 then $n2"
grep -q '^irq [0-9]* interrupts [1-9]' /proc/leaky
ok leaky/proc-entry $? "$(cat /proc/leaky 2>&1)"
mark
out=$(rmmod leaky 2>&1)
ok leaky/rmmod $? "$out"
new_log > "$T/leaky.log"	# read the log once: dmesg is slow on a busy host
L="$T/leaky.log"
left=$(grep -c 'module leaky: exit left ' "$L")
check leaky/one-warning-per-resource 6 "$left"
grep -q 'module leaky: exit left PCI driver leaky registered; unregistered' "$L"
ok leaky/driver-unregistered $? "$(cat "$L")"
grep -Eq 'module leaky: exit left irq [0-9]+ \(leaky\) requested; freed' "$L"
ok leaky/irq-freed $? "$(cat "$L")"
grep -q 'module leaky: exit left timer leaky_timer_fn+0x[0-9a-f]*/0x[0-9a-f]* \[leaky\] armed; cancelled' "$L"
ok leaky/timer-cancelled $? "$(cat "$L")"
grep -q 'module leaky: exit left delayed work leaky_work_fn+0x[0-9a-f]*/0x[0-9a-f]* \[leaky\] pending; cancelled' "$L"
ok leaky/work-cancelled $? "$(cat "$L")"
grep -q 'module leaky: exit left /proc/leaky registered; removed' "$L"
ok leaky/proc-removed $? "$(cat "$L")"
grep -Eq 'module leaky: exit left ioremap of 4096 bytes at 0x[0-9a-f]+; unmapped' "$L"
ok leaky/ioremap-dropped $? "$(cat "$L")"
[ ! -e /proc/leaky ]
ok leaky/proc-gone $? "$(ls /proc | grep leaky)"
sleep 1
grep -q ' leaky(' /proc/interrupts
[ $? -ne 0 ]
ok leaky/handler-gone $? "$(cat /proc/interrupts)"
echo alive > "$T/alive" && [ "$(cat "$T/alive")" = alive ]
ok leaky/kernel-still-running $?

# --- kfree of an armed timer and a queued work item ----------------------------------
mark
out=$(insmod "$M/leaky.ko" free_armed=1 2>&1)
ok free-armed/insmod $? "$out"
out=$(rmmod leaky 2>&1)
ok free-armed/rmmod $? "$out"
new_log | grep -Eq 'kfree of 0x[0-9a-f]+ \([0-9]+ bytes\) at leaky_exit\+\S+ \[leaky\] frees timer leaky_obj_timer\+\S+ \[leaky\] while armed; cancelled'
ok free-armed/timer-cancelled $? "$(new_log | tail -n 12)"
new_log | grep -Eq 'kfree at leaky_exit\+\S+ \[leaky\] frees work leaky_obj_work\+\S+ \[leaky\] while queued; cancelled'
ok free-armed/work-cancelled $? "$(new_log | tail -n 12)"
sleep 1
new_log | grep -q "the freed object's"
[ $? -ne 0 ]
ok free-armed/never-ran $? "$(new_log | grep leaky)"

# --- a storm on a line nobody claims -------------------------------------------------
mark
out=$(insmod "$M/leaky.ko" storm=1 2>&1)
ok storm/insmod $? "$out"
i=0
until new_log | grep -q 'nobody cared' || [ $i -ge 20 ]; do sleep 1; i=$((i + 1)); done
new_log | grep -Eq 'irq [0-9]+: nobody cared \([0-9]+ interrupts in a row unhandled\); disabling it'
ok storm/line-disabled $? "$(new_log | tail -n 5)"
grep -q 'disabled: nobody cared' /proc/interrupts
ok storm/shown-disabled $? "$(cat /proc/interrupts)"
out=$(rmmod leaky 2>&1)
ok storm/rmmod $? "$out"
# the line works again for the next driver
out=$(insmod "$M/edu.ko" intx=1 2>&1)
ok storm/edu-after-storm $? "$out"
check storm/factorial-after-storm 24 "$(fact 4)"
rmmod edu

exit $nfail
