# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conductor's plan for a boot (nova/conductor/manager.py schedule_and_build_instances):
which of the requested instances still need building, where each goes first, and the
alternates it moves to when a build fails there. Pure: plain dicts in, plain dicts out.

An instance is identified by its name across the fleet (a boot is idempotent):
- found finished (any vm_state but building or error) on a host: done, left alone;
- found unfinished (building: a claim or a build a killed run left; error: a failed build
  kept for debugging or left by a killed rollback): scheduled again, and what is left of it
  is cleaned up on that host before the first attempt;
- not found: scheduled.
Nova's min_count/max_count count the instances already done: as many of the rest are placed
as fit, down to what min_count still needs; fewer fails the whole request, before any work.
"""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.plugin_utils import quotas as quota_checks
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts

UNFINISHED = ('building', 'error')


def found_instances(states, names):
    """{name: [{host, uuid, vm_state, task_state, request_id}]} of the requested names on the
    hosts (a name on two hosts is listed twice: both are real)."""
    wanted = set(names)
    found = {}
    for host, state in sorted(states.items()):
        for inst in (state.get('instances') or {}).values():
            if isinstance(inst, dict) and inst.get('managed') and inst.get('name') in wanted:
                found.setdefault(inst['name'], []).append({
                    'host': host, 'uuid': inst.get('uuid'), 'vm_state': inst.get('vm_state'),
                    'task_state': inst.get('task_state')})
    return found


def build_plan(boot, states, options=None, quotas=None):
    """The plan of a boot: `boot` is what novalite.compute.boot_request returned, `states`
    the scheduler's host states (scheduler_hosts), `options` the scheduler options, `quotas`
    the inventory's novalite_quotas (None: no quotas).

    Returns {'done': [names], 'plan': [{name, uuid, launch_index, hosts, cleanup}],
    'unplaced': [names], 'over_quota': [names], 'quota': the quota check or None,
    'found': found_instances(), 'trace': the scheduler's trace or None,
    'stale': [{name, uuid, launch_index, hosts, cleanup}]}. `hosts` is the selected host then
    the alternates (at most max_attempts in all); `cleanup` the hosts holding an unfinished
    earlier attempt of the instance; `stale` the unfinished copies of instances that are done
    elsewhere, to be removed from their host.
    """
    instances = boot['instances']
    found = found_instances(states, [i['name'] for i in instances])
    done = [i['name'] for i in instances
            if any(f['vm_state'] not in UNFINISHED for f in found.get(i['name'], []))]
    todo = [i for i in instances if i['name'] not in done]
    # An instance built on one host may still have an unfinished attempt on another (its
    # rollback cut short by a lost connection or a killed run): that copy goes.
    stale = [dict(i, hosts=[f['host']], cleanup=[f['host']]) for i in instances if i['name'] in done
             for f in found.get(i['name'], []) if f['vm_state'] in UNFINISHED]
    result = {'done': done, 'plan': [], 'unplaced': [], 'over_quota': [], 'quota': None, 'found': found,
              'trace': None, 'stale': stale}
    if not todo:
        return result
    request = dict(boot['scheduler_request'])
    still_needed = max(0, int(boot.get('min_count') or request.get('min_count') or 1) - len(done))
    if quotas is not None:
        # Nova checks quotas before scheduling and reduces max_count to what they allow.
        try:
            result['quota'] = quota_checks.check(
                quotas, states, request.get('project_id'), request['flavor'], max(1, still_needed), len(todo),
                server_group=(request.get('server_group') or {}).get('name'), exclude=[i['name'] for i in todo])
        except quota_checks.QuotaError:
            if still_needed:
                raise
            result['over_quota'] = [i['name'] for i in todo]
            return result
        result['over_quota'] = [i['name'] for i in todo[result['quota']['allowed']:]]
        todo = todo[:result['quota']['allowed']]
    request.update(num_instances=len(todo), min_count=max(1, still_needed),
                   instance_uuids=[i['uuid'] for i in todo])
    try:
        placed = select_hosts(request, states, options)
    except NoValidHost:
        if still_needed:
            raise
        # Enough instances exist already: the ones that do not fit are simply not built.
        result['unplaced'] = [i['name'] for i in todo]
        return result
    result['trace'] = placed['trace']
    for inst, selection in zip(todo, placed['selections']):
        result['plan'].append(dict(
            inst, hosts=[selection['host']] + list(selection['alternates']),
            cleanup=sorted({f['host'] for f in found.get(inst['name'], [])})))
    result['unplaced'] = [i['name'] for i in todo[len(placed['selections']):]]
    return result
