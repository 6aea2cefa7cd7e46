# The benchmark disk, for bench.sh and macro.sh (sourced, not run: /tests/run
# runs only the tests it is told to). scripts/bench attaches an ext2 disk
# (scripts/mkdisk, with the macro benchmark's data) as the first virtio
# disk. bench_disk sets disk_dev to its partition, or disk_why to why there
# is none. Debian's kernel has virtio_blk and ext4 as modules: scripts/bench
# packs them into Linux's initramfs under /lib/modules/linux-bench with the
# order to load them in, and bench_disk loads them first.
# shellcheck disable=SC2034 # disk_dev and disk_why are for the caller
BENCH_MODS=/lib/modules/linux-bench

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
