import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

GiB = 1024 ** 3
SMALL = {'name': 'm1.small', 'id': 2, 'vcpus': 2, 'memory_mb': 2048, 'root_gb': 20}
CATALOG = [SMALL, {'name': 'm1.tiny', 'id': '1', 'vcpus': 1, 'memory_mb': 512, 'root_gb': 1},
           {'name': 'm1.old', 'id': '9', 'vcpus': 1, 'memory_mb': 512, 'disabled': True}]


def flavor(**fields):
    entry = dict(SMALL)
    entry.update(fields)
    return entry


def test_resolve_by_name_then_by_id():
    assert _flavor.resolve(CATALOG, 'm1.tiny')['id'] == '1'
    assert _flavor.resolve(CATALOG, '2')['name'] == 'm1.small'
    assert _flavor.resolve(CATALOG, 2)['name'] == 'm1.small'


def test_defaults_are_novas():
    f = _flavor.resolve(CATALOG, 'm1.small')
    assert (f['ephemeral_gb'], f['swap'], f['rxtx_factor'], f['is_public'], f['disabled']) == (0, 0, 1.0, True, False)
    assert f['guest']['cpu_topology'] == {'sockets': 2, 'cores': 1, 'threads': 1}


@pytest.mark.parametrize('catalog, wanted, message', [
    (CATALOG, 'm1.huge', "flavor 'm1.huge' not found; known: m1.small, m1.tiny, m1.old"),
    (CATALOG, 'm1.old', "flavor 'm1.old' is disabled"),
    ([SMALL, SMALL], 'm1.small', 'novalite_flavors has the name(s) m1.small more than once'),
    ('m1.small', 'm1.small', 'catalog must be a list'),
])
def test_resolve_errors(catalog, wanted, message):
    with pytest.raises(InvalidInput, match='^' + message.replace('(', r'\(').replace(')', r'\)')):
        _flavor.resolve(catalog, wanted)


@pytest.mark.parametrize('fields, message', [
    ({'name': 'a<b'}, "novalite_flavors[0].name 'a<b' is not a valid flavor name"),
    ({'name': 'x/y'}, "novalite_flavors[0].name 'x/y' is not a valid flavor name"),
    ({'name': ''}, "novalite_flavors[0].name '' is not a valid flavor name"),
    ({'colour': 'red'}, 'novalite_flavors[0] has unknown field(s) colour'),
    ({'vcpus': 0}, "flavor 'm1.small': vcpus must be at least 1, got 0"),
    ({'memory_mb': -5}, "flavor 'm1.small': memory_mb must be at least 1, got -5"),
    ({'root_gb': 'big'}, "flavor 'm1.small': root_gb must be an integer, got 'big'"),
    ({'swap': True}, "flavor 'm1.small': swap must be an integer, got True"),
    ({'ephemeral_gb': 1.5}, "flavor 'm1.small': ephemeral_gb must be an integer, got 1.5"),
    ({'rxtx_factor': 0}, "flavor 'm1.small': rxtx_factor must be a number greater than 0"),
    ({'is_public': 'maybe'}, "flavor 'm1.small': is_public must be a boolean"),
    ({'extra_specs': ['a']}, "flavor 'm1.small': extra_specs must be a dict"),
    ({'extra_specs': {'hw:cpu_policy': 'greedy'}}, "flavor 'm1.small': extra_specs 'hw:cpu_policy' must be one of"),
    ({'extra_specs': {'hw:mem_page_size': 'huge'}}, "flavor 'm1.small': extra_specs 'hw:mem_page_size' must be small"),
    ({'extra_specs': {'hw:watchdog_action': 'explode'}}, "flavor 'm1.small': extra_specs 'hw:watchdog_action'"),
    ({'extra_specs': {'hw_rng:allowed': 'perhaps'}}, "flavor 'm1.small': extra_specs 'hw_rng:allowed' must be a boolean"),
    ({'extra_specs': {'quota:cpu_shares': '-1'}}, "flavor 'm1.small': extra_specs 'quota:cpu_shares' must be at least 0"),
    ({'extra_specs': {'quota:cpu_period': '10'}}, "flavor 'm1.small': extra_specs 'quota:cpu_period' must be at least 1000"),
    ({'extra_specs': {'quota:cpu_quota': '5'}}, "flavor 'm1.small': extra_specs 'quota:cpu_quota' must be -1 or between"),
    ({'extra_specs': {'quota:disk_read_bytes_sec': 'fast'}}, "extra_specs 'quota:disk_read_bytes_sec' must be an integer"),
    ({'extra_specs': {'quota:vif_inbound_average': '-2'}}, "extra_specs 'quota:vif_inbound_average' must be at least 0"),
    ({'extra_specs': {'quota:bogus': '1'}}, "extra_specs 'quota:bogus' is not a quota novalite knows"),
    ({'extra_specs': {'trait:HW_CPU_X86_AVX2': 'please'}}, "extra_specs 'trait:HW_CPU_X86_AVX2' must be required or"),
    ({'extra_specs': {'hw:cpu_cores': '0'}}, "extra_specs 'hw:cpu_cores' must be at least 1"),
    ({'extra_specs': {'hw:cpu_cores': '3'}}, 'extra_specs hw:cpu_sockets/cores/threads cores=3 cannot make 2 vCPUs'),
    ({'vcpus': 8, 'extra_specs': {'hw:cpu_sockets': '2', 'hw:cpu_cores': '2', 'hw:cpu_threads': '1'}},
     'cannot make 8 vCPUs'),
    ({'extra_specs': {'resources:VCPU': 'x'}}, "extra_specs 'resources:VCPU' must be an integer"),
    ({'extra_specs': {'hw:cpu_policy': None}}, "extra_specs 'hw:cpu_policy' must be a string"),
])
def test_validation_errors_name_the_field(fields, message):
    with pytest.raises(InvalidInput) as err:
        _flavor.validate(flavor(**fields), 0)
    assert str(err.value).startswith(message) or message in str(err.value)


