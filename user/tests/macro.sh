#!/bin/sh
# The macro benchmark that scripts/bench boots (basalt.test=macro), on
# Basalt and on Debian's Linux alike: the busybox workload
# macro-work.sh on the bench disk's ext2, timed and counted by /tests/ticks,
# first with the kernel's own system calls ("native"), then, when this
# build has /bin/mkrun, in Basalt's microkernel personality ("mk": the
# disk mounted by the ext2d server inside mkrun). Prints the lines of ticks
# and macro-work.sh ("bench-macro LABEL ...", "bench-macro-check LABEL
# ..."), or "bench-macro LABEL n/a reason=..." for a run that cannot be
# made, and "ok - bench/macro-LABEL" lines for /tests/run; not in "all".
dir=$(dirname "$0")
mnt=/mnt/ext2
. "$dir/benchdisk.sh"
bench_disk

# run LABEL [WRAPPER...]: the workload once, under WRAPPER (mkrun)
run() {
	label=$1
	shift
	"$dir/ticks" "$label" "$@" /bin/sh "$dir/macro-work.sh" "$disk_dev" $mnt "$label"
	st=$?
	if [ $st -eq 0 ]; then
		echo "ok - bench/macro-$label"
	else
		echo "not ok - bench/macro-$label # exit status $st"
	fi
}

if [ -z "$disk_dev" ]; then
	echo "bench-macro native n/a reason=$disk_why"
	echo "bench-macro mk n/a reason=$disk_why"
	echo "ok - bench/macro # SKIP no bench disk ($disk_why)"
	exit 0
fi
run native
if [ -x /bin/mkrun ] && /bin/mkrun true 2>/dev/null; then
	run mk /bin/mkrun
elif [ -x /bin/mkrun ]; then
	echo "bench-macro mk n/a reason=\"this kernel has no microkernel personality (mkrun cannot enter it)\""
else
	echo "bench-macro mk n/a reason=\"no /bin/mkrun in this build (the microkernel personality)\""
fi
exit 0
