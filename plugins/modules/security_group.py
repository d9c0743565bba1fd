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
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _security_group


class SecurityGroupModule(NovaliteModule):
    argument_spec = dict(
        name=dict(type='str', required=True),
        project_id=dict(type='str'),
        rules=dict(type='list', elements='dict'),
        catalog=dict(type='list', elements='dict', default=[]),
        members=dict(type='dict', default={}),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )

    def run(self):
        p, hv = self.params, self.hypervisor
        name = _security_group.filter_name(p['project_id'], p['name'])
        current = hv.nwfilter_xml(name)
        if p['state'] == 'absent':
            if current is not None and not self.check_mode:
                hv.undefine_nwfilter(name)
            result = dict(changed=current is not None, filter=name)
            if self.want_diff:
                result['diff'] = dict(before=_security_group.without_uuid(current), after='')
            return result
        entries = list(p['catalog'])
        if p['rules'] is not None:
            entries = [g for g in entries if not isinstance(g, dict) or g.get('name') != p['name']]
            entries.append({'name': p['name'], 'rules': p['rules']})
        groups = _security_group.catalog(entries, p['project_id'])
        if p['name'] not in groups:
            raise InvalidInput("name: security group %r is not in the catalog of project %r, and no rules are given"
                               % (p['name'], p['project_id']))
        group = groups[p['name']]
        members = self.members(group)
        xml = _security_group.group_xml(p['project_id'], group, members)
        base_changed = self.ensure(_security_group.BASE_FILTER, _security_group.base_xml(),
                                   hv.nwfilter_xml(_security_group.BASE_FILTER))
        changed = self.ensure(name, xml, current)
        result = dict(changed=changed or base_changed, filter=name, xml=xml, members=members)
        if self.want_diff:
            result['diff'] = dict(before=_security_group.without_uuid(current), after=xml.replace('><', '>\n<'))
        return result

    def ensure(self, name, xml, current):
        """Define the filter unless `current` has the same rules already; whether it changed."""
        if current is not None and _security_group.canonical(current) == _security_group.canonical(xml):
            return False
        if not self.check_mode:
            self.hypervisor.define_nwfilter(_security_group.redefinition(xml, current), name)
        return True

    def members(self, group):
        """Addresses of the members of each remote group: the records on this host, and O(members)."""
        wanted = {r['remote_group'] for r in group['rules'] if r['remote_group']}
        if not wanted:
            return {}
        records = [rec for rec in (_instance_record.from_domain_xml(d['xml']) for d in self.hypervisor.domains())
                   if rec is not None]
        found = _security_group.members(records, self.params['project_id'])
        for key, addresses in self.params['members'].items():
            if not isinstance(addresses, list):
                raise InvalidInput('members[%r] must be a list of addresses, got %r' % (key, addresses))
            found.setdefault(key, []).extend(str(a) for a in addresses)
        return {g: sorted(set(found.get(g) or [])) for g in sorted(wanted)}


def main():
    SecurityGroupModule.execute()


if __name__ == '__main__':
    main()
