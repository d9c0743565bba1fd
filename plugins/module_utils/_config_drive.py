# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The config drive in Nova's OpenStack layout (nova/api/metadata/base.py
metadata_for_config_drive, nova/virt/netutils.py get_network_metadata), as an ISO9660 image
labelled `config-2` made with pycdlib. Pure: bytes in, bytes out.

    openstack/<version>/meta_data.json, user_data, vendor_data.json, network_data.json,
                        vendor_data2.json (each from the version that has it)
    ec2/<version>/meta-data.json, user-data          (2009-04-04 and latest)
"""

from __future__ import annotations

import base64
import io
import json
import os
import traceback

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

try:
    import pycdlib
except ImportError:
    pycdlib = None
    PYCDLIB_IMPORT_ERROR = traceback.format_exc()
else:
    PYCDLIB_IMPORT_ERROR = None

OPENSTACK_VERSIONS = ('2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30', '2016-10-06',
                      '2017-02-22', '2018-08-27', '2020-10-14', '2025-04-04')
EC2_VERSIONS = ('2009-04-04',)
MAX_USER_DATA = 65535          # bytes after base64 decoding, as Nova's API allows
LABEL = 'config-2'


def decode_user_data(user_data):
    """user_data as written (never guessed to be base64: Nova's API wants base64 only because
    it travels in JSON) -> bytes, within Nova's limit on the decoded content."""
    if user_data is None:
        return None
    decoded = user_data.encode('utf-8') if isinstance(user_data, str) else bytes(user_data)
    if len(decoded) > MAX_USER_DATA:
        raise InvalidInput('user_data is %d bytes; Nova allows at most %d (after base64 decoding)'
                           % (len(decoded), MAX_USER_DATA))
    return decoded


def network_data(ports):
    """network_data.json from the instance's ports: static IPv4 addresses, as cloud-init
    turns them into a network configuration."""
    links, networks, services = [], [], []
    for i, port in enumerate(ports):
        link_id = 'tap%s' % port['id'][:11]
        links.append({'id': link_id, 'vif_id': port['id'], 'type': 'phy', 'mtu': port.get('mtu'),
                      'ethernet_mac_address': port['mac_address']})
        for fixed in port['fixed_ips']:
            dns = [{'type': 'dns', 'address': a} for a in port.get('dns_nameservers') or []]
            networks.append({'id': 'network%d' % len(networks), 'type': 'ipv4', 'link': link_id,
                             'ip_address': fixed['ip_address'], 'netmask': fixed['netmask'],
                             'routes': [{'network': '0.0.0.0', 'netmask': '0.0.0.0', 'gateway': fixed['gateway']}]
                             if i == 0 and fixed.get('gateway') else [],
                             'network_id': port['network_id'], 'services': dns})
            for service in dns:
                if service not in services:
                    services.append(service)
    return {'links': links, 'networks': networks, 'services': services}


def meta_data(instance, version, public_keys, admin_password, random_seed, devices, dhcp_domain):
    md = {
        'uuid': instance['uuid'],
        'hostname': '%s.%s' % (instance['hostname'], dhcp_domain) if dhcp_domain else instance['hostname'],
        'name': instance['name'],
        'launch_index': instance.get('launch_index', 0),
        'availability_zone': instance.get('availability_zone') or 'nova',
    }
    if instance.get('meta'):
        md['meta'] = instance['meta']
    if public_keys:
        md['public_keys'] = dict(public_keys)
        md['keys'] = [{'name': name, 'type': 'ssh', 'data': key} for name, key in public_keys.items()]
    if admin_password is not None:
        md['admin_pass'] = admin_password
    if version >= '2013-04-04' or version == 'latest':
        md['random_seed'] = random_seed
    if version >= '2015-10-15' or version == 'latest':
        md['project_id'] = instance.get('project_id')
    if version >= '2016-06-30' or version == 'latest':
        md['devices'] = devices
    if version >= '2020-10-14' or version == 'latest':
        md['dedicated_cpus'] = []
    return md


