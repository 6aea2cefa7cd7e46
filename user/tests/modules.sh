#!/bin/sh
# Loadable modules on Basalt: busybox insmod/rmmod/lsmod with the signed
# modules in /lib/modules (one of them without a MODULE_VERSION), module
# parameters and dependencies, and the drivers they carry: QEMU's edu PCI
# device (factorials by MSI or polling, a DMA round trip) and the CMOS
# clock behind hwclock. Needs QEMU's "-device edu" for the edu cases
# (skipped without it). Prints "ok - modules/<case>" or
# "not ok - modules/<case>" with "# " detail lines; the exit status is the
# number of failures.

M=${MODULES_DIR:-/lib/modules}
T=${TMPDIR:-/tmp}/basalt-modules.$$
T_PREFIX=modules
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT

loaded() { lsmod | grep -q "^$1 "; }
unload() { loaded "$1" && rmmod "$1" 2>/dev/null; }

for m in hello hello_dep edu rtc noversion; do
	[ -r "$M/$m.ko" ] || fail "$m/present" "$M/$m.ko is missing"
done

# --- hello: parameters, lsmod, rmmod ---------------------------------------
unload hello_dep
unload hello
mark
out=$(insmod "$M/hello.ko" greeting_count=3 2>&1)
ok hello/insmod $? "$out"
check hello/greetings 3 "$(new_log | grep -c 'hello: hello, world (. of 3)')"
loaded hello
ok hello/lsmod $? "$(lsmod)"
mark
out=$(rmmod hello 2>&1)
ok hello/rmmod $? "$out"
new_log | grep -q 'hello: goodbye, world'
ok hello/exit-message $? "$(new_log | tail -n 3)"
! loaded hello
ok hello/gone-from-lsmod $? "$(lsmod)"

mark
out=$(insmod "$M/hello.ko" greeting_count=99 2>&1)
refused hello/bad-parameter-value $? "$out"
new_log | grep -q 'greeting_count=99 is out of range'
ok hello/bad-parameter-value-logged $? "$(new_log | tail -n 3)"
out=$(insmod "$M/hello.ko" no_such_parameter=1 2>&1)
refused hello/unknown-parameter $? "$out"
! loaded hello
ok hello/not-loaded-after-failure $? "$(lsmod)"

# --- a module without MODULE_VERSION: signed as version "0" -------------------
unload noversion
mark
out=$(insmod "$M/noversion.ko" 2>&1)
ok noversion/insmod $? "$out"
new_log | grep -q 'module noversion 0 loaded at'
ok noversion/version-0-logged $? "$(new_log | tail -n 3)"
loaded noversion
ok noversion/lsmod $? "$(lsmod)"
out=$(rmmod noversion 2>&1)
ok noversion/rmmod $? "$out"

# --- dependencies ------------------------------------------------------------
out=$(insmod "$M/hello_dep.ko" 2>&1)
refused deps/needs-hello $? "$out"
insmod "$M/hello.ko" && mark && out=$(insmod "$M/hello_dep.ko" 2>&1)
ok deps/insmod $? "$out"
new_log | grep -q 'hello: hello, hello_dep'
ok deps/calls-export $? "$(new_log | tail -n 3)"
out=$(rmmod hello 2>&1)
refused deps/rmmod-in-use $? "$out"
loaded hello
ok deps/still-loaded $? "$(lsmod)"
out=$(rmmod hello_dep 2>&1 && rmmod hello 2>&1)
ok deps/rmmod-in-order $? "$out"

# --- edu: factorials, MSI, DMA -------------------------------------------------
fact() { echo "$1" > /dev/edu && cat /dev/edu; }
if ! grep -q ' 1234:11e8 ' /proc/pci 2>/dev/null; then
	skip edu "no edu device (QEMU -device edu)"
