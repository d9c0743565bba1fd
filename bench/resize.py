"""Benchmark of resize against boot: the test guest on two harness hypervisors reached over
qemu+ssh, in turns, each round:

  boot      ansible-playbook novalite.compute.boot of the guest (t.small: 128 MiB, a 1 GiB
            overlay on the cached image, a config drive, one port), until libvirt runs it
  resize    ansible-playbook novalite.compute.resize to t.big (2 vCPUs, 192 MiB, 2 GiB root) -
            the scheduler's choice (the other host), the guest powered off (the image's
            os_shutdown_timeout is 0: the test guest ignores ACPI), its disks streamed over,
            grown, started there (VERIFY_RESIZE)
  confirm   ansible-playbook novalite.compute.resize with confirm (the source's copy removed)

then the instance is deleted (not timed). Prints one JSON object: each method's times, their
medians and the ratios resize/boot and (resize + confirm)/boot.

    .venv/bin/python bench/resize.py [--rounds 3]
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live_migration as lm  # noqa: E402  (its harness and playbook helpers)

lm.DIR = '/var/tmp/novalite-bench-resize-harness'
lm.NAME = 'bench-rs'
FLAVORS = [{'name': 't.small', 'id': 't1', 'vcpus': 1, 'memory_mb': 128, 'root_gb': 1},
           {'name': 't.big', 'id': 't5', 'vcpus': 2, 'memory_mb': 192, 'root_gb': 2}]


def setup():
    hosts, path = lm.setup()
    inventory = json.load(open(path))
    inventory['all']['vars']['novalite_flavors'] = FLAVORS
    for image in inventory['all']['vars']['novalite_images']:
        image['properties'] = {'os_shutdown_timeout': 0}
    json.dump(inventory, open(path, 'w'))
    return hosts, path


def timed(inventory, playbook, request):
    start = time.monotonic()
    lm.playbook(inventory, os.path.join(lm.TOP, 'playbooks', playbook), '-e', json.dumps(request))
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    hosts, inventory = setup()
    times = {'boot': [], 'resize': [], 'confirm': []}
    try:
        for round_ in range(args.rounds):
            host = hosts[round_ % 2]['name']
            times['boot'].append(timed(inventory, 'boot.yml', {'server': {
                'name': lm.NAME, 'flavor': 't.small', 'image': 'guest', 'config_drive': True,
                'networks': [{'network': lm.NETWORK['name']}], 'availability_zone': 'nova:' + host}}))
            times['resize'].append(timed(inventory, 'resize.yml', {'resize': {'instance': lm.NAME, 'flavor': 't.big'}}))
            times['confirm'].append(timed(inventory, 'resize.yml', {'resize': {'instance': lm.NAME, 'confirm': True}}))
            lm.playbook(inventory, os.path.join(lm.TOP, 'playbooks', 'delete.yml'), '-e', 'delete_names=' + lm.NAME)
        median = {m: round(statistics.median(t), 3) for m, t in times.items()}
        print(json.dumps({'rounds': args.rounds, 'seconds': {m: [round(x, 3) for x in t] for m, t in times.items()},
                          'median': median,
                          'ratio': {'resize/boot': round(median['resize'] / median['boot'], 2),
                                    '(resize+confirm)/boot': round((median['resize'] + median['confirm'])
                                                                   / median['boot'], 2)}}, indent=1))
    finally:
        lm.subprocess.run([sys.executable, lm.HARNESS, 'down'], env=dict(os.environ, NOVALITE_HARNESS_DIR=lm.DIR),
                          stdout=lm.subprocess.DEVNULL, check=False)


if __name__ == '__main__':
    main()
