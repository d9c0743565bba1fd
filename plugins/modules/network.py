#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: network
short_description: libvirt networks from the catalog (a Neutron network and subnet in one)
version_added: 0.1.0
description:
  - Ensures a network of the catalog exists on the hypervisor as a libvirt network, defined
    persistently, active and autostarted, matching the catalog; over the libvirt API only.
  - "The catalog entry (C(novalite_networks)): C(name), C(cidr) (IPv4), C(gateway) (default the
    first address), C(dhcp), C(allocation_pools) (default every host address but the gateway),
    C(dns_nameservers) (upstream servers of the network's DNS), C(dns_domain), C(mode) (C(nat),
    C(route), C(isolated), or C(bridge) onto the existing host bridge C(bridge)), C(mtu),
    C(shared). Validated with netaddr: the gateway inside the CIDR, the pools inside, apart and
    not over the gateway, no overlap with another network on the host."
  - Idempotent by comparing the network's normalized definition. A change of the allocation
    pools is applied live and persistently (virNetworkUpdate). Any other change needs the
    network redefined and restarted, which is refused while domains use it, unless O(force).
    The ports (DHCP host entries) are carried over a redefinition; one that would fall outside
    a new CIDR is refused unless O(force).
  - O(state=absent) is refused while the network has ports or attached domains.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  name:
    description: Name or id of the network in O(catalog).
    type: str
  catalog:
    description: The network catalog, usually C(novalite_networks).
    type: list
    elements: dict
  network:
    description: One catalog entry given directly, instead of O(name) and O(catalog).
    type: dict
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  autostart:
    description: Whether libvirtd starts the network when it starts.
    type: bool
    default: true
  force:
    description: Restart a network that domains use, drop ports a new CIDR leaves out, or remove a network that has ports.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: The tenant network on every hypervisor
  novalite.compute.network:
    uri: "{{ novalite_uri }}"
    name: tenant
    catalog: "{{ novalite_networks }}"

- name: A network given directly
  novalite.compute.network:
    network:
      name: db
      cidr: 10.40.0.0/24
      mode: isolated
      allocation_pools: [{start: 10.40.0.10, end: 10.40.0.99}]
'''

RETURN = r'''
network:
  description: The network as it is after the change (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Network name.
      type: str
    mode:
      description: nat, route, isolated or bridge.
      type: str
    cidr:
      description: The subnet.
      type: str
    gateway:
      description: The host's address on it.
      type: str
    ranges:
      description: The DHCP allocation pools.
      type: list
      elements: dict
ports:
  description: The network's ports (DHCP host entries) with C(mac), C(name), C(ip).
  returned: always
  type: list
  elements: dict
actions:
  description: What was done (or would be in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [define, start, autostart]
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._network_setup import NetworkSetup


class NetworkSetupModule(NovaliteModule):
    step = NetworkSetup


def main():
    NetworkSetupModule.execute()


if __name__ == '__main__':
    main()
