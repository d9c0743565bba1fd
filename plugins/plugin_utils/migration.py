# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conductor's live migration (nova/conductor/tasks/live_migrate.py LiveMigrationTask):
where the instance is, whether it may move, and the destination - the operator's host,
checked by the scheduler unless forced, or the scheduler's choice among the other hosts.
Pure: plain dicts in, plain dicts out.

The RequestSpec of a move is rebuilt from the instance record as its host reports it (Nova
keeps the RequestSpec of the boot): its flavor, its image's properties from the catalog, its
project, boot-from-volume, availability zone and server group with its policy; the source
host is ignored, and so are the instance's own places in its group (Nova's group hosts
exclude the instance being moved).
"""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts

_REQUEST_FIELDS = ('instance', 'host', 'force', 'completion_timeout')


class MigrationRefused(Exception):
    """Nova refuses the migration before it starts (MigrationPreCheckError and its kin)."""


def check_request(request):
    """The live migration request: {instance, host (optional), force (with host), completion_timeout}."""
    if not isinstance(request, dict):
        raise SchedulerError('live_migration must be a dict {instance, host, force}, got %r' % (request,))
    unknown = sorted(set(request) - set(_REQUEST_FIELDS))
    if unknown:
        raise SchedulerError('live_migration: unknown field(s) %s; known: %s'
                             % (', '.join(unknown), ', '.join(_REQUEST_FIELDS)))
    name = request.get('instance')
    try:
        _domain_xml.check_name(name, 'name')
    except InvalidInput as err:
        raise SchedulerError('live_migration.instance must be an instance name: %s' % err)
    host = request.get('host') or None
    if host is not None and not isinstance(host, str):
        raise SchedulerError('live_migration.host must be a host name, got %r' % (host,))
    force = request.get('force', False)
    if not isinstance(force, bool):
        raise SchedulerError('live_migration.force must be true or false, got %r' % (force,))
    if force and not host:
        raise SchedulerError('live_migration.force needs live_migration.host (Nova forces only a named host)')
    timeout = request.get('completion_timeout', 800)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        raise SchedulerError('live_migration.completion_timeout must be 0 or more seconds per GiB, got %r' % (timeout,))
    return {'instance': name, 'host': host, 'force': force, 'completion_timeout': timeout}


def locate(states, name):
    """Every copy of the instance on the hosts: [{host, entry, role}], the instance itself
    first (role: _migration.copy_role), then a running one."""
    found = []
    for host, state in sorted(states.items()):
        for entry in (state.get('instances') or {}).values():
            if isinstance(entry, dict) and entry.get('managed') and entry.get('name') == name:
                role = _migration.copy_role(entry.get('migration'), host, entry.get('active'))
                found.append({'host': host, 'entry': entry, 'role': role})
    return sorted(found, key=lambda f: (f['role'] != 'instance', not f['entry'].get('active')))


def located(states, name):
    """locate(), or Nova's InstanceNotFound wording (with the hosts that could not be read)."""
    copies = locate(states, name)
    if not copies:
        unreachable = sorted(h for h, s in states.items() if s.get('unreachable'))
        raise MigrationRefused('Instance %s could not be found%s.' % (
            name, ' (hosts not reachable: %s)' % ', '.join(unreachable) if unreachable else ''))
    return copies


def plan(request, states, fleet, options=None, images=None, networks=None):
    """What live_migrate.yml does: {action: migrate|finish|none, instance, uuid, source,
    dest, cleanup, trace, reason, networks, hosts}. `states`: scheduler_hosts; `fleet`:
    boot_hosts; `images`, `networks`: the catalog (novalite_images, novalite_networks).
    `hosts` is what the live_migration module takes: source and cleanup {host, uri}, dest
    {host, uri, address, settings}."""
    result = _plan(check_request(request), states, options, images, networks)
    result['hosts'] = module_hosts(result, fleet)
    return result


def module_hosts(result, fleet):
    """The source, destination and cleanup hosts as the live_migration module takes them."""
    def host(name, full=False):
        if name not in fleet:
            raise MigrationRefused('Compute host %s is not in the fleet (compute_hosts)' % name)
        entry = {'host': name, 'uri': fleet[name]['uri']}
        if full:
            entry['settings'] = {k: v for k, v in (fleet[name].get('settings') or {}).items() if k != 'virt_type'}
            if fleet[name].get('address'):
                entry['address'] = fleet[name]['address']
        return entry
    if result['action'] == 'none':
        return None
    return {'source': host(result['source']), 'dest': host(result['dest'], full=True),
            'cleanup': [host(h) for h in result['cleanup'] if h in fleet]}


