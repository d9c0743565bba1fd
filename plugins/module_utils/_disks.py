# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An instance's disks from its block device mappings (Nova's _prep_block_device),
over the libvirt storage API (a _step.Step)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _bdm
from ansible_collections.novalite.compute.plugins.module_utils import _block_device
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _server


class Disks(Step):
    argument_spec = dict(
        instance=dict(type='str', required=True),
        instance_uuid=dict(type='str'),
        flavor=dict(type='dict', required=True),
        image_id=dict(type='str'),
        image=dict(type='dict'),
        image_properties=dict(type='dict', default={}),
        images=dict(type='dict', default={}),
        block_device_mapping=dict(type='list', elements='dict', default=[]),
        machine_type=dict(type='str', default='pc'),
        config_drive=dict(type='bool', default=False),
        instances_pool=dict(type='str', default='novalite-instances'),
        volumes_pool=dict(type='str', default='novalite-volumes'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        delete_created=dict(type='bool', default=False),
    )

    def run(self):
        p, hv = self.params, self.hypervisor
        _domain_xml.check_name(p['instance'], 'instance')
        flavor = _flavor.check_sizes(p['flavor'])
        pools = {name: hv.volumes(name) for name in (p['instances_pool'], p['volumes_pool'])}
        for name, vols in pools.items():
            if vols is None and p['state'] == 'absent':
                pools[name] = {}            # no pool, no disk of this instance in it
            elif vols is None:
                raise InvalidInput("storage pool '%s' not found on %s: prepare the host with the role "
                                   "novalite.compute.compute_host" % (name, hv.uri))
        existing_volumes = {n[len('volume-'):]: {'size': _capacity(v['xml']) // _block_device.GiB}
                            for n, v in pools[p['volumes_pool']].items() if n.startswith('volume-')}
        images = dict(p['images'])
        image = p['image']
        if p['state'] == 'absent':
            # Removing needs only the disks' names, which come from the instance and the
            # mapping: the cached images need not be given (a rollback may not have them).
            image = image or _ANY_IMAGE
            for entry in p['block_device_mapping']:
                if isinstance(entry, dict) and entry.get('source_type') == 'image' and entry.get('uuid'):
                    images.setdefault(entry['uuid'], _ANY_IMAGE)
        if p['image_id'] and image:
            images.setdefault(p['image_id'], image)
        bdms = _bdm.build(flavor, _bdm.with_image_root(p['block_device_mapping'], p['image_id']) or None,
                          None, p['image_id'], images={i: {} for i in images}, volumes=existing_volumes)
        if p['state'] == 'present':
            _bdm.check_sized(bdms)
        info = _bdm.block_device_info(bdms, p['image_properties'], p['machine_type'], p['config_drive'])
        instance_uuid = _server.instance_uuid(p['instance'], p['instance_uuid'])
        disks = _block_device.plan(p['instance'], info, flavor, image, images, p['instances_pool'],
                                   p['volumes_pool'], instance_uuid)
        if p['state'] == 'absent':
            return self.remove(disks, pools)
        return self.create(disks, pools, info['root_device_name'])

    def create(self, disks, pools, root_device_name):
        hv, created, paths = self.hypervisor, [], {}
        for disk in disks:
            found = pools[disk['pool']].get(disk['name'])
            if found is not None:
                problems = _block_device.existing_matches(disk, found['xml']) if disk['make'] != 'existing' else []
                if problems:
                    raise InvalidInput("instance '%s': volume '%s' exists with %s; it is not this instance's %s "
                                       "(remove it, or use another instance name)"
                                       % (self.params['instance'], disk['name'], ', '.join(problems), disk['dev']))
                paths[disk['name']] = found['path']
                continue
            if disk['make'] == 'existing':
                raise InvalidInput("volume %s (%s) is not in storage pool '%s'" % (disk['volume_id'], disk['name'],
                                                                                   disk['pool']))
            created.append('%s/%s' % (disk['pool'], disk['name']))
            if self.check_mode:
                continue
            xml = _block_device.volume_xml(disk)
            if disk['make'] == 'copy':
                source = hv.volumes(self._pool_of(disk['source']['path']))
                src = [v for v in source.values() if v['path'] == disk['source']['path']][0]['handle']
                vol = hv.create_volume_from(disk['pool'], xml, disk['name'], src, disk['capacity'])
            else:
                vol = hv.create_volume(disk['pool'], xml, disk['name'])
            paths[disk['name']] = vol.path()
        result = dict(changed=bool(created), created=created, removed=[],
                      block_device_info=_block_device.block_device_info(disks, paths, root_device_name))
        there = ['%s/%s' % (d['pool'], d['name']) for d in disks if d['name'] in paths and
                 '%s/%s' % (d['pool'], d['name']) not in created]
        return self.with_diff(result, there, there + created)

    def remove(self, disks, pools):
        p = self.params
        removed, there = [], []
        for disk in disks:
            found = pools[disk['pool']].get(disk['name'])
            if found is not None:
                there.append('%s/%s' % (disk['pool'], disk['name']))
            created = p['delete_created'] and disk['make'] in ('blank', 'copy')
            if found is None or not (disk['delete_on_termination'] or created):
                continue
            removed.append('%s/%s' % (disk['pool'], disk['name']))
            if not self.check_mode:
                self.hypervisor.delete_volume(found['handle'])
        return self.with_diff(dict(changed=bool(removed), created=[], removed=removed), there,
                              [d for d in there if d not in removed])

    def with_diff(self, result, before, after):
        if self.want_diff:
            result['diff'] = dict(before={'disks': sorted(before)}, after={'disks': sorted(after)})
        return result

    def _pool_of(self, path):
        for name in self.hypervisor.active_pools():
            vols = self.hypervisor.volumes(name) or {}
            if any(v['path'] == path for v in vols.values()):
                return name
        raise InvalidInput('no storage pool holds %s' % path)


_ANY_IMAGE = {'path': '', 'data_path': '', 'format': 'qcow2', 'virtual_size': 0}


def _capacity(xml):
    return int(ET.fromstring(xml).findtext('capacity'))
