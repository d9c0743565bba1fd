"""Wall time of a boot, against the same disk + domain work done by hand, side by side.

    .venv/bin/python bench/boot.py [--rounds 5] [--fleet]

On this machine as the hypervisor (make setup; make guest-image), with the image cache warm:
  novalite          ansible-playbook playbooks/boot.yml, 1 instance (claim, port, disk, spawn,
                    wait until running), network novalite-demo, no config drive
  shell             bash: qemu-img create (overlay on the same image) + virsh define + start
  community_libvirt ansible-playbook: the same qemu-img command, then community.libvirt.virt
                    define and state running (community.libvirt taken from the `ansible`
                    package on PyPI into a bench-only collections path)
Each round runs the three in turn (order rotated) and deletes what they made (not timed).
With --fleet also: 10 instances over 3 harness hypervisors, and the no-op re-run of it.
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
VENV = os.path.join(TOP, '.venv', 'bin')
GUEST = '/var/cache/novalite/guest/guest.qcow2'
URI = 'qemu:///system'
NETWORK = 'novalite-demo'
WORK = '/var/tmp/novalite-bench'
ANSIBLE_WHEEL = 'ansible==12.3.0'        # carries community.libvirt 1.x


def env(extra_collections=None):
    e = dict(os.environ, PATH=VENV + os.pathsep + os.environ['PATH'], ANSIBLE_FORCE_COLOR='0', NO_COLOR='1')
    path = subprocess.run([os.path.join(TOP, 'scripts', 'collection-path.sh')], stdout=subprocess.PIPE,
                          universal_newlines=True, check=True).stdout.strip()
    e['ANSIBLE_COLLECTIONS_PATH'] = path + (os.pathsep + extra_collections if extra_collections else '')
    return e


def run(cmd, environ, check=True, cwd=TOP):
    out = subprocess.run(cmd, env=environ, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         universal_newlines=True, check=False)
    if check and out.returncode != 0:
        sys.stderr.write(out.stdout[-4000:])
        raise SystemExit('bench/boot.py: %s failed (rc %d)' % (' '.join(cmd[:3]), out.returncode))
    return out


def timed(cmd, environ, cwd=TOP):
    start = time.monotonic()
    run(cmd, environ, cwd=cwd)
    return time.monotonic() - start


def community_libvirt():
    """community.libvirt from the `ansible` wheel (PyPI), unpacked once into WORK, and the
    lxml its virt module needs, installed beside it (not into the project's venv)."""
    dest = os.path.join(WORK, 'collections')
    pylib = os.path.join(WORK, 'pylib')
    if not os.path.isdir(os.path.join(pylib, 'lxml')):
        subprocess.run([os.path.join(VENV, 'pip'), 'install', '-q', '--target', pylib, 'lxml'], check=True)
    if os.path.exists(os.path.join(dest, 'ansible_collections', 'community', 'libvirt', 'MANIFEST.json')):
        return dest
    wheels = os.path.join(WORK, 'wheels')
    subprocess.run([os.path.join(VENV, 'pip'), 'download', '--no-deps', '-q', '-d', wheels, ANSIBLE_WHEEL], check=True)
    with zipfile.ZipFile(glob.glob(os.path.join(wheels, 'ansible-*.whl'))[0]) as wheel:
        members = [m for m in wheel.namelist() if m.startswith('ansible_collections/community/libvirt/')]
        wheel.extractall(dest, members)
    return dest


def domain_xml(name, disk):
    return """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'><source network='{net}'/><model type='virtio'/></interface>
    <serial type='pty'/>
  </devices>
</domain>
""".format(name=name, disk=disk, net=NETWORK)


SHELL = """set -e
qemu-img create -q -f qcow2 -F qcow2 -b {base} {disk} 1G
virsh -q -c {uri} define {xml} >/dev/null
virsh -q -c {uri} start {name} >/dev/null
"""

COMMUNITY_PLAYBOOK = """---
- name: The same with community.libvirt
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: The overlay disk
      ansible.builtin.command: qemu-img create -q -f qcow2 -F qcow2 -b {{ base }} {{ disk }} 1G
      args:
        creates: "{{ disk }}"
    - name: Define the domain
      community.libvirt.virt:
        command: define
        xml: "{{ lookup('ansible.builtin.file', xml) }}"
        uri: qemu:///system
    - name: Start it
      community.libvirt.virt:
        name: "{{ name }}"
        state: running
        uri: qemu:///system
"""


def by_hand_cleanup(name, disk):
    for command in ('destroy', 'undefine'):
        subprocess.run(['virsh', '-q', '-c', URI, command, name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
    if os.path.exists(disk):
        os.unlink(disk)


def local_round(order, tmp, environ, cl_environ, index):
    results = {}
    for method in order:
        name = 'bench-%s-%d' % (method.replace('_', '-'), index)
        disk = os.path.join(tmp, name + '.qcow2')
        xml = os.path.join(tmp, name + '.xml')
        with open(xml, 'w') as f:
            f.write(domain_xml(name, disk))
        if method == 'novalite':
            request = os.path.join(tmp, name + '.json')
            with open(request, 'w') as f:
                json.dump({'server': {'name': name, 'flavor': 'm1.nano', 'image': 'novalite-guest',
                                      'networks': [{'network': NETWORK}], 'wait_for': 'running'}}, f)
            results[method] = timed(['ansible-playbook', '-i', 'inventory/local.yml', 'playbooks/boot.yml',
                                     '-e', '@' + request], environ)
            run(['ansible-playbook', '-i', 'inventory/local.yml', 'playbooks/delete.yml',
                 '-e', 'delete_names=' + name], environ)
        elif method == 'shell':
            script = SHELL.format(base=GUEST, disk=disk, uri=URI, xml=xml, name=name)
            results[method] = timed(['bash', '-c', script], environ)
            by_hand_cleanup(name, disk)
        else:
            playbook = os.path.join(tmp, 'community.yml')
            with open(playbook, 'w') as f:
                f.write(COMMUNITY_PLAYBOOK)
            results[method] = timed(['ansible-playbook', '-i', 'localhost,', playbook, '-e',
                                     json.dumps({'base': GUEST, 'disk': disk, 'xml': xml, 'name': name})], cl_environ)
            by_hand_cleanup(name, disk)
    return results


def fleet(environ, tmp):
    """10 instances over 3 harness hypervisors, then the same again (nothing to do)."""
    run([sys.executable, os.path.join(TOP, 'tests', 'harness', 'hypervisors.py'), 'up', '3'], environ)
    try:
        inventory = os.path.join(tmp, 'fleet.yml')
        hosts = ''.join(
            "        hv%d: {ansible_connection: local, ansible_python_interpreter: '{{ ansible_playbook_python }}', "
            "novalite_virt_type: qemu, novalite_uri: 'qemu+unix:///system?socket=/var/tmp/novalite-harness/hv%d/run/"
            "libvirt-sock'}\n" % (i, i) for i in (1, 2, 3))
        with open(inventory, 'w') as f:
            f.write("all:\n  vars:\n    novalite_flavors: [{name: m1.nano, id: '0', vcpus: 1, memory_mb: 128, root_gb: 1}]\n"
                    "    novalite_images: [{name: guest, id: guest, source: %s, checksum: %s}]\n"
                    "    novalite_networks: [{name: bench-net, cidr: 10.254.11.0/24}]\n"
                    "  children:\n    compute_hosts:\n      hosts:\n%s" % (GUEST, sha256(GUEST), hosts))
        for hv in (1, 2, 3):
            run(['ansible-playbook', '-i', inventory, '-l', 'hv%d' % hv, os.path.join(tmp, 'pools.yml')], environ)
        request = os.path.join(tmp, 'fleet.json')
        with open(request, 'w') as f:
            json.dump({'server': {'name': 'bench-fleet', 'flavor': 'm1.nano', 'image': 'guest', 'max_count': 10,
                                  'networks': [{'network': 'bench-net'}], 'wait_for': 'running'}}, f)
        cold = timed(['ansible-playbook', '-i', inventory, 'playbooks/boot.yml', '-e', '@' + request], environ)
        # The ten guests boot on the harness hosts' CPUs (TCG) after the run returns (it waits
        # for `running`); the no-op run is measured once they reported, not against their boot.
        settled = wait_for_reports(['bench-fleet-%d' % i for i in range(1, 11)],
                                   [HARNESS_URI % i for i in (1, 2, 3)], environ)
        noop = timed(['ansible-playbook', '-i', inventory, 'playbooks/boot.yml', '-e', '@' + request], environ)
        run(['ansible-playbook', '-i', inventory, 'playbooks/delete.yml', '-e', 'delete_prefix=bench-fleet'], environ)
        return {'fleet_10_instances_3_hosts_s': round(cold, 2), 'fleet_noop_rerun_s': round(noop, 2),
                'fleet_guests_reported_after_s': settled}
    finally:
        run([sys.executable, os.path.join(TOP, 'tests', 'harness', 'hypervisors.py'), 'down'], environ, check=False)


HARNESS_URI = 'qemu+unix:///system?socket=/var/tmp/novalite-harness/hv%d/run/libvirt-sock'


def wait_for_reports(names, uris, environ, timeout=300):
    """Seconds until every guest printed its report on its serial console (or the timeout)."""
    start = time.monotonic()
    left = set(names)
    while left and time.monotonic() - start < timeout:
        for uri in uris:
            # console logs are QEMU's files: the pool lists them after a refresh
            subprocess.run(['virsh', '-c', uri, 'pool-refresh', 'novalite-instances'], env=environ,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            for name in sorted(left):
                out = subprocess.run(['virsh', '-c', uri, 'vol-download', '--pool', 'novalite-instances',
                                      name + '.console.log', '/dev/stdout'], env=environ, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, check=False).stdout
                if b'NOVALITE-GUEST-REPORT' in out:
                    left.discard(name)
        time.sleep(1)
    return round(time.monotonic() - start, 1)


def sha256(path):
    return subprocess.run(['sha256sum', path], stdout=subprocess.PIPE, universal_newlines=True,
                          check=True).stdout.split()[0]


POOLS = """---
- name: Pools
  hosts: compute_hosts
  gather_facts: false
  tasks:
    - name: Pools
      ansible.builtin.include_role:
        name: novalite.compute.compute_host
        tasks_from: pools
      vars:
        compute_host_uri: "{{ novalite_uri }}"
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--fleet', action='store_true', help='also 10 instances over 3 harness hypervisors')
    args = parser.parse_args()
    os.makedirs(WORK, exist_ok=True)
    environ = env()
    cl_environ = env(community_libvirt())
    cl_environ['PYTHONPATH'] = os.path.join(WORK, 'pylib')
    methods = ['novalite', 'shell', 'community_libvirt']
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        os.chmod(tmp, 0o755)        # qemu reads the baselines' overlay disks from here
        with open(os.path.join(tmp, 'pools.yml'), 'w') as f:
            f.write(POOLS)
        # Warm up: the image cache, the network, Python's and the page cache's first time.
        local_round(methods, tmp, environ, cl_environ, 0)
        times = {m: [] for m in methods}
        for index in range(1, args.rounds + 1):
            order = methods[index % 3:] + methods[:index % 3]
            for method, seconds in local_round(order, tmp, environ, cl_environ, index).items():
                times[method].append(seconds)
        median = {m: statistics.median(t) for m, t in times.items()}
        result = {
            'rounds': args.rounds,
            'seconds': {m: [round(t, 3) for t in ts] for m, ts in times.items()},
            'median_s': {m: round(v, 3) for m, v in median.items()},
            'ratio_novalite_to_shell': round(median['novalite'] / median['shell'], 2),
            'ratio_novalite_to_community_libvirt': round(median['novalite'] / median['community_libvirt'], 2),
            'ratio_community_libvirt_to_shell': round(median['community_libvirt'] / median['shell'], 2),
        }
        if args.fleet:
            result.update(fleet(environ, tmp))
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == '__main__':
    main()
