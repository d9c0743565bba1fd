# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Persistent volumes (Cinder-like) in the volumes pool: `volume-<id>`, the id given or derived
from the volume's name (so a name always finds the same volume). Pure."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils._block_device import GiB, volume_name
from ansible_collections.novalite.compute.plugins.module_utils._image_cache import domain_paths
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool

NAME_NAMESPACE = uuid.UUID('f1d7c9a4-0b6e-4e8a-9a3d-5c2b7e1f4a90')
NAME_PATTERN = re.compile(r'^[\w.-]{1,255}\Z', re.UNICODE)


def volume_id(name, given_id):
    if given_id:
        try:
            return str(uuid.UUID(given_id))
        except ValueError:
            raise InvalidInput('id %r is not a UUID' % (given_id,))
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or '..' in name:
        raise InvalidInput("name %r is not a valid volume name (letters, digits, '.', '_', '-'; no '..')" % (name,))
    return str(uuid.uuid5(NAME_NAMESPACE, name))


def describe(vol, domains):
    """A volume as volume_info shows it, with the domains that use it."""
    root = ET.fromstring(vol['xml'])
    name = root.findtext('name')
    return {
        'id': name[len('volume-'):] if name.startswith('volume-') else None,
        'volume': name,
        'path': vol['path'],
        'size_gb': int(root.findtext('capacity')) // GiB,
        'capacity': int(root.findtext('capacity')),
        'allocation': int(root.findtext('allocation') or 0),
        'format': root.find('target/format').get('type') if root.find('target/format') is not None else None,
        'attached_to': sorted(d['name'] for d in domains if vol['path'] in domain_paths(d['xml'])),
    }


def plan(current, size_gb, image, state):
    """What to do: create, grow, remove, or nothing; refusals as errors."""
    if state == 'absent':
        if current is None:
            return []
        if current['attached_to']:
            raise InvalidInput("volume %s is attached to %s; detach it first"
                               % (current['id'], ', '.join(current['attached_to'])))
        return ['remove']
    if current is None:
        if size_gb is None:
            raise InvalidInput('size is required to create a volume')
        if image is not None and image['virtual_size'] > size_gb * GiB:
            raise InvalidInput('size %d GiB is smaller than the image (%d bytes)' % (size_gb, image['virtual_size']))
        return ['create_from_image' if image is not None else 'create']
    if size_gb is None or size_gb * GiB == current['capacity']:
        return []
    if size_gb * GiB < current['capacity']:
        raise InvalidInput('volume %s is %d GiB; a volume is never shrunk (size %d)'
                           % (current['id'], current['size_gb'], size_gb))
    return ['grow']


def volume_xml(vid, size_gb):
    return _storage_pool.volume_xml(volume_name(vid), size_gb * GiB, 'qcow2', '0600', allocation=0)
