import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.host_state import HostState
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.request_spec import RequestSpec
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import Scheduler

from scheduler_builders import host, request, options


def check(name, facts, req, hostname='h1', **opts):
    """Whether host `facts` passes filter `name` for request `req` (a filter that does not
    apply to the request passes every host, as in Nova)."""
    sched = Scheduler(options(enabled_filters=[name], **opts))
    hs = HostState(hostname, facts, sched.options)
    spec = RequestSpec(req)
    spec.setup_instance_group([hs])
    flt = sched.filters[0]
    if not flt.applies(spec):
        return True
    result = flt.host_passes(hs, spec)
    if not result:
        assert flt.reason(hs, spec)  # every drop is explained
    return result


AZ1 = [{'name': 'rack1', 'metadata': {'availability_zone': 'az1'}}]


@pytest.mark.parametrize('facts, opts, expected', [
    (host(), {}, True),
    (host(enabled=False), {}, False),
    (host(enabled=False, disabled_reason='maintenance'), {}, False),
    (host(forced_down=True), {}, False),
    (host(unreachable='ssh timeout'), {}, False),
    (host(updated='2026-11-21T11:59:00Z'), {}, True),      # 60 s old: still up
    (host(updated='2026-11-21T11:58:59Z'), {}, False),     # 61 s old: down
    (host(updated='2026-11-21T11:00:00Z'), {'service_down_time': None}, True),
    (host(updated=None), {}, True),
])
def test_compute_filter(facts, opts, expected):
    assert check('ComputeFilter', facts, request(), **opts) is expected


@pytest.mark.parametrize('aggregates, az, expected', [
    ([], None, True),
    (AZ1, 'az1', True),
    (AZ1, 'az2', False),
    ([], 'nova', True),                                     # no AZ aggregate: default zone
    ([], 'az1', False),
    ([{'name': 'a', 'metadata': {'availability_zone': 'az1, az2'}}], 'az2', True),   # split on ','
    ([{'name': 'a', 'metadata': {'ssd': 'true'}}], 'nova', True),
    (AZ1, 'nova', False),
])
def test_availability_zone_filter(aggregates, az, expected):
    assert check('AvailabilityZoneFilter', host(aggregates=aggregates), request(availability_zone=az)) is expected


@pytest.mark.parametrize('extra_specs, expected', [
    ({}, True),
    ({'capabilities:hypervisor_type': 'QEMU'}, True),
    ({'capabilities:hypervisor_type': 's== QEMU'}, True),
    ({'capabilities:hypervisor_type': 'xen'}, False),
    ({'capabilities:hypervisor_version': '>= 7000000'}, True),
    ({'capabilities:hypervisor_version': '= 8000000'}, False),
    ({'capabilities:cpu_info:arch': 'x86_64'}, True),
    ({'capabilities:cpu_info:vendor': '<or> Intel <or> AMD'}, True),
    ({'capabilities:cpu_info:maxphysaddr:bits': '>= 40'}, True),
    ({'hw:maxphysaddr_bits': '40'}, True),                  # rewritten to the capability
    ({'hw:maxphysaddr_bits': '52'}, False),
    ({'capabilities:cpu_info:nosuch': 'x'}, False),         # missing capability
    ({'capabilities:num_vm_active': '>= 1'}, True),         # from stats
    ({'num_instances': '<= 0'}, True),                      # bare key naming an attribute is checked
    ({'num_instances': '>= 5'}, False),
    ({'no_such_attribute': 'x'}, True),                     # bare unknown key is ignored
    ({'hw:cpu_policy': 'dedicated'}, True),                 # other namespaces are ignored
])
def test_compute_capabilities_filter(extra_specs, expected):
    facts = host(instances={'u1': {'vm_state': 'active'}})
    facts['num_instances'] = 0
    req = request(flavor=dict(request()['flavor'], extra_specs=extra_specs))
    assert check('ComputeCapabilitiesFilter', facts, req) is expected


SSD = [{'name': 'fast', 'metadata': {'ssd': 'true', 'gen': '3'}}, {'name': 'other', 'metadata': {'gen': '5'}}]


@pytest.mark.parametrize('aggregates, extra_specs, expected', [
    (SSD, {}, True),
    (SSD, {'aggregate_instance_extra_specs:ssd': 'true'}, True),
    (SSD, {'aggregate_instance_extra_specs:ssd': 'false'}, False),
    ([], {'aggregate_instance_extra_specs:ssd': 'true'}, False),
    (SSD, {'ssd': 'true'}, True),                           # bare keys are always checked
    ([], {'ssd': 'true'}, False),
    (SSD, {'aggregate_instance_extra_specs:gen': '>= 4'}, True),   # one of the aggregate values
    (SSD, {'aggregate_instance_extra_specs:gen': '>= 6'}, False),
    (SSD, {'hw:cpu_policy': 'dedicated'}, True),
    ([{'name': 'x', 'metadata': {'ssd': 'false, true'}}], {'ssd': 'true'}, True),
])
def test_aggregate_instance_extra_specs_filter(aggregates, extra_specs, expected):
    req = request(flavor=dict(request()['flavor'], extra_specs=extra_specs))
    assert check('AggregateInstanceExtraSpecsFilter', host(aggregates=aggregates), req) is expected


