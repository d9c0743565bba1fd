"""on_state.py NAME STATE LOG ACTION URI... -- COMMAND...: run COMMAND (output to LOG) in a
session of its own and, the moment an instance record of NAME on one of the hypervisors
(URI...) shows STATE - a task_state (claimed, networking, block_device_mapping, spawning) or a
vm_state (active) - as libvirt holds it:
  ACTION "kill"   SIGKILL the whole session's process group (kill -9, a dying AWX node); prints "killed"
  any other       run ACTION with bash while COMMAND goes on, then wait for it; prints "acted rc=N"
Prints "finished rc=N" when COMMAND ends before STATE shows. The build makes each step last at
least NOVALITE_BUILD_STEP_DELAY seconds (set here to 1 unless given), so a 50 ms poll sees it."""
import os
import re
import signal
import subprocess
import sys
import time

import libvirt

STATES = re.compile(r'<(?:\w+:)?(vm_state|task_state)>([^<]*)<')


def shows(conns, name, wanted):
    for conn in conns:
        try:
            xml = conn.lookupByName(name).XMLDesc(0)
        except libvirt.libvirtError:
            continue
        if wanted in {value for dummy, value in STATES.findall(xml)}:
            return True
    return False


def main():
    sep = sys.argv.index('--')
    name, wanted, log, action = sys.argv[1:5]
    uris, command = sys.argv[5:sep], sys.argv[sep + 1:]
    libvirt.registerErrorHandler(lambda *a: None, None)
    conns = [libvirt.open(uri) for uri in uris]
    env = dict(os.environ)
    env.setdefault('NOVALITE_BUILD_STEP_DELAY', '1')
    with open(log, 'w') as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if shows(conns, name, wanted):
            if action == 'kill':
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                print('killed')
            else:
                subprocess.run(['bash', '-c', action], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               check=False)
                print('acted rc=%d' % proc.wait())
            return 0
        if proc.poll() is not None:
            print('finished rc=%d' % proc.returncode)
            return 0
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    print('timeout waiting for %s to show %s' % (name, wanted), file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
