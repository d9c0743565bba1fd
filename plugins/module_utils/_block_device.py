# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An instance's disks from its block device mappings (Nova's _prep_block_device and the
libvirt driver's _create_image), planned as volumes of the host's storage pools. Pure.

  root from an image   <instance>_disk        qcow2 overlay on the cached image, in the instances pool
  ephemeral N          <instance>_disk.eph<N>  blank qcow2, instances pool
  swap                 <instance>_disk.swap    blank qcow2, instances pool
  volumes              volume-<uuid>           volumes pool: blank, from an image (a copy), or existing

A volume a boot creates gets a uuid derived from the instance and its device, so running the
boot again finds it instead of creating another.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _names
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool

GiB = 1024 ** 3
MiB = 1024 ** 2
VOLUME_NAMESPACE = uuid.UUID('2b7e9d5c-61a4-4c0e-9d53-0f3c8f1a6a27')


def volume_name(volume_id):
    return 'volume-%s' % volume_id


def created_volume_id(instance_uuid, device):
    """The id of the volume a boot creates for an instance's device: from the instance's UUID
    (new for every instance, as Nova's), so that a new instance of an old name never finds the
    volume the old one kept, and a rerun of an interrupted build finds the one it made."""
    return str(uuid.uuid5(VOLUME_NAMESPACE, '%s/%s' % (instance_uuid, device)))


def plan(instance, info, flavor, image, images, instances_pool, volumes_pool, instance_uuid):
    """One entry per disk: where it lives, how it is made, its size in bytes.
    `info`: _bdm.block_device_info(); `image`: the cached image of the request
    (the image module's `volume`: path, data_path, format, virtual_size) or None;
    `images`: {image id: cached volume} for image-to-volume mappings."""
    disks = []
    for entry in info['mapping']:
        kind, dev = entry['kind'], entry['dev']
        disk = {'kind': kind, 'dev': dev, 'device_name': entry['device_name'], 'disk_bus': entry['disk_bus'],
                'device_type': entry['device_type'], 'boot_index': entry['boot_index'],
                'delete_on_termination': bool(entry['delete_on_termination']), 'guest_format': entry['guest_format']}
        if kind == 'config_drive':
            continue                       # made by the spawn step
        if entry['destination_type'] == 'local':
            disk['pool'] = instances_pool
            if entry['source_type'] == 'image':
                if image is None:
                    raise InvalidInput("instance '%s': the root disk comes from an image, but no cached image was "
                                       "given (image)" % instance)
                root_bytes = flavor['root_gb'] * GiB
                if root_bytes and root_bytes < image['virtual_size']:
                    raise InvalidInput("Flavor's disk is too small for requested image. Flavor disk is %d bytes, "
                                       "image is %d bytes." % (root_bytes, image['virtual_size']))
                disk.update(name=_names.root_disk(instance), make='overlay', backing=image['path'], backing_format='qcow2',
                            capacity=root_bytes or image['virtual_size'])
            elif kind == 'swap':
                disk.update(name=_names.swap_disk(instance), make='blank', capacity=entry['size'] * MiB)
            else:
                disk.update(name=_names.ephemeral_disk(instance, entry.get('num', 0)), make='blank',
                            capacity=entry['size'] * GiB, label=entry.get('label'))
            disk['delete_on_termination'] = True     # local disks go with the instance
        else:
            disk['pool'] = volumes_pool
            if entry['source_type'] == 'volume':
                disk.update(volume_id=entry['volume_id'], name=volume_name(entry['volume_id']), make='existing')
            elif entry['source_type'] == 'snapshot':
                raise InvalidInput("instance '%s': %s comes from a snapshot; novalite has no volume snapshots"
                                   % (instance, dev))
            else:
                vid = created_volume_id(instance_uuid, dev)
                disk.update(volume_id=vid, name=volume_name(vid), capacity=entry['size'] * GiB)
                if entry['source_type'] == 'image':
                    source = images.get(entry['image_id'])
                    if source is None:
                        raise InvalidInput("instance '%s': image %s for %s is not cached on this host"
                                           % (instance, entry['image_id'], dev))
                    if source['virtual_size'] > disk['capacity']:
                        raise InvalidInput("instance '%s': volume_size %d GiB for %s is smaller than image %s (%d bytes)"
                                           % (instance, entry['size'], dev, entry['image_id'], source['virtual_size']))
                    disk.update(make='copy', source=source)
                else:
                    disk['make'] = 'blank'
        disks.append(disk)
    return disks


def volume_xml(disk):
    overlay = disk['make'] == 'overlay'
    return _storage_pool.volume_xml(disk['name'], disk['capacity'], 'qcow2', '0600',
                                    allocation=None if disk['make'] == 'copy' else 0,
                                    backing=disk['backing'] if overlay else None,
                                    backing_format=disk['backing_format'] if overlay else None)


def existing_matches(disk, volume_xml_text):
    """An existing volume is this disk when its size and backing agree; anything else is a
    different disk under the same name, which is an error, never silently replaced."""
    root = ET.fromstring(volume_xml_text)
    capacity = int(root.findtext('capacity'))
    backing = root.findtext('backingStore/path')
    problems = []
    if disk['make'] in ('overlay', 'blank', 'copy') and capacity != disk['capacity']:
        problems.append('capacity %d bytes, not %d' % (capacity, disk['capacity']))
    if disk['make'] == 'overlay' and backing != disk['backing']:
        problems.append('backing %s, not %s' % (backing, disk['backing']))
    return problems


def block_device_info(disks, paths, root_device_name):
    """Nova's block_device_info for the spawn step, with the volumes' paths."""
    def entry(d):
        return {'device_name': d['device_name'], 'dev': d['dev'], 'disk_bus': d['disk_bus'],
                'device_type': d['device_type'], 'path': paths.get(d['name']), 'pool': d['pool'], 'volume': d['name'],
                'size': d.get('capacity'), 'boot_index': d['boot_index'], 'guest_format': d.get('guest_format'),
                'delete_on_termination': d['delete_on_termination'], 'volume_id': d.get('volume_id')}
    root = [entry(d) for d in disks if d['kind'] == 'root']
    return {
        'root_device_name': root_device_name,
        'root': root[0] if root else None,
        'boot_from_volume': any(d['kind'] == 'root' and 'volume_id' in d for d in disks),
        'ephemerals': [entry(d) for d in disks if d['kind'] == 'ephemeral'],
        'swap': ([entry(d) for d in disks if d['kind'] == 'swap'] or [None])[0],
        'block_device_mapping': [entry(d) for d in disks if d['kind'] == 'volume'],
        'disks': [entry(d) for d in disks],
    }
