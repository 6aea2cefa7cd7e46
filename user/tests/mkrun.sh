#!/bin/sh
# The microkernel personality end to end (docs/microkernel.md): a shell
# under /bin/mkrun whose files, pipes and /dev/null go through pm, vfs and
# memdev; ext2 through ext2d (when a disk is there); the servers killed
# mid-call (EIO for that call, pm restarts them, the next call works); a
# malformed message from a client process never takes vfs down; and the
# counted costs of one 4 KiB pwrite in each design.
T_PREFIX=mkrun
T=/tmp/mkrun-test.$$
mkdir -p $T
. "$(dirname "$0")/lib.sh"

# pid of the server named $1 (its comm), or nothing
server_pid() {
	for d in /proc/[0-9]*; do
		[ "$(cat $d/comm 2>/dev/null)" = "$1" ] && { echo ${d#/proc/}; return; }
	done
}

if [ -z "$(server_pid pm)" ]; then
	fail pm-running "no pm: /init starts /sbin/pm at boot"
	exit $nfail
fi
pass pm-running

# --- a shell in the personality ---------------------------------------------
out=$(mkrun sh -c 'echo hello > /tmp/mk-a && cat /tmp/mk-a && ls /tmp | grep -c mk-a' 2>&1)
check shell/tmp-file "hello
1" "$out"
out=$(mkrun sh -c 'seq 1 2000 | sort -rn | head -n 3 | tr "\n" " "' 2>&1)
check shell/pipes "2000 1999 1998 " "$out"
out=$(mkrun sh -c 'echo gone > /dev/null; head -c 5000 /dev/zero | wc -c; echo x > /dev/full || echo full' 2>&1)
check shell/memdev "5000
full" "$(echo "$out" | grep -v 'write error')"
out=$(mkrun sh -c 'cd /tmp && mkdir -p d/e && cd d/e && pwd && cd ../.. && rmdir d/e d && ls -d d 2>&1 | grep -c "No such"' 2>&1)
check shell/dirs "/tmp/d/e
1" "$out"
out=$(mkrun sh -c 'head -n 1 /init; cat /proc/self/comm' 2>&1)
check shell/kernel-names "#!/bin/sh
cat" "$out"
out=$(mkrun sh -c 'x=$(echo sub); echo "$x"; echo $$ > /tmp/mk-pid; cat /tmp/mk-pid' 2>&1)
[ "$(echo "$out" | head -n 1)" = sub ] && [ -n "$(echo "$out" | sed -n 2p)" ] && pass shell/subst ||
	fail shell/subst "$out"
# the files vfs serves are not the kernel's: its /tmp does not see them
[ ! -e /tmp/mk-a ] && pass shell/own-tmpfs || fail shell/own-tmpfs "/tmp/mk-a in the kernel's /tmp"
mkrun sh -c 'rm /tmp/mk-a /tmp/mk-pid'

# --- pm answers the identity calls ------------------------------------------
out=$(mkrun sh -c 'echo $PPID; uname -s' 2>&1)
check pm/uname-ppid "$$
$(uname -s)" "$out"

# --- killing a server mid-call ---------------------------------------------
# A reader blocked in vfs (an empty pipe) gets EIO when vfs dies; pm
# restarts vfs; the next call works.
# (the reader's status goes to the kernel's /, which outlives vfs's /tmp)
R=/mkrun-reader.$$
vfs=$(server_pid vfs)
mkrun sh -c 'sleep 30 | cat > /dev/null 2>$0.err; echo "cat: $?" > $0.st' $R 2>/dev/null &
sleep 2
kill -9 "$vfs"
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -n "$(server_pid vfs)" ] && [ "$(server_pid vfs)" != "$vfs" ] && break
	sleep 1
done
new=$(server_pid vfs)
# (pm's log line, on the console, is checked by tests/qemu/mk_cases.py)
if [ -n "$new" ] && [ "$new" != "$vfs" ]; then
	pass kill/vfs-restarted
else
	fail kill/vfs-restarted "old $vfs new $new"
fi
out=$(mkrun sh -c 'echo again > /tmp/mk-b && cat /tmp/mk-b' 2>&1)
check kill/vfs-next-call-works again "$out"
# cat's read was in vfs when it died: EIO (the pipeline itself waits for sleep)
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q "error" $R.err 2>/dev/null && break; sleep 1; done
if grep -q "Input/output error" $R.err 2>/dev/null; then
	pass "kill/vfs-mid-call-eio # $(cat $R.err)"
else
	fail kill/vfs-mid-call-eio "stderr: $(cat $R.err 2>&1)"
fi
kill %1 2>/dev/null
wait
rm -f $R.st $R.err
mkrun rm -f /tmp/mk-b

# memdev: killed between calls, restarted, /dev/zero still reads
mark
md=$(server_pid memdev)
kill -9 "$md"
sleep 2
out=$(mkrun sh -c 'head -c 100 /dev/zero | wc -c' 2>&1)
check kill/memdev-restarted 100 "$out"
new=$(server_pid memdev)
[ -n "$new" ] && [ "$new" != "$md" ] && pass kill/memdev-new-pid || fail kill/memdev-new-pid "old $md new $new"

# --- a client talking nonsense to vfs ---------------------------------------
if [ -x /tests/mkfuzz ]; then
	out=$(/tests/mkfuzz 2>&1)
	ok fuzz/vfs-survives $? "$out"
	out=$(mkrun sh -c 'echo alive > /tmp/mk-c && cat /tmp/mk-c && rm /tmp/mk-c' 2>&1)
	check fuzz/vfs-still-answers alive "$out"
fi

# --- ext2d killed in the middle of a long write --------------------------------
if [ -b /dev/vda1 ]; then
	mkdir -p /mnt
	mkrun mount -t ext2 /dev/vda1 /mnt
	mkrun sh -c 'dd if=/dev/zero of=/mnt/big bs=64k count=4000 2>$0.err; echo "dd: $?" > $0.st' $R &
	sleep 1
	e2=$(server_pid ext2d)
	kill -9 "$e2"
	wait
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -n "$(server_pid ext2d)" ] && [ "$(server_pid ext2d)" != "$e2" ] && break
		sleep 1
	done
	new=$(server_pid ext2d)
	# the write in ext2d when it died gets EIO; one that finds the new ext2d
	# gets ESTALE if the old one had not written the file's inode back yet
	if grep -q "dd: [1-9]" $R.st 2>/dev/null && [ -n "$new" ] && [ "$new" != "$e2" ]; then
		pass "kill/ext2d-mid-call-eio # $(grep -i error $R.err | head -n 1)"
	else
		fail kill/ext2d-mid-call-eio "old $e2 new $new" "$(cat $R.st $R.err 2>&1)"
	fi
	out=$(mkrun sh -c 'rm -f /mnt/big; echo after > /mnt/after && cat /mnt/after && rm /mnt/after')
	check kill/ext2d-next-call-works after "$out"
	mkrun umount /mnt
	rm -f $R.st $R.err
