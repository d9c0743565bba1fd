"""The pure parts of a live migration (module_utils/_migration.py): the migrations a record
keeps, Nova's refusals, the disks and filters of a domain, the completion timeout."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record

DOMAIN = """<domain type='qemu'><name>web</name><devices>
<disk type='file' device='disk'><source file='/p/web_disk'/><target dev='vda'/></disk>
<disk type='file' device='disk'><source file='/v/volume-1'/><target dev='vdb'/></disk>
<disk type='file' device='cdrom'><source file='/p/web_disk.config'/><target dev='hda'/><readonly/></disk>
<disk type='network' device='disk'><source protocol='rbd' name='x'/><target dev='vdc'/></disk>
<interface type='network'><filterref filter='novalite-instance-web'><parameter name='IP' value='10.0.0.2'/></filterref></interface>
</devices></domain>"""


def test_a_record_keeps_its_newest_migrations_and_one_open_at_most():
    rec = {}
    for n in range(12):
        entry = _migration.new_migration('m%d' % n, 'live-migration', 'hv1', 'hv2', 'req')
        rec['migrations'] = _migration.with_migration(rec, _migration.closed(entry, 'completed'))
    assert len(rec['migrations']) == _migration.MAX_MIGRATIONS and rec['migrations'][-1]['uuid'] == 'm11'
    assert _migration.open_migration(rec) is None
    moving = _migration.new_migration('m12', 'live-migration', 'hv1', 'hv3', 'req')
    rec['migrations'] = _migration.with_migration(rec, dict(moving, status='running'))
    assert _migration.open_migration(rec)['uuid'] == 'm12'
    rec['migrations'] = _migration.with_migration(rec, _migration.closed(moving, 'error', error='boom\n there'))
    assert len([m for m in rec['migrations'] if m['uuid'] == 'm12']) == 1
    assert rec['migrations'][-1]['error'] == 'boom there' and _migration.open_migration(rec) is None


def test_migrations_round_trip_through_the_record():
    entry = _migration.closed(_migration.new_migration('m1', 'live-migration', 'hv1', 'hv2', 'req'), 'completed',
                              stats={'memory_total': 10, 'disk_remaining': 0, 'other': 5})
    rec = {'uuid': 'u', 'name': 'web', 'migrations': [entry], 'server_group_policy': 'anti-affinity'}
    back = _instance_record.from_element(_instance_record.to_element(rec))
    assert back['migrations'] == [{k: str(v) for k, v in entry.items()}]
    assert back['server_group_policy'] == 'anti-affinity' and 'other' not in entry


def test_closing_takes_only_a_final_status():
    with pytest.raises(ValueError):
        _migration.closed({}, 'running')


@pytest.mark.parametrize('rec, power, message', [
    ({'vm_state': 'active'}, 'running', None),
    ({'vm_state': 'paused'}, 'paused', None),
    ({'vm_state': 'stopped'}, 'shutoff', "Cannot 'live_migrate' instance u while it is in vm_state stopped"),
    ({'vm_state': 'active', 'task_state': 'migrating'}, 'running', 'in task_state migrating'),
    ({'vm_state': 'active'}, 'shutoff', 'Instance u in power_state shutoff. Cannot live migrate'),
])
def test_nova_s_refusals(rec, power, message):
    problem = _migration.live_migration_refusal(dict(rec, uuid='u'), power)
    assert (problem is None) if message is None else (message in problem)


def test_the_disks_of_a_domain_and_which_are_read_only():
    assert _migration.disks(DOMAIN) == [
        {'path': '/p/web_disk', 'target': 'vda', 'device': 'disk', 'readonly': False},
        {'path': '/v/volume-1', 'target': 'vdb', 'device': 'disk', 'readonly': False},
        {'path': '/p/web_disk.config', 'target': 'hda', 'device': 'cdrom', 'readonly': True}]


def test_volume_info_says_how_to_make_the_same_volume():
    xml = """<volume><name>web_disk</name><capacity unit='bytes'>1073741824</capacity><target><format type='qcow2'/>
    <permissions><mode>0600</mode></permissions></target><backingStore><path>/i/sha256-x</path>
    <format type='qcow2'/></backingStore></volume>"""
    assert _migration.volume_info(xml) == {'name': 'web_disk', 'capacity': 1073741824, 'format': 'qcow2', 'mode': '0600',
                                           'backing': '/i/sha256-x', 'backing_format': 'qcow2'}


def test_filters_to_copy_included_ones_first_only_what_the_destination_lacks():
    source = {'novalite-instance-web': "<filter name='novalite-instance-web'><filterref filter='novalite-base'/>"
                                       "<filterref filter='novalite-sg-p-web'/></filter>",
              'novalite-base': "<filter name='novalite-base'><filterref filter='clean-traffic'/></filter>",
              'novalite-sg-p-web': "<filter name='novalite-sg-p-web'/>"}
    dest = {'novalite-base': '<filter/>'}
    copied = _migration.nwfilters_to_copy(DOMAIN, source.get, dest.get)
    assert [name for name, dummy in copied] == ['novalite-sg-p-web', 'novalite-instance-web']


def test_the_completion_timeout_is_nova_s():
    # 800 s per GiB of memory (2 GiB at least) and disk
    assert _migration.completion_timeout(800, {'memory_mb': 128}, [512 * 1024 ** 2]) == 2000
    assert _migration.completion_timeout(800, {'memory_mb': 4096}, []) == 3200
    assert _migration.completion_timeout(0, {'memory_mb': 4096}, []) is None


def test_progress_and_addresses():
    sample = _migration.progress_sample(3.21, {'memory_total': 200, 'memory_remaining': 50, 'disk_total': 0,
                                               'data_processed': 3 * 1048576})
    assert sample == {'elapsed': 3.2, 'memory_remaining_percent': 25, 'disk_remaining_percent': 100,
                      'data_processed_mb': 3}
    assert _migration.uri_host('10.0.0.2') == '10.0.0.2' and _migration.uri_host('fd00::2') == '[fd00::2]'
