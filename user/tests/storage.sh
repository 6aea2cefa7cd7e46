#!/bin/sh
# Storage on Basalt: ext2 on virtio-blk (/dev/vda1), run by /tests/run for
# basalt.test=storage. What to do is read from the disk itself (/phase),
# which tests/qemu/storage_cases.py writes when it makes the image:
#   write   write files of many sizes, compare them, sync, unmount; the
#           host then runs e2fsck and reads every byte back with debugfs
#   verify  after a reboot: everything "write" left is still there
#   crash   write, sync, print "storage: synced" and wait to be killed
#   fuzz    mount every other disk (corrupted copies): refused or read
#           with errors, and never a panic or a hang
# File contents come from busybox seq, so the host makes the same bytes
# with the same busybox. Prints "ok - storage/<case>" or "not ok - ...".
#
# STORAGE_FS=ext2d (user/tests/ext2d.sh) runs the same phases with the
# disks served by /sbin/ext2d, the kernel's ext2 code in a user-space
# server, through an ipcfs mount; lines then read "ok - ext2d/<case>".
# Nothing is skipped: these checks use no chmod, chown or device nodes,
# which ipcfs cannot pass on. But sync(2) does not reach the server (ipcfs
# has no such message): ext2d writes back when idle and when unmounted,
# so an unmount waits for the server to finish and exit, and the crash
# phase (which needs sync) is only for the kernel's ext2.

export LC_ALL=C
M=/mnt
FS=${STORAGE_FS:-ext2}
T=$FS
[ "$FS" = ext2 ] && T=storage
# STORAGE_FS=mk (user/tests/mkext2.sh): the whole script runs under mkrun,
# so mount, umount and every file call go through vfs to an ext2d that pm
# starts (docs/microkernel.md); lines read "ok - mkext2/<case>".
[ "$FS" = mk ] && T=mkext2
nfail=0

pass() { echo "ok - $T/$1"; }
fail() {
	echo "not ok - $T/$1"
	shift
	for l in "$@"; do echo "# $l"; done
	nfail=$((nfail + 1))
}

# gen SEED SIZE: SIZE bytes of numbered lines (must match storage_cases.py)
gen() { seq -w $(($1 * 10000000)) $(($1 * 10000000 + $2 / 8 + 1)) | head -c "$2"; }

# name seed size hole(4 KiB blocks of zeros first)
FILES="f0 1 0 0
f1 2 1 0
f4095 3 4095 0
f4096 4 4096 0
f4097 5 4097 0
f1m 6 1048576 0
f5m 7 5242880 0
sparse 8 5000 1536"

write_one() {	# name seed size hole
	rm -f "$M/data/$1"
	if [ "$4" -gt 0 ]; then
		gen "$2" "$3" | dd of="$M/data/$1" bs=4096 seek="$4" 2>/dev/null
	else
		gen "$2" "$3" > "$M/data/$1"
	fi
}

check_one() {	# name seed size hole
	f=$M/data/$1
	want=$(($4 * 4096 + $3))
	got=$(stat -c %s "$f" 2>/dev/null)
	if [ "$got" != "$want" ]; then
		fail "$5/$1" "size $got, want $want"
		return
	fi
	if [ "$4" -gt 0 ]; then
		zeros=$(dd if="$f" bs=4096 count="$4" 2>/dev/null | tr -d '\000' | wc -c)
		gen "$2" "$3" > /tmp/want.$$
		if [ "$zeros" = 0 ] && dd if="$f" bs=4096 skip="$4" 2>/dev/null | cmp -s - /tmp/want.$$; then
			pass "$5/$1"
		else
			fail "$5/$1" "hole or data differs"
		fi
		rm -f /tmp/want.$$
	elif gen "$2" "$3" | cmp -s - "$f"; then
		pass "$5/$1"
	else
		fail "$5/$1" "contents differ"
	fi
}

write_all() {
	mkdir -p $M/data/dir/sub || fail write/mkdir
	echo "$FILES" | while read -r n s z h; do write_one "$n" "$s" "$z" "$h"; done
	ln -s ../f4097 $M/data/dir/fastlink
	ln -s "/mnt/data/$(printf '%0100d' 0)/../f1" $M/data/dir/slowlink
	ln $M/data/f1m $M/data/dir/hardlink
	mkdir $M/data/moved-from && mv $M/data/moved-from $M/data/dir/sub/moved
	echo gone > $M/data/gone && rm $M/data/gone
	echo "$FILES" | while read -r n s z h; do check_one "$n" "$s" "$z" "$h" write; done
}

