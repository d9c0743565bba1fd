# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The request to place: Nova's RequestSpec (nova/objects/request_spec.py), validated."""

from __future__ import annotations

import json
import uuid as uuidlib

from ansible_collections.novalite.compute.plugins.module_utils._flavor import disk_gb
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import SchedulerError

GROUP_POLICIES = ('affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity')
_FLAVOR_SIZES = (('vcpus', 1), ('memory_mb', 1), ('root_gb', 0), ('ephemeral_gb', 0), ('swap', 0))
_KNOWN = ('flavor', 'image', 'num_instances', 'min_count', 'instance_uuids', 'availability_zone', 'scheduler_hints',
          'server_group', 'force_hosts', 'force_nodes', 'ignore_hosts', 'requested_destination',
          'boot_from_volume', 'project_id')


def _fail(field, msg):
    raise SchedulerError('select_hosts: request.%s %s' % (field, msg))


def _int(value, field, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        if isinstance(value, str) and value.strip().lstrip('-').isdigit():
            value = int(value)
        else:
            _fail(field, 'must be an integer, got %r' % (value,))
    if value < minimum:
        _fail(field, 'must be at least %d, got %r' % (minimum, value))
    return int(value)


def _str_list(value, field):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
        _fail(field, 'must be a string or a list of strings, got %r' % (value,))
    return list(value)


class InstanceGroup(object):
    """A server group as the scheduler sees it (nova/scheduler/utils.py _get_group_details)."""

    def __init__(self, uuid, name, policy, rules, members, hosts):
        self.uuid = uuid
        self.name = name
        self.policy = policy
        self.policies = [policy]
        self.rules = rules
        self.members = members
        self.hosts = hosts


class RequestSpec(object):

    def __init__(self, request):
        if not isinstance(request, dict):
            raise SchedulerError('select_hosts: the request must be a dict, got %s' % type(request).__name__)
        unknown = sorted(set(request) - set(_KNOWN))
        if unknown:
            raise SchedulerError('select_hosts: unknown request field(s) %s; known: %s'
                                 % (', '.join(unknown), ', '.join(_KNOWN)))
        self._flavor(request.get('flavor'))
        self._image(request.get('image'))
        self.num_instances = _int(request.get('num_instances', 1), 'num_instances', 1)
        # Nova's min_count/max_count: num_instances is the most wanted; as many as fit are
        # placed, down to min_count (default: all of them), else none.
        self.min_count = _int(request.get('min_count', self.num_instances), 'min_count', 1)
        if self.min_count > self.num_instances:
            _fail('min_count', 'must not be more than num_instances (%d), got %d' % (self.num_instances, self.min_count))
        uuids = request.get('instance_uuids')
        if uuids is None:
            uuids = ['instance-%d' % i for i in range(self.num_instances)]
        uuids = _str_list(uuids, 'instance_uuids')
        if len(uuids) != self.num_instances or len(set(uuids)) != len(uuids):
            _fail('instance_uuids', 'must hold num_instances (%d) distinct ids, got %r' % (self.num_instances, uuids))
        self.instance_uuids = uuids
        self.instance_uuid = uuids[0]
        self.project_id = request.get('project_id')
        self.is_bfv = request.get('boot_from_volume', False)
        if not isinstance(self.is_bfv, bool):
            _fail('boot_from_volume', 'must be a boolean, got %r' % (self.is_bfv,))
        self._hints(request.get('scheduler_hints'))
        self.force_hosts = _str_list(request.get('force_hosts'), 'force_hosts')
        self.force_nodes = _str_list(request.get('force_nodes'), 'force_nodes')
        self.ignore_hosts = _str_list(request.get('ignore_hosts'), 'ignore_hosts')
        self._availability_zone(request.get('availability_zone'))
        dest = request.get('requested_destination')
        if dest is not None and (not isinstance(dest, dict) or not isinstance(dest.get('host', ''), str)):
            _fail('requested_destination', 'must be {host: NAME[, node: NAME]}, got %r' % (dest,))
        self.requested_destination = dest
        self._server_group = request.get('server_group')
        self.instance_group = None
        self.resources = self._resources()

    # -- parts ----------------------------------------------------------------------------
    def _flavor(self, flavor):
        if flavor is None:
            _fail('flavor', 'is required (vcpus, memory_mb, root_gb, ephemeral_gb, swap, extra_specs)')
        if not isinstance(flavor, dict):
            _fail('flavor', 'must be a dict, got %r' % (flavor,))
        for key, minimum in _FLAVOR_SIZES:
            if key in ('vcpus', 'memory_mb') and key not in flavor:
                _fail('flavor.%s' % key, 'is required')
            setattr(self, key, _int(flavor.get(key, 0), 'flavor.%s' % key, minimum))
        specs = flavor.get('extra_specs') or {}
        if not isinstance(specs, dict):
            _fail('flavor.extra_specs', 'must be a dict, got %r' % (specs,))
        for key, value in specs.items():
            if not isinstance(key, str) or isinstance(value, (dict, list)):
                _fail('flavor.extra_specs', 'must map strings to strings, got %r: %r' % (key, value))
        self.flavor = dict(flavor, extra_specs={k: v if isinstance(v, str) else json.dumps(v) if isinstance(v, bool)
                                                else str(v) for k, v in specs.items()})

    def _image(self, image):
        if image is None:
            image = {}
        if not isinstance(image, dict):
            _fail('image', 'must be a dict {id, properties}, got %r' % (image,))
        props = image.get('properties') or {}
        if not isinstance(props, dict):
            _fail('image.properties', 'must be a dict, got %r' % (props,))
        requested = props.get('img_hv_requested_version')
        if requested is not None:
            from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import versions
            try:
                versions.parse_predicate(requested)
            except ValueError as err:
                _fail('image.properties.img_hv_requested_version', 'is not a version predicate such as ">=6.0": %s' % err)
        self.image = {'id': image.get('id'), 'properties': props}

    def _hints(self, hints):
        if hints is None:
            hints = {}
        if not isinstance(hints, dict):
            _fail('scheduler_hints', 'must be a dict, got %r' % (hints,))
        for key in ('same_host', 'different_host'):
            if key in hints:
                _str_list(hints[key], 'scheduler_hints.%s' % key)
        if hints.get('query') is not None:
            query = hints['query']
            if isinstance(query, str):
                try:
                    query = json.loads(query)
                except ValueError as err:
                    _fail('scheduler_hints.query', 'is not valid JSON: %s' % err)
            from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.filters import check_json_query
            problem = check_json_query(query)
            if problem:
                _fail('scheduler_hints.query', problem)
            hints = dict(hints, query=json.dumps(query))
        if hints.get('jmespath') is not None:
            from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.filters import compile_jmespath
            try:
                compile_jmespath(hints['jmespath'])
            except ValueError as err:
                _fail('scheduler_hints.jmespath', str(err))
        self.scheduler_hints = hints

    def _availability_zone(self, az):
        if az is not None and not isinstance(az, str):
            _fail('availability_zone', 'must be a string, got %r' % (az,))
        # nova/compute/api.py _handle_availability_zone: "az:host[:node]" forces a host.
        if az and ':' in az:
            parts = az.split(':')
            az, host = parts[0], parts[1] if len(parts) > 1 else ''
            node = parts[2] if len(parts) > 2 else ''
            if host:
                self.force_hosts = [host]
            if node:
                self.force_nodes = [node]
        self.availability_zone = az or None

    def _resources(self):
        """The Placement request (nova/scheduler/utils.py ResourceRequest): VCPU, MEMORY_MB,
        DISK_GB = ephemeral + ceil(swap / 1024) + root unless boot-from-volume; a flavor's
        resources:<CLASS> extra spec overrides an amount (0 drops the class)."""
        amounts = {'VCPU': self.vcpus, 'MEMORY_MB': self.memory_mb,
                   'DISK_GB': disk_gb({'root_gb': self.root_gb, 'ephemeral_gb': self.ephemeral_gb, 'swap': self.swap},
                                      self.is_bfv)}
        for rc in list(amounts):
            override = self.flavor['extra_specs'].get('resources:%s' % rc)
            if override is not None:
                amounts[rc] = _int(override, 'flavor.extra_specs.resources:%s' % rc, 0)
        return {rc: amount for rc, amount in amounts.items() if amount > 0}

    def get_scheduler_hint(self, name, default=None):
        """The hint's only element when it is a list of one (RequestSpec.get_scheduler_hint)."""
        value = self.scheduler_hints.get(name, default)
        if isinstance(value, list) and len(value) == 1:
            return value[0]
        return value

    # -- server group ---------------------------------------------------------------------
    def setup_instance_group(self, host_states):
        """Members and hosts of the request's server group, from the instances the hosts
        report (as _get_group_details reads them from Nova's database), plus this request's
        own instances as members."""
        group = self._server_group
        hint = self.get_scheduler_hint('group')
        if group is None and hint is None:
            return
        if group is None:
            _fail('server_group', "is required with scheduler_hints.group %r: {name or uuid, policy[, rules]}" % (hint,))
        if not isinstance(group, dict):
            _fail('server_group', 'must be a dict {name or uuid, policy, rules}, got %r' % (group,))
        policy = group.get('policy')
        if policy not in GROUP_POLICIES:
            _fail('server_group.policy', 'must be one of %s, got %r' % (', '.join(GROUP_POLICIES), policy))
        rules = group.get('rules') or {}
        if not isinstance(rules, dict):
            _fail('server_group.rules', 'must be a dict, got %r' % (rules,))
        if 'max_server_per_host' in rules:
            if policy != 'anti-affinity':
                _fail('server_group.rules', 'max_server_per_host only goes with the anti-affinity policy')
            rules = dict(rules, max_server_per_host=_int(rules['max_server_per_host'],
                                                         'server_group.rules.max_server_per_host', 1))
        ids = {str(x) for x in (group.get('uuid'), group.get('name'), hint) if x}
        if not ids:
            _fail('server_group', 'needs a name or a uuid')
        members = set(_str_list(group.get('members'), 'server_group.members'))
        hosts = set(_str_list(group.get('hosts'), 'server_group.hosts'))
        own = set(self.instance_uuids)
        for hs in host_states:
            for inst_uuid, inst in hs.instances.items():
                if isinstance(inst, dict) and str(inst.get('server_group')) in ids:
                    members.add(inst_uuid)
                    if inst_uuid not in own:
                        hosts.add(hs.host)
        self.instance_group = InstanceGroup(group.get('uuid') or str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, sorted(ids)[0])),
                                            group.get('name'), policy, rules, sorted(members | own), sorted(hosts))

    @property
    def requested_host(self):
        dest = self.requested_destination
        return dest.get('host') if dest else None
