#!/bin/sh
# Storage throughput on Basalt (for make bench): sequential write and read
# of one file through ext2 on /dev/vda1, with the cache emptied between
# them by a remount. Prints "bench storage <name> <MB/s>" lines. Needs the
# disk from scripts/mkdisk attached as the first virtio disk; SIZE_MB
# (default 32) sets the file size. The raw lines read the device itself
# with dd, for comparison with the file system path.
M=/mnt
SIZE_MB=${SIZE_MB:-32}

now() { cut -d' ' -f1 /proc/uptime; }
# busy TSC ticks of all CPUs so far (Basalt's /proc/idle_tsc; 0 elsewhere)
busy() { [ -r /proc/idle_tsc ] && awk '$1 == "tsc" { t = $2 } $1 ~ /^cpu/ { n++; i += $2 }
	END { printf "%.0f\n", t * n - i }' /proc/idle_tsc || echo 0; }
# "bench storage-busy NAME TICKS-PER-MiB" (under -icount: guest instructions)
per_mib() { awk -v mb="$SIZE_MB" -v a="$2" -v b="$3" -v n="$1" 'BEGIN {
	if (b > a) printf "bench storage-busy %s %.0f\n", n, (b - a) / mb }'; }
rate() { awk -v mb="$SIZE_MB" -v a="$1" -v b="$2" 'BEGIN {
	t = b - a; if (t <= 0) t = 0.01; printf "%.1f\n", mb / t }'; }

mkdir -p $M
mount -t ext2 /dev/vda1 $M || { echo "# storage-bench: cannot mount /dev/vda1"; exit 1; }
rm -f $M/bench.dat
sync

t0=$(now) b0=$(busy)
dd if=/dev/zero of=$M/bench.dat bs=65536 count=$((SIZE_MB * 16)) 2>/dev/null
sync
t1=$(now) b1=$(busy)
echo "bench storage ext2-seq-write $(rate "$t0" "$t1")"
per_mib ext2-seq-write "$b0" "$b1"

umount $M && mount -t ext2 /dev/vda1 $M		# start reading from the disk
t0=$(now) b0=$(busy)
dd if=$M/bench.dat of=/dev/null bs=65536 2>/dev/null
t1=$(now) b1=$(busy)
echo "bench storage ext2-seq-read $(rate "$t0" "$t1")"
per_mib ext2-seq-read "$b0" "$b1"

t0=$(now)
dd if=$M/bench.dat of=/dev/null bs=65536 2>/dev/null
t1=$(now)
echo "bench storage ext2-cached-read $(rate "$t0" "$t1")"

rm -f $M/bench.dat
umount $M

# the same amount read straight from the block device (no file system)
t0=$(now) b0=$(busy)
dd if=/dev/vda of=/dev/null bs=1048576 count=$SIZE_MB 2>/dev/null
t1=$(now) b1=$(busy)
echo "bench storage raw-dd-read $(rate "$t0" "$t1")"
per_mib raw-dd-read "$b0" "$b1"
