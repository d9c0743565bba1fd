import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _resource_tracker as rt

GiB = 1024 ** 3
CAPS = ("<capabilities><host><cpu><arch>x86_64</arch></cpu></host><guest><os_type>hvm</os_type>"
        "<arch name='x86_64'><domain type='qemu'/></arch></guest></capabilities>")
NODE = {'hostname': 'hv1', 'uri': 'qemu:///system', 'hypervisor_type': 'QEMU', 'hypervisor_version': 7002022,
        'libvirt_version': 9000000, 'memory_mb': 16384, 'vcpus': 8, 'capabilities_xml': CAPS}
POOL = {'active': True, 'capacity': 100 * GiB + 5, 'available': 80 * GiB, 'allocation': 0, 'autostart': True, 'xml': ''}
RESERVED = {'reserved_host_memory_mb': 512, 'reserved_host_disk_mb': 0, 'reserved_host_cpus': 0}


def managed(uuid, vcpus=1, memory_mb=512, root_gb=10, ephemeral_gb=0, swap=0, **fields):
    record = dict(uuid=uuid, name=uuid, vm_state='active',
                  flavor=dict(name='f', vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
                              ephemeral_gb=ephemeral_gb, swap=swap))
    record.update(fields)
    xml = '<domain><name>%s</name><metadata>%s</metadata><memory>1</memory><vcpu>99</vcpu></domain>' % (
        uuid, _instance_record.to_xml(record))
    return {'name': uuid, 'uuid': uuid, 'active': True, 'xml': xml, 'disk_capacities': {}}


def foreign(uuid, vcpus=2, memory='<memory unit="KiB">262144</memory>', capacities=None, active=True):
    xml = '<domain><name>%s</name>%s<vcpu>%d</vcpu></domain>' % (uuid, memory, vcpus)
    return {'name': uuid, 'uuid': uuid, 'active': active, 'xml': xml, 'disk_capacities': capacities or {}}


def state(domains, reserved=None, pool='default'):
    pool = POOL if pool == 'default' else pool
    return rt.host_state(NODE, pool, domains, reserved or RESERVED, '2026-11-21T00:00:00Z')


def test_empty_host_counts_only_reserved():
    s = state([])
    assert (s['vcpus'], s['vcpus_used'], s['memory_mb'], s['memory_mb_used'], s['free_ram_mb']) == (8, 0, 16384, 512, 15872)
    assert (s['local_gb'], s['local_gb_used'], s['free_disk_gb'], s['disk_available_least']) == (100, 0, 100, 80)
    assert s['num_instances'] == 0 and s['instances'] == {}
    assert s['supported_instances'] == [['x86_64', 'qemu', 'hvm']]


def test_managed_instances_count_by_recorded_flavor_not_domain_xml():
    s = state([managed('a', vcpus=2, memory_mb=2048, root_gb=20, ephemeral_gb=5, swap=1536)])
    assert s['vcpus_used'] == 2            # not the domain's <vcpu>99</vcpu>
    assert s['memory_mb_used'] == 512 + 2048
    assert s['local_gb_used'] == 20 + 5 + 2  # swap 1536 MB rounds up to 2 GiB, as Placement
    assert s['resources']['DISK_GB'] == {'total': 100, 'reserved': 0, 'used': 27}
    assert s['instances']['a']['managed'] is True


def test_boot_from_volume_root_is_not_local_disk():
    s = state([managed('a', root_gb=20, ephemeral_gb=1, boot_from_volume=True)])
    assert s['local_gb_used'] == 1


@pytest.mark.parametrize('memory, expected_mb', [
    ('<memory unit="KiB">262144</memory>', 256),
    ('<memory>262144</memory>', 256),            # libvirt's default unit is KiB
    ('<memory unit="MiB">300</memory>', 300),
    ('<memory unit="GiB">2</memory>', 2048),
    ('<memory unit="KiB">1000</memory>', 1),     # rounds up
    ('', 0),
])
def test_foreign_domain_memory_units(memory, expected_mb):
    assert state([foreign('f', memory=memory)])['instances']['f']['memory_mb'] == expected_mb


def test_foreign_domains_count_by_allocation():
    s = state([foreign('f', vcpus=3, capacities={'vda': 64 * 1024 ** 2, 'vdb': 2 * GiB, 'vdc': None})])
    f = s['instances']['f']
    assert (f['managed'], f['vcpus'], f['memory_mb'], f['disk_gb']) == (False, 3, 256, 3)
    assert s['vcpus_used'] == 3 and s['memory_mb_used'] == 512 + 256 and s['local_gb_used'] == 3


