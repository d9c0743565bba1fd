import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.host_state import HostState
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.request_spec import RequestSpec
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import Scheduler
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.weighers import normalize, weigh

from scheduler_builders import host, request, options


def weights(facts_list, weigher, req=None, **opts):
    sched = Scheduler(options(weighers=[weigher], **opts))
    states = [HostState('h%d' % i, f, sched.options) for i, f in enumerate(facts_list)]
    spec = RequestSpec(req or request())
    spec.setup_instance_group(states)
    return [round(w, 6) for w in weigh(sched.weighers, states, spec)]


@pytest.mark.parametrize('values, minval, maxval, expected', [
    ([], None, None, ()),
    ([5, 5, 5], None, None, [0, 0, 0]),
    ([1, 2, 3], None, None, [0.0, 0.5, 1.0]),
    ([8192, 30000, 512], 0, None, [8192 / 30000.0, 1.0, 512 / 30000.0]),   # minval 0: x / max
    ([0, 0], 0, None, [0, 0]),
    ([-3, -1], None, None, [0.0, 1.0]),
    ([2, 4], 0, 8, [0.25, 0.5]),
])
def test_normalize(values, minval, maxval, expected):
    assert list(normalize(values, minval, maxval)) == list(expected)


def test_ram_weigher_matches_nova_example():
    # Verified against nova 34 in the reference: 8192/30000/512 -> 0.273067 / 1.0 / 0.017067
    facts = [host(free_ram_mb=8192), host(free_ram_mb=30000), host(free_ram_mb=512)]
    assert weights(facts, 'RAMWeigher') == [0.273067, 1.0, 0.017067]


def test_a_single_host_weighs_zero():
    assert weights([host(free_ram_mb=8192)], 'RAMWeigher') == [0.0]


def test_negative_free_ram_is_clamped_to_zero():
    assert weights([host(free_ram_mb=-100), host(free_ram_mb=1000)], 'RAMWeigher') == [0.0, 1.0]


@pytest.mark.parametrize('weigher, facts, expected', [
    ('CPUWeigher', [dict(vcpus=8, vcpus_used=0), dict(vcpus=8, vcpus_used=16)], [1.0, 0.5]),     # 8*4-used
    ('CPUWeigher', [dict(vcpus=8, vcpus_used=40), dict(vcpus=8, vcpus_used=16)], [0.0, 1.0]),    # clamped at 0
    ('DiskWeigher', [dict(free_disk_gb=100), dict(free_disk_gb=50)], [1.0, 0.5]),
    ('DiskWeigher', [dict(free_disk_gb=100, disk_available_least=25), dict(free_disk_gb=50)], [0.5, 1.0]),
    ('IoOpsWeigher', [dict(num_io_ops=0), dict(num_io_ops=4)], [0.0, -1.0]),                   # multiplier -1
    ('NumInstancesWeigher', [dict(num_instances=0), dict(num_instances=4)], [0.0, 0.0]),       # multiplier 0
    ('BuildFailureWeigher', [dict(failed_builds=0), dict(failed_builds=3)], [0.0, -1000000.0]),
    ('BuildFailureWeigher', [dict(failed_builds=1), dict(failed_builds=3)], [0.0, -1000000.0]),  # min-max
    ('HypervisorVersionWeigher', [dict(hypervisor_version=7002022), dict(hypervisor_version=8000000)], [0.0, 1.0]),
    ('HypervisorVersionWeigher', [dict(hypervisor_version=None), dict(hypervisor_version=8000000)], [0.0, 1.0]),
])
def test_weighers(weigher, facts, expected):
    assert weights([host(**f) for f in facts], weigher) == expected


def test_num_instances_weigher_with_a_multiplier_uses_min_max():
    facts = [host(num_instances=2), host(num_instances=4), host(num_instances=3)]
    assert weights(facts, 'NumInstancesWeigher', num_instances_weight_multiplier=-1.0) == [-0.0, -1.0, -0.5]


def test_aggregate_multiplier_minimum_wins():
    aggs = [{'name': 'a', 'metadata': {'ram_weight_multiplier': '2.0'}},
            {'name': 'b', 'metadata': {'ram_weight_multiplier': '0.5'}}]
    facts = [host(free_ram_mb=1000, aggregates=aggs), host(free_ram_mb=1000)]
    assert weights(facts, 'RAMWeigher') == [0.5, 1.0]


def test_bad_aggregate_multiplier_falls_back_to_the_option():
    facts = [host(free_ram_mb=1000, aggregates=[{'name': 'a', 'metadata': {'ram_weight_multiplier': 'x'}}]),
             host(free_ram_mb=500)]
    assert weights(facts, 'RAMWeigher') == [1.0, 0.5]


def group(policy):
    return request(server_group={'name': 'g', 'policy': policy}, scheduler_hints={'group': 'g'},
                   instance_uuids=['new'], num_instances=1)


def test_soft_affinity_prefers_hosts_with_members():
    facts = [host(instances={}), host(instances={'m1': {'server_group': 'g'}, 'm2': {'server_group': 'g'}}),
             host(instances={'m3': {'server_group': 'g'}})]
    assert weights(facts, 'ServerGroupSoftAffinityWeigher', group('soft-affinity')) == [0.0, 1.0, 0.5]
    assert weights(facts, 'ServerGroupSoftAffinityWeigher', group('soft-anti-affinity')) == [0.0, 0.0, 0.0]


def test_soft_anti_affinity_prefers_hosts_without_members():
    facts = [host(instances={}), host(instances={'m1': {'server_group': 'g'}, 'm2': {'server_group': 'g'}}),
             host(instances={'m3': {'server_group': 'g'}})]
    assert weights(facts, 'ServerGroupSoftAntiAffinityWeigher', group('soft-anti-affinity')) == [1.0, 0.0, 0.5]


def test_weights_add_up_over_weighers():
    sched = Scheduler(options(weighers=['RAMWeigher', 'CPUWeigher']))
    states = [HostState('a', host(free_ram_mb=1000, vcpus_used=0), sched.options),
              HostState('b', host(free_ram_mb=500, vcpus_used=16), sched.options)]
    assert weigh(sched.weighers, states, RequestSpec(request())) == [2.0, 1.0]