else
	unload edu
	mark
	out=$(insmod "$M/edu.ko" 2>&1)
	ok edu/insmod $? "$out"
	[ -c /dev/edu ] && [ -c /dev/edu_dma ]
	ok edu/device-nodes $? "$(ls -l /dev/edu* 2>&1)"
	new_log | grep -q 'liveness check passed'
	ok edu/liveness $? "$(new_log | grep edu)"
	new_log | grep -q 'interrupts by MSI'
	ok edu/msi $? "$(new_log | grep edu)"
	check edu/factorial-5 120 "$(fact 5)"
	check edu/factorial-0 1 "$(fact 0)"
	check edu/factorial-10 3628800 "$(fact 10)"
	check edu/factorial-12 479001600 "$(fact 12)"
	echo 13 > /dev/edu 2>/dev/null
	refused edu/factorial-too-big $?
	echo five > /dev/edu 2>/dev/null
	refused edu/not-a-number $?
	grep ' 1234:11e8 ' /proc/pci | grep -q 'msi:.* edu$'
	ok edu/proc-pci $? "$(cat /proc/pci)"

	msg="Basalt's edu DMA round trip"
	printf '%s' "$msg" > /dev/edu_dma
	ok edu/dma-write $?
	check edu/dma-read-back "$msg" "$(cat /dev/edu_dma)"
	# the device has 4 KiB; the driver uses 4095 bytes of it (see edu.c)
	head -c 4095 /dev/urandom > "$T/rand"
	cat "$T/rand" > /dev/edu_dma && cmp "$T/rand" /dev/edu_dma
	ok edu/dma-4095-random-bytes $?
	head -c 4096 /dev/urandom > "$T/big"
	cat "$T/big" > /dev/edu_dma 2>/dev/null	# (head ignores write errors)
	refused edu/dma-past-device-memory $?

	mark
	out=$(rmmod edu 2>&1)
	ok edu/rmmod $? "$out"
	n=$(new_log | sed -n 's/.*removed after \([0-9]*\) interrupt.*/\1/p')
	[ "${n:-0}" -ge 8 ]
	ok edu/interrupts-counted $? "interrupts: ${n:-none}"
	cat /dev/edu > /dev/null 2>&1
	refused edu/node-dead-after-rmmod $?

	mark
	out=$(insmod "$M/edu.ko" irq_poll=1 2>&1)
	ok edu/insmod-polling $? "$out"
	check edu/factorial-polling 720 "$(fact 6)"
	printf 'polled' > /dev/edu_dma
	check edu/dma-polling polled "$(cat /dev/edu_dma)"
	out=$(rmmod edu 2>&1)
	ok edu/rmmod-polling $? "$out"
	n=$(new_log | sed -n 's/.*removed after \([0-9]*\) interrupt.*/\1/p')
	check edu/no-interrupts-when-polling 0 "${n:-none}"
fi

# --- rtc: hwclock -----------------------------------------------------------------
# seconds since the epoch from hwclock's "Sat Jun  1 12:00:00 2024  0.000000 seconds"
hw_epoch() {
	s=$(hwclock -r -u 2>&1) || return 1
	date -u -D '%a %b %e %H:%M:%S %Y' -d "${s%  *}" +%s
}
near() { d=$(($1 - $2)); [ "$d" -ge "-$3" ] && [ "$d" -le "$3" ]; }

unload rtc
out=$(insmod "$M/rtc.ko" 2>&1)
ok rtc/insmod $? "$out"
[ -c /dev/rtc0 ]
ok rtc/device-node $? "$(ls -l /dev/rtc0 2>&1)"
hw=$(hw_epoch)
now=$(date -u +%s)
near "${hw:-0}" "$now" 5
ok rtc/hwclock-read $? "hwclock -r -u: $(hwclock -r -u 2>&1); date: $(date -u)"
txt=$(cat /dev/rtc0)
near "$(date -u -d "$txt" +%s 2>/dev/null || echo 0)" "$(date -u +%s)" 5
ok rtc/read-text $? "/dev/rtc0: $txt"
out=$(hwclock -w -u 2>&1)
ok rtc/hwclock-write $? "$out"
near "$(hw_epoch || echo 0)" "$(date -u +%s)" 2
ok rtc/write-read-back $? "$(hwclock -r -u 2>&1)"
if [ -x /tests/rtc_check ]; then
	out=$(/tests/rtc_check 2>&1)
	ok rtc/set-and-roll-over $? "$out"
fi
out=$(rmmod rtc 2>&1)
ok rtc/rmmod $? "$out"
hwclock -r -u > /dev/null 2>&1
refused rtc/gone-after-rmmod $?

exit $nfail
