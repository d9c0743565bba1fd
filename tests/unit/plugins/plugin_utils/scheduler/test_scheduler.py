import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts

from scheduler_builders import FLAVOR, host, request, options


def place(req, hosts, **opts):
    return select_hosts(req, hosts, options(**opts))


def flavor(**sizes):
    return dict(FLAVOR, **sizes)


# -- Placement: (total - reserved) * ratio - used >= requested, requested <= total ----------------
@pytest.mark.parametrize('facts, fl, opts, fits', [
    (dict(memory_mb=4096, memory_mb_used=512), flavor(memory_mb=3584), {}, True),
    (dict(memory_mb=4096, memory_mb_used=512), flavor(memory_mb=3585), {}, False),
    # ratio multiplies (total - reserved), not total (Placement, not the old RamFilter)
    (dict(memory_mb=4096, memory_mb_used=512), flavor(memory_mb=4096), {'ram_allocation_ratio': 1.5}, True),
    (dict(memory_mb=4096, memory_mb_used=512, ram_allocation_ratio=1.0), flavor(memory_mb=4096),
     {'ram_allocation_ratio': 1.5}, False),                      # per-host setting wins
    (dict(memory_mb=4096, memory_mb_used=512), flavor(memory_mb=4097), {'ram_allocation_ratio': 10.0}, False),
    (dict(vcpus=2, vcpus_used=7), flavor(vcpus=1), {}, True),   # 2 * 4.0 - 7 = 1
    (dict(vcpus=2, vcpus_used=8), flavor(vcpus=1), {}, False),
    (dict(vcpus=2), flavor(vcpus=3), {'cpu_allocation_ratio': 16.0}, False),   # more than total
    (dict(vcpus=4, reserved_host_cpus=2, vcpus_used=6), flavor(vcpus=4), {}, True),   # (4-2)*4 - (6-2) = 4
    (dict(vcpus=4, reserved_host_cpus=2, vcpus_used=7), flavor(vcpus=4), {}, False),
    (dict(local_gb=20, local_gb_used=10), flavor(root_gb=10), {}, True),
    (dict(local_gb=20, local_gb_used=10), flavor(root_gb=10, swap=1), {}, False),     # swap rounds up to 1 GiB
    (dict(local_gb=20, local_gb_used=10), flavor(root_gb=5, ephemeral_gb=6), {}, False),
    (dict(local_gb=0), flavor(root_gb=0), {}, True),            # no disk asked: DISK_GB not requested
    (dict(local_gb=10), flavor(root_gb=11, extra_specs={'resources:DISK_GB': '0'}), {}, True),
    (dict(vcpus=1), flavor(vcpus=1, extra_specs={'resources:VCPU': '2'}), {}, False),
])
def test_placement_capacity(facts, fl, opts, fits):
    hosts = {'h1': host(**facts)}
    if fits:
        assert place(request(flavor=fl), hosts, **opts)['hosts'] == ['h1']
    else:
        with pytest.raises(NoValidHost, match='^No valid host was found. There are not enough hosts available.'):
            place(request(flavor=fl), hosts, **opts)


def test_boot_from_volume_does_not_ask_for_root_disk():
    hosts = {'h1': host(local_gb=5)}
    assert place(request(flavor=flavor(root_gb=50), boot_from_volume=True), hosts)['hosts'] == ['h1']


def test_the_failure_names_each_host_and_why():
    hosts = {'hv1': host(memory_mb=16384, memory_mb_used=14336), 'hv2': host(enabled=False)}
    with pytest.raises(NoValidHost) as err:
        place(request(flavor=flavor(memory_mb=4096)), hosts)
    msg = str(err.value)
    assert msg.startswith('No valid host was found.')
    assert 'hv1: needs 4096 MB RAM, 2048 MB free of 16384 MB at ratio 1 (512 reserved, 13824 used)' in msg
    assert err.value.trace['placement']['dropped']['hv1'].startswith('needs 4096 MB RAM')


def test_filter_drops_are_explained():
    hosts = {'hv1': host(enabled=False, disabled_reason='draining'), 'hv2': host(unreachable='ssh: timeout')}
    with pytest.raises(NoValidHost) as err:
        place(request(), hosts)
    assert "hv2: no facts (ssh: timeout)" in str(err.value)          # no facts: dropped by Placement
    # a disabled host never reaches ComputeFilter: Placement leaves it out (compute_status_filter)
    assert "compute_status_filter kept 1 of 2 hosts (hv1: disabled: draining)" in str(err.value)