@pytest.mark.parametrize('props, facts, expected', [
    ({}, {}, True),
    ({'hw_architecture': 'x86_64'}, {}, True),
    ({'hw_architecture': 'AMD64'}, {}, True),               # canonicalised
    ({'hw_architecture': 'aarch64'}, {}, False),
    ({'img_hv_type': 'qemu'}, {}, True),
    ({'img_hv_type': 'xen'}, {}, False),
    ({'hw_vm_mode': 'hvm'}, {}, True),
    ({'hw_vm_mode': 'hv'}, {}, True),
    ({'hw_vm_mode': 'xen'}, {}, False),
    ({'hw_architecture': 'x86_64', 'img_hv_type': 'kvm', 'hw_vm_mode': 'hvm'}, {}, True),
    ({'hw_architecture': 'x86_64'}, {'supported_instances': []}, False),
    ({'img_hv_requested_version': '>=6.0'}, {}, True),     # no arch/hv/mode: nothing checked
    ({'img_hv_type': 'qemu', 'img_hv_requested_version': '>=6.0'}, {}, True),
    ({'img_hv_type': 'qemu', 'img_hv_requested_version': '>=8.0'}, {}, False),
    ({'img_hv_type': 'qemu', 'img_hv_requested_version': '>=8.0'}, {'hypervisor_version': None}, True),
    ({'img_hv_type': 'qemu', 'hw_maxphysaddr_bits': 40}, {}, True),
    ({'img_hv_type': 'qemu', 'hw_maxphysaddr_bits': 52}, {}, False),
])
def test_image_properties_filter(props, facts, expected):
    assert check('ImagePropertiesFilter', host(**facts), request(image={'id': 'img', 'properties': props})) is expected


def test_image_properties_default_architecture():
    facts = host(supported_instances=[['aarch64', 'qemu', 'hvm']])
    assert check('ImagePropertiesFilter', facts, request()) is True
    assert check('ImagePropertiesFilter', facts, request(), image_properties_default_architecture='x86_64') is False


def group_request(policy, rules=None, uuids=None):
    req = request(server_group={'name': 'g', 'policy': policy, 'rules': rules or {}},
                  scheduler_hints={'group': 'g'})
    if uuids:
        req.update(instance_uuids=uuids, num_instances=len(uuids))
    return req


@pytest.mark.parametrize('instances, hostname, expected', [
    ({}, 'h1', True),                                           # first member: anywhere
    ({'m1': {'server_group': 'g'}}, 'h1', True),                # member here: here
])
def test_affinity_filter(instances, hostname, expected):
    assert check('ServerGroupAffinityFilter', host(instances=instances), group_request('affinity'),
                 hostname=hostname) is expected


def test_affinity_filter_rejects_other_hosts():
    sched = Scheduler(options(enabled_filters=['ServerGroupAffinityFilter']))
    h1 = HostState('h1', host(instances={'m1': {'server_group': 'g'}}), sched.options)
    h2 = HostState('h2', host(), sched.options)
    spec = RequestSpec(group_request('affinity'))
    spec.setup_instance_group([h1, h2])
    flt = sched.filters[0]
    assert flt.host_passes(h1, spec) and not flt.host_passes(h2, spec)
    assert 'is on h1' in flt.reason(h2, spec)


@pytest.mark.parametrize('instances, rules, uuids, expected', [
    ({}, {}, None, True),
    ({'m1': {'server_group': 'g'}}, {}, None, False),
    ({'m1': {'server_group': 'g'}}, {'max_server_per_host': 2}, None, True),
    ({'m1': {'server_group': 'g'}, 'm2': {'server_group': 'g'}}, {'max_server_per_host': 2}, None, False),
    ({'m1': {'server_group': 'other'}}, {}, None, True),
    ({'me': {'server_group': 'g'}}, {}, ['me'], True),           # the instance itself is here (moves)
    ({'x': {}}, {}, None, True),
])
def test_anti_affinity_filter(instances, rules, uuids, expected):
    assert check('ServerGroupAntiAffinityFilter', host(instances=instances),
                 group_request('anti-affinity', rules, uuids)) is expected


def test_group_filters_ignore_other_policies():
    facts = host(instances={'m1': {'server_group': 'g'}})
    assert check('ServerGroupAntiAffinityFilter', facts, group_request('soft-anti-affinity'),
                 weighers=None) is True
    assert check('ServerGroupAffinityFilter', facts, group_request('anti-affinity')) is True


