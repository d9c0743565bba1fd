"""Benchmark of live migration: the test guest (128 MiB, a 1 GiB qcow2 overlay on the cached
image, a config drive) moved between two harness hypervisors reached over qemu+ssh, by novalite
against `virsh migrate --live` of the same guest between the same hosts, side by side, in turns:

  playbook   ansible-playbook novalite.compute.live_migrate (facts, the scheduler, the move) -
             what an operator runs
  step       the live_migration step alone, in this process (what the compute side does:
             prepare the destination, migrate, clean up the source)
  virsh-inc  virsh migrate --live --persistent --undefinesource --copy-storage-inc, with what it
             needs on the destination made beforehand and not timed (the overlay on the cached
             image, the config drive): the same copy as novalite's
  virsh-all  the same with --copy-storage-all (the whole disk; libvirt makes the destination's)

Each round moves the guest hv1 -> hv2 with one method and back hv2 -> hv1 by the next, so every
method runs in both directions equally often. Prints one JSON object: the median of each
method and the ratios against virsh.

    .venv/bin/python bench/live_migration.py [--rounds 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
COLLECTIONS = subprocess.check_output([os.path.join(TOP, 'scripts', 'collection-path.sh')],
                                      universal_newlines=True).strip()
sys.path.insert(0, COLLECTIONS)

from ansible_collections.novalite.compute.plugins.module_utils._libvirt import Hypervisor  # noqa: E402
from ansible_collections.novalite.compute.plugins.module_utils._live_migration import LiveMigration  # noqa: E402
from ansible_collections.novalite.compute.plugins.module_utils import _migration  # noqa: E402
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool  # noqa: E402

HARNESS = os.path.join(TOP, 'tests', 'harness', 'hypervisors.py')
DIR = '/var/tmp/novalite-bench-lm-harness'
NAME = 'bench-lm'
NETWORK = {'name': 'bench-lm-net', 'cidr': '10.84.0.0/24'}


def sh(*args, **kw):
    return subprocess.run(args, check=True, universal_newlines=True, stdout=subprocess.PIPE, **kw).stdout


def setup():
    env = dict(os.environ, NOVALITE_HARNESS_DIR=DIR)
    sh(sys.executable, HARNESS, 'up', '2', env=env)
    config = json.load(open(os.path.join(DIR, 'integration_config.yml')))
    hosts = config['novalite_harness']['hosts']
    guest = config['novalite_guest']['qcow2']
    checksum = sh('sha256sum', guest).split()[0]
    inventory = {'all': {'vars': {
        'novalite_flavors': [{'name': 't.small', 'id': 't1', 'vcpus': 1, 'memory_mb': 128, 'root_gb': 1}],
        'novalite_images': [{'name': 'guest', 'id': 'guest', 'source': guest, 'checksum': checksum}],
        'novalite_networks': [NETWORK]},
        'children': {'compute_hosts': {'hosts': {
            h['name']: dict(h['ansible'], novalite_uri=h['uri'], novalite_virt_type='qemu') for h in hosts}}}}}
    path = os.path.join(DIR, 'bench.yml')
    json.dump(inventory, open(path, 'w'))
    pools = os.path.join(DIR, 'pools.yml')
    with open(pools, 'w') as f:
        f.write('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                '    - ansible.builtin.include_role: {name: novalite.compute.compute_host, tasks_from: pools}\n'
                '      vars: {compute_host_uri: "{{ hv_uri }}"}\n'
                '      loop: %s\n      loop_control: {loop_var: hv_uri}\n' % json.dumps([h['uri'] for h in hosts]))
    playbook(path, pools)
    return hosts, path


def playbook(inventory, *args, check=True):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS)
    return subprocess.run([os.path.join(TOP, '.venv', 'bin', 'ansible-playbook'), '-i', inventory] + list(args),
                          env=env, check=check, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)


def boot(inventory, host):
    request = {'server': {'name': NAME, 'flavor': 't.small', 'image': 'guest', 'config_drive': True,
                          'networks': [{'network': NETWORK['name']}], 'availability_zone': 'nova:' + host,
                          'wait_for': 'boot_marker'}}
    playbook(inventory, os.path.join(TOP, 'playbooks', 'boot.yml'), '-e', json.dumps(request))


def by_playbook(inventory, src, dst):
    request = {'live_migration': {'instance': NAME, 'host': dst['name']}}
    start = time.monotonic()
    playbook(inventory, os.path.join(TOP, 'playbooks', 'live_migrate.yml'), '-e', json.dumps(request))
    return time.monotonic() - start


def by_step(inventory, src, dst):
    params = LiveMigration.validated({
        'instance': NAME, 'source': {'host': src['name'], 'uri': src['uri']},
        'dest': {'host': dst['name'], 'uri': dst['uri'], 'address': dst['address']}, 'networks': [NETWORK]})
    start = time.monotonic()
    LiveMigration(None, params).run()
    return time.monotonic() - start


def prepare_for_virsh(src, dst, incremental):
    """What virsh migrate needs on the destination and does not make itself (not timed): the
    config drive (a read-only cdrom is not copied) and, for an incremental copy, the overlay on
    the cached image. Also the record's open state does not matter to virsh."""
    with Hypervisor(src['uri']) as s, Hypervisor(dst['uri']) as d:
        xml = s.domain_state(NAME)['xml']
        for disk in _migration.disks(xml):
            vol = s.volume_by_path(disk['path'])
            info = _migration.volume_info(vol.XMLDesc(0))
            old = d.volume_by_path(disk['path'])
            if old is not None:
                d.delete_volume(old)
            if not disk['readonly'] and not incremental:
                continue                # --copy-storage-all: libvirt makes it
            made = d.create_volume('novalite-instances', _storage_pool.volume_xml(
                info['name'], info['capacity'], info['format'], info['mode'], backing=info['backing'],
                backing_format=info['backing_format']), info['name'])
            if disk['readonly']:
                d.upload(made, s.download_chunks(vol), vol.info()[1])


