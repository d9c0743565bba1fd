# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A catalog network as a libvirt network on a hypervisor (the step behind the network module) (a _step.Step)."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils import _network


class NetworkSetup(Step):
    argument_spec = dict(
        name=dict(type='str'),
        catalog=dict(type='list', elements='dict'),
        network=dict(type='dict'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        autostart=dict(type='bool', default=True),
        force=dict(type='bool', default=False),
    )
    spec_kwargs = dict(mutually_exclusive=[('network', 'name'), ('network', 'catalog')],
                       required_one_of=[('network', 'name')], required_together=[('name', 'catalog')])

    def run(self):
        p, hv = self.params, self.hypervisor
        net = _network.validate(p['network']) if p['network'] else _network.resolve(p['catalog'], p['name'])
        state = hv.network_state(net['name'])
        others = {n: _network.describe(x)[0]['cidr'] for n, x in hv.network_xmls().items() if n != net['name']}
        if p['state'] == 'present':
            _network.check_overlaps(net, others)
        current, ports = _network.describe(state['xml']) if state else (None, [])
        attached = _network.attached_domains({d['name']: d['xml'] for d in hv.domains()}, net['name'])
        actions = _network.plan(net, state, current, ports, attached, p['force'], p['autostart'], p['state'])
        if not self.check_mode:
            self.apply(net['name'], actions)
        after, after_ports = self.predict(net, current, ports, actions)
        result = dict(changed=bool(actions), actions=[a if isinstance(a, str) else a[0] for a in actions],
                      network=after, ports=after_ports)
        if self.want_diff:
            result['diff'] = dict(before=_network.normalized_xml(current, ports),
                                  after=_network.normalized_xml(after, after_ports))
        return result

    def predict(self, net, current, ports, actions):
        if self.params['state'] == 'absent':
            return None, []
        for action in actions:
            if isinstance(action, tuple) and action[0] == 'define':
                view, hosts = _network.describe(action[1])
                return view, hosts if view['dhcp'] else []
        return _network.desired_view(net), ports

    def apply(self, name, actions):
        hv = self.hypervisor
        for action in actions:
            kind = action if isinstance(action, str) else action[0]
            if kind == 'define':
                hv.define_network(action[1], name)
            elif kind == 'start':
                hv.start_network(name)
            elif kind == 'restart':
                hv.stop_network(name)
                hv.start_network(name)
            elif kind == 'autostart':
                hv.set_network_autostart(name, self.params['autostart'])
            elif kind == 'ranges':
                for pool in action[1]:
                    hv.update_network(name, 'delete', 'range', _network.range_xml(pool))
                for pool in action[2]:
                    hv.update_network(name, 'add', 'range', _network.range_xml(pool))
            elif kind == 'stop':
                hv.stop_network(name)
            elif kind == 'undefine':
                hv.undefine_network(name)
