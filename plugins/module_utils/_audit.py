# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The leak checker: every libvirt object of a hypervisor that novalite made, who accounts
for it, and what is wrong. Pure: the audit module gathers what libvirt holds, this decides.

An object is ours by the names novalite gives (see _block_device, _server, _port):

  domain         a domain carrying an instance record
  disk           <instance>_disk, <instance>_disk.eph<N>, <instance>_disk.swap (instances pool)
  config_drive   <instance>_disk.config (instances pool)
  console_log    <instance>.console.log (instances pool)
  marker         failed-build.<time>.<instance> (instances pool; the host's failed_builds stat)
  volume         volume-<id> (volumes pool)
  dhcp_host      a DHCP reservation <instance>-eth<N> in a network
  nvram          <instance>_VARS.fd in the NVRAM directory
  image          a cached image (images pool): the bytes data-<algo>-<hex>-<upload> and, once
                 verified, the view <algo>-<hex> published over them

The verdicts:

  orphan      an object no instance record accounts for (its instance is gone, or its record
              does not list it): a leak
  missing     an object a finished record lists that is not there
  unfinished  an instance still building or only claimed (a build in progress, or killed:
              running the boot again, or deleting the instance, finishes it), with the objects
              its build has made so far
  conflict    two DHCP reservations of one address in a network

Not verdicts: a volume no instance uses is `available` (Cinder's word: a volume is made and
kept on purpose); a verified cached image is the image cache's (Nova keeps base images until they age
out); a marker is accounted for by the host's failed_builds stat.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils import _block_device
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils import _names

UNFINISHED_TASK_STATES = ('claimed', 'spawning', 'block_device_mapping', 'networking', 'scheduling')
_IMAGE_DATA = re.compile(r'^data-(?P<view>[a-z0-9]+-[0-9a-f]+)-[^-]+\Z')
# Device names a boot can give a volume it creates (volume-<uuid5(instance/device)>).
CANDIDATE_DEVICES = tuple('%s%s' % (prefix, chr(ord('a') + i)) for prefix in ('vd', 'sd', 'hd', 'xvd')
                          for i in range(26))


def unfinished(record):
    return record.get('vm_state') == 'building' or (record.get('task_state') or None) in UNFINISHED_TASK_STATES


local_kind = _names.parse_local_volume


