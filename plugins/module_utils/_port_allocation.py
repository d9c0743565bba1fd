# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A port on a libvirt network (Nova's allocate_for_instance / _create_port): a DHCP host
entry, never handed out twice (a _step.Step)."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _ipam
from ansible_collections.novalite.compute.plugins.module_utils import _network
from ansible_collections.novalite.compute.plugins.module_utils import _port


class PortAllocation(Step):
    argument_spec = dict(
        network=dict(type='str', required=True),
        instance=dict(type='str', required=True),
        device=dict(type='str', default='eth0'),
        fixed_ip=dict(type='str'),
        mac_address=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        retries=dict(type='int', default=20),
    )

    def run(self):
        self.before = None
        result = self.allocate()
        if self.want_diff:
            after = result['port']
            result['diff'] = dict(before=_short(self.before) if self.before else {},
                                  after={'name': after['name'], 'mac': after['mac_address'],
                                         'ip': after['fixed_ips'][0]['ip_address']} if after else {})
        return result

    def allocate(self):
        p = self.params
        _ipam.require_netaddr()
        _network.check_name(p['network'])
        name = _port.port_name(p['instance'], p['device'])
        mac = _ipam.normalize_mac(p['mac_address']) if p['mac_address'] is not None else None
        view, hosts = self.read_network()
        existing = self.before = _port.find(hosts, name)
        if p['state'] == 'absent':
            if existing and not self.check_mode:
                self.hypervisor.update_network(p['network'], 'delete', 'host', _network.host_xml(existing))
            return dict(changed=existing is not None, port=None)
        subnet = _port.subnet_of(view)
        if existing:
            _port.check_same(existing, p['fixed_ip'], mac)
            return dict(changed=False, port=_port.describe(existing, view, p['instance'], p['device']))
        for attempt in range(1, p['retries'] + 2):
            entry = self.choose(subnet, hosts, name, mac)
            if self.check_mode:
                return dict(changed=True, port=_port.describe(entry, view, p['instance'], p['device']), attempts=0)
            try:
                self.hypervisor.update_network(p['network'], 'add', 'host', _network.host_xml(entry))
            except NovaliteError as err:
                if not err.details.get('conflict'):
                    raise
                view, hosts = self.read_network()      # someone else won that address, MAC or name
                won = _port.find(hosts, name)
                if won:                                 # a concurrent run of this very port
                    _port.check_same(won, p['fixed_ip'], mac)
                    return dict(changed=False, port=_port.describe(won, view, p['instance'], p['device']),
                                attempts=attempt)
                continue
            return dict(changed=True, port=_port.describe(entry, view, p['instance'], p['device']), attempts=attempt)
        raise NovaliteError("Failed to allocate port '%s' on network '%s': %d concurrent allocations won the address "
                            "first" % (name, p['network'], p['retries'] + 1))

    def read_network(self):
        state = self.hypervisor.network_state(self.params['network'])
        if state is None or not state['active']:
            raise InvalidInput("network '%s' is %s on %s; create it with novalite.compute.network first"
                               % (self.params['network'], 'not defined' if state is None else 'not running',
                                  self.hypervisor.uri))
        return _network.describe(state['xml'])

    def choose(self, subnet, hosts, name, mac):
        used_ips = {h['ip']: h['name'] or h['mac'] for h in hosts if h.get('ip')}
        used_macs = {h['mac'] for h in hosts if h.get('mac')}
        if self.params['fixed_ip']:
            ip = subnet.check_requested(self.params['fixed_ip'], used_ips, self.params['network'])
        else:
            # An address dnsmasq still leases to another MAC (a deleted guest's, until the lease
            # expires; libvirt has no call to release it) would not be handed to this port's
            # guest: skip it, as Neutron avoids reusing an address at once.
            leased = {lease.get('ipaddr'): 'a DHCP lease of %s' % lease.get('mac')
                      for lease in self.hypervisor.dhcp_leases(self.params['network'])
                      if lease.get('ipaddr') and lease.get('mac') not in used_macs}
            ip = subnet.lowest_free(dict(leased, **used_ips), self.params['network'])
        if mac and mac in used_macs:
            raise InvalidInput("mac_address %s is already in use on network '%s'" % (mac, self.params['network']))
        while mac is None or mac in used_macs:
            mac = _ipam.generate_mac()
        return {'mac': mac, 'name': name, 'ip': ip}


def _short(host):
    """A DHCP host entry as the diff shows it."""
    return {'name': host.get('name'), 'mac': host.get('mac'), 'ip': host.get('ip')}
