# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading libvirt's capabilities XML the way Nova's libvirt driver does (pure).

cpu_info follows nova/virt/libvirt/driver.py _get_cpu_info; supported_instances follows
_get_instance_capabilities, with Nova's canonical names (nova/objects/fields.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

_ARCH_ALIASES = {'i386': 'i686', 'i486': 'i686', 'i586': 'i686', 'x86_32': 'i686', 'x86_32p': 'i686',
                 'amd64': 'x86_64'}
_HV_ALIASES = {'xapi': 'xen'}
_VM_MODE_ALIASES = {'pv': 'xen', 'hv': 'hvm', 'baremetal': 'hvm'}


def canonical_arch(value):
    if value is None:
        return None
    value = str(value).lower()
    return _ARCH_ALIASES.get(value, value)


def canonical_hv_type(value):
    if value is None:
        return None
    value = str(value).lower()
    return _HV_ALIASES.get(value, value)


def canonical_vm_mode(value):
    if value is None:
        return None
    value = str(value).lower()
    return _VM_MODE_ALIASES.get(value, value)


def cpu_info(caps_xml):
    """The host CPU as Nova reports it: arch, model, vendor, topology, features, maxphysaddr."""
    cpu = ET.fromstring(caps_xml).find('host/cpu')
    if cpu is None:
        return {}
    info = {
        'arch': canonical_arch(cpu.findtext('arch')),
        'model': cpu.findtext('model'),
        'vendor': cpu.findtext('vendor'),
        'topology': {},
        'features': sorted({f.get('name') for f in cpu.findall('feature') if f.get('name')}),
    }
    topology = cpu.find('topology')
    if topology is not None:
        info['topology'] = {k: int(topology.get(k)) for k in ('sockets', 'dies', 'cores', 'threads')
                            if topology.get(k) is not None}
    phys = cpu.find('maxphysaddr')
    if phys is not None and phys.get('bits'):
        info['maxphysaddr'] = {'mode': phys.get('mode'), 'bits': int(phys.get('bits'))}
    return info


def supported_instances(caps_xml):
    """[arch, hv_type, vm_mode] for every guest arch and domain type the host offers."""
    result = []
    for guest in ET.fromstring(caps_xml).findall('guest'):
        arch = guest.find('arch')
        if arch is None:
            continue
        for domain in arch.findall('domain'):
            entry = [canonical_arch(arch.get('name')), canonical_hv_type(domain.get('type')),
                     canonical_vm_mode(guest.findtext('os_type'))]
            if entry not in result:
                result.append(entry)
    return result


def virt_types(caps_xml):
    """The domain types (Nova's [libvirt] virt_type values) offered for the host's own arch."""
    root = ET.fromstring(caps_xml)
    host_arch = root.findtext('host/cpu/arch')
    types = []
    for guest in root.findall('guest'):
        arch = guest.find('arch')
        if arch is None or arch.get('name') != host_arch:
            continue
        for domain in arch.findall('domain'):
            if domain.get('type') not in types:
                types.append(domain.get('type'))
    return types
