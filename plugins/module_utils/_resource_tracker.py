# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource tracker: a hypervisor's capacity and usage, as Nova's compute host reports
it (nova/compute/resource_tracker.py, nova/compute/stats.py), computed from what libvirt
says. Pure: the host_facts module gathers the inputs, this decides what they mean.

Usage of our own instances comes from the flavor recorded in their instance record, as in
Nova; a foreign domain (not created by novalite) counts by what libvirt has given it: its
vCPUs, its memory and the virtual size of its writable disks.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils import _capabilities
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils import _names

GiB = 1024 ** 3
_MEMORY_UNITS = {'b': 1, 'bytes': 1, 'kb': 1000, 'k': 1024, 'kib': 1024, 'mb': 1000 ** 2, 'm': 1024 ** 2,
                 'mib': 1024 ** 2, 'gb': 1000 ** 3, 'g': GiB, 'gib': GiB, 'tb': 1000 ** 4, 't': 1024 ** 4,
                 'tib': 1024 ** 4}


def writable_disk_targets(domain_xml):
    """Target device names of a domain's writable disks (not cdroms, not read-only)."""
    targets = []
    for disk in ET.fromstring(domain_xml).findall('devices/disk'):
        if disk.get('device', 'disk') not in ('disk', 'lun') or disk.find('readonly') is not None:
            continue
        target = disk.find('target')
        if target is not None and target.get('dev'):
            targets.append(target.get('dev'))
    return targets


def _memory_mb(domain_root):
    el = domain_root.find('memory')
    if el is None or not el.text:
        return 0
    unit = (el.get('unit') or 'KiB').lower()
    return int(math.ceil(int(el.text) * _MEMORY_UNITS.get(unit, 1024) / float(1024 ** 2)))


def instance_usage(domain):
    """One domain's entry in the host's instance list, with what it consumes.

    `domain`: {'name', 'uuid', 'active', 'xml', 'disk_capacities': {target: bytes or None}}.
    """
    record = _instance_record.from_domain_xml(domain['xml'])
    entry = {'name': domain['name'], 'uuid': domain['uuid'], 'active': domain['active']}
    if record is not None:
        flavor = record.get('flavor') or {}
        entry.update({
            'managed': True,
            'name': record.get('name') or domain['name'],
            'flavor': flavor.get('name'),
            'vcpus': int(flavor.get('vcpus') or 0),
            'memory_mb': int(flavor.get('memory_mb') or 0),
            'disk_gb': _flavor.disk_gb(flavor, record.get('boot_from_volume', False)),
            'vm_state': record.get('vm_state'),
            'task_state': record.get('task_state') or None,
            'server_group': record.get('server_group') or None,
            'project_id': record.get('project_id') or None,
            'created_at': record.get('created_at'),
            'launched_at': record.get('launched_at') or None,
            # What a move schedules it with again (Nova's RequestSpec): plugin_utils/migration.py.
            'flavor_spec': {k: flavor.get(k) for k in ('name', 'id', 'vcpus', 'memory_mb', 'root_gb',
                                                       'ephemeral_gb', 'swap', 'extra_specs') if k in flavor},
            'image_id': (record.get('image') or {}).get('id') or None,
            'availability_zone': record.get('availability_zone') or None,
            'boot_from_volume': bool(record.get('boot_from_volume')),
            'server_group_policy': record.get('server_group_policy') or None,
            'server_group_max_per_host': record.get('server_group_max_per_host') or None,
            'networks': sorted({p.get('network') for p in record.get('ports') or [] if p.get('network')}),
            'migration': _migration.open_migration(record),
            'last_migration': (record.get('migrations') or [None])[-1],
        })
        return entry
    root = ET.fromstring(domain['xml'])
    capacities = domain.get('disk_capacities') or {}
    disk_bytes = sum(size for size in capacities.values() if size)
    entry.update({
        'managed': False,
        'flavor': None,
        'vcpus': int(root.findtext('vcpu') or 1),
        'memory_mb': _memory_mb(root),
        'disk_gb': int(math.ceil(disk_bytes / float(GiB))),
        'vm_state': 'active' if domain['active'] else 'stopped',
        'task_state': None,
        'server_group': None,
        'project_id': None,
    })
    return entry


def _is_io_op(entry):
    return entry['vm_state'] == 'building' or entry.get('task_state') in _instance_record.IO_WORKLOAD_TASK_STATES


