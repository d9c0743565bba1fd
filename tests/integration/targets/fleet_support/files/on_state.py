"""on_state.py NAME STATE LOG ACTION URI... -- COMMAND...: run COMMAND (output to LOG) in a
session of its own and, the moment an instance record of NAME on one of the hypervisors
(URI...) shows STATE - a task_state (claimed, networking, block_device_mapping, spawning) or a
vm_state (active), or migration:STATUS (a migration of the record in that status: preparing,
running, post-migrating) - as libvirt holds it (STATE+SECONDS: that many seconds after):
  ACTION "kill"   SIGKILL COMMAND and every process under it - the modules too, which Ansible's
                  local connection starts in sessions of their own - as a dying AWX node would;
                  prints "killed"
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
MIGRATIONS = re.compile(r'<(?:\w+:)?migration [^>]*\bstatus="([^"]*)"')


def shows(conns, name, wanted):
    for conn in conns:
        try:
            xml = conn.lookupByName(name).XMLDesc(0)
        except libvirt.libvirtError:
            continue
        if wanted.startswith('migration:'):
            if wanted[len('migration:'):] in MIGRATIONS.findall(xml):
                return True
        elif wanted in {value for dummy, value in STATES.findall(xml)}:
            return True
    return False


def descendants(pid):
    """pid and every process under it (from /proc's parent links)."""
    children = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as f:
                    ppid = int(f.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def kill_tree(pid):
    for dummy in range(3):          # again, for what forked meanwhile
        for each in descendants(pid):
            try:
                os.kill(each, signal.SIGKILL)
            except OSError:
                pass


def main():
    sep = sys.argv.index('--')
    name, wanted, log, action = sys.argv[1:5]
    # STATE+SECONDS: act that long after STATE shows (a kill in the middle of the step after it)
    wanted, dummy, later = wanted.partition('+')
    uris, command = sys.argv[5:sep], sys.argv[sep + 1:]
    libvirt.registerErrorHandler(lambda *a: None, None)
    conns = [libvirt.open(uri) for uri in uris]
    env = dict(os.environ)
    env.setdefault('NOVALITE_BUILD_STEP_DELAY', '1')
    env.setdefault('NOVALITE_MIGRATION_STEP_DELAY', '1')
    with open(log, 'w') as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if shows(conns, name, wanted):
            if later:
                time.sleep(float(later))
            if action == 'kill':
                os.killpg(proc.pid, signal.SIGSTOP)     # nothing forks or finishes from here on
                kill_tree(proc.pid)
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
