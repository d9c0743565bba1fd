# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nova's resource tracker on a hypervisor (update_available_resource): capacity, usage,
instances and capabilities as Nova's HostState names (a _step.Step; the host_facts module and
its action plugin run it)."""

from __future__ import annotations

import datetime

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils import _resource_tracker


class HostFacts(Step):
    readonly = True
    argument_spec = dict(
        instances_pool=dict(type='str', default='novalite-instances'),
        reserved_host_memory_mb=dict(type='int', default=512),
        reserved_host_disk_mb=dict(type='int', default=0),
        reserved_host_cpus=dict(type='int', default=0),
    )

    def run(self):
        reserved = {k: self.params[k] for k in ('reserved_host_memory_mb', 'reserved_host_disk_mb', 'reserved_host_cpus')}
        for key, value in reserved.items():
            if value < 0:
                raise InvalidInput('%s must be 0 or more, got %d' % (key, value))
        hv = self.hypervisor
        node = hv.node()
        pool = hv.pool_state(self.params['instances_pool'])
        if pool is None or not pool['active']:
            self.warn("storage pool '%s' is %s on %s: local_gb is 0"
                      % (self.params['instances_pool'], 'missing' if pool is None else 'inactive', hv.uri))
        domains = hv.domains()
        for domain in domains:
            domain['disk_capacities'] = {target: hv.disk_capacity(domain, target)
                                         for target in _resource_tracker.writable_disk_targets(domain['xml'])}
            del domain['handle']
        updated = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
        markers = []
        if pool is not None and pool['active']:
            # Made through libvirt, so listed without a refresh (which a read-only connection cannot do).
            markers = _resource_tracker.failed_build_times(hv.volumes(self.params['instances_pool'], refresh=False) or {})
        facts = _resource_tracker.host_state(node, pool, domains, reserved, updated, markers)
        return dict(changed=False, ansible_facts=dict(novalite_host=facts))
