# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage pools: the desired pool as XML, the existing one parsed back, and the plan that
turns one into the other (pure)."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

NAME_PATTERN = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z')


def validate(name, path, mode):
    if not NAME_PATTERN.match(name or '') or '..' in name:
        raise InvalidInput("name %r is not a valid pool name: use 1-64 letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit, without '..'" % name)
    if path is not None:
        if not path.startswith('/') or posixpath.normpath(path) != path.rstrip('/') or '\x00' in path:
            raise InvalidInput("path '%s' must be an absolute, normalized path (no '..', no '//')" % path)
    if mode is not None and not re.match(r'^0?[0-7]{3}\Z', mode):
        raise InvalidInput("mode '%s' must be an octal permission such as 0711" % mode)


def desired_xml(name, path, mode):
    pool = ET.Element('pool', {'type': 'dir'})
    ET.SubElement(pool, 'name').text = name
    target = ET.SubElement(pool, 'target')
    ET.SubElement(target, 'path').text = path
    perms = ET.SubElement(target, 'permissions')
    ET.SubElement(perms, 'mode').text = mode.zfill(4)
    return ET.tostring(pool, encoding='unicode')


def volume_xml(name, capacity, fmt, mode, allocation=None, backing=None, backing_format=None):
    """A storage volume's definition (virStorageVolCreateXML): its size in bytes, its format,
    its file mode, and for an overlay the volume it is backed by."""
    vol = ET.Element('volume')
    ET.SubElement(vol, 'name').text = name
    ET.SubElement(vol, 'capacity', {'unit': 'bytes'}).text = str(capacity)
    if allocation is not None:
        ET.SubElement(vol, 'allocation', {'unit': 'bytes'}).text = str(allocation)
    target = ET.SubElement(vol, 'target')
    ET.SubElement(target, 'format', {'type': fmt})
    perms = ET.SubElement(target, 'permissions')
    ET.SubElement(perms, 'mode').text = mode
    if backing is not None:
        store = ET.SubElement(vol, 'backingStore')
        ET.SubElement(store, 'path').text = backing
        ET.SubElement(store, 'format', {'type': backing_format})
    return ET.tostring(vol, encoding='unicode')


def describe(state, name):
    """The comparable view of a pool (also what diff shows); None when it does not exist."""
    if state is None:
        return None
    root = ET.fromstring(state['xml'])
    return {
        'name': name,
        'type': root.get('type'),
        'path': root.findtext('target/path'),
        'active': state['active'],
        'autostart': state['autostart'],
    }


def plan(current, name, path, autostart, state):
    """The ordered actions that bring the pool from `current` (describe()) to the request."""
    if state == 'absent':
        return ['remove'] if current is not None else []
    if current is None:
        return ['define', 'start'] + (['autostart'] if autostart else [])
    if current['type'] != 'dir' or current['path'] != path:
        raise InvalidInput("storage pool '%s' exists as a %s pool at '%s'; it cannot be changed to a dir pool at '%s' "
                           "(undefine it first)" % (name, current['type'], current['path'], path))
    actions = []
    if not current['active']:
        actions.append('start')
    if current['autostart'] != autostart:
        actions.append('autostart')
    return actions


def after(current, name, path, autostart, actions):
    """What describe() will say once `actions` are applied."""
    if 'remove' in actions:
        return None
    result = dict(current) if current else {'name': name, 'type': 'dir', 'path': path, 'active': False,
                                            'autostart': False}
    if 'start' in actions:
        result['active'] = True
    if 'autostart' in actions:
        result['autostart'] = autostart
    return result
