#!/bin/sh
# Signed entitlements, inside QEMU (needs "-device edu"): each refusal the
# kernel makes for a module reaching past its manifest, with the exact log
# line, the errno insmod reports, and the kernel still running afterwards
# (a PCI device outside its table, an ISA interrupt line, I/O ports, the
# DMA API, another device's registers, a key granting less than the
# module asks); what a bound driver may use without asking;
# /proc/module_entitlements; and a module marked faulted. Run as
# basalt.test=entitle. Prints "ok - entitle/<case>" lines; the exit status
# is the number of failures.

M=${MODULES_DIR:-/lib/modules}
B=$M/bad
T=${TMPDIR:-/tmp}/basalt-entitle.$$
T_PREFIX=entitle
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT

EPERM="Operation not permitted"
EACCES="Permission denied"

for m in hello_dep hello edu rtc leaky entdeny entbind; do loaded $m && rmmod $m; done
slot=$(awk '$3 == "1234:11e8" { print $1; exit }' /proc/pci)
if [ -z "$slot" ]; then
	fail edu-present "no edu device (QEMU -device edu)"
	exit $nfail
fi
EDU=0000:$slot
EDU_IRQ=$(awk '$3 == "1234:11e8" { sub("intx:", "", $6); print $6; exit }' /proc/pci)

# snap: the kernel log since the last mark, into $T/log (read once: dmesg is slow)
snap() { new_log > "$T/log"; }
# logged LINE: a line of $T/log ends with exactly LINE
logged() { awk -v l="$1" 'substr($0, length($0) - length(l) + 1) == l { f = 1 }
	END { exit !f }' "$T/log"; }
alive() { [ "$(echo alive)" = alive ] && [ -r /proc/modules ] && cat /proc/uptime > /dev/null; }

# refusal CASE ERRTEXT LINE MODULE FILE [ARGS...]: insmod FILE fails with
# ERRTEXT, the log has LINE, MODULE is not loaded and the kernel carries on
refusal() {
	_c=$1 _e=$2 _l=$3 _m=$4 _f=$5
	shift 5
	mark
	out=$(insmod "$_f" "$@" 2>&1)
	refused "$_c/insmod-fails" $? "$out"
	snap
	case "$out" in
	*": $_e") pass "$_c/errno" ;;
	*) fail "$_c/errno" "want: insmod: can't insert '$_f': $_e" "got:  $out" ;;
	esac
	logged "$_l"
	ok "$_c/log-line" $? "want: $_l" "got:" "$(grep "module $_m" "$T/log" | tail -n 4)"
	! loaded "$_m" && alive
	ok "$_c/kernel-still-running" $? "$(lsmod)"
}

# --- (a) a PCI device outside the module's ID table --------------------------
refusal bind-outside-table "$EPERM" \
	"module entbind: probe of $EDU [1234:11e8] refused: no entitlement pci:1234:11e8" \
	entbind "$M/entbind.ko"
grep -q 'entbind: probed' "$T/log"
[ $? -ne 0 ] && awk -v s="$slot" '$1 == s && $NF == "-"' /proc/pci | grep -q .
ok bind-outside-table/never-probed $? "$(grep 1234:11e8 /proc/pci)"

# --- (b) an ISA interrupt line without irq:8 ---------------------------------
refusal irq-not-granted "$EPERM" "module entdeny: request_irq(8) refused: no entitlement irq:8" \
	entdeny "$M/entdeny.ko" act=irq

# --- (c) I/O ports without ioport: --------------------------------------------
refusal region-not-granted "$EPERM" \
	"module entdeny: request_region(0x70, 2) refused: no entitlement ioport:0x70-0x71" \
	entdeny "$M/entdeny.ko" act=region
# rtc has the entitlement: its claim shows in /proc/ioports while it is loaded
out=$(insmod "$M/rtc.ko" 2>&1)
ok region-granted/rtc-insmod $? "$out"
grep -qx '0070-0071 : rtc' /proc/ioports
ok region-granted/proc-ioports $? "$(cat /proc/ioports)"
hwclock -r -u > /dev/null 2>&1
ok region-granted/hwclock $?

# --- (g) /proc/module_entitlements --------------------------------------------
out=$(insmod "$M/edu.ko" 2>&1)
ok proc-entitlements/edu-insmod $? "$out"
KEY=$(awk '$1 == "rtc" { print $2 }' /proc/module_entitlements)
echo "$KEY" | grep -Eq '^[0-9a-f]{16}$'
ok proc-entitlements/key-id $? "$(cat /proc/module_entitlements)"
grep -qx "rtc $KEY ioport:0x70-0x71" /proc/module_entitlements
ok proc-entitlements/rtc-ioport $? "$(cat /proc/module_entitlements)"
grep -qx "edu $KEY pci:1234:11e8 dma" /proc/module_entitlements
ok proc-entitlements/edu-pci-dma $? "$(cat /proc/module_entitlements)"
out=$(insmod "$M/hello.ko" greeting_count=0 2>&1)
ok proc-entitlements/hello-insmod $? "$out"
grep -qx "hello $KEY export" /proc/module_entitlements
ok proc-entitlements/hello-export $? "$(cat /proc/module_entitlements)"
rmmod hello
rmmod rtc
! grep -q ' : rtc$' /proc/ioports
ok region-granted/released-at-rmmod $? "$(cat /proc/ioports)"

