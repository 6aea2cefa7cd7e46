"""e1000 cases, added to CASES by tests/qemu/cases.py: the e1000 driver
module (modules/e1000) on QEMU's 82540EM with user-mode networking
(slirp: the guest is 10.0.2.15, the gateway 10.0.2.2).

  e1000         user/tests/e1000.sh (load, link up, interrupts, ping, the
                device's rules, unload, ten load/ping/unload rounds) and
                e1000-reload.sh (50 loads and unloads under traffic,
                MemFree and the log checked afterwards)
  e1000-shared  two adapters (an 82540EM and an 82545EM) in slots whose
                INTA pins meet on one IOAPIC input: both work at once, and
                the second one's link is taken down and up again from
                QEMU's monitor (set_link), which the driver must report
"""
import os
import re
import socket
import threading
import time

from user_cases import SUMMARY_CLEAN

LINK_UP = r"e1000 0000:00:[0-9a-f]{2}\.0: link up, 1000 Mbps full duplex"
REJECT = [r"not ok - ", r"BASALT-PANIC", r"WARNING", r"nobody cared", r"did not claim it",
          r"module e1000: .* left "]


def monitor_link_toggler(name):
    """A setup hook: when the guest asks on the serial line (e1000-shared.sh
    prints "e1000-link: set n1 off" / "... on"), type set_link into the
    monitor. Runs in a thread for the life of the boot."""
    def fn(tdir):
        log = os.path.join(tdir, name + ".serial.log")
        mon = os.path.join(tdir, name + ".mon")

        def monitor(cmd):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(mon)
            s.recv(4096)
            s.sendall((cmd + "\n").encode())
            time.sleep(0.5)
            s.close()

        def watch():
            deadline = time.time() + 900
            done = set()
            while time.time() < deadline and len(done) < 2:
                time.sleep(0.3)
                try:
                    with open(log, "rb") as f:
                        out = f.read().decode("latin-1")
                except OSError:
                    continue
                for state in ("off", "on"):
                    if state not in done and re.search(r"e1000-link: set n1 %s\r?\n" % state,
                                                       out):
                        try:
                            monitor("set_link n1 %s" % state)
                        except OSError:
                            pass
                        done.add(state)

        threading.Thread(target=watch, daemon=True).start()
    return fn


CASES = [
    dict(name="e1000", cmdline="basalt.test=e1000,e1000-reload", initramfs=True,
         collect=["e1000/"], exit=33, timeout=900,
         qemu_args=["-netdev", "user,id=n0", "-device", "e1000,netdev=n0"],
         expect=[SUMMARY_CLEAN, LINK_UP, r"ok - e1000/ping-reply-line",
                 r"ok - e1000/reload/memfree-returns"],
         reject=REJECT),
    dict(name="e1000-shared", cmdline="basalt.test=e1000-shared", initramfs=True,
         collect=["e1000/"], exit=33, timeout=600,
         setup=monitor_link_toggler("e1000-shared"),
         # slots 4 and 8: INTA of both reaches the same PIRQ (slot + pin mod 4)
         qemu_args=["-netdev", "user,id=n0",
                    "-device", "e1000,netdev=n0,addr=04.0,mac=52:54:00:12:34:56",
                    "-netdev", "user,id=n1",
                    "-device", "e1000-82545em,netdev=n1,addr=08.0,mac=52:54:00:12:34:57"],
         expect=[SUMMARY_CLEAN, LINK_UP, r"ok - e1000/shared/link-down-logged",
                 r"ok - e1000/shared/link-up-again"],
         reject=REJECT),
]
