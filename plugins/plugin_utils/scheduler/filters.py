# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host filters with Nova's exact logic (nova/scheduler/filters/*.py). Each is one small
class: `host_passes(host, spec)` decides, `reason(host, spec)` explains a drop for the trace,
`applies(spec)` lets the handler skip a filter that cannot drop anything for this request.
Filters never change host state and read no global configuration: their settings come in
the options given at construction."""

from __future__ import annotations

import datetime
import json
import operator

from ansible_collections.novalite.compute.plugins.module_utils._capabilities import (
    canonical_arch, canonical_hv_type, canonical_vm_mode)
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import extra_specs_ops
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import versions

try:
    import jmespath
except ImportError:  # only the JmesPathFilter needs it
    jmespath = None


class BaseHostFilter(object):
    run_filter_once_per_request = False
    RUN_ON_REBUILD = False

    def __init__(self, options):
        self.options = options

    @property
    def name(self):
        return type(self).__name__

    def run_filter_for_index(self, index):
        """Once-per-request filters only run for the first instance (nova/filters.py)."""
        return not (self.run_filter_once_per_request and index > 0)

    def applies(self, spec):
        """False when every host would pass this filter for this request."""
        if not self.RUN_ON_REBUILD and spec.get_scheduler_hint('_nova_check_type') == 'rebuild':
            return False
        return True

    def host_passes(self, host, spec):
        raise NotImplementedError

    def reason(self, host, spec):
        return 'rejected by %s' % self.name


class ComputeFilter(BaseHostFilter):
    """The host is enabled and up: not disabled in the inventory, not forced down, its facts
    were gathered (not unreachable) and are newer than service_down_time."""
    run_filter_once_per_request = True

    def _down_because(self, host):
        if host.service['forced_down']:
            return 'forced down'
        if host.unreachable:
            return 'unreachable%s' % (': %s' % host.unreachable if isinstance(host.unreachable, str) else '')
        limit = self.options['service_down_time']
        if limit is not None and host.updated is not None:
            now = self.options.get('_now')
            age = abs((now - host.updated).total_seconds())
            if age > limit:
                return 'facts are %d s old (service_down_time %s s)' % (age, limit)
        return None

    def host_passes(self, host, spec):
        return not host.service['disabled'] and self._down_because(host) is None

    def reason(self, host, spec):
        if host.service['disabled']:
            return 'disabled%s' % (': %s' % host.service['disabled_reason'] if host.service['disabled_reason'] else '')
        return 'down: %s' % self._down_because(host)


class AvailabilityZoneFilter(BaseHostFilter):
    """Classic aggregate-metadata semantics (removed from Nova in 28.0.0; see docs)."""
    run_filter_once_per_request = True

    def applies(self, spec):
        return bool(spec.availability_zone) and super().applies(spec)

    def _zones(self, host):
        md = host.aggregate_metadata('availability_zone')
        return md.get('availability_zone') or {self.options['default_availability_zone']}

    def host_passes(self, host, spec):
        return spec.availability_zone in self._zones(host)

    def reason(self, host, spec):
        return "in availability zone %s, not '%s'" % (', '.join("'%s'" % z for z in sorted(self._zones(host))),
                                                      spec.availability_zone)


def _capability(host, scope):
    """Walk a capability path: attribute, then stats, then dict keys; JSON strings parsed."""
    cap = host
    for part in scope:
        if isinstance(cap, str):
            try:
                cap = json.loads(cap)
            except ValueError:
                return None
        if cap is host:
            value = getattr(host, part, None)
            cap = host.stats.get(part) if value is None else value
        elif isinstance(cap, dict):
            cap = cap.get(part)
        else:
            value = getattr(cap, part, None)
            if value is None:
                return None
            cap = value
        if cap is None:
            return None
    return cap


def _capability_specs(spec):
    specs = dict(spec.flavor.get('extra_specs') or {})
    bits = specs.pop('hw:maxphysaddr_bits', None)
    if bits is not None:
        specs['capabilities:cpu_info:maxphysaddr:bits'] = '>= %s' % bits
    return specs


class ComputeCapabilitiesFilter(BaseHostFilter):
    """Flavor extra specs `capabilities:<path>` (and bare keys naming a host attribute or
    stat) matched with Nova's extra specs operators against the host state."""
    run_filter_once_per_request = True

    def applies(self, spec):
        return bool(spec.flavor.get('extra_specs')) and super().applies(spec)

    def _first_failure(self, host, spec):
        for key, req in _capability_specs(spec).items():
            scope = key.split(':')
            if len(scope) == 1:
                if not (hasattr(host, key) or key in host.stats):
                    continue
            elif scope[0] != 'capabilities':
                continue
            else:
                scope = scope[1:]
            cap = _capability(host, scope)
            if cap is None:
                return "%s: the host has no '%s'" % (key, ':'.join(scope))
            if not extra_specs_ops.match(str(cap), req):
                return "%s: host has %r, flavor wants '%s'" % (key, cap, req)
        return None

    def host_passes(self, host, spec):
        return self._first_failure(host, spec) is None

    def reason(self, host, spec):
        return self._first_failure(host, spec)


