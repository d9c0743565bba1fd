# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hypervisor's compute service status (Nova's services table: `openstack compute service
set --disable --disable-reason`), kept on the hypervisor itself, as everything novalite knows:
a disabled host has a small volume `novalite-service.disabled` in its instances pool holding
the reason and the time; an enabled host has none. host_facts reports it, and the scheduler's
ComputeFilter drops a disabled host with its reason (a _step.Step)."""

from __future__ import annotations

import datetime
import json

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils import _names
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool

MAX_REASON = 255            # Nova's services.disabled_reason


def read(hv, pool, volumes=None):
    """{status, disabled_reason, updated_at} of the host (enabled when there is no marker)."""
    vols = volumes if volumes is not None else hv.volumes(pool, refresh=False)
    marker = (vols or {}).get(_names.SERVICE_DISABLED)
    if marker is None:
        return {'status': 'enabled', 'disabled_reason': None, 'updated_at': None}
    return parse(hv.download(marker['handle']))


def parse(content):
    """The marker's content (JSON); a marker that cannot be read still says disabled."""
    try:
        data = json.loads(content.decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    return {'status': 'disabled', 'disabled_reason': data.get('disabled_reason') or None,
            'updated_at': data.get('updated_at')}


def content(reason, when):
    return json.dumps({'disabled_reason': reason, 'updated_at': when}, sort_keys=True).encode('utf-8')


def check_reason(reason):
    if reason is None:
        return None
    if len(reason) > MAX_REASON or any(ord(c) < 32 for c in reason):
        raise InvalidInput('disabled_reason must be at most %d characters without control characters, got %r'
                           % (MAX_REASON, reason))
    return reason


class ComputeService(Step):
    argument_spec = dict(
        status=dict(type='str', choices=['enabled', 'disabled'], required=True),
        disabled_reason=dict(type='str'),
        instances_pool=dict(type='str', default='novalite-instances'),
    )

    def run(self):
        p, hv = self.params, self.hypervisor
        reason = check_reason(p['disabled_reason'])
        if p['status'] == 'enabled' and reason:
            raise InvalidInput('disabled_reason goes with status disabled only')
        vols = hv.volumes(p['instances_pool'], refresh=False)
        if vols is None:
            raise NovaliteError("storage pool '%s' not found on %s: prepare the host with the role "
                                "novalite.compute.compute_host" % (p['instances_pool'], hv.uri))
        before = read(hv, p['instances_pool'], vols)
        wanted = {'status': p['status'], 'disabled_reason': reason if p['status'] == 'disabled' else None}
        changed = (before['status'], before['disabled_reason']) != (wanted['status'], wanted['disabled_reason'])
        if changed and not self.check_mode:
            marker = vols.get(_names.SERVICE_DISABLED)
            if marker is not None:
                hv.delete_volume(marker['handle'])
            if p['status'] == 'disabled':
                now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
                data = content(reason, now)
                vol = hv.create_volume(p['instances_pool'], _storage_pool.volume_xml(
                    _names.SERVICE_DISABLED, len(data), 'raw', '0644'), _names.SERVICE_DISABLED)
                hv.upload(vol, [data], len(data))
        after = dict(before, **wanted) if changed else before
        result = dict(changed=changed, service=after)
        if self.want_diff:
            keys = ('status', 'disabled_reason')
            result['diff'] = dict(before={k: before[k] for k in keys}, after={k: after[k] for k in keys})
        return result