# --- (e) the registers of a device another module drives ----------------------
mark
insmod "$M/entdeny.ko" act=ioremap > "$T/out" 2>&1
refused ioremap-not-owned/insmod-fails $? "$(cat "$T/out")"
snap
grep -q ": $EPERM\$" "$T/out"
ok ioremap-not-owned/errno $? "$(cat "$T/out")"
# the BAR's address is the device's: rebuild the exact line around it
addr=$(sed -n 's/.*module entdeny: ioremap(\(0x[0-9a-f]*\), 4096) refused.*/\1/p' "$T/log" | tail -n 1)
want="module entdeny: ioremap($addr, 4096) refused: no entitlement to $addr-$(printf '0x%x' $((addr + 4095))) (no BAR of a device bound to entdeny)"
[ -n "$addr" ] && logged "$want"
ok ioremap-not-owned/log-line $? "want: $want" "$(grep entdeny "$T/log" | tail -n 3)"
! loaded entdeny && alive
ok ioremap-not-owned/kernel-still-running $?
rmmod edu
# unbound, pci_iomap of the device is refused the same way
mark
insmod "$M/entdeny.ko" act=iomap > "$T/out" 2>&1
refused iomap-not-bound/insmod-fails $? "$(cat "$T/out")"
snap
grep -q ": $EPERM\$" "$T/out"
ok iomap-not-bound/errno $? "$(cat "$T/out")"
grep -Eq "module entdeny: pci_iomap\\($addr, [0-9]+\\) refused: no entitlement to $addr-0x[0-9a-f]+ \\(no BAR of a device bound to entdeny\\)\$" "$T/log"
ok iomap-not-bound/log-line $? "$(grep entdeny "$T/log" | tail -n 3)"

# --- (d) the DMA API without dma, from a driver bound to edu --------------------
refusal dma-not-granted "$EPERM" "module entdeny: dma_alloc_coherent($EDU) refused: no entitlement dma" \
	entdeny "$M/entdeny.ko" act=dma
refusal dma-map-not-granted "$EPERM" "module entdeny: dma_map_single($EDU) refused: no entitlement dma" \
	entdeny "$M/entdeny.ko" act=dmamap

# --- a bound driver's BARs and interrupt line need no entitlement -------------------
mark
out=$(insmod "$M/entdeny.ko" 2>&1)
ok bound-device/insmod $? "$out"
snap
grep -q "entdeny: BAR0 mapped twice and irq $EDU_IRQ requested: bound to $EDU" "$T/log"
ok bound-device/bar-and-irq $? "$(grep entdeny "$T/log")"
grep -q 'refused' "$T/log"
[ $? -ne 0 ]
ok bound-device/nothing-refused $? "$(grep refused "$T/log")"
echo irq > /proc/entdeny
ok bound-device/irq-again $?

# --- a module marked faulted (what an IOMMU fault handler does) -------------------------
mark
echo "entdeny DMA write outside its mappings" > /proc/ktest_module_fault
ok faulted/mark $?
snap
logged "module entdeny: faulted: DMA write outside its mappings; its DMA, MMIO, interrupt and port requests are refused from now on"
ok faulted/log-line $? "$(cat "$T/log")"
grep -Eq '^entdeny [0-9]+ 0 - Live 0x[0-9a-f]{16} \(faulted\)$' /proc/modules
ok faulted/proc-modules $? "$(cat /proc/modules)"
lsmod > "$T/lsmod" 2>&1
ok faulted/lsmod-runs $? "$(cat "$T/lsmod")"
grep -Eq '^entdeny +[0-9]+ +0 *$' "$T/lsmod"
ok faulted/lsmod-line $? "$(cat "$T/lsmod")"
grep -qx "entdeny $KEY pci:1234:11e8 (faulted: DMA write outside its mappings)" /proc/module_entitlements
ok faulted/proc-entitlements $? "$(cat /proc/module_entitlements)"
mark
echo irq > /proc/entdeny 2> "$T/err"
refused faulted/irq-refused $? "$(cat "$T/err")"
snap
logged "module entdeny: request_irq($EDU_IRQ) refused: module faulted (DMA write outside its mappings)"
ok faulted/irq-refused-log-line $? "$(cat "$T/log")"
out=$(rmmod entdeny 2>&1)
ok faulted/rmmod $? "$out"
! loaded entdeny && ! grep -q '^entdeny ' /proc/module_entitlements
ok faulted/gone $? "$(cat /proc/module_entitlements)"
out=$(insmod "$M/entdeny.ko" 2>&1) && ! grep -q faulted /proc/modules && rmmod entdeny
ok faulted/reload-is-clean $? "$out" "$(cat /proc/modules)"

# --- (f) the third-party key: pci and dma yes, msr no --------------------------------
mark
out=$(insmod "$B/edu-thirdparty.ko" 2>&1)
ok thirdparty/pci-dma-loads $? "$out"
snap
TP=$(awk '$1 == "edu" { print $2 }' /proc/module_entitlements)
echo "$TP" | grep -Eq '^[0-9a-f]{16}$' && [ "$TP" != "$KEY" ]
ok thirdparty/other-key $? "build key $KEY, edu's $TP"
logged "module edu 1.0 loaded at $(awk '$1 == "edu" { print $6 }' /proc/modules) ($(($(awk '$1 == "edu" { print $2 }' /proc/modules) / 1024)) KiB, key $TP)"
ok thirdparty/load-line $? "$(grep 'module edu' "$T/log")"
echo 6 > /dev/edu && [ "$(cat /dev/edu)" = 720 ]
ok thirdparty/edu-works $?
rmmod edu
refusal thirdparty-msr "$EACCES" "module entmsr: entitlement 'msr' is more than key $TP may grant" \
	entmsr "$B/entmsr-thirdparty.ko"
grep -q 'entmsr: loaded' "$T/log"
[ $? -ne 0 ]
ok thirdparty-msr/init-never-ran $?

exit $nfail