class AggregateInstanceExtraSpecsFilter(BaseHostFilter):
    """Flavor extra specs `aggregate_instance_extra_specs:<key>` (and every bare key) must be
    matched by the metadata of one of the host's aggregates."""
    run_filter_once_per_request = True

    def applies(self, spec):
        return bool(spec.flavor.get('extra_specs')) and super().applies(spec)

    def _first_failure(self, host, spec):
        metadata = host.aggregate_metadata()
        for key, req in spec.flavor['extra_specs'].items():
            scope = key.split(':', 1)
            if len(scope) > 1:
                if scope[0] != 'aggregate_instance_extra_specs':
                    continue
                scope = scope[1:]
            vals = metadata.get(scope[0])
            if not vals:
                return "%s: no aggregate of the host has '%s'" % (key, scope[0])
            if not any(extra_specs_ops.match(v, req) for v in vals):
                return "%s: aggregates have %s, flavor wants '%s'" % (key, ', '.join(sorted(vals)), req)
        return None

    def host_passes(self, host, spec):
        return self._first_failure(host, spec) is None

    def reason(self, host, spec):
        return self._first_failure(host, spec)


class ImagePropertiesFilter(BaseHostFilter):
    """The image's hw_architecture, img_hv_type and hw_vm_mode (canonicalised) must all be in
    one of the host's supported_instances, with img_hv_requested_version satisfied by the
    hypervisor version and hw_maxphysaddr_bits by the CPU."""
    run_filter_once_per_request = True
    RUN_ON_REBUILD = True

    def _wanted(self, spec):
        props = spec.image['properties']
        arch = props.get('hw_architecture') or self.options['image_properties_default_architecture']
        return (canonical_arch(arch), canonical_hv_type(props.get('img_hv_type')),
                canonical_vm_mode(props.get('hw_vm_mode')))

    def applies(self, spec):
        return any(self._wanted(spec)) and super().applies(spec)

    @staticmethod
    def _version_ok(host, props):
        required = props.get('img_hv_requested_version')
        if not (host.hypervisor_version and required):
            return True
        return versions.satisfied_by(required, versions.convert_version_to_str(host.hypervisor_version))

    @staticmethod
    def _maxphysaddr_ok(host, props):
        required = props.get('hw_maxphysaddr_bits')
        bits = (host.cpu_info or {}).get('maxphysaddr', {}).get('bits') if isinstance(host.cpu_info, dict) else None
        if not required or bits is None:
            return True
        return int(required) <= int(bits)

    def host_passes(self, host, spec):
        wanted = self._wanted(spec)
        props = spec.image['properties']
        if not host.supported_instances:
            return False
        for supported in host.supported_instances:
            if all(w in supported for w in wanted if w):
                if self._version_ok(host, props) and self._maxphysaddr_ok(host, props):
                    return True
        return False

    def reason(self, host, spec):
        wanted = '/'.join(w or '*' for w in self._wanted(spec))
        offered = ', '.join('/'.join(str(x) for x in s) for s in host.supported_instances) or 'nothing'
        props = spec.image['properties']
        if props.get('img_hv_requested_version') and not self._version_ok(host, props):
            return 'hypervisor version %s does not satisfy %s' % (
                versions.convert_version_to_str(host.hypervisor_version), props['img_hv_requested_version'])
        if not self._maxphysaddr_ok(host, props):
            return 'CPU has fewer than %s physical address bits' % props['hw_maxphysaddr_bits']
        return 'image needs %s, host offers %s' % (wanted, offered)


class _GroupFilter(BaseHostFilter):
    policy = None

    def applies(self, spec):
        group = spec.instance_group
        return group is not None and group.policy == self.policy and super().applies(spec)


class ServerGroupAffinityFilter(_GroupFilter):
    """Affinity: once a member of the group has a host, every member goes there."""
    policy = 'affinity'

    def host_passes(self, host, spec):
        group = spec.instance_group
        if self.policy not in group.policies:
            return True
        return not group.hosts or host.host in group.hosts

    def reason(self, host, spec):
        group = spec.instance_group
        return "server group '%s' (affinity) is on %s" % (group.name or group.uuid, ', '.join(group.hosts))


