# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A whole boot request validated before any work, as Nova's API and compute API do in
_create_instance: flavor against image, networks and fixed IPs, block device mappings,
names, counts, metadata, user data; and what the rest of the boot needs from it. Pure."""

from __future__ import annotations

import random
import re
import string
import uuid

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _bdm
from ansible_collections.novalite.compute.plugins.module_utils import _config_drive
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _image
from ansible_collections.novalite.compute.plugins.module_utils import _ipam
from ansible_collections.novalite.compute.plugins.module_utils import _network
from ansible_collections.novalite.compute.plugins.module_utils import _port
from ansible_collections.novalite.compute.plugins.module_utils import _security_group

_KEY_NAME = re.compile(r'^[A-Za-z0-9 _.-]{1,255}\Z')
_PUBLIC_KEY = re.compile(r'^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( [^\n]*)?\Z')
POLICIES = ('affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity')


# The boot request's fields - the one list of them: the module's `request` suboptions
# (plugins/modules/boot_request.py documents them), boot.yml's `server`, the role server's
# `server_request` (its argument_specs.yml is checked against this by a unit test).
REQUEST_SPEC = dict(
    name=dict(type='str', required=True),
    flavor=dict(type='str', required=True),
    image=dict(type='str'),
    networks=dict(type='list', elements='dict', default=[]),
    block_device_mapping=dict(type='list', elements='dict', default=[]),
    min_count=dict(type='int', default=1),
    max_count=dict(type='int'),
    metadata=dict(type='dict', default={}),
    user_data=dict(type='str', no_log=True),
    admin_password=dict(type='str', no_log=True),
    key_name=dict(type='str', no_log=False),
    public_key=dict(type='str', no_log=False),
    availability_zone=dict(type='str'),
    scheduler_hints=dict(type='dict'),
    server_group=dict(type='dict'),
    project_id=dict(type='str'),
    config_drive=dict(type='bool', default=False),
    reservation_id=dict(type='str'),
    security_groups=dict(type='list', elements='str'),
    wait_for=dict(type='str', choices=['running', 'boot_marker', 'ip'], default='running'),
    boot_marker=dict(type='str'),
    timeout=dict(type='int', default=300),
    keep_failed=dict(type='bool', default=False),
)

# The inventory's catalogs a request is resolved against.
CATALOG_SPEC = dict(
    flavors=dict(type='list', elements='dict', default=[]),
    images=dict(type='list', elements='dict', default=[]),
    networks=dict(type='list', elements='dict', default=[]),
    keypairs=dict(type='list', elements='dict', default=[], no_log=False),
    security_groups=dict(type='list', elements='dict'),
)

# The module's options; the action plugin of the same name checks them on the controller.
ARGUMENT_SPEC = dict(
    request=dict(type='dict', required=True, options=REQUEST_SPEC),
    catalog=dict(type='dict', required=True, options=CATALOG_SPEC),
)


# Optional text fields whose empty value means "not given": what a form sends for a question
# left blank (an AWX survey's empty answer is '', docs/awx.md), as the Nova CLI omits an
# unset option. A required field left empty is still refused, by name.
BLANK_MEANS_UNSET = tuple(k for k, v in REQUEST_SPEC.items() if v['type'] == 'str' and not v.get('required'))


def from_request(request, catalog):
    """validate() of the module's `request` against its `catalog`."""
    request = {k: v for k, v in request.items() if not (k in BLANK_MEANS_UNSET and v == '')}
    p = dict(request, keypairs=catalog.get('keypairs') or [], security_group_catalog=catalog.get('security_groups'))
    return validate(p, catalog.get('flavors') or [], catalog.get('images') or [], catalog.get('networks') or [])


def instance_names(name, max_count):
    """Nova's multi_instance_display_name_template '%(name)s-%(count)d' when more than one."""
    return [name] if max_count == 1 else ['%s-%d' % (name, i) for i in range(1, max_count + 1)]


def reservation_id(rng=random):
    return 'r-' + ''.join(rng.choice(string.ascii_lowercase + string.digits) for dummy in range(8))


