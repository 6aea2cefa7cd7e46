#!/bin/sh
# The virtio library through modules/virtio_rng: QEMU's virtio-rng-pci as
# /dev/hwrng. Loads the module, checks the interrupt mode the transport
# chose (INTx when the command line forces it with virtio_pci.force_intx=1,
# MSI-X otherwise), reads random bytes, then loads, reads and unloads 50
# times and checks that MemFree comes back and the kernel log has no
# warnings. Needs "-device virtio-rng-pci" (skipped without it). Prints
# "ok - virtio_rng/<case>" or "not ok - ..." with "# " detail lines; the
# exit status is the number of failures.

M=${MODULES_DIR:-/lib/modules}
T=${TMPDIR:-/tmp}/basalt-virtio-rng.$$
T_PREFIX=virtio_rng
. "$(dirname "$0")/lib.sh"
LOOPS=${VIRTIO_RNG_LOOPS:-50}
export LC_ALL=C
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT

loaded() { lsmod | grep -q "^virtio_rng "; }
mem_free() { sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
# distinct byte values in a file
distinct() { od -An -v -tu1 "$1" | tr -s ' ' '\n' | grep -v '^$' | sort -u | wc -l; }

# virtio-rng: modern 1af4:1044 or transitional 1af4:1005
if ! grep -q ' 1af4:10\(05\|44\) ' /proc/pci 2>/dev/null; then
	echo "ok - virtio_rng/device # SKIP no virtio-rng device (QEMU -device virtio-rng-pci)"
	exit 0
fi
want=MSI-X
grep -q 'virtio_pci.force_intx=1' /proc/cmdline && want=INTx

loaded && rmmod virtio_rng
mark
out=$(insmod "$M/virtio_rng.ko" 2>&1)
ok insmod $? "$out"
[ -c /dev/hwrng ]
ok device-node $? "$(ls -l /dev/hwrng 2>&1)"
line=$(new_log | grep 'virtio-pci .*: virtio[0-9]*: interrupts: ')
echo "$line" | grep -q ": interrupts: $want"
ok "interrupts-$want" $? "want $want, log: ${line:-nothing}"
new_log | grep -q 'virtio_rng virtio[0-9]*: /dev/hwrng ready'
ok probe-message $? "$(new_log | grep -i virtio)"

dd if=/dev/hwrng of="$T/a" bs=4096 count=1 2>/dev/null
ok read-4k $? "$(dd if=/dev/hwrng of=/dev/null bs=4096 count=1 2>&1)"
n=$(wc -c < "$T/a")
[ "$n" -eq 4096 ]
ok read-4k-size $? "read $n bytes"
n=$(distinct "$T/a")
[ "$n" -ge 200 ]
ok read-4k-distinct-bytes $? "only $n distinct byte values in 4096 bytes"
dd if=/dev/hwrng of="$T/b" bs=4096 count=1 2>/dev/null
! cmp -s "$T/a" "$T/b"
ok two-reads-differ $?
n=$(head -c 100000 /dev/hwrng | wc -c)
[ "$n" -eq 100000 ]
ok read-100000-small-chunks $? "read $n bytes"

mark
out=$(rmmod virtio_rng 2>&1)
ok rmmod $? "$out"
[ -c /dev/hwrng ] && ! head -c 1 /dev/hwrng > /dev/null 2>&1
ok node-dead-after-rmmod $?
new_log | grep -q 'virtio_rng virtio[0-9]*: removed after [1-9][0-9]* interrupt'
ok interrupts-counted $? "$(new_log | grep virtio)"

# load, read, unload: nothing may be left behind
before=$(mem_free)
bad=0
i=0
while [ $i -lt "$LOOPS" ]; do
	i=$((i + 1))
	if ! insmod "$M/virtio_rng.ko"; then
		echo "# loop $i: insmod failed"
		bad=$((bad + 1))
		continue
	fi
	n=$(head -c 512 /dev/hwrng | wc -c)
	[ "$n" -eq 512 ] || { echo "# loop $i: read $n bytes"; bad=$((bad + 1)); }
	rmmod virtio_rng || { echo "# loop $i: rmmod failed"; bad=$((bad + 1)); }
done
[ $bad -eq 0 ]
ok "load-read-unload-x$LOOPS" $? "$bad failures"
after=$(mem_free)
echo "# MemFree ${before} kB before the loop, ${after} kB after"
[ "$after" -ge $((before - 64)) ]
ok memfree-returns $? "MemFree ${before} kB before, ${after} kB after $LOOPS loops"

n=$(dmesg | grep -c 'WARNING')
[ "$n" -eq 0 ]
ok no-warnings $? "$(dmesg | grep WARNING | head -n 5)"
n=$(dmesg | grep -c 'virtio.*\(did not reset\|left its queues\|not in flight\|wrote [0-9]* bytes into\)')
[ "$n" -eq 0 ]
ok no-driver-errors $? "$(dmesg | grep virtio | tail -n 5)"

exit $nfail
