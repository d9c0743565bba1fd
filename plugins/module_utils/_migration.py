# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Migrations as the instance record keeps them (Nova's migrations table, newest entries only)
and the pure parts of a live migration: what a domain's disks and filters are, Nova's checks
and its completion timeout. Pure: plain dicts and XML text in, plain values out."""

from __future__ import annotations

import datetime
import math
import xml.etree.ElementTree as ET

TASK_STATE = 'migrating'
# Nova's migration statuses: open ones, and the ones a migration ends in. A live migration
# goes accepted -> preparing -> running -> post-migrating -> completed; a resize or a cold
# migration pre-migrating -> migrating -> post-migrating -> finished (VERIFY_RESIZE: the
# instance runs on the destination, the source keeps its copy) -> confirming -> confirmed, or
# reverting -> reverted; an evacuation pre-migrating -> done.
OPEN_STATUSES = ('accepted', 'queued', 'preparing', 'running', 'pre-migrating', 'migrating', 'post-migrating',
                 'finished', 'confirming', 'reverting')
CLOSED_STATUSES = ('completed', 'error', 'failed', 'cancelled', 'confirmed', 'reverted', 'done')
# The migration types of a resize and of a cold migration (Nova's 'resize' and 'migration').
RESIZE_TYPES = ('resize', 'migration')
# A resize or cold migration whose copy on the destination is the instance: the guest was
# made there; the source keeps its old copy until confirm (or goes back to it on revert).
RESIZED_STATUSES = ('finished', 'confirming', 'reverting')
# Nova's task states of a resize, in order, and of its revert.
RESIZE_TASK_STATES = ('resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish')
REVERT_TASK_STATE = 'resize_reverting'
# A record keeps the newest migrations only (its domain's metadata is not a database).
MAX_MIGRATIONS = 10
GiB = 1024 ** 3
# The job statistics a migration entry keeps (Nova's Migration memory_*/disk_* fields).
STATS = ('memory_total', 'memory_processed', 'memory_remaining', 'disk_total', 'disk_processed', 'disk_remaining')


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def new_migration(uuid, migration_type, source, dest, request_id):
    when = now()
    return {'uuid': str(uuid), 'migration_type': migration_type, 'status': 'accepted', 'source_compute': source,
            'dest_compute': dest, 'request_id': request_id, 'created_at': when, 'updated_at': when}


def open_migration(rec, types=None):
    """The record's migration in progress (the newest one not closed), or None; `types`:
    only a migration of one of these migration types."""
    for entry in reversed(rec.get('migrations') or []):
        if entry.get('status') in OPEN_STATUSES:
            return entry if types is None or entry.get('migration_type') in types else None
    return None


def with_migration(rec, migration):
    """The record's migrations with `migration` in place of the entry of its uuid (or added)."""
    entries = [m for m in rec.get('migrations') or [] if m.get('uuid') != migration.get('uuid')]
    return (entries + [dict(migration)])[-MAX_MIGRATIONS:]


def closed(migration, status, stats=None, error=None):
    """The migration ended in `status`, with the job's last statistics and the error, if any."""
    if status not in CLOSED_STATUSES:
        raise ValueError('a migration closes as one of %s, not %r' % (', '.join(CLOSED_STATUSES), status))
    entry = dict(migration, status=status, updated_at=now())
    for key in STATS:
        if stats and stats.get(key) is not None:
            entry[key] = int(stats[key])
    if error is not None:
        entry['error'] = ' '.join(str(error).split())[:500]
    return entry


def live_migration_refusal(rec, power_state):
    """Why Nova's API and conductor refuse to live-migrate this instance, or None:
    check_instance_state(vm_state=[ACTIVE, PAUSED], task_state=[None]) and
    LiveMigrationTask._check_instance_is_active (power state RUNNING or PAUSED)."""
    uuid = rec.get('uuid')
    vm_state, task_state = rec.get('vm_state'), rec.get('task_state') or None
    if vm_state not in ('active', 'paused'):
        return ("Cannot 'live_migrate' instance %s while it is in vm_state %s" % (uuid, vm_state))
    if task_state is not None:
        return ("Cannot 'live_migrate' instance %s while it is in task_state %s" % (uuid, task_state))
    if power_state not in ('running', 'paused'):
        return ('Instance %s in power_state %s. Cannot live migrate while the instance is in this state.'
                % (uuid, power_state))
    return None