def validate(p, flavors, images, networks):
    name = _domain_xml.check_name(p['name'])
    min_count = 1 if p.get('min_count') is None else p['min_count']
    max_count = max(min_count, 1) if p.get('max_count') is None else p['max_count']
    if min_count < 1 or max_count < min_count:
        raise InvalidInput('min_count (%d) must be at least 1 and max_count (%d) at least min_count'
                           % (min_count, max_count))
    resolved = _flavor.resolve(flavors, p['flavor'])
    # Nova's flavor fields, normalized, as every later step takes them (not the derived guest view).
    flavor = {k: resolved[k] for k in _flavor.FIELDS if k in resolved}
    image = _image.resolve(images, p['image']) if p.get('image') else None
    kernel = ramdisk = None
    if image:
        _flavor.check_image(flavor, image, None, False)
        if image['properties'].get('kernel_id'):
            kernel = _image.resolve(images, image['properties']['kernel_id'])
        if image['properties'].get('ramdisk_id'):
            ramdisk = _image.resolve(images, image['properties']['ramdisk_id'])
    bdm = p.get('block_device_mapping') or []
    for i, entry in enumerate(bdm):
        if isinstance(entry, dict) and entry.get('source_type') == 'volume':
            try:
                uuid.UUID(str(entry.get('uuid')))
            except ValueError:
                raise InvalidInput('block_device_mapping[%d].uuid %r is not a volume id (a UUID)' % (i, entry.get('uuid')))
    volume_ids = {e.get('uuid') for e in bdm if isinstance(e, dict) and e.get('source_type') == 'volume'}
    image_ids = {i['id'] for i in (_image.validate(e, n) for n, e in enumerate(images))}
    bdms = _bdm.check_sized(_bdm.build(flavor, _bdm.with_image_root(bdm, image['id'] if image else None) or None,
                                       None, image['id'] if image else None, min_count, max_count,
                                       images={i: {} for i in image_ids},
                                       volumes={v: {'size': 1} for v in volume_ids if v}))
    boot_from_volume = not any(b['source_type'] == 'image' and b['destination_type'] == 'local' and b['boot_index'] == 0
                               for b in bdms)
    # Without an image, Nova takes the boot device's image metadata (get_bdm_image_metadata):
    # its properties place and build the instance, its min_ram is checked.
    boot_image = image or boot_device_image(images, bdms)
    if boot_image is not image:
        _flavor.check_image(flavor, boot_image, None, True)
    nets = []
    for i, req in enumerate(p.get('networks') or []):
        if not isinstance(req, dict) or not req.get('network'):
            raise InvalidInput('networks[%d] must be {network: NAME[, fixed_ip: IP]}, got %r' % (i, req))
        net = _network.resolve(networks, req['network'])
        if req.get('fixed_ip') is not None:
            if not isinstance(req['fixed_ip'], str) or not req['fixed_ip']:
                raise InvalidInput('networks[%d].fixed_ip %r is not an IP address' % (i, req['fixed_ip']))
            if max_count > 1:
                raise InvalidInput('networks[%d]: a fixed_ip cannot go to more than one instance (max_count %d)'
                                   % (i, max_count))
            _port.subnet_of(_network.desired_view(net)).check_requested(req['fixed_ip'], {}, net['name'])
        nets.append({'network': net['name'], 'fixed_ip': req.get('fixed_ip'), 'device': 'eth%d' % i,
                     'catalog': _entry(networks, net['name'])})
    metadata = p.get('metadata') or {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str) or not 1 <= len(key) <= 255 or len(value) > 255:
            raise InvalidInput('metadata %r: %r - keys and values must be strings of at most 255 characters'
                               % (key, value))
    _config_drive.decode_user_data(p.get('user_data'))
    key_name, public_key = keypair(p.get('key_name'), p.get('public_key'), p.get('keypairs') or [])
    group = p.get('server_group')
    if group is not None:
        if not isinstance(group, dict) or not group.get('name') or group.get('policy') not in POLICIES:
            raise InvalidInput('server_group must be {name, policy: one of %s}, got %r' % (', '.join(POLICIES), group))
    instances = []
    for index, instance in enumerate(instance_names(name, max_count)):
        _domain_xml.check_name(instance)
        for net in nets:
            _port.port_name(instance, net['device'])
        # A new UUID for every new instance, as Nova's API gives (uuid4): a later instance of the
        # same name is another instance to the guest's cloud-init and to its volumes.
        instances.append({'name': instance, 'uuid': str(uuid.uuid4()), 'launch_index': index})
    scheduler = {
        'flavor': flavor, 'image': {'id': image['id'] if image else None,
                                    'properties': boot_image['properties'] if boot_image else {}},
        'num_instances': max_count, 'min_count': min_count, 'instance_uuids': [i['uuid'] for i in instances],
        'boot_from_volume': boot_from_volume,
    }
    for key in ('availability_zone', 'scheduler_hints', 'project_id'):
        if p.get(key):
            scheduler[key] = p[key]
    if group:
        scheduler['server_group'] = {'name': group['name'], 'policy': group['policy'], 'rules': group.get('rules') or {}}
    groups = security_groups(p.get('security_groups'), p.get('security_group_catalog'), p.get('project_id'))
    _ipam.require_netaddr()
    return {'security_groups': groups[0], 'security_group_catalog': groups[1],
            'name': name, 'instances': instances, 'flavor': flavor, 'image': image, 'kernel': kernel,
            'image_properties': boot_image['properties'] if boot_image else {},
            'ramdisk': ramdisk, 'networks': [{k: v for k, v in n.items() if k != 'catalog'} for n in nets],
            'network_catalog': [n['catalog'] for n in nets],
            'image_catalog': image_catalog(images, [i for i in (image, kernel, ramdisk) if i], bdms),
            'block_device_mapping': bdm,
            'boot_from_volume': boot_from_volume, 'scheduler_request': scheduler,
            'reservation_id': p.get('reservation_id') or reservation_id(), 'request_id': 'req-%s' % uuid.uuid4(),
            'config_drive': bool(p.get('config_drive')) or (image or {}).get('properties', {}).get(
                'img_config_drive') == 'mandatory',
            'server_group': group['name'] if group else None, 'min_count': min_count, 'max_count': max_count,
            'key_name': key_name, 'public_key': public_key,
            # What each build needs of the request besides (not the secrets: user_data and
            # admin_password go to the build as options of their own, never in a result).
            'project_id': p.get('project_id'), 'metadata': metadata, 'availability_zone': p.get('availability_zone'),
            'wait_for': p.get('wait_for') or 'running', 'boot_marker': p.get('boot_marker'),
            'timeout': 300 if p.get('timeout') is None else p['timeout'], 'keep_failed': bool(p.get('keep_failed'))}