class ServerGroupAntiAffinityFilter(_GroupFilter):
    """Anti-affinity: fewer than max_server_per_host (default 1) members on the host."""
    policy = 'anti-affinity'

    def _on_host(self, host, spec):
        return set(host.instances).intersection(spec.instance_group.members)

    def _limit(self, spec):
        return (spec.instance_group.rules or {}).get('max_server_per_host', 1)

    def host_passes(self, host, spec):
        if spec.instance_uuid in host.instances:
            return True
        return len(self._on_host(host, spec)) < self._limit(spec)

    def reason(self, host, spec):
        return "has %d member(s) of server group '%s' (anti-affinity, max %d per host)" % (
            len(self._on_host(host, spec)), spec.instance_group.name or spec.instance_group.uuid, self._limit(spec))


def _overlap(host, uuids):
    if isinstance(uuids, str):
        uuids = [uuids]
    return bool(set(host.instances).intersection(uuids))


class SameHostFilter(BaseHostFilter):
    """Hint same_host: the host runs one of these instances."""
    run_filter_once_per_request = True

    def applies(self, spec):
        return bool(spec.get_scheduler_hint('same_host')) and super().applies(spec)

    def host_passes(self, host, spec):
        return _overlap(host, spec.get_scheduler_hint('same_host'))

    def reason(self, host, spec):
        return 'runs none of same_host %s' % spec.scheduler_hints.get('same_host')


class DifferentHostFilter(BaseHostFilter):
    """Hint different_host: the host runs none of these instances."""
    run_filter_once_per_request = True

    def applies(self, spec):
        return bool(spec.get_scheduler_hint('different_host')) and super().applies(spec)

    def host_passes(self, host, spec):
        return not _overlap(host, spec.get_scheduler_hint('different_host'))

    def reason(self, host, spec):
        return 'runs one of different_host %s' % spec.scheduler_hints.get('different_host')


# -- JsonFilter: Nova's JSON query language ---------------------------------------------------
def _op_compare(args, op):
    if len(args) < 2:
        return False
    if op is operator.contains:
        bad = args[0] not in args[1:]
    else:
        bad = [arg for arg in args[1:] if not op(args[0], arg)]
    return not bool(bad)


JSON_COMMANDS = {
    '=': lambda args: _op_compare(args, operator.eq),
    '<': lambda args: _op_compare(args, operator.lt),
    '>': lambda args: _op_compare(args, operator.gt),
    'in': lambda args: _op_compare(args, operator.contains),
    '<=': lambda args: _op_compare(args, operator.le),
    '>=': lambda args: _op_compare(args, operator.ge),
    'not': lambda args: [not arg for arg in args],
    'or': any,
    'and': all,
}


def check_json_query(query):
    """A problem with a query's shape (unknown operator, not a list), or None."""
    if not query:
        return None
    if not isinstance(query, list) or not query or not isinstance(query[0], str):
        return 'must be a list starting with an operator, such as [">=", "$free_ram_mb", 1024], got %r' % (query,)
    if query[0] not in JSON_COMMANDS:
        return "has the unknown operator %r; known: %s" % (query[0], ', '.join(JSON_COMMANDS))
    for arg in query[1:]:
        if isinstance(arg, list):
            problem = check_json_query(arg)
            if problem:
                return problem
    return None


class JsonFilter(BaseHostFilter):
    """Hint query: a JSON prefix expression over host state variables ($free_ram_mb, ...)."""

    def applies(self, spec):
        return bool(spec.get_scheduler_hint('query')) and super().applies(spec)

    @staticmethod
    def _parse_string(string, host):
        if not string:
            return None
        if not string.startswith('$'):
            return string
        path = string[1:].split('.')
        obj = getattr(host, path[0], None)
        if obj is None:
            return None
        for item in path[1:]:
            obj = obj.get(item)
            if obj is None:
                return None
        return obj

    def _process(self, query, host):
        if not query:
            return True
        method = JSON_COMMANDS[query[0]]
        cooked = []
        for arg in query[1:]:
            if isinstance(arg, list):
                arg = self._process(arg, host)
            elif isinstance(arg, str):
                arg = self._parse_string(arg, host)
            if arg is not None:
                cooked.append(arg)
        return method(cooked)

    def host_passes(self, host, spec):
        result = self._process(json.loads(spec.get_scheduler_hint('query')), host)
        if isinstance(result, list):
            result = any(result)
        return bool(result)

    def reason(self, host, spec):
        return 'does not match query %s' % spec.get_scheduler_hint('query')