def copy_role(migration, host, active):
    """What one host's copy of an instance is, by the move its record shows open (`migration`,
    open_migration() of the record): 'instance' (the instance itself), 'source' (the copy a
    resize or cold migration keeps on its source until it is confirmed or reverted; Nova's
    instance.host is the destination by then), or 'destination' (what a move in progress has
    made on its destination - a claim, disks - not yet the instance). `active`: the domain runs."""
    if not migration:
        return 'instance'
    source, dest = migration.get('source_compute'), migration.get('dest_compute')
    if source == dest or host not in (source, dest):
        return 'instance'
    if migration.get('migration_type') in RESIZE_TYPES:
        resized = migration.get('status') in RESIZED_STATUSES
        if host == dest:
            return 'instance' if resized else 'destination'
        return 'source' if resized else 'instance'
    # A live migration: the destination's copy is a claim until libvirt starts the guest there.
    return 'destination' if host == dest and not active else 'instance'


def resize_refusal(rec, migration_type):
    """Why Nova's API refuses to resize or cold-migrate this instance, or None:
    check_instance_state(vm_state=[ACTIVE, STOPPED], task_state=[None])."""
    uuid, op = rec.get('uuid'), 'resize' if migration_type == 'resize' else 'migrate'
    vm_state, task_state = rec.get('vm_state'), rec.get('task_state') or None
    if vm_state not in ('active', 'stopped'):
        return "Cannot '%s' instance %s while it is in vm_state %s" % (op, uuid, vm_state)
    if task_state is not None:
        return "Cannot '%s' instance %s while it is in task_state %s" % (op, uuid, task_state)
    return None


def flavor_refusal(old, new, boot_from_volume):
    """Why Nova refuses to resize from flavor `old` to `new`, or None: the API's same-flavor and
    zero-disk rules, the libvirt driver's no-shrink rule (migrate_disk_and_power_off)."""
    if old.get('id') == new.get('id') and old.get('name') == new.get('name'):
        return 'When resizing, instances must change flavor!'
    if not new.get('root_gb') and old.get('root_gb') and not boot_from_volume:
        return 'Server disk was unable to be resized because: Resize to zero disk flavor is not allowed.'
    root_down = int(new.get('root_gb') or 0) < int(old.get('root_gb') or 0) and not boot_from_volume
    if root_down or int(new.get('ephemeral_gb') or 0) < int(old.get('ephemeral_gb') or 0):
        return 'Resize error: Unable to resize disk down.'
    return None


def resized_capacity(disk_name, info, flavor):
    """The size (bytes) a disk has after a resize to `flavor` (the libvirt driver's
    finish_migration: the root disk to root_gb, the first ephemeral disk to ephemeral_gb);
    never smaller than it is. `disk_name`: the volume's name; `info`: volume_info()."""
    want = 0
    if disk_name.endswith('_disk'):
        want = int(flavor.get('root_gb') or 0) * GiB
    elif disk_name.endswith('_disk.eph0'):
        want = int(flavor.get('ephemeral_gb') or 0) * GiB
    return max(info['capacity'], want)


def resized_domain_xml(domain_xml, flavor, topology):
    """The domain's persistent XML with the flavor's memory, vCPUs and CPU topology
    ({sockets, cores, threads}, _flavor.cpu_topology)."""
    root = ET.fromstring(domain_xml)
    for tag in ('memory', 'currentMemory'):
        el = root.find(tag)
        if el is not None:
            el.set('unit', 'MiB')
            el.text = str(int(flavor['memory_mb']))
    vcpu = root.find('vcpu')
    if vcpu is not None:
        vcpu.text = str(int(flavor['vcpus']))
    topology_wanted, topology = topology, root.find('cpu/topology')
    if topology is not None:
        for part in ('sockets', 'cores', 'threads'):
            topology.set(part, str(int(topology_wanted[part])))
    return ET.tostring(root, encoding='unicode')


