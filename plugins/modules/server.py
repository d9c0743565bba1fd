#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: server
short_description: Spawn, stop, reboot and delete an instance (Nova's driver.spawn and delete)
version_added: 0.1.0
description:
  - Builds the instance's libvirt domain from its flavor, image, disks (M(novalite.compute.block_device))
    and ports (M(novalite.compute.port)), with a config drive in the OpenStack layout when asked,
    a serial console logged to a file in the instances pool, graphics on localhost only, and
    the instance record in the domain's metadata; defines it, starts it and waits.
  - The instance record moves through Nova's states - C(building)/C(spawning) when defined,
    C(active) with C(launched_at) once running; a failure to start leaves it C(error) with the
    reason in C(fault).
  - Idempotent. An existing instance with the same flavor, image, ports and disks reports no
    change; one that differs is an error (the fields are immutable), never silently redefined.
  - O(state=stopped), O(state=rebooted) change the power state. O(state=absent) tears
    everything down from the record alone - the domain (with its NVRAM), its config drive and
    console log, its local disks and the volumes marked delete_on_termination, and its ports.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  name:
    description: The instance's name (the domain's name). No C(/), C(..) or control characters.
    type: str
    required: true
  uuid:
    description: The instance's UUID; by default derived from the name.
    type: str
  state:
    description: V(present) and V(running) spawn and run it; V(stopped), V(rebooted); V(absent) deletes it.
    type: str
    choices: [present, running, stopped, rebooted, absent]
    default: present
  flavor:
    description: The flavor (M(novalite.compute.flavor)'s RV(novalite.compute.flavor#module:flavor)). Required to spawn.
    type: dict
  image:
    description: The image's catalog entry (C(id), C(checksum), C(properties)).
    type: dict
    default: {}
  kernel:
    description: Path of the kernel on the host for direct kernel boot (the image module's C(data_path) of the C(kernel_id) image).
    type: str
  ramdisk:
    description: Path of the ramdisk on the host for direct kernel boot.
    type: str
  block_device_info:
    description: The disks (M(novalite.compute.block_device)'s RV(novalite.compute.block_device#module:block_device_info)). Required to spawn.
    type: dict
  ports:
    description: The ports (M(novalite.compute.port)'s RV(novalite.compute.port#module:port) of each network), in interface order.
    type: list
    elements: dict
    default: []
  config_drive:
    description: Attach a config drive (label C(config-2), OpenStack layout).
    type: bool
    default: false
  user_data:
    description: User data for the config drive, as written; at most 65535 bytes.
    type: str
  admin_password:
    description: Put C(admin_pass) in the config drive's meta_data.json.
    type: str
  key_name:
    description: Name of the public key.
    type: str
  public_key:
    description: The public key, for the config drive's C(public_keys).
    type: str
  metadata:
    description: Server metadata (strings), the config drive's C(meta).
    type: dict
    default: {}
  availability_zone:
    description: The instance's availability zone.
    type: str
  project_id:
    description: The instance's project.
    type: str
  server_group:
    description: The server group the instance belongs to (the scheduler reads it from the record).
    type: str
  request_id:
    description:
      - The request this is part of (C(req-) and a UUID); by default a new one.
      - Recorded on a new instance, and on the instance action this run adds to the record's
        action log.
    type: str
  reservation_id:
    description: The reservation of the boot request (C(r-) and 8 characters); recorded on a new instance.
    type: str
  security_groups:
    description:
      - The instance's security groups (of its O(project_id)), whose filters
        M(novalite.compute.security_group) defined on this hypervisor.
      - Given, the instance's filter C(novalite-instance-<name>) is defined - the base filter,
        these groups, then a drop of all other IP traffic - and every interface carries it
        with its address as the parameter C(IP); deleting the instance removes the filter.
        Omitted - no filter (Nova's NoopFirewallDriver).
    type: list
    elements: str
  host:
    description:
      - The compute host's name as the fleet knows it (its inventory name), for the
        notifications' C(publisher_id) and C(host).
      - By default the libvirt URI.
    type: str
  launch_index:
    description: The instance's index in its request.
    type: int
    default: 0
  virt_type:
    description: C(kvm), or C(qemu) where KVM is not usable (Nova's C([libvirt] virt_type)).
    type: str
    choices: [kvm, qemu]
    default: kvm
  graphics:
    description: Console graphics, on localhost only unless O(graphics_listen) says otherwise.
    type: str
    choices: [vnc, spice, none]
    default: vnc
  graphics_listen:
    description: Address the graphics listen on.
    type: str
    default: 127.0.0.1
  instances_pool:
    description: Pool of the instances' files (config drive, console log).
    type: str
    default: novalite-instances
  failed_build:
    description:
      - With O(state=absent), the deletion is the rollback of a failed build attempt - the host
        counts it in its C(failed_builds) (Nova's stat, read by the BuildFailureWeigher) until
        its next successful build. The count is kept as an empty volume
        C(failed-build.<time>.<name>) of O(instances_pool); a successful spawn removes them.
    type: bool
    default: false
  wait:
    description: Wait until the instance runs (and, with O(wait_for), until it shows it booted).
    type: bool
    default: true
  wait_for:
    description:
      - V(running) - libvirt reports it running.
      - V(boot_marker) - O(boot_marker) appears on its serial console.
      - V(ip) - every port's MAC has a DHCP lease.
    type: str
    choices: [running, boot_marker, ip]
    default: running
  boot_marker:
    description: A regular expression the serial console shows once the guest booted.
    type: str
    default: login:|NOVALITE-GUEST-REPORT
  timeout:
    description: Seconds to wait.
    type: int
    default: 300
'''

EXAMPLES = r'''
- name: Spawn web-1
  novalite.compute.server:
    name: web-1
    flavor: "{{ flavor.flavor }}"
    image: "{{ image_entry }}"
    block_device_info: "{{ disks.block_device_info }}"
    ports: ["{{ port.port }}"]
    config_drive: true
    user_data: "{{ lookup('file', 'cloud-init.yml') }}"
    key_name: ops
    public_key: "{{ lookup('file', '~/.ssh/id_ed25519.pub') }}"
    virt_type: qemu
    wait_for: boot_marker

- name: Delete it, with its disks and ports
  novalite.compute.server:
    name: web-1
    state: absent
'''

RETURN = r'''
server:
  description: The instance record and libvirt's view of it; null once deleted.
  returned: always
  type: dict
  contains:
    uuid:
      description: The instance's UUID.
      type: str
    vm_state:
      description: Nova's vm_state (building, active, stopped, error).
      type: str
    task_state:
      description: Nova's task_state, null when idle.
      type: str
    power_state:
      description: libvirt's state (running, shutoff, ...).
      type: str
    record:
      description:
        - The whole instance record, with C(actions), its action log (Nova's instance actions)
          - one entry per create, delete, stop, start and reboot, the newest 50, each with
          C(action), C(request_id), C(start_time), C(finish_time), C(result) (C(Success) or
          C(Error)) and C(message) on failure.
      type: dict
actions:
  description: What was done (or would be in check mode), in order.
  returned: always
  type: list
  elements: str
removed:
  description: Volumes and ports removed with O(state=absent).
  returned: when state is absent
  type: list
  elements: str
novalite_events:
  description:
    - The notifications of what this run did - C(compute.instance.<create|delete|stop|start|reboot>.<start|end|error>),
      each with C(event_type), C(priority), C(publisher_id), C(timestamp) and the instance's C(payload)
      (uuid, name, host, state, flavor, image, project, reservation and request ids, addresses, and
      C(fault) on error). Also returned when the module fails.
    - The callback plugin P(novalite.compute.notifications#callback) writes them to a file as JSON lines.
  returned: when an instance action was taken
  type: list
  elements: dict
'''

import posixpath
import re
import time
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _bdm
from ansible_collections.novalite.compute.plugins.module_utils import _config_drive
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _instance_action
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _network
from ansible_collections.novalite.compute.plugins.module_utils import _resource_tracker
from ansible_collections.novalite.compute.plugins.module_utils import _security_group
from ansible_collections.novalite.compute.plugins.module_utils import _server
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool


class Server(NovaliteModule):
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
        wait_for=dict(type='str', choices=['running', 'boot_marker', 'ip'], default='running'),
        boot_marker=dict(type='str', default='login:|NOVALITE-GUEST-REPORT'),
        timeout=dict(type='int', default=300),
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
            result = self.delete(rec) if rec else dict(changed=False, actions=[], removed=[], server=None)
            if p['failed_build']:
                result.update(changed=True, actions=result['actions'] + ['record_failed_build'])
                if not self.check_mode:
                    self.record_failed_build()
            return result
        if rec is not None and rec.get('task_state') == 'claimed':
            if p['request_id'] and rec.get('request_id') and rec['request_id'] != p['request_id']:
                raise NovaliteError("instance '%s' on %s is claimed by request %s, not this one (%s)"
                                    % (p['name'], hv.uri, rec['request_id'], p['request_id']))
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
        if not self.check_mode:
            self.apply_power(actions, rec)
        return dict(changed=bool(actions), actions=actions, server=self.describe(p['name']))

    # -- spawn ----------------------------------------------------------------------------
    def spawn(self):
        p, hv = self.params, self.hypervisor
        flavor = _flavor.validate(p['flavor'])
        pool_dir = self.pool_dir()
        console_log = posixpath.join(pool_dir, '%s.console.log' % p['name'])
        config_volume = '%s_disk.config' % p['name'] if p['config_drive'] else None
        uuid_ = _server.instance_uuid(p['name'], p['uuid'])
        rec = self.desired_record(flavor, config_volume, console_log, uuid_)
        entry = _instance_action.start(rec, 'create', self.request_id)
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
            _instance_action.finish(entry, err)
            if defined:
                self.save_record(rec)
            self.notify(rec, 'create', 'error', err)
            err.details['novalite_events'] = self.events
            raise
        rec.update(vm_state='active', task_state=None, launched_at=_server.now())
        _instance_action.finish(entry)
        self.save_record(rec)
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
        used = {d['dev'] for d in disks}
        bus = _bdm.cdrom_bus((p['image'].get('properties') or {}).get('hw_machine_type'))
        prefix = _bdm.PREFIXES[bus]
        index = 0
        while _bdm.generate_device_name(prefix, index) in used:
            index += 1
        settings = {'virt_type': p['virt_type'], 'serial_log': console_log, 'graphics': p['graphics'],
                    'graphics_listen': p['graphics_listen'], 'config_drive': config_path,
                    'config_drive_dev': _bdm.generate_device_name(prefix, index), 'config_drive_bus': bus,
                    'nvram': '/var/lib/libvirt/qemu/nvram/%s_VARS.fd' % p['name']}
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
            if state is None:
                raise NovaliteError("instance '%s' was removed while booting" % p['name'])
            if state['state'] in ('shutoff', 'crashed'):
                raise NovaliteError("instance '%s' stopped while booting (libvirt state %s)" % (p['name'], state['state']))
            if state['state'] == 'running' and self.booted(rec):
                return
            if time.monotonic() > deadline:
                raise NovaliteError("instance '%s' did not show %s within %d s" % (p['name'], p['wait_for'], p['timeout']))
            time.sleep(1)

    def booted(self, rec):
        p, hv = self.params, self.hypervisor
        if p['wait_for'] == 'running':
            return True
        if p['wait_for'] == 'boot_marker':
            return re.search(p['boot_marker'], self.console(rec).decode('utf-8', 'replace')) is not None
        wanted = {port['mac'] for port in rec['ports']}
        found = {}
        for network in {port['network'] for port in rec['ports']}:
            found.update(_server.lease_ips(hv.dhcp_leases(network), wanted))
        return wanted <= set(found)

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
        volumes, ports = _server.teardown(rec)
        local = hv.volumes(p['instances_pool']) or {}
        network_hosts = {n: _network.describe(xml)[1] for n, xml in hv.network_xmls().items()}
        extra_volumes, extra_ports = _server.leftovers(p['name'], list(local), network_hosts)
        volumes += [(p['instances_pool'], v) for v in extra_volumes if (p['instances_pool'], v) not in volumes]
        ports += [(n, h) for n, h in extra_ports if (n, h['mac']) not in {(pn, ph['mac']) for pn, ph in ports}]
        console = rec.get('console_log')
        if console and (p['instances_pool'], posixpath.basename(console)) not in volumes:
            volumes.append((p['instances_pool'], posixpath.basename(console)))
        removed = ['%s/%s' % v for v in volumes] + ['%s/%s' % (n, h['name']) for n, h in ports]
        if hv.nwfilter_xml(_security_group.instance_filter_name(p['name'])) is not None:
            removed.append('nwfilter/%s' % _security_group.instance_filter_name(p['name']))
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
            self.module.warn("storage pool '%s' is missing on %s: this failed build is not counted"
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


def main():
    Server.execute()


if __name__ == '__main__':
    main()
