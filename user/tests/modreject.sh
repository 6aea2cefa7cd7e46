#!/bin/sh
# Every reason a module can be refused, one crafted module each (made by
# scripts/make-bad-modules, in /lib/modules/bad): insmod must fail, the
# kernel must log that exact reason, and the system carries on. Prints
# "ok - modreject/<case>" lines. Run as basalt.test=modreject (it leaves a
# high secver for "hello" behind, so it runs after the other module tests).

B=/lib/modules/bad
nfail=0
pass() { echo "ok - modreject/$1"; }
fail() { echo "not ok - modreject/$1"; shift; for l in "$@"; do echo "# $l"; done; nfail=$((nfail + 1)); }

# expect NAME FILE REASON-REGEX: insmod FILE fails and the log says why
expect() {
	if insmod "$2" 2>/tmp/insmod.err; then
		fail "$1" "insmod $2 succeeded"
		rmmod hello 2>/dev/null
		return
	fi
	# the refusal is the newest kernel message (the ring may be full)
	new=$(dmesg | tail -n 2)
	if echo "$new" | grep -qE "$3"; then
		pass "$1"
	else
		fail "$1" "log did not say /$3/:" "$new" "insmod: $(cat /tmp/insmod.err)"
	fi
}

expect no-signature "$B/unsigned.ko" "module \(unknown\): no signature"
expect malformed-trailer "$B/bad-trailer.ko" "malformed trailer"
expect unknown-key "$B/unknown-key.ko" "module hello: unknown key [0-9a-f]{16}"
expect bad-signature "$B/bad-signature.ko" "module hello: bad signature"
expect digest-mismatch "$B/digest.ko" "module hello: digest mismatch: expected [0-9a-f]{8} got [0-9a-f]{8}"
expect other-kernel "$B/other-kernel.ko" "module hello: built for another kernel"
expect malformed-elf "$B/not-elf.ko" "module notelf: not an ELF file"

# every missing symbol is named, once per load attempt (busybox insmod may try
# finit_module, then init_module), though basalt_not_exported is used twice
echo "modreject: unresolved.ko" > /dev/kmsg
if insmod "$B/unresolved.ko" 2>/tmp/insmod.err; then
	fail unresolved-symbol "insmod $B/unresolved.ko succeeded"
else
	new=$(dmesg | sed -n '/modreject: unresolved.ko/,$p')
	fn=$(echo "$new" | grep -c "module unresolved: unresolved symbol basalt_not_exported")
	data=$(echo "$new" | grep -c "module unresolved: unresolved symbol basalt_missing_data")
	all=$(echo "$new" | grep -c "module unresolved: unresolved symbol")
	if [ "$fn" -ge 1 ] && [ "$data" -ge 1 ]; then
		pass unresolved-symbol
	else
		fail unresolved-symbol "not every name was logged:" "$new"
	fi
	if [ "$fn" -eq "$data" ] && [ "$all" -eq $((fn + data)) ]; then
		pass unresolved-symbol-once-each
	else
		fail unresolved-symbol-once-each "names logged unevenly:" "$new"
	fi
fi
expect relocation-range "$B/reloc-range.ko" "module reloc_range: relocation out of range"

# anti-rollback: secver 2 loads, then secver 1 of the same module is refused
if insmod "$B/secver2.ko" && rmmod hello; then
	expect rolled-back "$B/secver1.ko" "module hello: rolled back: secver 1 < 2"
else
	fail rolled-back "the secver 2 module did not load"
fi

# the system carries on: nothing was left loaded, and a shell command runs
if [ -z "$(cat /proc/modules)" ] && [ "$(echo ok)" = ok ]; then
	pass still-running
else
	fail still-running "modules left: $(cat /proc/modules)"
fi
exit "$nfail"
