"""The conductor's resize and cold migration (plugin_utils/resize.py): Nova's refusals, the new
flavor scheduled among the other hosts with the group policy, confirm and revert of a resize
waiting on its destination, requests done already."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils import migration, resize
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError

from scheduler_builders import FLAVOR, host, options

FLEET = {h: {'uri': 'qemu+ssh://root@%s/system' % h, 'address': '10.0.0.%d' % n,
             'settings': {'ram_allocation_ratio': 1.0, 'virt_type': 'qemu'}}
         for n, h in enumerate(('hv1', 'hv2', 'hv3'), 1)}
FLAVORS = [dict(FLAVOR, id='1'), {'name': 'm1.large', 'id': '2', 'vcpus': 2, 'memory_mb': 2048, 'root_gb': 20},
           {'name': 'm1.tiny', 'id': '3', 'vcpus': 1, 'memory_mb': 512, 'root_gb': 1},
           {'name': 'm1.giant', 'id': '4', 'vcpus': 1, 'memory_mb': 65536, 'root_gb': 20}]
IMAGES = [{'name': 'img', 'id': 'img', 'properties': {'os_shutdown_timeout': 5}}]


def with_instance(state, name, active=True, vm_state='active', task_state=None, migration_=None, group=None,
                  policy=None, flavor=None, last=None):
    uuid = 'u-' + name
    state['instances'][uuid + ('' if active else '-copy')] = {
        'managed': True, 'name': name, 'uuid': uuid, 'active': active, 'vm_state': vm_state,
        'task_state': task_state, 'vcpus': 1, 'memory_mb': 1024, 'disk_gb': 10,
        'flavor': (flavor or FLAVOR)['name'], 'flavor_spec': dict(flavor or dict(FLAVOR, id='1')),
        'server_group': group, 'server_group_policy': policy, 'migration': migration_, 'last_migration': last,
        'networks': ['net1'], 'image_id': 'img'}
    return state


def fleet_states():
    return {'hv1': host(), 'hv2': host(), 'hv3': host()}


def plan(request, states, kind='resize'):
    return resize.plan(request, kind, states, FLEET, options(), IMAGES, [{'name': 'net1', 'cidr': '10.1.0.0/24'}],
                       FLAVORS)


def resize_migration(status, source='hv1', dest='hv2', mtype='resize'):
    return {'uuid': 'm1', 'migration_type': mtype, 'status': status, 'source_compute': source, 'dest_compute': dest,
            'old_flavor': 'm1.small', 'new_flavor': 'm1.large', 'old_vm_state': 'active'}


def test_a_resize_goes_where_the_scheduler_puts_the_new_flavor_not_the_source():
    states = fleet_states()
    with_instance(states['hv1'], 'web')
    states['hv3'] = host(memory_mb=2048, memory_mb_used=512)       # too small for m1.large
    result = plan({'instance': 'web', 'flavor': 'm1.large'}, states)
    assert result['action'] == 'resize' and result['source'] == 'hv1' and result['dest'] == 'hv2'
    assert result['flavor']['name'] == 'm1.large' and result['shutdown_timeout'] == 5
    assert result['hosts']['source'] == {'host': 'hv1', 'uri': FLEET['hv1']['uri']}
    assert 'address' not in result['hosts']['dest'] and 'virt_type' not in result['hosts']['dest']['settings']


def test_a_flavor_that_fits_nowhere_is_no_valid_host():
    states = fleet_states()
    with_instance(states['hv1'], 'web')
    with pytest.raises(NoValidHost, match='No valid host was found'):
        plan({'instance': 'web', 'flavor': 'm1.giant'}, states)


@pytest.mark.parametrize('flavor, words', [
    ('m1.small', 'When resizing, instances must change flavor!'),
    ('m1.tiny', 'Unable to resize disk down.'),
    ('m1.nope', "resize.flavor: flavor 'm1.nope'"),
])
def test_nova_s_flavor_rules(flavor, words):
    states = fleet_states()
    with_instance(states['hv1'], 'web')
    with pytest.raises(migration.MigrationRefused, match=words):
        plan({'instance': 'web', 'flavor': flavor}, states)


def test_a_busy_or_errored_instance_is_refused_with_nova_s_words():
    states = fleet_states()
    with_instance(states['hv1'], 'web', task_state='rebooting')
    with pytest.raises(migration.MigrationRefused, match="Cannot 'resize' instance u-web while it is in task_state"):
        plan({'instance': 'web', 'flavor': 'm1.large'}, states)
    states = fleet_states()
    with_instance(states['hv1'], 'web', vm_state='error')
    with pytest.raises(migration.MigrationRefused, match="Cannot 'migrate' instance u-web while it is in vm_state error"):
        plan({'instance': 'web'}, states, kind='migrate')


def test_anti_affinity_holds_for_a_resize():
    states = fleet_states()
    with_instance(states['hv1'], 'db-1', group='db', policy='anti-affinity')
    with_instance(states['hv2'], 'db-2', group='db', policy='anti-affinity')
    assert plan({'instance': 'db-1', 'flavor': 'm1.large'}, states)['dest'] == 'hv3'
    with_instance(states['hv3'], 'db-3', group='db', policy='anti-affinity')
    with pytest.raises(NoValidHost, match='ServerGroupAntiAffinityFilter'):
        plan({'instance': 'db-1', 'flavor': 'm1.large'}, states)


def test_a_cold_migration_keeps_the_flavor_and_checks_a_named_host():
    states = fleet_states()
    with_instance(states['hv1'], 'web')
    result = plan({'instance': 'web', 'host': 'hv3'}, states, kind='migrate')
    assert result['action'] == 'resize' and result['dest'] == 'hv3' and result['flavor'] is None
    states['hv3'] = host(memory_mb=1024, memory_mb_used=512)
    with pytest.raises(NoValidHost):
        plan({'instance': 'web', 'host': 'hv3'}, states, kind='migrate')
    with pytest.raises(migration.MigrationRefused, match='Compute host hv9 could not be found.'):
        plan({'instance': 'web', 'host': 'hv9'}, states, kind='migrate')
    assert plan({'instance': 'web', 'host': 'hv1'}, states, kind='migrate')['action'] == 'none'


def test_a_resize_waiting_for_confirm_is_found_on_its_destination():
    states = fleet_states()
    finished = resize_migration('finished')
    with_instance(states['hv1'], 'web', active=False, migration_=finished)
    with_instance(states['hv2'], 'web', vm_state='resized', migration_=finished,
                  flavor=dict(FLAVORS[1]))
    confirm = plan({'instance': 'web', 'confirm': True}, states)
    assert (confirm['action'], confirm['source'], confirm['dest']) == ('confirm', 'hv1', 'hv2')
    revert = plan({'instance': 'web', 'revert': True}, states)
    assert (revert['action'], revert['source'], revert['dest']) == ('revert', 'hv1', 'hv2')
    again = plan({'instance': 'web', 'flavor': 'm1.large'}, states)
    assert again['action'] == 'none' and 'confirm or revert' in again['reason']
    with pytest.raises(migration.MigrationRefused, match="Cannot 'resize' instance u-web while it is in vm_state resized"):
        plan({'instance': 'web', 'flavor': 'm1.giant'}, states)
    states['hv1'] = dict(states['hv1'], unreachable='Failed to connect')
    with pytest.raises(migration.MigrationRefused, match='Compute service of hv1 is unavailable'):
        plan({'instance': 'web', 'confirm': True}, states)


def test_confirm_without_a_resize_is_refused_or_done_already():
    states = fleet_states()
    with_instance(states['hv2'], 'web', last=resize_migration('confirmed'))
    assert plan({'instance': 'web', 'confirm': True}, states)['action'] == 'none'
    with pytest.raises(migration.MigrationRefused, match="Cannot 'revertResize' instance u-web while it is in vm_state active"):
        plan({'instance': 'web', 'revert': True}, states)


def test_a_revert_cut_short_after_the_destination_went_goes_on():
    states = fleet_states()
    with_instance(states['hv1'], 'web', active=False, migration_=resize_migration('reverting'))
    states['hv2'] = dict(states['hv2'], unreachable='Failed to connect')
    result = plan({'instance': 'web', 'revert': True}, states)
    assert (result['action'], result['source'], result['dest']) == ('revert', 'hv1', 'hv2')


def test_an_interrupted_resize_is_made_again_and_its_destination_cleaned():
    states = fleet_states()
    cut = resize_migration('migrating', dest='hv3')
    with_instance(states['hv1'], 'web', active=False, task_state='resize_migrating', migration_=cut)
    with_instance(states['hv3'], 'web', active=False, task_state='resize_prep', migration_=cut,
                  flavor=dict(FLAVORS[1]))
    result = plan({'instance': 'web', 'flavor': 'm1.large'}, states)
    assert result['action'] == 'resize' and result['source'] == 'hv1'
    assert 'hv3' in result['cleanup'] or result['dest'] == 'hv3'


@pytest.mark.parametrize('request_, words', [
    ({'instance': 'web'}, 'resize.flavor must be'),
    ({'instance': 'web', 'flavor': 'm1.large', 'host': 'hv2'}, 'unknown field'),
    ({'instance': 'web', 'confirm': True, 'revert': True}, 'mutually exclusive'),
    ({'instance': 'web', 'confirm': 'yes'}, 'confirm must be true or false'),
    ({'instance': 'a/b', 'flavor': 'm1.large'}, 'instance must be an instance name'),
    ({'instance': 'web', 'flavor': 'm1.large', 'shutdown_timeout': -1}, 'shutdown_timeout'),
])
def test_bad_requests_name_the_field(request_, words):
    with pytest.raises(SchedulerError, match=words):
        plan(request_, fleet_states())


def test_a_finished_resize_whose_source_record_lags_is_closed_not_made_again():
    states = fleet_states()
    with_instance(states['hv1'], 'web', active=False, task_state='resize_finish',
                  migration_=resize_migration('post-migrating'))
    with_instance(states['hv2'], 'web', vm_state='resized', migration_=resize_migration('finished'),
                  flavor=dict(FLAVORS[1]))
    result = plan({'instance': 'web', 'flavor': 'm1.large'}, states)
    assert (result['action'], result['source'], result['dest']) == ('resize', 'hv1', 'hv2')
    assert result['hosts']['dest']['host'] == 'hv2'
