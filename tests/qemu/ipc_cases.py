"""QEMU cases for the microkernel-style path (docs/ipc.md): raw IPC
(user/tests/ipc.c), the kernel side of the microkernel personality
against scripted servers (user/tests/mk.c, docs/microkernel.md), and the
file tests run again on /srv, the ipcfs mount served by /sbin/fsd through
IPC (user/tests/fsd.sh). Keys as in
tests/qemu/cases.py and user_cases.py.
"""

from user_cases import SUMMARY_CLEAN, WELCOME

CASES = [
    dict(name="ipc-fsd", cmdline="basalt.test=ipc,mk,fsd", initramfs=True,
         collect=["user/ipc/", "user/mk/", "fsd/"], exit=33, timeout=400,
         expect=[WELCOME, r"fsd: serving ipcfs on /srv", SUMMARY_CLEAN,
                 r"ok - user/ipc/round_trip",
                 r"ok - user/mk/grants", r"ok - user/mk/server_dies", r"ok - fsd/files/big_file",
                 r"ok - fsd/getdents/"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
    # one CPU: the fast path's hand-off (kernel/ipc_fast.c) runs only there
    dict(name="ipc-up", qemu_args=["-smp", "1"], cmdline="basalt.test=ipc,mk",
         initramfs=True, collect=["user/ipc/", "user/mk/"], exit=33, timeout=300,
         expect=[WELCOME, SUMMARY_CLEAN, r"ok - user/ipc/round_trip",
                 r"ok - user/ipc/handoff_exits", r"ok - user/mk/server_dies"],
         reject=[r"not ok - ", r"BASALT-PANIC"]),
]