# -- The multi-instance loop ----------------------------------------------------------------------
def test_instances_spread_by_weight_and_consume():
    # Equal hosts: 'a' first (input order); consumed, it loses to 'b'; then both are equal
    # again and the tie keeps the previous instance's weighed order [b, a] (Nova passes each
    # instance the sorted list of the one before), so 'b' again, then 'a'.
    hosts = {'a': host(memory_mb=8192), 'b': host(memory_mb=8192)}
    result = place(request(num_instances=4, flavor=flavor(memory_mb=1024)), hosts)
    assert result['hosts'] == ['a', 'b', 'b', 'a']


def test_fewer_hosts_than_instances_fails_the_whole_request():
    hosts = {'a': host(memory_mb=2560)}                            # room for 2 instances of 1024
    assert place(request(num_instances=2), hosts)['hosts'] == ['a', 'a']
    with pytest.raises(NoValidHost, match='There are not enough hosts available.*instance 3 of 3: no host left'):
        place(request(num_instances=3), hosts)


def test_once_per_request_filters_are_skipped_after_the_first_instance():
    # ComputeCapabilitiesFilter runs once per request: after the first instance consumed the
    # host, num_instances is 1, but the filter is not run again.
    fl = flavor(extra_specs={'num_instances': '<= 0'})
    hosts = {'a': host(memory_mb=8192, num_instances=0)}
    assert place(request(flavor=fl, num_instances=2), hosts, enabled_filters=['ComputeCapabilitiesFilter'])['hosts'] \
        == ['a', 'a']
    # JsonFilter runs for every instance: the second one sees num_instances 1.
    hints = {'query': '["<=", "$num_instances", 0]'}
    with pytest.raises(NoValidHost, match='instance 2 of 2: JsonFilter kept 0 of 1 hosts'):
        place(request(scheduler_hints=hints, num_instances=2), hosts, enabled_filters=['JsonFilter'])


def test_swap_is_not_consumed_from_free_disk():
    # Two hosts equal but for 1 GB of disk; a flavor with only swap: consume_from_request does
    # not take swap off free_disk_mb, so 'a' keeps winning on disk weight.
    hosts = {'a': host(local_gb=101), 'b': host(local_gb=100)}
    result = place(request(flavor=flavor(memory_mb=1, root_gb=0, swap=4096), num_instances=3), hosts,
                   weighers=['DiskWeigher'])
    assert result['hosts'] == ['a', 'a', 'a']
    result = place(request(flavor=flavor(memory_mb=1, root_gb=2), num_instances=2), hosts, weighers=['DiskWeigher'])
    assert result['hosts'] == ['a', 'b']       # root is consumed: 'a' drops to 99 GB


def test_a_full_host_is_still_weighed_but_not_claimed():
    # 'big' has the most free RAM but no vCPU room after the first instance; it stays in the
    # weighed list (Placement refuses the claim), so the next host in weight order is used.
    hosts = {'big': host(memory_mb=32768, vcpus=1, vcpus_used=3), 'small': host(memory_mb=8192)}
    result = place(request(num_instances=2), hosts, weighers=['RAMWeigher'])
    assert result['hosts'] == ['big', 'small']
    assert result['trace']['instances'][1]['claim_failures']['big'].startswith('needs 1 vCPU, 0 vCPUs free')


def test_anti_affinity_spreads_and_fails_when_hosts_run_out():
    hosts = {'a': host(), 'b': host(), 'c': host()}
    req = request(num_instances=3, server_group={'name': 'web', 'policy': 'anti-affinity'},
                  scheduler_hints={'group': 'web'})
    assert sorted(place(req, hosts)['hosts']) == ['a', 'b', 'c']
    req['num_instances'] = 4
    # Each instance is filtered over the hosts the previous one kept: by the 4th, only 'c' is left.
    with pytest.raises(NoValidHost, match="instance 4 of 4: ServerGroupAntiAffinityFilter kept 0 of 1 hosts"):
        place(req, hosts)


def test_anti_affinity_counts_existing_members():
    hosts = {'a': host(instances={'old': {'server_group': 'web'}}), 'b': host()}
    req = request(server_group={'name': 'web', 'policy': 'anti-affinity'})
    assert place(req, hosts)['hosts'] == ['b']


