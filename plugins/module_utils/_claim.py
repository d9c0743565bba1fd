# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The claim on a hypervisor (Nova's rt.instance_claim), race-safe: libvirt is the arbiter (a _step.Step)."""

from __future__ import annotations

import random
import time
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _placement
from ansible_collections.novalite.compute.plugins.module_utils import _resource_tracker
from ansible_collections.novalite.compute.plugins.module_utils import _server
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool


# The task states of an instance whose domain is still the claim's placeholder (the record
# only): claimed, then Nova's networking and block_device_mapping while its build goes on.
PLACEHOLDER_TASK_STATES = ('claimed', 'networking', 'block_device_mapping')


def mark(hypervisor, name, task_state):
    """Record the build's step (Nova's task_state) on the claim's placeholder record."""
    state = hypervisor.domain_state(name)
    rec = _instance_record.from_domain_xml(state['xml']) if state else None
    if rec is None or rec.get('task_state') not in PLACEHOLDER_TASK_STATES:
        raise NovaliteError("instance '%s' on %s is no longer this build's claim (removed or taken over)"
                            % (name, hypervisor.uri))
    rec['task_state'] = task_state
    hypervisor.set_domain_metadata(name, ET.tostring(_instance_record.to_element(rec, namespaced=False),
                                                     encoding='unicode'),
                                   _instance_record.PREFIX, _instance_record.NAMESPACE)


class Claim(Step):
    argument_spec = dict(
        name=dict(type='str', required=True),
        uuid=dict(type='str'),
        flavor=dict(type='dict', required=True),
        boot_from_volume=dict(type='bool', default=False),
        server_group=dict(type='str'),
        group_policy=dict(type='str'),
        max_server_per_host=dict(type='int', default=1),
        cpu_allocation_ratio=dict(type='float', default=4.0),
        ram_allocation_ratio=dict(type='float', default=1.0),
        disk_allocation_ratio=dict(type='float', default=1.0),
        reserved_host_memory_mb=dict(type='int', default=512),
        reserved_host_disk_mb=dict(type='int', default=0),
        reserved_host_cpus=dict(type='int', default=0),
        instances_pool=dict(type='str', default='novalite-instances'),
        project_id=dict(type='str'),
        request_id=dict(type='str'),
        lock_timeout=dict(type='int', default=30),
        # A move's claim on its destination (live migration, resize, cold migration): the
        # placeholder carries the instance's vm_state, the move's task_state and the migration,
        # not a build's states.
        move=dict(type='dict', options=dict(
            vm_state=dict(type='str', required=True),
            task_state=dict(type='str', default='migrating'),
            migration=dict(type='dict', required=True),
        )),
    )

    def run(self):
        p, hv = self.params, self.hypervisor
        name = _domain_xml.check_name(p['name'])
        flavor = _flavor.validate(p['flavor'])
        existing = hv.domain_state(name)
        if existing is not None:
            rec = _instance_record.from_domain_xml(existing['xml'])
            if rec is None:
                raise NovaliteError("Failed to claim %s on %s: a domain of that name exists and is not a novalite "
                                    "instance" % (name, hv.uri))
            if p['request_id'] and rec.get('request_id') and rec['request_id'] != p['request_id']:
                raise NovaliteError("Failed to claim %s on %s: it is already there, built by request %s (vm_state %s, "
                                    "task_state %s)" % (name, hv.uri, rec['request_id'], rec.get('vm_state'),
                                                        rec.get('task_state')))
            return self.with_diff(dict(changed=False, usage=self.usage()), rec, rec)
        move = p['move']
        vm_state, task_state = (move['vm_state'], move['task_state']) if move else ('building', 'claimed')
        wanted = {'name': name, 'vm_state': vm_state, 'task_state': task_state, 'request_id': p['request_id']}
        if self.check_mode:
            return self.with_diff(dict(changed=True, usage=self.usage()), None, wanted)
        uuid_ = _server.instance_uuid(name, p['uuid'])
        record = {'uuid': uuid_, 'name': name, 'vm_state': vm_state, 'task_state': task_state,
                  'migrations': [move['migration']] if move else None,
                  'server_group_policy': p['group_policy'] if p['server_group'] else None,
                  'server_group_max_per_host': p['max_server_per_host'] if p['server_group'] else None,
                  'created_at': _server.now(), 'server_group': p['server_group'], 'project_id': p['project_id'],
                  'request_id': p['request_id'], 'boot_from_volume': p['boot_from_volume'],
                  'flavor': {k: flavor[k] for k in ('name', 'id', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb',
                                                    'swap', 'extra_specs')}}
        # One claim at a time on the host: each counts every claim made before it, so racing
        # claims fill the last slots exactly, and none withdraws for another that withdraws too.
        with HostClaimLock(hv, p['instances_pool'], p['lock_timeout']) as lock:
            record['claimed_at'] = _server.now(precise=True)
            hv.define_domain(placeholder_xml(name, uuid_, flavor, record), name)
            usage = self.usage()
            problem = over_capacity(usage, _flavor.resources(flavor, p['boot_from_volume'])) or \
                self.group_violation(name, usage)
            if problem:
                hv.undefine_domain(name)
        if problem:
            raise NovaliteError("Failed to claim %s on %s: %s" % (name, hv.uri, problem), usage=usage,
                                lock_wait=lock.waited)
        return self.with_diff(dict(changed=True, usage=usage, lock_wait=lock.waited), None, wanted)

    def with_diff(self, result, before, after):
        if self.want_diff:
            keys = ('name', 'vm_state', 'task_state', 'request_id')
            result['diff'] = dict(before={k: before.get(k) for k in keys} if before else {},
                                  after={k: after.get(k) for k in keys} if after else {})
        return result

    def usage(self):
        p, hv = self.params, self.hypervisor
        domains = hv.domains()
        for domain in domains:
            domain['disk_capacities'] = {t: hv.disk_capacity(domain, t)
                                         for t in _resource_tracker.writable_disk_targets(domain['xml'])}
            del domain['handle']
        reserved = {k: p[k] for k in ('reserved_host_memory_mb', 'reserved_host_disk_mb', 'reserved_host_cpus')}
        state = _resource_tracker.host_state(hv.node(), hv.pool_state(p['instances_pool']), domains, reserved, None)
        ratios = {'VCPU': p['cpu_allocation_ratio'], 'MEMORY_MB': p['ram_allocation_ratio'],
                  'DISK_GB': p['disk_allocation_ratio']}
        usage = {}
        for rc, inv in state['resources'].items():
            inv = dict(inv, allocation_ratio=ratios[rc])
            usage[rc] = dict(inv, capacity=_placement.capacity(inv))
        usage['_instances'] = state['instances']
        return usage

    def group_violation(self, name, usage):
        p = self.params
        if p['group_policy'] != 'anti-affinity' or not p['server_group']:
            return None
        members = [i['name'] for i in usage['_instances'].values() if i.get('server_group') == p['server_group']]
        if len(members) > p['max_server_per_host']:
            return ("server group '%s' (anti-affinity) would have %d members here (%s), at most %d"
                    % (p['server_group'], len(members), ', '.join(sorted(members)), p['max_server_per_host']))
        return None


