#!/bin/sh
# The benchmark run that scripts/bench boots (basalt.test=bench), on Basalt
# and on Debian's Linux alike: /bin/syscall-lat, then the time the kernel
# took to verify and link a signed module (from its debug log), the
# storage throughput when a disk is attached (storage-bench.sh), and any
# other benchmark dropped in beside this script as /tests/bench-NAME or
# /tests/bench-NAME.sh (each prints its own "bench NAME ..." lines).
# Options come from the kernel command line: bench.samples=N,
# bench.warmup=N, bench.ops=OP,OP, bench.place=PLACEMENT,... (see
# syscall-lat -h).
# Prints "ok - bench/<part>" lines for /tests/run; not in "all".

dir=$(dirname "$0")
args=
for word in $(cat /proc/cmdline 2>/dev/null); do
	case $word in
	bench.samples=*) args="$args -n ${word#*=}" ;;
	bench.warmup=*) args="$args -w ${word#*=}" ;;
	bench.ops=*) args="$args -o ${word#*=}" ;;
	bench.place=*) args="$args -P ${word#*=}" ;;
	esac
done

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
# shellcheck disable=SC2086
if "$bin" $args; then
	echo "ok - bench/syscall-lat"
else
	echo "not ok - bench/syscall-lat # exit status $?"
fi

# "module hello: verified in N cycles (U us), linked in N cycles (U us)"
if insmod /lib/modules/hello.ko 2>/dev/null; then
	dmesg | sed -n 's/.*module \([^:]*\): verified in \([0-9]*\) cycles (\([0-9]*\) us), linked in \([0-9]*\) cycles (\([0-9]*\) us).*/bench module \1 verify_cycles=\2 verify_us=\3 link_cycles=\4 link_us=\5/p' |
		tail -n 1
	rmmod hello
	echo "ok - bench/module-load"
else
	echo "ok - bench/module-load # SKIP insmod /lib/modules/hello.ko refused (not Basalt?)"
fi

# storage throughput (docs/storage.md), when scripts/bench attached a disk
if [ -e /dev/vda1 ] && [ -r "$dir/storage-bench.sh" ]; then
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
