# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quotas per project, counted from the instance records across the fleet (Nova's
count-based quotas, nova/quota.py and nova/compute/utils.py check_num_instances_quota).

Limits come from the inventory's `novalite_quotas`: {'default': {resource: limit}, project_id:
{resource: limit}}; a project's own value wins over `default`, which wins over Nova's default;
-1 is unlimited. Usage is what the records on the hosts say: every instance of the project in
any state (a claim of a racing run included), its flavor's vcpus and memory_mb, and its server
group. Pure: plain dicts in, plain dicts out.
"""

from __future__ import annotations

RESOURCES = ('instances', 'cores', 'ram', 'server_groups', 'server_group_members')
# nova/conf/quota.py defaults.
NOVA_DEFAULTS = {'instances': 10, 'cores': 20, 'ram': 51200, 'server_groups': 10, 'server_group_members': 10}


class QuotaError(Exception):
    """Nova's QuotaError family: the request is over a quota; nothing is built."""


def limits(quotas, project_id):
    """The limits of `project_id` from `novalite_quotas`; an unknown resource or a value that
    is not a whole number >= -1 is an error naming it."""
    if not isinstance(quotas, dict):
        raise QuotaError('novalite_quotas must be a dict of {default or project id: {resource: limit}}, got %r'
                         % (quotas,))
    result = dict(NOVA_DEFAULTS)
    for scope in ('default', project_id):
        given = quotas.get(scope) if scope is not None else None
        if given is None:
            continue
        if not isinstance(given, dict):
            raise QuotaError('novalite_quotas[%r] must be a dict of {resource: limit}, got %r' % (scope, given))
        for resource, value in given.items():
            if resource not in RESOURCES:
                raise QuotaError('novalite_quotas[%r]: unknown resource %r; known: %s'
                                 % (scope, resource, ', '.join(RESOURCES)))
            if isinstance(value, bool) or not (isinstance(value, int) or isinstance(value, str) and value.lstrip('-').isdigit()):
                raise QuotaError('novalite_quotas[%r][%r] must be a whole number (-1: unlimited), got %r'
                                 % (scope, resource, value))
            if int(value) < -1:
                raise QuotaError('novalite_quotas[%r][%r] must be -1 (unlimited) or more, got %r' % (scope, resource, value))
            result[resource] = int(value)
    return result


def usage(states, project_id, exclude=()):
    """The project's usage from the host states' instance lists: {'instances', 'cores', 'ram',
    'server_groups': {group: members}}; `exclude`, names not to count (the unfinished copies of
    the instances this request builds again). Also the hosts that could not be counted."""
    skip = set(exclude)
    counted = {'instances': 0, 'cores': 0, 'ram': 0, 'server_groups': {}}
    uncounted = []
    for host, state in sorted(states.items()):
        if state.get('unreachable') or state.get('instances') is None:
            uncounted.append(host)
            continue
        for inst in (state.get('instances') or {}).values():
            if not isinstance(inst, dict) or not inst.get('managed') or inst.get('name') in skip:
                continue
            if (inst.get('project_id') or None) != (project_id or None):
                continue
            counted['instances'] += 1
            counted['cores'] += int(inst.get('vcpus') or 0)
            counted['ram'] += int(inst.get('memory_mb') or 0)
            if inst.get('server_group'):
                groups = counted['server_groups']
                groups[inst['server_group']] = groups.get(inst['server_group'], 0) + 1
    return counted, uncounted


def _headroom(quotas, used, deltas):
    """nova/compute/utils.py get_headroom: unlimited cores or ram take the instances' headroom."""
    headroom = {res: quotas[res] - used[res] for res in ('instances', 'cores', 'ram')}
    if quotas['instances'] == -1:
        headroom['instances'] = deltas['instances']
    for res in ('cores', 'ram'):
        if quotas[res] == -1:
            if deltas.get(res):
                headroom[res] = headroom['instances'] * deltas[res] // deltas['instances']
            else:
                headroom[res] = headroom['instances']
    return headroom


def _overs(quotas, used, deltas):
    return sorted(res for res in ('instances', 'cores', 'ram')
                  if quotas[res] >= 0 and used[res] + deltas[res] > quotas[res])


def instances_allowed(quotas, used, flavor, min_count, max_count):
    """Nova's check_num_instances_quota: `max_count` when it fits; else as many as fit down to
    `min_count`; else QuotaError with Nova's message, e.g. "Quota exceeded for cores:
    Requested 8, but already used 60 of 64 cores"."""
    vcpus, ram = int(flavor.get('vcpus') or 0), int(flavor.get('memory_mb') or 0)
    deltas = {'instances': max_count, 'cores': max_count * vcpus, 'ram': max_count * ram}
    overs = _overs(quotas, used, deltas)
    if not overs:
        return max_count
    headroom = _headroom(quotas, used, deltas)
    allowed = headroom['instances']
    if vcpus:
        allowed = min(allowed, headroom['cores'] // vcpus)
    if ram:
        allowed = min(allowed, headroom['ram'] // ram)
    if min_count <= allowed <= max_count:
        return instances_allowed(quotas, used, flavor, min_count, allowed)
    number = str(min_count) if min_count == max_count else '%d-%d' % (min_count, max_count)
    requested = {'instances': number, 'cores': deltas['cores'], 'ram': deltas['ram']}
    raise QuotaError('Quota exceeded for %(overs)s: Requested %(req)s, but already used %(used)s of %(allowed)s %(overs)s'
                     % {'overs': ', '.join(overs), 'req': ', '.join(str(requested[r]) for r in overs),
                        'used': ', '.join(str(quotas[r] - headroom[r]) for r in overs),
                        'allowed': ', '.join(str(quotas[r]) for r in overs)})


def check_server_group(quotas, used, group, count):
    """The server group quotas (nova/compute/api.py _validate_and_build_base_options and the
    server group API): a new group must fit the project's server_groups, and the group's
    members with the `count` new ones its server_group_members."""
    if not group:
        return
    members = used['server_groups'].get(group, 0)
    if members == 0 and quotas['server_groups'] >= 0 and len(used['server_groups']) + 1 > quotas['server_groups']:
        raise QuotaError('Quota exceeded, too many server groups. (the project has %d of %d: %s)'
                         % (len(used['server_groups']), quotas['server_groups'], ', '.join(sorted(used['server_groups']))))
    if quotas['server_group_members'] >= 0 and members + count > quotas['server_group_members']:
        raise QuotaError('Quota exceeded, too many servers in group (%s has %d of %d, %d requested)'
                         % (group, members, quotas['server_group_members'], count))


def check(quotas, states, project_id, flavor, min_count, max_count, server_group=None, exclude=()):
    """How many of `max_count` new instances the project's quotas allow (at least `min_count`),
    or QuotaError. Returns {'allowed', 'limits', 'usage', 'uncounted'}: `uncounted`, the hosts
    whose instances could not be read (their instances are not in the usage)."""
    quota = limits(quotas, project_id)
    used, uncounted = usage(states, project_id, exclude)
    try:
        allowed = instances_allowed(quota, used, flavor, min_count, max_count)
        check_server_group(quota, used, server_group, allowed)
    except QuotaError as err:
        raise QuotaError('%s (project %s%s)' % (err, "'%s'" % project_id if project_id else 'none',
                                                '; not counted: %s, unreachable' % ', '.join(uncounted) if uncounted else ''))
    return {'allowed': allowed, 'limits': quota, 'usage': used, 'uncounted': uncounted}
