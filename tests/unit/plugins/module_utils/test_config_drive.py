import io
import json
import os
import subprocess

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _config_drive as cd
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

PORT = {'id': 'a1b2c3d4e5f6a7b8', 'mac_address': 'fa:16:3e:00:00:01', 'network_id': 'tenant', 'mtu': 1450,
        'dns_nameservers': ['10.0.0.1'],
        'fixed_ips': [{'ip_address': '10.0.0.5', 'netmask': '255.255.255.0', 'gateway': '10.0.0.1'}]}
PORT2 = {'id': 'b1b2c3d4e5f6a7b8', 'mac_address': 'fa:16:3e:00:00:02', 'network_id': 'db', 'mtu': None,
         'dns_nameservers': ['10.1.0.1'],
         'fixed_ips': [{'ip_address': '10.1.0.9', 'netmask': '255.255.0.0', 'gateway': '10.1.0.1'}]}
INSTANCE = {'uuid': '6f1b8c3e-0000-4000-8000-000000000001', 'name': 'web <1> & "x"', 'hostname': 'web-1',
            'project_id': 'demo', 'availability_zone': 'az1', 'meta': {'role': 'web', 'tier': 'front'}}
KEYS = {'mykey': 'ssh-ed25519 AAAAC3Nza test@example'}


def tree(**kw):
    args = dict(user_data='#cloud-config\nhostname: x\n', public_keys=KEYS)
    args.update(kw)
    return cd.files(INSTANCE, [PORT, PORT2], **args)


def test_layout_by_version():
    t = tree()
    assert 'openstack/2012-08-10/meta_data.json' in t and 'openstack/latest/meta_data.json' in t
    assert 'openstack/2012-08-10/vendor_data.json' not in t and 'openstack/2013-10-17/vendor_data.json' in t
    assert 'openstack/2013-10-17/network_data.json' not in t and 'openstack/2015-10-15/network_data.json' in t
    assert 'openstack/2016-06-30/vendor_data2.json' not in t and 'openstack/2016-10-06/vendor_data2.json' in t
    assert t['openstack/latest/user_data'] == b'#cloud-config\nhostname: x\n'
    assert set(p for p in t if p.startswith('ec2/')) == {'ec2/2009-04-04/meta-data.json', 'ec2/2009-04-04/user-data',
                                                         'ec2/latest/meta-data.json', 'ec2/latest/user-data'}


def test_meta_data():
    md = json.loads(tree()['openstack/latest/meta_data.json'])
    assert md['uuid'] == INSTANCE['uuid'] and md['hostname'] == 'web-1.novalocal' and md['name'] == INSTANCE['name']
    assert md['public_keys'] == KEYS and md['keys'] == [{'name': 'mykey', 'type': 'ssh', 'data': KEYS['mykey']}]
    assert md['meta'] == {'role': 'web', 'tier': 'front'} and md['availability_zone'] == 'az1'
    assert md['launch_index'] == 0 and md['project_id'] == 'demo' and md['devices'] == []
    assert 'admin_pass' not in md
    old = json.loads(tree()['openstack/2012-08-10/meta_data.json'])
    assert 'random_seed' not in old and 'project_id' not in old


def test_admin_pass_only_when_given_and_no_user_data_file_without_user_data():
    t = tree(admin_password='s3cret', user_data=None)
    assert json.loads(t['openstack/latest/meta_data.json'])['admin_pass'] == 's3cret'
    assert not [p for p in t if p.endswith('user_data') or p.endswith('user-data')]


def test_network_data_from_the_ports():
    net = json.loads(tree()['openstack/latest/network_data.json'])
    assert [l['ethernet_mac_address'] for l in net['links']] == ['fa:16:3e:00:00:01', 'fa:16:3e:00:00:02']
    first = net['networks'][0]
    assert (first['type'], first['ip_address'], first['netmask']) == ('ipv4', '10.0.0.5', '255.255.255.0')
    assert first['routes'] == [{'network': '0.0.0.0', 'netmask': '0.0.0.0', 'gateway': '10.0.0.1'}]
    assert net['networks'][1]['routes'] == []             # one default route, on the first port
    assert net['services'] == [{'type': 'dns', 'address': '10.0.0.1'}, {'type': 'dns', 'address': '10.1.0.1'}]


@pytest.mark.parametrize('user_data, expected', [
    ('#!/bin/sh\necho hi\n', b'#!/bin/sh\necho hi\n'),
    ('I2Nsb3VkLWNvbmZpZwo=', b'I2Nsb3VkLWNvbmZpZwo='),     # taken as written, never guessed to be base64
    (b'\x00\x01binary', b'\x00\x01binary'),
    ('x' * cd.MAX_USER_DATA, b'x' * cd.MAX_USER_DATA),
])
def test_user_data(user_data, expected):
    assert cd.decode_user_data(user_data) == expected


def test_oversized_user_data_is_refused():
    with pytest.raises(InvalidInput, match='user_data is 65536 bytes; Nova allows at most 65535'):
        cd.decode_user_data('x' * 65536)


def extract(iso_bytes, dest):
    import pycdlib
    image = pycdlib.PyCdlib()
    image.open_fp(io.BytesIO(iso_bytes))
    label = image.pvd.volume_identifier.decode().strip()
    for dirname, dummy, filelist in image.walk(rr_path='/'):
        for name in filelist:
            path = dirname.rstrip('/') + '/' + name
            os.makedirs(os.path.dirname(dest + path), exist_ok=True)
            with open(dest + path, 'wb') as f:
                image.get_file_from_iso_fp(f, rr_path=path)
    image.close()
    return label


def test_the_iso_reads_back_with_cloud_inits_own_reader(tmp_path):
    """cloud-init's ConfigDriveReader and its network_data converter, run by the system Python
    where Debian's cloud-init is installed (compute_host_test_tools installs it)."""
    iso_bytes = cd.iso(tree(user_data='#cloud-config\nruncmd: [true]\n'))
    assert extract(iso_bytes, str(tmp_path)) == 'config-2'
    script = """
import json, sys
from cloudinit.sources.helpers import openstack
r = openstack.ConfigDriveReader(sys.argv[1]).read_v2()
net = openstack.convert_net_json(r['networkdata'], known_macs={'fa:16:3e:00:00:01': 'eth0', 'fa:16:3e:00:00:02': 'eth1'})
print(json.dumps({'hostname': r['metadata']['hostname'], 'uuid': r['metadata']['uuid'],
                  'keys': r['metadata']['public_keys'], 'userdata': r['userdata'].decode(), 'net': net}))
"""
    proc = subprocess.run(['/usr/bin/python3', '-c', script, str(tmp_path)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0, 'cloud-init could not read the config drive: ' + proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    assert seen['hostname'] == 'web-1.novalocal' and seen['uuid'] == INSTANCE['uuid']
    assert seen['keys'] == KEYS and seen['userdata'] == '#cloud-config\nruncmd: [true]\n'
    physical = [c for c in seen['net']['config'] if c['type'] == 'physical']
    assert [(p['name'], p['mac_address'], p['subnets'][0]['type'], p['subnets'][0]['address']) for p in physical] == [
        ('eth0', 'fa:16:3e:00:00:01', 'static', '10.0.0.5'), ('eth1', 'fa:16:3e:00:00:02', 'static', '10.1.0.9')]
    assert physical[0]['mtu'] == 1450
    assert {'type': 'nameserver', 'address': '10.0.0.1'} in seen['net']['config']
