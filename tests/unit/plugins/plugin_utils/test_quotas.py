# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quota arithmetic: Nova's check_num_instances_quota, its messages, and usage counted from
the records on the hosts."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils import conductor
from ansible_collections.novalite.compute.plugins.plugin_utils import quotas as q

FLAVOR4 = {'name': 'm1.large', 'vcpus': 4, 'memory_mb': 1024, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}


def _limits(**over):
    return dict(q.NOVA_DEFAULTS, **over)


def _used(instances=0, cores=0, ram=0, groups=None):
    return {'instances': instances, 'cores': cores, 'ram': ram, 'server_groups': groups or {}}


def test_fits_whole():
    assert q.instances_allowed(_limits(cores=64), _used(1, 4, 1024), FLAVOR4, 1, 3) == 3


def test_the_issue_message():
    with pytest.raises(q.QuotaError) as err:
        q.instances_allowed(_limits(cores=64, instances=100, ram=-1), _used(15, 60, 15 * 1024), FLAVOR4, 2, 2)
    assert str(err.value) == 'Quota exceeded for cores: Requested 8, but already used 60 of 64 cores'


def test_reduced_to_what_fits_down_to_min_count():
    # 64 - 52 = 12 cores left: 3 of up to 5 instances of 4 vCPUs.
    assert q.instances_allowed(_limits(cores=64, instances=100, ram=-1), _used(13, 52), FLAVOR4, 2, 5) == 3


def test_range_in_message_when_min_does_not_fit():
    with pytest.raises(q.QuotaError) as err:
        q.instances_allowed(_limits(instances=10, cores=-1, ram=-1), _used(9), FLAVOR4, 2, 4)
    assert str(err.value) == 'Quota exceeded for instances: Requested 2-4, but already used 9 of 10 instances'


def test_several_overs_in_nova_format():
    with pytest.raises(q.QuotaError) as err:
        q.instances_allowed(_limits(instances=10, cores=8, ram=2048), _used(2, 8, 2048), FLAVOR4, 1, 1)
    assert str(err.value) == ('Quota exceeded for cores, ram: Requested 4, 1024, but already used 8, 2048 '
                              'of 8, 2048 cores, ram')


def test_unlimited_everything():
    assert q.instances_allowed(_limits(instances=-1, cores=-1, ram=-1), _used(10 ** 6, 10 ** 7, 10 ** 9),
                               FLAVOR4, 1, 50) == 50


def test_unlimited_cores_follow_the_instances_headroom():
    # instances: 3 left; cores unlimited; ram 4096 - 1024 = 3072 left: 3 instances of 1024.
    assert q.instances_allowed(_limits(instances=5, cores=-1, ram=4096), _used(2, 8, 1024), FLAVOR4, 1, 6) == 3


def test_zero_limit():
    with pytest.raises(q.QuotaError, match='Quota exceeded for instances: Requested 1, but already used 0 of 0'):
        q.instances_allowed(_limits(instances=0), _used(), FLAVOR4, 1, 1)


@pytest.mark.parametrize('vcpus,used_cores,limit,n_max,expected', [
    (1, 0, 20, 20, 20), (1, 19, 20, 5, 1), (2, 15, 20, 5, 2), (3, 0, 10, 5, 3), (8, 0, 64, 9, 8)])
def test_allowed_is_the_most_that_fits(vcpus, used_cores, limit, n_max, expected):
    flavor = dict(FLAVOR4, vcpus=vcpus, memory_mb=0)
    assert q.instances_allowed(_limits(instances=-1, cores=limit), _used(0, used_cores), flavor, 1, n_max) == expected
    # ... and never more: the result always fits.
    assert used_cores + expected * vcpus <= limit


def test_limits_default_then_project():
    quotas = {'default': {'cores': 32}, 'p1': {'cores': 64, 'instances': '-1'}}
    assert q.limits(quotas, 'p1')['cores'] == 64 and q.limits(quotas, 'p1')['instances'] == -1
    assert q.limits(quotas, 'p2')['cores'] == 32 and q.limits(quotas, 'p2')['ram'] == 51200
    assert q.limits({}, None) == q.NOVA_DEFAULTS


@pytest.mark.parametrize('quotas,match', [
    ({'default': {'gpus': 1}}, "unknown resource 'gpus'"),
    ({'p1': {'cores': 'many'}}, r"novalite_quotas\['p1'\]\['cores'\] must be a whole number"),
    ({'p1': {'cores': True}}, 'must be a whole number'),
    ({'p1': {'cores': -2}}, 'must be -1 .unlimited. or more'),
    ({'p1': [1]}, r"novalite_quotas\['p1'\] must be a dict"),
    ([1], 'novalite_quotas must be a dict'),
])
def test_bad_limits_name_the_option(quotas, match):
    with pytest.raises(q.QuotaError, match=match):
        q.limits(quotas, 'p1')


