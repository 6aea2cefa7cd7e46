#!/bin/sh
# temporary: debugging the personality
echo "== ls"
mkrun sh -c 'mkdir -p /tmp/a/b; touch /tmp/a/f1 /tmp/a/f2; ls /tmp/a; ls -la /tmp/a; find /tmp/a'
echo "== ext2"
mkrun sh -c 'mkdir -p /mnt; mount -t ext2 /dev/vda1 /mnt; echo mount=$?; ls /mnt; echo hello > /mnt/x; echo w=$?; cat /mnt/x; ls -l /mnt/x; head -c 10000 /dev/zero > /mnt/z; ls -l /mnt/z; umount /mnt; echo umount=$?'
echo "== timeout"
mkrun timeout 1 sleep 5; echo "timeout=$?"
echo "ok - mkdebug/done"
