#!/bin/sh
# storage.sh's phases in the microkernel personality: /tests/run runs this
# script as mk:mkext2, under /bin/mkrun, so the mounts, the file calls and
# the unmount all go through vfs to an ext2d that pm starts; the host then
# checks the disk as for the kernel's ext2 (tests/qemu/mk_cases.py).
STORAGE_FS=mk exec sh "$(dirname "$0")/storage.sh"
