#!/bin/sh
# The microkernel personality's syscall-lat run, which scripts/bench boots
# after bench.sh (basalt.test=bench,mkbench): the same /bin/syscall-lat
# with the same options, under /bin/mkrun, so that every system call of
# it is served by the user-space servers. Its /tmp is the vfs server's
# tmpfs; the bench disk is mounted inside mkrun, served by ext2d (bench.sh
# has unmounted it: the kernel must not hold it at the same time); fsd's
# /srv is the monolithic kernel's own route to a server, so it is left
# out. Its lines come between "bench-section mk" and "bench-section
# native", which scripts/bench files under the microkernel column; in a
# build without mkrun the first says n/a and why. Prints
# "ok - bench/syscall-lat-mk" for /tests/run; not in "all".
dir=$(dirname "$0")
ext2=/mnt/ext2
. "$dir/benchdisk.sh"
bench_args
bench_disk

if [ ! -x /bin/mkrun ] || ! /bin/mkrun true 2>/dev/null; then
	echo "bench-section mk n/a reason=\"no microkernel personality here (no /bin/mkrun, or a kernel without it)\""
	echo "bench-section native"
	echo "ok - bench/syscall-lat-mk # SKIP no /bin/mkrun"
	exit 0
fi
bin=/bin/syscall-lat
[ -x "$bin" ] || bin=$dir/syscall-lat
mkdir -p $ext2
echo "bench-section mk"
# shellcheck disable=SC2016,SC2086
/bin/mkrun /bin/sh -c '
	dev=$1 why=$2 mnt=$3
	shift 3
	if [ "$dev" = - ]; then
		echo "bench-info ext2_disk=\"n/a: $why\""
	elif ! mount -t ext2 "$dev" "$mnt"; then
		echo "bench-info ext2_disk=\"n/a: mount-failed-under-mkrun\""
		dev=-
	else
		echo "bench-info ext2_disk=\"$dev\""
	fi
	"$@"
	st=$?
	[ "$dev" != - ] && umount "$mnt"
	exit $st' mk "${disk_dev:--}" "${disk_why:-none}" $ext2 \
	"$bin" $bench_lat_args -p tmpfs,ext2 -E $ext2
st=$?
echo "bench-section native"
if [ $st -eq 0 ]; then
	echo "ok - bench/syscall-lat-mk"
else
	echo "not ok - bench/syscall-lat-mk # exit status $st"
fi
exit 0
