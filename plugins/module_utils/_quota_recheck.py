# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nova's quota recheck (nova/conductor/manager.py schedule_and_build_instances ->
_recheck_quota, [quota] recheck_quota): once an instance's record exists - here, once it is
claimed - the project's usage is counted again, so that racing runs that both passed the
check before scheduling cannot both stay over.

Nova lets every over-quota request of a race fail; here the instances are taken in the order
they were claimed (the record's `claimed_at`, then `created_at`, then the UUID), and an
instance keeps its claim only if it and every instance claimed before it fit the limits, so
racing runs end with exactly the quota filled. Pure."""

from __future__ import annotations

RESOURCES = ('instances', 'cores', 'ram')
UNITS = {'instances': 'instances', 'cores': 'cores', 'ram': 'ram'}


def order_key(record):
    return (record.get('claimed_at') or record.get('created_at') or '', record.get('uuid') or '')


def recheck(limits, records, name):
    """Why the instance `name` may not keep its claim under the project's `limits`
    ({instances, cores, ram}: -1 unlimited), given every instance record of the project on the
    fleet (its own among them); None when it may."""
    mine = [r for r in records if r.get('name') == name]
    if not mine:
        return None
    me = mine[0]
    used = {res: 0 for res in RESOURCES}
    for rec in sorted(records, key=order_key):
        if rec is me:
            break
        used = _add(used, rec)
    wanted = _add({res: 0 for res in RESOURCES}, me)
    overs = [res for res in RESOURCES if limits.get(res, -1) >= 0 and used[res] + wanted[res] > limits[res]]
    if not overs:
        return None
    return ('Quota exceeded for %s: Requested %s, but already used %s of %s %s (counted again after the claim: '
            'instances of the project claimed before this one take the quota first)'
            % (', '.join(overs), ', '.join(str(wanted[r]) for r in overs), ', '.join(str(used[r]) for r in overs),
               ', '.join(str(limits[r]) for r in overs), ', '.join(UNITS[r] for r in overs)))


def _add(used, record):
    flavor = record.get('flavor') or {}
    return {'instances': used['instances'] + 1, 'cores': used['cores'] + int(flavor.get('vcpus') or 0),
            'ram': used['ram'] + int(flavor.get('memory_mb') or 0)}
