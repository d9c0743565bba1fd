#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: host_facts
short_description: Capacity, usage, instances and capabilities of a libvirt hypervisor
version_added: 0.1.0
description:
  - The resource tracker of novalite (Nova's C(update_available_resource)). Reads one
    hypervisor over the libvirt API only and sets C(ansible_facts.novalite_host) with Nova's
    C(HostState) names, which the scheduler filter P(novalite.compute.select_hosts#filter) works on.
  - Capacity comes from the node (vCPUs, memory) and from the instances storage pool (local
    disk). Usage comes from the domains on the host; a novalite instance counts by the flavor
    recorded in its instance record, a foreign domain by what libvirt has given it (its
    vCPUs, its memory and the virtual size of its writable disks).
  - As in Nova, the reserved amounts count as used (O(reserved_host_memory_mb) and friends
    are the compute host's own settings, usually set per host in the inventory). The
    C(resources) entry gives the same figures the way Placement sees them, with reserved
    apart.
  - Works the same against the local hypervisor and against a remote URI.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.INFO_MODULE
  - novalite.compute.attributes.FACTS
options:
  instances_pool:
    description:
      - Storage pool that holds the instances' local disks; its capacity is the host's C(local_gb).
      - When the pool is missing or inactive, C(local_gb) is 0 and a warning says so.
    type: str
    default: novalite-instances
  reserved_host_memory_mb:
    description: Memory kept for the host itself (Nova's C([DEFAULT] reserved_host_memory_mb)).
    type: int
    default: 512
  reserved_host_disk_mb:
    description: Local disk kept for the host itself (Nova's C([DEFAULT] reserved_host_disk_mb)).
    type: int
    default: 0
  reserved_host_cpus:
    description: vCPUs kept for the host itself (Nova's C([DEFAULT] reserved_host_cpus)).
    type: int
    default: 0
  host:
    description: The host's name in the inventory, written into O(records_file).
    type: str
  records_file:
    description:
      - Also write the host's instance records, as they are now, to this file (JSON, replaced
        whole) on the machine that runs the module - the controller in the playbook
        C(novalite.compute.host_facts) - so that an evacuation knows the host's instances once its
        libvirt cannot be asked (C(novalite.compute.evacuate)). Not written in check mode.
    type: path
notes:
  - Changes nothing on the hypervisor. The connection is read-write only to read the compute service's marker
    (M(novalite.compute.compute_service)), which libvirt does not let a read-only connection download.
seealso:
  - plugin: novalite.compute.select_hosts
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Gather the resource tracker facts of the local hypervisor
  novalite.compute.host_facts:

- name: Gather them for every hypervisor of the fleet from the controller
  novalite.compute.host_facts:
    uri: "qemu+ssh://root@{{ inventory_hostname }}/system"
    reserved_host_memory_mb: "{{ novalite_reserved_host_memory_mb | default(512) }}"
  delegate_to: localhost

- name: Show the free memory
  ansible.builtin.debug:
    msg: "{{ ansible_facts.novalite_host.free_ram_mb }} MB free"
'''

RETURN = r'''
records_file:
  description: Where the instance records were written and how many (with O(records_file)).
  returned: when records_file is given, not in check mode
  type: dict
  sample: {path: /root/.cache/novalite/records/hv1.json, instances: 3}
ansible_facts:
  description: Facts set by the module.
  returned: success
  type: dict
  contains:
    novalite_host:
      description: The host state, with Nova's C(HostState) names.
      returned: success
      type: dict
      contains:
        host:
          description: The hypervisor's host name, as libvirt reports it.
          type: str
          sample: hv1
        hypervisor_hostname:
          description: Same as C(host) (Nova's node name).
          type: str
        uri:
          description: The URI libvirt reports for the connection.
          type: str
          sample: qemu:///system
        updated:
          description: When these facts were read, UTC, ISO 8601. The scheduler's ComputeFilter treats old facts as a host that is down.
          type: str
          sample: '2026-11-21T03:00:00Z'
        hypervisor_type:
          description: The libvirt driver's hypervisor type.
          type: str
          sample: QEMU
        hypervisor_version:
          description: Hypervisor version as an integer (major * 1000000 + minor * 1000 + release).
          type: int
          sample: 7002022
        libvirt_version:
          description: libvirt version as an integer.
          type: int
          sample: 9000000
        virt_types:
          description: Domain types the host offers for its own architecture (Nova's C([libvirt] virt_type) values).
          type: list
          elements: str
          sample: [qemu, kvm]
        cpu_info:
          description: The host CPU (arch, model, vendor, topology, features, maxphysaddr when known).
          type: dict
        supported_instances:
          description: "[arch, hv_type, vm_mode] triples the host can run, canonicalised as Nova does."
          type: list
          elements: list
          sample: [[x86_64, qemu, hvm], [x86_64, kvm, hvm]]
        vcpus:
          description: Usable physical CPUs of the node.
          type: int
        vcpus_used:
          description: vCPUs of the instances on the host plus O(reserved_host_cpus).
          type: int
        memory_mb:
          description: Physical memory of the node, in MB.
          type: int
        memory_mb_used:
          description: Memory of the instances on the host plus O(reserved_host_memory_mb), in MB.
          type: int
        free_ram_mb:
          description: C(memory_mb - memory_mb_used); may be negative.
          type: int
        local_gb:
          description: Capacity of O(instances_pool), in whole GiB.
          type: int
        local_gb_used:
          description: Disk of the instances (root, ephemeral, swap rounded up to GiB) plus O(reserved_host_disk_mb) rounded up to GiB.
          type: int
        free_disk_gb:
          description: C(local_gb - local_gb_used).
          type: int
        disk_available_least:
          description: Space actually available in O(instances_pool), in whole GiB.
          type: int
        reserved_host_cpus:
          description: The O(reserved_host_cpus) the figures were computed with.
          type: int
        reserved_host_memory_mb:
          description: The O(reserved_host_memory_mb) the figures were computed with.
          type: int
        reserved_host_disk_mb:
          description: The O(reserved_host_disk_mb) the figures were computed with.
          type: int
        resources:
          description: Placement's view per resource class (C(VCPU), C(MEMORY_MB), C(DISK_GB)) with C(total), C(reserved) and C(used) (instances only).
          type: dict
        num_instances:
          description: Domains on the host, novalite instances and foreign domains.
          type: int
        num_io_ops:
          description: Instances building or in an I/O-heavy task state (Nova's C(io_workload)).
          type: int
        service:
          description:
            - The host's compute service as M(novalite.compute.compute_service) set it -
              C(status) (C(enabled) or C(disabled)), C(disabled_reason), C(updated_at). A disabled
              host also has C(enabled) false and C(disabled_reason), which the scheduler's
              ComputeFilter reads as it reads the inventory's C(novalite_enabled).
          type: dict
        failed_builds:
          description:
            - Build attempts on this host that failed since its last successful build (Nova's
              C(failed_builds), which the BuildFailureWeigher reads) - instance records in error,
              and the attempts that were rolled back, which the host remembers as empty volumes
              C(failed-build.<time>.<instance>) of its instances pool (a successful build
              removes them).
          type: int
        instances:
          description:
            - Every domain on the host by UUID, with C(name), C(managed) (a novalite instance or not),
              C(active), C(flavor), C(vcpus), C(memory_mb), C(disk_gb), C(vm_state), C(task_state),
              C(server_group), C(project_id).
          type: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._host_facts import HostFacts


class HostFactsModule(NovaliteModule):
    step = HostFacts


def main():
    HostFactsModule.execute()


if __name__ == '__main__':
    main()
