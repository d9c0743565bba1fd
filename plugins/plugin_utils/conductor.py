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

from ansible_collections.novalite.compute.plugins.module_utils._base import DEFAULT_URI
from ansible_collections.novalite.compute.plugins.module_utils._compute_manager import CLAIM_SETTINGS, STEPS
from ansible_collections.novalite.compute.plugins.plugin_utils import quotas as quota_checks
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import options as scheduler_options
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


# -- the build rounds (nova/conductor/manager.py build_instances and its reschedule) ------------
# A round is one attempt of every instance not built yet: round 1 on its selected host, round
# N on its (N-1)th alternate. Each host builds its share of a round in one invocation of
# novalite.compute.build_instances; the results are collected, and the instances that failed
# move to their next alternate in the next round, until none is left to try.

# Host settings a build reads (_compute_manager.CLAIM_SETTINGS) come from the inventory
# (novalite_<setting>), over the scheduler's options, over Nova's defaults (scheduler/options.py
# DEFAULTS): the claim counts with the same numbers the scheduler placed with.
DEFAULT_VIRT_TYPE = 'kvm'


def build_hosts(host_vars, hosts, options=None):
    """{host: {uri, settings, address}} of the compute hosts: `host_vars` {host: {novalite_uri,
    novalite_virt_type, novalite_<claim setting>, novalite_live_migration_inbound_addr, ...}};
    `address` is where another host's QEMU reaches this one in a live migration (Nova's
    live_migration_inbound_addr), by default the host part of the URI."""
    opts = scheduler_options.parse(options)
    fleet = {}
    for host in hosts:
        hv = host_vars.get(host) or {}
        settings = {key: hv.get('novalite_' + key) if hv.get('novalite_' + key) is not None else opts[key]
                    for key in CLAIM_SETTINGS}
        settings['virt_type'] = hv.get('novalite_virt_type') or DEFAULT_VIRT_TYPE
        uri = hv.get('novalite_uri') or DEFAULT_URI
        fleet[host] = {'uri': uri, 'settings': settings,
                       'address': hv.get('novalite_live_migration_inbound_addr') or uri_host(uri)}
    return fleet


def uri_host(uri):
    """The host part of a libvirt URI (qemu+ssh://root@10.0.0.2:22/system -> 10.0.0.2), or None."""
    rest = uri.split('://', 1)[1] if '://' in uri else ''
    hostport = rest.split('/', 1)[0].rsplit('@', 1)[-1]
    if hostport.startswith('['):
        return hostport[1:].split(']', 1)[0] or None
    return hostport.split(':', 1)[0] or None


def new_progress():
    """The progress of a boot before its first round: `kept`, the instances kept in error;
    `refused`, the ones no other host can help (over quota)."""
    return {'round': 1, 'done': [], 'built_on': {}, 'attempts': [], 'kept': [], 'refused': [], 'timings': {}}


def _progress(progress):
    """A copy of `progress` (None or {}: before the first round), nothing shared."""
    return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
            for k, v in dict(new_progress(), **(progress or {})).items()}


def round_work(plan, progress, fleet):
    """This round's share of each host: [{host, uri, settings, instances, leftovers}],
    only hosts with something to do, in host order. Round 1 also removes the unfinished
    copies earlier runs left (the plan's `cleanup` hosts and its `stale` copies)."""
    round_ = _progress(progress)['round']
    work = {}

    def share(host):
        if host not in work:
            work[host] = {'host': host, 'uri': fleet[host]['uri'], 'settings': fleet[host]['settings'],
                          'instances': [], 'leftovers': []}
        return work[host]

    for inst in todo(plan, progress):
        share(inst['hosts'][round_ - 1])['instances'].append(
            {k: inst[k] for k in ('name', 'uuid', 'launch_index', 'hosts')})
    if round_ == 1:
        for inst in plan['plan'] + plan['stale']:
            for host in inst.get('cleanup') or []:
                share(host)['leftovers'].append({'name': inst['name']})
    return [work[h] for h in sorted(work)]


def todo(plan, progress):
    """The planned instances this round tries: not built, not kept in error, with a host for it."""
    progress = _progress(progress)
    round_ = progress['round']
    finished = set(progress['done']) | set(progress['kept']) | set(progress['refused'])
    return [p for p in plan['plan'] if p['name'] not in finished and len(p['hosts']) >= round_]