def test_affinity_follows_the_first_pick_and_existing_members():
    hosts = {'a': host(memory_mb=8192), 'b': host(memory_mb=16384)}
    req = request(num_instances=3, server_group={'name': 'db', 'policy': 'affinity'})
    assert place(req, hosts)['hosts'] == ['b', 'b', 'b']
    hosts['a']['instances'] = {'old': {'server_group': 'db'}}
    assert place(req, hosts)['hosts'] == ['a', 'a', 'a']


def test_soft_anti_affinity_prefers_spreading_without_failing():
    hosts = {'a': host(), 'b': host()}
    req = request(num_instances=4, server_group={'name': 'g', 'policy': 'soft-anti-affinity'})
    assert place(req, hosts)['hosts'] == ['a', 'b', 'b', 'a']


# -- Alternates -----------------------------------------------------------------------------------
def test_alternates_are_the_next_unselected_hosts_in_weight_order():
    hosts = {'a': host(memory_mb=4096), 'b': host(memory_mb=16384), 'c': host(memory_mb=8192), 'd': host(memory_mb=2048)}
    result = place(request(), hosts)
    assert result['selections'][0]['host'] == 'b'
    assert result['selections'][0]['alternates'] == ['c', 'a']        # max_attempts 3: two alternates
    # Two instances: alternates come from one more filter-and-weigh pass after both consumed.
    result = place(request(num_instances=2), hosts, max_attempts=5)
    assert result['hosts'] == ['b', 'c']
    assert [s['alternates'] for s in result['selections']] == [['a', 'd'], ['a', 'd']]
    assert place(request(), hosts, max_attempts=1)['selections'][0]['alternates'] == []


def test_alternates_never_include_selected_hosts():
    hosts = {'a': host(), 'b': host(), 'c': host()}
    result = place(request(num_instances=2), hosts)
    for sel in result['selections']:
        assert not set(sel['alternates']) & set(result['hosts'])


# -- Before filtering: destination, ignore, force ---------------------------------------------------
def test_force_hosts_skips_filters_but_not_placement():
    image = {'properties': {'hw_architecture': 'ppc64le'}}             # ImagePropertiesFilter would drop both
    hosts = {'a': host(), 'b': host(memory_mb=32768)}
    assert place(request(force_hosts=['A'], image=image), hosts)['hosts'] == ['a']   # case-insensitive
    with pytest.raises(NoValidHost):
        place(request(force_hosts=['a'], flavor=flavor(memory_mb=10 ** 6)), hosts)
    with pytest.raises(NoValidHost, match='no host matched force_hosts'):
        place(request(force_hosts=['zzz']), hosts)


@pytest.mark.parametrize('forced', [{'force_hosts': ['a']}, {'availability_zone': 'nova:a'}])
def test_a_forced_disabled_host_is_no_valid_host_as_in_nova_34(forced):
    # nova/scheduler/request_filter.py compute_status_filter: the COMPUTE_STATUS_DISABLED trait
    # keeps a disabled host out of Placement's answer, so forcing it cannot select it.
    hosts = {'a': host(enabled=False, disabled_reason='maintenance'), 'b': host()}
    with pytest.raises(NoValidHost) as err:
        place(request(**forced), hosts)
    assert err.value.trace['request_filters'][-1] == {
        'name': 'compute_status_filter', 'in': 2, 'out': 1, 'dropped': {'a': 'disabled: maintenance'}}


def test_availability_zone_with_a_host_forces_it():
    hosts = {'a': host(), 'b': host(memory_mb=32768)}
    assert place(request(availability_zone='nova:a'), hosts)['hosts'] == ['a']


def test_ignore_hosts_and_requested_destination():
    hosts = {'a': host(memory_mb=32768), 'b': host()}
    assert place(request(ignore_hosts=['A']), hosts)['hosts'] == ['b']
    assert place(request(requested_destination={'host': 'b'}), hosts)['hosts'] == ['b']
    with pytest.raises(NoValidHost, match='every host is in ignore_hosts'):
        place(request(ignore_hosts=['a', 'b']), hosts)