@pytest.mark.parametrize('vcpus, specs, topology', [
    (4, {}, {'sockets': 4, 'cores': 1, 'threads': 1}),
    (4, {'hw:cpu_cores': '2'}, {'sockets': 2, 'cores': 2, 'threads': 1}),
    (4, {'hw:cpu_sockets': '1'}, {'sockets': 1, 'cores': 4, 'threads': 1}),
    (8, {'hw:cpu_threads': '2'}, {'sockets': 4, 'cores': 1, 'threads': 2}),
    (8, {'hw:cpu_sockets': '2', 'hw:cpu_cores': '2'}, {'sockets': 2, 'cores': 2, 'threads': 2}),
    (8, {'hw:cpu_sockets': '2', 'hw:cpu_cores': '2', 'hw:cpu_threads': '2'}, {'sockets': 2, 'cores': 2, 'threads': 2}),
])
def test_cpu_topology(vcpus, specs, topology):
    assert _flavor.cpu_topology(vcpus, specs, 'f') == topology


def test_guest_tuning_and_pass_through():
    specs = {'quota:cpu_shares': 2048, 'quota:cpu_period': '100000', 'quota:cpu_quota': '-1',
             'quota:disk_total_iops_sec': '500', 'quota:vif_outbound_peak': '1000', 'hw:cpu_policy': 'dedicated',
             'hw:mem_page_size': '2048', 'hw:watchdog_action': 'reset', 'hw_rng:allowed': 'True',
             'trait:HW_CPU_X86_AVX2': 'required', 'capabilities:hypervisor_type': 'QEMU',
             'aggregate_instance_extra_specs:ssd': 'true', 'vendor:anything': 'kept', 'hw:extra': True}
    f = _flavor.validate(flavor(extra_specs=specs))
    g = f['guest']
    assert g['cputune'] == {'shares': 2048, 'period': 100000, 'quota': -1}
    assert g['disk_iotune'] == {'disk_total_iops_sec': 500} and g['vif_bandwidth'] == {'vif_outbound_peak': 1000}
    assert (g['cpu_policy'], g['mem_page_size'], g['watchdog_action'], g['rng_allowed']) == ('dedicated', '2048', 'reset', True)
    assert g['traits'] == {'HW_CPU_X86_AVX2': 'required'}
    assert f['extra_specs']['vendor:anything'] == 'kept' and f['extra_specs']['quota:cpu_shares'] == '2048'
    assert f['extra_specs']['hw:extra'] == 'true'


@pytest.mark.parametrize('fields, bfv, expected', [
    ({}, False, {'VCPU': 2, 'MEMORY_MB': 2048, 'DISK_GB': 20}),
    ({'ephemeral_gb': 5, 'swap': 1025}, False, {'VCPU': 2, 'MEMORY_MB': 2048, 'DISK_GB': 27}),
    ({'ephemeral_gb': 5}, True, {'VCPU': 2, 'MEMORY_MB': 2048, 'DISK_GB': 5}),
])
def test_resources(fields, bfv, expected):
    assert _flavor.resources(_flavor.validate(flavor(**fields)), bfv) == expected


@pytest.mark.parametrize('fields, image, virtual_size, bfv, message', [
    ({}, {'min_ram': 4096}, None, False, "Flavor's memory is too small for requested image."),
    ({}, {'min_disk': 21}, None, False, "Flavor's disk is smaller than the minimum size specified in image metadata. "
                                        "Flavor disk is %d bytes, minimum size is %d bytes." % (20 * GiB, 21 * GiB)),
    ({}, {}, 20 * GiB + 1, False, "Flavor's disk is too small for requested image. Flavor disk is %d bytes, image is "
                                  "%d bytes." % (20 * GiB, 20 * GiB + 1)),
    ({}, {'min_ram': 2048, 'min_disk': 20}, 20 * GiB, False, None),
    ({'root_gb': 0}, {'min_disk': 50}, 100 * GiB, False, None),     # root_gb 0: the image's own size
    ({}, {'min_disk': 50}, 100 * GiB, True, None),                  # boot from volume: no local root
    ({}, {'min_ram': 4096}, None, True, "Flavor's memory is too small"),
])
def test_check_image(fields, image, virtual_size, bfv, message):
    f = _flavor.validate(flavor(**fields))
    if message is None:
        _flavor.check_image(f, image, virtual_size, bfv)
    else:
        with pytest.raises(InvalidInput) as err:
            _flavor.check_image(f, image, virtual_size, bfv)
        assert str(err.value).startswith(message)
