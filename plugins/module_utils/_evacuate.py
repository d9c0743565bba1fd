# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evacuation of one instance of a down host onto another, in one Python frame (a _step.Step
on the destination): Nova's ComputeManager.rebuild_instance with recreate (evacuate) - the
instance made again from its record (the one host_facts last wrote of the down host: Nova reads
its database) and its image: a claim of its flavor under the host's claim lock, its networks and
ports with the same MAC and fixed IP, its security groups, a new root disk from the image
(ephemeral data is lost, as in Nova), a new config drive, the guest spawned - same name and UUID;
the record keeps its history (creation time, action log, migrations) with an `evacuate` action
and a migration of type `evacuation` from the down host.

Steps on the new copy's record (Nova's task states rebuilding -> rebuild_block_device_mapping ->
rebuild_spawning): killed and run again, an evacuation not finished goes on from its claim;
a failure removes what was made on the destination.
"""

from __future__ import annotations

import os
import time
import uuid as uuidlib

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _claim
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _instance_action
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _migration
from ansible_collections.novalite.compute.plugins.module_utils import _names
from ansible_collections.novalite.compute.plugins.module_utils._claim import Claim
from ansible_collections.novalite.compute.plugins.module_utils._disks import Disks
from ansible_collections.novalite.compute.plugins.module_utils._image_step import CacheImage
from ansible_collections.novalite.compute.plugins.module_utils._move import as_int, save_record
from ansible_collections.novalite.compute.plugins.module_utils._network_setup import NetworkSetup
from ansible_collections.novalite.compute.plugins.module_utils._port_allocation import PortAllocation
from ansible_collections.novalite.compute.plugins.module_utils._rebuild import KEPT
from ansible_collections.novalite.compute.plugins.module_utils._security_group_filter import SecurityGroupFilter
from ansible_collections.novalite.compute.plugins.module_utils._spawn import WAIT_OPTIONS, Server

TASK_STATES = ('rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning')
# NOVALITE_BUILD_STEP_DELAY (seconds) holds each step that long once recorded, as a build's
# steps are, for the tests that interrupt it at a step.
STEP_DELAY = float(os.environ.get('NOVALITE_BUILD_STEP_DELAY') or 0)


class Evacuate(Step):
    argument_spec = dict(
        record=dict(type='dict', required=True),
        image=dict(type='dict', required=True),
        source=dict(type='str', required=True),
        host=dict(type='str'),
        networks=dict(type='list', elements='dict', default=[]),
        security_groups=dict(type='list', elements='dict', default=[]),
        public_key=dict(type='str'),
        settings=dict(type='dict', default={}),
        request_id=dict(type='str'),
        **WAIT_OPTIONS,
        instances_pool=dict(type='str', default='novalite-instances'),
        images_pool=dict(type='str', default='novalite-images'),
    )

    def run(self):
        p, hv = self.params, self.hypervisor
        old = p['record']
        name = _domain_xml.check_name(old.get('name'), 'record.name')
        if not old.get('uuid') or not isinstance(old.get('flavor'), dict):
            raise InvalidInput('record: an instance record with a uuid and a flavor is needed')
        if p['host'] and p['host'] == p['source']:
            raise InvalidInput('host: an instance is not evacuated onto the host it is evacuated from (%s)' % p['source'])
        from ansible_collections.novalite.compute.plugins.module_utils._compute_manager import check_settings
        settings = check_settings(p['settings'])
        state = hv.domain_state(name)
        there = _instance_record.from_domain_xml(state['xml']) if state else None
        if state is not None and there is None:
            raise InvalidInput("domain '%s' on %s is not a novalite instance; novalite leaves it alone" % (name, hv.uri))
        if there is not None and there.get('uuid') != old['uuid']:
            raise NovaliteError("Failed to evacuate instance '%s' onto %s: another instance of that name is there "
                                "(%s)" % (name, p['host'] or hv.uri, there.get('uuid')))
        resumable = TASK_STATES + _claim.PLACEHOLDER_TASK_STATES + ('spawning',)   # spawning: cut short in the spawn
        if there is not None and (there.get('task_state') or None) not in resumable:
            migration = _migration.open_migration(there)
            if migration and migration.get('migration_type') == 'evacuation' and not self.check_mode:
                # Spawned; the run that did it stopped before closing the record: close it.
                self.close(hv, name, there, migration)
                where = p['host'] or hv.uri
                return dict(changed=True, msg='%s rebuilt on %s (evacuated from %s)' % (name, where, p['source']),
                            server={'uuid': there.get('uuid'), 'vm_state': there.get('vm_state')},
                            migration=there['migrations'][-1])
            return dict(changed=False, msg='%s runs on %s already' % (name, p['host'] or hv.uri),
                        server={'uuid': there.get('uuid'), 'vm_state': there.get('vm_state')})
        if self.check_mode:
            return dict(changed=True, msg='would rebuild %s on %s from image %s' % (
                name, p['host'] or hv.uri, p['image'].get('id')), server={'uuid': old['uuid'], 'vm_state': 'building'})
        # An evacuation cut short goes on under its own request (its claim carries it).
        self.request = (there or {}).get('request_id') or _instance_action.request_id(p['request_id'])
        return self.evacuate(hv, old, there, settings)

    def evacuate(self, hv, old, there, settings):
        p, name = self.params, self.params['record']['name']
        where = p['host'] or hv.uri
        migration = ((there or {}).get('migrations') or [{}])[-1]
        if migration.get('migration_type') != 'evacuation':
            migration = _migration.new_migration(uuidlib.uuid4(), 'evacuation', p['source'], p['host'] or hv.uri,
                                                 self.request)
            migration['status'] = 'pre-migrating'
        history = {k: old.get(k) for k in KEPT}
        history['actions'] = list(old.get('actions') or [])
        _instance_action.start(history, 'evacuate', self.request)
        history['migrations'] = _migration.with_migration(old, migration)
        history['old_vm_state'] = old.get('vm_state')
        events = [_instance_action.event(old, 'evacuate', 'start', where, self.request)]
        flavor = _flavor.validate(old['flavor'])
        if there is not None:
            hv.stop_domain(name)          # a spawn cut short: made again
        try:
            Claim.call(hv, name=name, uuid=old['uuid'], flavor=old['flavor'],
                       boot_from_volume=old.get('boot_from_volume', False), server_group=old.get('server_group'),
                       group_policy=old.get('server_group_policy'),
                       max_server_per_host=as_int(old.get('server_group_max_per_host')) or None,
                       project_id=old.get('project_id'), request_id=self.request,
                       move={'vm_state': old.get('vm_state'), 'task_state': 'rebuilding', 'migration': migration},
                       **{k: v for k, v in settings.items() if k != 'virt_type'})
            self.mark(hv, name, 'rebuild_block_device_mapping', history)
            ports = self.plug(hv, old)
            cached = CacheImage.call(hv, image=p['image'], pool=p['images_pool'])
            volume = cached['volume']
            image = cached['image']
            props = image.get('properties') or {}
            disks = Disks.call(hv, instance=name, instance_uuid=old['uuid'], flavor=flavor, image_id=image['id'],
                               image=volume, image_properties=props, images={image['id']: volume},
                               machine_type=props.get('hw_machine_type') or 'pc',
                               config_drive=bool(old.get('config_drive')),
                               instances_pool=p['instances_pool'])['block_device_info']
            self.mark(hv, name, 'rebuild_spawning')
            groups = [g for g in (old.get('security_groups') or '').split(',') if g]
            Server.call(
                hv, name=name, uuid=old['uuid'], flavor=old['flavor'], image=image, block_device_info=disks,
                ports=ports, config_drive=bool(old.get('config_drive')), key_name=old.get('key_name'),
                public_key=p['public_key'], availability_zone=old.get('availability_zone'),
                project_id=old.get('project_id'), server_group=old.get('server_group'),
                server_group_policy=old.get('server_group_policy'),
                server_group_max_per_host=as_int(old.get('server_group_max_per_host')), request_id=self.request,
                reservation_id=old.get('reservation_id'), host=p['host'], security_groups=groups or None,
                virt_type=settings.get('virt_type') or 'kvm', wait_for=p['wait_for'], boot_marker=p['boot_marker'],
                timeout=p['timeout'], instances_pool=p['instances_pool'], rebuild=True)
        except NovaliteError as err:
            self.remove(hv, name, old)
            events.append(_instance_action.event(old, 'evacuate', 'error', where, self.request, err))
            raise NovaliteError("Failed to evacuate instance '%s' onto %s: %s" % (name, where, err),
                                novalite_events=events)
        new = _instance_record.from_domain_xml(hv.domain_state(name)['xml'])
        for key in KEPT:
            if key not in ('actions', 'migrations') and history.get(key) is not None:
                new[key] = history[key]
        new['actions'], new['migrations'] = history['actions'], history['migrations']
        new['old_vm_state'] = old.get('vm_state')
        self.close(hv, name, new, migration)
        events.append(_instance_action.event(new, 'evacuate', 'end', where, self.request))
        return dict(changed=True, msg='%s rebuilt on %s (evacuated from %s)' % (name, where, p['source']),
                    server={'uuid': new.get('uuid'), 'vm_state': new.get('vm_state'),
                            'power_state': hv.domain_state(name)['state']},
                    ports=[{'network': q['network'], 'mac': q['mac_address'], 'ip': q['fixed_ips'][0]['ip_address']}
                           for q in ports],
                    migration=new['migrations'][-1], novalite_events=events)

    def close(self, hv, name, rec, migration):
        """The evacuation done on the record: the migration `done`, the evacuate action finished;
        a stopped instance is evacuated stopped (Nova's rule)."""
        for entry in reversed(rec.get('actions') or []):
            if entry.get('action') == 'evacuate' and not entry.get('finish_time'):
                _instance_action.finish(entry)
                break
        rec['migrations'] = _migration.with_migration(rec, dict(migration, status='done',
                                                                updated_at=_instance_action.now()))
        if rec.get('old_vm_state') == 'stopped':
            hv.stop_domain(name)
            rec['vm_state'] = 'stopped'
        rec['old_vm_state'] = None
        save_record(hv, name, rec)

    def mark(self, hv, name, task_state, history=None):
        """The new copy's task state; with `history`, the instance's history on it too (creation
        time, action log with this evacuate, migrations with this evacuation) - the spawn keeps it."""
        state = hv.domain_state(name)
        rec = _instance_record.from_domain_xml(state['xml'])
        rec['task_state'] = task_state
        for key, value in (history or {}).items():
            if key not in ('request_id', 'claimed_at') and value is not None:
                rec[key] = value
        save_record(hv, name, rec)
        if STEP_DELAY:
            time.sleep(STEP_DELAY)

    def plug(self, hv, old):
        """Its networks (from the catalog), ports with the same MAC and fixed IP, security groups."""
        p, name = self.params, self.params['record']['name']
        catalog = {n.get('name'): n for n in p['networks']}
        ports = []
        for port in old.get('ports') or []:
            if port['network'] in catalog:
                NetworkSetup.call(hv, network=catalog[port['network']])
            elif hv.network_state(port['network']) is None:
                raise InvalidInput("network '%s' of instance '%s' is not on %s and not in networks (the catalog)"
                                   % (port['network'], name, p['host'] or hv.uri))
            ports.append(PortAllocation.call(hv, network=port['network'], instance=name,
                                             device=_names.port_device(name, port['name']), fixed_ip=port['ip'],
                                             mac_address=port['mac'])['port'])
        addresses = [ip['ip_address'] for port in ports for ip in port['fixed_ips']]
        for group in [g for g in (old.get('security_groups') or '').split(',') if g]:
            SecurityGroupFilter.call(hv, name=group, project_id=old.get('project_id'), catalog=p['security_groups'],
                                     members={group: addresses})
        return ports

    def remove(self, hv, name, old):
        """What this evacuation made on the destination: ports, disks, the instance (drive,
        console log, domain) - never another instance of that name."""
        state = hv.domain_state(name)
        there = _instance_record.from_domain_xml(state['xml']) if state else None
        if there is not None and there.get('uuid') != old['uuid']:
            return
        for port in old.get('ports') or []:
            if hv.network_state(port['network']) is not None:
                PortAllocation.call(hv, network=port['network'], instance=name,
                                    device=_names.port_device(name, port['name']), state='absent')
        Disks.call(hv, instance=name, instance_uuid=old['uuid'], flavor=_flavor.validate(old['flavor']),
                   image_id=(old.get('image') or {}).get('id'), config_drive=bool(old.get('config_drive')),
                   state='absent', instances_pool=self.params['instances_pool'])
        Server.call(hv, name=name, state='absent', host=self.params['host'])
