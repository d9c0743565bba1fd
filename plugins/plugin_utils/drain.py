# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Draining a hypervisor (Nova's `nova host-evacuate-live`, the operator's maintenance step):
which instances are on it, in which order they move, and what the report says. Pure.

The order respects anti-affinity: members of anti-affinity groups move first, the largest
group first, so that each finds the other hosts before instances without constraints fill
them; each move is then planned by the scheduler on the facts as they are after the moves
before it (the action plugin gathers them again), so that the group's members end on
different hosts."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils._migration import copy_role


def instances_on(states, host):
    """The instances that live on `host` ({name, uuid, vm_state, power, server_group, policy}),
    not a destination's claim of another host's move in progress."""
    found = []
    for entry in ((states.get(host) or {}).get('instances') or {}).values():
        if not isinstance(entry, dict) or not entry.get('managed'):
            continue
        if copy_role(entry.get('migration'), host, entry.get('active')) == 'destination':
            continue                          # the claim of a move onto this host
        # (a resize's source copy stays: its live migration is refused until confirm or revert)
        found.append(entry)
    return found


def order(entries):
    """Names in the order they move: anti-affinity members first (the largest group first), then
    the others; by name within each."""
    groups = {}
    for e in entries:
        if e.get('server_group') and e.get('server_group_policy') in ('anti-affinity', 'soft-anti-affinity'):
            groups.setdefault(e['server_group'], []).append(e['name'])
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    first = [name for dummy, names in ranked for name in sorted(names)]
    return first + sorted(e['name'] for e in entries if e['name'] not in first)


def next_move(states, host, skipped):
    """The next instance to move off `host` (its name), or None when only the ones in
    `skipped` ({name: reason}) are left."""
    for name in order(instances_on(states, host)):
        if name not in skipped:
            return name
    return None


def report(host, moved, skipped, service):
    """What a drain did: {host, service, moved: [{instance, dest, seconds}], not_moved: [{instance,
    reason}], empty, lines, ok}."""
    lines = ['%s: %s' % (host, 'disabled (%s)' % service.get('disabled_reason') if service.get('status') == 'disabled'
                         else service.get('status'))]
    lines += ['moved %s to %s (%.1f s)' % (m['instance'], m['dest'], m['seconds']) for m in moved]
    lines += ['NOT moved %s: %s' % (name, reason) for name, reason in sorted(skipped.items())]
    lines.append('%s is empty' % host if not skipped else '%d instance(s) left on %s' % (len(skipped), host))
    return {'host': host, 'service': service, 'moved': moved,
            'not_moved': [{'instance': n, 'reason': r} for n, r in sorted(skipped.items())],
            'empty': not skipped, 'lines': lines, 'ok': not skipped}
