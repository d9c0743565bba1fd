#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: flavor
short_description: Resolve and check a flavor of the catalog (Nova's flavor step)
version_added: 0.1.0
description:
  - The first step of a boot, as in Nova's API (C(get_flavor_by_flavor_id), C(_check_requested_image)).
    Finds the flavor by name or id in the catalog (C(novalite_flavors) in the inventory),
    refuses a disabled one, validates every field and the extra specs novalite understands,
    and checks it against the image (C(min_ram), C(min_disk), and the image's virtual size
    against the root disk) with Nova's wording.
  - Returns the normalized flavor, what it means for the guest (CPU topology, CPU policy, page
    size, watchdog, RNG, CPU/disk/network tuning) and the resources one instance asks for.
  - Pure logic, cheap; run it on the controller. It changes nothing.
  - "Extra specs understood: C(hw:cpu_sockets), C(hw:cpu_cores), C(hw:cpu_threads), C(hw:cpu_policy),
    C(hw:mem_page_size), C(hw:watchdog_action), C(hw_rng:allowed), C(hw_rng:rate_bytes),
    C(hw_rng:rate_period), C(quota:cpu_shares), C(quota:cpu_quota), C(quota:cpu_period), the disk
    quotas C(quota:disk_{read,write,total}_{bytes,iops}_sec), the vif quotas
    C(quota:vif_{inbound,outbound}_{average,peak,burst}), C(trait:*), C(resources:*); C(capabilities:*)
    and C(aggregate_instance_extra_specs:*) are for the scheduler. Other namespaced keys pass
    through; a malformed known key is an error naming it."
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.attributes.INFO_MODULE
options:
  name:
    description: Name (or id) of the flavor.
    type: str
    required: true
  catalog:
    description:
      - The flavor catalog, usually C(novalite_flavors).
      - Fields as Nova's (C(name), C(id), C(vcpus), C(memory_mb), C(root_gb), C(ephemeral_gb),
        C(swap) in MB, C(rxtx_factor), C(is_public), C(disabled), C(extra_specs)).
    type: list
    elements: dict
    required: true
  image:
    description: The image catalog entry to check the flavor against (C(min_ram), C(min_disk)).
    type: dict
  image_virtual_size:
    description: The image's virtual size in bytes (RV(novalite.compute.image#module:volume.virtual_size)), checked against the root disk.
    type: int
  boot_from_volume:
    description: The root disk is a volume, so the local root disk is neither checked nor counted.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Resolve the flavor and check it against the image
  novalite.compute.flavor:
    name: m1.small
    catalog: "{{ novalite_flavors }}"
    image: "{{ novalite_images | selectattr('name', 'equalto', 'debian-12') | first }}"
  register: flavor
  delegate_to: localhost
  run_once: true

- name: Its CPU topology
  ansible.builtin.debug:
    var: flavor.guest.cpu_topology
'''

RETURN = r'''
flavor:
  description: The flavor, normalized (sizes as integers, extra specs as strings).
  returned: success
  type: dict
  sample: {name: m1.small, id: "2", vcpus: 1, memory_mb: 2048, root_gb: 20, ephemeral_gb: 0, swap: 0,
           rxtx_factor: 1.0, is_public: true, disabled: false, extra_specs: {}}
guest:
  description: What the flavor means for the guest.
  returned: success
  type: dict
  contains:
    cpu_topology:
      description: C(sockets), C(cores), C(threads); their product is the vCPU count.
      type: dict
    cputune:
      description: C(shares), C(quota), C(period) when given.
      type: dict
    disk_iotune:
      description: Disk quotas by name, when given.
      type: dict
    vif_bandwidth:
      description: Network quotas by name, when given.
      type: dict
    traits:
      description: Required and forbidden traits.
      type: dict
resources:
  description: What one instance asks of Placement (C(VCPU), C(MEMORY_MB), C(DISK_GB)).
  returned: success
  type: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils import _flavor
from ansible_collections.novalite.compute.plugins.module_utils import _image


class Flavor(NovaliteModule):
    uses_hypervisor = False
    argument_spec = dict(
        name=dict(type='str', required=True),
        catalog=dict(type='list', elements='dict', required=True),
        image=dict(type='dict'),
        image_virtual_size=dict(type='int'),
        boot_from_volume=dict(type='bool', default=False),
    )

    def run(self):
        p = self.params
        flavor = _flavor.resolve(p['catalog'], p['name'])
        if p['image'] is not None:
            _flavor.check_image(flavor, _image.validate(p['image']), p['image_virtual_size'], p['boot_from_volume'])
        elif p['image_virtual_size'] is not None:
            _flavor.check_image(flavor, {}, p['image_virtual_size'], p['boot_from_volume'])
        guest = flavor.pop('guest')
        return dict(changed=False, flavor=flavor, guest=guest,
                    resources=_flavor.resources(flavor, p['boot_from_volume']))


def main():
    Flavor.execute()


if __name__ == '__main__':
    main()
