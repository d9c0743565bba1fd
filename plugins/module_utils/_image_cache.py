# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hypervisor's image cache (Nova's `_base`) in a libvirt storage pool, over the API only.
Layout and meaning of the volumes: see _image.py."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._errors import NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _image
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool


def backing_path(volume_xml):
    root = ET.fromstring(volume_xml)
    return root.findtext('backingStore/path')


def mtime(volume_xml):
    text = ET.fromstring(volume_xml).findtext('target/timestamps/mtime')
    return float(text) if text else None


def data_volume_xml(name, size):
    # raw: the bytes as they came; never interpreted by libvirt
    return _storage_pool.volume_xml(name, size, 'raw', '0644')


def view_volume_xml(name, virtual_size, data_path, data_format):
    return _storage_pool.volume_xml(name, virtual_size, 'qcow2', '0644', backing=data_path, backing_format=data_format)


def domain_paths(domain_xml):
    """Every file a domain refers to: disk sources and their backing chains, kernel, initrd."""
    root = ET.fromstring(domain_xml)
    paths = {el.get('file') or el.get('dev') for el in root.iter('source')}
    paths |= {root.findtext('os/kernel'), root.findtext('os/initrd')}
    return {p for p in paths if p}


class ImageCache(object):

    def __init__(self, hypervisor, pool):
        self.hv = hypervisor
        self.pool = pool
        self.volumes = hypervisor.volumes(pool)
        if self.volumes is None:
            raise NovaliteError("Failed to find storage pool '%s' on %s: prepare the host with the role "
                                "novalite.compute.compute_host" % (pool, hypervisor.uri))

    def lookup(self, image):
        """The published view of `image` and its data volume, or None when not (fully) cached."""
        view = self.volumes.get(image['volume'])
        if view is None:
            return None
        data_path = backing_path(view['xml'])
        data = [v for v in self.volumes.values() if v['path'] == data_path]
        return {'view': view, 'data': data[0] if data else None}

    def partials(self, now, max_age):
        """Data volumes no published view uses, not written to for max_age seconds: uploads
        that died (a run killed, a machine rebooted)."""
        used = {backing_path(v['xml']) for n, v in self.volumes.items() if not n.startswith(_image.DATA_PREFIX)}
        found = []
        for name, vol in sorted(self.volumes.items()):
            if name.startswith(_image.DATA_PREFIX) and vol['path'] not in used:
                written = mtime(vol['xml'])
                if written is None or now - written >= max_age:
                    found.append(name)
        return found

    def users(self, paths):
        """Volumes (in every active pool) and domains that use any of `paths`."""
        found = []
        for pool in self.hv.active_pools():
            for name, vol in (self.hv.volumes(pool) or {}).items():
                if vol['path'] not in paths and backing_path(vol['xml']) in paths:
                    found.append('volume %s/%s' % (pool, name))
        for dom in self.hv.domains():
            if domain_paths(dom['xml']) & paths:
                found.append('domain %s' % dom['name'])
        return found

    def remove(self, names):
        for name in names:
            vol = self.volumes.pop(name, None)
            if vol is not None:
                self.hv.delete_volume(vol['handle'])

    def upload(self, image, source):
        """Stream the source into a new data volume, verify it, then publish the view. Whatever
        this created is removed again if anything fails."""
        size = source.open()
        data_name = _image.data_volume_name(image['algo'], image['digest'], uuid.uuid4().hex[:8])
        data = self.hv.create_volume(self.pool, data_volume_xml(data_name, size), data_name)
        try:
            self.hv.upload(data, source.chunks(), size)
            source.verify()
            info = source.info
            self.hv.create_volume(self.pool, view_volume_xml(image['volume'], info['virtual_size'], data.path(),
                                                             info['format']), image['volume'])
        except BaseException:
            source.close()
            self.hv.delete_volume(data)
            raise
        return info
