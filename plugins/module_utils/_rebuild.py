# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rebuild of one instance on its host, in one Python frame (a _step.Step): Nova's
ComputeManager.rebuild_instance (_do_rebuild_instance, the libvirt driver's default rebuild):
the guest powered off, its root disk made again from the same or another image (its ephemeral
disk too, unless preserve_ephemeral), a new config drive (new user data or admin password if
given, else the ones it had), and the guest spawned again over its own definition - same
name, UUID, ports (MAC and fixed IP), flavor, security groups, group and zone; its record's
history (creation time, action log, migrations) kept, a `rebuild` action added.

Steps on the record (Nova's task states rebuilding -> rebuild_block_device_mapping ->
rebuild_spawning): killed and run again, the rebuild goes on from the start (the disks are
made again; an ephemeral disk kept with preserve_ephemeral stays kept). A failure leaves the
instance in vm_state error with the fault, as Nova does; a rebuild again repairs it.
"""

from __future__ import annotations

import json
import os
import time

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _config_drive
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _instance_action
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _names
from ansible_collections.novalite.compute.plugins.module_utils._disks import Disks
from ansible_collections.novalite.compute.plugins.module_utils._image_step import CacheImage
from ansible_collections.novalite.compute.plugins.module_utils._move import as_int, save_record
from ansible_collections.novalite.compute.plugins.module_utils._port_allocation import PortAllocation
from ansible_collections.novalite.compute.plugins.module_utils._spawn import REBUILD_KEEPS, WAIT_OPTIONS, Server

TASK_STATES = ('rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning')
# The parts of the record a rebuild keeps (Nova's instance row outlives a rebuild).
KEPT = REBUILD_KEEPS
# NOVALITE_BUILD_STEP_DELAY (seconds) holds each step that long once recorded (tests that interrupt it).
STEP_DELAY = float(os.environ.get('NOVALITE_BUILD_STEP_DELAY') or 0)


def rebuild_refusal(rec):
    """Why Nova's API refuses to rebuild this instance, or None: check_instance_state(vm_state=
    [ACTIVE, STOPPED, ERROR], task_state=[None]), plus what novalite does not rebuild."""
    uuid, vm_state = rec.get('uuid'), rec.get('vm_state')
    task_state = rec.get('task_state') or None
    if task_state in TASK_STATES or (task_state == 'spawning' and any(
            a.get('action') == 'rebuild' and not a.get('finish_time') for a in rec.get('actions') or [])):
        return None                      # a rebuild cut short (before or during its spawn): it goes on
    if vm_state not in ('active', 'stopped', 'error'):
        return "Cannot 'rebuild' instance %s while it is in vm_state %s" % (uuid, vm_state)
    if task_state is not None:
        return "Cannot 'rebuild' instance %s while it is in task_state %s" % (uuid, task_state)
    if rec.get('boot_from_volume'):
        return 'rebuild of a volume-backed instance (%s) is not built' % uuid
    kinds = {d.get('kind') for d in rec.get('block_devices') or []}
    if kinds - {'disk', 'config_drive'}:
        return 'rebuild of an instance with volumes attached (%s) is not built' % uuid
    return None


def drive_contents(iso_bytes):
    """What a config drive gave the guest that a rebuild gives it again unless told otherwise:
    {user_data (str or None), admin_password, meta, public_keys}. Pure."""
    files = _config_drive.read(iso_bytes, ('openstack/latest/user_data', 'openstack/latest/meta_data.json'))
    meta = json.loads(files.get('openstack/latest/meta_data.json') or b'{}')
    user_data = files.get('openstack/latest/user_data')
    return {'user_data': user_data.decode('utf-8', 'surrogateescape') if user_data is not None else None,
            'admin_password': meta.get('admin_pass'), 'meta': meta.get('meta') or {},
            'public_keys': meta.get('public_keys') or {}}


class Rebuild(Step):
    argument_spec = dict(
        name=dict(type='str', required=True),
        image=dict(type='dict', required=True),
        user_data=dict(type='str', no_log=True),
        admin_password=dict(type='str', no_log=True),
        metadata=dict(type='dict'),
        preserve_ephemeral=dict(type='bool', default=False),
        request_id=dict(type='str'),
        host=dict(type='str'),
        virt_type=dict(type='str', choices=['kvm', 'qemu'], default='kvm'),
        **WAIT_OPTIONS,
        instances_pool=dict(type='str', default='novalite-instances'),
        images_pool=dict(type='str', default='novalite-images'),
    )

    def run(self):
        p, hv = self.params, self.hypervisor
        name = _domain_xml.check_name(p['name'])
        state = hv.domain_state(name)
        if state is None:
            raise NovaliteError("Instance %s could not be found on %s." % (name, p['host'] or hv.uri))
        rec = _instance_record.from_domain_xml(state['xml'])
        if rec is None:
            raise InvalidInput("domain '%s' on %s is not a novalite instance; novalite leaves it alone" % (name, hv.uri))
        problem = rebuild_refusal(rec)
        if problem:
            raise NovaliteError(problem)
        flavor = _flavor.validate(rec['flavor'])
        cached = CacheImage.call(hv, check_mode=self.check_mode, image=p['image'], pool=p['images_pool'])
        image = cached['image']
        volume = cached['volume'] or {}
        try:
            _flavor.check_image(flavor, image, volume.get('virtual_size'))
        except InvalidInput as err:
            raise InvalidInput('image: %s' % err)
        old_image = (rec.get('image') or {}).get('id')
        result = dict(changed=True, image={'before': old_image, 'after': image['id']})
        if self.want_diff:
            result['diff'] = dict(before={'image': old_image}, after={'image': image['id']})
        if self.check_mode:
            result.update(msg='would rebuild %s from image %s' % (name, image['id']),
                          server={'uuid': rec.get('uuid'), 'vm_state': rec.get('vm_state'), 'task_state': 'rebuilding'})
            return result
        self.request = _instance_action.request_id(p['request_id'])
        return dict(result, **self.rebuild(hv, rec, state, flavor, image, volume))

    def rebuild(self, hv, rec, state, flavor, image, volume):
        p, name = self.params, self.params['name']
        old_vm_state = rec.get('old_vm_state') or rec.get('vm_state')
        given = self.drive_given(hv, rec)
        history = {k: rec.get(k) for k in KEPT}
        history['actions'] = list(rec.get('actions') or [])
        entry = _instance_action.start(history, 'rebuild', self.request)
        rec.update(task_state='rebuilding', actions=history['actions'], old_vm_state=old_vm_state)
        self.save(hv, rec)
        events = [_instance_action.event(rec, 'rebuild', 'start', p['host'] or hv.uri, self.request)]
        try:
            hv.stop_domain(name)
            rec['task_state'] = 'rebuild_block_device_mapping'
            self.save(hv, rec)
            disks = self.remake_disks(hv, rec, flavor, image, volume)
            rec['task_state'] = 'rebuild_spawning'
            self.save(hv, rec)
            if STEP_DELAY:
                time.sleep(STEP_DELAY)
            ports = [PortAllocation.call(hv, network=port['network'], instance=name,
                                         device=_names.port_device(name, port['name']), fixed_ip=port['ip'],
                                         mac_address=port['mac'])['port'] for port in rec.get('ports') or []]
            keys = given['public_keys']
            key_name = rec.get('key_name') or (sorted(keys)[0] if keys else None)
            spawned = Server.call(
                hv, name=name, uuid=rec['uuid'], flavor=rec['flavor'], image=image, block_device_info=disks,
                ports=ports, config_drive=bool(rec.get('config_drive')),
                user_data=p['user_data'] if p['user_data'] is not None else given['user_data'],
                admin_password=p['admin_password'] if p['admin_password'] is not None else given['admin_password'],
                key_name=key_name, public_key=keys.get(key_name) if key_name else None,
                metadata=p['metadata'] if p['metadata'] is not None else given['meta'],
                availability_zone=rec.get('availability_zone'), project_id=rec.get('project_id'),
                server_group=rec.get('server_group'), server_group_policy=rec.get('server_group_policy'),
                server_group_max_per_host=as_int(rec.get('server_group_max_per_host')),
                request_id=self.request, reservation_id=rec.get('reservation_id'), host=p['host'],
                security_groups=[g for g in (rec.get('security_groups') or '').split(',') if g] or None,
                virt_type=p['virt_type'], wait_for=p['wait_for'], boot_marker=p['boot_marker'], timeout=p['timeout'],
                instances_pool=p['instances_pool'], rebuild=True)
        except NovaliteError as err:
            self.failed(hv, name, history, entry, err)
            events.append(_instance_action.event(rec, 'rebuild', 'error', p['host'] or hv.uri, self.request, err))
            raise NovaliteError("Failed to rebuild instance '%s': %s" % (name, err), novalite_events=events)
        new = _instance_record.from_domain_xml(hv.domain_state(name)['xml'])
        for key in KEPT:
            if key != 'actions' and history.get(key) is not None:
                new[key] = history[key]
        _instance_action.finish(entry)
        new['actions'] = history['actions']
        new['old_vm_state'] = None
        if old_vm_state == 'stopped':
            hv.stop_domain(name)          # Nova: a stopped instance is stopped again after its rebuild
            new['vm_state'] = 'stopped'
        self.save(hv, new)
        events.append(_instance_action.event(new, 'rebuild', 'end', p['host'] or hv.uri, self.request))
        server = {'uuid': new.get('uuid'), 'vm_state': new.get('vm_state'), 'task_state': new.get('task_state') or None,
                  'power_state': hv.domain_state(name)['state']}
        return dict(msg='rebuilt %s from image %s' % (name, image['id']), server=server, novalite_events=events,
                    ports=[{'network': q['network'], 'mac': q['mac_address'],
                            'ip': q['fixed_ips'][0]['ip_address']} for q in ports],
                    spawn_actions=spawned.get('actions'))

    def drive_given(self, hv, rec):
        """What the instance's config drive gave the guest (its user data, password, metadata,
        keys), to give it again. Nothing when it has no drive."""
        empty = {'user_data': None, 'admin_password': None, 'meta': {}, 'public_keys': {}}
        if not rec.get('config_drive'):
            return empty
        vols = hv.volumes(self.params['instances_pool']) or {}
        drive = vols.get(_names.config_drive(self.params['name']))
        if drive is None:
            return empty
        return drive_contents(hv.download(drive['handle']))

    def remake_disks(self, hv, rec, flavor, image, volume):
        """The root disk (and the ephemeral ones unless preserve_ephemeral, and swap) removed,
        then made again from the image: Nova's _rebuild_default_impl with the libvirt driver."""
        p, name = self.params, self.params['name']
        vols = hv.volumes(p['instances_pool']) or {}
        for dev in rec.get('block_devices') or []:
            if dev.get('kind') != 'disk' or dev.get('pool') != p['instances_pool']:
                continue
            kind = _names.parse_local_volume(dev.get('volume') or '')
            if kind and kind[1].startswith('eph') and p['preserve_ephemeral']:
                continue
            if dev.get('volume') in vols:
                hv.delete_volume(vols[dev['volume']]['handle'])
        props = image.get('properties') or {}
        made = Disks.call(hv, instance=name, instance_uuid=rec['uuid'], flavor=flavor, image_id=image['id'],
                          image=volume, image_properties=props, images={image['id']: volume},
                          machine_type=props.get('hw_machine_type') or 'pc', config_drive=bool(rec.get('config_drive')),
                          instances_pool=p['instances_pool'])
        return made['block_device_info']

    def failed(self, hv, name, history, entry, err):
        state = hv.domain_state(name)
        if state is None:
            return
        rec = _instance_record.from_domain_xml(state['xml'])
        _instance_action.finish(entry, err)
        rec.update(vm_state='error', task_state=None, fault=str(err)[:1000], actions=history['actions'])
        for key in KEPT:
            if key != 'actions' and history.get(key) is not None:
                rec[key] = history[key]
        self.save(hv, rec)

    def save(self, hv, rec):
        save_record(hv, self.params['name'], rec)
