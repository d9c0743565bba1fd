# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ports: an instance's address on a network, kept as a DHCP host entry of the libvirt
network (MAC, name, fixed IP), and described the way Neutron describes a port. Pure."""

from __future__ import annotations

import re
import uuid

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _ipam
from ansible_collections.novalite.compute.plugins.module_utils import _names

# The entry's name is what dnsmasq hands the guest as its host name: a DNS label.
NAME_PATTERN = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z')
PORT_NAMESPACE = uuid.UUID('6c8c7a2e-9a57-4c39-9a43-4b1f5c0a9e11')


def port_name(instance, device):
    name = _names.port(instance, device)
    if not NAME_PATTERN.match(name):
        raise InvalidInput("instance %r and device %r make the port name %r, which is not a DNS label (letters, digits "
                           "and '-', at most 63)" % (instance, device, name))
    return name


def subnet_of(view):
    """The Subnet (netaddr) of a network's view, for allocating on it."""
    if view['mode'] == 'bridge' or not view['cidr']:
        raise InvalidInput("network '%s' is bridged onto a host bridge: its addresses come from outside, novalite "
                           "cannot reserve one" % view['name'])
    if not view['dhcp']:
        raise InvalidInput("network '%s' has no DHCP: a fixed IP cannot be reserved on it" % view['name'])
    return _ipam.Subnet(view['cidr'], view['gateway'], [(r['start'], r['end']) for r in view['ranges']])


def find(hosts, name):
    for host in hosts:
        if host.get('name') == name:
            return host
    return None


def check_same(existing, fixed_ip, mac):
    """An existing port answers for the same request; a different IP or MAC is an error."""
    if fixed_ip and existing['ip'] != fixed_ip:
        raise InvalidInput("port '%s' exists with fixed_ip %s, not %s; release it first (state: absent)"
                           % (existing['name'], existing['ip'], fixed_ip))
    if mac and existing['mac'] != mac:
        raise InvalidInput("port '%s' exists with mac_address %s, not %s; release it first (state: absent)"
                           % (existing['name'], existing['mac'], mac))


def describe(host, view, instance, device):
    """The port as Neutron shows it (what the config drive's network_data.json is built from)."""
    net = _ipam.netaddr.IPNetwork(view['cidr'])
    return {
        'id': str(uuid.uuid5(PORT_NAMESPACE, '%s/%s' % (view['name'], host['name']))),
        'name': host['name'],
        'network': view['name'],
        'network_id': view['name'],
        'device_owner': 'compute:nova',
        'device_id': instance,
        'device': device,
        'mac_address': host['mac'],
        'fixed_ips': [{'ip_address': host['ip'], 'subnet': str(net.cidr), 'prefix_length': net.prefixlen,
                       'netmask': str(net.netmask), 'gateway': view['gateway']}],
        'dns_nameservers': [view['gateway']],    # the network's own DNS (dnsmasq), forwarding upstream
        'dns_domain': view.get('dns_domain'),
        'mtu': view.get('mtu'),
    }
