#!/bin/sh
# A host folder over virtio-9p (fs/9p, docs/9p.md), run by /tests/run for
# basalt.test=9p. tests/qemu/ninep_cases.py shares a fresh folder as
# mount tag "host" holding hello.txt, hostbig, victim and many/ (300
# files); this script mounts it at /host with Linux's syntax, reads them,
# then writes, appends, truncates, renames, links, chmods and deletes.
# Afterwards the host checks every byte and mode the guest left and that
# what was deleted is gone. Bad mount options must be refused. File
# contents come from busybox seq (gen), made the same way on the host.
# Prints "ok - 9p/<case>" or "not ok - 9p/<case>".

export LC_ALL=C TZ=UTC
H=/host
T_PREFIX=9p
. "$(dirname "$0")/lib.sh"
OPTS=trans=virtio,version=9p2000.L

# gen SEED SIZE: SIZE bytes of numbered lines (must match ninep_cases.py)
gen() { seq -w $(($1 * 10000000)) $(($1 * 10000000 + $2 / 8 + 1)) | head -c "$2"; }

# --- mounting ------------------------------------------------------------------
mkdir -p $H
out=$(mount -t 9p -o $OPTS host $H 2>&1)
ok mount $? "$out"
grep -q "^host $H 9p " /proc/mounts
ok proc-mounts $? "$(cat /proc/mounts)"
check statfs-type 1021997 "$(stat -f -c %t $H)"

# --- what the host put there -----------------------------------------------------
check read-small "hello from the host" "$(cat $H/hello.txt)"
gen 1 200000 > /tmp/hostbig.want
cmp /tmp/hostbig.want $H/hostbig
ok read-large $?
check stat-size 200000 "$(stat -c %s $H/hostbig)"
check ls "hello.txt hostbig many victim" "$(ls $H | tr '\n' ' ' | sed 's/ $//')"
check readdir-many 300 "$(ls $H/many | wc -l)"
check readdir-many-last "f299" "$(ls $H/many | sort | tail -n 1)"
ls -l $H | grep -q ' hello.txt$'
ok ls-long $? "$(ls -l $H 2>&1)"
cat $H/no-such-file 2>/dev/null
refused missing-file $?

# --- writing ---------------------------------------------------------------------
echo "written by basalt" > $H/new.txt
check write-small "written by basalt" "$(cat $H/new.txt)"
echo "more" >> $H/new.txt
check append "written by basalt more" "$(cat $H/new.txt | tr '\n' ' ' | sed 's/ $//')"
gen 2 307200 > /tmp/big.want
dd if=/tmp/big.want of=$H/big.bin bs=65536 2>/dev/null
ok write-large-dd $?
cmp /tmp/big.want $H/big.bin
ok write-large-readback $?
gen 3 10000 > $H/trunc
truncate -s 4000 $H/trunc
check truncate 4000 "$(stat -c %s $H/trunc)"
touch -d "2001-02-03 04:05:06" $H/big.bin
check utimes "2001-02-03 04:05:06" "$(date -r $H/big.bin '+%Y-%m-%d %H:%M:%S')"

# --- names -----------------------------------------------------------------------
mkdir $H/dir
ok mkdir $?
mkdir $H/dir 2>/dev/null
refused mkdir-exists $?
mv $H/new.txt $H/dir/moved.txt
ok rename $?
[ ! -e $H/new.txt ] && [ -f $H/dir/moved.txt ]
ok rename-result $? "$(ls -R $H)"
chmod 640 $H/dir/moved.txt
check chmod 640 "$(stat -c %a $H/dir/moved.txt)"
ln -s dir/moved.txt $H/link
check readlink dir/moved.txt "$(readlink $H/link)"
check follow-link "written by basalt" "$(head -n 1 $H/link)"
rmdir $H/dir 2>/dev/null
refused rmdir-not-empty $?
echo doomed > $H/doomed && rm $H/doomed
ok unlink $?
[ ! -e $H/doomed ]
ok unlink-gone $?
rm $H/victim
ok unlink-host-file $?
mkdir $H/gone && rmdir $H/gone
ok rmdir $?
[ ! -e $H/gone ]
ok rmdir-gone $?
check ls-after "big.bin dir hello.txt hostbig link many trunc" \
	"$(ls $H | tr '\n' ' ' | sed 's/ $//')"

# --- unmounting and bad options --------------------------------------------------
cd /
umount $H
ok umount $?
check umount-empty "" "$(ls $H)"
mount -t 9p -o trans=virtio,version=9p2000.u host $H 2>/dev/null
refused bad-version $?
dmesg | grep -q '9p: protocol version "9p2000.u" is not supported'
ok bad-version-logged $? "$(dmesg | tail -n 3)"
mount -t 9p -o trans=tcp,version=9p2000.L host $H 2>/dev/null
refused bad-transport $?
mount -t 9p -o $OPTS,msize=100 host $H 2>/dev/null
refused bad-msize $?
mount -t 9p -o $OPTS nosuchtag $H 2>/dev/null
refused bad-tag $?

# --- the smallest msize: every 4 KiB read and write takes two messages ------------
out=$(mount -t 9p -o $OPTS,msize=4096 host $H 2>&1)
ok mount-msize-4096 $? "$out"
dmesg | grep -q '9p: mounted "host" (msize 4096)'
ok msize-negotiated $? "$(dmesg | grep 9p: | tail -n 2)"
cmp /tmp/hostbig.want $H/hostbig
ok msize-4096-read $?
gen 4 50000 > $H/small-msize.bin
gen 4 50000 | cmp - $H/small-msize.bin
ok msize-4096-write $?
check readdir-many-small-msize 300 "$(ls $H/many | wc -l)"
mount -t 9p -o $OPTS host /mnt 2>/dev/null
refused tag-busy $?
umount $H
ok umount-again $?
sync
echo "9p: done"
exit $nfail
