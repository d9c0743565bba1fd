# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The spawn step's decisions (Nova's driver.spawn and the instance's states): the instance
record, what may not change on an existing instance, what a power state change takes, and
what deleting an instance removes - all from the record kept in the domain -, the domain's
spawn settings and whether a booting instance has booted (a predicate over one snapshot).
Pure."""

from __future__ import annotations

import datetime
import posixpath
import re
import uuid

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _bdm
from ansible_collections.novalite.compute.plugins.module_utils import _names

NVRAM_DIR = '/var/lib/libvirt/qemu/nvram'
INSTANCE_NAMESPACE = uuid.UUID('5a1e8a52-3d0b-4e5c-8a66-1d2f0b9c7e44')
HOSTNAME_PATTERN = re.compile(r'[^a-z0-9-]+')


def now(precise=False):
    """UTC now, ISO 8601; `precise`: with microseconds (the order of claims)."""
    fmt = '%Y-%m-%dT%H:%M:%S.%fZ' if precise else '%Y-%m-%dT%H:%M:%SZ'
    return datetime.datetime.now(datetime.timezone.utc).strftime(fmt)


def instance_uuid(name, given):
    if given:
        try:
            return str(uuid.UUID(given))
        except ValueError:
            raise InvalidInput('uuid %r is not a UUID' % (given,))
    return str(uuid.uuid5(INSTANCE_NAMESPACE, name))


def hostname(name):
    """Nova's sanitize_hostname: lower case, letters, digits and '-', at most 63."""
    text = HOSTNAME_PATTERN.sub('-', name.lower()).strip('-.')[:63].strip('-')
    return text or 'server'


def record(p, uuid_, flavor, ports, block_device_info, config_drive_volume, console_log, instances_pool):
    """The instance record of a new instance, as it is defined (building, spawning)."""
    disks = [{'kind': 'disk', 'pool': d['pool'], 'volume': d['volume'], 'dev': d['dev'],
              'delete_on_termination': str(bool(d['delete_on_termination'])).lower()}
             for d in block_device_info.get('disks', [])]
    if config_drive_volume:
        disks.append({'kind': 'config_drive', 'pool': instances_pool, 'volume': config_drive_volume,
                      'dev': 'config', 'delete_on_termination': 'true'})
    return {
        'uuid': uuid_, 'name': p['name'], 'display_name': p.get('display_name') or p['name'],
        'hostname': hostname(p['name']), 'project_id': p.get('project_id'), 'server_group': p.get('server_group'),
        # The group's policy and rules too: a move schedules the instance again (Nova's RequestSpec).
        'server_group_policy': p.get('server_group_policy') if p.get('server_group') else None,
        'server_group_max_per_host': p.get('server_group_max_per_host') if p.get('server_group') else None,
        'key_name': p.get('key_name'), 'availability_zone': p.get('availability_zone'),
        'vm_state': 'building', 'task_state': 'spawning', 'created_at': now(), 'request_id': p.get('request_id'),
        'reservation_id': p.get('reservation_id'), 'boot_from_volume': bool(block_device_info.get('boot_from_volume')),
        'console_log': console_log, 'config_drive': 'true' if config_drive_volume else None,
        'flavor': {k: flavor[k] for k in ('name', 'id', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb', 'swap',
                                          'extra_specs')},
        'image': {'id': (p.get('image') or {}).get('id'), 'checksum': (p.get('image') or {}).get('checksum')},
        'ports': [{'network': port['network'], 'name': port['name'], 'mac': port['mac_address'],
                   'ip': port['fixed_ips'][0]['ip_address'], 'id': port['id']} for port in ports],
        'block_devices': disks,
        'security_groups': ','.join(p.get('security_groups') or []) or None,
    }


def immutable(rec):
    """What an instance is made of; a request that differs here is a different instance."""
    flavor = rec.get('flavor') or {}
    return {
        'flavor': (flavor.get('name'), int(flavor.get('vcpus') or 0), int(flavor.get('memory_mb') or 0)),
        'image': (rec.get('image') or {}).get('id'),
        'ports': sorted((p.get('network'), p.get('mac'), p.get('ip')) for p in rec.get('ports') or []),
        'disks': sorted((d.get('pool'), d.get('volume')) for d in rec.get('block_devices') or []
                        if d.get('kind') != 'config_drive'),
    }


def differences(existing, desired):
    a, b = immutable(existing), immutable(desired)
    return ['%s: the instance has %s, the request asks %s' % (k, a[k], b[k]) for k in a if a[k] != b[k]]


def power_view(state, rec):
    """What the diff of a power change or a delete shows of an instance."""
    return {'power_state': state['state'], 'vm_state': rec.get('vm_state')}


def power_after(view, actions):
    """The view once `actions` (power_actions) are done."""
    after = dict(view)
    for action in actions:
        if action == 'start':
            after.update(power_state='running', vm_state='active')
        elif action == 'stop':
            after.update(power_state='shutoff', vm_state='stopped')
    return after


