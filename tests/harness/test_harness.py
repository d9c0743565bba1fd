"""The hypervisor harness itself: N independent libvirtd, torn down leaving nothing behind.

Runs against the real machine (root, libvirt installed); `make test` runs it before the
integration targets. Uses its own harness directory so it never touches a harness that
another suite has up.
"""
import json
import os
import subprocess
import sys

import pytest

HARNESS = os.path.join(os.path.dirname(__file__), 'hypervisors.py')


def harness(base, *args):
    env = dict(os.environ, NOVALITE_HARNESS_DIR=base)
    return subprocess.run([sys.executable, HARNESS] + list(args), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False)


def virsh(uri, *args):
    return subprocess.run(['virsh', '-c', uri] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)


@pytest.fixture
def base(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('harness'))
    yield path
    harness(path, 'down')


def test_three_independent_hypervisors_and_a_clean_teardown(base):
    up = harness(base, 'up', '3')
    assert up.returncode == 0, up.stderr
    hosts = json.loads(up.stdout)['hosts']
    assert [h['name'] for h in hosts] == ['hv1', 'hv2', 'hv3']

    # Each answers over SSH at its own address, and on its own socket, under its own name.
    for host in hosts:
        assert host['uri'].startswith('qemu+ssh://root@%s/system?' % host['address'])
        assert virsh(host['uri'], 'hostname').stdout.strip() == host['name']
        assert virsh(host['socket_uri'], 'hostname').stdout.strip() == host['name']
    # ... with the harness's own keys and known_hosts: nothing written to this machine's ~/.ssh
    assert not os.path.exists(os.path.expanduser('~/.ssh/known_hosts')) or \
        hosts[0]['address'] not in open(os.path.expanduser('~/.ssh/known_hosts')).read()

    # The hypervisors reach each other on their management network (a migration's path).
    ssh = os.path.join(base, 'ssh', 'ssh')
    hop = subprocess.run(['ip', 'netns', 'exec', hosts[0]['netns'], ssh, '-o', 'ControlPath=none', hosts[1]['address'],
                          'hostname'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert hop.stdout.strip() == 'hv2', hop.stderr

    # Independent: a network defined on hv1 exists only there, and its bridge only in hv1's netns.
    net = ("<network><name>isol</name><bridge name='nlbr-test'/>"
           "<ip address='10.250.0.1' netmask='255.255.255.0'/></network>")
    xml = os.path.join(base, 'isol.xml')
    with open(xml, 'w') as f:
        f.write(net)
    assert virsh(hosts[0]['uri'], 'net-create', xml).returncode == 0
    assert 'isol' in virsh(hosts[0]['uri'], 'net-list', '--name').stdout
    assert 'isol' not in virsh(hosts[1]['uri'], 'net-list', '--all', '--name').stdout
    assert 'nlbr-test' not in subprocess.run(['ip', 'link'], stdout=subprocess.PIPE,
                                             universal_newlines=True, check=True).stdout
    in_ns = subprocess.run(['ip', 'netns', 'exec', hosts[0]['netns'], 'ip', 'link'], stdout=subprocess.PIPE,
                           universal_newlines=True, check=True).stdout
    assert 'nlbr-test' in in_ns

    # An inventory and the integration config are written for the tests to use.
    with open(os.path.join(base, 'inventory.yml')) as f:
        inventory = json.load(f)
    compute = inventory['all']['children']['compute_hosts']['hosts']
    assert sorted(compute) == ['hv1', 'hv2', 'hv3']
    assert compute['hv1']['ansible_host'] == hosts[0]['address'] and compute['hv1']['novalite_uri'] == hosts[0]['uri']

    # Bringing it up again keeps the running hosts (same daemons, the network still there).
    again = harness(base, 'up', '3')
    assert again.returncode == 0, again.stderr
    assert 'isol' in virsh(hosts[0]['uri'], 'net-list', '--name').stdout

    down = harness(base, 'down')
    assert down.returncode == 0, down.stderr
    assert 'nothing left behind' in down.stdout
    status = harness(base, 'status')
    assert status.returncode == 0 and json.loads(status.stdout) == {'hosts': [], 'left_behind': []}
    assert hosts[0]['netns'] not in subprocess.run(['ip', 'netns', 'list'], stdout=subprocess.PIPE,
                                                   universal_newlines=True, check=True).stdout
    assert virsh(hosts[0]['socket_uri'], 'version').returncode != 0
    assert not os.path.exists(os.path.join(base, 'ssh'))