def compile_jmespath(expression):
    if jmespath is None:
        raise ValueError('needs the Python library jmespath on the controller')
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError('must be a JMESPath expression, got %r' % (expression,))
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as err:
        raise ValueError('is not a valid JMESPath expression: %s' % err)


class JmesPathFilter(BaseHostFilter):
    """Ours: hint jmespath, a JMESPath expression over the host's facts (with the current
    free_ram_mb, free_disk_mb, vcpus_used, num_instances, num_io_ops); a truthy result passes."""

    def applies(self, spec):
        return bool(spec.scheduler_hints.get('jmespath')) and super().applies(spec)

    @staticmethod
    def _view(host):
        view = dict(host.facts)
        view.update(host=host.host, free_ram_mb=host.free_ram_mb, free_disk_mb=host.free_disk_mb,
                    vcpus_used=host.vcpus_used, vcpus_total=host.vcpus_total, num_instances=host.num_instances,
                    num_io_ops=host.num_io_ops, aggregates=[{'name': a.name, 'metadata': a.metadata}
                                                            for a in host.aggregates])
        return view

    def host_passes(self, host, spec):
        return bool(compile_jmespath(spec.scheduler_hints['jmespath']).search(self._view(host)))

    def reason(self, host, spec):
        return 'does not match jmespath %s' % spec.scheduler_hints['jmespath']


def _aggregate_limit(host, key, default):
    values = {agg.metadata[key] for agg in host.aggregates if key in agg.metadata}
    try:
        return min(int(v) for v in values) if values else default
    except ValueError:
        return default


class NumInstancesFilter(BaseHostFilter):
    """Fewer than max_instances_per_host instances on the host."""

    def _limit(self, host):
        return self.options['max_instances_per_host']

    def host_passes(self, host, spec):
        return host.num_instances < self._limit(host)

    def reason(self, host, spec):
        return 'has %d instances, max_instances_per_host %d' % (host.num_instances, self._limit(host))


class AggregateNumInstancesFilter(NumInstancesFilter):
    """As NumInstancesFilter, with the minimum max_instances_per_host of the host's aggregates."""

    def _limit(self, host):
        return _aggregate_limit(host, 'max_instances_per_host', self.options['max_instances_per_host'])


class IoOpsFilter(BaseHostFilter):
    """Fewer than max_io_ops_per_host instances building or in an I/O-heavy task."""

    def _limit(self, host):
        return self.options['max_io_ops_per_host']

    def host_passes(self, host, spec):
        return host.num_io_ops < self._limit(host)

    def reason(self, host, spec):
        return 'has %d I/O operations, max_io_ops_per_host %d' % (host.num_io_ops, self._limit(host))


class AggregateIoOpsFilter(IoOpsFilter):
    """As IoOpsFilter, with the minimum max_io_ops_per_host of the host's aggregates."""

    def _limit(self, host):
        return _aggregate_limit(host, 'max_io_ops_per_host', self.options['max_io_ops_per_host'])


class IsolatedHostsFilter(BaseHostFilter):
    """isolated_hosts run only isolated_images (and, when restricted, only there)."""
    run_filter_once_per_request = True
    RUN_ON_REBUILD = True

    def host_passes(self, host, spec):
        isolated_images = self.options['isolated_images']
        restrict = self.options['restrict_isolated_hosts_to_isolated_images']
        host_isolated = host.host in self.options['isolated_hosts']
        if not isolated_images:
            return (not restrict) or not host_isolated
        image_isolated = spec.image.get('id') in isolated_images
        if restrict:
            return image_isolated == host_isolated
        return (not image_isolated) or host_isolated

    def reason(self, host, spec):
        if host.host in self.options['isolated_hosts']:
            return 'isolated host, image %s is not an isolated image' % spec.image.get('id')
        return 'image %s is isolated to other hosts' % spec.image.get('id')


FILTERS = {cls.__name__: cls for cls in (
    ComputeFilter, AvailabilityZoneFilter, ComputeCapabilitiesFilter, AggregateInstanceExtraSpecsFilter,
    ImagePropertiesFilter, ServerGroupAffinityFilter, ServerGroupAntiAffinityFilter, SameHostFilter,
    DifferentHostFilter, JsonFilter, JmesPathFilter, NumInstancesFilter, AggregateNumInstancesFilter, IoOpsFilter,
    AggregateIoOpsFilter, IsolatedHostsFilter)}


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)
