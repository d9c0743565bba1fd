# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conductor's evacuation (nova/compute/api.py evacuate, `nova host-evacuate`;
conductor/manager.py rebuild_instance with a new host; compute/manager.py
_destroy_evacuated_instances): what a down host held, and where each instance is rebuilt.
Pure: plain dicts in, plain dicts out.

The instances of a host whose libvirt cannot be asked are known from the records
host_facts last wrote on the controller (`records`: the host's records file; Nova reads its
database). An instance found on a reachable host is not evacuated (evacuated before, or moved
since). Each one is scheduled with its flavor, image, zone and server group policy, the down
host ignored, the choices before it counted (Nova schedules them one by one).

When the host answers again, its copies of instances that were evacuated (each now runs
elsewhere, its record's newest migration an `evacuation` from this host) are stale: they are
removed, not started (Nova's _destroy_evacuated_instances).
"""

from __future__ import annotations

import math

from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.plugin_utils.migration import MigrationRefused, locate
from ansible_collections.novalite.compute.plugins.plugin_utils.migration import move_request
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts

_FIELDS = ('host', 'instance', 'target')
# Nova's evacuate: check_instance_state(vm_state=[ACTIVE, STOPPED, ERROR], task_state=None).
EVACUABLE = ('active', 'stopped', 'error')


def check_request(request):
    """The request: {host (the down one), instance (one of its instances; all by default),
    target (a host for them, checked by the scheduler)}."""
    if not isinstance(request, dict):
        raise SchedulerError('evacuate must be a dict {host, instance, target}, got %r' % type(request).__name__)
    unknown = sorted(set(request) - set(_FIELDS))
    if unknown:
        raise SchedulerError('evacuate: unknown field(s) %s; known: %s' % (', '.join(unknown), ', '.join(_FIELDS)))
    for field in ('host', 'target'):
        value = request.get(field)
        if (field == 'host' or value is not None) and (not isinstance(value, str) or not value):
            raise SchedulerError('evacuate.%s must be a host name, got %r' % (field, value))
    instance = request.get('instance')
    if instance is not None:
        try:
            _domain_xml.check_name(instance, 'name')
        except InvalidInput as err:
            raise SchedulerError('evacuate.instance must be an instance name: %s' % err)
    if request.get('target') and request['target'] == request['host']:
        raise SchedulerError('evacuate.target: the instances cannot be rebuilt on the host they are evacuated from')
    return {'host': request['host'], 'instance': instance, 'target': request.get('target') or None}


def plan(request, states, fleet, records=None, options=None, images=None):
    """What evacuate.yml does: {host, down, stale: [{instance, uuid, runs_on}], evacuate:
    [{instance, uuid, dest, uri, settings, record, image}], skipped: [{instance, reason}], lines}.
    `states`: scheduler_hosts; `fleet`: boot_hosts; `records`: the down host's records file
    ({host, taken_at, records}) or None; `images`: novalite_images."""
    request = check_request(request)
    host = request['host']
    if host not in states:
        raise MigrationRefused('Compute host %s could not be found.' % host)
    result = {'host': host, 'down': bool(states[host].get('unreachable')), 'stale': [], 'evacuate': [], 'skipped': []}
    if not result['down']:
        result['stale'] = stale_copies(states, host)
        if not result['stale'] and (request['instance'] or request['target']):
            raise MigrationRefused('Compute service of %s is still in use.' % host)
        result['lines'] = ['%s answers: %s' % (host, 'its stale copies go: %s' % ', '.join(
            s['instance'] for s in result['stale']) if result['stale'] else 'nothing to evacuate, nothing stale')]
        return result
    known = (records or {}).get('records')
    if known is None:
        raise MigrationRefused('The instances of %s are not known: no records were written for it (host_facts writes '
                               'them on the controller whenever the fleet\'s facts are gathered; see docs/migration.md)'
                               % host)
    wanted = [r for r in known if isinstance(r, dict) and r.get('name') and
              (request['instance'] is None or r['name'] == request['instance'])]
    if request['instance'] and not wanted:
        raise MigrationRefused('Instance %s could not be found on %s (records of %s).'
                               % (request['instance'], host, records.get('taken_at')))
    states = {h: _copy_state(s) for h, s in states.items()}
    for rec in sorted(wanted, key=lambda r: r['name']):
        copies = [c for c in locate(states, rec['name']) if c['host'] != host]
        elsewhere = [c for c in copies if c['role'] == 'instance']
        if elsewhere:
            result['skipped'].append({'instance': rec['name'], 'reason': 'runs on %s' % elsewhere[0]['host']})
            continue
        # An evacuation of it cut short (its claim is on a host, the migration open) goes on there.
        started = [c['host'] for c in copies
                   if (c['entry'].get('migration') or {}).get('migration_type') == 'evacuation'
                   and c['entry'].get('uuid') == rec.get('uuid')]
        problem = _refusal(rec)
        if problem:
            result['skipped'].append({'instance': rec['name'], 'reason': problem})
            continue
        if started:
            dest = started[0]
        else:
            spec = move_request(entry_of(rec), images)
            spec['ignore_hosts'] = [host]
            if request['target']:
                spec['requested_destination'] = {'host': request['target']}
            try:
                placed = select_hosts(spec, states, options)
            except NoValidHost as err:
                result['skipped'].append({'instance': rec['name'], 'reason': str(err)})
                continue
            dest = placed['selections'][0]['host']
        if dest not in fleet:
            result['skipped'].append({'instance': rec['name'], 'reason': '%s is not in the fleet' % dest})
            continue
        _consume(states[dest], rec)
        image = _image_of(rec, images)
        if image is None:
            result['skipped'].append({'instance': rec['name'], 'reason': 'Image %s could not be found (not in '
                                      'novalite_images).' % (rec.get('image') or {}).get('id')})
            continue
        result['evacuate'].append({'instance': rec['name'], 'uuid': rec.get('uuid'), 'dest': dest,
                                   'uri': fleet[dest]['uri'],
                                   'settings': dict(fleet[dest].get('settings') or {}),
                                   'record': rec, 'image': image})
    result['lines'] = (['%s is down (records of %s)' % (host, records.get('taken_at'))] +
                       ['%s: rebuild on %s' % (e['instance'], e['dest']) for e in result['evacuate']] +
                       ['%s: not evacuated: %s' % (s['instance'], s['reason']) for s in result['skipped']])
    return result


def stale_copies(states, host):
    """The copies on `host` (answering again) of instances that run elsewhere, evacuated from it."""
    found = []
    for entry in (states[host].get('instances') or {}).values():
        if not isinstance(entry, dict) or not entry.get('managed'):
            continue
        for copy in locate(states, entry['name']):
            last = copy['entry'].get('last_migration') or {}
            if copy['host'] != host and copy['entry'].get('uuid') == entry.get('uuid') and \
                    last.get('migration_type') == 'evacuation' and last.get('source_compute') == host:
                found.append({'instance': entry['name'], 'uuid': entry.get('uuid'), 'runs_on': copy['host']})
                break
    return sorted(found, key=lambda s: s['instance'])


def entry_of(rec):
    """A record as the scheduler's instance entry (what move_request reads)."""
    ports = rec.get('ports') or []
    return {'name': rec.get('name'), 'uuid': rec.get('uuid'), 'flavor_spec': dict(rec.get('flavor') or {}),
            'image_id': (rec.get('image') or {}).get('id'), 'project_id': rec.get('project_id'),
            'boot_from_volume': bool(rec.get('boot_from_volume')), 'availability_zone': rec.get('availability_zone'),
            'server_group': rec.get('server_group'), 'server_group_policy': rec.get('server_group_policy'),
            'server_group_max_per_host': rec.get('server_group_max_per_host'),
            'networks': sorted({p.get('network') for p in ports if p.get('network')})}


def _refusal(rec):
    if rec.get('boot_from_volume') or {d.get('kind') for d in rec.get('block_devices') or []} - {'disk', 'config_drive'}:
        return 'evacuation of an instance with volumes is not built'
    if rec.get('vm_state') not in EVACUABLE:
        return "Cannot 'evacuate' instance %s while it is in vm_state %s" % (rec.get('uuid'), rec.get('vm_state'))
    if rec.get('task_state'):
        return "Cannot 'evacuate' instance %s while it is in task_state %s" % (rec.get('uuid'), rec.get('task_state'))
    return None


def _image_of(rec, images):
    wanted = (rec.get('image') or {}).get('id')
    for image in images or []:
        if isinstance(image, dict) and wanted in (image.get('id'), image.get('name')):
            return image
    return None


def _copy_state(state):
    copied = dict(state)
    copied['instances'] = dict(state.get('instances') or {})
    return copied


def _consume(state, rec):
    """The scheduler's view of `state` with the instance placed there (the next choice sees it)."""
    flavor = rec.get('flavor') or {}
    mem, vcpus = int(flavor.get('memory_mb') or 0), int(flavor.get('vcpus') or 0)
    disk = _flavor.disk_gb(flavor, rec.get('boot_from_volume', False))
    state['memory_mb_used'] = (state.get('memory_mb_used') or 0) + mem
    state['free_ram_mb'] = (state.get('free_ram_mb') or 0) - mem
    state['vcpus_used'] = (state.get('vcpus_used') or 0) + vcpus
    state['local_gb_used'] = (state.get('local_gb_used') or 0) + disk
    state['free_disk_gb'] = (state.get('free_disk_gb') or 0) - int(math.ceil(disk))
    state['num_instances'] = (state.get('num_instances') or 0) + 1
    entry = dict(entry_of(rec), managed=True, active=True, vm_state='building', task_state='rebuild_spawning',
                 vcpus=vcpus, memory_mb=mem, disk_gb=disk)
    state['instances'][(rec.get('uuid') or rec['name']) + '-evacuated'] = entry
