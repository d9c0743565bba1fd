# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Block device mappings (v2, and legacy v1 converted), with Nova's server-side rules
(NOVA_SEMANTICS.md A.3): the API schema and `BlockDeviceDict.from_api` / `_validate`
(nova/block_device.py), `from_legacy_mapping`, then the compute API's
`_check_and_transform_bdm` (flavor-defined ephemeral and swap added) and `_validate_bdm`.
Pure.

`build()` runs that whole pipeline. It is Nova's server side only: a client such as
`openstack server create --image X --block-device ...` adds the image's root mapping itself;
`with_image_root()` does that for requests that want it.

Every error is a BDMError naming the entry (`block_device_mapping_v2[2]: ...`), carrying the
name of the Nova exception it stands for (`nova_exception`) and Nova's message.
"""

from __future__ import annotations

import re

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

SOURCE_TYPES = ('volume', 'image', 'snapshot', 'blank')
DESTINATION_TYPES = ('local', 'volume')
DISK_BUSES = ('fdc', 'ide', 'sata', 'scsi', 'usb', 'virtio', 'xen', 'lxc', 'uml')   # nova DiskBus.ALL
# nova.objects.fields.BlockDeviceType.ALL. Nova's API takes any string and its driver then fails
# the build with an internal error; refused here, before anything is made (docs/block-devices.md).
DEVICE_TYPES = ('cdrom', 'disk', 'floppy', 'fs', 'lun')
NEW_FIELDS = ('source_type', 'destination_type', 'guest_format', 'device_type', 'disk_bus', 'boot_index',
              'device_name', 'delete_on_termination', 'snapshot_id', 'volume_id', 'volume_size', 'image_id',
              'no_device', 'connection_info', 'tag', 'volume_type', 'encrypted', 'encryption_secret_uuid',
              'encryption_format', 'encryption_options')
# The v2 schema is the legacy one with the new fields added (schemas/servers.py), so a v2
# mapping may carry virtual_name: the schema takes it, BlockDeviceDict refuses it.
API_V2_FIELDS = ('source_type', 'uuid', 'image_id', 'destination_type', 'guest_format', 'device_type', 'disk_bus',
                 'boot_index', 'volume_id', 'snapshot_id', 'volume_size', 'device_name', 'delete_on_termination',
                 'no_device', 'connection_info', 'tag', 'volume_type', 'virtual_name')
API_LEGACY_FIELDS = ('virtual_name', 'volume_id', 'snapshot_id', 'volume_size', 'device_name',
                     'delete_on_termination', 'no_device', 'connection_info')
_TRUE = ('True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes')
_FALSE = ('False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no')
_UUID = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\Z')
_EPHEMERAL = re.compile(r'^ephemeral(\d|[1-9]\d+)\Z')
_DEV = re.compile(r'^/dev/')
DEFAULT_MAX_LOCAL = 3      # [DEFAULT] max_local_block_devices


class BDMError(InvalidInput):
    def __init__(self, where, nova_exception, message):
        super().__init__('%s: %s' % (where, message) if where else message, nova_exception=nova_exception)


def _format(where, details):
    return BDMError(where, 'InvalidBDMFormat', 'Block Device Mapping is Invalid: %s' % details)


def strip_dev(name):
    return _DEV.sub('', name) if name else name


def prepend_dev(name):
    return name and '/dev/' + strip_dev(name)


_PREFIX = re.compile(r'^((x?v|s|h)d)')
_NUMS = re.compile(r'\d+')


def get_device_letter(name):
    """nova/block_device.py get_device_letter: 'a' for vda, /dev/sda1, xvda, hda."""
    if not name:
        return name
    return _NUMS.sub('', _PREFIX.sub('', strip_dev(name)))


def is_swap_or_ephemeral(name):
    return bool(name) and (name == 'swap' or _EPHEMERAL.match(name) is not None)


def is_swap(bdm):
    return bdm.get('source_type') == 'blank' and bdm.get('destination_type') == 'local' and \
        bdm.get('guest_format') == 'swap'


def is_ephemeral(bdm):
    return bdm.get('source_type') == 'blank' and bdm.get('destination_type') == 'local' and \
        bdm.get('guest_format') != 'swap'


def check_sized(bdms):
    """novalite's own rule after Nova's (which takes them): a swap or ephemeral mapping with no
    size of its own on a flavor with none - a disk of 0 bytes - is refused."""
    for bdm in bdms:
        if (is_swap(bdm) or is_ephemeral(bdm)) and not bdm.get('volume_size'):
            kind, field = ('swap', 'swap') if is_swap(bdm) else ('ephemeral', 'ephemeral_gb')
            name = ' ' + bdm['device_name'] if bdm.get('device_name') else ''
            raise BDMError(None, 'InvalidBDM', 'Block Device Mapping is Invalid: the %s disk%s has no size: give it '
                           'a volume_size, or use a flavor whose %s is not 0.' % (kind, name, field))
    return bdms


def _bool_from_string(value):
    """oslo strutils.bool_from_string (not strict)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ('1', 't', 'true', 'on', 'y', 'yes')