def with_record(domain_xml, record_element):
    """The domain's XML with `record_element` (a namespaced <novalite:instance>) in place of
    the instance record its <metadata> holds."""
    root = ET.fromstring(domain_xml)
    metadata = root.find('metadata')
    if metadata is None:
        metadata = ET.SubElement(root, 'metadata')
    for child in list(metadata):
        if child.tag == record_element.tag:
            metadata.remove(child)
    metadata.append(record_element)
    return ET.tostring(root, encoding='unicode')


def disks(domain_xml):
    """The domain's file-backed disks: [{path, target, readonly, device}], in order."""
    root = ET.fromstring(domain_xml)
    found = []
    for disk in root.iter('disk'):
        source = disk.find('source')
        target = disk.find('target')
        if disk.get('type') != 'file' or source is None or not source.get('file'):
            continue
        found.append({'path': source.get('file'), 'target': target.get('dev') if target is not None else None,
                      'device': disk.get('device') or 'disk',
                      'readonly': disk.find('readonly') is not None or disk.get('device') == 'cdrom'})
    return found


def volume_info(volume_xml):
    """What it takes to make the same volume elsewhere: name, capacity (bytes), format, file
    mode, the volume it is an overlay of."""
    root = ET.fromstring(volume_xml)
    fmt = root.find('target/format')
    backing_format = root.find('backingStore/format')
    return {'name': root.findtext('name'), 'capacity': int(root.findtext('capacity')),
            'format': fmt.get('type') if fmt is not None else 'raw',
            'mode': root.findtext('target/permissions/mode') or '0600',
            'backing': root.findtext('backingStore/path') or None,
            'backing_format': backing_format.get('type') if backing_format is not None else None}


def filter_refs(xml):
    """The network filters an element's <filterref> children name, in order."""
    root = ET.fromstring(xml)
    return [ref.get('filter') for ref in root.iter('filterref') if ref.get('filter')]


def nwfilters_to_copy(domain_xml, source_filter, dest_filter):
    """[(name, xml)] of the filters the domain's interfaces use (and those they include) that
    the destination lacks, included ones first. `source_filter`/`dest_filter`: name -> XML or None."""
    wanted, order, seen = filter_refs(domain_xml), [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        xml = source_filter(name)
        if xml is None:
            return                   # one of libvirt's own filters (a package ships it on every host)
        for ref in filter_refs(xml):
            visit(ref)
        if dest_filter(name) is None:
            order.append((name, xml))

    for name in wanted:
        visit(name)
    return order


def completion_timeout(per_gib, flavor, disk_bytes):
    """Nova's live_migration_completion_timeout: `per_gib` seconds for each GiB to copy -
    the memory (at least 2 GiB counted) and, in a block migration, the disks. 0: no limit."""
    if not per_gib:
        return None
    ram_gb = max(2.0, int(flavor.get('memory_mb') or 0) / 1024.0)
    disk_gb = sum(disk_bytes) / float(GiB)
    return int(per_gib * (ram_gb + disk_gb))


def progress_sample(elapsed, stats):
    """One line of progress: seconds since the start, how much of the memory and of the disks
    is left to copy (percent, as Nova logs it)."""
    def remaining(kind):
        total = stats.get('%s_total' % kind) or 0
        return round(100.0 * (stats.get('%s_remaining' % kind) or 0) / total) if total else 100
    return {'elapsed': round(elapsed, 1), 'memory_remaining_percent': remaining('memory'),
            'disk_remaining_percent': remaining('disk'),
            'data_processed_mb': int(math.ceil((stats.get('data_processed') or 0) / 1048576.0))}


def uri_host(address):
    """An address as a migration URI's host part (an IPv6 one in brackets)."""
    return '[%s]' % address if ':' in address and not address.startswith('[') else address
