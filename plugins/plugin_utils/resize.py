# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conductor's resize and cold migration (nova/compute/api.py resize, confirm_resize,
revert_resize; nova/conductor/tasks/migrate.py MigrationTask): where the instance and its
copies are, whether Nova lets it move, and the destination - the scheduler's choice with the
new flavor among the other hosts, or the operator's host (a cold migration's `host`, checked
by the scheduler: Nova 2.56+ has no force for it). Pure: plain dicts in, plain dicts out.

The RequestSpec is the one of a live migration (plugin_utils/migration.move_request: the
instance's image properties, project, zone, server group with its policy) with the new
flavor; the source host is ignored (Nova's ignore_hosts; a resize on the same host is not
built, as Nova's allow_resize_to_same_host defaults to False).
"""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.plugin_utils.migration import MigrationRefused, located
from ansible_collections.novalite.compute.plugins.plugin_utils.migration import module_hosts, move_request
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts

# The request of each playbook: resize.yml's `resize`, migrate.yml's `migrate`.
_FIELDS = {'resize': ('instance', 'flavor', 'confirm', 'revert', 'shutdown_timeout'),
           'migrate': ('instance', 'host', 'confirm', 'revert', 'shutdown_timeout')}
DEFAULT_SHUTDOWN_TIMEOUT = 60      # Nova's [DEFAULT] shutdown_timeout


def check_request(request, kind):
    """The request: {instance, flavor (resize) or host (migrate), confirm, revert, shutdown_timeout}."""
    if not isinstance(request, dict):
        raise SchedulerError('%s must be a dict {instance, ...}, got %r' % (kind, request))
    unknown = sorted(set(request) - set(_FIELDS[kind]))
    if unknown:
        raise SchedulerError('%s: unknown field(s) %s; known: %s' % (kind, ', '.join(unknown), ', '.join(_FIELDS[kind])))
    try:
        _domain_xml.check_name(request.get('instance'), 'name')
    except InvalidInput as err:
        raise SchedulerError('%s.instance must be an instance name: %s' % (kind, err))
    result = {'instance': request['instance'], 'operation': kind, 'flavor': None, 'host': None}
    for flag in ('confirm', 'revert'):
        if not isinstance(request.get(flag, False), bool):
            raise SchedulerError('%s.%s must be true or false, got %r' % (kind, flag, request[flag]))
        if request.get(flag):
            result['operation'] = flag
    if request.get('confirm') and request.get('revert'):
        raise SchedulerError('%s: confirm and revert are mutually exclusive' % kind)
    timeout = request.get('shutdown_timeout')
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0):
        raise SchedulerError('%s.shutdown_timeout must be 0 or more seconds, got %r' % (kind, timeout))
    result['shutdown_timeout'] = timeout
    if kind == 'resize' and result['operation'] == 'resize':
        if not isinstance(request.get('flavor'), str) or not request.get('flavor'):
            raise SchedulerError('resize.flavor must be the name or id of a flavor of novalite_flavors, got %r'
                                 % (request.get('flavor'),))
        result['flavor'] = request['flavor']
    elif request.get('flavor') is not None:
        raise SchedulerError('resize.flavor goes with a resize, not with confirm or revert')
    host = request.get('host')
    if host is not None and (not isinstance(host, str) or not host):
        raise SchedulerError('migrate.host must be a host name, got %r' % (host,))
    if host and result['operation'] != 'migrate':
        raise SchedulerError('migrate.host goes with a migration, not with confirm or revert')
    result['host'] = host or None
    return result


def plan(request, kind, states, fleet, options=None, images=None, networks=None, flavors=None):
    """What resize.yml (kind 'resize') and migrate.yml (kind 'migrate') do: {action:
    resize|confirm|revert|none, instance, uuid, source, dest, cleanup, flavor (the new one's
    catalog entry, for a resize), shutdown_timeout, trace, reason, networks, hosts}.
    `states`: scheduler_hosts; `fleet`: boot_hosts; `images`, `networks`, `flavors`: the catalog."""
    request = check_request(request, kind)
    result = _plan(request, states, options, images, networks, flavors)
    result['hosts'] = module_hosts(result, fleet)
    if result['hosts']:
        result['hosts']['dest'].pop('address', None)     # a live migration's, not a resize's
    return result


def _plan(request, states, options, images, networks, flavors):
    name = request['instance']
    copies = located(states, name)
    current = copies[0]
    entry = current['entry']
    migration = entry.get('migration') or {}
    resizing = migration.get('migration_type') in _migration.RESIZE_TYPES
    result = {'instance': name, 'uuid': entry.get('uuid'), 'source': current['host'], 'dest': None,
              'cleanup': sorted({c['host'] for c in copies[1:]}), 'flavor': None, 'trace': None, 'reason': None,
              'shutdown_timeout': _shutdown_timeout(request, entry, images),
              'networks': [n for n in networks or [] if isinstance(n, dict) and n.get('name') in
                           set(entry.get('networks') or [])]}
    if request['operation'] in ('confirm', 'revert'):
        return _confirm_or_revert(request, result, current, migration if resizing else {}, states)
    if resizing and migration.get('status') in _migration.RESIZED_STATUSES:
        asked = request['host'] or (request['flavor'] and request['flavor'] in (entry.get('flavor'), (
            entry.get('flavor_spec') or {}).get('id')))
        if current['role'] == 'instance' and asked and (request['host'] in (None, current['host'])):
            result.update(action='none', dest=current['host'], reason='instance %s was %s to %s already: '
                          'confirm or revert' % (name, 'resized' if request['flavor'] else 'migrated',
                                                 current['host']))
            if any(c['role'] == 'instance' for c in copies[1:]):
                # The run that finished it stopped before closing the source's record: close it.
                result.update(action='resize', source=migration.get('source_compute'), cleanup=[],
                              flavor=entry.get('flavor_spec') if request['flavor'] else None)
            return result
        raise MigrationRefused("Cannot '%s' instance %s while it is in vm_state %s" % (
            request['operation'], entry.get('uuid'), entry.get('vm_state')))
    interrupted = resizing and current['role'] == 'instance'
    if interrupted and migration.get('dest_compute'):
        result['cleanup'] = sorted(set(result['cleanup']) | {migration['dest_compute']} - {current['host']})
    state = dict(entry, task_state=None) if interrupted else entry
    problem = _migration.resize_refusal(state, 'resize' if request['operation'] == 'resize' else 'migration')
    if problem:
        raise MigrationRefused(problem)
    old = dict(entry.get('flavor_spec') or {})
    new = old
    if request['operation'] == 'resize':
        try:
            new = _flavor.resolve(flavors or [], request['flavor'])
        except InvalidInput as err:
            raise MigrationRefused('resize.flavor: %s' % err)
        problem = _migration.flavor_refusal(old, new, entry.get('boot_from_volume'))
        if problem:
            raise MigrationRefused(problem)
        result['flavor'] = {k: v for k, v in new.items() if k != 'guest'}   # the catalog entry, validated
    host = request['host']
    if host and host == current['host']:
        if not interrupted:
            result.update(action='none', dest=host, reason='instance %s is on %s already' % (name, host))
            return result
        raise MigrationRefused('Cannot migrate to the host where the server exists.')
    if host and host not in states:
        raise MigrationRefused('Compute host %s could not be found.' % host)
    spec = move_request(dict(entry, flavor_spec=new), images)
    spec['ignore_hosts'] = [current['host']]
    if host:
        spec['requested_destination'] = {'host': host}
    try:
        placed = select_hosts(spec, states, options)
    except NoValidHost as err:
        raise NoValidHost(err.reason, err.trace)
    dest = placed['selections'][0]['host']
    result.update(action='resize', dest=dest, trace=placed['trace'],
                  cleanup=[h for h in result['cleanup'] if h != dest],
                  reason='chosen by the scheduler' if not host else 'the requested host passed the scheduler')
    return result


def _confirm_or_revert(request, result, current, migration, states):
    """Confirm or revert: the instance must be resized (VERIFY_RESIZE) and both hosts reachable."""
    op = request['operation']
    entry = current['entry']
    if not migration or migration.get('status') not in _migration.RESIZED_STATUSES:
        last = entry.get('last_migration') or {}
        done = {'confirm': 'confirmed', 'revert': 'reverted'}[op]
        if entry.get('vm_state') != 'resized' and last.get('status') == done:
            result.update(action='none', dest=current['host'], reason='the resize was %s already' % done)
            return result
        raise MigrationRefused("Cannot '%s' instance %s while it is in vm_state %s" % (
            'confirmResize' if op == 'confirm' else 'revertResize', entry.get('uuid'), entry.get('vm_state')))
    source, dest = migration.get('source_compute'), migration.get('dest_compute')
    for host in (source, dest):
        if host not in states:
            raise MigrationRefused('Compute host %s could not be found.' % host)
        if states[host].get('unreachable') and not (op == 'revert' and host == dest and current['host'] == source):
            raise MigrationRefused('Compute service of %s is unavailable at this time (%s).'
                                   % (host, states[host]['unreachable']))
    result.update(action=op, source=source, dest=dest, cleanup=[],
                  reason='%s the %s %s from %s to %s' % (op, migration.get('migration_type'),
                                                         migration.get('uuid'), source, dest))
    return result


def _shutdown_timeout(request, entry, images):
    """How long the guest has to stop cleanly: the request's, the image's os_shutdown_timeout
    property (Nova's), or Nova's default."""
    if request.get('shutdown_timeout') is not None:
        return request['shutdown_timeout']
    for image in images or []:
        if isinstance(image, dict) and entry.get('image_id') in (image.get('id'), image.get('name')):
            value = (image.get('properties') or {}).get('os_shutdown_timeout')
            try:
                return int(value) if value is not None else DEFAULT_SHUTDOWN_TIMEOUT
            except (TypeError, ValueError):
                return DEFAULT_SHUTDOWN_TIMEOUT
    return DEFAULT_SHUTDOWN_TIMEOUT
