# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live migration of one instance between two hypervisors, in one Python frame (a _step.Step):
Nova's ComputeManager._do_live_migration with pre_live_migration on the destination, the
libvirt driver's live_migration and its monitor, _post_live_migration on both hosts, and
_rollback_live_migration when anything fails.

Storage is never shared between novalite hosts, so a live migration is always a block
migration (Nova's block_migration=True): the destination gets, under the same paths, the
instance's claim (a placeholder domain of the same name and UUID, which libvirt's incoming
migration then replaces), its networks and ports (same MAC, same fixed IP), its network
filters, the cached images its disks are overlays of, empty disks of the same sizes (QEMU
copies their content during the migration) and a copy of its config drive; then libvirt
migrates the running guest (VIR_MIGRATE_LIVE | PERSIST_DEST | UNDEFINE_SOURCE |
NON_SHARED_INC), driven from here: the memory and the disks go straight from the source's
QEMU to the destination's (O(dest.address)), not through the controller.

Kill-safe: the source's record shows task_state 'migrating' and the migration's status from
the start; a run again finishes a migration that libvirt completed (the guest runs on the
destination: the source's leftovers go, the record is closed) or rolls back one that it did
not (the guest still runs on the source: what was made on the destination goes), then starts
over. The guest never stops running on one host or the other.
"""

from __future__ import annotations

import os
import threading
import time
import uuid as uuidlib

from ansible_collections.novalite.compute.plugins.module_utils._move import HOST, MOVE_OPTIONS, Move, as_int
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _instance_action
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _libvirt
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool
from ansible_collections.novalite.compute.plugins.module_utils._claim import Claim

ACTION = 'live-migration'
# libvirt's migration: live, the destination keeps the definition, the source forgets it, and
# the disks are copied over NBD onto the destination's overlays of the same cached images.
FLAGS = ('live', 'persist_dest', 'undefine_source', 'non_shared_inc')
MONITOR_INTERVAL = 0.5          # seconds between two looks at the migration job (Nova's 0.5)
PROGRESS_EVERY = 2.0            # seconds between two progress samples in the result
# NOVALITE_MIGRATION_STEP_DELAY (seconds) holds each status that long once recorded, for the
# tests that interrupt a migration at each step.
STEP_DELAY = float(os.environ.get('NOVALITE_MIGRATION_STEP_DELAY') or 0)


class LiveMigration(Move):
    notification = 'live_migration'
    argument_spec = dict(
        MOVE_OPTIONS,
        dest=dict(type='dict', required=True, options=dict(
            HOST, address=dict(type='str'), settings=dict(type='dict', default={}))),
        completion_timeout=dict(type='int', default=800),
    )

    def run(self):
        p = self.params
        _domain_xml.check_name(p['instance'], 'instance')
        if p['source']['host'] == p['dest']['host']:
            raise InvalidInput("dest: instance '%s' cannot live-migrate to its own host %s (Nova's "
                               "UnableToMigrateToSelf)" % (p['instance'], p['dest']['host']))
        if p['completion_timeout'] < 0:
            raise InvalidInput('completion_timeout must be 0 (none) or more seconds per GiB, got %d'
                               % p['completion_timeout'])
        from ansible_collections.novalite.compute.plugins.module_utils._compute_manager import check_settings
        self.settings = check_settings(p['dest']['settings'])
        self.request = _instance_action.request_id(p['request_id'])
        self.events, self.progress, self.timings = [], [], {}
        src = _libvirt.Hypervisor(p['source']['uri'])
        try:
            dst = _libvirt.Hypervisor(p['dest']['uri'])
            try:
                result = self.live_migrate(src, dst)
            finally:
                dst.close()
        finally:
            src.close()
        if self.events:
            result['novalite_events'] = self.events
        return result

    # -- the operation ------------------------------------------------------------------------
    def live_migrate(self, src, dst):
        p, name = self.params, self.params['instance']
        s_state, d_state = src.domain_state(name), dst.domain_state(name)
        s_rec = _instance_record.from_domain_xml(s_state['xml']) if s_state else None
        d_rec = _instance_record.from_domain_xml(d_state['xml']) if d_state else None
        if s_state and s_rec is None:
            raise InvalidInput("domain '%s' on %s is not a novalite instance; novalite leaves it alone"
                               % (name, p['source']['host']))
        landed = d_state is not None and d_state['active'] and d_rec is not None and \
            (s_state is None or not s_state['active'])
        if landed:
            # libvirt moved the guest; a run cut short left the record open and the source's copies.
            if d_rec.get('task_state') != _migration.TASK_STATE:
                return self.result(False, d_rec, 'already on %s' % p['dest']['host'])
            if self.check_mode:
                return self.result(True, d_rec, 'would finish the live migration from %s' % p['source']['host'])
            return self.finish(src, dst, d_rec, _migration.disks(d_state['xml']))
        if s_state is None:
            raise NovaliteError("Failed to live-migrate instance '%s': it is not on %s" % (name, p['source']['host']))
        interrupted = s_rec.get('task_state') == _migration.TASK_STATE or _migration.open_migration(s_rec)
        if interrupted and not self.check_mode:
            self.roll_back_interrupted(src, s_rec, _migration.disks(s_state['xml']))
            self.resume_if_left_paused(src, s_rec)
            s_state = src.domain_state(name)
            s_rec = _instance_record.from_domain_xml(s_state['xml'])
        problem = _migration.live_migration_refusal(dict(s_rec, task_state=None) if interrupted else s_rec,
                                                    s_state['state'])
        if problem:
            raise NovaliteError('%s (instance %s on %s)' % (problem, name, p['source']['host']))
        if self.check_mode:
            return self.result(True, s_rec, '%swould live-migrate from %s to %s' % (
                'would roll back the interrupted migration, then ' if interrupted else '', p['source']['host'],
                p['dest']['host']))
        return self.migrate_and_finish(src, dst, s_rec, s_state['xml'])

    def migrate_and_finish(self, src, dst, rec, xml):
        p, name = self.params, self.params['instance']
        migration = _migration.new_migration(uuidlib.uuid4(), ACTION, p['source']['host'], p['dest']['host'], self.request)
        rec['task_state'] = _migration.TASK_STATE
        rec['migrations'] = _migration.with_migration(rec, migration)
        action = _instance_action.start(rec, ACTION, self.request)
        self.save(src, rec)
        self.notify(rec, 'start', p['source']['host'])
        disks = _migration.disks(xml)
        try:
            self.set_status(src, rec, migration, 'preparing')
            with self.clock('pre_live_migration'):
                self.pre_live_migration(src, dst, rec, migration, xml)
            self.set_status(src, rec, migration, 'running')
            with self.clock('live_migration'):
                self.run_migration(src, dst, rec, disks)
        except NovaliteError as err:
            self.roll_back(src, dst, rec, migration, action, err, disks)
            raise NovaliteError("Failed to live-migrate instance '%s' from %s to %s: %s"
                                % (name, p['source']['host'], p['dest']['host'], err),
                                migration=migration, progress=self.progress, timings=self.timings,
                                novalite_events=self.events)
        d_rec = _instance_record.from_domain_xml(dst.domain_state(name)['xml'])
        return self.finish(src, dst, d_rec, disks)

    # -- pre_live_migration, on the destination -------------------------------------------------
    def pre_live_migration(self, src, dst, rec, migration, xml):
        p, name = self.params, self.params['instance']
        group = rec.get('server_group')
        Claim.call(dst, name=name, uuid=rec['uuid'], flavor=rec['flavor'],
                   boot_from_volume=rec.get('boot_from_volume', False), server_group=group,
                   group_policy=rec.get('server_group_policy'),
                   max_server_per_host=as_int(rec.get('server_group_max_per_host')) or None,
                   project_id=rec.get('project_id'), request_id=migration['request_id'],
                   move={'vm_state': rec.get('vm_state'), 'migration': dict(migration, status='preparing')},
                   **{k: v for k, v in self.settings.items() if k != 'virt_type'})
        self.plug_ports(src, dst, rec, xml, p['dest']['host'])
        volumes = self.source_volumes(src, xml, p['source']['host'])
        self.copy_images(src, dst, volumes, p['dest']['host'])
        self.make_disks(src, dst, volumes)

    def make_disks(self, src, dst, volumes):
        """Each disk's volume on the destination, same pool, name, format and size: empty (QEMU
        copies the writable ones); the read-only ones (the config drive) copied here."""
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
            if disk['readonly']:
                length = src.call('read volume %s' % disk['path'], vol.info)[1]
                dst.upload(made, src.download_chunks(vol), length)

    # -- the migration and its monitor (the libvirt driver's _live_migration_monitor) ---------------
    def run_migration(self, src, dst, rec, disks):
        p, name = self.params, self.params['instance']
        params = {'migrate_disks': [d['target'] for d in disks if not d['readonly']]}
        if p['dest']['address']:
            params['uri'] = 'tcp://%s' % _migration.uri_host(p['dest']['address'])
            params['disks_uri'] = params['uri']
        timeout = _migration.completion_timeout(p['completion_timeout'], rec['flavor'],
                                                [self.allocation(src, d['path']) for d in disks])
        outcome = {}

        def migrate():
            try:
                src.migrate(name, dst, params, FLAGS)
            except NovaliteError as err:
                outcome['error'] = err

        thread = threading.Thread(target=migrate)
        start = last = time.monotonic()
        thread.start()
        aborted = False
        while thread.is_alive():
            thread.join(MONITOR_INTERVAL)
            elapsed = time.monotonic() - start
            stats = src.job_stats(name) if thread.is_alive() else {}
            if stats.get('type') == 'unbounded' and time.monotonic() - last >= PROGRESS_EVERY:
                self.progress.append(_migration.progress_sample(elapsed, stats))
                last = time.monotonic()
            if timeout and elapsed > timeout and not aborted and thread.is_alive():
                src.abort_job(name)          # Nova's live_migration_timeout_action 'abort'
                aborted = True
        if aborted:
            raise NovaliteError('the migration did not complete within %d s (completion_timeout %d s per GiB of '
                                'memory and disk) and was aborted' % (timeout, p['completion_timeout']))
        if 'error' in outcome:
            raise outcome['error']

    def allocation(self, hv, path):
        vol = hv.volume_by_path(path)
        return hv.call('read volume %s' % path, vol.info)[2] if vol is not None else 0

    # -- _post_live_migration: the source's copies go, then the record is closed -----------------------
    def finish(self, src, dst, rec, disks):
        p, name = self.params, self.params['instance']
        with self.clock('post_live_migration'):
            migration = _migration.open_migration(rec) or {}
            if migration.get('status') != 'post-migrating':
                self.set_status(dst, rec, migration, 'post-migrating')
            self.remove_from(src, rec, disks, p['source']['host'])
            rec['task_state'] = None
            stats = dst.job_stats(name, completed=True)
            rec['migrations'] = _migration.with_migration(rec, _migration.closed(migration, 'completed', stats=stats))
            for entry in reversed(rec.get('actions') or []):
                if entry.get('action') == ACTION and not entry.get('finish_time'):
                    _instance_action.finish(entry)
                    break
            self.save(dst, rec)
        self.notify(rec, 'end', p['dest']['host'])
        return self.result(True, rec, 'live-migrated from %s to %s' % (p['source']['host'], p['dest']['host']))

    # -- _rollback_live_migration -----------------------------------------------------------------
    def roll_back(self, src, dst, rec, migration, action, err, disks):
        """The guest still runs on the source: the destination's copies go (the domain, the
        claim, last), the record is closed in error with the fault."""
        status = 'error'
        try:
            self.remove_placeholder(dst, rec, self.params['dest']['host'], disks)
        except NovaliteError as cleanup_err:
            err = '%s; rolling back on %s failed too: %s' % (err, self.params['dest']['host'], cleanup_err)
        state = src.domain_state(self.params['instance'])
        if state is None:
            return                       # the guest is not on the source any more: nothing to close there
        rec = _instance_record.from_domain_xml(state['xml'])
        self.resume_if_left_paused(src, rec)
        rec['task_state'] = None
        rec['migrations'] = _migration.with_migration(rec, _migration.closed(migration, status, error=err))
        for entry in reversed(rec.get('actions') or []):
            if entry.get('action') == ACTION and entry.get('request_id') == action['request_id'] \
                    and not entry.get('finish_time'):
                _instance_action.finish(entry, err)
        self.save(src, rec)
        self.notify(rec, 'error', self.params['source']['host'], err)

    def roll_back_interrupted(self, src, rec, disks):
        """An earlier run stopped in the middle (the guest still runs on the source): its
        destination - this run's, or another one the record names - is cleaned up, its
        migration closed in error."""
        p = self.params
        migration = _migration.open_migration(rec)
        hosts = [p['dest']] + [h for h in p['cleanup'] if h['host'] != p['dest']['host']]
        for host in hosts:
            if migration and host['host'] not in (migration.get('dest_compute'), p['dest']['host']):
                continue
            hv = _libvirt.Hypervisor(host['uri'])
            try:
                self.remove_placeholder(hv, rec, host['host'], disks)
            finally:
                hv.close()
        rec['task_state'] = None
        if migration:
            rec['migrations'] = _migration.with_migration(
                rec, _migration.closed(migration, 'error', error='interrupted (the run that started it stopped)'))
        for entry in rec.get('actions') or []:
            if entry.get('action') == ACTION and not entry.get('finish_time'):
                _instance_action.finish(entry, 'interrupted (the run that started it stopped)')
        self.save(src, rec)

    def resume_if_left_paused(self, src, rec):
        """A migration cut short (its controller gone in libvirt's last phase, or aborted) can
        leave the source's guest paused; QEMU then refuses to migrate it again ("paused due to
        previous migration"). An instance Nova would call active runs on, where it was."""
        state = src.domain_state(self.params['instance'])
        if state is not None and state['state'] == 'paused' and rec.get('vm_state') == 'active':
            src.resume_domain(self.params['instance'])

    def remove_placeholder(self, hv, rec, host, disks):
        """The destination's copy of a migration that did not happen: its claim (a domain of the
        instance's UUID, not running) and, made after it, ports, filter and disks - at the
        source's paths. Nothing when there is no such claim: the claim comes first and goes last."""
        state = hv.domain_state(self.params['instance'])
        there = _instance_record.from_domain_xml(state['xml']) if state else None
        if state is None or there is None or there.get('uuid') != rec.get('uuid') or state['active']:
            return                       # nothing, another instance's, or the guest itself
        self.remove_from(hv, rec, disks, host)

    # -- records, results -------------------------------------------------------------------------
    def set_status(self, hv, rec, migration, status):
        migration['status'] = status
        migration['updated_at'] = _instance_action.now()
        rec['migrations'] = _migration.with_migration(rec, migration)
        self.save(hv, rec)
        if STEP_DELAY:
            time.sleep(STEP_DELAY)

    def result(self, changed, rec, msg):
        p = self.params
        migration = (rec.get('migrations') or [{}])[-1] if changed and not self.check_mode else None
        result = dict(changed=changed, msg=msg, migration=migration, progress=self.progress, timings=self.timings,
                      server={'uuid': rec.get('uuid'), 'vm_state': rec.get('vm_state'),
                              'task_state': rec.get('task_state') or None})
        if self.want_diff:
            where = p['dest']['host'] if not changed else p['source']['host']
            result['diff'] = dict(before={'host': where}, after={'host': p['dest']['host']})
        return result
