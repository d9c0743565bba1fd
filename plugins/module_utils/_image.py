# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Images: catalog entries (Glance's fields), checksums, the names images take in a host's
image cache, and what an image file really is (format, virtual size, backing file), read
from its first bytes. Pure.

The cache in a pool keeps, per image:
  data-<algo>-<hex>-<upload id>   the bytes exactly as downloaded (written once, while hashed)
  <algo>-<hex>                    published only after the bytes were verified: a read-only
                                  qcow2 view backed by the data volume
so the presence of `<algo>-<hex>` means the right bytes are on the host.
"""

from __future__ import annotations

import posixpath
import re
import struct

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _catalog

FIELDS = ('name', 'id', 'source', 'checksum', 'disk_format', 'min_ram', 'min_disk', 'properties', 'description')
DISK_FORMATS = ('qcow2', 'raw', 'aki', 'ari')   # aki/ari: kernel and ramdisk for direct boot (raw bytes)
HASHES = {'sha256': 64, 'sha512': 128, 'md5': 32}
HEADER_BYTES = 64 * 1024     # enough to recognise every format below (ISO9660 needs 0x8006)
NAME_PATTERN = re.compile(r'^[\w.\-]{1,128}\Z', re.UNICODE)
DATA_PREFIX = 'data-'

_PROPERTY_CHOICES = {
    'hw_disk_bus': ('virtio', 'ide', 'scsi', 'sata', 'usb', 'fdc'),
    'hw_vif_model': ('virtio', 'e1000', 'e1000e', 'rtl8139', 'ne2k_pci', 'pcnet', 'vmxnet3'),
    'hw_firmware_type': ('bios', 'uefi'),
    'img_config_drive': ('optional', 'mandatory'),
    'hw_vm_mode': ('hvm', 'xen', 'exe', 'uml', 'hv', 'pv', 'baremetal'),
}
_PROPERTY_STRINGS = ('hw_machine_type', 'hw_architecture', 'img_hv_type', 'os_distro', 'kernel_id', 'ramdisk_id',
                     'os_command_line', 'img_hv_requested_version')
_VERSION_PREDICATE = re.compile(r'^\s*(<=|>=|==|!=|<|>)\s*\d+\.\d+(\.\d+)?\s*(,\s*(<=|>=|==|!=|<|>)\s*\d+\.\d+(\.\d+)?\s*)*\Z')


def parse_checksum(value, where):
    """'sha256:hex', 'md5:hex', 'sha512:hex' or a bare sha256 hex -> (algo, hex)."""
    if not isinstance(value, str):
        raise InvalidInput('%s: checksum must be a string such as sha256:<64 hex digits>, got %r' % (where, value))
    algo, sep, digest = value.strip().partition(':')
    if not sep:
        algo, digest = 'sha256', algo
    algo, digest = algo.lower(), digest.lower()
    if algo not in HASHES or not re.match(r'^[0-9a-f]{%d}\Z' % HASHES[algo], digest):
        raise InvalidInput('%s: checksum %r is not sha256:<64 hex>, sha512:<128 hex> or md5:<32 hex>' % (where, value))
    return algo, digest


def volume_name(algo, digest):
    return '%s-%s' % (algo, digest)


def data_volume_name(algo, digest, upload_id):
    return '%s%s-%s-%s' % (DATA_PREFIX, algo, digest, upload_id)


def data_volume_of(name, algo, digest):
    """Whether `name` is a data volume of this image."""
    return name.startswith('%s%s-%s-' % (DATA_PREFIX, algo, digest))


def validate(entry, index=None):
    name, where = _catalog.entry_name(entry, index, 'novalite_images', 'image', FIELDS, NAME_PATTERN,
                                      "1-128 letters, digits, '.', '_', '-'; no '..'")
    image = {'name': name, 'id': str(entry.get('id', name)), 'description': entry.get('description')}
    image['source'] = _source(entry.get('source'), where)
    image['algo'], image['digest'] = parse_checksum(entry.get('checksum'), where)
    image['checksum'] = '%s:%s' % (image['algo'], image['digest'])
    fmt = entry.get('disk_format', 'qcow2')
    if fmt not in DISK_FORMATS:
        raise InvalidInput('%s: disk_format must be one of %s, got %r' % (where, ', '.join(DISK_FORMATS), fmt))
    image['disk_format'] = fmt
    for key in ('min_ram', 'min_disk'):
        value = entry.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput('%s: %s must be an integer of at least 0, got %r' % (where, key, value))
        image[key] = value
    image['properties'] = _properties(entry.get('properties') or {}, where)
    image['volume'] = volume_name(image['algo'], image['digest'])
    return image


def _source(source, where):
    if not isinstance(source, str) or not source:
        raise InvalidInput('%s: source must be an http(s) URL or an absolute path on the controller, got %r'
                           % (where, source))
    if re.match(r'^https?://[^\s/]+', source):
        return source
    path = source[len('file://'):] if source.startswith('file://') else source
    if not path.startswith('/') or '\x00' in path or posixpath.normpath(path) != path:
        raise InvalidInput('%s: source %r must be an http(s) URL or an absolute, normalized path' % (where, source))
    return path


def _properties(props, where):
    if not isinstance(props, dict):
        raise InvalidInput('%s: properties must be a dict, got %r' % (where, props))
    result = {}
    for key, value in props.items():
        what = '%s: properties.%s' % (where, key)
        if key in _PROPERTY_CHOICES:
            if value not in _PROPERTY_CHOICES[key]:
                raise InvalidInput('%s must be one of %s, got %r' % (what, ', '.join(_PROPERTY_CHOICES[key]), value))
        elif key in _PROPERTY_STRINGS:
            if not isinstance(value, str) or not value:
                raise InvalidInput('%s must be a non-empty string, got %r' % (what, value))
            if key == 'img_hv_requested_version' and not _VERSION_PREDICATE.match(value):
                raise InvalidInput('%s must be a version predicate such as ">=6.0", got %r' % (what, value))
        elif key == 'hw_maxphysaddr_bits':
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 128:
                raise InvalidInput('%s must be an integer from 1 to 128, got %r' % (what, value))
        result[key] = value
    return result


def resolve(catalog, wanted):
    """The catalog image named `wanted` (by name, then by id), validated, with its kernel and
    ramdisk references checked against the catalog."""
    image, images = _catalog.find(catalog, wanted, 'image', 'novalite_images', validate)
    for ref in ('kernel_id', 'ramdisk_id'):
        target = image['properties'].get(ref)
        if target is not None and not [i for i in images if target in (i['name'], i['id'])]:
            raise InvalidInput("image '%s': properties.%s '%s' is not in the catalog" % (image['name'], ref, target))
    return image


def inspect(header, total_size):
    """What the file really is, from its first bytes: {'format', 'virtual_size', 'backing_file'}."""
    if header[:4] == b'QFI\xfb' and len(header) >= 32:
        _magic, version, backing_offset, backing_size, _bits, size = struct.unpack('>4sIQIIQ', header[:32])
        backing = None
        if backing_offset:
            end = backing_offset + backing_size
            backing = header[backing_offset:end].decode('utf-8', 'replace') if end <= len(header) else '(unreadable)'
        return {'format': 'qcow2', 'version': version, 'virtual_size': size, 'backing_file': backing}
    for magic, offset, fmt in ((b'QED\x00', 0, 'qed'), (b'KDMV', 0, 'vmdk'), (b'conectix', 0, 'vpc'),
                               (b'vhdxfile', 0, 'vhdx'), (b'LUKS\xba\xbe', 0, 'luks'), (b'CD001', 0x8001, 'iso'),
                               (b'\x7f\x10\xda\xbe', 0x40, 'vdi')):
        if header[offset:offset + len(magic)] == magic:
            return {'format': fmt, 'virtual_size': None, 'backing_file': None}
    return {'format': 'raw', 'virtual_size': total_size, 'backing_file': None}


def check_file(image, info):
    """Refuse a file that is not what the catalog says, or a qcow2 with a backing file."""
    expected = 'raw' if image['disk_format'] in ('raw', 'aki', 'ari') else image['disk_format']
    if info['format'] != expected:
        raise InvalidInput("image '%s': the file is %s, but disk_format says %s"
                           % (image['name'], info['format'], image['disk_format']))
    if info.get('backing_file'):
        raise InvalidInput("image '%s': the qcow2 file has a backing file (%s); a cached image must stand alone"
                           % (image['name'], info['backing_file']))
