# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every move of an instance between two hypervisors does (live migration, resize, cold
migration): the compute manager's shared parts - the instance's networks, ports (same MAC,
same fixed IP) and network filters made on the destination, the cached images its disks are
overlays of copied where missing, its disks found in their pools, what is left of it on a
host removed, the record saved, the notifications and timings kept. A base _step.Step: each
operation (_live_migration, _resize) is one frame over two hypervisor connections.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _image_cache
from ansible_collections.novalite.compute.plugins.module_utils import _instance_action
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils import _names
from ansible_collections.novalite.compute.plugins.module_utils._network_setup import NetworkSetup
from ansible_collections.novalite.compute.plugins.module_utils._port_allocation import PortAllocation

HOST = dict(host=dict(type='str', required=True), uri=dict(type='str', required=True))
# The options every move takes besides its own: the instance, the source, the hosts that may
# hold an interrupted attempt's copy, the network catalog, the request, the pools.
MOVE_OPTIONS = dict(
    instance=dict(type='str', required=True),
    source=dict(type='dict', required=True, options=HOST),
    cleanup=dict(type='list', elements='dict', default=[], options=HOST),
    networks=dict(type='list', elements='dict', default=[]),
    request_id=dict(type='str'),
    instances_pool=dict(type='str', default='novalite-instances'),
    images_pool=dict(type='str', default='novalite-images'),
)


class Move(Step):
    opens_hypervisor = False
    notification = None          # the operation's notification name (compute.instance.<this>.start ...)

    # -- the destination's networks, ports and filters ------------------------------------------
    def plug_ports(self, src, dst, rec, xml, dest_host):
        """The instance's networks (from the catalog where the destination lacks them), its
        ports with the same MAC and fixed IP, and the network filters its interfaces use."""
        name = self.params['instance']
        catalog = {n.get('name'): n for n in self.params['networks']}
        for port in rec.get('ports') or []:
            if dst.network_state(port['network']) is None or port['network'] in catalog:
                if port['network'] not in catalog:
                    raise InvalidInput("network '%s' of instance '%s' is not on %s and not in networks (the catalog)"
                                       % (port['network'], name, dest_host))
                NetworkSetup.call(dst, network=catalog[port['network']])
            PortAllocation.call(dst, network=port['network'], instance=name,
                                device=_names.port_device(name, port['name']), fixed_ip=port['ip'],
                                mac_address=port['mac'])
        for filter_name, filter_xml in _migration.nwfilters_to_copy(xml, src.nwfilter_xml, dst.nwfilter_xml):
            dst.define_nwfilter(filter_xml, filter_name)

    # -- disks and the image cache ----------------------------------------------------------------
    def source_volumes(self, src, xml, source_host):
        """Each disk of the domain with its volume on the source: [(disk, volume, pool, info)]."""
        found = []
        for disk in _migration.disks(xml):
            vol = src.volume_by_path(disk['path'])
            if vol is None:
                raise NovaliteError("Failed to find disk %s of instance '%s' on %s in a storage pool" % (
                    disk['path'], self.params['instance'], source_host))
            pool = src.call('read the pool of %s' % disk['path'], vol.storagePoolLookupByVolume).name()
            found.append((disk, vol, pool, _migration.volume_info(src.call('read volume %s' % disk['path'],
                                                                           vol.XMLDesc, 0))))
        return found

    def copy_images(self, src, dst, volumes, dest_host):
        """The cached images the disks are overlays of (content-named: same name, same bytes),
        streamed from the source's cache where the destination's lacks them."""
        pool = self.params['images_pool']
        theirs, ours = src.volumes(pool) or {}, dst.volumes(pool)
        if ours is None:
            raise NovaliteError("storage pool '%s' not found on %s: prepare the host with the role "
                                "novalite.compute.compute_host" % (pool, dest_host))
        by_path = {v['path']: n for n, v in theirs.items()}
        views = sorted({by_path[info['backing']] for dummy, dummy2, dummy3, info in volumes
                        if info['backing'] in by_path})
        for view_name in views:
            if view_name in ours:
                continue
            view = theirs[view_name]
            data_name = by_path.get(_image_cache.backing_path(view['xml']))
            data = theirs[data_name]
            # The image's bytes as they came (a qcow2 image stays qcow2 bytes: libvirt's capacity
            # of it is the virtual size, not what the file holds), and the view over them in the
            # format the source's view reads them as.
            size = src.volume_file_size(data['handle'])
            copy = dst.create_volume(pool, _image_cache.data_volume_xml(data_name, size), data_name)
            try:
                dst.upload(copy, src.download_chunks(data['handle']), size)
                root = ET.fromstring(view['xml'])
                backing_format = root.find('backingStore/format')
                dst.create_volume(pool, _image_cache.view_volume_xml(
                    view_name, int(root.findtext('capacity')), copy.path(),
                    backing_format.get('type') if backing_format is not None else 'raw'), view_name)
            except BaseException:
                dst.delete_volume(copy)
                raise

    # -- what is left of the instance on a host -------------------------------------------------------
    def remove_from(self, hv, rec, disks, host):
        """What is left of the instance on `host` once it runs elsewhere: ports, its network
        filter, disks, console log, and the domain. Never under a running guest."""
        name = self.params['instance']
        state = hv.domain_state(name)
        if state is not None and state['active']:
            raise NovaliteError("instance '%s' still runs on %s: its copies there are not removed" % (name, host))
        for port in rec.get('ports') or []:
            if hv.network_state(port['network']) is not None:
                PortAllocation.call(hv, network=port['network'], instance=name,
                                    device=_names.port_device(name, port['name']), state='absent')
        hv.undefine_nwfilter(_names.instance_filter(name))
        paths = [d['path'] for d in disks] + ([rec['console_log']] if rec.get('console_log') else [])
        hv.volumes(self.params['instances_pool'])     # a refresh: QEMU made the console log itself
        for path in paths:
            vol = hv.volume_by_path(path)
            if vol is not None:
                hv.delete_volume(vol)
        if state is not None:
            hv.undefine_domain(name)

    # -- records, notifications, timings ----------------------------------------------------------
    def save(self, hv, rec):
        save_record(hv, self.params['instance'], rec)

    def notify(self, rec, phase, host, error=None, operation=None):
        self.events.append(_instance_action.event(rec, operation or self.notification, phase, host, self.request,
                                                  error))

    def clock(self, step):
        return _Clock(self.timings, step)


def save_record(hv, name, rec):
    """The instance record written into its domain's metadata (libvirt's metadata API)."""
    xml = ET.tostring(_instance_record.to_element(rec, namespaced=False), encoding='unicode')
    hv.set_domain_metadata(name, xml, _instance_record.PREFIX, _instance_record.NAMESPACE)


def as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Clock(object):
    def __init__(self, timings, step):
        self.timings, self.step = timings, step

    def __enter__(self):
        self.start = time.monotonic()

    def __exit__(self, *exc):
        self.timings[self.step] = round(time.monotonic() - self.start, 3)
