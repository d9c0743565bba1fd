# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""drain: empty a hypervisor for maintenance in one Python frame on the controller (Nova's
`openstack compute service set --disable` then `nova host-evacuate-live`): disable its
compute service with the reason, then, one instance at a time, gather every host's facts,
let the conductor choose the destination (plugin_utils/migration.py) and live-migrate it
(module_utils/_live_migration.py), until only what cannot move is left; report each move and
each refusal with its reason. Documentation: plugins/modules/drain.py."""

from __future__ import annotations

import threading
import time

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.novalite.compute.plugins.filter.select_hosts import _plain
from ansible_collections.novalite.compute.plugins.module_utils import _libvirt
from ansible_collections.novalite.compute.plugins.module_utils._compute_manager import CLAIM_SETTINGS
from ansible_collections.novalite.compute.plugins.module_utils._compute_service import ComputeService
from ansible_collections.novalite.compute.plugins.module_utils._errors import NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils._host_facts import HostFacts
from ansible_collections.novalite.compute.plugins.module_utils._live_migration import LiveMigration
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.plugin_utils import conductor
from ansible_collections.novalite.compute.plugins.plugin_utils import drain
from ansible_collections.novalite.compute.plugins.plugin_utils import migration
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import inventory
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError

ARGUMENT_SPEC = dict(
    host=dict(type='str', required=True),
    disabled_reason=dict(type='str'),
    enable=dict(type='bool', default=False),
    compute_group=dict(type='str', default='compute_hosts'),
    completion_timeout=dict(type='int', default=800),
)
# The host variables the scheduler and the moves read (novalite_<name>).
HOST_VARS = ('uri', 'virt_type', 'live_migration_inbound_addr', 'reserved_host_memory_mb', 'reserved_host_disk_mb',
             'reserved_host_cpus') + tuple(inventory.SETTINGS) + tuple(CLAIM_SETTINGS)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        checked = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if checked.error_messages:
            return dict(result, failed=True, msg='; '.join(checked.error_messages))
        p = checked.validated_parameters
        hosts = [str(h) for h in (task_vars.get('groups') or {}).get(p['compute_group']) or []]
        if p['host'] not in hosts:
            return dict(result, failed=True, msg="host: %r is not in the group %s (%s)"
                        % (p['host'], p['compute_group'], ', '.join(hosts) or 'empty'))
        self.hostvars = {h: self._host_vars(task_vars['hostvars'][h]) for h in hosts}
        self.options = _plain(task_vars.get('novalite_scheduler_options') or {})
        self.fleet = conductor.build_hosts(self.hostvars, hosts, self.options)
        self.hosts, self.task_vars = hosts, task_vars
        try:
            result.update(self.drain(p) if not p['enable'] else self.enable(p))
        except (NovaliteError, SchedulerError) as err:
            result.update(failed=True, msg=str(err))
        return result

    def _host_vars(self, hv):
        picked = {'novalite_' + k: _plain(hv['novalite_' + k]) for k in HOST_VARS if 'novalite_' + k in hv}
        picked['group_names'] = list(hv.get('group_names') or [])
        return picked

    # -- the service --------------------------------------------------------------------------
    def service(self, host, status, reason=None):
        with _libvirt.Hypervisor(self.fleet[host]['uri']) as hv:
            return ComputeService.call(hv, check_mode=bool(self._task.check_mode), status=status,
                                       disabled_reason=reason)

    def enable(self, p):
        done = self.service(p['host'], 'enabled')
        return dict(changed=done['changed'], service=done['service'], moved=[], not_moved=[], empty=None,
                    lines=['%s: enabled' % p['host']], msg='%s enabled' % p['host'])

    # -- the drain ----------------------------------------------------------------------------
    def drain(self, p):
        host = p['host']
        disabled = self.service(host, 'disabled', p['disabled_reason'] or 'drained by novalite.compute.drain')
        changed = disabled['changed']
        moved, skipped = [], {}
        catalog = self.task_vars
        while True:
            states = self.states()
            name = drain.next_move(states, host, skipped)
            if name is None:
                break
            entry = [e for e in drain.instances_on(states, host) if e['name'] == name][0]
            refusal = _migration.live_migration_refusal(
                {'uuid': entry.get('uuid'), 'vm_state': entry.get('vm_state'), 'task_state': None},
                'running' if entry.get('active') else 'shutoff')
            if refusal and entry.get('task_state') != _migration.TASK_STATE:
                skipped[name] = refusal
                continue
            if self._task.check_mode:
                skipped[name] = 'would be live-migrated (check mode)'
                changed = True
                continue
            try:
                plan = migration.plan({'instance': name, 'completion_timeout': p['completion_timeout']}, states,
                                      self.fleet, self.options, _plain(catalog.get('novalite_images') or []),
                                      _plain(catalog.get('novalite_networks') or []))
            except (NoValidHost, migration.MigrationRefused, SchedulerError) as err:
                skipped[name] = str(err)
                continue
            start = time.monotonic()
            try:
                LiveMigration.call(None, instance=name, source=plan['hosts']['source'], dest=plan['hosts']['dest'],
                                   cleanup=plan['hosts']['cleanup'], networks=plan['networks'],
                                   completion_timeout=p['completion_timeout'])
            except NovaliteError as err:
                skipped[name] = str(err)
                continue
            changed = True
            moved.append({'instance': name, 'dest': plan['dest'], 'seconds': round(time.monotonic() - start, 1)})
        report = drain.report(host, moved, skipped, disabled['service'])
        result = dict(changed=changed, msg='; '.join(report['lines']), **report)
        if not report['ok'] and not self._task.check_mode:
            result['failed'] = True
        return result

    def states(self):
        """Every compute host's facts now (in threads), as the scheduler reads them."""
        facts = {}

        def gather(host):
            try:
                with _libvirt.Hypervisor(self.fleet[host]['uri']) as hv:
                    reserved = {k: self.hostvars[host].get('novalite_' + k) for k in
                                ('reserved_host_memory_mb', 'reserved_host_disk_mb', 'reserved_host_cpus')}
                    facts[host] = {'novalite_host': HostFacts.call(hv, **reserved)['ansible_facts']['novalite_host']}
            except NovaliteError as err:
                facts[host] = {'novalite_facts_error': str(err)}

        threads = [threading.Thread(target=gather, args=(h,)) for h in self.hosts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        merged = {h: dict(self.hostvars[h], **facts[h]) for h in self.hosts}
        return inventory.scheduler_hosts(merged, self.hosts, _plain(self.task_vars.get('novalite_aggregates') or {}))