# -- the API schema --------------------------------------------------------------------------
def _schema_error(where, field, value, why):
    shown = value if isinstance(value, str) and value.isprintable() else repr(value)
    return BDMError(where, 'ValidationError', "Invalid input for field/attribute %s. Value: %s. %s"
                    % (field, shown, why))


def _check_string(where, field, value, max_length=255, min_length=0, pattern=None):
    if not isinstance(value, str):
        raise _schema_error(where, field, value, '%r is not of type string' % (value,))
    if len(value) > max_length or len(value) < min_length:
        raise _schema_error(where, field, value, 'length must be %d-%d' % (min_length, max_length))
    if pattern and not re.match(pattern, value):
        raise _schema_error(where, field, value, '%r does not match %r' % (value, pattern))


def _check_boolean(where, field, value):
    if not (isinstance(value, bool) or value in _TRUE or value in _FALSE):
        raise _schema_error(where, field, value, '%r is not one of the boolean values' % (value,))


def _check_volume_size(where, value):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _schema_error(where, 'volume_size', value, '%r is not of type integer, string' % (value,))
    if isinstance(value, str) and not re.match(r'^[0-9]+\Z', value):
        raise _schema_error(where, 'volume_size', value, "does not match '^[0-9]+$'")
    if not 1 <= int(value) <= 0x7FFFFFFF:   # Nova's validator applies the bounds to numeric strings too
        raise _schema_error(where, 'volume_size', value, 'must be between 1 and 2147483647')


def _check_uuid(where, field, value):
    if not isinstance(value, str) or not _UUID.match(value):
        raise _schema_error(where, field, value, '%r is not a uuid' % (value,))


def check_schema_v2(entry, where):
    if not isinstance(entry, dict):
        raise _schema_error(where, 'block_device_mapping_v2', entry, 'is not of type object')
    extra = sorted(set(entry) - set(API_V2_FIELDS))
    if extra:
        raise _schema_error(where, 'block_device_mapping_v2', entry,
                            'Additional properties are not allowed (%s were unexpected)' % ', '.join(extra))
    if 'source_type' in entry and entry['source_type'] not in SOURCE_TYPES:
        raise _schema_error(where, 'source_type', entry['source_type'], 'is not one of %s' % list(SOURCE_TYPES))
    if 'destination_type' in entry and entry['destination_type'] not in DESTINATION_TYPES:
        raise _schema_error(where, 'destination_type', entry['destination_type'],
                            'is not one of %s' % list(DESTINATION_TYPES))
    if 'uuid' in entry:
        _check_string(where, 'uuid', entry['uuid'], 255, 1, r'^[a-zA-Z0-9._-]*\Z')
    for field in ('image_id', 'volume_id', 'snapshot_id'):
        if field in entry:
            _check_uuid(where, field, entry[field])
    for field in ('guest_format', 'device_type', 'disk_bus', 'virtual_name'):
        if field in entry:
            _check_string(where, field, entry[field])
    if 'boot_index' in entry and entry['boot_index'] is not None:
        value = entry['boot_index']
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise _schema_error(where, 'boot_index', value, '%r is not of type integer, string, null' % (value,))
        if isinstance(value, str) and not re.match(r'^-?[0-9]+\Z', value):
            raise _schema_error(where, 'boot_index', value, "does not match '^-?[0-9]+$'")
    _check_common(entry, where)
    if 'tag' in entry:
        _check_string(where, 'tag', entry['tag'], 60, 1, r'^[^,/]*\Z')
    if 'volume_type' in entry and entry['volume_type'] is not None:
        _check_string(where, 'volume_type', entry['volume_type'])


