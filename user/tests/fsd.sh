#!/bin/sh
# The microkernel-style path: /srv is ipcfs, served by /sbin/fsd over IPC
# (docs/ipc.md). Runs the file tests (user/tests/files.c, getdents.c) again
# with TMPDIR=/srv, their lines renamed "ok - fsd/<group>/<case>", then
# checks a second fsd mount: its server leaving when it is unmounted, and
# ENOTCONN for files on a mount whose server was killed.
set -o pipefail
nfail=0

pass() { echo "ok - fsd/$1"; }
fail() {
	echo "not ok - fsd/$1"
	[ -n "$2" ] && echo "# $2"
	nfail=$((nfail + 1))
}

# Start "fsd DIR"; prints the server's pid. (The server keeps stderr:
# not ours, which /tests/run reads until everyone has closed it.)
start_fsd() {
	line=$(/sbin/fsd "$1" 2>>/tmp/fsd-test.log) || return 1
	pid=${line##*pid }
	echo "${pid%)}"
}

# Is process $1 gone (or a zombie)?
gone() {
	[ ! -e /proc/$1/status ] || grep -qs '^State:.*Z' /proc/$1/status
}

if grep -q '^[^ ]* /srv ipcfs ' /proc/mounts; then
	pass mounted
else
	fail mounted "/srv is not an ipcfs mount: $(cat /proc/mounts | tr '\n' ';')"
fi

for t in files getdents; do
	TMPDIR=/srv /tests/$t 2>&1 | sed -e 's|^ok - user/|ok - fsd/|' \
		-e 's|^not ok - user/|not ok - fsd/|'
	st=$?
	[ $st -eq 0 ] || fail "$t-exit" "/tests/$t exited with status $st"
done

# through the shell: the same bytes back, names listed
echo "through ipc" > /srv/shell.txt && [ "$(cat /srv/shell.txt)" = "through ipc" ] &&
	ls /srv | grep -qx shell.txt && rm /srv/shell.txt && [ ! -e /srv/shell.txt ]
[ $? -eq 0 ] && pass shell-io || fail shell-io

# unmounting ends the server: its endpoint has no client left
d=/tmp/fsd-umount.$$
mkdir -p $d
pid=$(start_fsd $d)
if [ -n "$pid" ] && echo x > $d/f && umount $d; then
	n=0
	while ! gone $pid && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	gone $pid && pass umount-ends-server || fail umount-ends-server "server $pid still running"
else
	fail umount-ends-server "could not start fsd on $d"
fi

# a killed server: files on its mount fail with ENOTCONN, umount still works
d=/tmp/fsd-dead.$$
mkdir -p $d
pid=$(start_fsd $d)
if [ -n "$pid" ] && echo data > $d/f && kill -9 $pid; then
	n=0
	while ! gone $pid && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	err=$(cat $d/f 2>&1)
	case $err in
	*"not connected"*) pass server-death-enotconn ;;
	*) fail server-death-enotconn "cat said: $err" ;;
	esac
	umount $d && pass server-death-umount || fail server-death-umount
else
	fail server-death-enotconn "could not start fsd on $d"
fi
rmdir /tmp/fsd-umount.$$ /tmp/fsd-dead.$$ 2>/dev/null
rm -f /tmp/fsd-test.log
exit $nfail
