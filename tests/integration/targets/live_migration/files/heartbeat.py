"""heartbeat.py HOST_ROOT NAME [BOOT_ID UPTIME]: the test guest's last heartbeat on the serial
console of instance NAME on the harness hypervisor whose directory is HOST_ROOT, as JSON
{boot_id, uptime, beats}. With BOOT_ID and UPTIME: waits (60 s at most) for a heartbeat of that
boot id past that uptime - the guest kept running where it is now, without a reboot - and
exits 1 if none comes."""
import json
import os
import re
import sys
import time

BEAT = re.compile(r'NOVALITE-HEARTBEAT ([0-9a-f-]+) ([0-9.]+)')


def last_beat(root, name):
    path = os.path.join(root, 'lib', 'novalite', 'instances', '%s.console.log' % name)
    try:
        with open(path, errors='replace') as f:
            beats = BEAT.findall(f.read())
    except OSError:
        beats = []
    if not beats:
        return {'boot_id': None, 'uptime': 0.0, 'beats': 0}
    return {'boot_id': beats[-1][0], 'uptime': float(beats[-1][1]), 'beats': len(beats)}


def main():
    root, name = sys.argv[1:3]
    if len(sys.argv) == 3:
        print(json.dumps(last_beat(root, name)))
        return 0
    boot_id, uptime = sys.argv[3], float(sys.argv[4])
    deadline = time.monotonic() + 60
    while True:
        beat = last_beat(root, name)
        if beat['boot_id'] == boot_id and beat['uptime'] > uptime:
            print(json.dumps(beat))
            return 0
        if time.monotonic() > deadline:
            print(json.dumps(beat))
            return 1
        time.sleep(0.5)


if __name__ == '__main__':
    sys.exit(main())
