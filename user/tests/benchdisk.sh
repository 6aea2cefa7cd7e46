# Helpers of the benchmark scripts bench.sh, mkbench.sh and macro.sh
# (sourced, not run: /tests/run runs only the tests it is told to).
#
# bench_args sets bench_lat_args, syscall-lat's options from the kernel
# command line (bench.samples=N, bench.warmup=N, bench.ops=OP,...,
# bench.place=PLACEMENT,...), bench_placed when the run is a pinned one and
# bench_storage when bench.storage=1 asks for the storage benchmark.
#
# The benchmark disk: scripts/bench attaches an ext2 disk
# (scripts/mkdisk, with the macro benchmark's data) as the first virtio
# disk. bench_disk sets disk_dev to its partition, or disk_why to why there
# is none. Debian's kernel has virtio_blk and ext4 as modules: scripts/bench
# packs them into Linux's initramfs under /lib/modules/linux-bench with the
# order to load them in, and bench_disk loads them first.
# shellcheck disable=SC2034 # the variables set here are for the caller
BENCH_MODS=/lib/modules/linux-bench

bench_args() {
	bench_lat_args='' bench_placed='' bench_storage=''
	for word in $(cat /proc/cmdline 2>/dev/null); do
		case $word in
		bench.samples=*) bench_lat_args="$bench_lat_args -n ${word#*=}" ;;
		bench.warmup=*) bench_lat_args="$bench_lat_args -w ${word#*=}" ;;
		bench.ops=*) bench_lat_args="$bench_lat_args -o ${word#*=}" ;;
		bench.place=*) bench_lat_args="$bench_lat_args -P ${word#*=}" bench_placed=1 ;;
		bench.storage=1) bench_storage=1 ;;
		esac
	done
}

bench_disk() {
	disk_dev='' disk_why=''
	if [ "$(uname -s)" = Linux ] && [ ! -e /dev/vda1 ]; then
		if [ ! -r $BENCH_MODS/load-order ]; then
			disk_why=no-linux-drivers
			return
		fi
		for m in $(cat $BENCH_MODS/load-order); do
			grep -q "^$m " /proc/modules || insmod "$BENCH_MODS/$m.ko" ||
				disk_why="insmod-$m-failed"
		done
		[ -n "$disk_why" ] && return
		# the node appears once virtio_blk has probed the disk
		i=0
		while [ ! -e /dev/vda1 ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	if [ -e /dev/vda1 ]; then
		disk_dev=/dev/vda1
	else
		disk_why=no-disk
	fi
}