def collect(progress, work, result):
    """The progress after a round: `work` is round_work()'s list, `result` build_instances'
    result for it (or the failure of its invocation, without builds)."""
    progress = _progress(progress)
    builds = {b['name']: b for b in (result or {}).get('builds') or []}
    for share in work:
        for inst in share['instances']:
            build = builds.get(inst['name'])
            if build is None:      # the invocation itself failed (host unreachable, killed job, ...)
                build = {'name': inst['name'], 'status': 'failed', 'kept': False, 'timings': {},
                         'reason': (result or {}).get('msg') or 'the build on %s did not report' % share['host']}
            progress['timings'][inst['name']] = build.get('timings') or {}
            if build['status'] == 'built':
                progress['done'].append(inst['name'])
                progress['built_on'][inst['name']] = share['host']
                continue
            progress['attempts'].append({'name': inst['name'], 'host': share['host'], 'round': progress['round'],
                                         'reason': build.get('reason') or 'unknown'})
            if build.get('kept'):
                progress['kept'].append(inst['name'])
            elif build.get('reschedule') is False:
                progress['refused'].append(inst['name'])
    progress['round'] += 1
    return progress


def pending(plan, progress):
    """Whether another round has something to build."""
    return bool(todo(plan, progress))


def report(plan, progress, boot):
    """The boot's report: {plan, lines, attempts, timings, failed, ok, msg, built_hosts}; `progress` None:
    before the first round (only `plan` says something)."""
    progress = _progress(progress)
    planned = [p['name'] for p in plan['plan']]
    failed = [n for n in planned if n not in progress['done']]
    lines = ['%s: already there' % n for n in plan['done']]
    lines += ['%s: built on %s' % (n, progress['built_on'][n]) for n in planned if n in progress['built_on']]
    lines += ['%s: error%s' % (n, ' (kept in error on its last host)' if n in progress['kept'] else '')
              for n in failed]
    attempts = ['%s: attempt %d on %s: %s' % (a['name'], a['round'], a['host'], a['reason'])
                for a in sorted(progress['attempts'], key=lambda a: (a['round'], a['name']))]
    timings = ['%s: %s' % (n, ', '.join('%s %.2f s' % (step, t[step]) for step in ('prepare',) + STEPS if step in t))
               for n, t in sorted(progress['timings'].items())]
    if failed:
        why = ' | '.join('%s: %s' % (n, '; '.join('attempt %d on %s: %s' % (a['round'], a['host'], a['reason'])
                                                  for a in progress['attempts'] if a['name'] == n) or 'not tried')
                         for n in failed)
        msg = '%d instance(s) could not be built (%s): %s' % (
            len(failed), 'the last attempt kept in error' if boot.get('keep_failed') else 'rolled back everywhere', why)
    else:
        msg = '%d built, %d already there (reservation %s)' % (len(planned), len(plan['done']),
                                                               boot.get('reservation_id'))
    return {'plan': plan_lines(plan, boot), 'lines': lines, 'attempts': attempts, 'timings': timings, 'failed': failed,
            'ok': not failed, 'msg': msg, 'built_hosts': sorted(set(progress['built_on'].values()))}


def plan_lines(plan, boot):
    """What the plan says, before any build: the request, what is there, where each goes."""
    lines = ['reservation %s, request %s' % (boot.get('reservation_id'), boot.get('request_id')),
             'already there: %s' % (', '.join(plan['done']) or 'none')]
    lines += ['%s: %s' % (p['name'], ' then '.join(p['hosts'])) for p in plan['plan']]
    quota = plan.get('quota')
    if quota:
        usage, limits = quota['usage'], quota['limits']
        lines.append('quota of project %s: %s of %s instances, %s of %s cores, %s of %s MB RAM used (-1: unlimited)' % (
            boot.get('project_id') or 'none', usage['instances'], limits['instances'], usage['cores'], limits['cores'],
            usage['ram'], limits['ram']))
    if plan.get('over_quota'):
        lines.append('not built (over quota, above min_count): %s' % ', '.join(plan['over_quota']))
    if plan.get('unplaced'):
        lines.append('not placed (no room, above min_count): %s' % ', '.join(plan['unplaced']))
    lines += ['%s: built elsewhere, an unfinished copy removed from %s' % (s['name'], s['cleanup'][0])
              for s in plan.get('stale') or []]
    return lines
