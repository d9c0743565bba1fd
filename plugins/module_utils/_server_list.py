# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The instances of one hypervisor as server_info and the libvirt_instances inventory show
them: record, power state, and the IPs their ports hold in the networks' DHCP leases."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils import _server


def servers(hv, name=None, console_lines=0, instances_pool='novalite-instances'):
    leases, logs, found = {}, None, []
    for dom in hv.domains():
        rec = _instance_record.from_domain_xml(dom['xml'])
        if rec is None or (name and dom['name'] != name):
            continue
        state = hv.domain_state(dom['name'])
        if state is None:                 # gone while listing
            continue
        addresses = []
        for port in rec.get('ports') or []:
            if port['network'] not in leases:
                leases[port['network']] = hv.dhcp_leases(port['network'])
            leased = _server.lease_ips(leases[port['network']], {port['mac']})
            addresses.append({'network': port['network'], 'mac': port['mac'], 'fixed_ip': port['ip'],
                              'leased_ip': leased.get(port['mac'])})
        server = {'name': dom['name'], 'uuid': rec.get('uuid'), 'vm_state': rec.get('vm_state'),
                  'task_state': rec.get('task_state') or None, 'power_state': state['state'],
                  'flavor': (rec.get('flavor') or {}).get('name'), 'image': (rec.get('image') or {}).get('id'),
                  'addresses': addresses, 'created_at': rec.get('created_at'),
                  'launched_at': rec.get('launched_at'), 'reservation_id': rec.get('reservation_id'),
                  'project_id': rec.get('project_id'), 'actions': rec.get('actions') or [],
                  'migration': _migration.open_migration(rec), 'migrations': rec.get('migrations') or [],
                  'record': rec}
        if console_lines > 0:
            if logs is None:
                logs = {v['path']: v for v in (hv.volumes(instances_pool) or {}).values()}
            log = logs.get(rec.get('console_log'))
            text = hv.download(log['handle']).decode('utf-8', 'replace') if log else ''
            server['console'] = text.splitlines()[-console_lines:]
        found.append(server)
    return found
