"""The conductor's evacuation (plugin_utils/evacuate.py): a down host's instances from its
records scheduled elsewhere (choices counted, groups kept), those running elsewhere skipped,
Nova's refusals, and the stale copies of a host that answers again."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils import evacuate, migration
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import SchedulerError

from scheduler_builders import FLAVOR, host, options

FLEET = {h: {'uri': 'qemu:///%s' % h, 'settings': {'virt_type': 'qemu'}} for h in ('hv1', 'hv2', 'hv3')}
IMAGES = [{'name': 'img', 'id': 'img'}]


def record(name, vm_state='active', group=None, policy=None, memory_mb=1024, **extra):
    rec = {'name': name, 'uuid': 'u-' + name, 'vm_state': vm_state, 'flavor': dict(FLAVOR, memory_mb=memory_mb),
           'image': {'id': 'img'}, 'ports': [{'network': 'net1', 'name': name + '-eth0', 'mac': 'fa:16:3e:00:00:01',
                                              'ip': '10.1.0.5'}],
           'server_group': group, 'server_group_policy': policy, 'block_devices': [{'kind': 'disk'}]}
    rec.update(extra)
    return rec


def down_states():
    return {'hv1': host(), 'hv2': host(), 'hv3': dict(host(), unreachable='Failed to connect')}


def plan(request, states, records):
    return evacuate.plan(request, states, FLEET, {'host': 'hv3', 'taken_at': 'T', 'records': records}, options(),
                         IMAGES)


def test_each_instance_of_the_down_host_goes_elsewhere_the_choices_counted():
    states = down_states()
    states['hv1'] = host(memory_mb=3072, memory_mb_used=512)     # room for one 1 GiB instance (512 reserved)
    states['hv2'] = host(memory_mb=3072, memory_mb_used=512)
    result = plan({'host': 'hv3'}, states, [record('a'), record('b')])
    assert result['down'] and not result['skipped']
    assert sorted(e['dest'] for e in result['evacuate']) == ['hv1', 'hv2']
    assert result['evacuate'][0]['record']['uuid'] == 'u-a' and result['evacuate'][0]['image'] == IMAGES[0]
    assert result['evacuate'][0]['uri'] == 'qemu:///' + result['evacuate'][0]['dest']


def test_anti_affinity_holds_and_what_cannot_go_is_listed_with_the_reason():
    states = down_states()
    states['hv1']['instances']['x'] = {'managed': True, 'name': 'db-9', 'uuid': 'u-db-9', 'active': True,
                                       'server_group': 'db', 'vm_state': 'active'}
    result = plan({'host': 'hv3'}, states, [record('db-1', group='db', policy='anti-affinity'),
                                            record('db-2', group='db', policy='anti-affinity'),
                                            record('busy', task_state='rebooting'),
                                            record('vol', boot_from_volume=True)])
    assert [(e['instance'], e['dest']) for e in result['evacuate']] == [('db-1', 'hv2')]
    reasons = {s['instance']: s['reason'] for s in result['skipped']}
    assert 'No valid host was found' in reasons['db-2']
    assert "Cannot 'evacuate' instance u-busy while it is in task_state rebooting" == reasons['busy']
    assert 'volumes' in reasons['vol']


def test_an_instance_running_elsewhere_is_not_evacuated_again():
    states = down_states()
    states['hv1']['instances']['u-a'] = {'managed': True, 'name': 'a', 'uuid': 'u-a', 'active': True}
    result = plan({'host': 'hv3'}, states, [record('a')])
    assert result['evacuate'] == [] and result['skipped'] == [{'instance': 'a', 'reason': 'runs on hv1'}]


def test_a_host_that_answers_again_has_its_evacuated_copies_removed():
    states = {'hv1': host(), 'hv2': host(), 'hv3': host()}
    states['hv3']['instances']['u-a'] = {'managed': True, 'name': 'a', 'uuid': 'u-a', 'active': True}
    states['hv3']['instances']['u-b'] = {'managed': True, 'name': 'b', 'uuid': 'u-b', 'active': True}
    states['hv1']['instances']['u-a'] = {'managed': True, 'name': 'a', 'uuid': 'u-a', 'active': True,
                                         'last_migration': {'migration_type': 'evacuation', 'source_compute': 'hv3',
                                                            'status': 'done'}}
    result = evacuate.plan({'host': 'hv3'}, states, FLEET, None, options(), IMAGES)
    assert not result['down'] and result['stale'] == [{'instance': 'a', 'uuid': 'u-a', 'runs_on': 'hv1'}]
    assert result['evacuate'] == []
    with pytest.raises(migration.MigrationRefused, match='Compute service of hv2 is still in use.'):
        evacuate.plan({'host': 'hv2', 'instance': 'a'}, states, FLEET, None, options(), IMAGES)


def test_without_records_the_instances_are_not_known():
    with pytest.raises(migration.MigrationRefused, match='no records were written'):
        evacuate.plan({'host': 'hv3'}, down_states(), FLEET, None, options(), IMAGES)
    with pytest.raises(migration.MigrationRefused, match='Instance zz could not be found on hv3'):
        plan({'host': 'hv3', 'instance': 'zz'}, down_states(), [record('a')])


def test_a_target_goes_through_the_filters():
    states = down_states()
    assert [e['dest'] for e in plan({'host': 'hv3', 'target': 'hv2'}, states, [record('a')])['evacuate']] == ['hv2']
    states['hv2'] = host(memory_mb=1024, memory_mb_used=512)
    assert plan({'host': 'hv3', 'target': 'hv2'}, states, [record('a')])['evacuate'] == []


@pytest.mark.parametrize('request_, words', [
    ({}, 'evacuate.host must be a host name'),
    ({'host': 'hv3', 'force': True}, 'unknown field'),
    ({'host': 'hv3', 'target': 'hv3'}, 'cannot be rebuilt on the host'),
    ({'host': 'hv3', 'instance': 'a&b'}, 'instance must be an instance name'),
])
def test_bad_requests(request_, words):
    with pytest.raises(SchedulerError, match=words):
        plan(request_, down_states(), [record('a')])


def test_an_evacuation_cut_short_goes_on_where_it_started():
    states = down_states()
    states['hv1']['instances']['u-a'] = {
        'managed': True, 'name': 'a', 'uuid': 'u-a', 'active': False, 'task_state': 'rebuild_spawning',
        'migration': {'migration_type': 'evacuation', 'status': 'pre-migrating', 'source_compute': 'hv3',
                      'dest_compute': 'hv1'}}
    states['hv2'] = host(memory_mb=65536)          # the scheduler would prefer it
    result = plan({'host': 'hv3'}, states, [record('a')])
    assert [(e['instance'], e['dest']) for e in result['evacuate']] == [('a', 'hv1')]
