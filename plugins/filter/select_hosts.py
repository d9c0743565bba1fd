# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The select_hosts filter: a thin Jinja wrapper over plugins/plugin_utils/scheduler.
Documentation: select_hosts.yml beside this file, and docs/scheduler.md."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.novalite.compute.plugins.module_utils._compute_manager import CLAIM_SETTINGS
from ansible_collections.novalite.compute.plugins.plugin_utils import conductor
from ansible_collections.novalite.compute.plugins.plugin_utils.quotas import QuotaError
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import inventory
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts as _select_hosts


def _plain(value):
    """Jinja hands over Ansible's own containers; the scheduler wants plain ones."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def select_hosts(request, hosts, options=None):
    try:
        return _select_hosts(_plain(request), _plain(hosts), _plain(options))
    except (SchedulerError, NoValidHost) as err:
        raise AnsibleFilterError(str(err))


def scheduler_hosts(hostvars, hosts, aggregates=None):
    # Only the variables the scheduler reads: templating a host's every variable could fail
    # on ones that have nothing to do with it.
    wanted = ('novalite_host', 'novalite_facts_error', 'group_names', 'ansible_facts') + \
        tuple('novalite_' + key for key in inventory.SETTINGS)
    picked = {}
    for host in hosts:
        hv = hostvars[host]
        picked[host] = {key: hv[key] for key in wanted if key in hv and key != 'ansible_facts'}
        if 'novalite_host' not in picked[host] and 'ansible_facts' in hv:
            picked[host]['ansible_facts'] = {'novalite_host': hv['ansible_facts'].get('novalite_host')}
    return inventory.scheduler_hosts(_plain(picked), [str(h) for h in hosts], _plain(aggregates))


def boot_plan(boot, hosts, options=None, quotas=None):
    try:
        return conductor.build_plan(_plain(boot), _plain(hosts), _plain(options), _plain(quotas))
    except (SchedulerError, NoValidHost, QuotaError) as err:
        raise AnsibleFilterError(str(err))


def boot_hosts(hostvars, hosts, options=None):
    wanted = ('novalite_uri', 'novalite_virt_type', 'novalite_live_migration_inbound_addr') + \
        tuple('novalite_' + k for k in CLAIM_SETTINGS)
    picked = {str(h): {key: hostvars[h][key] for key in wanted if key in hostvars[h]} for h in hosts}
    try:
        return conductor.build_hosts(_plain(picked), [str(h) for h in hosts], _plain(options))
    except SchedulerError as err:
        raise AnsibleFilterError(str(err))


def boot_round(plan, progress, fleet):
    return conductor.round_work(_plain(plan), _plain(progress), _plain(fleet))


def boot_collect(progress, work, result):
    return conductor.collect(_plain(progress), _plain(work), _plain(result))


def boot_report(plan, progress, boot):
    return conductor.report(_plain(plan), _plain(progress), _plain(boot))


class FilterModule(object):
    def filters(self):
        return {'select_hosts': select_hosts, 'scheduler_hosts': scheduler_hosts,
                'boot_plan': boot_plan, 'boot_hosts': boot_hosts, 'boot_round': boot_round,
                'boot_collect': boot_collect, 'boot_report': boot_report}
