"""The conductor's plan (plugin_utils/conductor.py, beside the scheduler it drives): what is done,
what is built again, where, and min/max counts."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils import conductor
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import inventory
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost

from scheduler_builders import FLAVOR, host, options


def boot(count, min_count=None, name='web'):
    names = [name] if count == 1 else ['%s-%d' % (name, i) for i in range(1, count + 1)]
    instances = [{'name': n, 'uuid': '00000000-0000-0000-0000-%012d' % i, 'launch_index': i}
                 for i, n in enumerate(names)]
    return {'instances': instances, 'min_count': min_count or count, 'max_count': count,
            'scheduler_request': {'flavor': dict(FLAVOR), 'num_instances': count, 'min_count': min_count or count}}


def with_instance(state, name, vm_state, task_state=None):
    state['instances']['u-' + name] = {'managed': True, 'name': name, 'uuid': 'u-' + name, 'vm_state': vm_state,
                                       'task_state': task_state, 'vcpus': 1, 'memory_mb': 1024, 'disk_gb': 10}
    return state


def test_fresh_request_is_scheduled_with_alternates():
    states = {'hv1': host(), 'hv2': host(), 'hv3': host()}
    plan = conductor.build_plan(boot(2), states, options())
    assert plan['done'] == [] and plan['unplaced'] == []
    assert [p['name'] for p in plan['plan']] == ['web-1', 'web-2']
    first = [p['hosts'][0] for p in plan['plan']]
    assert len(set(first)) == 2
    for entry in plan['plan']:
        # Nova's alternates: the next hosts in weight order that no instance was selected on.
        assert entry['hosts'][1:] == sorted(set(states) - set(first))
        assert entry['cleanup'] == []
    assert plan['trace']['hosts'] == 3


def test_max_attempts_bounds_the_hosts():
    states = {'hv%d' % i: host() for i in range(5)}
    plan = conductor.build_plan(boot(1), states, options(max_attempts=2))
    assert len(plan['plan'][0]['hosts']) == 2


def test_finished_instances_are_left_alone_and_unfinished_ones_cleaned_up():
    states = {'hv1': with_instance(host(), 'web-1', 'active'),
              'hv2': with_instance(host(), 'web-2', 'building', 'claimed'),
              'hv3': with_instance(host(), 'web-3', 'error')}
    plan = conductor.build_plan(boot(3), states, options())
    assert plan['done'] == ['web-1']
    entries = {p['name']: p for p in plan['plan']}
    assert sorted(entries) == ['web-2', 'web-3']
    assert entries['web-2']['cleanup'] == ['hv2'] and entries['web-3']['cleanup'] == ['hv3']
    assert plan['found']['web-1'] == [{'host': 'hv1', 'uuid': 'u-web-1', 'vm_state': 'active', 'task_state': None}]


def test_nothing_to_do():
    states = {'hv1': with_instance(host(), 'web', 'stopped')}
    plan = conductor.build_plan(boot(1), states, options())
    assert plan == {'done': ['web'], 'plan': [], 'unplaced': [], 'over_quota': [], 'quota': None, 'found': plan['found'],
                    'trace': None, 'stale': []}


def test_an_unfinished_copy_of_an_instance_built_elsewhere_is_removed():
    # A build on hv1 lost its libvirtd half-way; its rollback could not finish; hv2 built it.
    states = {'hv1': with_instance(host(), 'web', 'building', 'spawning'), 'hv2': with_instance(host(), 'web', 'active')}
    plan = conductor.build_plan(boot(1), states, options())
    assert plan['done'] == ['web'] and plan['plan'] == []
    assert [(s['name'], s['cleanup'], s['hosts']) for s in plan['stale']] == [('web', ['hv1'], ['hv1'])]


def test_unmanaged_domains_of_the_same_name_do_not_count():
    state = host()
    state['instances']['x'] = {'managed': False, 'name': 'web', 'uuid': 'x', 'vm_state': 'active'}
    plan = conductor.build_plan(boot(1), {'hv1': state}, options())
    assert plan['done'] == [] and plan['plan'][0]['hosts'] == ['hv1']


def test_max_count_places_what_fits_down_to_min_count():
    # Two hosts with room for one m1.small each (1024 MB + 512 reserved of 1600).
    states = {'hv1': host(memory_mb=1600), 'hv2': host(memory_mb=1600)}
    plan = conductor.build_plan(boot(4, min_count=2), states, options())
    assert [p['name'] for p in plan['plan']] == ['web-1', 'web-2']
    assert plan['unplaced'] == ['web-3', 'web-4']
    with pytest.raises(NoValidHost, match='^No valid host was found'):
        conductor.build_plan(boot(4, min_count=3), states, options())


def test_min_count_counts_instances_already_done():
    # web-1 and web-2 exist (and fill the hosts): min_count 2 is met, nothing more fits.
    states = {'hv1': with_instance(host(memory_mb=1600, memory_mb_used=1536), 'web-1', 'active'),
              'hv2': with_instance(host(memory_mb=1600, memory_mb_used=1536), 'web-2', 'active')}
    plan = conductor.build_plan(boot(3, min_count=2), states, options())
    assert plan['done'] == ['web-1', 'web-2'] and plan['plan'] == [] and plan['unplaced'] == ['web-3']
    with pytest.raises(NoValidHost):
        conductor.build_plan(boot(3, min_count=3), states, options())


def test_scheduler_hosts_from_inventory():
    hostvars = {
        'hv1': {'novalite_host': host(), 'group_names': ['compute_hosts', 'rack1'], 'novalite_cpu_allocation_ratio': 2.0},
        'hv2': {'novalite_host': host(), 'novalite_facts_error': 'connection refused'},
        'hv3': {},
    }
    states = inventory.scheduler_hosts(hostvars, ['hv1', 'hv2', 'hv3'], {'rack1': {'availability_zone': 'az1'}})
    assert states['hv1']['cpu_allocation_ratio'] == 2.0
    assert states['hv1']['aggregates'] == [{'name': 'rack1', 'metadata': {'availability_zone': 'az1'}}]
    assert states['hv2'] == {'unreachable': 'connection refused', 'aggregates': []}
    assert states['hv3']['unreachable'] == 'no facts gathered'
    plan = conductor.build_plan(boot(1), states, options())
    assert plan['plan'][0]['hosts'] == ['hv1']
    assert 'connection refused' in str(plan['trace'])
