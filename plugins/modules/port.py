#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: port
short_description: An instance's port on a network - a MAC and a fixed IP, never handed out twice
version_added: 0.1.0
description:
  - Nova's C(allocate_for_instance) / C(_create_port) on a libvirt network. A port is a DHCP host
    entry of the network (MAC, name C(<instance>-<device>), fixed IP), added to the running
    network and its persistent definition at once (virNetworkUpdate), so the guest gets that
    address by DHCP.
  - The fixed IP is O(fixed_ip), or the lowest free address of the network's allocation pools
    (netaddr, against every entry of the network). An address dnsmasq still leases to another
    MAC, such as a deleted guest's, is not free either - the new guest would not get it until
    that lease expires, and libvirt has no call to release it; a requested O(fixed_ip) is taken
    as asked. The MAC is O(mac_address), or a random one with Nova's C(fa:16:3e) prefix.
  - Never a duplicate. libvirt refuses an entry whose IP, MAC or name another entry has; when
    two allocations race, the loser reads the network again and takes the next address (up to
    O(retries) times), so concurrent runs end with distinct addresses and no entry lost.
  - Idempotent - the same instance and device on the same network get the same port back.
    O(state=absent) releases it.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  network:
    description: Name of the libvirt network (created by M(novalite.compute.network)).
    type: str
    required: true
  instance:
    description: Name of the instance the port belongs to.
    type: str
    required: true
  device:
    description: The instance's interface the port is for.
    type: str
    default: eth0
  fixed_ip:
    description: The address wanted; it must be free, in an allocation pool, not the gateway.
    type: str
  mac_address:
    description: The MAC wanted (unicast).
    type: str
  state:
    description: V(present) allocates, V(absent) releases.
    type: str
    choices: [present, absent]
    default: present
  retries:
    description: How many times to take the next address when a concurrent allocation won the one chosen.
    type: int
    default: 20
'''

EXAMPLES = r'''
- name: A port for web-1 on the tenant network
  novalite.compute.port:
    network: tenant
    instance: web-1
  register: port

- name: A fixed address and MAC
  novalite.compute.port:
    network: tenant
    instance: db-1
    fixed_ip: 10.20.0.10
    mac_address: fa:16:3e:00:00:10

- name: Release it
  novalite.compute.port:
    network: tenant
    instance: db-1
    state: absent
'''

RETURN = r'''
port:
  description: The port as Neutron shows it; null once released.
  returned: always
  type: dict
  contains:
    id:
      description: A stable UUID for the port (from the network and the port name).
      type: str
    name:
      description: C(<instance>-<device>), also the guest's DHCP host name.
      type: str
    network:
      description: The network.
      type: str
    mac_address:
      description: The MAC.
      type: str
      sample: fa:16:3e:4c:2a:01
    fixed_ips:
      description: One entry with C(ip_address), C(subnet), C(prefix_length), C(netmask), C(gateway).
      type: list
      elements: dict
    dns_nameservers:
      description: DNS servers the guest gets (the network's own, which forwards upstream).
      type: list
      elements: str
    device:
      description: The instance's interface.
      type: str
    device_id:
      description: The instance.
      type: str
attempts:
  description: Addresses tried before one was won (1 without contention).
  returned: when a port was allocated
  type: int
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._port_allocation import PortAllocation


class PortAllocationModule(NovaliteModule):
    step = PortAllocation


def main():
    PortAllocationModule.execute()


if __name__ == '__main__':
    main()