check_names() {	# phase
	[ "$(readlink $M/data/dir/fastlink)" = ../f4097 ] && pass "$1/fast-symlink" ||
		fail "$1/fast-symlink"
	case $(readlink $M/data/dir/slowlink) in
	/mnt/data/0000*/../f1) pass "$1/slow-symlink" ;;
	*) fail "$1/slow-symlink" ;;
	esac
	[ "$(stat -c %h $M/data/f1m)" = 2 ] && cmp -s $M/data/f1m $M/data/dir/hardlink &&
		pass "$1/hard-link" || fail "$1/hard-link" "nlink $(stat -c %h $M/data/f1m)"
	[ -d $M/data/dir/sub/moved ] && [ ! -e $M/data/moved-from ] && [ ! -e $M/data/gone ] &&
		pass "$1/rename-unlink" || fail "$1/rename-unlink"
}

# fs_mount DEVICE DIR: the kernel's ext2, or ext2d serving DEVICE on DIR
fs_mount() {
	mkdir -p "$2"
	[ "$FS" = ext2d ] || { mount -t ext2 "$1" "$2"; return; }
	line=$(/sbin/ext2d "$1" "$2" 2>>/tmp/ext2d.log) || return 1
	pid=${line##*pid }
	echo "${pid%)}" > "/tmp/ext2d.pid.${2##*/}"
}

# Is process $1 gone (or a zombie)?
gone() {
	[ ! -e /proc/$1/status ] || grep -qs '^State:.*Z' /proc/$1/status
}

# fs_umount DIR: for ext2d, until its server has written back and exited
fs_umount() {
	umount "$1" || return 1
	[ "$FS" = ext2d ] || return 0	# mk: vfs waits for its ext2d
	pid=$(cat "/tmp/ext2d.pid.${1##*/}")
	i=0
	while ! gone "$pid" && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	gone "$pid" || { echo "# ext2d $pid still runs 30 s after umount $1"; return 1; }
	# its last words (stderr) say whether everything reached the disk
	grep -q "^ext2d: .*: unmounted, all written (pid $pid)" /tmp/ext2d.log
}

# No sync reaches ext2d: a second or so without requests must write back.
idle_writeback() {
	mark="ext2d-idle-write-back-$$"
	echo "$mark" > $M/data/idle
	sleep 3
	if dd if=/dev/vda1 bs=1M 2>/dev/null | grep -q "$mark"; then
		pass write/idle-writeback
	else
		fail write/idle-writeback "3 s after a write, /dev/vda1 does not hold it"
	fi
	rm $M/data/idle
}

mount_main() {
	if fs_mount /dev/vda1 $M; then
		pass mount
	else
		fail mount "$FS: mounting /dev/vda1 on $M failed: $(tail -n 3 /tmp/ext2d.log 2>/dev/null)"
		exit 1
	fi
}

phase=fuzz
[ -b /dev/vda1 ] && fs_mount /dev/vda1 $M 2>/dev/null && {
	phase=$(cat $M/phase 2>/dev/null)
	fs_umount $M
}
case $phase in
write)
	mount_main
	write_all
	check_names write
	[ "$FS" = ext2d ] && idle_writeback
	echo verify > $M/phase
	sync && pass write/sync
	fs_umount $M && pass write/umount || fail write/umount
	;;
verify)
	mount_main
	echo "$FILES" | while read -r n s z h; do check_one "$n" "$s" "$z" "$h" verify; done
	check_names verify
	fs_umount $M && pass verify/umount || fail verify/umount
	;;
crash)
	[ "$FS" = ext2 ] || { fail crash "sync does not reach $FS"; exit 1; }
	mount_main
	write_all
	echo crashed > $M/phase
	sync
	echo "storage: synced"
	sleep 600
	;;
fuzz)
	for d in /dev/vd[b-z]; do
		[ -b "$d" ] || continue
		n=${d#/dev/}
		if ! fs_mount "$d" /fuzz/$n 2>/dev/null; then
			pass "fuzz/$n # refused"
			continue
		fi
		timeout 30 sh -c "find /fuzz/$n | head -n 500 | while read -r f; do
			[ -f \"\$f\" ] && head -c 262144 \"\$f\" > /dev/null
			ls -ld \"\$f\" > /dev/null; done
			echo x > /fuzz/$n/new; mkdir /fuzz/$n/newdir; rm -rf /fuzz/$n/docs
			sync" 2>/dev/null
		if fs_umount /fuzz/$n; then
			pass "fuzz/$n # mounted, walked, written"
		else
			fail "fuzz/$n" "umount failed, or the server did not finish"
		fi
	done
	if [ "$FS" = ext2 ]; then
		dmesg | grep -c 'ext2: vd' | sed 's/^/# ext2 messages: /'
	else
		grep -c 'ext2: vd' /tmp/ext2d.log | sed 's/^/# ext2 messages from ext2d: /'
	fi
	;;
*)
	fail phase "no /phase on /dev/vda1: '$phase'"
	;;
esac
exit $nfail