def boot_device_image(images, bdms):
    """The catalog image of the boot device (boot_index 0, from an image), or None."""
    for b in bdms:
        if b.get('boot_index') == 0 and b.get('source_type') == 'image' and b.get('image_id'):
            return _image.resolve(images, b['image_id'])
    return None


def image_catalog(images, top_level, bdms):
    """The catalog entries of every image a build needs on its host: the request's image, its
    kernel and ramdisk, and the image of each mapping from an image (a boot from a new volume
    may name no top-level image at all)."""
    wanted = [i['id'] for i in top_level]
    for b in bdms:
        if b.get('source_type') == 'image' and b.get('image_id') and b['image_id'] not in wanted:
            wanted.append(_image.resolve(images, b['image_id'])['id'])
    return [_entry(images, i) for i in wanted]


def security_groups(names, catalog, project_id):
    """The request's security groups and the project's catalog of them, or (None, None) when
    the fleet has no security groups (no catalog, none asked for): Nova's NoopFirewallDriver."""
    if names is None and catalog is None:
        return None, None
    groups = _security_group.catalog(catalog or [], project_id)
    return _security_group.requested(names, groups), [
        {'name': g['name'], 'description': g['description'], 'rules': g['rules']} for g in groups.values()]


def _entry(catalog, wanted):
    """The catalog entry itself (as the image and network modules take it), not its normalized view."""
    return [e for e in catalog if isinstance(e, dict) and wanted in (e.get('id'), e.get('name'))][0]


def keypair(key_name, public_key, keypairs):
    """(key_name, public_key): the key named in the keypair catalog (Nova's key_name), or the
    public key given with the request."""
    if key_name is not None and not _KEY_NAME.match(key_name):
        raise InvalidInput('key_name %r must be 1-255 letters, digits, spaces, "-", "_" or "."' % (key_name,))
    if key_name and not public_key:
        pairs = {k.get('name'): k for k in keypairs if isinstance(k, dict)}
        if key_name not in pairs:
            raise InvalidInput("key_name %r is not in the keypair catalog (novalite_keypairs: %s)"
                               % (key_name, ', '.join(sorted(str(n) for n in pairs)) or 'empty'))
        public_key = pairs[key_name].get('public_key')
    if public_key is not None and not _PUBLIC_KEY.match(public_key.strip()):
        raise InvalidInput('public_key of key_name %r is not an OpenSSH public key ("type base64 [comment]")'
                           % (key_name,))
    return key_name, public_key.strip() if public_key else None
