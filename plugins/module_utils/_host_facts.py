# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nova's resource tracker on a hypervisor (update_available_resource): capacity, usage,
instances and capabilities as Nova's HostState names (a _step.Step; the host_facts module and
its action plugin run it)."""

from __future__ import annotations

import datetime
import json
import os
import tempfile

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils import _compute_service
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _resource_tracker


class HostFacts(Step):
    # Read-write: the compute service's marker is read with virStorageVolDownload, which a
    # read-only connection may not call. Nothing is changed.
    argument_spec = dict(
        instances_pool=dict(type='str', default='novalite-instances'),
        reserved_host_memory_mb=dict(type='int', default=512),
        reserved_host_disk_mb=dict(type='int', default=0),
        reserved_host_cpus=dict(type='int', default=0),
        host=dict(type='str'),
        records_file=dict(type='path'),
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
        service = {'status': 'enabled', 'disabled_reason': None, 'updated_at': None}
        if pool is not None and pool['active']:
            # Made through libvirt, so listed without a refresh.
            volumes = hv.volumes(self.params['instances_pool'], refresh=False) or {}
            markers = _resource_tracker.failed_build_times(volumes)
            service = _compute_service.read(hv, self.params['instances_pool'], volumes)
        facts = _resource_tracker.host_state(node, pool, domains, reserved, updated, markers)
        # The host's compute service (compute_service): the scheduler's ComputeFilter reads it.
        facts['service'] = service
        if service['status'] == 'disabled':
            facts.update(enabled=False, disabled_reason=service['disabled_reason'] or 'disabled on the host')
        result = dict(changed=False, ansible_facts=dict(novalite_host=facts))
        if self.params['records_file'] and not self.check_mode:
            result['records_file'] = write_records(self.params['records_file'], self.params['host'] or hv.uri,
                                                   hv.uri, updated, domains)
        return result


def write_records(path, host, uri, taken_at, domains):
    """The host's instance records as they are now, in `path` (JSON, replaced whole): what an
    evacuation knows of the host's instances once its libvirt cannot be asked (Nova's database
    outlives a compute host; novalite's records live on the host). {path, instances}."""
    records = [rec for rec in (_instance_record.from_domain_xml(d['xml']) for d in domains) if rec is not None]
    snapshot = {'host': host, 'uri': uri, 'taken_at': taken_at,
                'records': sorted(records, key=lambda r: r.get('name') or '')}
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.records-', dir=directory)
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(snapshot, f, sort_keys=True)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return {'path': path, 'instances': len(records)}