def _check_common(entry, where):
    if 'volume_size' in entry:
        _check_volume_size(where, entry['volume_size'])
    if 'device_name' in entry:
        _check_string(where, 'device_name', entry['device_name'], 255, 1, r'^[a-zA-Z0-9._/-]*\Z')
    if 'delete_on_termination' in entry:
        _check_boolean(where, 'delete_on_termination', entry['delete_on_termination'])
    if 'connection_info' in entry:
        _check_string(where, 'connection_info', entry['connection_info'], 16777215)


def check_schema_legacy(entry, where):
    if not isinstance(entry, dict):
        raise _schema_error(where, 'block_device_mapping', entry, 'is not of type object')
    extra = sorted(set(entry) - set(API_LEGACY_FIELDS))
    if extra:
        raise _schema_error(where, 'block_device_mapping', entry,
                            'Additional properties are not allowed (%s were unexpected)' % ', '.join(extra))
    if 'virtual_name' in entry:
        _check_string(where, 'virtual_name', entry['virtual_name'])
    for field in ('volume_id', 'snapshot_id'):
        if field in entry:
            _check_uuid(where, field, entry[field])
    _check_common(entry, where)


# -- nova/block_device.py ------------------------------------------------------------------------
def block_device_dict(entry, where, do_not_default=()):
    """BlockDeviceDict(entry): basic format checks, /dev/ prepended, fields defaulted."""
    bdm = dict(entry)
    extra = sorted(set(bdm) - set(NEW_FIELDS))
    if extra:
        raise _format(where, 'Following fields are invalid: %s' % ' '.join(extra))
    if not bdm.get('no_device'):
        if 'source_type' not in bdm:
            raise _format(where, 'Some required fields are missing')
        if 'delete_on_termination' in bdm:
            bdm['delete_on_termination'] = _bool_from_string(bdm['delete_on_termination'])
        if bdm.get('device_name') is not None:
            name = bdm['device_name']
            if not isinstance(name, str) or not 1 <= len(name) <= 255:
                raise _format(where, 'Device name empty or too long.')
            if ' ' in name:
                raise _format(where, 'Device name contains spaces.')
            # novalite's own rule (Nova leaves it to the driver): the name after /dev/ is
            # libvirt's target device, so no further path.
            if '/' in strip_dev(name) or '..' in name:
                raise _format(where, 'Device name %r is not a device (after /dev/, no further path).' % name)
        if bdm.get('volume_size'):
            try:
                size = int(str(bdm['volume_size']).strip())
                if size < 0:
                    raise ValueError
            except ValueError:
                raise _format(where, 'Invalid volume_size.')
            bdm['volume_size'] = size
        if bdm.get('boot_index'):
            try:
                bdm['boot_index'] = int(bdm['boot_index'])
            except (ValueError, TypeError):
                raise _format(where, 'Boot index is invalid.')
    if bdm.get('device_name'):
        bdm['device_name'] = prepend_dev(bdm['device_name'])
    bdm['delete_on_termination'] = bool(bdm.get('delete_on_termination'))
    result = {field: None for field in NEW_FIELDS if field not in do_not_default}
    result.update(bdm)
    return result


def from_api(entry, image_uuid_specified, where):
    """BlockDeviceDict.from_api: one v2 entry of the request."""
    entry = dict(entry)
    if not entry.get('no_device'):
        source_type = entry.get('source_type')
        device_uuid = entry.get('uuid')
        destination_type = entry.get('destination_type')
        volume_type = entry.get('volume_type')
        if source_type == 'blank' and device_uuid:
            raise _format(where, 'Invalid device UUID.')
        elif source_type != 'blank':
            if not device_uuid:
                raise _format(where, 'Missing device UUID.')
            entry['%s_id' % source_type] = device_uuid
        if source_type == 'image' and destination_type == 'local':
            boot_index = entry.get('boot_index', -1)
            if boot_index is None:
                boot_index = -1
            if not (image_uuid_specified and int(boot_index) == 0):
                raise _format(where, 'Mapping image to local is not supported.')
        if destination_type == 'local' and volume_type:
            raise _format(where, 'Specifying a volume_type with destination_type=local is not supported.')
        if source_type == 'volume' and volume_type:
            raise _format(where, 'Specifying volume type to existing volume is not supported.')
    entry.pop('uuid', None)
    return block_device_dict(entry, where)