def audit(host, domains, instances_pool, instances, volumes_pool, volumes, images_pool, images, networks,
          nvram_dir=None, nvram_files=None):
    """The audit of one host.

    domains: [{'name', 'xml'}] (persistent XML); instances/volumes/images: volume names of
    those pools (None: the pool is missing); networks: {network: [DHCP host {name, mac, ip}]};
    nvram_files: file names in nvram_dir, or None when that directory cannot be read from here.
    """
    records, definitions, foreign_domains = {}, {}, []
    for dom in domains:
        rec = _instance_record.from_domain_xml(dom['xml'])
        if rec is None:
            foreign_domains.append(dom['name'])
        else:
            records[dom['name']], definitions[dom['name']] = rec, dom['xml']

    objects, orphans, missing, conflicts = [], [], [], []
    building = {name: [] for name, rec in records.items() if unfinished(rec)}

    def found(kind, where, name, instance, listed, why_orphan=None):
        obj = {'kind': kind, 'where': where, 'name': name, 'instance': instance}
        objects.append(obj)
        if instance in building:
            building[instance].append('%s %s/%s' % (kind, where, name))
        elif not listed:
            orphans.append(dict(obj, reason=why_orphan or (
                "no instance '%s' on this host" % instance if instance not in records
                else "instance '%s' does not list it" % instance)))

    for name in sorted(records):
        found('domain', 'domain', name, name, True)

    # What every finished record lists, to be found (and what is found, to be listed).
    listed_volumes, listed_ports, paths = set(), set(), set()
    for name, rec in sorted(records.items()):
        for disk in rec.get('block_devices') or []:
            listed_volumes.add((disk.get('pool'), disk.get('volume')))
        if rec.get('console_log'):
            listed_volumes.add((instances_pool, posixpath.basename(rec['console_log'])))
        for port in rec.get('ports') or []:
            listed_ports.add((port.get('network'), (port.get('mac') or '').lower()))
        paths |= {el.text for el in ET.fromstring(definitions[name]).iter('nvram') if el.text}

    for volume in sorted(instances or ()):
        kind, instance = local_kind(volume)
        if kind is None:
            continue                                        # not a name novalite gives
        if kind == 'marker':
            objects.append({'kind': kind, 'where': instances_pool, 'name': volume, 'instance': instance})
            continue
        found(kind, instances_pool, volume, instance, (instances_pool, volume) in listed_volumes)

    known = set(records) | {o['instance'] for o in objects if o['instance']}
    for net, hosts in sorted(networks.items()):
        seen = {}
        for host in hosts:
            owner = _names.parse_port(host.get('name'))
            if host.get('ip'):
                if host['ip'] in seen:
                    conflicts.append({'kind': 'dhcp_host', 'where': net, 'name': host['ip'],
                                      'reason': 'address %s is reserved for both %s and %s'
                                                % (host['ip'], seen[host['ip']], host.get('name') or host.get('mac'))})
                seen[host['ip']] = host.get('name') or host.get('mac')
            if owner:
                known.add(owner)
                found('dhcp_host', net, host['name'], owner,
                      (net, (host.get('mac') or '').lower()) in listed_ports)

    # The volumes a boot made for a recorded instance derive from its UUID; an instance that
    # is gone leaves its kept volumes available, as Nova's do.
    made_by_boot = {}
    for instance, rec in records.items():
        for dev in CANDIDATE_DEVICES:
            made_by_boot[_block_device.volume_name(_block_device.created_volume_id(rec.get('uuid'), dev))] = instance
    available = []
    for volume in sorted(volumes or ()):
        if not volume.startswith('volume-'):
            continue
        if (volumes_pool, volume) in listed_volumes:
            owner = [n for n, rec in records.items()
                     if any(d.get('volume') == volume for d in rec.get('block_devices') or [])]
            found('volume', volumes_pool, volume, owner[0], True)
        elif volume in made_by_boot:
            found('volume', volumes_pool, volume, made_by_boot[volume], False,
                  "made by a boot of '%s' and not listed by any instance" % made_by_boot[volume])
        else:
            objects.append({'kind': 'volume', 'where': volumes_pool, 'name': volume, 'instance': None})
            available.append(volume)

    nvram_known = nvram_files is not None
    for filename in sorted(nvram_files or ()):
        owner = _names.parse_nvram(filename)
        if owner:
            path = posixpath.join(nvram_dir or '', filename)
            found('nvram', nvram_dir, filename, owner, path in paths,
                  None if owner in records else "no domain uses %s" % path)

    published = set(images or ())
    for volume in sorted(images or ()):
        objects.append({'kind': 'image', 'where': images_pool, 'name': volume, 'instance': None})
        match = _IMAGE_DATA.match(volume)
        if match and match.group('view') not in published:
            orphans.append(dict(objects[-1], reason='downloaded bytes never published as %s (a download that failed '
                                                    'or was killed)' % match.group('view')))

    # A finished record's objects, looked for.
    pools = {instances_pool: instances, volumes_pool: volumes}
    ports_present = {(net, (h.get('mac') or '').lower()) for net, hosts in networks.items() for h in hosts}
    for name, rec in sorted(records.items()):
        if name in building:
            continue
        for disk in rec.get('block_devices') or []:
            pool = disk.get('pool')
            if pool not in pools:
                continue                                    # a pool this audit was not asked to read
            if pools[pool] is None or disk.get('volume') not in pools[pool]:
                missing.append({'instance': name, 'kind': disk.get('kind') or 'disk', 'where': pool,
                                'name': disk.get('volume'), 'reason': 'listed by the record, not in the pool'})
        if rec.get('console_log') and rec.get('launched_at') and instances is not None \
                and posixpath.basename(rec['console_log']) not in instances:
            missing.append({'instance': name, 'kind': 'console_log', 'where': instances_pool,
                            'name': posixpath.basename(rec['console_log']), 'reason': 'the instance was started'})
        for port in rec.get('ports') or []:
            if (port.get('network'), (port.get('mac') or '').lower()) not in ports_present:
                missing.append({'instance': name, 'kind': 'dhcp_host', 'where': port.get('network'),
                                'name': port.get('name'), 'reason': 'no DHCP reservation for %s' % port.get('mac')})

    counts = {}
    for obj in objects:
        counts[obj['kind']] = counts.get(obj['kind'], 0) + 1
    return {
        'host': host,
        'instances': sorted(records),
        # The open move of each instance that has one (its source and destination by inventory
        # name): fleet() tells the instance from a move's second copy with it.
        'moves': {name: _migration.open_migration(rec) for name, rec in sorted(records.items())
                  if _migration.open_migration(rec)},
        'objects': objects,
        'orphans': orphans,
        'missing': missing,
        'unfinished': [{'instance': name, 'vm_state': records[name].get('vm_state'),
                        'task_state': records[name].get('task_state') or None,
                        'request_id': records[name].get('request_id'), 'objects': made}
                       for name, made in sorted(building.items())],
        'conflicts': conflicts,
        'available_volumes': available,
        'foreign_domains': sorted(foreign_domains),
        'nvram_checked': nvram_known,
        'counts': counts,
        'clean': not (orphans or missing or conflicts or building),
    }


