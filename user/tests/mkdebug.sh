#!/bin/sh
# temporary: debugging the personality
mkrun sh -c 'mkdir /tmp/m; mount -t tmpfs tmpfs /tmp/m && echo in > /tmp/m/f && cat /tmp/m/f && ls /tmp/m; umount /tmp/m; echo umount=$?; ls /tmp/m; echo done'
echo "ok - mkdebug/done"
