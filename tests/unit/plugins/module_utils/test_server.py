import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _server
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError

PORT = {'id': 'p1', 'name': 'web-1-eth0', 'network': 'tenant', 'mac_address': 'fa:16:3e:00:00:01',
        'fixed_ips': [{'ip_address': '10.0.0.5'}]}
BDI = {'disks': [{'pool': 'novalite-instances', 'volume': 'web-1_disk', 'dev': 'vda', 'delete_on_termination': True},
                 {'pool': 'novalite-volumes', 'volume': 'volume-x', 'dev': 'vdb', 'delete_on_termination': False}],
       'boot_from_volume': False}
FLAVOR = {'name': 'm1', 'id': '1', 'vcpus': 2, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0,
          'extra_specs': {}}
PARAMS = {'name': 'web-1', 'image': {'id': 'debian', 'checksum': 'sha256:x'}, 'project_id': 'p'}


def record(**changes):
    rec = _server.record(dict(PARAMS), 'u-1', dict(FLAVOR, **changes.pop('flavor', {})), changes.pop('ports', [PORT]),
                         changes.pop('bdi', BDI), 'web-1_disk.config', '/p/web-1.console.log', 'novalite-instances')
    return rec


def test_a_new_record_is_building_and_spawning():
    rec = record()
    assert (rec['vm_state'], rec['task_state']) == ('building', 'spawning')
    assert (rec['hostname'], rec['config_drive']) == ('web-1', 'true')
    assert rec['ports'] == [{'network': 'tenant', 'name': 'web-1-eth0', 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.5',
                             'id': 'p1'}]


@pytest.mark.parametrize('state, wanted, actions', [
    (None, 'present', ['start']), ('running', 'present', []), ('shutoff', 'running', ['start']),
    ('running', 'stopped', ['stop']), ('shutoff', 'stopped', []), ('paused', 'stopped', ['stop']),
    ('running', 'rebooted', ['reboot']), ('shutoff', 'rebooted', ['start']), ('crashed', 'running', ['start']),
])
def test_power_actions(state, wanted, actions):
    assert _server.power_actions(state, wanted) == actions


def test_unknown_state():
    with pytest.raises(InvalidInput, match="state 'paused' is not one of"):
        _server.power_actions('running', 'paused')


@pytest.mark.parametrize('changes, field', [
    ({'flavor': {'memory_mb': 1024}}, 'flavor'),
    ({'flavor': {'name': 'm2'}}, 'flavor'),
    ({'ports': []}, 'ports'),
    ({'ports': [dict(PORT, mac_address='fa:16:3e:00:00:02')]}, 'ports'),
    ({'bdi': {'disks': BDI['disks'][:1]}}, 'disks'),
])
def test_immutable_fields(changes, field):
    diffs = _server.differences(record(), record(**changes))
    assert len(diffs) == 1 and diffs[0].startswith(field + ':')


def test_the_same_request_is_the_same_instance():
    assert _server.differences(record(), record()) == []


def test_teardown_removes_local_disks_config_drive_delete_on_termination_and_ports():
    volumes, ports = _server.teardown(record())
    assert volumes == [('novalite-instances', 'web-1_disk'), ('novalite-instances', 'web-1_disk.config')]
    assert ports == [('tenant', {'mac': 'fa:16:3e:00:00:01', 'name': 'web-1-eth0', 'ip': '10.0.0.5'})]


@pytest.mark.parametrize('name, hostname', [('web-1', 'web-1'), ('Web_Server 01', 'web-server-01'),
                                            ('a<b&c"d', 'a-b-c-d'), ('ünï', 'n'), ('---', 'server'),
                                            ('x' * 100, 'x' * 63)])
def test_hostname(name, hostname):
    assert _server.hostname(name) == hostname


def test_instance_uuid_is_stable_or_given():
    assert _server.instance_uuid('web-1', None) == _server.instance_uuid('web-1', None)
    assert _server.instance_uuid('web-1', '6F1B8C3E-0000-4000-8000-000000000001') == '6f1b8c3e-0000-4000-8000-000000000001'
    with pytest.raises(InvalidInput, match="uuid 'nope' is not a UUID"):
        _server.instance_uuid('web-1', 'nope')


def test_lease_ips():
    leases = [{'mac': 'FA:16:3E:00:00:01', 'ipaddr': '10.0.0.5'}, {'mac': 'fa:16:3e:00:00:09', 'ipaddr': '10.0.0.9'}]
    assert _server.lease_ips(leases, {'fa:16:3e:00:00:01'}) == {'fa:16:3e:00:00:01': '10.0.0.5'}


