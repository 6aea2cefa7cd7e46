#!/bin/sh
# The benchmark run that scripts/bench boots (basalt.test=bench), on Basalt
# and on Debian's Linux alike: /bin/syscall-lat on /tmp, /srv and the
# bench disk's ext2 (mounted on /mnt/ext2), then the time the kernel took
# to verify and link a signed module (from its debug log), the storage
# throughput when asked (bench.storage=1, storage-bench.sh), and any other
# benchmark dropped in beside this script as /tests/bench-NAME or
# /tests/bench-NAME.sh (each prints its own "bench NAME ..." lines). The
# same syscall-lat in the microkernel personality is mkbench.sh's, a
# program of its own (basalt.test=bench,mkbench), so that its slower run
# has its own time limit in /tests/run.
# Options come from the kernel command line: bench.samples=N,
# bench.warmup=N, bench.ops=OP,OP, bench.place=PLACEMENT,... (see
# syscall-lat -h), bench.storage=1 (run storage-bench.sh).
# Prints "ok - bench/<part>" lines for /tests/run; not in "all".

dir=$(dirname "$0")
. "$dir/benchdisk.sh"
bench_args

echo "bench-info uname=\"$(uname -srv)\""
# the mitigations Linux chose on this CPU model (Basalt's sysfs lists none)
if [ "$(uname -s)" = Linux ] && [ ! -d /sys/devices ]; then
	mount -t sysfs sysfs /sys 2>/dev/null
fi
for f in /sys/devices/system/cpu/vulnerabilities/*; do
	[ -r "$f" ] && echo "bench-info vuln $(basename "$f")=\"$(cat "$f")\""
done

bin=/bin/syscall-lat
[ -x "$bin" ] || bin=$dir/syscall-lat
ext2=/mnt/ext2
bench_disk
mkdir -p $ext2
if [ -n "$disk_dev" ] && ! mount -t ext2 "$disk_dev" $ext2; then
	disk_why=mount-failed disk_dev=
fi
echo "bench-info ext2_disk=\"${disk_dev:-n/a: $disk_why}\""
# shellcheck disable=SC2086
if "$bin" $bench_lat_args -E $ext2; then
	echo "ok - bench/syscall-lat"
else
	echo "not ok - bench/syscall-lat # exit status $?"
fi
[ -n "$disk_dev" ] && umount $ext2

# "module hello: verified in N cycles (U us), linked in N cycles (U us)"
if insmod /lib/modules/hello.ko 2>/dev/null; then
	dmesg | sed -n 's/.*module \([^:]*\): verified in \([0-9]*\) cycles (\([0-9]*\) us), linked in \([0-9]*\) cycles (\([0-9]*\) us).*/bench module \1 verify_cycles=\2 verify_us=\3 link_cycles=\4 link_us=\5/p' |
		tail -n 1
	rmmod hello
	echo "ok - bench/module-load"
else
	echo "ok - bench/module-load # SKIP insmod /lib/modules/hello.ko refused (not Basalt?)"
fi

# storage throughput (docs/storage.md), when scripts/bench asks (Basalt's
# timed boot)
if [ -n "$bench_storage" ] && [ -n "$disk_dev" ] && [ -r "$dir/storage-bench.sh" ]; then
	if sh "$dir/storage-bench.sh"; then
		echo "ok - bench/storage"
	else
		echo "not ok - bench/storage # exit status $?"
	fi
fi

for b in "$dir"/bench-*; do
	[ -e "$b" ] || continue
	case $b in
	*.sh) sh "$b" ;;
	*) "$b" ;;
	esac
	st=$?
	name=$(basename "${b%.sh}")
	if [ "$st" -eq 0 ]; then echo "ok - bench/$name"; else echo "not ok - bench/$name # exit status $st"; fi
done
exit 0
