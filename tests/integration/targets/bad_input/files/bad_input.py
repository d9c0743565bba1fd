# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, generated (hypothesis): requests with one field made wrong - names, flavors,
sizes, block device mappings, networks, fixed IPs, metadata, user_data, hints, keys - go
through the validation of boot.yml (the boot_request module) and through each module that
makes something on a hypervisor, run in process exactly as Ansible runs them, against a real
harness hypervisor. Every one must fail with one clear message naming the field, with no
traceback, without the secrets of the request in its output, and with nothing made on the
host (its libvirt objects are listed before and after).

  NOVALITE_BAD_INPUT_URI        the hypervisor (a harness host)
  NOVALITE_BAD_INPUT_NETWORK    a network of that host, for the port module
  NOVALITE_BAD_INPUT_EXAMPLES   examples per test (CI: 100, about 700 cases; nightly-sized: 2000)
  NOVALITE_BAD_INPUT_REPORT     file the count of cases is written to
  NOVALITE_BAD_INPUT_RANDOM=1   new random cases each run (CI: the same cases every time)
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import xml.etree.ElementTree as ET

import libvirt
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

HERE = os.path.dirname(os.path.abspath(__file__))
# .../ansible_collections/novalite/compute/tests/integration/targets/bad_input/files
sys.path[:0] = [os.path.abspath(os.path.join(HERE, *['..'] * 8))] + \
    [p for p in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if p]

from ansible.module_utils.testing import patch_module_args  # noqa: E402  pylint: disable=wrong-import-position

URI = os.environ.get('NOVALITE_BAD_INPUT_URI', 'qemu:///system')
NETWORK = os.environ.get('NOVALITE_BAD_INPUT_NETWORK', 'default')
EXAMPLES = int(os.environ.get('NOVALITE_BAD_INPUT_EXAMPLES', '100'))
# CI runs the same cases every time (derandomize), so that what fails there fails again on a
# developer's machine; NOVALITE_BAD_INPUT_RANDOM=1 explores new ones (the nightly-sized run).
settings.register_profile('novalite', deadline=None, database=None, suppress_health_check=list(HealthCheck),
                          derandomize=os.environ.get('NOVALITE_BAD_INPUT_RANDOM') != '1')
settings.load_profile('novalite')
SECRET = 'S3CR3T-never-shown-%d' % os.getpid()
CASES = []

FLAVORS = [{'name': 't.small', 'id': 't1', 'vcpus': 1, 'memory_mb': 128, 'root_gb': 1, 'ephemeral_gb': 1, 'swap': 64}]
FLAVOR = dict(FLAVORS[0], rxtx_factor=1.0, is_public=True, disabled=False, extra_specs={})
IMAGES = [{'name': 'guest', 'id': 'guest', 'source': '/nonexistent/guest.qcow2', 'checksum': 'a' * 64}]
NETWORKS = [{'name': 'badnet', 'cidr': '10.77.0.0/24'}]
VALID = {'name': 'bad', 'flavor': 't.small', 'image': 'guest', 'networks': [{'network': 'badnet'}],
         'user_data': '#cloud-config\n# %s\n' % SECRET, 'metadata': {'role': 'web'}}
CATALOG = {'flavors': FLAVORS, 'images': IMAGES, 'networks': NETWORKS}

# Characters a name must never carry (XML, paths, shells, control characters).
BAD_CHARS = ['<', '>', '&', '/', '\x00', '\n', '"', "'", ' ', '\\', '$', ';', '|', '*', '`']
names_with_bad_chars = st.builds(lambda a, bad, b: a + bad + b, st.text('abc-_.1', max_size=8), st.sampled_from(BAD_CHARS),
                                 st.text('xyz9', max_size=8))