def from_legacy(entry, where):
    new = {k: v for k, v in entry.items() if k in ('device_name', 'delete_on_termination', 'snapshot_id', 'volume_id',
                                                   'volume_size', 'no_device', 'connection_info')}
    virtual_name = entry.get('virtual_name')
    if is_swap_or_ephemeral(virtual_name):
        new.update(source_type='blank', delete_on_termination=True, destination_type='local',
                   guest_format='swap' if virtual_name == 'swap' else None)
    elif entry.get('snapshot_id'):
        new.update(source_type='snapshot', destination_type='volume')
    elif entry.get('volume_id'):
        new.update(source_type='volume', destination_type='volume')
    elif entry.get('no_device'):
        pass
    else:
        raise _format(where, 'Unrecognized legacy format.')
    return block_device_dict(new, where, do_not_default=('boot_index', 'disk_bus', 'guest_format', 'device_type'))


def image_root(image_ref, boot_index=0):
    return block_device_dict({'source_type': 'image', 'image_id': image_ref, 'delete_on_termination': True,
                              'boot_index': boot_index, 'device_type': 'disk', 'destination_type': 'local'}, 'image')


def blank(size, guest_format=None):
    return block_device_dict({'source_type': 'blank', 'delete_on_termination': True, 'device_type': 'disk',
                              'boot_index': -1, 'destination_type': 'local', 'guest_format': guest_format,
                              'volume_size': size}, 'flavor')


def from_legacy_mapping(entries, image_ref, root_device_name, where='block_device_mapping'):
    """from_legacy_mapping: each entry converted, then the root is the entry named like the
    root device (boot from volume), or else the image, prepended."""
    bdms = [from_legacy(entry, '%s[%d]' % (where, i)) for i, entry in enumerate(entries)]
    volume_backed = False
    if not root_device_name and not image_ref:
        non_blank = [b for b in bdms if b['source_type'] != 'blank']
        if non_blank:
            non_blank[0]['boot_index'] = 0
        return bdms
    for bdm in bdms:
        if bdm['source_type'] in ('volume', 'snapshot', 'image') and root_device_name is not None and \
                strip_dev(bdm.get('device_name')) == strip_dev(root_device_name):
            bdm['boot_index'] = 0
            volume_backed = True
        elif not bdm['no_device']:
            bdm['boot_index'] = -1
        else:
            bdm['boot_index'] = None
    return ([image_root(image_ref)] if not volume_backed and image_ref else []) + bdms


# -- nova/compute/api.py ------------------------------------------------------------------------
def check_and_transform(bdms, flavor, image_ref, min_count, max_count, legacy, root_device_name='vda'):
    if image_ref:
        for bdm in bdms:
            if bdm.get('destination_type') == 'volume' and strip_dev(bdm.get('device_name')) == root_device_name:
                raise BDMError(None, 'InvalidRequest', 'The volume cannot be assigned the same device name as the '
                                                       'root device %s' % root_device_name)
    if legacy:
        bdms = from_legacy_mapping(bdms, image_ref, root_device_name)
    if min_count > 1 or max_count > 1:
        if any(b['source_type'] == 'volume' for b in bdms):
            raise BDMError(None, 'InvalidRequest', 'Cannot attach one or more volumes to multiple instances')
    have_ephemeral = any(is_ephemeral(b) for b in bdms)
    have_swap = any(is_swap(b) for b in bdms)
    if flavor.get('ephemeral_gb') and not have_ephemeral:
        bdms.append(blank(flavor['ephemeral_gb']))
    if flavor.get('swap') and not have_swap:
        bdms.append(blank(flavor['swap'], 'swap'))
    return [_as_object(b) for b in bdms]


def _as_object(bdm):
    """What Nova's BlockDeviceMapping object fields make of a dict (block_device_make_list_from_dicts)."""
    for key in ('boot_index', 'volume_size'):
        if bdm.get(key) is not None:
            bdm[key] = int(bdm[key])
    for key in ('delete_on_termination', 'no_device'):
        bdm[key] = bool(bdm.get(key))
    return bdm