fi

# --- the counted costs of one 4 KiB pwrite on ext2, in each design ----------
# per call: field VALUE from mkcosts' line, divided by its calls
per_call() { v=$(echo "$1" | sed -n "s/.* $2=\(-*[0-9]*\).*/\1/p"); echo $((v / 64)); }
if [ -b /dev/vda1 ]; then
	mkdir -p /mnt
	mono=$(mount -t ext2 /dev/vda1 /mnt && /tests/mkcosts /mnt/costs 64; umount /mnt)
	mk=$(mkrun sh -c 'mount -t ext2 /dev/vda1 /mnt && /tests/mkcosts /mnt/costs 64; umount /mnt')
	echo "# monolithic: $mono"
	echo "# microkernel: $mk"
	c=$(per_call "$mono" bytes_cross_as) u=$(per_call "$mono" bytes_from_user)
	s=$(per_call "$mono" as_switches)
	if [ "$c" -eq 0 ] && [ "$u" -ge 4096 ] && [ "$u" -lt 4608 ] && [ "$s" -eq 0 ]; then
		pass "costs/monolithic-one-copy # $u bytes from user, $c across, $s switches per call"
	else
		fail costs/monolithic-one-copy "$mono"
	fi
	c=$(per_call "$mk" bytes_cross_as) s=$(per_call "$mk" as_switches)
	m=$(per_call "$mk" ipc_messages)
	if [ "$c" -ge 4096 ] && [ "$c" -lt 5120 ] && [ "$s" -ge 4 ] && [ "$m" -ge 4 ]; then
		pass "costs/microkernel-copy-and-switches # $c bytes across address spaces, $s switches, $m messages per call"
	else
		fail costs/microkernel-copy-and-switches "$mk"
	fi
else
	fail costs/disk "no /dev/vda1"
fi

rm -rf $T
exit $nfail
