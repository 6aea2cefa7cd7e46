#!/bin/sh
# ext2d, the kernel's ext2 code in a user-space server (docs/ext2d.md):
# storage.sh's phases again with every disk served by /sbin/ext2d through
# an ipcfs mount (basalt.test=ext2d; tests/qemu/ext2d_cases.py makes the
# disks and runs e2fsck and the byte compare on the host). First, what
# ext2d must refuse: a device that holds no ext2 file system.
pass() { echo "ok - ext2d/$1"; }
fail() { echo "not ok - ext2d/$1"; [ -n "$2" ] && echo "# $2"; }

mkdir -p /refuse
if /sbin/ext2d /dev/zero /refuse > /tmp/refuse.out 2>&1; then
	fail refuse-not-ext2 "ext2d served /dev/zero: $(cat /tmp/refuse.out)"
	umount /refuse
elif grep -q "not served" /tmp/refuse.out; then
	pass "refuse-not-ext2 # $(tail -n 1 /tmp/refuse.out)"
else
	fail refuse-not-ext2 "no message: $(cat /tmp/refuse.out)"
fi

STORAGE_FS=ext2d sh "$(dirname "$0")/storage.sh"
st=$?
echo "# ext2d's log:"
sed 's/^/#   /' /tmp/ext2d.log 2>/dev/null | tail -n 40
exit $st