def validate(bdms, flavor, image_ref, images, volumes, snapshots, max_local=DEFAULT_MAX_LOCAL, volume_types=()):
    """_validate_bdm. images/volumes/snapshots: {id: {'size': GiB}} of what exists;
    volume_types: the volume types there are, as Cinder lists them ({id, name}; a plain name
    stands for {id: name, name: name})."""
    boot_indexes = sorted(b['boot_index'] for b in bdms if b.get('boot_index') is not None and b['boot_index'] >= 0)
    if not boot_indexes or any(i != v for i, v in enumerate(boot_indexes)):
        raise BDMError(None, 'InvalidBDMBootSequence', 'Block Device Mapping is Invalid: Boot sequence for the '
                       'instance and image/block device mapping combination is not valid.')
    for bdm in bdms:
        if bdm.get('volume_type'):
            # _check_requested_volume_type: by id or name, kept by its name
            found = [vt['name'] for vt in _volume_types(volume_types) if bdm['volume_type'] in (vt['id'], vt['name'])]
            if not found:
                raise BDMError(WHERE, 'VolumeTypeNotFound', 'Volume type %s could not be found.' % bdm['volume_type'])
            bdm['volume_type'] = found[0]
        if bdm.get('image_id') is not None:
            if bdm['image_id'] != image_ref and bdm['image_id'] not in images:
                raise BDMError(None, 'InvalidBDMImage', 'Block Device Mapping is Invalid: failed to get image %s.'
                               % bdm['image_id'])
            if bdm['source_type'] == 'image' and bdm['destination_type'] == 'volume' and not bdm['volume_size']:
                raise BDMError(None, 'InvalidBDM', "Images with destination_type 'volume' need to have a non-zero "
                                                   "size specified")
        elif bdm.get('volume_id') is not None:
            if bdm['volume_id'] not in volumes:
                raise BDMError(None, 'InvalidBDMVolume', 'Block Device Mapping is Invalid: failed to get volume %s.'
                               % bdm['volume_id'])
            bdm['volume_size'] = volumes[bdm['volume_id']].get('size')
        elif bdm.get('snapshot_id') is not None:
            if bdm['snapshot_id'] not in snapshots:
                raise BDMError(None, 'InvalidBDMSnapshot', 'Block Device Mapping is Invalid: failed to get snapshot '
                               '%s.' % bdm['snapshot_id'])
            bdm['volume_size'] = bdm['volume_size'] or snapshots[bdm['snapshot_id']].get('size')
        elif bdm['source_type'] == 'blank' and bdm['destination_type'] == 'volume' and not bdm['volume_size']:
            raise BDMError(None, 'InvalidBDM', "Blank volumes (source: 'blank', dest: 'volume') need to have non-zero "
                                               "size")
        if bdm.get('disk_bus') and bdm['disk_bus'] not in DISK_BUSES:
            raise BDMError(None, 'InvalidBDMDiskBus', 'Block Device Mapping is invalid: Device bus %s is not valid.'
                           % bdm['disk_bus'])
        if bdm.get('device_type') is not None and bdm['device_type'] not in DEVICE_TYPES:
            raise BDMError(None, 'InvalidBDM', 'Block Device Mapping is Invalid: device_type %r is not one of %s.'
                           % (bdm['device_type'], ', '.join(DEVICE_TYPES)))
    ephemeral_size = sum(b['volume_size'] or flavor['ephemeral_gb'] for b in bdms if is_ephemeral(b))
    if ephemeral_size > flavor['ephemeral_gb']:
        raise BDMError(None, 'InvalidBDMEphemeralSize', 'Ephemeral disks requested are larger than the instance type '
                       'allows. If no size is given in one block device mapping, flavor ephemeral size will be used.')
    swaps = [b for b in bdms if is_swap(b)]
    if len(swaps) > 1:
        raise _format(None, 'More than one swap drive requested.')
    if swaps and (swaps[0]['volume_size'] or 0) > flavor['swap']:
        raise BDMError(None, 'InvalidBDMSwapSize', 'Swap drive requested is larger than instance type allows.')
    if max_local >= 0 and len([b for b in bdms if b['destination_type'] == 'local']) > max_local:
        raise BDMError(None, 'InvalidBDMLocalsLimit', 'Block Device Mapping is Invalid: You specified more local '
                                                      'devices than the limit allows')
    return bdms


def _volume_types(volume_types):
    return [vt if isinstance(vt, dict) else {'id': vt, 'name': vt} for vt in volume_types]