@pytest.mark.parametrize('name, hint, expected', [
    ('SameHostFilter', None, True),
    ('SameHostFilter', 'u1', True),
    ('SameHostFilter', ['u9', 'u1'], True),
    ('SameHostFilter', ['u9'], False),
    ('DifferentHostFilter', None, True),
    ('DifferentHostFilter', 'u1', False),
    ('DifferentHostFilter', ['u9', 'u1'], False),
    ('DifferentHostFilter', ['u9'], True),
])
def test_same_and_different_host(name, hint, expected):
    hints = {} if hint is None else {name.replace('HostFilter', '').lower() + '_host': hint}
    assert check(name, host(instances={'u1': {}}), request(scheduler_hints=hints)) is expected


@pytest.mark.parametrize('query, expected', [
    (None, True),
    ('[">=", "$free_ram_mb", 1024]', True),
    ('[">=", "$free_ram_mb", 100000]', False),
    (['<', '$num_instances', 5], True),
    (['and', ['>=', '$free_ram_mb', 1024], ['<', '$num_instances', 5]], True),
    (['and', ['>=', '$free_ram_mb', 1024], ['>', '$num_instances', 5]], False),
    (['or', ['>=', '$free_ram_mb', 10 ** 6], ['=', '$hypervisor_type', 'QEMU']], True),
    (['not', ['=', '$hypervisor_type', 'QEMU']], False),
    (['not', ['=', '$hypervisor_type', 'xen'], ['=', '$hypervisor_type', 'QEMU']], True),   # list: any
    (['in', 'QEMU', 'xen', 'QEMU'], True),
    (['in', '$hypervisor_type', 'xen', 'kvm'], False),
    (['=', '$cpu_info.arch', 'x86_64'], True),              # dotted path into a dict
    (['=', '$cpu_info.nosuch', 'x86_64'], False),           # None dropped: one argument left
    (['=', '$nosuch', 'x'], False),
    (['>=', '$vcpus_total', 8], True),
    ([], True),
])
def test_json_filter(query, expected):
    hints = {} if query is None else {'query': query}
    assert check('JsonFilter', host(), request(scheduler_hints=hints)) is expected


@pytest.mark.parametrize('expression, expected', [
    ("hypervisor_type == 'QEMU'", True),
    ('free_ram_mb > `100000`', False),
    ("contains(cpu_info.features, 'avx2')", True),
    ("contains(cpu_info.features, 'sve')", False),
    ("aggregates[?metadata.ssd == 'true'] | length(@) > `0`", True),
])
def test_jmespath_filter(expression, expected):
    facts = host(aggregates=[{'name': 'a', 'metadata': {'ssd': 'true'}}])
    assert check('JmesPathFilter', facts, request(scheduler_hints={'jmespath': expression})) is expected


@pytest.mark.parametrize('name, facts, opts, expected', [
    ('NumInstancesFilter', {'num_instances': 49}, {}, True),
    ('NumInstancesFilter', {'num_instances': 50}, {}, False),
    ('NumInstancesFilter', {'num_instances': 3}, {'max_instances_per_host': 3}, False),
    ('AggregateNumInstancesFilter', {'num_instances': 3,
                                     'aggregates': [{'name': 'a', 'metadata': {'max_instances_per_host': '5'}},
                                                    {'name': 'b', 'metadata': {'max_instances_per_host': '3'}}]},
     {}, False),                                             # the minimum of the aggregates wins
    ('AggregateNumInstancesFilter', {'num_instances': 3}, {'max_instances_per_host': 4}, True),
    ('IoOpsFilter', {'num_io_ops': 7}, {}, True),
    ('IoOpsFilter', {'num_io_ops': 8}, {}, False),
    ('IoOpsFilter', {'num_io_ops': 0}, {'max_io_ops_per_host': 0}, False),
    ('AggregateIoOpsFilter', {'num_io_ops': 2,
                              'aggregates': [{'name': 'a', 'metadata': {'max_io_ops_per_host': '2'}}]}, {}, False),
    ('AggregateIoOpsFilter', {'num_io_ops': 2,
                              'aggregates': [{'name': 'a', 'metadata': {'max_io_ops_per_host': 'x'}}]}, {}, True),
])
def test_count_filters(name, facts, opts, expected):
    assert check(name, host(**facts), request(), **opts) is expected


@pytest.mark.parametrize('isolated_images, restrict, image, hostname, expected', [
    ([], True, 'img', 'iso', False),
    ([], True, 'img', 'h1', True),
    ([], False, 'img', 'iso', True),
    (['special'], True, 'special', 'iso', True),
    (['special'], True, 'special', 'h1', False),
    (['special'], True, 'img', 'iso', False),
    (['special'], True, 'img', 'h1', True),
    (['special'], False, 'special', 'h1', False),
    (['special'], False, 'img', 'iso', True),
    (['special'], False, 'img', 'h1', True),
])
def test_isolated_hosts_filter(isolated_images, restrict, image, hostname, expected):
    assert check('IsolatedHostsFilter', host(), request(image={'id': image}), hostname=hostname,
                 isolated_hosts=['iso'], isolated_images=isolated_images,
                 restrict_isolated_hosts_to_isolated_images=restrict) is expected
