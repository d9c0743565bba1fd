# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt domain of an instance (Nova's LibvirtDriver._get_guest_config / to_xml), built
with ElementTree so every name and value is escaped. Pure.

Inputs, all plain dicts:
  instance      name, uuid, record (the instance record for <metadata>)
  flavor        the flavor step's flavor (vcpus, memory_mb) and guest (topology, tuning, ...)
  image         properties: hw_disk_bus, hw_vif_model, hw_firmware_type, hw_machine_type,
                hw_architecture, os_command_line; kernel / ramdisk paths for direct boot
  disks         block_device_info['disks'] of the block device step (path, dev, bus, type)
  ports         the port step's ports (mac_address, network) - interfaces on libvirt networks
  settings      virt_type (kvm|qemu), serial_log, nvram, config_drive path, graphics
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record

VIRT_TYPES = ('kvm', 'qemu')
UEFI_LOADER = '/usr/share/OVMF/OVMF_CODE.fd'
UEFI_VARS_TEMPLATE = '/usr/share/OVMF/OVMF_VARS.fd'
_WATCHDOG_ACTIONS = {'none': None, 'disabled': None, 'pause': 'pause', 'poweroff': 'poweroff', 'reset': 'reset'}
_CONTROL = re.compile(r'[\x00-\x1f\x7f]')
# An instance's name becomes its domain's name and the start of its files' and ports' names:
# letters, digits, '.', '_' and '-' only, not first a '-' or a '.'.
_NAME = re.compile(r'^[^\W][\w.-]*\Z', re.UNICODE)


def _sub(parent, tag, attrs=None, text=None):
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        el.text = str(text)
    return el


def check_name(name, what='name'):
    """A domain name libvirt and the host's file names can carry safely."""
    if not isinstance(name, str) or not name or len(name) > 255:
        raise InvalidInput('%s must be 1-255 characters, got %r' % (what, name))
    if _CONTROL.search(name) or '/' in name or '..' in name or not _NAME.match(name):
        raise InvalidInput("%s %r must be letters, digits, '.', '_' and '-' (not first '.' or '-', no '..')"
                           % (what, name))
    return name


def build(instance, flavor, guest, image, disks, ports, settings):
    virt_type = settings.get('virt_type', 'kvm')
    if virt_type not in VIRT_TYPES:
        raise InvalidInput('virt_type must be one of %s, got %r' % (', '.join(VIRT_TYPES), virt_type))
    props = image.get('properties') or {}
    root = ET.Element('domain', {'type': virt_type})
    _sub(root, 'name', text=check_name(instance['name']))
    _sub(root, 'uuid', text=instance['uuid'])
    if instance.get('record') is not None:
        metadata = _sub(root, 'metadata')
        metadata.append(_instance_record.to_element(instance['record']))
    _sub(root, 'memory', {'unit': 'MiB'}, flavor['memory_mb'])
    _sub(root, 'currentMemory', {'unit': 'MiB'}, flavor['memory_mb'])
    page = guest.get('mem_page_size')
    if page and page not in ('small', 'any'):
        backing = _sub(root, 'memoryBacking')
        hugepages = _sub(backing, 'hugepages')
        if page != 'large':
            _sub(hugepages, 'page', _page_size(page))
    _sub(root, 'vcpu', {'placement': 'static'}, flavor['vcpus'])
    cputune = guest.get('cputune') or {}
    if cputune:
        tune = _sub(root, 'cputune')
        for key in ('shares', 'period', 'quota'):
            if key in cputune:
                _sub(tune, key, text=cputune[key])
    _os(root, props, image, settings)
    features = _sub(root, 'features')
    _sub(features, 'acpi')
    _sub(features, 'apic')
    cpu = _sub(root, 'cpu', {'mode': 'host-model'} if virt_type == 'kvm' else None)
    topo = guest.get('cpu_topology') or {'sockets': flavor['vcpus'], 'cores': 1, 'threads': 1}
    _sub(cpu, 'topology', {'sockets': topo['sockets'], 'dies': 1, 'cores': topo['cores'], 'threads': topo['threads']})
    clock = _sub(root, 'clock', {'offset': 'utc'})
    _sub(clock, 'timer', {'name': 'rtc', 'tickpolicy': 'catchup'})
    _sub(root, 'on_poweroff', text='destroy')
    _sub(root, 'on_reboot', text='restart')
    _sub(root, 'on_crash', text='destroy')
    devices = _sub(root, 'devices')
    for disk in disks:
        _disk(devices, disk, guest.get('disk_iotune') or {})
    if settings.get('config_drive'):
        _disk(devices, {'path': settings['config_drive'], 'dev': settings.get('config_drive_dev', 'hda'),
                        'disk_bus': settings.get('config_drive_bus', 'ide'), 'device_type': 'cdrom', 'format': 'raw',
                        'readonly': True}, {})
    for port in ports:
        iface = _sub(devices, 'interface', {'type': 'network'})
        _sub(iface, 'mac', {'address': port['mac_address']})
        _sub(iface, 'source', {'network': port['network']})
        _sub(iface, 'model', {'type': props.get('hw_vif_model') or 'virtio'})
        bandwidth = guest.get('vif_bandwidth') or {}
        if bandwidth:
            bw = _sub(iface, 'bandwidth')
            for direction in ('inbound', 'outbound'):
                values = {k: bandwidth['vif_%s_%s' % (direction, k)] for k in ('average', 'peak', 'burst')
                          if 'vif_%s_%s' % (direction, k) in bandwidth}
                if values:
                    _sub(bw, direction, values)
        if port.get('filterref'):
            ref = _sub(iface, 'filterref', {'filter': port['filterref']})
            _sub(ref, 'parameter', {'name': 'IP', 'value': port['fixed_ips'][0]['ip_address']})
    serial = _sub(devices, 'serial', {'type': 'file'})
    _sub(serial, 'source', {'path': settings['serial_log']})
    _sub(serial, 'target', {'port': 0})
    console = _sub(devices, 'console', {'type': 'file'})
    _sub(console, 'source', {'path': settings['serial_log']})
    _sub(console, 'target', {'type': 'serial', 'port': 0})
    graphics = settings.get('graphics', 'vnc')
    if graphics in ('vnc', 'spice'):
        gfx = _sub(devices, 'graphics', {'type': graphics, 'autoport': 'yes',
                                         'listen': settings.get('graphics_listen', '127.0.0.1')})
        _sub(gfx, 'listen', {'type': 'address', 'address': settings.get('graphics_listen', '127.0.0.1')})
        video = _sub(devices, 'video')
        _sub(video, 'model', {'type': 'virtio' if graphics == 'vnc' else 'qxl'})
    action = _WATCHDOG_ACTIONS.get(guest.get('watchdog_action'))
    if action:
        _sub(devices, 'watchdog', {'model': 'i6300esb', 'action': action})
    if guest.get('rng_allowed', True):
        rng = _sub(devices, 'rng', {'model': 'virtio'})
        if guest.get('rate_bytes'):
            _sub(rng, 'rate', {'bytes': guest['rate_bytes'], 'period': guest.get('rate_period', 1000)})
        _sub(rng, 'backend', {'model': 'random'}, '/dev/urandom')
    _sub(devices, 'memballoon', {'model': 'virtio'})
    return ET.tostring(root, encoding='unicode')


