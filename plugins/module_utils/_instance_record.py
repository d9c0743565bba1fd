# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The instance record: what Nova keeps in its database about an instance, kept here in the
domain's <metadata> under our own XML namespace (Nova writes its own nova:instance there too).

Pure: builds and parses ElementTree elements, so every value is escaped by the XML library.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

NAMESPACE = 'http://novalite.compute/xmlns/instance/1'
PREFIX = 'novalite'
ET.register_namespace(PREFIX, NAMESPACE)

# Nova's vm_states and task_states that occur on the boot and delete paths.
VM_STATES = ('building', 'active', 'stopped', 'error', 'deleted')
# nova/compute/stats.py io_workload: instances in these states count as I/O operations.
IO_WORKLOAD_TASK_STATES = frozenset(('resize_migrating', 'rebuilding', 'resize_prep', 'image_snapshot',
                                     'image_backup', 'rescuing', 'unshelving'))

SCALAR_FIELDS = ('uuid', 'name', 'display_name', 'project_id', 'server_group', 'key_name',
                 'availability_zone', 'vm_state', 'task_state', 'created_at', 'claimed_at', 'launched_at',
                 'request_id', 'reservation_id', 'fault', 'console_log', 'config_drive', 'hostname',
                 'security_groups', 'server_group_policy', 'server_group_max_per_host', 'old_vm_state')
BOOL_FIELDS = ('boot_from_volume',)
FLAVOR_INT_FIELDS = ('vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb', 'swap')
# Lists of flat dicts, one element per entry with the values as attributes.
LIST_FIELDS = {'ports': 'port', 'block_devices': 'block_device', 'actions': 'action', 'migrations': 'migration'}


def _q(tag):
    """The tag of a child element as written: plain (libvirt's virDomainSetMetadata puts them in
    our namespace, defineXML keeps them as they are: the reader takes both)."""
    return tag


def _find(el, tag):
    found = el.find(tag)
    return found if found is not None else el.find('{%s}%s' % (NAMESPACE, tag))


def _findall(el, tag):
    return el.findall(tag) + el.findall('{%s}%s' % (NAMESPACE, tag))


# XML 1.0 cannot carry these at all: a value with one is refused, never written out broken.
_NOT_IN_XML = re.compile(u'[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _text(field, value):
    text = str(value)
    if _NOT_IN_XML.search(text):
        raise InvalidInput('%s %r contains control characters' % (field, text))
    return text


def to_element(record, namespaced=True):
    """Build the <novalite:instance> element from a record dict (`namespaced=False`: the plain
    <instance> element virDomainSetMetadata takes)."""
    root = ET.Element('{%s}instance' % NAMESPACE if namespaced else 'instance')
    for field in SCALAR_FIELDS:
        value = record.get(field)
        if value is not None:
            ET.SubElement(root, _q(field)).text = _text(field, value)
    for field in BOOL_FIELDS:
        if field in record:
            ET.SubElement(root, _q(field)).text = 'true' if record[field] else 'false'
    flavor = record.get('flavor')
    if flavor is not None:
        el = ET.SubElement(root, _q('flavor'), {k: str(flavor[k]) for k in ('name', 'id') if flavor.get(k) is not None})
        for field in FLAVOR_INT_FIELDS:
            ET.SubElement(el, _q(field)).text = str(int(flavor.get(field) or 0))
        for key, value in sorted((flavor.get('extra_specs') or {}).items()):
            ET.SubElement(el, _q('extra_spec'), {'key': _text('extra_specs key', key)}).text = _text(key, value)
    image = record.get('image')
    if image is not None:
        ET.SubElement(root, _q('image'), {k: str(v) for k, v in sorted(image.items()) if v is not None})
    for field, tag in LIST_FIELDS.items():
        if record.get(field):
            parent = ET.SubElement(root, _q(field))
            for entry in record[field]:
                ET.SubElement(parent, _q(tag), {k: str(v) for k, v in sorted(entry.items()) if v is not None})
    return root


def to_xml(record):
    return ET.tostring(to_element(record), encoding='unicode')


def from_element(root):
    """Parse a <novalite:instance> element back into a record dict."""
    record = {}
    for field in SCALAR_FIELDS:
        el = _find(root, field)
        if el is not None:
            record[field] = el.text or ''
    for field in BOOL_FIELDS:
        el = _find(root, field)
        if el is not None:
            record[field] = (el.text or '').strip().lower() == 'true'
    el = _find(root, 'flavor')
    if el is not None:
        flavor = dict(el.attrib)
        for field in FLAVOR_INT_FIELDS:
            child = _find(el, field)
            flavor[field] = int(child.text) if child is not None and child.text else 0
        flavor['extra_specs'] = {spec.get('key'): spec.text or '' for spec in _findall(el, 'extra_spec')}
        record['flavor'] = flavor
    el = _find(root, 'image')
    if el is not None:
        record['image'] = dict(el.attrib)
    for field, tag in LIST_FIELDS.items():
        parent = _find(root, field)
        if parent is not None:
            record[field] = [dict(child.attrib) for child in _findall(parent, tag)]
    return record


def from_domain_xml(domain_xml):
    """The record kept in a domain's <metadata>, or None for a domain that is not ours."""
    root = ET.fromstring(domain_xml)
    el = root.find('metadata/{%s}instance' % NAMESPACE)
    return None if el is None else from_element(el)