def test_leftovers_found_by_name_and_only_this_instances():
    volumes = ['web_disk', 'web_disk.eph0', 'web_disk.swap', 'web_disk.config', 'web.console.log',
               'web-1_disk', 'web-1.console.log', 'webby_disk', 'sha256-abc']
    hosts = {'net-a': [{'name': 'web-eth0', 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.2'},
                       {'name': 'web-1-eth0', 'mac': 'fa:16:3e:00:00:02', 'ip': '10.0.0.3'}],
             'net-b': [{'name': 'web-eth1', 'mac': 'fa:16:3e:00:00:03', 'ip': '10.1.0.2'},
                       {'name': 'web-ethx', 'mac': 'fa:16:3e:00:00:04', 'ip': '10.1.0.3'}]}
    found_volumes, found_ports = _server.leftovers('web', volumes, hosts)
    assert found_volumes == ['web.console.log', 'web_disk', 'web_disk.config', 'web_disk.eph0', 'web_disk.swap']
    assert [(n, h['name']) for n, h in found_ports] == [('net-a', 'web-eth0'), ('net-b', 'web-eth1')]


def test_power_diff_predicts_the_state_after_the_actions():
    before = _server.power_view({'state': 'shutoff'}, {'vm_state': 'stopped'})
    assert before == {'power_state': 'shutoff', 'vm_state': 'stopped'}
    assert _server.power_after(before, _server.power_actions('shutoff', 'running')) == {
        'power_state': 'running', 'vm_state': 'active'}
    running = {'power_state': 'running', 'vm_state': 'active'}
    assert _server.power_after(running, _server.power_actions('running', 'stopped')) == {
        'power_state': 'shutoff', 'vm_state': 'stopped'}
    assert _server.power_after(running, _server.power_actions('running', 'rebooted')) == running
    assert _server.power_after(running, _server.power_actions('running', 'running')) == running


SPAWN_PARAMS = {'name': 'web-1', 'virt_type': 'qemu', 'graphics': 'vnc', 'graphics_listen': '127.0.0.1',
                'image': {'properties': {}}}


@pytest.mark.parametrize('machine, disks, dev, bus', [
    (None, ['vda', 'vdb'], 'hda', 'ide'),
    ('pc', ['vda', 'hda'], 'hdb', 'ide'),              # a disk of the image already on ide
    ('q35', ['vda'], 'sda', 'sata'),
])
def test_spawn_settings_put_the_config_drive_on_the_first_free_name(machine, disks, dev, bus):
    p = dict(SPAWN_PARAMS, image={'properties': {'hw_machine_type': machine} if machine else {}})
    s = _server.spawn_settings(p, [{'dev': d} for d in disks], '/pool/web-1.console.log', '/pool/web-1_disk.config')
    assert (s['config_drive_dev'], s['config_drive_bus']) == (dev, bus)
    assert s['nvram'] == '/var/lib/libvirt/qemu/nvram/web-1_VARS.fd' and s['serial_log'] == '/pool/web-1.console.log'


def test_delete_plan_is_the_record_and_the_names_found_besides():
    rec = {'console_log': '/pool/web-1.console.log',
           'block_devices': [{'pool': 'novalite-instances', 'volume': 'web-1_disk', 'delete_on_termination': 'true'},
                             {'pool': 'novalite-volumes', 'volume': 'volume-k', 'delete_on_termination': 'false'}],
           'ports': [{'network': 'net', 'name': 'web-1-eth0', 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.5'}]}
    hosts = {'net': [{'name': 'web-1-eth0', 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.5'},
                     {'name': 'web-1-eth1', 'mac': 'fa:16:3e:00:00:02', 'ip': '10.0.0.6'},
                     {'name': 'web-10-eth0', 'mac': 'fa:16:3e:00:00:03', 'ip': '10.0.0.7'}]}
    local = ['web-1_disk', 'web-1_disk.eph0', 'web-1.console.log', 'web-10_disk', 'failed-build.20261201T000000Z.web-1']
    volumes, ports, removed = _server.delete_plan(rec, 'web-1', 'novalite-instances', local, hosts, True)
    assert sorted(v for p, v in volumes) == ['web-1.console.log', 'web-1_disk', 'web-1_disk.eph0']   # not the kept volume
    assert sorted(h['name'] for n, h in ports) == ['web-1-eth0', 'web-1-eth1']
    assert 'nwfilter/novalite-instance-web-1' in removed


@pytest.mark.parametrize('wait_for, snapshot, expected', [
    ('running', {'state': 'running'}, True),
    ('running', {'state': 'paused'}, False),
    ('boot_marker', {'state': 'running', 'console': 'Booting...\nNOVALITE-GUEST-REPORT {}'}, True),
    ('boot_marker', {'state': 'running', 'console': 'Booting...'}, False),
    ('ip', {'state': 'running', 'leases': {'fa:16:3e:00:00:01': '10.0.0.5'}}, True),
    ('ip', {'state': 'running', 'leases': {}}, False),
])
def test_booted_is_a_predicate_over_one_snapshot(wait_for, snapshot, expected):
    rec = {'ports': [{'mac': 'fa:16:3e:00:00:01'}]}
    assert _server.booted('web-1', wait_for, 'NOVALITE-GUEST-REPORT', rec, snapshot) is expected


@pytest.mark.parametrize('snapshot, words', [({'state': None}, 'was removed while booting'),
                                             ({'state': 'shutoff'}, 'stopped while booting')])
def test_booted_refuses_an_instance_that_is_gone_or_stopped(snapshot, words):
    with pytest.raises(NovaliteError, match=words):
        _server.booted('web-1', 'running', 'x', {}, snapshot)