def ec2_meta_data(instance, public_keys, ports, dhcp_domain, block_devices):
    hostname = '%s.%s' % (instance['hostname'], dhcp_domain) if dhcp_domain else instance['hostname']
    ip = ports[0]['fixed_ips'][0]['ip_address'] if ports else None
    md = {
        'ami-id': instance.get('image_id'), 'ami-launch-index': instance.get('launch_index', 0),
        'ami-manifest-path': 'FIXME', 'instance-id': instance['uuid'], 'hostname': hostname, 'local-ipv4': ip,
        'reservation-id': instance.get('reservation_id'), 'security-groups': ['default'],
        'local-hostname': hostname, 'public-hostname': hostname, 'public-ipv4': '',
        'instance-type': instance.get('flavor_name'), 'block-device-mapping': block_devices,
        'placement': {'availability-zone': instance.get('availability_zone') or 'nova'}, 'instance-action': 'none',
    }
    if public_keys:
        name, key = sorted(public_keys.items())[0]
        md['public-keys'] = {'0': {'_name': '0=%s' % name, 'openssh-key': key}}
    return md


def files(instance, ports, user_data=None, admin_password=None, public_keys=None, vendor_data=None,
          random_seed=None, devices=None, dhcp_domain='novalocal', block_devices=None):
    """{path: bytes} of the whole config drive."""
    user_bytes = decode_user_data(user_data)
    seed = random_seed if random_seed is not None else base64.b64encode(os.urandom(512)).decode()
    out = {}
    net = network_data(ports)
    for version in OPENSTACK_VERSIONS + ('latest',):
        base = 'openstack/%s/' % version
        out[base + 'meta_data.json'] = _json(meta_data(instance, version, public_keys, admin_password, seed,
                                                       devices or [], dhcp_domain))
        if user_bytes is not None:
            out[base + 'user_data'] = user_bytes
        if version >= '2013-10-17' or version == 'latest':
            out[base + 'vendor_data.json'] = _json(vendor_data or {})
        if version >= '2015-10-15' or version == 'latest':
            out[base + 'network_data.json'] = _json(net)
        if version >= '2016-10-06' or version == 'latest':
            out[base + 'vendor_data2.json'] = _json({'static': vendor_data or {}})
    ec2 = ec2_meta_data(instance, public_keys, ports, dhcp_domain, block_devices or {'ami': 'vda', 'root': '/dev/vda'})
    for version in EC2_VERSIONS + ('latest',):
        out['ec2/%s/meta-data.json' % version] = _json(ec2)
        if user_bytes is not None:
            out['ec2/%s/user-data' % version] = user_bytes
    return out


def _json(data):
    return json.dumps(data).encode('utf-8')


def iso(tree):
    """An ISO9660 image (Rock Ridge and Joliet names) of {path: bytes}, labelled config-2."""
    if pycdlib is None:
        raise InvalidInput('the Python library pycdlib is required to make config drives (pip install pycdlib, or '
                           'the python3-pycdlib package)')
    image = pycdlib.PyCdlib()
    image.new(interchange_level=4, joliet=3, rock_ridge='1.09', vol_ident=LABEL, app_ident_str='novalite.compute')
    made = set()
    keep = []
    for path in sorted(tree):
        parts = path.split('/')
        for depth in range(1, len(parts)):
            directory = '/'.join(parts[:depth])
            if directory not in made:
                image.add_directory(iso_path='/' + directory.upper().replace('-', '_').replace('.', '_'),
                                    rr_name=parts[depth - 1], joliet_path='/' + directory)
                made.add(directory)
        data = tree[path]
        fp = io.BytesIO(data)
        keep.append(fp)
        iso_dir = '/'.join(p.upper().replace('-', '_').replace('.', '_') for p in parts[:-1])
        iso_name = parts[-1].upper().replace('-', '_')
        if '.' not in iso_name:
            iso_name += '.'
        image.add_fp(fp, len(data), iso_path='/%s/%s;1' % (iso_dir, iso_name), rr_name=parts[-1],
                     joliet_path='/' + path)
    out = io.BytesIO()
    image.write_fp(out)
    image.close()
    return out.getvalue()


def read(iso_bytes, paths):
    """{path: bytes} of the files of a config drive (an ISO9660 image made by iso()) among
    `paths` (as the guest sees them, e.g. openstack/latest/user_data); a path it lacks is left out."""
    if pycdlib is None:
        raise InvalidInput('the Python library pycdlib is required to read config drives (pip install pycdlib, or '
                           'the python3-pycdlib package)')
    image = pycdlib.PyCdlib()
    image.open_fp(io.BytesIO(iso_bytes))
    found = {}
    try:
        for path in paths:
            out = io.BytesIO()
            try:
                image.get_file_from_iso_fp(out, joliet_path='/' + path)
            except pycdlib.pycdlibexception.PyCdlibException:
                continue
            found[path] = out.getvalue()
    finally:
        image.close()
    return found