def _page_size(value):
    m = re.match(r'^(\d+)\s*(KB|K|MB|M|GB|G)?\Z', str(value), re.IGNORECASE)
    if not m:
        return {'size': 2048, 'unit': 'KiB'}
    unit = (m.group(2) or 'K').upper()[0]
    return {'size': m.group(1), 'unit': {'K': 'KiB', 'M': 'MiB', 'G': 'GiB'}[unit]}


def _os(root, props, image, settings):
    os_el = _sub(root, 'os', {'firmware': 'efi'} if props.get('hw_firmware_type') == 'uefi' else None)
    arch = props.get('hw_architecture') or 'x86_64'
    _sub(os_el, 'type', {'arch': arch, 'machine': props.get('hw_machine_type') or 'pc'}, 'hvm')
    if props.get('hw_firmware_type') == 'uefi':
        _sub(os_el, 'loader', {'readonly': 'yes', 'type': 'pflash'}, UEFI_LOADER)
        _sub(os_el, 'nvram', {'template': UEFI_VARS_TEMPLATE}, settings['nvram'])
    if image.get('kernel'):
        _sub(os_el, 'kernel', text=image['kernel'])
        if image.get('ramdisk'):
            _sub(os_el, 'initrd', text=image['ramdisk'])
        _sub(os_el, 'cmdline', text=props.get('os_command_line') or 'root=/dev/vda console=tty0 console=ttyS0')
    else:
        _sub(os_el, 'boot', {'dev': 'hd'})


def _disk(devices, disk, iotune):
    device = disk.get('device_type') or 'disk'
    el = _sub(devices, 'disk', {'type': 'file', 'device': device})
    _sub(el, 'driver', {'name': 'qemu', 'type': disk.get('format', 'qcow2'), 'cache': 'none' if device == 'disk' else None})
    _sub(el, 'source', {'file': disk['path']})
    _sub(el, 'target', {'dev': disk['dev'], 'bus': disk['disk_bus']})
    if iotune and device == 'disk':
        tune = _sub(el, 'iotune')
        names = {'disk_read_bytes_sec': 'read_bytes_sec', 'disk_write_bytes_sec': 'write_bytes_sec',
                 'disk_total_bytes_sec': 'total_bytes_sec', 'disk_read_iops_sec': 'read_iops_sec',
                 'disk_write_iops_sec': 'write_iops_sec', 'disk_total_iops_sec': 'total_iops_sec'}
        for key in ('disk_total_bytes_sec', 'disk_read_bytes_sec', 'disk_write_bytes_sec', 'disk_total_iops_sec',
                    'disk_read_iops_sec', 'disk_write_iops_sec'):
            if key in iotune:
                _sub(tune, names[key], text=iotune[key])
    if disk.get('readonly') or device == 'cdrom':
        _sub(el, 'readonly')