bad_names = st.one_of(names_with_bad_chars, st.sampled_from(['', '..', '.', 'a..b', '../etc', '-rf', '.hidden', 'x' * 300]),
                      st.integers().map(lambda i: [i]), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
not_a_size = st.one_of(st.integers(max_value=-1), st.sampled_from(['ten', '1.5', 'x', [], {}]),
                       st.integers(min_value=2 ** 40, max_value=2 ** 63))
bad_ips = st.one_of(st.sampled_from(['10.78.0.5', '10.77.0.0', '10.77.0.255', '999.1.1.1', 'localhost', '10.77.0',
                                     '::1', '10.77.0.1/24', '']),
                    st.ip_addresses(v=4).map(str).filter(lambda ip: not ip.startswith('10.77.0.')))
bad_bdm_entries = st.one_of(
    st.fixed_dictionaries({'source_type': st.sampled_from(['blank']), 'destination_type': st.just('local'),
                           'volume_size': st.integers(min_value=2, max_value=10 ** 6), 'boot_index': st.just(-1)}),
    st.fixed_dictionaries({'source_type': st.sampled_from(['blank']), 'destination_type': st.just('local'),
                           'guest_format': st.just('swap'), 'volume_size': st.integers(min_value=65, max_value=10 ** 6),
                           'boot_index': st.just(-1)}),
    st.fixed_dictionaries({'source_type': st.text('abcxyz', min_size=1, max_size=8), 'destination_type': st.just('local')}),
    st.fixed_dictionaries({'source_type': st.just('blank'), 'destination_type': st.text('qrs', min_size=1, max_size=6)}),
    st.fixed_dictionaries({'source_type': st.just('blank'), 'destination_type': st.just('volume'),
                           'volume_size': not_a_size}),
    st.fixed_dictionaries({'source_type': st.just('blank'), 'destination_type': st.just('local'),
                           'boot_index': st.sampled_from(['first', 'x', [0]]), 'volume_size': st.just(1)}),
    st.fixed_dictionaries({'source_type': st.just('volume'), 'destination_type': st.just('volume'),
                           'uuid': st.text('xyz-', max_size=12), 'boot_index': st.just(1)}),
    st.just([{'source_type': 'blank', 'destination_type': 'local', 'device_name': '/dev/vdb', 'volume_size': 1,
              'boot_index': -1}] * 2),
    st.builds(lambda dev: {'source_type': 'blank', 'destination_type': 'local', 'device_name': dev, 'volume_size': 1,
                           'boot_index': -1}, names_with_bad_chars.map(lambda n: '/dev/vd' + n)),
    st.sampled_from(['not a mapping', 3, None]),
)

# (field, strategy of a wrong value, words of which the message must contain one)
BOOT_REQUEST_MUTATIONS = [
    ('name', bad_names, ['name']),
    ('flavor', st.one_of(st.text(min_size=1, max_size=12).filter(lambda f: f.strip() not in ('t.small', 't1')),
                         st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2)), ['flavor']),
    ('image', st.text(min_size=1, max_size=12).filter(lambda i: i.strip() != 'guest'), ['image']),
    ('min_count', st.one_of(st.integers(max_value=0), st.sampled_from(['many', [1]])), ['min_count']),
    ('max_count', st.one_of(st.integers(max_value=-1), st.sampled_from(['all', {}])), ['max_count']),
    ('networks', st.one_of(st.builds(lambda n: [{'network': n}], st.text(min_size=1, max_size=10).filter(
        lambda n: n.strip() != 'badnet')), st.builds(lambda ip: [{'network': 'badnet', 'fixed_ip': ip}], bad_ips),
        st.sampled_from([['badnet'], [{}], [{'fixed_ip': '10.77.0.9'}], 'badnet'])), ['network', 'fixed_ip']),
    ('block_device_mapping', st.one_of(bad_bdm_entries.map(lambda e: e if isinstance(e, list) else [e])),
     ['block_device_mapping', 'device_name', 'volume_size', 'boot_index', 'source_type', 'destination_type',
      'swap', 'ephemeral', 'uuid', 'Block Device Mapping']),
    ('metadata', st.one_of(st.dictionaries(st.text(min_size=256, max_size=300), st.just('v'), min_size=1, max_size=1),
                           st.dictionaries(st.text(min_size=1, max_size=5), st.text(min_size=256, max_size=300),
                                           min_size=1, max_size=1),
                           st.dictionaries(st.text(min_size=1, max_size=5),
                                           st.one_of(st.integers(), st.lists(st.integers(), max_size=2)),
                                           min_size=1, max_size=2),
                           st.sampled_from(['a string', [1, 2]])), ['metadata']),
    ('user_data', st.integers(min_value=65536, max_value=70000).map(lambda n: SECRET + 'x' * n), ['user_data']),
    ('scheduler_hints', st.one_of(st.lists(st.integers(), min_size=1, max_size=3), st.integers(min_value=1)),
     ['scheduler_hints']),
    ('server_group', st.one_of(st.fixed_dictionaries({'name': st.text(min_size=1, max_size=5),
                                                      'policy': st.text(max_size=8)}),
                               st.just({'policy': 'affinity'}), st.just('g1')), ['server_group']),
    ('key_name', st.one_of(names_with_bad_chars, st.text('kq', min_size=1, max_size=6)), ['key_name']),
    ('public_key', st.text(max_size=40).filter(lambda k: not k.startswith('ssh-')), ['public_key', 'key_name']),
    ('config_drive', st.sampled_from(['sometimes', 'maybe', [True]]), ['config_drive']),
]