# -- Availability zones -----------------------------------------------------------------------------
def test_zone_narrows_to_tagged_aggregates_when_any_is_tagged():
    az1 = [{'name': 'rack1', 'metadata': {'availability_zone': 'az1'}}]
    hosts = {'a': host(memory_mb=32768), 'b': host(aggregates=az1)}
    assert place(request(availability_zone='az1'), hosts)['hosts'] == ['b']
    # 'nova' is the default zone: no aggregate carries it, so no host is excluded (the
    # request filter's semantics; the classic AvailabilityZoneFilter would drop 'b').
    assert place(request(availability_zone='nova'), hosts)['hosts'] == ['a']
    assert place(request(availability_zone='nova'), hosts,
                 enabled_filters=['AvailabilityZoneFilter'])['hosts'] == ['a']
    with pytest.raises(SchedulerError, match="request.availability_zone 'az9' is not available; zones: az1, nova"):
        place(request(availability_zone='az9'), hosts)


# -- Determinism, ties, subset --------------------------------------------------------------------
def test_ties_keep_the_input_order():
    hosts = {'c': host(), 'a': host(), 'b': host()}
    assert place(request(), hosts)['hosts'] == ['c']
    assert place(request(num_instances=3), hosts)['hosts'] == ['c', 'a', 'b']


def test_host_subset_size_is_reproducible_with_a_seed():
    hosts = {n: host() for n in 'abcdef'}
    first = place(request(num_instances=5), hosts, host_subset_size=3, random_seed=7)['hosts']
    assert first == place(request(num_instances=5), hosts, host_subset_size=3, random_seed=7)['hosts']


def test_policy_without_its_filter_is_an_error():
    req = request(server_group={'name': 'g', 'policy': 'affinity'})
    with pytest.raises(SchedulerError, match="policy 'affinity' needs ServerGroupAffinityFilter"):
        place(req, {'a': host()}, enabled_filters=['ComputeFilter'])
    req = request(server_group={'name': 'g', 'policy': 'soft-affinity'})
    with pytest.raises(SchedulerError, match="needs ServerGroupSoftAffinityWeigher"):
        place(req, {'a': host()}, weighers=['RAMWeigher'])


# -- Bad input: one clear error naming the field, before any work --------------------------------------
@pytest.mark.parametrize('req, opts, hosts, message', [
    ({}, {}, None, r'request.flavor is required'),
    ({'flavor': 'm1.small'}, {}, None, r'request.flavor must be a dict'),
    ({'flavor': {'memory_mb': 1}}, {}, None, r'request.flavor.vcpus is required'),
    ({'flavor': dict(FLAVOR, vcpus=0)}, {}, None, r'request.flavor.vcpus must be at least 1, got 0'),
    ({'flavor': dict(FLAVOR, root_gb=-1)}, {}, None, r'request.flavor.root_gb must be at least 0, got -1'),
    ({'flavor': dict(FLAVOR, memory_mb='lots')}, {}, None, r"request.flavor.memory_mb must be an integer, got 'lots'"),
    ({'flavor': dict(FLAVOR, swap=1.5)}, {}, None, r'request.flavor.swap must be an integer'),
    (dict(request(), num_instances=0), {}, None, r'request.num_instances must be at least 1'),
    (dict(request(), instance_uuids=['a', 'a'], num_instances=2), {}, None, r'request.instance_uuids must hold'),
    (dict(request(), colour='red'), {}, None, r'unknown request field\(s\) colour'),
    (dict(request(), scheduler_hints={'query': '[">=", "$free_ram_mb"'}), {}, None,
     r'request.scheduler_hints.query is not valid JSON'),
    (dict(request(), scheduler_hints={'query': ['~=', '$free_ram_mb', 1]}), {}, None,
     r"request.scheduler_hints.query has the unknown operator '~='"),
    (dict(request(), scheduler_hints={'query': {'op': '='}}), {}, None, r'request.scheduler_hints.query must be a list'),
    (dict(request(), scheduler_hints={'same_host': 5}), {}, None, r'request.scheduler_hints.same_host must be'),
    (dict(request(), scheduler_hints={'jmespath': 'a[?'}), {}, None, r'request.scheduler_hints.jmespath is not a valid JMESPath expression'),
    (dict(request(), scheduler_hints={'group': 'g'}), {}, None, r'request.server_group is required'),
    (dict(request(), server_group={'name': 'g', 'policy': 'spread'}), {}, None, r'request.server_group.policy must be'),
    (dict(request(), server_group={'name': 'g', 'policy': 'anti-affinity', 'rules': {'max_server_per_host': 0}}), {},
     None, r'request.server_group.rules.max_server_per_host must be at least 1'),
    (dict(request(), image={'properties': {'img_hv_requested_version': 'new'}}), {}, None,
     r'request.image.properties.img_hv_requested_version is not a version predicate'),
    (request(), {'enabled_filters': ['ComputeFilter', 'RamFilter']}, None,
     r'options.enabled_filters has unknown filter\(s\) RamFilter'),
    (request(), {'weighers': ['RAMWeigher', 'GPUWeigher']}, None, r'options.weighers has unknown weigher\(s\) GPUWeigher'),
    (request(), {'host_subset_size': 0}, None, r'options.host_subset_size must be an integer of at least 1'),
    (request(), {'cpu_allocation_ratio': -1}, None, r'options.cpu_allocation_ratio must be greater than 0'),
    (request(), {'max_atempts': 3}, None, r'unknown option\(s\) max_atempts'),
    (request(), {}, {'a': {'vcpus': -2, 'memory_mb': 1}}, r"hosts\['a'\].vcpus must be an integer"),
    (request(), {}, {'a': 'hv1'}, r"hosts\['a'\] must be a dict"),
    (request(), {}, ['a'], r'hosts must map host names'),
])
def test_bad_input(req, opts, hosts, message):
    with pytest.raises(SchedulerError, match='^select_hosts: ' + message):
        place(req, hosts if hosts is not None else {'a': host()}, **opts)