def _states():
    def inst(name, project, vcpus=2, ram=512, group=None, managed=True):
        return {'name': name, 'managed': managed, 'project_id': project, 'vcpus': vcpus, 'memory_mb': ram,
                'server_group': group, 'vm_state': 'active'}
    return {
        'hv1': {'instances': {'a': inst('a', 'p1', group='g1'), 'b': inst('b', 'p2'), 'x': inst('x', None, managed=False)}},
        'hv2': {'instances': {'c': inst('c', 'p1', vcpus=4, group='g1'), 'd': inst('d', 'p1', group='g2')}},
        'hv3': {'unreachable': 'connection refused'},
    }


def test_usage_sums_the_project_across_hosts():
    used, uncounted = q.usage(_states(), 'p1')
    assert used == {'instances': 3, 'cores': 8, 'ram': 1536, 'server_groups': {'g1': 2, 'g2': 1}}
    assert uncounted == ['hv3']
    used = q.usage(_states(), 'p1', exclude=['c'])[0]
    assert used['instances'] == 2 and used['cores'] == 4
    assert q.usage(_states(), None)[0]['instances'] == 0     # an unmanaged domain is no one's


def test_server_group_quotas():
    quotas = {'p1': {'server_groups': 2, 'server_group_members': 3}}
    with pytest.raises(q.QuotaError, match='Quota exceeded, too many server groups'):
        q.check(quotas, _states(), 'p1', FLAVOR4, 1, 1, server_group='g3')
    q.check(quotas, _states(), 'p1', FLAVOR4, 1, 1, server_group='g1')     # g1 exists: not a new group
    with pytest.raises(q.QuotaError, match=r'too many servers in group \(g1 has 2 of 3, 2 requested\)'):
        q.check(quotas, _states(), 'p1', FLAVOR4, 2, 2, server_group='g1')


def test_check_names_project_and_uncounted_hosts():
    with pytest.raises(q.QuotaError) as err:
        q.check({'p1': {'cores': 10}}, _states(), 'p1', FLAVOR4, 1, 1)
    assert str(err.value) == ("Quota exceeded for cores: Requested 4, but already used 8 of 10 cores "
                              "(project 'p1'; not counted: hv3, unreachable)")


def _boot(n_min, n_max, project='p1'):
    names = ['web-%d' % i for i in range(1, n_max + 1)]
    return {'instances': [{'name': n, 'uuid': n, 'launch_index': i} for i, n in enumerate(names)],
            'min_count': n_min,
            'scheduler_request': {'flavor': dict(FLAVOR4, vcpus=2), 'num_instances': n_max, 'min_count': n_min,
                                  'project_id': project, 'image': {'id': 'i', 'properties': {}},
                                  'instance_uuids': names}}


def _hosts():
    base = {'vcpus': 64, 'vcpus_used': 0, 'memory_mb': 65536, 'memory_mb_used': 0, 'free_ram_mb': 65536,
            'local_gb': 1000, 'local_gb_used': 0, 'free_disk_gb': 1000, 'disk_available_least': 1000,
            'hypervisor_type': 'QEMU', 'hypervisor_version': 8002000, 'num_instances': 0, 'num_io_ops': 0}
    return {'hv1': dict(base, instances={}), 'hv2': dict(base, instances={})}


def test_conductor_reduces_max_count_before_scheduling():
    plan = conductor.build_plan(_boot(1, 5), _hosts(), {'service_down_time': None}, {'p1': {'cores': 6}})
    assert [p['name'] for p in plan['plan']] == ['web-1', 'web-2', 'web-3']
    assert plan['over_quota'] == ['web-4', 'web-5'] and plan['quota']['allowed'] == 3


def test_conductor_fails_before_scheduling_when_min_count_does_not_fit():
    with pytest.raises(q.QuotaError, match='Quota exceeded for cores: Requested 8, but already used 0 of 6 cores'):
        conductor.build_plan(_boot(4, 4), _hosts(), {'service_down_time': None}, {'p1': {'cores': 6}})


def test_conductor_second_run_with_enough_built_is_not_an_error():
    hosts = _hosts()
    hosts['hv1']['instances'] = {n: {'name': n, 'managed': True, 'project_id': 'p1', 'vcpus': 2, 'memory_mb': 1024,
                                     'vm_state': 'active'} for n in ('web-1', 'web-2', 'web-3')}
    plan = conductor.build_plan(_boot(1, 5), hosts, {'service_down_time': None}, {'p1': {'cores': 6}})
    assert plan['done'] == ['web-1', 'web-2', 'web-3'] and plan['plan'] == []
    assert plan['over_quota'] == ['web-4', 'web-5']


def test_conductor_without_quotas_checks_none():
    plan = conductor.build_plan(_boot(1, 5), _hosts(), {'service_down_time': None})
    assert len(plan['plan']) == 5 and plan['quota'] is None