def libvirt_objects(uri):
    """What the host holds, read with libvirt itself: domains, pools, volumes, networks and
    their DHCP reservations."""
    conn = libvirt.open(uri)
    try:
        found = {'domain %s' % d.name() for d in conn.listAllDomains(0)}
        for pool in conn.listAllStoragePools(0):
            found.add('pool %s' % pool.name())
            if pool.isActive():
                pool.refresh(0)
                found |= {'volume %s/%s' % (pool.name(), v.name()) for v in pool.listAllVolumes(0)}
        for net in conn.listAllNetworks(0):
            found.add('network %s' % net.name())
            root = ET.fromstring(net.XMLDesc(0))
            found |= {'dhcp %s/%s/%s' % (net.name(), h.get('mac'), h.get('ip')) for h in root.iter('host')}
        return found
    finally:
        conn.close()


@pytest.fixture(scope='module', autouse=True)
def nothing_made():
    before = libvirt_objects(URI)
    yield
    made = libvirt_objects(URI) - before
    assert not made, 'bad input made %s on %s' % (sorted(made), URI)
    report = os.environ.get('NOVALITE_BAD_INPUT_REPORT')
    if report:
        with open(report, 'w') as f:
            json.dump({'cases': len(CASES), 'per_module': {m: sum(1 for c in CASES if c == m) for m in set(CASES)}}, f)


def run_module(module, args):
    """Run a module in this process as Ansible does; its JSON result."""
    CASES.append(module)
    mod = importlib.import_module('ansible_collections.novalite.compute.plugins.modules.%s' % module)
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            mod.main()
    text = out.getvalue()
    assert text.strip(), 'module %s printed nothing' % module
    return json.loads(text[text.index('{'):]), text


def assert_refused(module, args, words):
    result, text = run_module(module, args)
    shown = json.dumps(args, default=str)[:400]
    assert result.get('failed'), '%s accepted %s: %s' % (module, shown, text[:400])
    msg = result.get('msg', '')
    assert 'Traceback' not in text and 'exception' not in result, '%s: traceback for %s: %s' % (module, shown, text)
    assert SECRET not in text, '%s showed a secret for %s' % (module, shown)
    assert any(word.lower() in msg.lower() for word in words), '%s: message %r does not name any of %s (input %s)' % (
        module, msg, words, shown)
    assert len(msg) < 2000 and '\n' not in msg.strip(), '%s: not one clear line: %r' % (module, msg)


@settings(max_examples=EXAMPLES * 3)
@given(st.data())
def test_boot_request_refuses_each_wrong_field(data):
    field, strategy, words = data.draw(st.sampled_from(BOOT_REQUEST_MUTATIONS), label='field')
    request = dict(VALID)
    request[field] = data.draw(strategy, label=field)
    if field in ('key_name', 'public_key'):
        request.setdefault('key_name', 'ops')
    assert_refused('boot_request', {'request': request, 'catalog': CATALOG}, words)


