# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Spawn, power states and delete of an instance (Nova's driver.spawn, power_on/off, reboot, destroy) (a _step.Step)."""

from __future__ import annotations

import posixpath
import time
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _claim
from ansible_collections.novalite.compute.plugins.module_utils import _config_drive
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _instance_action
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _names
from ansible_collections.novalite.compute.plugins.module_utils import _network
from ansible_collections.novalite.compute.plugins.module_utils import _resource_tracker
from ansible_collections.novalite.compute.plugins.module_utils import _security_group
from ansible_collections.novalite.compute.plugins.module_utils import _server
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool


# How a spawn waits for the guest (the spawn's options, a rebuild's and an evacuation's).
WAIT_OPTIONS = dict(
    wait_for=dict(type='str', choices=['running', 'boot_marker', 'ip'], default='running'),
    boot_marker=dict(type='str', default='login:|NOVALITE-GUEST-REPORT'),
    timeout=dict(type='int', default=300),
)
# What a rebuild (or an evacuation) keeps of the record it spawns over: Nova's instance row
# outlives them.
REBUILD_KEEPS = ('created_at', 'actions', 'migrations', 'display_name', 'reservation_id', 'request_id', 'claimed_at',
                 'old_vm_state')


class Server(Step):
    argument_spec = dict(
        name=dict(type='str', required=True),
        uuid=dict(type='str'),
        state=dict(type='str', choices=['present', 'running', 'stopped', 'rebooted', 'absent'], default='present'),
        flavor=dict(type='dict'),
        image=dict(type='dict', default={}),
        kernel=dict(type='str'),
        ramdisk=dict(type='str'),
        block_device_info=dict(type='dict'),
        ports=dict(type='list', elements='dict', default=[]),
        config_drive=dict(type='bool', default=False),
        user_data=dict(type='str', no_log=True),
        admin_password=dict(type='str', no_log=True),
        key_name=dict(type='str'),
        public_key=dict(type='str'),
        metadata=dict(type='dict', default={}),
        availability_zone=dict(type='str'),
        project_id=dict(type='str'),
        server_group=dict(type='str'),
        server_group_policy=dict(type='str', choices=['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity']),
        server_group_max_per_host=dict(type='int'),
        request_id=dict(type='str'),
        reservation_id=dict(type='str'),
        host=dict(type='str'),
        security_groups=dict(type='list', elements='str'),
        launch_index=dict(type='int', default=0),
        virt_type=dict(type='str', choices=['kvm', 'qemu'], default='kvm'),
        graphics=dict(type='str', choices=['vnc', 'spice', 'none'], default='vnc'),
        graphics_listen=dict(type='str', default='127.0.0.1'),
        instances_pool=dict(type='str', default='novalite-instances'),
        wait=dict(type='bool', default=True),
        failed_build=dict(type='bool', default=False),
        **WAIT_OPTIONS,
        # Spawn again over the instance's own definition in the middle of its rebuild
        # (_rebuild.Rebuild): no create action or notification, those are the rebuild's.
        rebuild=dict(type='bool', default=False),
    )

    def run(self):
        self.events = []
        result = self.act()
        if self.events:
            result['novalite_events'] = self.events
        return result

    def act(self):
        p, hv = self.params, self.hypervisor
        _domain_xml.check_name(p['name'])
        existing = hv.domain_state(p['name'])
        rec = _instance_record.from_domain_xml(existing['xml']) if existing else None
        if existing and rec is None:
            raise InvalidInput("domain '%s' on %s is not a novalite instance; novalite leaves it alone"
                               % (p['name'], hv.uri))
        if p['state'] == 'absent':
            before = _server.power_view(existing, rec) if rec else {}
            result = self.delete(rec) if rec else dict(changed=False, actions=[], removed=[], server=None)
            if self.want_diff:
                result['diff'] = dict(before=before, after={})
            if p['failed_build']:
                result.update(changed=True, actions=result['actions'] + ['record_failed_build'])
                if not self.check_mode:
                    self.record_failed_build()
            return result
        if rec is not None and p['rebuild']:
            if rec.get('task_state') != 'rebuild_spawning':
                raise NovaliteError("instance '%s' on %s is not being rebuilt (task_state %s)"
                                    % (p['name'], hv.uri, rec.get('task_state')))
            self.claimed_at = rec.get('claimed_at')
            # The instance's history goes into the new definition with it: a run killed right
            # after the spawn leaves a record that still says what happened to the instance.
            self.kept = {k: rec[k] for k in REBUILD_KEEPS if rec.get(k) is not None}
            rec = None          # its rebuild holds the place: spawn over it
        if rec is not None and rec.get('task_state') in _claim.PLACEHOLDER_TASK_STATES:
            if p['request_id'] and rec.get('request_id') and rec['request_id'] != p['request_id']:
                raise NovaliteError("instance '%s' on %s is claimed by request %s, not this one (%s)"
                                    % (p['name'], hv.uri, rec['request_id'], p['request_id']))
            self.claimed_at = rec.get('claimed_at')
            rec = None          # a claim (novalite.compute.claim) holds the place: spawn over it
        if rec is None:
            if not p['flavor'] or p['block_device_info'] is None:
                raise InvalidInput("instance '%s' does not exist on %s; flavor and block_device_info are needed to "
                                   "spawn it" % (p['name'], hv.uri))
            return self.spawn()
        if p['flavor']:
            desired = self.desired_record(_flavor.validate(p['flavor']), None, None)
            diffs = _server.differences(rec, desired)
            if diffs:
                raise InvalidInput("instance '%s' exists and differs from the request (%s); these do not change - "
                                   "delete it first" % (p['name'], '; '.join(diffs)))
        actions = _server.power_actions(existing['state'], p['state'])
        before = _server.power_view(existing, rec)
        if not self.check_mode:
            self.apply_power(actions, rec)
        result = dict(changed=bool(actions), actions=actions, server=self.describe(p['name']))
        if self.want_diff:
            result['diff'] = dict(before=before, after=_server.power_after(before, actions))
        return result

    # -- spawn ----------------------------------------------------------------------------
    def spawn(self):
        p, hv = self.params, self.hypervisor
        flavor = _flavor.validate(p['flavor'])
        pool_dir = self.pool_dir()
        console_log = posixpath.join(pool_dir, _names.console_log(p['name']))
        config_volume = _names.config_drive(p['name']) if p['config_drive'] else None
        uuid_ = _server.instance_uuid(p['name'], p['uuid'])
        rec = self.desired_record(flavor, config_volume, console_log, uuid_)
        if getattr(self, 'claimed_at', None):
            rec['claimed_at'] = self.claimed_at      # the order of the claims, for the quota recheck
        rec.update(getattr(self, 'kept', {}))
        entry = _instance_action.start(rec, 'create', self.request_id) if not p['rebuild'] else {}
        iso = self.config_drive(rec, flavor) if p['config_drive'] else None
        xml = self.domain_xml(rec, flavor, config_volume and posixpath.join(pool_dir, config_volume), console_log)
        actions = (['config_drive'] if iso else []) + ['define', 'start'] + (['wait'] if p['wait'] else [])
        result = dict(changed=True, actions=actions)
        if self.want_diff:
            result['diff'] = dict(before='', after=xml.replace('><', '>\n<'))
        if self.check_mode:
            result['server'] = {'uuid': uuid_, 'vm_state': 'building', 'task_state': 'spawning',
                                'power_state': None, 'record': rec}
            return result
        if iso is not None:
            # A config drive left by an attempt that failed is generated content: replace it.
            old = (hv.volumes(p['instances_pool']) or {}).get(config_volume)
            if old is not None:
                hv.delete_volume(old['handle'])
            vol = hv.create_volume(p['instances_pool'], _volume_xml(config_volume, len(iso)), config_volume)
            hv.upload(vol, [iso], len(iso))
        if not p['rebuild']:
            self.notify(rec, 'create', 'start')
        defined = False
        try:
            if p['security_groups'] is not None:
                name = _security_group.instance_filter_name(p['name'])
                hv.define_nwfilter(_security_group.redefinition(
                    _security_group.instance_xml(p['name'], p['project_id'], p['security_groups']),
                    hv.nwfilter_xml(name)), name)
            hv.define_domain(xml, p['name'])
            defined = True
            hv.start_domain(p['name'])
            if p['wait']:
                self.wait_booted(rec)
        except NovaliteError as err:
            rec.update(vm_state='error', task_state=None, fault=str(err)[:1000])
            if entry:
                _instance_action.finish(entry, err)
            if defined:
                self.save_record(rec)
            if not p['rebuild']:
                self.notify(rec, 'create', 'error', err)
            err.details['novalite_events'] = self.events
            raise
        rec.update(vm_state='active', task_state=None, launched_at=_server.now())
        if entry:
            _instance_action.finish(entry)
        self.save_record(rec)
        if not p['rebuild']:
            self.notify(rec, 'create', 'end')
        self.forget_failed_builds()
        result['server'] = self.describe(p['name'])
        return result

    def desired_record(self, flavor, config_volume, console_log, uuid_=None):
        p = self.params
        return _server.record(p, uuid_ or _server.instance_uuid(p['name'], p['uuid']), flavor, p['ports'],
                              p['block_device_info'] or {}, config_volume, console_log, p['instances_pool'])

    def config_drive(self, rec, flavor):
        p = self.params
        for key, value in p['metadata'].items():
            if not isinstance(value, str):
                raise InvalidInput('metadata %r must be a string, got %r' % (key, value))
        instance = {'uuid': rec['uuid'], 'name': p['name'], 'hostname': rec['hostname'], 'project_id': p['project_id'],
                    'availability_zone': p['availability_zone'], 'meta': p['metadata'], 'launch_index': p['launch_index'],
                    'image_id': (p['image'] or {}).get('id'), 'reservation_id': p['reservation_id'],
                    'flavor_name': flavor['name']}
        keys = {p['key_name'] or 'default': p['public_key']} if p['public_key'] else None
        tree = _config_drive.files(instance, p['ports'], user_data=p['user_data'], admin_password=p['admin_password'],
                                   public_keys=keys)
        return _config_drive.iso(tree)

    def domain_xml(self, rec, flavor, config_path, console_log):
        p = self.params
        bdi = p['block_device_info'] or {}
        disks = [dict(d, format='qcow2') for d in bdi.get('disks', [])]
        settings = _server.spawn_settings(p, disks, console_log, config_path)
        image = {'properties': p['image'].get('properties') or {}, 'kernel': p['kernel'], 'ramdisk': p['ramdisk']}
        filterref = _security_group.instance_filter_name(p['name']) if p['security_groups'] is not None else None
        ports = [{'mac_address': port['mac_address'], 'network': port['network'], 'fixed_ips': port['fixed_ips'],
                  'filterref': port.get('filterref') or filterref} for port in p['ports']]
        instance = {'name': p['name'], 'uuid': rec['uuid'], 'record': rec}
        return _domain_xml.build(instance, flavor, flavor['guest'], image, disks, ports, settings)

    # -- waiting ----------------------------------------------------------------------------
    def wait_booted(self, rec):
        p, hv = self.params, self.hypervisor
        deadline = time.monotonic() + p['timeout']
        while True:
            state = hv.domain_state(p['name'])
            snapshot = {'state': state['state'] if state else None}
            if state is not None and state['state'] == 'running':
                snapshot.update(self.boot_evidence(rec))
            if _server.booted(p['name'], p['wait_for'], p['boot_marker'], rec, snapshot):
                return
            if time.monotonic() > deadline:
                raise NovaliteError("instance '%s' did not show %s within %d s" % (p['name'], p['wait_for'], p['timeout']))
            time.sleep(1)

    def boot_evidence(self, rec):
        """What the wait looks at besides the power state: the console, or the leases."""
        p, hv = self.params, self.hypervisor
        if p['wait_for'] == 'boot_marker':
            return {'console': self.console(rec).decode('utf-8', 'replace')}
        if p['wait_for'] == 'ip':
            wanted = {port['mac'] for port in rec['ports']}
            leases = {}
            for network in {port['network'] for port in rec['ports']}:
                leases.update(_server.lease_ips(hv.dhcp_leases(network), wanted))
            return {'leases': leases}
        return {}

    def console(self, rec):
        vols = self.hypervisor.volumes(self.params['instances_pool']) or {}
        log = [v for v in vols.values() if v['path'] == rec.get('console_log')]
        return self.hypervisor.download(log[0]['handle']) if log else b''

    # -- power and delete -----------------------------------------------------------------------
    def apply_power(self, actions, rec):
        hv, name = self.hypervisor, self.params['name']
        power = {'start': hv.start_domain, 'stop': hv.stop_domain, 'reboot': hv.reboot_domain}
        for action in actions:
            entry = _instance_action.start(rec, action, self.request_id)
            self.notify(rec, action, 'start')
            try:
                power[action](name)
            except NovaliteError as err:
                _instance_action.finish(entry, err)
                self.save_record(rec)
                self.notify(rec, action, 'error', err)
                err.details['novalite_events'] = self.events
                raise
            if action in ('start', 'stop'):
                rec.update(vm_state='active' if action == 'start' else 'stopped', task_state=None)
            _instance_action.finish(entry)
            self.save_record(rec)
            self.notify(rec, action, 'end')

    def delete(self, rec):
        """Everything the record lists, and what the conventions of our names find besides
        (a build killed before its record listed a disk or port); the domain goes last."""
        hv, p = self.hypervisor, self.params
        local = hv.volumes(p['instances_pool']) or {}
        network_hosts = {n: _network.describe(xml)[1] for n, xml in hv.network_xmls().items()}
        has_filter = hv.nwfilter_xml(_security_group.instance_filter_name(p['name'])) is not None
        volumes, ports, removed = _server.delete_plan(rec, p['name'], p['instances_pool'], list(local), network_hosts,
                                                      has_filter)
        if not self.check_mode:
            # The domain (with its record) goes last: a run killed half-way leaves the record,
            # with its delete action unfinished, and running the delete again finishes the job.
            entry = _instance_action.start(rec, 'delete', self.request_id)
            self.save_record(rec, check_request=False)
            self.notify(rec, 'delete', 'start')
            try:
                self.teardown(volumes, ports)
            except NovaliteError as err:
                _instance_action.finish(entry, err)
                if hv.domain_state(p['name']) is not None:
                    self.save_record(rec, check_request=False)
                self.notify(rec, 'delete', 'error', err)
                err.details['novalite_events'] = self.events
                raise
            rec.update(vm_state='deleted', task_state=None)
            self.notify(rec, 'delete', 'end')
        return dict(changed=True, actions=['stop', 'delete_volumes', 'release_ports', 'undefine'], removed=removed,
                    server=None)

    def teardown(self, volumes, ports):
        hv, name = self.hypervisor, self.params['name']
        hv.stop_domain(name)
        pools = {}
        for pool, volume in volumes:
            vols = pools.setdefault(pool, hv.volumes(pool) or {})
            if volume in vols:
                hv.delete_volume(vols[volume]['handle'])
        for network, host in ports:
            state = hv.network_state(network)
            if state and any(h['mac'] == host['mac'] for h in _network.describe(state['xml'])[1]):
                hv.update_network(network, 'delete', 'host', _network.host_xml(host))
        hv.undefine_domain(name)
        hv.undefine_nwfilter(_security_group.instance_filter_name(name))

    # -- the host's failed builds (Nova's failed_builds stat) --------------------------------
    def record_failed_build(self):
        p, hv = self.params, self.hypervisor
        if hv.pool(p['instances_pool']) is None:
            self.warn("storage pool '%s' is missing on %s: this failed build is not counted"
                      % (p['instances_pool'], hv.uri))
            return
        name = _resource_tracker.failed_build_marker(p['name'], _server.now())
        if name not in (hv.volumes(p['instances_pool']) or {}):
            hv.create_volume(p['instances_pool'], _volume_xml(name, 0), name)

    def forget_failed_builds(self):
        """A successful build resets the host's count (nova/compute/stats.py build_succeeded)."""
        vols = self.hypervisor.volumes(self.params['instances_pool']) or {}
        for name in vols:
            if name.startswith(_resource_tracker.FAILED_BUILD_PREFIX):
                self.hypervisor.delete_volume(vols[name]['handle'])

    # -- helpers --------------------------------------------------------------------------------
    def save_record(self, rec, check_request=True):
        # A spawn left running by a killed run must not write over the record of the build
        # that took its place (same name, another request).
        state = self.hypervisor.domain_state(self.params['name'])
        current = _instance_record.from_domain_xml(state['xml']) if state else None
        if current is None or (check_request and rec.get('request_id') and current.get('request_id')
                               and current['request_id'] != rec['request_id']):
            raise NovaliteError("instance '%s' on %s was removed or taken over by request %s while this request "
                                "(%s) was building it" % (self.params['name'], self.hypervisor.uri,
                                                          (current or {}).get('request_id'), rec.get('request_id')))
        element = _instance_record.to_element(rec, namespaced=False)
        xml = ET.tostring(element, encoding='unicode')
        self.hypervisor.set_domain_metadata(self.params['name'], xml, _instance_record.PREFIX,
                                            _instance_record.NAMESPACE)

    @property
    def request_id(self):
        if getattr(self, '_request_id', None) is None:
            self._request_id = _instance_action.request_id(self.params['request_id'])
        return self._request_id

    def notify(self, rec, action, phase, error=None):
        """One notification event, returned under novalite_events (never secrets: the
        record holds no user data or password)."""
        self.events.append(_instance_action.event(rec, action, phase, self.params['host'] or self.hypervisor.uri,
                                                  self.request_id, error))

    def describe(self, name):
        state = self.hypervisor.domain_state(name)
        rec = _instance_record.from_domain_xml(state['xml'])
        return {'uuid': rec.get('uuid'), 'vm_state': rec.get('vm_state'), 'task_state': rec.get('task_state') or None,
                'power_state': state['state'], 'record': rec}

    def pool_dir(self):
        state = self.hypervisor.pool_state(self.params['instances_pool'])
        if state is None:
            raise InvalidInput("storage pool '%s' not found on %s" % (self.params['instances_pool'], self.hypervisor.uri))
        return ET.fromstring(state['xml']).findtext('target/path')


def _volume_xml(name, size):
    """A raw file volume of the instances pool (config drive, failed-build marker)."""
    return _storage_pool.volume_xml(name, size, 'raw', '0640')