LOCK_VOLUME = 'novalite-claim.lock'


class HostClaimLock(object):
    """The host's claim lock: an empty volume of the instances pool, which libvirt creates for
    exactly one of several callers at once (the pool's own lock decides); deleted when the
    claim is decided. One held longer than `timeout` seconds is taken as left by a claim that
    was killed, and broken once. A host without the pool has nothing to lock (its disks step
    will say the pool is missing)."""

    def __init__(self, hypervisor, pool, timeout):
        self.hypervisor, self.pool, self.timeout = hypervisor, pool, timeout
        self.volume, self.waited = None, 0.0

    def __enter__(self):
        hv = self.hypervisor
        if hv.pool(self.pool) is None:
            return self
        xml = _storage_pool.volume_xml(LOCK_VOLUME, 0, 'raw', '0600')
        start = since = time.monotonic()
        broken = False
        while True:
            self.volume = hv.create_volume_if_new(self.pool, xml, LOCK_VOLUME)
            if self.volume is not None:
                break
            if time.monotonic() - since > self.timeout:
                if broken:
                    raise NovaliteError("Failed to claim on %s: its claim lock (volume '%s' of storage pool '%s') "
                                        "stayed taken for %d s" % (hv.uri, LOCK_VOLUME, self.pool, 2 * self.timeout))
                stale = (hv.volumes(self.pool) or {}).get(LOCK_VOLUME)
                if stale is not None:
                    hv.delete_volume(stale['handle'])
                broken, since = True, time.monotonic()
                continue
            time.sleep(random.uniform(0.02, 0.1))
        self.waited = round(time.monotonic() - start, 3)
        return self

    def __exit__(self, *exc):
        if self.volume is not None:
            self.hypervisor.delete_volume(self.volume)


def over_capacity(usage, amounts):
    """Placement's rule (_placement, the scheduler's too) on the host's usage with this
    claim counted, for the claim's `amounts`: why it does not fit, or None."""
    units = {'VCPU': 'vCPUs', 'MEMORY_MB': 'MB RAM', 'DISK_GB': 'GB disk'}
    for rc in _placement.RESOURCE_CLASSES:
        inv, amount = usage[rc], amounts.get(rc, 0)
        why = _placement.refusal(dict(inv, used=inv['used'] - amount), amount)
        if why == 'max_unit':
            return ('%s %s asked, more than the %s the host has in all (max_unit)' % (amount, units[rc], inv['total']))
        if why == 'capacity':
            return ('%s %s used with this claim, more than the %s the host has (%s total, %s reserved)'
                    % (inv['used'], units[rc], inv['capacity'], inv['total'], inv['reserved']))
    return None


def placeholder_xml(name, uuid_, flavor, record):
    """A domain holding only the claim: the record, memory and vCPUs, nothing to start."""
    root = ET.Element('domain', {'type': 'qemu'})
    ET.SubElement(root, 'name').text = name
    ET.SubElement(root, 'uuid').text = uuid_
    ET.SubElement(root, 'metadata').append(_instance_record.to_element(record))
    ET.SubElement(root, 'memory', {'unit': 'MiB'}).text = str(flavor['memory_mb'])
    ET.SubElement(root, 'vcpu').text = str(flavor['vcpus'])
    os_el = ET.SubElement(root, 'os')
    ET.SubElement(os_el, 'type', {'arch': 'x86_64'}).text = 'hvm'
    return ET.tostring(root, encoding='unicode')