def power_actions(state, wanted):
    """Actions that bring a domain in libvirt state `state` to `wanted`."""
    if wanted in ('present', 'running'):
        return [] if state == 'running' else ['start']
    if wanted == 'stopped':
        return ['stop'] if state in ('running', 'paused', 'crashed', 'shutdown') else []
    if wanted == 'rebooted':
        return ['reboot'] if state == 'running' else ['start']
    raise InvalidInput('state %r is not one of present, running, stopped, rebooted, absent' % (wanted,))


def teardown(rec):
    """What deleting the instance removes: its local disks, its config drive and console log,
    the volumes marked delete_on_termination, and its ports."""
    volumes = [(d['pool'], d['volume']) for d in rec.get('block_devices') or []
               if str(d.get('delete_on_termination')).lower() == 'true']
    ports = [(p['network'], {'mac': p['mac'], 'name': p['name'], 'ip': p['ip']}) for p in rec.get('ports') or []]
    return volumes, ports


def leftovers(name, instance_volumes, network_hosts):
    """What an instance's build leaves before its record lists it, found by our naming
    conventions, so a delete or rollback after a killed run still finds all of it:
    `instance_volumes`, the volume names of the instances pool; `network_hosts`,
    {network: [DHCP host {name, mac, ip}]}. Returns (volume names, [(network, host)])."""
    volumes = sorted(v for v in instance_volumes if _names.parse_local_volume(v) in
                     (('disk', name), ('config_drive', name), ('console_log', name)))
    ports = [(network, host) for network, hosts in sorted(network_hosts.items())
             for host in hosts if _names.parse_port(host.get('name')) == name]
    return volumes, ports


def spawn_settings(p, disks, console_log, config_path):
    """The domain XML settings of a spawn (module options `p`): virt type, serial log,
    graphics, NVRAM, and the config drive on the first free name of its bus (ide on 'pc')."""
    used = {d['dev'] for d in disks}
    bus = _bdm.cdrom_bus(((p.get('image') or {}).get('properties') or {}).get('hw_machine_type'))
    prefix = _bdm.PREFIXES[bus]
    index = 0
    while _bdm.generate_device_name(prefix, index) in used:
        index += 1
    return {'virt_type': p['virt_type'], 'serial_log': console_log, 'graphics': p['graphics'],
            'graphics_listen': p['graphics_listen'], 'config_drive': config_path,
            'config_drive_dev': _bdm.generate_device_name(prefix, index), 'config_drive_bus': bus,
            'nvram': posixpath.join(NVRAM_DIR, _names.nvram(p['name']))}


def delete_plan(rec, name, instances_pool, instance_volumes, network_hosts, has_filter):
    """What a delete removes: everything the record lists, and what our naming conventions
    find besides (a build killed before its record listed a disk or port): (volumes as
    [(pool, name)], ports as [(network, host)], and the list of what is removed)."""
    volumes, ports = teardown(rec)
    extra_volumes, extra_ports = leftovers(name, instance_volumes, network_hosts)
    volumes += [(instances_pool, v) for v in extra_volumes if (instances_pool, v) not in volumes]
    ports += [(n, h) for n, h in extra_ports if (n, h['mac']) not in {(pn, ph['mac']) for pn, ph in ports}]
    console = rec.get('console_log')
    if console and (instances_pool, posixpath.basename(console)) not in volumes:
        volumes.append((instances_pool, posixpath.basename(console)))
    removed = ['%s/%s' % v for v in volumes] + ['%s/%s' % (n, h['name']) for n, h in ports]
    if has_filter:
        removed.append('nwfilter/%s' % _names.instance_filter(name))
    return volumes, ports, removed


def booted(name, wait_for, boot_marker, rec, snapshot):
    """Whether the instance has booted, from one snapshot {state (libvirt's, None when the
    domain is gone), console (text, for boot_marker), leases ({mac: ip}, for ip)}; an
    instance that is gone or stopped raises the reason."""
    state = snapshot.get('state')
    if state is None:
        raise NovaliteError("instance '%s' was removed while booting" % name)
    if state in ('shutoff', 'crashed'):
        raise NovaliteError("instance '%s' stopped while booting (libvirt state %s)" % (name, state))
    if state != 'running':
        return False
    if wait_for == 'running':
        return True
    if wait_for == 'boot_marker':
        return re.search(boot_marker, snapshot.get('console') or '') is not None
    return {port['mac'] for port in rec.get('ports') or []} <= set(snapshot.get('leases') or {})


def lease_ips(leases, macs):
    """{mac: ip} from a network's DHCP leases."""
    found = {}
    for lease in leases:
        mac = (lease.get('mac') or '').lower()
        if mac in macs and lease.get('ipaddr'):
            found[mac] = lease['ipaddr']
    return found
