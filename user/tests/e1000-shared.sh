#!/bin/sh
# Two e1000 adapters on one shared interrupt line (tests/qemu/e1000_cases.py
# puts an 82540EM in slot 4 and an 82545EM in slot 8, each with its own
# slirp): one insmod drives both, each handler claims only its own
# adapter's interrupts, pings through both at once get their replies, and
# a link taken down from QEMU's monitor is reported and comes back. The
# script asks the host for the link changes by printing
# "e1000-link: set n1 off" / "... on", which the case's monitor thread
# watches for. Prints "ok - e1000/shared/<case>" lines; the exit status is
# the number of failures.

M=${MODULES_DIR:-/lib/modules}
T=${TMPDIR:-/tmp}/basalt-e1000s.$$
T_PREFIX=e1000/shared
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT

field() { sed -n "s/^$2: *//p" "/proc/net/e1000-$1" 2>/dev/null; }
wait_log() {
	i=0
	while [ $i -lt "$(($2 * 10))" ]; do
		[ "$(new_log | grep -c "$1")" -ge "${3:-1}" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

lsmod | grep -q '^e1000 ' && rmmod e1000
mark
out=$(insmod "$M/e1000.ko" 2>&1)
ok insmod $? "$out"
wait_log ': link up, 1000 Mbps full duplex' 10 2
ok both-links-up $? "$(new_log | grep e1000)"
[ -c /dev/e1000-0 ] && [ -c /dev/e1000-1 ]
ok two-nodes $? "$(ls -l /dev | grep e1000)"
[ "$(field 1 mac)" = 52:54:00:12:34:57 ] && [ "$(field 0 mac)" = 52:54:00:12:34:56 ]
ok two-macs $? "$(field 0 mac) $(field 1 mac)"
irq0=$(field 0 irq)
irq1=$(field 1 irq)
[ -n "$irq0" ] && [ "$irq0" = "$irq1" ]
ok same-irq-line $? "e1000-0 on IRQ $irq0, e1000-1 on IRQ $irq1"
echo "# $(grep "^ *$irq0:" /proc/interrupts)"
grep -q "^ *$irq0:.*e1000-0.*e1000-1" /proc/interrupts
ok proc-interrupts-lists-both $? "$(grep "^ *$irq0:" /proc/interrupts)"

# --- both at once: each handler must claim its own adapter's interrupts ---------------
a0=$(field 0 interrupts)
a1=$(field 1 interrupts)
ping-e1000 -d /dev/e1000-0 -c 3 > "$T/p0" 2>&1 &
p0=$!
ping-e1000 -d /dev/e1000-1 -c 3 > "$T/p1" 2>&1
st1=$?
wait $p0
st0=$?
ok ping-e1000-0 $st0 "$(cat "$T/p0")"
ok ping-e1000-1 $st1 "$(cat "$T/p1")"
[ "$(field 0 interrupts)" -gt "$a0" ] && [ "$(field 1 interrupts)" -gt "$a1" ]
ok both-handlers-claimed $? "e1000-0: $a0 -> $(field 0 interrupts), e1000-1: $a1 -> $(field 1 interrupts)"

# traffic on e1000-1 alone raises the shared line, and e1000-0 must not claim it
a0=$(field 0 interrupts)
line0=$(awk -v irq="$irq0:" '$1 == irq { print $2 }' /proc/interrupts)
out=$(ping-e1000 -d /dev/e1000-1 -c 2 2>&1)
ok ping-e1000-1-alone $? "$out"
line1=$(awk -v irq="$irq0:" '$1 == irq { print $2 }' /proc/interrupts)
[ "$line1" -gt "$line0" ] && [ "$(field 0 interrupts)" -eq "$a0" ]
ok idle-adapter-claims-nothing $? "line $irq0: $line0 -> $line1; e1000-0 claimed $a0 -> $(field 0 interrupts)"

# --- the second adapter's link goes down and comes back -------------------------------
addr1=$(sed -n 's/^pci: *//p' /proc/net/e1000-1)
mark
echo "e1000-link: set n1 off"
wait_log "e1000 $addr1: link down" 20
ok link-down-logged $? "$(new_log | grep e1000)"
[ "$(field 1 link)" = down ] && [ "$(field 0 link)" = "up 1000 Mbps full duplex" ]
ok link-down-in-proc $? "e1000-0: $(field 0 link); e1000-1: $(field 1 link)"
out=$(ping-e1000 -d /dev/e1000-0 2>&1)
ok other-adapter-still-pings $? "$out"
out=$(ping-e1000 -d /dev/e1000-1 -W 2 2>&1)
[ $? -eq 1 ]
ok no-reply-without-link $? "$out"
mark
echo "e1000-link: set n1 on"
wait_log "e1000 $addr1: link up, 1000 Mbps full duplex" 20
ok link-up-again $? "$(new_log | grep e1000)"
out=$(ping-e1000 -d /dev/e1000-1 2>&1)
ok ping-after-link-up $? "$out"

mark
out=$(rmmod e1000 2>&1)
ok rmmod $? "$out"
[ "$(new_log | grep -c 'e1000-[01] removed after')" -eq 2 ]
ok both-removed $? "$(new_log | grep e1000)"

exit $nfail