def test_stopped_domains_still_count():
    s = state([foreign('f', active=False)])
    assert s['num_instances'] == 1 and s['vcpus_used'] == 2
    assert s['instances']['f']['vm_state'] == 'stopped'


def test_reserved_amounts_count_as_used_and_show_apart_for_placement():
    s = state([managed('a')], reserved={'reserved_host_memory_mb': 1024, 'reserved_host_disk_mb': 1025,
                                        'reserved_host_cpus': 2})
    assert s['memory_mb_used'] == 1024 + 512
    assert s['vcpus_used'] == 2 + 1
    assert s['local_gb_used'] == 2 + 10   # 1025 MB reserved rounds up to 2 GiB
    assert s['resources']['MEMORY_MB'] == {'total': 16384, 'reserved': 1024, 'used': 512}
    assert s['resources']['VCPU'] == {'total': 8, 'reserved': 2, 'used': 1}


@pytest.mark.parametrize('pool', [None, dict(POOL, active=False)])
def test_missing_or_inactive_pool_has_no_local_disk(pool):
    s = state([], pool=pool)
    assert s['local_gb'] == 0 and s['disk_available_least'] == 0


def test_free_ram_may_go_negative():
    assert state([managed('a', memory_mb=20000)])['free_ram_mb'] == 16384 - 512 - 20000


@pytest.mark.parametrize('fields, io_op', [
    ({'vm_state': 'building'}, True),
    ({'vm_state': 'active', 'task_state': 'rebuilding'}, True),
    ({'vm_state': 'active', 'task_state': 'image_snapshot'}, True),
    ({'vm_state': 'active', 'task_state': 'spawning'}, False),
    ({'vm_state': 'active'}, False),
    ({'vm_state': 'error'}, False),
])
def test_num_io_ops_is_novas_io_workload(fields, io_op):
    assert state([managed('a', **fields)])['num_io_ops'] == int(io_op)


def test_failed_builds_reset_by_a_later_success():
    domains = [
        managed('e1', vm_state='error', created_at='2026-01-01T00:00:00Z'),
        managed('ok', vm_state='active', created_at='2026-01-02T00:00:00Z', launched_at='2026-01-02T00:01:00Z'),
        managed('e2', vm_state='error', created_at='2026-01-03T00:00:00Z'),
        managed('e3', vm_state='error', created_at='2026-01-04T00:00:00Z'),
    ]
    assert state(domains)['failed_builds'] == 2


def test_rolled_back_attempts_count_through_their_markers_until_a_success():
    marker = rt.failed_build_marker('web-1', '2026-01-03T10:20:30Z')
    assert marker == 'failed-build.20260103T102030Z.web-1'
    names = [marker, rt.failed_build_marker('web-2', '2026-01-01T00:00:00Z'), 'web-1_disk', 'failed-build.x']
    times = rt.failed_build_times(names)
    assert times == ['2026-01-01T00:00:00Z', '2026-01-03T10:20:30Z']
    ok = managed('ok', vm_state='active', created_at='2026-01-02T00:00:00Z', launched_at='2026-01-02T00:01:00Z')
    s = rt.host_state(NODE, POOL, [ok], RESERVED, '2026-11-21T00:00:00Z', times)
    assert s['failed_builds'] == 1      # the marker of 01-01 is older than the success of 01-02
    assert rt.host_state(NODE, POOL, [], RESERVED, '2026-11-21T00:00:00Z', times)['failed_builds'] == 2


@pytest.mark.parametrize('flavor, bfv, expected', [
    ({'root_gb': 10, 'ephemeral_gb': 5, 'swap': 0}, False, 15),
    ({'root_gb': 10, 'ephemeral_gb': 0, 'swap': 1}, False, 11),
    ({'root_gb': 10, 'ephemeral_gb': 0, 'swap': 1024}, False, 11),
    ({'root_gb': 10, 'ephemeral_gb': 0, 'swap': 1025}, False, 12),
    ({'root_gb': 10, 'ephemeral_gb': 2, 'swap': 0}, True, 2),
    ({}, False, 0),
])
def test_flavor_disk_gb(flavor, bfv, expected):
    assert _flavor.disk_gb(flavor, bfv) == expected


def test_writable_disk_targets_skip_cdroms_and_readonly():
    xml = """<domain><devices>
      <disk device='disk'><target dev='vda'/></disk>
      <disk device='cdrom'><target dev='hda'/></disk>
      <disk device='disk'><readonly/><target dev='vdb'/></disk>
      <disk><target dev='vdc'/></disk>
    </devices></domain>"""
    assert rt.writable_disk_targets(xml) == ['vda', 'vdc']