def build(flavor, block_device_mapping_v2=None, block_device_mapping=None, image_ref=None, min_count=1, max_count=1,
          images=None, volumes=None, snapshots=None, max_local=DEFAULT_MAX_LOCAL, volume_types=()):
    """Nova's server side for a create request: the mappings as Nova keeps them, or BDMError."""
    # The API's schema validates both lists first; mixing them is refused after
    # (servers.py _process_bdms_for_create).
    for i, entry in enumerate(block_device_mapping_v2 or []):
        check_schema_v2(entry, 'block_device_mapping_v2[%d]' % i)
    for i, entry in enumerate(block_device_mapping or []):
        check_schema_legacy(entry, 'block_device_mapping[%d]' % i)
    if block_device_mapping and block_device_mapping_v2:
        raise BDMError(None, 'HTTPBadRequest', 'Using different block_device_mapping syntaxes is not allowed in the '
                                               'same request.')
    # compute API create(legacy_bdm=True) unless v2 mappings came: a request with no mapping at
    # all goes the legacy way, which prepends the image as the root disk.
    legacy = not block_device_mapping_v2
    if legacy:
        # The API passes legacy entries on as they came (delete_on_termination parsed); the
        # compute API converts them, after its root device check.
        bdms = [dict(e, delete_on_termination=_bool_from_string(e['delete_on_termination']))
                if 'delete_on_termination' in e else dict(e) for e in block_device_mapping or []]
    else:
        bdms = [from_api(entry, image_ref not in (None, ''), 'block_device_mapping_v2[%d]' % i)
                for i, entry in enumerate(block_device_mapping_v2 or [])]
    if not bdms and not image_ref:
        raise BDMError(None, 'HTTPBadRequest', 'Missing imageRef attribute')
    if not image_ref:
        boot_device_lookup(bdms, legacy, images or {}, volumes or {}, snapshots or {})
    bdms = check_and_transform(bdms, flavor, image_ref, min_count, max_count, legacy)
    volume_lookup(bdms, volumes or {})
    bdms = validate(bdms, flavor, image_ref, images or {}, volumes or {}, snapshots or {}, max_local, volume_types)
    for bdm in bdms:
        bdm['volume_size'] = volume_size(flavor, bdm)
    return bdms


# Where the lookups' errors point: Nova words them without a field; the option is named.
WHERE = 'block_device_mapping'


def boot_device_lookup(bdms, legacy, images, volumes, snapshots):
    """nova/block_device.py get_bdm_image_metadata, which the compute API runs first when the
    request names no image: the boot device (boot_index 0; a legacy mapping on a device
    ending in 'a') is looked up - a snapshot (SnapshotNotFound), then its image
    (InvalidBDMImage) or volume (InvalidBDMVolume)."""
    for bdm in bdms:
        if legacy and get_device_letter(bdm.get('device_name', '')) != 'a':
            continue
        if not legacy and bdm.get('boot_index') != 0:
            continue
        volume_id = bdm.get('volume_id')
        if bdm.get('snapshot_id'):
            if bdm['snapshot_id'] not in snapshots:
                raise BDMError(WHERE, 'SnapshotNotFound', 'Snapshot %s could not be found.' % bdm['snapshot_id'])
            volume_id = snapshots[bdm['snapshot_id']].get('volume_id')
            if volume_id is None:
                return          # the snapshot's volume is not known here: taken as there
        if bdm.get('image_id'):
            if bdm['image_id'] not in images:
                raise BDMError(None, 'InvalidBDMImage', 'Block Device Mapping is Invalid: failed to get image %s.'
                               % bdm['image_id'])
            return
        if volume_id:
            if volume_id not in volumes:
                raise BDMError(None, 'InvalidBDMVolume', 'Block Device Mapping is Invalid: failed to get volume %s.'
                               % volume_id)
            return


def volume_lookup(bdms, volumes):
    """compute API _get_volumes_for_bdms, before _validate_bdm: every volume asked for exists."""
    for bdm in bdms:
        if bdm.get('volume_id') and bdm['volume_id'] not in volumes:
            raise BDMError(WHERE, 'VolumeNotFound', 'Volume %s could not be found.' % bdm['volume_id'])


def volume_size(flavor, bdm):
    """nova/compute/api.py _volume_size (applied by _bdm_validate_set_size_and_instance): a
    blank local mapping without a size takes the flavor's swap or ephemeral size."""
    size = bdm.get('volume_size')
    if size is None and bdm.get('source_type') == 'blank' and bdm.get('destination_type') == 'local':
        size = flavor.get('swap', 0) if bdm.get('guest_format') == 'swap' else flavor.get('ephemeral_gb', 0)
    return size