# A failed build attempt that was rolled back leaves no instance record; the host remembers it
# as an empty volume of its instances pool named FAILED_BUILD_PREFIX + time + instance name.
FAILED_BUILD_PREFIX = _names.FAILED_BUILD_PREFIX
failed_build_marker = _names.failed_build_marker


def failed_build_times(volume_names):
    """The times (UTC ISO) of the failed-build markers among a pool's volume names."""
    return sorted(t for t in (_names.parse_marker_time(n) for n in volume_names) if t)


def last_success(entries):
    return max((e['launched_at'] for e in entries if e['managed'] and e.get('launched_at')), default='')


def failed_builds(entries, markers=()):
    """Builds that failed since the host's last successful one (Nova counts every FAILED or
    RESCHEDULED build and resets the counter on success, nova/compute/stats.py): records in
    error, and the markers of attempts that were rolled back."""
    since = last_success(entries)
    errors = sum(1 for e in entries if e['managed'] and e['vm_state'] == 'error' and (e.get('created_at') or '') > since)
    return errors + sum(1 for when in markers if when > since)


def host_state(node, instances_pool, domains, reserved, updated, failed_build_markers=()):
    """The host state the scheduler works on, with Nova's HostState names.

    node: Hypervisor.node(); instances_pool: pool_state() of the instances pool or None;
    domains: see instance_usage(); reserved: reserved_host_memory_mb, reserved_host_disk_mb,
    reserved_host_cpus (Nova's compute-node settings); updated: when this was read (UTC ISO);
    failed_build_markers: failed_build_times() of the instances pool.
    """
    caps = node['capabilities_xml']
    entries = [instance_usage(d) for d in domains]
    used = {
        'VCPU': sum(e['vcpus'] for e in entries),
        'MEMORY_MB': sum(e['memory_mb'] for e in entries),
        'DISK_GB': sum(e['disk_gb'] for e in entries),
    }
    local_gb = instances_pool['capacity'] // GiB if instances_pool and instances_pool['active'] else 0
    disk_available_least = instances_pool['available'] // GiB if instances_pool and instances_pool['active'] else 0
    reserved_cpus = int(reserved['reserved_host_cpus'])
    reserved_memory_mb = int(reserved['reserved_host_memory_mb'])
    reserved_disk_gb = int(math.ceil(int(reserved['reserved_host_disk_mb']) / 1024.0))
    # As the resource tracker: reserved amounts count as used (not multiplied by any ratio).
    vcpus_used = reserved_cpus + used['VCPU']
    memory_mb_used = reserved_memory_mb + used['MEMORY_MB']
    local_gb_used = reserved_disk_gb + used['DISK_GB']
    return {
        'host': node['hostname'],
        'uri': node['uri'],
        'updated': updated,
        'hypervisor_hostname': node['hostname'],
        'hypervisor_type': node['hypervisor_type'],
        'hypervisor_version': node['hypervisor_version'],
        'libvirt_version': node['libvirt_version'],
        'virt_types': _capabilities.virt_types(caps),
        'cpu_info': _capabilities.cpu_info(caps),
        'supported_instances': _capabilities.supported_instances(caps),
        'vcpus': node['vcpus'],
        'vcpus_used': vcpus_used,
        'memory_mb': node['memory_mb'],
        'memory_mb_used': memory_mb_used,
        'free_ram_mb': node['memory_mb'] - memory_mb_used,
        'local_gb': local_gb,
        'local_gb_used': local_gb_used,
        'free_disk_gb': local_gb - local_gb_used,
        'disk_available_least': disk_available_least,
        'reserved_host_cpus': reserved_cpus,
        'reserved_host_memory_mb': reserved_memory_mb,
        'reserved_host_disk_mb': int(reserved['reserved_host_disk_mb']),
        # Placement's view of the same figures: capacity per resource class, reserved apart.
        'resources': {
            'VCPU': {'total': node['vcpus'], 'reserved': reserved_cpus, 'used': used['VCPU']},
            'MEMORY_MB': {'total': node['memory_mb'], 'reserved': reserved_memory_mb, 'used': used['MEMORY_MB']},
            'DISK_GB': {'total': local_gb, 'reserved': reserved_disk_gb, 'used': used['DISK_GB']},
        },
        'num_instances': len(entries),
        'num_io_ops': sum(1 for e in entries if _is_io_op(e)),
        'failed_builds': failed_builds(entries, failed_build_markers),
        'instances': {e['uuid']: e for e in entries},
    }