def test_trace_counts_every_filter():
    hosts = {'a': host(), 'b': host(forced_down=True), 'c': host(supported_instances=[['aarch64', 'qemu', 'hvm']])}
    result = place(request(image={'id': 'i', 'properties': {'hw_architecture': 'x86_64'}}), hosts)
    filters = result['trace']['instances'][0]['filters']
    assert [(f['name'], f['in'], f['out']) for f in filters] == [('ComputeFilter', 3, 2), ('ImagePropertiesFilter', 2, 1)]
    assert filters[1]['dropped'] == {'c': 'image needs x86_64/*/* , host offers aarch64/qemu/hvm'.replace(' ,', ',')}


def test_hosts_given_with_nova_host_state_names():
    # Nova's HostState names, with free figures only: Placement's used figures come from them.
    nova_style = {'vcpus_total': 8, 'vcpus_used': 2, 'total_usable_ram_mb': 16384, 'free_ram_mb': 3000,
                  'total_usable_disk_gb': 100, 'free_disk_gb': 50, 'reserved_host_memory_mb': 512}
    hosts = {'a': nova_style, 'b': host(memory_mb=16384, memory_mb_used=16384 - 3000 + 1024)}
    result = place(request(flavor=flavor(memory_mb=2488)), hosts)
    assert result['hosts'] == ['a']                       # 'b' has 1024 MB less free
    assert result['trace']['placement']['out'] == 1       # 'b': 2488 > 1976 free
    # free_ram_mb already counts reserved memory as used, so Placement's room is exactly it
    assert place(request(flavor=flavor(memory_mb=3000)), {'a': nova_style})['hosts'] == ['a']
    with pytest.raises(NoValidHost, match=r'a: needs 3001 MB RAM, 3000 MB free of 16384 MB'):
        place(request(flavor=flavor(memory_mb=3001)), {'a': nova_style})
    assert place(request(flavor=flavor(root_gb=50)), {'a': nova_style})['hosts'] == ['a']
    with pytest.raises(NoValidHost, match=r'a: needs 51 GB disk, 50 GB free'):
        place(request(flavor=flavor(root_gb=51)), {'a': nova_style})


def test_min_count_places_as_many_as_fit():
    hosts = {'a': host(), 'b': host(), 'c': host()}
    req = request(num_instances=5, min_count=2, server_group={'name': 'web', 'policy': 'anti-affinity'})
    result = place(req, hosts)
    assert sorted(result['hosts']) == ['a', 'b', 'c']
    assert result['trace']['reduced']['asked'] == 5 and result['trace']['reduced']['placed'] == 3
    req['min_count'] = 4
    with pytest.raises(NoValidHost, match='There are not enough hosts available'):
        place(req, hosts)
    with pytest.raises(SchedulerError, match=r'request.min_count must not be more than num_instances \(5\), got 6'):
        place(dict(req, min_count=6), hosts)
