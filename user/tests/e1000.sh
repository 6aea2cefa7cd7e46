#!/bin/sh
# The e1000 driver module (modules/e1000) on QEMU's e1000 with user-mode
# networking (tests/qemu/e1000_cases.py: -netdev user -device e1000): load
# it, see the link come up and the interrupt count rise, ping the slirp
# gateway 10.0.2.2 with /bin/ping-e1000, check the device's rules with
# /tests/e1000_check, unload it and see its node and proc file go, then
# load, ping and unload ten times. e1000-reload.sh does the long loop.
# Prints "ok - e1000/<case>" or "not ok - e1000/<case>" with "# " detail
# lines; the exit status is the number of failures.

M=${MODULES_DIR:-/lib/modules}
T=${TMPDIR:-/tmp}/basalt-e1000.$$
T_PREFIX=e1000
. "$(dirname "$0")/lib.sh"
DEV=/dev/e1000-0
PROC=/proc/net/e1000-0
export LC_ALL=C
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT

loaded() { lsmod | grep -q "^e1000 "; }
field() { sed -n "s/^$1: *//p" "$PROC" 2>/dev/null; }
# the count of IRQ line $1 in /proc/interrupts (one CPU column)
irq_count() { awk -v irq="$1:" '$1 == irq { print $2 }' /proc/interrupts 2>/dev/null; }
# wait up to $2 seconds for kernel log lines since the mark to match $1
wait_log() {
	i=0
	while [ $i -lt "$(($2 * 10))" ]; do
		new_log | grep -q "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

if ! grep -q ' 8086:100e ' /proc/pci 2>/dev/null; then
	fail present "no 82540EM in /proc/pci (QEMU -device e1000)" "$(cat /proc/pci 2>&1)"
	exit 1
fi
loaded && rmmod e1000

# --- load: probe, link, device node, proc file -----------------------------------
mark
out=$(insmod "$M/e1000.ko" 2>&1)
ok insmod $? "$out"
wait_log 'e1000 0000:00:[0-9a-f][0-9a-f]\.0: link up, 1000 Mbps full duplex' 10
ok link-up $? "$(new_log | grep -i e1000)"
new_log | grep -q 'e1000-0: MAC 52:54:00:12:34:56, IRQ [0-9]*, /dev/e1000-0'
ok probe-line $? "$(new_log | grep -i e1000)"
[ -c "$DEV" ]
ok device-node $? "$(ls -l /dev 2>&1 | grep e1000)"
[ "$(field mac)" = 52:54:00:12:34:56 ] && [ "$(field link)" = "up 1000 Mbps full duplex" ]
ok proc-file $? "$(cat $PROC 2>&1)"

# --- ping the gateway; the interrupt line counts -------------------------------------
irq=$(field irq)
before=$(irq_count "$irq")
ints_before=$(field interrupts)
out=$(ping-e1000 2>&1)
st=$?
ok ping $st "$out"
echo "$out" | grep -q '^64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=255 time=[0-9.]* ms$'
ok ping-reply-line $? "$out"
echo "$out" | grep -q '^ARP: 10\.0\.2\.2 is at 52:55:0a:00:02:02$'
ok arp-reply $? "$out"
out=$(ping-e1000 -c 3 2>&1)
ok ping-three $? "$out"
[ "$(echo "$out" | grep -c '^64 bytes from 10\.0\.2\.2')" -eq 3 ]
ok ping-three-replies $? "$out"
after=$(irq_count "$irq")
if [ -n "$before" ] && [ -n "$after" ]; then
	grep -q "^ *$irq:.*e1000-0" /proc/interrupts
	ok proc-interrupts-names-e1000 $? "$(cat /proc/interrupts)"
	[ "$after" -gt "$before" ]
	ok proc-interrupts-count-rises $? "IRQ $irq: $before before the pings, $after after"
else
	fail proc-interrupts-line "/proc/interrupts has no line for IRQ '$irq'" "$(cat /proc/interrupts)"
fi
[ "$(field interrupts)" -gt "$ints_before" ]
ok proc-interrupts-counter-rises $? "interrupts: $ints_before before, $(field interrupts) after"
# two ARP replies and four echo replies at least, as many requests sent
[ "$(field rx_packets)" -ge 6 ] && [ "$(field tx_packets)" -ge 6 ] &&
	[ "$(field rx_errors)" -eq 0 ]
ok proc-counters $? "$(cat $PROC 2>&1)"

# --- the device's rules, from C --------------------------------------------------------
/tests/e1000_check "$DEV" > "$T/check" 2>&1
st=$?
cat "$T/check"
grep -q '^ok - e1000/chr/queue-drops-counted' "$T/check"
ok chr-checks-ran $? "exit status $st"
ok chr-checks-passed $st "$(grep '^not ok' "$T/check")"

# --- unload: the node stays but fails, the proc file goes -----------------------------
mark
out=$(rmmod e1000 2>&1)
ok rmmod $? "$out"
new_log | grep -q 'e1000 0000:00:[0-9a-f][0-9a-f]\.0: e1000-0 removed after [1-9][0-9]* interrupts'
ok removed-line $? "$(new_log | grep -i e1000)"
out=$(cat "$DEV" 2>&1)
refused node-fails-after-rmmod $? "$out"
echo "$out" | grep -q 'No such device'
ok node-says-enodev $? "$out"
cat "$PROC" > /dev/null 2>&1
refused proc-gone-after-rmmod $?
out=$(ping-e1000 -W 1 2>&1)
[ $? -eq 2 ]
ok ping-fails-without-driver $? "$out"

# --- ten times: load, ping, unload --------------------------------------------------------
bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	insmod "$M/e1000.ko" 2> "$T/err" || { bad=$((bad + 1)); cat "$T/err"; continue; }
	ping-e1000 > "$T/ping" 2>&1 || { bad=$((bad + 1)); echo "# round $i:"; cat "$T/ping"; }
	rmmod e1000 2> "$T/err" || { bad=$((bad + 1)); cat "$T/err"; }
done
[ $bad -eq 0 ]
ok load-ping-unload-x10 $? "$bad failure(s)"
! loaded
ok unloaded-at-end $? "$(lsmod)"

exit $nfail
