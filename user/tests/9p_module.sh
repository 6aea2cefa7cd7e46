#!/bin/sh
# The reboot-free module loop (docs/9p.md), run by /tests/run for
# basalt.test=9p_module: tests/qemu/ninep_cases.py puts the build's
# hello.ko in a shared folder; this script mounts it at /host, loads the
# module from there, checks that it runs and unloads it, twice, as a
# developer rebuilding it on the host would. Prints "ok - 9p/module/...".

export LC_ALL=C
H=/host
T_PREFIX=9p/module
. "$(dirname "$0")/lib.sh"

mkdir -p $H
out=$(mount -t 9p -o trans=virtio,version=9p2000.L host $H 2>&1)
ok mount $? "$out"
for round in 1 2; do
	out=$(insmod $H/hello.ko greeting_count=2 2>&1)
	ok insmod-$round $? "$out"
	# the log cannot be cleared: count the greetings so far
	n=$(dmesg | grep -c 'hello: hello, world (2 of 2)')
	[ "$n" = "$round" ]
	ok greeted-$round $? "$n greetings after round $round: $(dmesg | tail -n 3)"
	lsmod | grep -q '^hello '
	ok lsmod-$round $? "$(lsmod)"
	out=$(rmmod hello 2>&1)
	ok rmmod-$round $? "$out"
	lsmod | grep -q '^hello '
	[ $? -ne 0 ]
	ok unloaded-$round $? "$(lsmod)"
done
umount $H
ok umount $?
echo "9p_module: done"
exit $nfail
