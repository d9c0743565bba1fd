#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: security_group
short_description: Security groups of a project as libvirt network filters (Nova's libvirt firewall driver)
version_added: 0.1.0
description:
  - Ensures one security group of a project on a hypervisor as the nwfilter
    C(novalite-sg-<project>-<group>), with the base filter C(novalite-base) (DHCP) every
    instance's filter references; over the libvirt API only.
  - "Each rule, as Neutron takes it - C(direction) (C(ingress) or C(egress)), C(ethertype)
    (C(IPv4), C(IPv6)), C(protocol) (C(tcp), C(udp), C(icmp) or C(any)), C(port_range_min) and
    C(port_range_max) (for C(icmp), the type and code), and at most one of C(remote_ip_prefix)
    (a CIDR) and C(remote_group) (a group of the project) - becomes an accept rule. IPv4 rules
    match the instance's own address, the parameter C(IP) of its interface - so an instance
    cannot send from another address."
  - A C(remote_group) rule becomes one rule per address of the group's members, the
    instances of the project on this hypervisor whose record lists the group (the networks
    are the hypervisor's own), plus O(members).
  - The C(default) group exists for every project - egress anywhere, ingress from the members
    of C(default) - unless the catalog defines its own.
  - "Instances get the groups of their boot request: M(novalite.compute.server) with
    O(novalite.compute.server#module:security_groups) defines the instance's filter
    C(novalite-instance-<name>) - the base, its groups, then a drop of all other IP traffic
    - and every interface carries it with the instance's address as C(IP)."
  - Redefining a group's filter makes libvirt apply it to the running instances at once -
    changing a group's rules changes what reaches them.
  - Idempotent by comparing the filter's rules. O(state=absent) removes the group's filter
    (libvirt refuses while an instance filter references it).
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  name:
    description: The group's name (letters, digits, C(.), C(_), C(-)).
    type: str
    required: true
  project_id:
    description: The project the group belongs to (none - instances booted without a project).
    type: str
  rules:
    description:
      - The group's rules. Omitted - the rules of the group in O(catalog), or Nova's rules of
        C(default).
    type: list
    elements: dict
  catalog:
    description:
      - The security group catalog (C(novalite_security_groups)) - C({name, project_id,
        description, rules}); a group without C(project_id) is every project's. The names
        C(remote_group) may use.
    type: list
    elements: dict
    default: []
  members:
    description:
      - Addresses of members not on record yet (an instance being built), by group name.
    type: dict
    default: {}
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: Web servers take HTTP from anywhere and SSH from the office
  novalite.compute.security_group:
    uri: "{{ novalite_uri }}"
    name: web
    project_id: shop
    rules:
      - {direction: ingress, protocol: tcp, port_range_min: 80, port_range_max: 80}
      - {direction: ingress, protocol: tcp, port_range_min: 22, remote_ip_prefix: 192.0.2.0/24}
      - {direction: ingress, protocol: icmp}
      - {direction: egress}
  delegate_to: localhost

- name: The groups of the catalog, for project shop
  novalite.compute.security_group:
    uri: "{{ novalite_uri }}"
    name: "{{ item.name }}"
    project_id: shop
    catalog: "{{ novalite_security_groups }}"
  loop: "{{ novalite_security_groups + [{'name': 'default'}] }}"
  delegate_to: localhost
'''

RETURN = r'''
filter:
  description: The name of the group's nwfilter.
  returned: always
  type: str
  sample: novalite-sg-shop-web
xml:
  description: The filter's XML as rendered.
  returned: when state is present
  type: str
members:
  description: The member addresses of each group a C(remote_group) rule names.
  returned: when state is present
  type: dict
  sample: {default: [10.0.0.5, 10.0.0.7]}
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._security_group_filter import SecurityGroupFilter


class SecurityGroupFilterModule(NovaliteModule):
    step = SecurityGroupFilter


def main():
    SecurityGroupFilterModule.execute()


if __name__ == '__main__':
    main()
