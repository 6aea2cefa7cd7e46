#!/bin/sh
# The cost of DMA confinement (make bench-confinement boots this with
# basalt.test=confinement, with the IOMMU and without): DMA round trips
# through modules/edu with its coherent buffer and with a streaming
# mapping per transfer (bounced: the buffers are kmalloc'd), then ext2
# and raw-disk throughput (storage-bench.sh) when /dev/vda1 is there.
# Prints "bench confine ..." and "bench storage ..." lines and
# "ok - confine/<part>"; not in "all".
dir=$(dirname "$0")
M=${MODULES_DIR:-/lib/modules}
N=${EDU_ROUNDS:-20}

if grep -q '^DMA unconfined' /proc/iommu 2>/dev/null; then
	echo "bench-info iommu=off"
else
	echo "bench-info iommu=on"
fi
for mode in coherent streaming; do
	opt=
	[ $mode = streaming ] && opt=streaming=1
	# shellcheck disable=SC2086
	if insmod "$M/edu.ko" $opt && "$dir/edu-dma" $mode "$N" 4095 &&
	   "$dir/edu-dma" $mode-64 "$N" 64; then
		echo "ok - confine/edu-$mode"
	else
		echo "not ok - confine/edu-$mode"
	fi
	rmmod edu 2>/dev/null
done
if [ -e /dev/vda1 ]; then
	if SIZE_MB=${SIZE_MB:-16} sh "$dir/storage-bench.sh"; then
		echo "ok - confine/storage"
	else
		echo "not ok - confine/storage"
	fi
fi
grep '^bounced' /proc/iommu | sed 's/^/bench-info /'
echo "bench-done confinement"
