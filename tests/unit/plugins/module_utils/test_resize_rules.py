"""The pure rules of a resize (module_utils/_migration.py): which copy is the instance, Nova's
flavor refusals, the sizes disks grow to, the domain with the new flavor."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _migration

GiB = 1024 ** 3


@pytest.mark.parametrize('status, source_role, dest_role', [
    ('pre-migrating', 'instance', 'destination'),
    ('migrating', 'instance', 'destination'),
    ('post-migrating', 'instance', 'destination'),
    ('finished', 'source', 'instance'),
    ('confirming', 'source', 'instance'),
    ('reverting', 'source', 'instance'),
])
def test_which_copy_is_the_instance_during_a_resize(status, source_role, dest_role):
    migration = {'migration_type': 'resize', 'status': status, 'source_compute': 'hv1', 'dest_compute': 'hv2'}
    assert _migration.copy_role(migration, 'hv1', False) == source_role
    assert _migration.copy_role(migration, 'hv2', True) == dest_role
    assert _migration.copy_role(None, 'hv1', False) == 'instance'


def test_a_live_migration_s_destination_is_a_claim_until_the_guest_runs_there():
    migration = {'migration_type': 'live-migration', 'status': 'running', 'source_compute': 'hv1',
                 'dest_compute': 'hv2'}
    assert _migration.copy_role(migration, 'hv2', False) == 'destination'
    assert _migration.copy_role(migration, 'hv2', True) == 'instance'
    assert _migration.copy_role(migration, 'hv1', True) == 'instance'


def test_open_migration_of_a_type():
    rec = {'migrations': [{'uuid': 'a', 'migration_type': 'resize', 'status': 'finished'}]}
    assert _migration.open_migration(rec, _migration.RESIZE_TYPES)['uuid'] == 'a'
    assert _migration.open_migration(rec, ('live-migration',)) is None
    rec['migrations'][0]['status'] = 'confirmed'
    assert _migration.open_migration(rec) is None


SMALL = {'name': 's', 'id': '1', 'vcpus': 1, 'memory_mb': 512, 'root_gb': 2, 'ephemeral_gb': 1}


@pytest.mark.parametrize('new, bfv, words', [
    (dict(SMALL), False, 'When resizing, instances must change flavor!'),
    (dict(SMALL, name='z', id='9', root_gb=0), False, 'Resize to zero disk flavor is not allowed.'),
    (dict(SMALL, name='r', id='2', root_gb=1), False, 'Unable to resize disk down.'),
    (dict(SMALL, name='e', id='3', ephemeral_gb=0), False, 'Unable to resize disk down.'),
    (dict(SMALL, name='v', id='4', root_gb=1), True, None),
    (dict(SMALL, name='b', id='5', root_gb=4, memory_mb=1024), False, None),
])
def test_nova_s_flavor_rules(new, bfv, words):
    problem = _migration.flavor_refusal(SMALL, new, bfv)
    assert (problem is None) if words is None else (words in problem)


def test_the_root_and_first_ephemeral_disks_grow_never_shrink():
    flavor = {'root_gb': 3, 'ephemeral_gb': 2}
    info = {'capacity': GiB}
    assert _migration.resized_capacity('web_disk', info, flavor) == 3 * GiB
    assert _migration.resized_capacity('web_disk.eph0', info, flavor) == 2 * GiB
    assert _migration.resized_capacity('web_disk.swap', info, flavor) == GiB
    assert _migration.resized_capacity('web_disk.config', info, flavor) == GiB
    assert _migration.resized_capacity('web_disk', {'capacity': 5 * GiB}, flavor) == 5 * GiB


def test_the_domain_takes_the_new_flavor_and_the_record():
    xml = ('<domain type="qemu"><name>web</name><metadata><novalite:instance xmlns:novalite="%s"><novalite:name>web'
           '</novalite:name></novalite:instance></metadata><memory unit="KiB">524288</memory>'
           '<currentMemory unit="KiB">524288</currentMemory><vcpu placement="static">1</vcpu>'
           '<cpu><topology sockets="1" dies="1" cores="1" threads="1"/></cpu></domain>' % _instance_record.NAMESPACE)
    out = _migration.resized_domain_xml(xml, {'memory_mb': 2048, 'vcpus': 4},
                                        {'sockets': 2, 'cores': 2, 'threads': 1})
    root = ET.fromstring(out)
    assert root.find('memory').text == '2048' and root.find('memory').get('unit') == 'MiB'
    assert root.find('currentMemory').text == '2048' and root.find('vcpu').text == '4'
    assert root.find('cpu/topology').attrib == {'sockets': '2', 'dies': '1', 'cores': '2', 'threads': '1'}
    rec = _instance_record.to_element({'name': 'web', 'vm_state': 'resized'})
    again = _migration.with_record(out, rec)
    parsed = _instance_record.from_domain_xml(again)
    assert parsed['vm_state'] == 'resized'
    assert len(ET.fromstring(again).find('metadata')) == 1


def test_resize_refusal_names_nova_s_action():
    assert _migration.resize_refusal({'uuid': 'u', 'vm_state': 'active'}, 'resize') is None
    assert _migration.resize_refusal({'uuid': 'u', 'vm_state': 'stopped'}, 'migration') is None
    assert "Cannot 'migrate' instance u while it is in vm_state paused" == \
        _migration.resize_refusal({'uuid': 'u', 'vm_state': 'paused'}, 'migration')
    assert "task_state resize_prep" in _migration.resize_refusal(
        {'uuid': 'u', 'vm_state': 'active', 'task_state': 'resize_prep'}, 'resize')
