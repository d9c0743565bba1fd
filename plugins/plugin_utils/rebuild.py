# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API side of a rebuild (nova/compute/api.py rebuild): where the instance is, whether
Nova lets it be rebuilt, and the image - the catalog entry named, or the one it was built from.
Pure: plain dicts in, plain dicts out."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.plugin_utils.migration import MigrationRefused, located
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import SchedulerError

_FIELDS = ('instance', 'image', 'user_data', 'admin_password', 'metadata', 'preserve_ephemeral', 'wait_for',
           'boot_marker')


def check_request(request):
    """The request: {instance, image, user_data, admin_password, metadata, preserve_ephemeral,
    wait_for, boot_marker}."""
    if not isinstance(request, dict):
        raise SchedulerError('rebuild must be a dict {instance, image, ...}, got %r' % type(request).__name__)
    unknown = sorted(set(request) - set(_FIELDS))
    if unknown:
        raise SchedulerError('rebuild: unknown field(s) %s; known: %s' % (', '.join(unknown), ', '.join(_FIELDS)))
    try:
        _domain_xml.check_name(request.get('instance'), 'name')
    except InvalidInput as err:
        raise SchedulerError('rebuild.instance must be an instance name: %s' % err)
    image = request.get('image')
    if image is not None and (not isinstance(image, str) or not image):
        raise SchedulerError('rebuild.image must be the name or id of an image of novalite_images, got %r' % (image,))
    if not isinstance(request.get('preserve_ephemeral', False), bool):
        raise SchedulerError('rebuild.preserve_ephemeral must be true or false')
    for field in ('user_data', 'admin_password'):
        if request.get(field) is not None and not isinstance(request[field], str):
            raise SchedulerError('rebuild.%s must be a string' % field)   # never the value: it is a secret
    if request.get('metadata') is not None and not isinstance(request['metadata'], dict):
        raise SchedulerError('rebuild.metadata must be a dict of strings')
    return {'instance': request['instance'], 'image': image,
            'preserve_ephemeral': request.get('preserve_ephemeral', False)}


def plan(request, states, fleet, images=None):
    """What rebuild.yml does: {instance, uuid, host, uri, virt_type, image (the catalog entry),
    preserve_ephemeral}. `states`: scheduler_hosts; `fleet`: boot_hosts; `images`: novalite_images."""
    request = check_request(request)
    copies = located(states, request['instance'])
    current = copies[0]
    entry = current['entry']
    if entry.get('migration'):
        raise MigrationRefused("Cannot 'rebuild' instance %s while it is in task_state %s (a %s is open)" % (
            entry.get('uuid'), entry.get('task_state') or entry.get('vm_state'),
            entry['migration'].get('migration_type')))
    wanted = request['image'] or entry.get('image_id')
    image = None
    for candidate in images or []:
        if isinstance(candidate, dict) and wanted in (candidate.get('name'), candidate.get('id')):
            image = candidate
            break
    if image is None:
        raise MigrationRefused('Image %s could not be found (rebuild.image: not in novalite_images).' % wanted)
    host = current['host']
    if host not in fleet:
        raise MigrationRefused('Compute host %s is not in the fleet (compute_hosts)' % host)
    return {'instance': request['instance'], 'uuid': entry.get('uuid'), 'host': host, 'uri': fleet[host]['uri'],
            'virt_type': (fleet[host].get('settings') or {}).get('virt_type') or 'kvm', 'image': image,
            'preserve_ephemeral': request['preserve_ephemeral']}