def _plan(request, states, options, images, networks):
    name, host = request['instance'], request['host']
    copies = located(states, name)
    running = copies[0]
    entry = running['entry']
    migration = entry.get('migration') or {}
    others = sorted({c['host'] for c in copies[1:]} | ({migration.get('dest_compute')} - {None, running['host']}))
    result = {'instance': name, 'uuid': entry.get('uuid'), 'source': running['host'], 'dest': None,
              'cleanup': others, 'trace': None, 'reason': None, 'action': 'migrate',
              'networks': _networks_of(entry, networks)}
    if entry.get('active') and entry.get('task_state') == _migration.TASK_STATE \
            and migration.get('status') in _migration.OPEN_STATUSES \
            and migration.get('dest_compute') == running['host']:
        # libvirt moved it, the run that did stopped before closing the record: finish that.
        result.update(action='finish', source=migration.get('source_compute'), dest=running['host'],
                      cleanup=[h for h in others if h != migration.get('source_compute')],
                      reason='finishing the live migration %s from %s' % (
                          migration.get('uuid'), migration.get('source_compute')))
        return result
    if host and host == running['host'] and not others:
        result.update(action='none', dest=host, reason='instance %s is on %s already' % (name, host))
        return result
    if host and host == running['host']:
        raise MigrationRefused('Unable to migrate instance (%s) to current host (%s).' % (entry.get('uuid'), host))
    if host and host not in states:
        raise MigrationRefused('Compute host %s could not be found.' % host)
    if request['force']:
        result.update(dest=host, reason='forced to %s' % host)
        _check_forced(entry, running['host'], host, states)
        return result
    spec = move_request(entry, images)
    spec['ignore_hosts'] = [running['host']]
    if host:
        spec['requested_destination'] = {'host': host}
    attempted = [running['host']]
    while True:
        try:
            placed = select_hosts(dict(spec, ignore_hosts=list(attempted)), states, options)
        except NoValidHost as err:
            raise NoValidHost(err.reason, err.trace)
        dest = placed['selections'][0]['host']
        problem = compatibility(states[running['host']], states[dest])
        if not problem:
            break
        attempted.append(dest)        # Nova: skip the host and ask the scheduler again
        result.setdefault('skipped', []).append({'host': dest, 'reason': problem})
    result.update(dest=dest, trace=placed['trace'], reason='chosen by the scheduler' if not host else
                  'the requested host passed the scheduler')
    return result


def move_request(entry, images=None):
    """The scheduler request of a move, from the instance as its host reports it."""
    flavor = dict(entry.get('flavor_spec') or {})
    if not flavor:
        flavor = {'vcpus': entry.get('vcpus') or 1, 'memory_mb': entry.get('memory_mb') or 1,
                  'root_gb': entry.get('disk_gb') or 0}
    image_id = entry.get('image_id')
    props = {}
    for image in images or []:
        if isinstance(image, dict) and image_id and image_id in (image.get('id'), image.get('name')):
            props = dict(image.get('properties') or {})
    request = {'flavor': flavor, 'image': {'id': image_id, 'properties': props}, 'num_instances': 1,
               'instance_uuids': [entry.get('uuid')], 'project_id': entry.get('project_id'),
               'boot_from_volume': bool(entry.get('boot_from_volume'))}
    zone = (entry.get('availability_zone') or '').split(':')[0]
    if zone:
        # The zone holds; a host the boot forced (zone:host) does not (RequestSpec.reset_forced_destinations).
        request['availability_zone'] = zone
    group = entry.get('server_group')
    if group and entry.get('server_group_policy'):
        rules = {}
        if entry.get('server_group_max_per_host'):
            rules['max_server_per_host'] = int(entry['server_group_max_per_host'])
        request['server_group'] = {'name': group, 'policy': entry['server_group_policy'], 'rules': rules}
        request['scheduler_hints'] = {'group': group}
    return request


def compatibility(source, dest):
    """LiveMigrationTask._check_compatible_with_source_hypervisor: the same hypervisor type,
    the destination's version not older. Why not, or None."""
    if source.get('hypervisor_type') != dest.get('hypervisor_type'):
        return 'hypervisor type %s is not the source\'s %s (InvalidHypervisorType)' % (
            dest.get('hypervisor_type'), source.get('hypervisor_type'))
    if (source.get('hypervisor_version') or 0) > (dest.get('hypervisor_version') or 0):
        return ('The instance requires a newer hypervisor version than has been provided: %s is older than '
                'the source\'s %s (DestinationHypervisorTooOld)'
                % (dest.get('hypervisor_version'), source.get('hypervisor_version')))
    return None


def _check_forced(entry, source, dest, states):
    """A forced host skips the scheduler; Nova still checks it is up, has the memory
    (_check_destination_has_enough_memory, the RAM filter's rule) and a compatible hypervisor."""
    state = states[dest]
    if state.get('unreachable'):
        raise MigrationRefused('Compute service of %s is unavailable at this time (%s).' % (dest, state['unreachable']))
    total = state.get('memory_mb') or 0
    ratio = float(state.get('ram_allocation_ratio') or 1.0)
    avail = total * ratio - (total - (state.get('free_ram_mb') or 0))
    mem = entry.get('memory_mb') or 0
    if not mem or avail <= mem:
        raise MigrationRefused('Unable to migrate %s to %s: Lack of memory(host:%s <= instance:%s)'
                               % (entry.get('uuid'), dest, int(avail), mem))
    problem = compatibility(states[source], state)
    if problem:
        raise MigrationRefused('Unable to migrate %s to %s: %s' % (entry.get('uuid'), dest, problem))


def _networks_of(entry, catalog):
    wanted = set(entry.get('networks') or [])
    return [n for n in catalog or [] if isinstance(n, dict) and n.get('name') in wanted]