def by_virsh(incremental):
    def run(inventory, src, dst):
        prepare_for_virsh(src, dst, incremental)
        start = time.monotonic()
        sh('virsh', '-c', src['uri'], 'migrate', '--live', '--persistent', '--undefinesource',
           '--copy-storage-inc' if incremental else '--copy-storage-all', NAME, dst['uri'],
           '--migrateuri', 'tcp://%s' % dst['address'], '--disks-uri', 'tcp://%s' % dst['address'])
        took = time.monotonic() - start
        tidy_after_virsh(src)
        return took
    return run


def tidy_after_virsh(src):
    """virsh leaves the source's disks (not timed): remove them, as novalite's step does."""
    with Hypervisor(src['uri']) as s:
        for name in ('%s_disk' % NAME, '%s_disk.config' % NAME, '%s.console.log' % NAME):
            vol = (s.volumes('novalite-instances') or {}).get(name)
            if vol is not None:
                s.delete_volume(vol['handle'])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    hosts, inventory = setup()
    try:
        boot(inventory, hosts[0]['name'])
        methods = {'playbook': by_playbook, 'step': by_step, 'virsh-inc': by_virsh(True), 'virsh-all': by_virsh(False)}
        times = {m: [] for m in methods}
        where = 0
        order = list(methods)
        for dummy in range(args.rounds):
            for method in order:
                src, dst = hosts[where], hosts[1 - where]
                times[method].append(methods[method](inventory, src, dst))
                where = 1 - where
            order = order[1:] + order[:1]
        median = {m: round(statistics.median(t), 3) for m, t in times.items()}
        print(json.dumps({'rounds': args.rounds, 'seconds': {m: [round(x, 3) for x in t] for m, t in times.items()},
                          'median': median,
                          'ratio': {'playbook/virsh-inc': round(median['playbook'] / median['virsh-inc'], 2),
                                    'step/virsh-inc': round(median['step'] / median['virsh-inc'], 2),
                                    'playbook/virsh-all': round(median['playbook'] / median['virsh-all'], 2),
                                    'step/virsh-all': round(median['step'] / median['virsh-all'], 2)}},
                         indent=1))
    finally:
        subprocess.run([sys.executable, HARNESS, 'down'], env=dict(os.environ, NOVALITE_HARNESS_DIR=DIR),
                       stdout=subprocess.DEVNULL, check=False)


if __name__ == '__main__':
    main()