def host_args(**args):
    args.setdefault('uri', URI)
    return args


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_server_refuses_bad_input_and_makes_nothing(data):
    case = data.draw(st.sampled_from(['name', 'flavor', 'uuid', 'metadata', 'timeout']), label='field')
    args = host_args(name='bad-srv', flavor=FLAVOR, block_device_info={'disks': []}, ports=[], config_drive=True,
                     user_data=SECRET, admin_password=SECRET, wait=False, virt_type='qemu')
    words = [case]
    if case == 'name':
        args['name'] = data.draw(bad_names)
    elif case == 'flavor':
        key = data.draw(st.sampled_from(['vcpus', 'memory_mb', 'root_gb', 'swap']))
        args['flavor'] = dict(FLAVOR, **{key: data.draw(not_a_size)})
        words = [key]
    elif case == 'uuid':
        args['uuid'] = data.draw(st.text(max_size=20).filter(lambda u: len(u) != 32 and len(u) != 36 and u))
    elif case == 'metadata':
        args['metadata'] = {'k': data.draw(st.one_of(st.integers(), st.lists(st.integers(), min_size=1)))}
    else:
        args['timeout'] = data.draw(st.sampled_from(['soon', 'x', []]))
    assert_refused('server', args, words)


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_block_device_refuses_bad_mappings_and_makes_nothing(data):
    case = data.draw(st.sampled_from(['instance', 'block_device_mapping', 'flavor']), label='field')
    args = host_args(instance='bad-bd', flavor=FLAVOR, block_device_mapping=[])
    words = [case]
    if case == 'instance':
        args['instance'] = data.draw(bad_names)
    elif case == 'flavor':
        key = data.draw(st.sampled_from(['ephemeral_gb', 'swap', 'vcpus']))
        args['flavor'] = dict(FLAVOR, **{key: data.draw(not_a_size)})
        words = [key]
    else:
        entry = data.draw(bad_bdm_entries)
        args['block_device_mapping'] = entry if isinstance(entry, list) else [entry]
        words = BOOT_REQUEST_MUTATIONS[6][2]
    assert_refused('block_device', args, words)


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_port_refuses_bad_input_and_makes_nothing(data):
    case = data.draw(st.sampled_from(['instance', 'network', 'mac_address', 'device']), label='field')
    args = host_args(network=NETWORK, instance='bad-port')
    words = [case]
    if case == 'instance':
        args['instance'] = data.draw(bad_names)
    elif case == 'network':
        args['network'] = data.draw(st.one_of(names_with_bad_chars, st.text('qz', min_size=1, max_size=6)))
    elif case == 'mac_address':
        args['mac_address'] = data.draw(st.text(max_size=20).filter(lambda m: m.count(':') != 5))
    else:
        args['device'] = data.draw(names_with_bad_chars)
    assert_refused('port', args, words)


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_volume_image_network_and_pool_refuse_bad_names_and_make_nothing(data):
    module = data.draw(st.sampled_from(['volume', 'image', 'network', 'storage_pool', 'claim']), label='module')
    # Names that would escape a pool or directory, or break XML: refused by every module.
    name = data.draw(st.one_of(names_with_bad_chars, st.sampled_from(['..', '../etc', 'a..b', 'x' * 300])), label='name')
    if module == 'volume':
        args, words = host_args(name=name, size=1), ['name']
        if data.draw(st.booleans()):
            args, words = host_args(name='ok-vol', size=data.draw(st.integers(max_value=0))), ['size']
    elif module == 'image':
        args, words = host_args(image={'name': name, 'source': '/nonexistent', 'checksum': 'a' * 64}), ['name']
    elif module == 'network':
        args, words = host_args(network={'name': name, 'cidr': '10.79.0.0/24'}), ['name']
        if data.draw(st.booleans()):
            cidr = data.draw(st.sampled_from(['10.79.0.0/33', '10.79.0.0', 'ten', '300.0.0.0/24', '10.79.0.0/31']))
            args, words = host_args(network={'name': 'okn', 'cidr': cidr}), ['cidr']
    elif module == 'storage_pool':
        args, words = host_args(name=name, path='/var/tmp/novalite-bad-input-pool'), ['name']
    else:
        args, words = host_args(name=name, flavor=FLAVOR), ['name']
    assert_refused(module, args, words)


def test_enough_cases():
    """Run last (pytest keeps the file's order): the count of cases."""
    assert len(CASES) >= EXAMPLES * 3, CASES
    print('bad input: %d cases' % len(CASES))
