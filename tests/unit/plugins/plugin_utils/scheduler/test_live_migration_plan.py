"""The conductor's live migration (plugin_utils/migration.py): where the instance is, whether it
may move, where it goes - the scheduler with the instance's group policy, the source ignored."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils import migration
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError

from scheduler_builders import FLAVOR, host, options

FLEET = {h: {'uri': 'qemu+ssh://root@%s/system' % h, 'address': '10.0.0.%d' % n,
             'settings': {'ram_allocation_ratio': 1.0, 'virt_type': 'qemu'}}
         for n, h in enumerate(('hv1', 'hv2', 'hv3'), 1)}


def with_instance(state, name, active=True, group=None, policy=None, task_state=None, migration=None, az=None):
    uuid = 'u-' + name
    state['instances'][uuid + ('-copy' if not active else '')] = {
        'managed': True, 'name': name, 'uuid': uuid, 'active': active, 'vm_state': 'active',
        'task_state': task_state, 'vcpus': 1, 'memory_mb': 1024, 'disk_gb': 10, 'flavor_spec': dict(FLAVOR),
        'server_group': group, 'server_group_policy': policy, 'migration': migration, 'availability_zone': az,
        'networks': ['net1'], 'image_id': 'img'}
    return state


def fleet_states():
    return {'hv1': host(), 'hv2': host(), 'hv3': host()}


def plan(request, states, **kw):
    return migration.plan(request, states, FLEET, options(), kw.get('images'), [{'name': 'net1', 'cidr': '10.1.0.0/24'}])


def test_the_scheduler_chooses_among_the_other_hosts():
    states = fleet_states()
    with_instance(states['hv1'], 'web')
    result = plan({'instance': 'web'}, states)
    assert result['action'] == 'migrate' and result['source'] == 'hv1' and result['dest'] in ('hv2', 'hv3')
    assert result['hosts']['source'] == {'host': 'hv1', 'uri': FLEET['hv1']['uri']}
    dest = result['hosts']['dest']
    assert dest['address'] == FLEET[result['dest']]['address'] and 'virt_type' not in dest['settings']
    assert result['networks'] == [{'name': 'net1', 'cidr': '10.1.0.0/24'}]
    assert result['trace'] is not None


def test_anti_affinity_without_a_legal_host_is_no_valid_host():
    states = fleet_states()
    for n, hv in enumerate(('hv1', 'hv2', 'hv3'), 1):
        with_instance(states[hv], 'db-%d' % n, group='db', policy='anti-affinity')
    with pytest.raises(NoValidHost) as err:
        plan({'instance': 'db-1'}, states)
    assert 'ServerGroupAntiAffinityFilter' in str(err.value)


def test_the_moved_instance_does_not_count_against_its_own_group():
    states = fleet_states()
    with_instance(states['hv1'], 'db-1', group='db', policy='anti-affinity')
    with_instance(states['hv2'], 'db-2', group='db', policy='anti-affinity')
    assert plan({'instance': 'db-1'}, states)['dest'] == 'hv3'


def test_affinity_keeps_the_group_together():
    states = fleet_states()
    with_instance(states['hv1'], 'a-1', group='a', policy='affinity')
    with_instance(states['hv1'], 'a-2', group='a', policy='affinity')
    with pytest.raises(NoValidHost):
        plan({'instance': 'a-1'}, states)


def test_a_requested_host_goes_through_the_filters():
    states = fleet_states()
    with_instance(states['hv1'], 'db-1', group='db', policy='anti-affinity')
    with_instance(states['hv2'], 'db-2', group='db', policy='anti-affinity')
    assert plan({'instance': 'db-1', 'host': 'hv3'}, states)['dest'] == 'hv3'
    with pytest.raises(NoValidHost):
        plan({'instance': 'db-1', 'host': 'hv2'}, states)


def test_a_forced_host_skips_the_filters_but_not_nova_s_checks():
    states = fleet_states()
    with_instance(states['hv1'], 'db-1', group='db', policy='anti-affinity')
    with_instance(states['hv2'], 'db-2', group='db', policy='anti-affinity')
    result = plan({'instance': 'db-1', 'host': 'hv2', 'force': True}, states)
    assert result['dest'] == 'hv2' and result['trace'] is None
    states['hv3'] = host(memory_mb=1024, memory_mb_used=512)
    with pytest.raises(migration.MigrationRefused, match='Lack of memory'):
        plan({'instance': 'db-1', 'host': 'hv3', 'force': True}, states)
    states['hv3'] = dict(host(), unreachable='Failed to connect')
    with pytest.raises(migration.MigrationRefused, match='unavailable'):
        plan({'instance': 'db-1', 'host': 'hv3', 'force': True}, states)


def test_an_older_or_other_hypervisor_is_skipped_and_the_scheduler_asked_again():
    states = {'hv1': host(hypervisor_version=9000000), 'hv2': host(hypervisor_version=8000000, memory_mb=65536),
              'hv3': host(hypervisor_version=9000000)}
    with_instance(states['hv1'], 'web')
    # The RAM weigher alone prefers hv2 (most free memory): it is skipped for its older hypervisor.
    result = migration.plan({'instance': 'web'}, states, FLEET, options(weighers=['RAMWeigher']))
    assert result['dest'] == 'hv3'
    assert result['skipped'][0]['host'] == 'hv2' and 'DestinationHypervisorTooOld' in result['skipped'][0]['reason']
    states['hv2'] = host(hypervisor_type='Xen')
    assert 'InvalidHypervisorType' in migration.compatibility(states['hv1'], states['hv2'])


def test_already_on_the_requested_host_does_nothing_and_the_current_host_is_refused_otherwise():
    states = fleet_states()
    with_instance(states['hv2'], 'web')
    result = plan({'instance': 'web', 'host': 'hv2'}, states)
    assert result['action'] == 'none' and result['hosts'] is None
    with_instance(states['hv3'], 'web', active=False, task_state='migrating')
    with pytest.raises(migration.MigrationRefused, match=r'Unable to migrate instance \(u-web\) to current host'):
        plan({'instance': 'web', 'host': 'hv2'}, states)


def test_an_interrupted_migration_that_landed_is_finished():
    states = fleet_states()
    moving = {'uuid': 'm1', 'status': 'running', 'source_compute': 'hv1', 'dest_compute': 'hv2'}
    with_instance(states['hv2'], 'web', task_state='migrating', migration=moving)
    result = plan({'instance': 'web'}, states)
    assert (result['action'], result['source'], result['dest']) == ('finish', 'hv1', 'hv2')
    assert result['hosts']['source']['host'] == 'hv1'


def test_an_interrupted_migration_that_did_not_land_is_cleaned_up_and_run_again():
    states = fleet_states()
    moving = {'uuid': 'm1', 'status': 'preparing', 'source_compute': 'hv1', 'dest_compute': 'hv3'}
    with_instance(states['hv1'], 'web', task_state='migrating', migration=moving)
    with_instance(states['hv3'], 'web', active=False, task_state='migrating', migration=moving)
    result = plan({'instance': 'web'}, states)
    assert result['action'] == 'migrate' and result['source'] == 'hv1' and result['cleanup'] == ['hv3']
    assert [h['host'] for h in result['hosts']['cleanup']] == ['hv3']


def test_the_boot_s_forced_host_does_not_stick_but_its_zone_does():
    states = fleet_states()
    with_instance(states['hv1'], 'web', az='nova:hv1')
    request = migration.move_request(states['hv1']['instances']['u-web'])
    assert request['availability_zone'] == 'nova'
    assert plan({'instance': 'web'}, states)['dest'] in ('hv2', 'hv3')


def test_the_image_s_properties_come_from_the_catalog():
    entry = with_instance(host(), 'web')['instances']['u-web']
    images = [{'id': 'img', 'name': 'debian', 'properties': {'hw_machine_type': 'q35'}}]
    assert migration.move_request(entry, images)['image'] == {'id': 'img', 'properties': {'hw_machine_type': 'q35'}}


@pytest.mark.parametrize('request_, message', [
    ({}, 'live_migration.instance must be an instance name'),
    ({'instance': 'a/b'}, 'live_migration.instance must be an instance name'),
    ({'instance': 'web', 'force': True}, 'force needs live_migration.host'),
    ({'instance': 'web', 'force': 'yes', 'host': 'hv2'}, 'force must be true or false'),
    ({'instance': 'web', 'completion_timeout': -1}, 'completion_timeout must be 0 or more'),
    ({'instance': 'web', 'colour': 'red'}, 'unknown field'),
    ('web', 'must be a dict'),
])
def test_bad_requests_name_the_field(request_, message):
    with pytest.raises(SchedulerError, match=message):
        migration.check_request(request_)


def test_an_unknown_instance_or_host_is_refused_in_nova_s_words():
    states = fleet_states()
    with pytest.raises(migration.MigrationRefused, match='Instance web could not be found'):
        plan({'instance': 'web'}, states)
    with_instance(states['hv1'], 'web')
    with pytest.raises(migration.MigrationRefused, match='Compute host hv9 could not be found'):
        plan({'instance': 'web', 'host': 'hv9'}, states)
