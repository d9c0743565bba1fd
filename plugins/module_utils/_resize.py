# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resize and cold migration of one instance between two hypervisors, and their confirm and
revert, each in one Python frame (a _move.Move step): Nova's ComputeManager prep_resize on
the destination, resize_instance on the source (the libvirt driver's
migrate_disk_and_power_off), finish_resize on the destination (finish_migration), then
confirm_resize (the source's copy goes) or revert_resize + finish_revert_resize (the
destination's copy goes, the source's starts again with the old flavor).

A cold migration is a resize to the same flavor (migration_type 'migration', action
'migrate'). Storage is never shared between novalite hosts: the disks are copied from the
source's pools to the destination's through libvirt (virStorageVolDownload into
virStorageVolUpload, streams through the controller, no scp), the root and ephemeral disks
then grown to the new flavor's sizes.

Steps recorded on the instance (Nova's task states resize_prep -> resize_migrating ->
resize_migrated -> resize_finish, the migration pre-migrating -> migrating -> post-migrating
-> finished): killed and run again, a resize that had not finished is rolled back (the
destination's copies go, the source's guest runs again as it did) and made again; one that
finished is left in VERIFY_RESIZE (vm_state 'resized'). Any failure leaves the instance as it
was on its source.
"""

from __future__ import annotations

import os
import time
import uuid as uuidlib

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _instance_action
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _libvirt
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool
from ansible_collections.novalite.compute.plugins.module_utils._claim import Claim
from ansible_collections.novalite.compute.plugins.module_utils._move import HOST, MOVE_OPTIONS, Move, as_int

# NOVALITE_MIGRATION_STEP_DELAY (seconds) holds each step that long once recorded, for the
# tests that interrupt an operation at each step.
STEP_DELAY = float(os.environ.get('NOVALITE_MIGRATION_STEP_DELAY') or 0)
OPERATIONS = ('resize', 'confirm', 'revert')


class Resize(Move):
    notification = 'resize'
    argument_spec = dict(
        MOVE_OPTIONS,
        operation=dict(type='str', default='resize', choices=list(OPERATIONS)),
        flavor=dict(type='dict'),
        dest=dict(type='dict', required=True, options=dict(HOST, settings=dict(type='dict', default={}))),
        shutdown_timeout=dict(type='int', default=60),
    )

    def run(self):
        p = self.params
        _domain_xml.check_name(p['instance'], 'instance')
        if p['source']['host'] == p['dest']['host']:
            raise InvalidInput("dest: the same host as source (%s); a resize on its own host is not built "
                               "(Nova: allow_resize_to_same_host)" % p['source']['host'])
        if p['shutdown_timeout'] < 0:
            raise InvalidInput('shutdown_timeout must be 0 (power off at once) or more seconds, got %d'
                               % p['shutdown_timeout'])
        if p['flavor'] is not None and p['operation'] != 'resize':
            raise InvalidInput('flavor: only a resize takes a flavor (operation %s)' % p['operation'])
        self.new_flavor = None
        if p['flavor']:
            self.new_flavor = {k: v for k, v in _flavor.validate(p['flavor']).items() if k != 'guest'}
        from ansible_collections.novalite.compute.plugins.module_utils._compute_manager import check_settings
        self.settings = check_settings(p['dest']['settings'])
        self.request = _instance_action.request_id(p['request_id'])
        self.events, self.timings = [], {}
        src = _libvirt.Hypervisor(p['source']['uri'])
        try:
            dst = _libvirt.Hypervisor(p['dest']['uri'])
            try:
                result = getattr(self, p['operation'])(src, dst)
            finally:
                dst.close()
        finally:
            src.close()
        if self.events:
            result['novalite_events'] = self.events
        return result

    # -- the copies of the instance on the two hosts ------------------------------------------------
    def copies(self, src, dst):
        """(state, record, role) on the source and on the destination; (None, None, None) where
        the host has no copy of the instance."""
        p, name = self.params, self.params['instance']
        found = []
        for hv, host in ((src, p['source']['host']), (dst, p['dest']['host'])):
            state = hv.domain_state(name)
            rec = _instance_record.from_domain_xml(state['xml']) if state else None
            if state is not None and rec is None:
                raise InvalidInput("domain '%s' on %s is not a novalite instance; novalite leaves it alone"
                                   % (name, host))
            role = _migration.copy_role(_migration.open_migration(rec), host, state['active']) if rec else None
            found.append((state, rec, role))
        return found

    # -- resize: prep_resize, resize_instance, finish_resize ----------------------------------------
    def resize(self, src, dst):
        p, name = self.params, self.params['instance']
        (s_state, s_rec, s_role), (d_state, d_rec, d_role) = self.copies(src, dst)
        mtype = 'resize' if self.new_flavor else 'migration'
        if d_rec and d_role == 'instance' and (s_rec is None or s_rec.get('uuid') == d_rec.get('uuid')):
            migration = _migration.open_migration(d_rec, _migration.RESIZE_TYPES)
            if migration and migration.get('source_compute') == p['source']['host']:
                # Resized already (VERIFY_RESIZE); a run cut short may have left the source's record behind.
                if s_rec is not None and (_migration.open_migration(s_rec) or {}).get('status') != 'finished' \
                        and not self.check_mode:
                    self.finished_on_source(src, s_rec, migration)
                return self.result(False, d_rec, p['dest']['host'], 'resized already: on %s, waiting for confirm '
                                   'or revert' % p['dest']['host'])
            if s_rec is None:
                return self.result(False, d_rec, p['dest']['host'], 'on %s already' % p['dest']['host'])
        if s_state is None:
            raise NovaliteError("Failed to resize instance '%s': it is not on %s" % (name, p['source']['host']))
        migration = _migration.open_migration(s_rec, _migration.RESIZE_TYPES)
        interrupted = s_role == 'instance' and (
            s_rec.get('task_state') in _migration.RESIZE_TASK_STATES or
            (migration is not None and migration.get('status') not in _migration.RESIZED_STATUSES))
        if interrupted and not self.check_mode:
            self.roll_back_interrupted(src, s_rec, s_state['xml'])
            s_state = src.domain_state(name)
            s_rec = _instance_record.from_domain_xml(s_state['xml'])
        problem = _migration.resize_refusal(dict(s_rec, task_state=None) if interrupted else s_rec, mtype)
        new = self.new_flavor or s_rec['flavor']
        if not problem and self.new_flavor:
            problem = _migration.flavor_refusal(s_rec['flavor'], new, s_rec.get('boot_from_volume'))
        if problem:
            raise NovaliteError('%s (instance %s on %s)' % (problem, name, p['source']['host']))
        if self.check_mode:
            return self.result(True, s_rec, p['source']['host'], '%swould %s from %s to %s' % (
                'would roll back the interrupted resize, then ' if interrupted else '',
                'resize to %s' % new['name'] if self.new_flavor else 'migrate', p['source']['host'],
                p['dest']['host']))
        return self.resize_and_finish(src, dst, s_rec, s_state, mtype, new)

    def resize_and_finish(self, src, dst, rec, state, mtype, new):
        p, name = self.params, self.params['instance']
        old = rec['flavor']
        migration = _migration.new_migration(uuidlib.uuid4(), mtype, p['source']['host'], p['dest']['host'],
                                             self.request)
        migration.update(status='pre-migrating', old_flavor=old.get('name'), new_flavor=new.get('name'),
                         old_vm_state=rec.get('vm_state'))
        action_name = 'resize' if mtype == 'resize' else 'migrate'
        rec['task_state'] = 'resize_prep'
        rec['migrations'] = _migration.with_migration(rec, migration)
        action = _instance_action.start(rec, action_name, self.request)
        self.save(src, rec)
        self.notify(rec, 'start', p['source']['host'])
        xml, was_running = state['xml'], state['active']
        try:
            with self.clock('prep_resize'):
                self.prep_resize(dst, rec, migration, new)
            self.step(src, rec, migration, 'resize_migrating', 'migrating')
            with self.clock('power_off'):
                self.timings['shutdown'] = src.shutdown_domain(name, p['shutdown_timeout'])
            with self.clock('migrate_disks'):
                self.plug_ports(src, dst, rec, xml, p['dest']['host'])
                volumes = self.source_volumes(src, xml, p['source']['host'])
                self.copy_images(src, dst, volumes, p['dest']['host'])
                self.copy_disks(src, dst, volumes)
            self.step(src, rec, migration, 'resize_migrated', 'post-migrating')
            with self.clock('finish_resize'):
                d_rec = self.finish_resize(dst, rec, migration, volumes, xml, new, was_running)
        except NovaliteError as err:
            self.roll_back(src, dst, rec, migration, action, err, was_running)
            raise NovaliteError("Failed to %s instance '%s' from %s to %s: %s" % (
                'resize' if mtype == 'resize' else 'migrate', name, p['source']['host'], p['dest']['host'], err),
                migration=migration, timings=self.timings, novalite_events=self.events)
        self.finished_on_source(src, rec, d_rec['migrations'][-1])
        self.notify(d_rec, 'end', p['dest']['host'])
        return self.result(True, d_rec, p['source']['host'], '%s from %s to %s: %s on %s, confirm or revert' % (
            'resized to %s' % new['name'] if mtype == 'resize' else 'migrated', p['source']['host'],
            p['dest']['host'], 'VERIFY_RESIZE', p['dest']['host']))

    def prep_resize(self, dst, rec, migration, new):
        """The claim of the new flavor on the destination (rt.resize_claim): a placeholder of the
        instance's name and UUID, checked against the host's capacity and the server group's
        anti-affinity under the host's claim lock. The source keeps the old flavor's."""
        Claim.call(dst, name=self.params['instance'], uuid=rec['uuid'], flavor=new,
                   boot_from_volume=rec.get('boot_from_volume', False), server_group=rec.get('server_group'),
                   group_policy=rec.get('server_group_policy'),
                   max_server_per_host=as_int(rec.get('server_group_max_per_host')) or None,
                   project_id=rec.get('project_id'), request_id=migration['request_id'],
                   move={'vm_state': rec.get('vm_state'), 'task_state': 'resize_prep', 'migration': dict(migration)},
                   **{k: v for k, v in self.settings.items() if k != 'virt_type'})

    def copy_disks(self, src, dst, volumes):
        """Each disk of the stopped guest made again on the destination - same pool, name,
        format, backing image and path - and its bytes streamed over (the source's file as it
        is: a qcow2 overlay stays an overlay of the same cached image)."""
        for disk, vol, pool_name, info in volumes:
            if dst.pool(pool_name) is None:
                raise NovaliteError("storage pool '%s' not found on %s: prepare the host with the role "
                                    "novalite.compute.compute_host" % (pool_name, self.params['dest']['host']))
            existing = dst.volume_by_path(disk['path'])
            if existing is not None:
                dst.delete_volume(existing)         # left by an attempt cut short: made again
            made = dst.create_volume(pool_name, _storage_pool.volume_xml(
                info['name'], info['capacity'], info['format'], info['mode'], backing=info['backing'],
                backing_format=info['backing_format']), info['name'])
            dst.upload(made, src.download_chunks(vol), src.volume_file_size(vol))

    def finish_resize(self, dst, rec, migration, volumes, xml, new, was_running):
        """finish_migration: the disks grown to the new flavor, the domain defined over the
        claim with the new flavor's memory and vCPUs and the record in VERIFY_RESIZE (vm_state
        'resized', the migration 'finished'), started if the guest ran before."""
        p, name = self.params, self.params['instance']
        for disk, dummy, dummy2, info in volumes:
            size = _migration.resized_capacity(info['name'], info, new)
            if size > info['capacity'] and not disk['readonly']:
                dst.resize_volume(dst.volume_by_path(disk['path']), size)
        d_rec = dict(rec, flavor={k: new.get(k) for k in ('name', 'id', 'vcpus', 'memory_mb', 'root_gb',
                                                          'ephemeral_gb', 'swap', 'extra_specs')},
                     vm_state='resized', task_state=None)
        d_rec['migrations'] = _migration.with_migration(rec, dict(migration, status='finished',
                                                                  updated_at=_instance_action.now()))
        for entry in reversed(d_rec.get('actions') or []):
            if entry.get('request_id') == self.request and not entry.get('finish_time'):
                _instance_action.finish(entry)
                break
        topology = _flavor.cpu_topology(int(new['vcpus']), new.get('extra_specs') or {}, 'flavor %s' % new['name'])
        dst.define_domain(_migration.with_record(_migration.resized_domain_xml(xml, new, topology),
                                                 _instance_record.to_element(d_rec)), name)
        self.save(dst, d_rec)          # the record as every other write keeps it (libvirt's metadata API)
        if was_running:
            dst.start_domain(name)
        return d_rec

    def finished_on_source(self, src, rec, migration):
        """The source's copy says the move finished: kept, stopped, with the old flavor, until
        confirm removes it or revert starts it again."""
        state = src.domain_state(self.params['instance'])
        if state is None:
            return
        rec = _instance_record.from_domain_xml(state['xml'])
        rec['task_state'] = None
        rec['migrations'] = _migration.with_migration(rec, migration)
        for entry in reversed(rec.get('actions') or []):
            if entry.get('request_id') == migration.get('request_id') and not entry.get('finish_time'):
                _instance_action.finish(entry)
        self.save(src, rec)

    # -- rollback -------------------------------------------------------------------------------------
    def roll_back(self, src, dst, rec, migration, action, err, was_running):
        """A resize that failed before it finished: the destination's copies go, the guest runs
        on the source as before (Nova's InstanceFaultRollback), the migration is closed in error."""
        try:
            self.remove_dest_copy(dst, rec, migration, self.params['dest']['host'])
        except NovaliteError as cleanup_err:
            err = '%s; rolling back on %s failed too: %s' % (err, self.params['dest']['host'], cleanup_err)
        state = src.domain_state(self.params['instance'])
        if state is None:
            return
        rec = _instance_record.from_domain_xml(state['xml'])
        if was_running and not state['active']:
            src.start_domain(self.params['instance'])
        rec['task_state'] = None
        rec['migrations'] = _migration.with_migration(rec, _migration.closed(migration, 'error', error=err))
        for entry in reversed(rec.get('actions') or []):
            if entry.get('request_id') == action['request_id'] and not entry.get('finish_time'):
                _instance_action.finish(entry, err)
        self.save(src, rec)
        self.notify(rec, 'error', self.params['source']['host'], err)

    def roll_back_interrupted(self, src, rec, xml):
        """An earlier run stopped before the resize finished (the source's copy is still the
        instance): its destination's copies go, the source's guest runs again if it ran, the
        migration is closed in error."""
        p = self.params
        migration = _migration.open_migration(rec, _migration.RESIZE_TYPES) or {}
        for host in [p['dest']] + [h for h in p['cleanup'] if h['host'] != p['dest']['host']]:
            if migration and host['host'] != migration.get('dest_compute'):
                continue
            hv = _libvirt.Hypervisor(host['uri'])
            try:
                self.remove_dest_copy(hv, rec, migration, host['host'], _migration.disks(xml))
            finally:
                hv.close()
        if migration.get('old_vm_state', rec.get('vm_state')) == 'active':
            state = src.domain_state(p['instance'])
            if state is not None and not state['active']:
                src.start_domain(p['instance'])
        why = 'interrupted (the run that started it stopped)'
        rec['task_state'] = None
        if migration:
            rec['migrations'] = _migration.with_migration(rec, _migration.closed(migration, 'error', error=why))
        for entry in rec.get('actions') or []:
            if entry.get('action') in ('resize', 'migrate') and not entry.get('finish_time'):
                _instance_action.finish(entry, why)
        self.save(src, rec)

    def remove_dest_copy(self, hv, rec, migration, host, disks=None):
        """What this move made on a destination: the claim or the finished copy (a domain of the
        instance's UUID whose record names this migration), its ports, filter and disks."""
        name = self.params['instance']
        state = hv.domain_state(name)
        there = _instance_record.from_domain_xml(state['xml']) if state else None
        if state is None or there is None or there.get('uuid') != rec.get('uuid'):
            return
        theirs = _migration.open_migration(there) or {}
        if migration and theirs.get('uuid') != migration.get('uuid'):
            return                  # another move's copy, or the instance itself
        hv.stop_domain(name)
        # The claim's record lists no ports: the instance's (same name, MAC, address) are the ones made there.
        self.remove_from(hv, dict(there, ports=rec.get('ports'), console_log=rec.get('console_log')),
                         disks if disks is not None else _migration.disks(state['xml']), host)

    # -- confirm_resize: the source's copy goes ---------------------------------------------------------
    def confirm(self, src, dst):
        p, name = self.params, self.params['instance']
        (s_state, s_rec, s_role), (d_state, d_rec, d_role) = self.copies(src, dst)
        if d_rec is None or d_role != 'instance':
            raise NovaliteError("Failed to confirm the resize of instance '%s': it is not on %s"
                                % (name, p['dest']['host']))
        migration = _migration.open_migration(d_rec, _migration.RESIZE_TYPES)
        if migration is None or migration.get('status') not in ('finished', 'confirming') or \
                migration.get('source_compute') != p['source']['host']:
            last = (d_rec.get('migrations') or [{}])[-1]
            if last.get('status') == 'confirmed' and last.get('source_compute') == p['source']['host'] \
                    and s_rec is None:
                return self.result(False, d_rec, p['dest']['host'], 'confirmed already')
            raise NovaliteError("Cannot 'confirmResize' instance %s while it is in vm_state %s"
                                % (d_rec.get('uuid'), d_rec.get('vm_state')))
        if self.check_mode:
            return self.result(True, d_rec, p['dest']['host'], 'would remove the copy on %s' % p['source']['host'])
        if migration['status'] != 'confirming':
            self.set_migration(dst, d_rec, migration, 'confirming')
        action = _instance_action.start(d_rec, 'confirmResize', self.request)
        self.notify(d_rec, 'start', p['dest']['host'], operation='resize_confirm')
        with self.clock('confirm_resize'):
            if s_rec is not None and s_rec.get('uuid') == d_rec.get('uuid'):
                if s_state['active']:
                    raise NovaliteError("instance '%s' runs on %s too: its copy there is not removed"
                                        % (name, p['source']['host']))
                self.remove_from(src, s_rec, _migration.disks(s_state['xml']), p['source']['host'])
            state = dst.domain_state(name)
            d_rec['vm_state'] = 'active' if state['active'] else 'stopped'
            d_rec['task_state'] = None
            d_rec['migrations'] = _migration.with_migration(d_rec, _migration.closed(migration, 'confirmed'))
            _instance_action.finish(action)
            self.save(dst, d_rec)
        self.notify(d_rec, 'end', p['dest']['host'], operation='resize_confirm')
        return self.result(True, d_rec, p['dest']['host'], 'confirmed: the copy on %s removed' % p['source']['host'])

    # -- revert_resize + finish_revert_resize: back to the source ----------------------------------------
    def revert(self, src, dst):
        p, name = self.params, self.params['instance']
        (s_state, s_rec, s_role), (d_state, d_rec, d_role) = self.copies(src, dst)
        if s_rec is None:
            raise NovaliteError("Failed to revert the resize of instance '%s': its copy on %s is gone"
                                % (name, p['source']['host']))
        migration = _migration.open_migration(s_rec, _migration.RESIZE_TYPES)
        theirs = _migration.open_migration(d_rec, _migration.RESIZE_TYPES) if d_rec is not None else None
        if theirs and migration and theirs.get('uuid') == migration.get('uuid') and \
                theirs.get('status') in _migration.RESIZED_STATUSES and migration.get('status') not in ('reverting',):
            migration = theirs          # the source's record lags (a run stopped before closing it)
        if migration is None or migration.get('status') not in ('finished', 'reverting') or \
                migration.get('dest_compute') != p['dest']['host']:
            last = (s_rec.get('migrations') or [{}])[-1]
            if last.get('status') == 'reverted' and last.get('dest_compute') == p['dest']['host'] and d_rec is None:
                return self.result(False, s_rec, p['source']['host'], 'reverted already')
            where = d_rec if d_rec is not None and d_role == 'instance' else s_rec
            raise NovaliteError("Cannot 'revertResize' instance %s while it is in vm_state %s"
                                % (where.get('uuid'), where.get('vm_state')))
        if self.check_mode:
            return self.result(True, d_rec or s_rec, p['dest']['host'], 'would go back to %s' % p['source']['host'])
        action = _instance_action.start(s_rec, 'revertResize', self.request)
        if migration['status'] != 'reverting':
            for hv, rec in ((dst, d_rec), (src, s_rec)):
                if rec is not None and rec.get('uuid') == s_rec.get('uuid'):
                    rec['task_state'] = _migration.REVERT_TASK_STATE
                    self.set_migration(hv, rec, dict(migration), 'reverting')
        self.notify(s_rec, 'start', p['source']['host'], operation='resize_revert')
        with self.clock('revert_resize'):
            if d_rec is not None and d_rec.get('uuid') == s_rec.get('uuid'):
                dst.stop_domain(name)
                self.remove_from(dst, d_rec, _migration.disks(d_state['xml']), p['dest']['host'])
        with self.clock('finish_revert_resize'):
            old_vm_state = migration.get('old_vm_state') or 'active'
            if old_vm_state == 'active' and not src.domain_state(name)['active']:
                src.start_domain(name)
            s_rec['vm_state'] = old_vm_state
            s_rec['task_state'] = None
            s_rec['migrations'] = _migration.with_migration(s_rec, _migration.closed(migration, 'reverted'))
            _instance_action.finish(action)
            self.save(src, s_rec)
        self.notify(s_rec, 'end', p['source']['host'], operation='resize_revert')
        return self.result(True, s_rec, p['dest']['host'], 'reverted: back on %s with flavor %s' % (
            p['source']['host'], (s_rec.get('flavor') or {}).get('name')))

    # -- records, results ---------------------------------------------------------------------------
    def step(self, hv, rec, migration, task_state, status):
        rec['task_state'] = task_state
        self.set_migration(hv, rec, migration, status)

    def set_migration(self, hv, rec, migration, status):
        migration['status'] = status
        migration['updated_at'] = _instance_action.now()
        rec['migrations'] = _migration.with_migration(rec, migration)
        self.save(hv, rec)
        if STEP_DELAY:
            time.sleep(STEP_DELAY)

    def result(self, changed, rec, before_host, msg):
        p = self.params
        after_host = before_host if not changed else (
            p['source']['host'] if p['operation'] == 'revert' else p['dest']['host'])
        migration = (rec.get('migrations') or [{}])[-1] if changed and not self.check_mode else None
        flavor = rec.get('flavor') or {}
        result = dict(changed=changed, msg=msg, migration=migration, timings=self.timings, host=after_host,
                      server={'uuid': rec.get('uuid'), 'vm_state': rec.get('vm_state'),
                              'task_state': rec.get('task_state') or None, 'flavor': flavor.get('name')})
        if self.want_diff:
            result['diff'] = dict(before={'host': before_host}, after={'host': after_host})
        return result
