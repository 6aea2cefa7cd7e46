#!/bin/sh
# Load and unload the e1000 module 50 times while frames flow: a
# background loop keeps pinging the slirp gateway through /dev/e1000-0,
# so most rmmods find the device open, often with a process asleep in
# poll() and frames arriving. Afterwards MemFree must be back within
# 64 KiB of where it started, and the kernel log must show no WARNING,
# BUG, list corruption or resource the module left behind at unload.
# Run after e1000.sh by tests/qemu/e1000_cases.py. Prints
# "ok - e1000/reload/<case>" lines; the exit status is the number of
# failures.

M=${MODULES_DIR:-/lib/modules}
T=${TMPDIR:-/tmp}/basalt-e1000r.$$
T_PREFIX=e1000/reload
. "$(dirname "$0")/lib.sh"
ROUNDS=${E1000_ROUNDS:-50}
export LC_ALL=C
mkdir -p "$T" || exit 1
pinger=

cleanup() {
	touch "$T/stop"
	[ -n "$pinger" ] && wait "$pinger" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT


loaded e1000 && rmmod e1000
# one round first, so that whatever the first load allocates for good
# (the node, the proc entry, kernel caches) is not counted as a leak
insmod "$M/e1000.ko" && ping-e1000 > /dev/null 2>&1
rmmod e1000
sync
free_before=$(memfree)

# the background traffic: ARP and pings, restarted whenever the device
# goes, until $T/stop appears
(
	while [ ! -e "$T/stop" ]; do
		ping-e1000 -c 20 -W 1 > /dev/null 2>&1 || sleep 0.05
	done
) &
pinger=$!

bad=0 rx=0
i=0
while [ $i -lt "$ROUNDS" ]; do
	i=$((i + 1))
	if ! insmod "$M/e1000.ko" 2> "$T/err"; then
		bad=$((bad + 1))
		echo "# round $i: insmod: $(cat "$T/err")"
		continue
	fi
	# QEMU's e1000 holds received frames back for a second after each
	# RCTL write: odd rounds wait for them, even ones unload at once
	if [ $((i % 2)) -eq 1 ]; then sleep 1.2; else sleep 0.1; fi
	n=$(sed -n 's/^rx_packets: *//p' /proc/net/e1000-0 2>/dev/null)
	[ "${n:-0}" -gt 0 ] && rx=$((rx + 1))
	if ! rmmod e1000 2> "$T/err"; then
		bad=$((bad + 1))
		echo "# round $i: rmmod: $(cat "$T/err")"
	fi
done
# stop the traffic; its last ping-e1000 ends at once (no device) and is waited for
touch "$T/stop"
wait "$pinger" 2>/dev/null
pinger=

[ $bad -eq 0 ]
ok "insmod-rmmod-x$ROUNDS" $? "$bad failure(s)"
[ $rx -ge $((ROUNDS / 4)) ]
ok frames-flowed $? "frames arrived in $rx of $ROUNDS rounds"
! loaded e1000
ok unloaded-at-end $? "$(lsmod)"

# exited tasks are freed a little later: give it a few seconds
for try in 1 2 3 4 5; do
	sync
	free_after=$(memfree)
	diff=$((free_before - free_after))
	[ $diff -le 64 ] && break
	sleep 1
done
echo "# MemFree ${free_before} kB before the rounds, ${free_after} kB after (try $try)"
[ $diff -le 64 ]
ok memfree-returns $? "MemFree ${free_before} kB before, ${free_after} kB after ($diff kB less)" \
	"$(ps 2>&1 | tr '\n' ';')"

# the whole log (50 rounds may wrap the ring past any mark); the QEMU
# case rejects these words on the serial console as well
dmesg | grep -E 'WARNING|BUG|module e1000: .* left |use-after-free|list corruption' > "$T/bad"
[ ! -s "$T/bad" ]
ok no-warnings $? "$(head -n 5 "$T/bad")"

exit $nfail
