# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the scheduler knows of one host: Nova's HostState (nova/scheduler/host_manager.py),
built from the novalite_host facts merged with inventory settings, plus the host's Placement
inventory (capacity per resource class), which decides whether an instance fits."""

from __future__ import annotations

import datetime
import math

from ansible_collections.novalite.compute.plugins.module_utils import _placement
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import SchedulerError

RESOURCE_CLASSES = _placement.RESOURCE_CLASSES


class Aggregate(object):
    """A host aggregate: an inventory group with metadata (availability_zone among them)."""

    def __init__(self, name, metadata):
        self.name = name
        self.metadata = metadata

    def __repr__(self):
        return 'Aggregate(%r, %r)' % (self.name, self.metadata)


def _number(host, field, value, integer=False, minimum=None):
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if integer:
        ok = ok and float(value).is_integer()
    if ok and minimum is not None:
        ok = value >= minimum
    if not ok:
        raise SchedulerError("select_hosts: hosts['%s'].%s must be %s, got %r"
                             % (host, field, 'an integer' if integer else 'a number', value)
                             + ('' if minimum is None else ' (at least %s)' % minimum))
    return int(value) if integer else value


def _parse_time(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    text = str(value).replace('Z', '+00:00')
    parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def _aggregates(host, value):
    if value is None:
        return []
    if isinstance(value, dict):
        value = [{'name': k, 'metadata': v} for k, v in value.items()]
    if not isinstance(value, (list, tuple)):
        raise SchedulerError("select_hosts: hosts['%s'].aggregates must be a list of {name, metadata}" % host)
    result = []
    for agg in value:
        if not isinstance(agg, dict) or not isinstance(agg.get('metadata', {}), dict):
            raise SchedulerError("select_hosts: hosts['%s'].aggregates entries must be {name, metadata: dict}, got %r"
                                 % (host, agg))
        # Nova keeps aggregate metadata as strings.
        result.append(Aggregate(agg.get('name'), {str(k): str(v) for k, v in (agg.get('metadata') or {}).items()}))
    return result


# Nova's HostState attribute names, accepted for the host_facts names they stand for.
_HOST_STATE_ALIASES = {'vcpus_total': 'vcpus', 'total_usable_ram_mb': 'memory_mb', 'total_usable_disk_gb': 'local_gb'}


def _with_host_state_names(facts):
    missing = {ours: facts[theirs] for theirs, ours in _HOST_STATE_ALIASES.items() if theirs in facts and ours not in facts}
    if not missing:
        return facts
    merged = dict(facts)
    merged.update(missing)
    return merged


class HostState(object):
    """Nova's HostState names, so filters, weighers and JsonFilter queries read as in Nova."""

    def __init__(self, name, facts, options):
        if not isinstance(facts, dict):
            raise SchedulerError("select_hosts: hosts['%s'] must be a dict (host_facts + inventory), got %s"
                                 % (name, type(facts).__name__))
        facts = _with_host_state_names(facts)
        self.host = name
        self.nodename = facts.get('nodename') or name
        self.facts = facts
        self.uuid = facts.get('uuid')
        self.cell_uuid = None
        self.aggregates = _aggregates(name, facts.get('aggregates'))
        enabled = facts.get('enabled', True)
        self.service = {
            'disabled': not enabled if isinstance(enabled, bool) else str(enabled).lower() in ('false', 'no', '0'),
            'disabled_reason': facts.get('disabled_reason'),
            'forced_down': bool(facts.get('forced_down', False)),
        }
        self.unreachable = facts.get('unreachable')
        self.updated = _parse_time(facts.get('updated'))
        self.limits = {}
        self.metrics = None
        self.numa_topology = None
        self.pci_stats = None
        self.host_ip = facts.get('host_ip')
        self.hypervisor_type = facts.get('hypervisor_type')
        self.hypervisor_version = facts.get('hypervisor_version')
        self.hypervisor_hostname = facts.get('hypervisor_hostname') or facts.get('host') or name
        self.cpu_info = facts.get('cpu_info') or {}
        self.supported_instances = facts.get('supported_instances') or []
        self.instances = dict(facts.get('instances') or {})
        self.has_facts = not self.unreachable and 'vcpus' in facts

        self.cpu_allocation_ratio = self._setting(facts, options, 'cpu_allocation_ratio')
        self.ram_allocation_ratio = self._setting(facts, options, 'ram_allocation_ratio')
        self.disk_allocation_ratio = self._setting(facts, options, 'disk_allocation_ratio')
        self._multiplier_cache = {}
        if not self.has_facts:
            self._no_capacity()
            return

        reserved_cpus = _number(name, 'reserved_host_cpus', self._setting(facts, options, 'reserved_host_cpus'), True, 0)
        reserved_mem = _number(name, 'reserved_host_memory_mb', self._setting(facts, options, 'reserved_host_memory_mb'),
                               True, 0)
        reserved_disk_mb = _number(name, 'reserved_host_disk_mb', self._setting(facts, options, 'reserved_host_disk_mb'),
                                   True, 0)
        self.vcpus_total = _number(name, 'vcpus', facts.get('vcpus'), True, 0)
        self.total_usable_ram_mb = _number(name, 'memory_mb', facts.get('memory_mb'), True, 0)
        self.total_usable_disk_gb = _number(name, 'local_gb', facts.get('local_gb', 0), True, 0)
        # As the resource tracker reports them, reserved amounts count as used. A state given
        # only with free figures gets its used figures from them, and the reverse.
        self.vcpus_used = _number(name, 'vcpus_used', facts.get('vcpus_used', reserved_cpus))
        if 'memory_mb_used' in facts or 'free_ram_mb' not in facts:
            memory_mb_used = _number(name, 'memory_mb_used', facts.get('memory_mb_used', reserved_mem))
        else:
            memory_mb_used = self.total_usable_ram_mb - _number(name, 'free_ram_mb', facts['free_ram_mb'])
        if 'local_gb_used' in facts or 'free_disk_gb' not in facts:
            local_gb_used = _number(name, 'local_gb_used', facts.get('local_gb_used', 0))
        else:
            local_gb_used = self.total_usable_disk_gb - _number(name, 'free_disk_gb', facts['free_disk_gb'])
        self.free_ram_mb = _number(name, 'free_ram_mb', facts.get('free_ram_mb', self.total_usable_ram_mb - memory_mb_used))
        free_disk_gb = _number(name, 'free_disk_gb', facts.get('free_disk_gb', self.total_usable_disk_gb - local_gb_used))
        least = facts.get('disk_available_least')
        if least is not None:
            free_disk_gb = min(_number(name, 'disk_available_least', least), free_disk_gb)
        self.free_disk_mb = free_disk_gb * 1024
        if facts.get('free_disk_mb') is not None:
            self.free_disk_mb = _number(name, 'free_disk_mb', facts['free_disk_mb'])
        self.disk_mb_used = local_gb_used * 1024
        self.num_instances = _number(name, 'num_instances', facts.get('num_instances', len(self.instances)), True, 0)
        self.num_io_ops = _number(name, 'num_io_ops', facts.get('num_io_ops', 0), True, 0)
        self.failed_builds = _number(name, 'failed_builds', facts.get('failed_builds', 0), True, 0)
        self.stats = self._stats(facts)

        # Placement: (total - reserved) * allocation_ratio - used >= requested, requested <= total.
        reported = facts.get('resources') or {}
        reserved_disk_gb = int(math.ceil(reserved_disk_mb / 1024.0))
        used = {
            'VCPU': self.vcpus_used - reserved_cpus,
            'MEMORY_MB': memory_mb_used - reserved_mem,
            'DISK_GB': local_gb_used - reserved_disk_gb,
        }
        totals = {'VCPU': (self.vcpus_total, reserved_cpus, self.cpu_allocation_ratio),
                  'MEMORY_MB': (self.total_usable_ram_mb, reserved_mem, self.ram_allocation_ratio),
                  'DISK_GB': (self.total_usable_disk_gb, reserved_disk_gb, self.disk_allocation_ratio)}
        self.placement = {}
        for rc in RESOURCE_CLASSES:
            total, reserved, ratio = totals[rc]
            entry = reported.get(rc) or {}
            self.placement[rc] = {
                'total': entry.get('total', total),
                'reserved': entry.get('reserved', reserved),
                'used': entry.get('used', used[rc]),
                'allocation_ratio': ratio,
            }

    @staticmethod
    def _setting(facts, options, key):
        value = facts.get(key)
        return options[key] if value is None else value

    def _no_capacity(self):
        self.vcpus_total = self.vcpus_used = self.total_usable_ram_mb = self.total_usable_disk_gb = 0
        self.free_ram_mb = self.free_disk_mb = self.disk_mb_used = 0
        self.num_instances = self.num_io_ops = self.failed_builds = 0
        self.stats = {}
        self.placement = None

    def _stats(self, facts):
        """Nova's compute stats (nova/compute/stats.py) from the instance list."""
        stats = {'num_instances': self.num_instances, 'io_workload': self.num_io_ops,
                 'failed_builds': self.failed_builds}
        for inst in self.instances.values():
            if not isinstance(inst, dict):
                continue
            for prefix, key in (('num_vm_', 'vm_state'), ('num_task_', 'task_state'), ('num_proj_', 'project_id')):
                if inst.get(key) is not None:
                    stats[prefix + str(inst[key])] = stats.get(prefix + str(inst[key]), 0) + 1
        stats.update(facts.get('stats') or {})
        return stats

    # -- Placement ------------------------------------------------------------------------
    def capacity_left(self, rc):
        return _placement.capacity(self.placement[rc]) - self.placement[rc]['used']

    def placement_refusal(self, amounts):
        """Why Placement would refuse `amounts` on this host (None when they fit)."""
        if self.placement is None:
            return 'no facts (%s)' % (self.unreachable if isinstance(self.unreachable, str) else 'unreachable')
        for rc, amount in amounts.items():
            inv = self.placement[rc]
            unit, short = _placement.UNITS[rc]
            why = _placement.refusal(inv, amount)
            if why == 'max_unit':
                return 'needs %s %s, more than the %s %s it has (max_unit)' % (amount, unit, inv['total'], short)
            if why == 'capacity':
                free = self.capacity_left(rc)
                return ('needs %s %s, %s %s free of %s %s at ratio %s (%s reserved, %s used)'
                        % (amount, unit, _fmt(free), short, inv['total'], short, _fmt(inv['allocation_ratio']),
                           inv['reserved'], _fmt(inv['used'])))
        return None

    def placement_claim(self, amounts):
        for rc, amount in amounts.items():
            self.placement[rc]['used'] += amount

    # -- Nova's consume_from_request --------------------------------------------------------
    def consume_from_request(self, spec):
        self.free_ram_mb -= spec.memory_mb
        self.free_disk_mb -= (spec.root_gb + spec.ephemeral_gb) * 1024   # swap is not consumed
        self.vcpus_used += spec.vcpus
        self.num_instances += 1
        self.num_io_ops += 1

    def multiplier(self, name, default):
        """A weigher multiplier: the minimum over the host's aggregates that set it, else the
        option (nova/scheduler/utils.py get_weight_multiplier)."""
        if name not in self._multiplier_cache:
            values = {agg.metadata[name] for agg in self.aggregates if name in agg.metadata}
            try:
                value = min(float(v) for v in values) if values else default
            except ValueError:
                value = default
            self._multiplier_cache[name] = value
        return self._multiplier_cache[name]

    def aggregate_metadata(self, key=None):
        """nova/scheduler/filters/utils.py aggregate_metadata_get_by_host: values split on ','."""
        metadata = {}
        for agg in self.aggregates:
            if key is None or key in agg.metadata:
                for k, v in agg.metadata.items():
                    metadata.setdefault(k, set()).update(x.strip() for x in v.split(','))
        return metadata

    def __repr__(self):
        return '(%s, %s) ram: %sMB disk: %sMB io_ops: %s instances: %s' % (
            self.host, self.nodename, self.free_ram_mb, self.free_disk_mb, self.num_io_ops, self.num_instances)


def _fmt(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
