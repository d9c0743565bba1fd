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
  server_group_policy:
    description:
      - The policy of O(server_group), kept on the record so that a move (live migration)
        schedules the instance with its group's policy, as Nova's RequestSpec keeps it.
    type: str
    choices: [affinity, anti-affinity, soft-affinity, soft-anti-affinity]
  server_group_max_per_host:
    description: The anti-affinity rule C(max_server_per_host) of O(server_group), kept on the record likewise.
    type: int
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
  rebuild:
    description:
      - Spawn the instance again over its own definition, in the middle of its rebuild (its
        record's C(task_state) must be C(rebuild_spawning); M(novalite.compute.rebuild) does this) -
        no C(create) action or notification, those of the rebuild stand.
    type: bool
    default: false
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

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._spawn import Server


class ServerModule(NovaliteModule):
    step = Server


def main():
    ServerModule.execute()


if __name__ == '__main__':
    main()
