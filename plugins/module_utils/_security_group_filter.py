# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A security group as a libvirt nwfilter on a hypervisor (the step behind the security_group module) (a _step.Step)."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _security_group


class SecurityGroupFilter(Step):
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