def fleet(audits):
    """The fleet's verdict from each host's audit ({host: audit, or {'error': why}}): every
    problem as one line, instance names held by more than one host among them (a move's
    second copy - a resize's source until confirm, a claim on a destination - not counted)."""
    holders = {}
    for host, result in sorted(audits.items()):
        moves = result.get('moves') or {}
        for name in result.get('instances') or ():
            if _migration.copy_role(moves.get(name), host, False) != 'instance':
                continue          # a resize's source copy until confirm or revert, a move's claim
            holders.setdefault(name, []).append(host)
    problems = []
    for host, result in sorted(audits.items()):
        if result.get('error'):
            problems.append('%s: not audited: %s' % (host, result['error']))
            continue
        for verdict in ('orphans', 'missing', 'conflicts'):
            for obj in result.get(verdict) or ():
                word = verdict if verdict == 'missing' else verdict[:-1]
                problems.append('%s: %s %s %s/%s: %s' % (host, word, obj['kind'], obj['where'], obj['name'],
                                                         obj['reason']))
        for entry in result.get('unfinished') or ():
            problems.append('%s: unfinished %s (%s/%s, request %s): %s'
                            % (host, entry['instance'], entry['vm_state'], entry['task_state'], entry['request_id'],
                               ', '.join(entry['objects'])))
    duplicates = {name: hosts for name, hosts in sorted(holders.items()) if len(hosts) > 1}
    problems += ['instance %s is on %s' % (name, ' and '.join(hosts)) for name, hosts in duplicates.items()]
    rows = [{'host': host, 'instances': len(r.get('instances') or ()), 'objects': len(r.get('objects') or ()),
             'orphans': len(r.get('orphans') or ()), 'missing': len(r.get('missing') or ()),
             'unfinished': len(r.get('unfinished') or ()), 'conflicts': len(r.get('conflicts') or ()),
             'available_volumes': len(r.get('available_volumes') or ()), 'error': r.get('error')}
            for host, r in sorted(audits.items())]
    return {'clean': not problems, 'problems': problems, 'duplicates': duplicates, 'hosts': rows,
            'orphans': sum(row['orphans'] for row in rows)}