def with_image_root(block_device_mapping_v2, image_ref):
    """What `openstack server create --image X --block-device ...` sends: the image as the
    root mapping first, unless a mapping already boots first."""
    entries = list(block_device_mapping_v2 or [])
    if image_ref and not any(str(e.get('boot_index')) == '0' for e in entries):
        entries.insert(0, {'uuid': image_ref, 'source_type': 'image', 'destination_type': 'local', 'boot_index': 0,
                           'delete_on_termination': True})
    return entries


# -- device names (nova/virt/libvirt/blockinfo.py) -------------------------------------------------
PREFIXES = {'virtio': 'vd', 'ide': 'hd', 'scsi': 'sd', 'usb': 'sd', 'sata': 'sd', 'fdc': 'fd'}
BUS_LIMITS = {'ide': 4}


def generate_device_name(prefix, index):
    """a, b, ..., z, aa, ab, ... as Nova's blockinfo does."""
    letters = ''
    index += 1
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord('a') + rem) + letters
    return prefix + letters


def cdrom_bus(machine_type):
    """ide on the i440fx 'pc' machine, sata on q35 (get_disk_bus_for_device_type)."""
    return 'sata' if 'q35' in (machine_type or 'pc') else 'ide'


def block_device_info(bdms, image_properties=None, machine_type='pc', config_drive=False):
    """Device names for every mapping, in libvirt's order: root, ephemerals, swap, volumes,
    config drive. Names given by the request are kept; two mappings on one name are refused.
    Returns Nova's block_device_info shape plus the ordered `mapping`."""
    props = image_properties or {}
    disk_bus_default = props.get('hw_disk_bus') or 'virtio'
    used = {}
    for i, bdm in enumerate(bdms):
        name = strip_dev(bdm.get('device_name'))
        if name:
            if name in used:
                raise BDMError('block_device_mapping[%d]' % i, 'InvalidBDMFormat',
                               "Block Device Mapping is Invalid: device name %s is used by mapping %d too"
                               % (name, used[name]))
            used[name] = i
    root = [b for b in bdms if b.get('boot_index') == 0]
    ephemerals = [b for b in bdms if is_ephemeral(b) and b.get('boot_index') != 0]
    swaps = [b for b in bdms if is_swap(b)]
    volumes = [b for b in bdms if b.get('destination_type') == 'volume' and b.get('boot_index') != 0 and not
               b.get('no_device')]
    taken = set(used)
    mapping = []

    def assign(bdm, kind):
        device_type = bdm.get('device_type') or 'disk'
        bus = bdm.get('disk_bus') or (cdrom_bus(machine_type) if device_type == 'cdrom' else disk_bus_default)
        name = strip_dev(bdm.get('device_name'))
        if not name:
            prefix = PREFIXES.get(bus, 'vd')
            index = 0
            while generate_device_name(prefix, index) in taken:
                index += 1
            if bus in BUS_LIMITS and index >= BUS_LIMITS[bus]:
                raise BDMError(None, 'TooManyDiskDevices', 'The %s bus takes at most %d devices' % (bus, BUS_LIMITS[bus]))
            name = generate_device_name(prefix, index)
        taken.add(name)
        entry = {'kind': kind, 'device_name': '/dev/' + name, 'dev': name, 'disk_bus': bus, 'device_type': device_type,
                 'size': bdm.get('volume_size'), 'guest_format': bdm.get('guest_format'),
                 'source_type': bdm.get('source_type'), 'destination_type': bdm.get('destination_type'),
                 'delete_on_termination': bdm.get('delete_on_termination'), 'boot_index': bdm.get('boot_index'),
                 'image_id': bdm.get('image_id'), 'volume_id': bdm.get('volume_id')}
        mapping.append(entry)
        return entry

    info = {'root_device_name': None, 'ephemerals': [], 'swap': None, 'block_device_mapping': [], 'mapping': mapping}
    for bdm in root:
        info['root_device_name'] = assign(bdm, 'root')['device_name']
    for number, bdm in enumerate(ephemerals):
        entry = assign(bdm, 'ephemeral')
        entry['num'] = number
        entry['label'] = 'ephemeral%d' % number     # _get_fs_label_ephemeral
        info['ephemerals'].append(entry)
    for bdm in swaps:
        info['swap'] = assign(bdm, 'swap')
    for bdm in volumes:
        info['block_device_mapping'].append(assign(bdm, 'volume'))
    if config_drive:
        info['config_drive'] = assign({'device_type': 'cdrom', 'source_type': 'config_drive'}, 'config_drive')
    return info
