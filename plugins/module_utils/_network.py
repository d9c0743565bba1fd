# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Networks: the catalog entry (a Neutron network + subnet in one) validated with netaddr,
the libvirt network XML built from it, and the comparable view of a network that exists,
so a change is planned from what differs. Ports are the DHCP host entries of the network;
they are not part of the catalog and a redefinition carries them over. Pure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _catalog
from ansible_collections.novalite.compute.plugins.module_utils import _ipam

FIELDS = ('name', 'id', 'cidr', 'gateway', 'dhcp', 'allocation_pools', 'dns_nameservers', 'dns_domain', 'mode',
          'bridge', 'mtu', 'shared', 'description')
MODES = ('nat', 'route', 'isolated', 'bridge')
NAME_PATTERN = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}\Z')
BRIDGE_PATTERN = re.compile(r'^[A-Za-z0-9_.-]{1,15}\Z')
DOMAIN_PATTERN = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*\Z')
# What can change on a running network without restarting it (virNetworkUpdate).
LIVE_FIELDS = ('ranges',)


def validate(entry, index=None):
    _ipam.require_netaddr()
    netaddr = _ipam.netaddr
    name, where = _catalog.entry_name(entry, index, 'novalite_networks', 'network', FIELDS, NAME_PATTERN,
                                      "1-50 letters, digits, '_', '.', '-'; no '..'")
    net = {'name': name, 'id': str(entry.get('id', name)), 'description': entry.get('description'),
           'shared': bool(entry.get('shared', False))}
    mode = entry.get('mode', 'nat')
    if mode not in MODES:
        raise InvalidInput('%s: mode must be one of %s, got %r' % (where, ', '.join(MODES), mode))
    net['mode'] = mode
    bridge = entry.get('bridge')
    if bridge is not None and (not isinstance(bridge, str) or not BRIDGE_PATTERN.match(bridge)):
        raise InvalidInput("%s: bridge %r is not a bridge name (1-15 letters, digits, '_', '.', '-')" % (where, bridge))
    if mode == 'bridge' and not bridge:
        raise InvalidInput('%s: mode bridge needs bridge, the name of an existing host bridge' % where)
    net['bridge'] = bridge
    mtu = entry.get('mtu')
    if mtu is not None and (isinstance(mtu, bool) or not isinstance(mtu, int) or not 68 <= mtu <= 65535):
        raise InvalidInput('%s: mtu must be an integer from 68 to 65535, got %r' % (where, mtu))
    net['mtu'] = mtu
    domain = entry.get('dns_domain')
    if domain is not None and (not isinstance(domain, str) or not DOMAIN_PATTERN.match(domain)):
        raise InvalidInput('%s: dns_domain %r is not a DNS domain name' % (where, domain))
    net['dns_domain'] = domain
    servers = entry.get('dns_nameservers') or []
    if not isinstance(servers, list):
        raise InvalidInput('%s: dns_nameservers must be a list of IP addresses, got %r' % (where, servers))
    for server in servers:
        if not _valid_ip(server):
            raise InvalidInput('%s: dns_nameservers entry %r is not an IP address' % (where, server))
    net['dns_nameservers'] = [str(s) for s in servers]
    dhcp = entry.get('dhcp', True)
    if not isinstance(dhcp, bool):
        raise InvalidInput('%s: dhcp must be true or false, got %r' % (where, dhcp))
    if mode == 'bridge':
        if entry.get('cidr') or entry.get('allocation_pools'):
            raise InvalidInput('%s: a network bridged onto %s gets its addresses from outside; cidr and '
                               'allocation_pools go with the nat, route and isolated modes' % (where, bridge))
        net.update(cidr=None, gateway=None, prefix=None, dhcp=False, allocation_pools=[])
        return net
    net['dhcp'] = dhcp
    _subnet(net, entry, where, netaddr)
    return net


def _valid_ip(value):
    try:
        _ipam.netaddr.IPAddress(value)
        return True
    except (_ipam.netaddr.AddrFormatError, ValueError, TypeError):
        return False


def _subnet(net, entry, where, netaddr):
    try:
        cidr = netaddr.IPNetwork(entry.get('cidr'))
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise InvalidInput('%s: cidr %r is not a network such as 10.20.0.0/24' % (where, entry.get('cidr')))
    if cidr.version != 4:
        raise InvalidInput('%s: cidr %s is IPv6; novalite reserves fixed IPs on IPv4 networks only' % (where, cidr))
    if cidr.ip != cidr.network:
        raise InvalidInput('%s: cidr %s has host bits set; did you mean %s?' % (where, cidr, cidr.cidr))
    if cidr.prefixlen > 29:
        raise InvalidInput('%s: cidr %s is too small: at least a /29 (gateway and a few addresses)' % (where, cidr))
    gateway = entry.get('gateway') or str(cidr.network + 1)
    if not _valid_ip(gateway):
        raise InvalidInput('%s: gateway %r is not an IP address' % (where, gateway))
    gw = netaddr.IPAddress(gateway)
    if gw not in cidr or gw in (cidr.network, cidr.broadcast):
        raise InvalidInput('%s: gateway %s is not a host address of %s' % (where, gw, cidr))
    pools = entry.get('allocation_pools')
    if pools is None:
        # Neutron's default: every host address but the gateway, as ranges around it.
        first, last = cidr.network + 1, cidr.broadcast - 1
        pools = [{'start': str(a), 'end': str(b)} for a, b in ((first, gw - 1), (gw + 1, last)) if a <= b]
    if not isinstance(pools, list) or not pools:
        raise InvalidInput('%s: allocation_pools must be a non-empty list of {start, end}' % where)
    ranges = []
    for i, pool in enumerate(pools):
        what = '%s: allocation_pools[%d]' % (where, i)
        if not isinstance(pool, dict) or not _valid_ip(pool.get('start')) or not _valid_ip(pool.get('end')):
            raise InvalidInput('%s must be {start: IP, end: IP}, got %r' % (what, pool))
        start, end = netaddr.IPAddress(pool['start']), netaddr.IPAddress(pool['end'])
        if start > end:
            raise InvalidInput('%s: start %s is after end %s' % (what, start, end))
        if start not in cidr or end not in cidr or start == cidr.network or end == cidr.broadcast:
            raise InvalidInput('%s %s-%s is not inside the host addresses of %s' % (what, start, end, cidr))
        if start <= gw <= end:
            raise InvalidInput('%s %s-%s contains the gateway %s' % (what, start, end, gw))
        for j, (other_start, other_end) in enumerate(ranges):
            if start <= other_end and other_start <= end:
                raise InvalidInput('%s %s-%s overlaps allocation_pools[%d]' % (what, start, end, j))
        ranges.append((start, end))
    net.update(cidr=str(cidr), gateway=str(gw), prefix=cidr.prefixlen,
               allocation_pools=[{'start': str(s), 'end': str(e)} for s, e in sorted(ranges)])


def check_name(name, what='network'):
    """A network name as given to a step (a port's network): a catalog network's name rules."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or '..' in name:
        raise InvalidInput("%s %r is not a valid network name (1-50 letters, digits, '_', '.', '-'; no '..')"
                           % (what, name))
    return name


def check_overlaps(net, others):
    """No two novalite networks on a host share addresses. `others`: {name: cidr}."""
    if not net.get('cidr'):
        return
    mine = _ipam.netaddr.IPNetwork(net['cidr'])
    for name, cidr in sorted(others.items()):
        if name == net['name'] or not cidr:
            continue
        other = _ipam.netaddr.IPNetwork(cidr)
        if mine in other or other in mine:   # CIDR blocks either nest or do not meet
            raise InvalidInput("network '%s': cidr %s overlaps network '%s' (%s) on this host"
                               % (net['name'], net['cidr'], name, cidr))


def resolve(catalog, wanted):
    net, nets = _catalog.find(catalog, wanted, 'network', 'novalite_networks', validate)
    check_overlaps(net, {n['name']: n['cidr'] for n in nets})
    return net


# -- libvirt XML ------------------------------------------------------------------------------
def to_xml(net, hosts=()):
    """The network's XML, with the DHCP host entries (ports) `hosts` carried over."""
    root = ET.Element('network')
    ET.SubElement(root, 'name').text = net['name']
    if net['mode'] in ('nat', 'route', 'bridge'):
        ET.SubElement(root, 'forward', {'mode': net['mode']})
    if net['mode'] == 'bridge':
        ET.SubElement(root, 'bridge', {'name': net['bridge']})
        return ET.tostring(root, encoding='unicode')
    attrs = {'stp': 'on', 'delay': '0'}
    if net['bridge']:
        attrs['name'] = net['bridge']
    ET.SubElement(root, 'bridge', attrs)
    if net['mtu']:
        ET.SubElement(root, 'mtu', {'size': str(net['mtu'])})
    if net['dns_domain']:
        ET.SubElement(root, 'domain', {'name': net['dns_domain'], 'localOnly': 'yes'})
    if net['dns_nameservers']:
        dns = ET.SubElement(root, 'dns')
        for server in net['dns_nameservers']:
            ET.SubElement(dns, 'forwarder', {'addr': server})
    ip = ET.SubElement(root, 'ip', {'address': net['gateway'], 'prefix': str(net['prefix'])})
    if net['dhcp']:
        dhcp = ET.SubElement(ip, 'dhcp')
        for pool in net['allocation_pools']:
            ET.SubElement(dhcp, 'range', {'start': pool['start'], 'end': pool['end']})
        for host in hosts:
            ET.SubElement(dhcp, 'host', {k: host[k] for k in ('mac', 'name', 'ip') if host.get(k)})
    return ET.tostring(root, encoding='unicode')


def describe(xml):
    """The comparable view of a network's XML (what the catalog controls), and its ports."""
    root = ET.fromstring(xml)
    forward = root.find('forward')
    mode = forward.get('mode', 'nat') if forward is not None else 'isolated'
    bridge = root.find('bridge')
    view = {'name': root.findtext('name'), 'mode': mode,
            'bridge': bridge.get('name') if bridge is not None and mode == 'bridge' else None}
    if mode == 'bridge':
        view.update(cidr=None, gateway=None, dhcp=False, ranges=[], mtu=None, dns_domain=None, dns_nameservers=[])
        return view, []
    mtu = root.find('mtu')
    domain = root.find('domain')
    view['mtu'] = int(mtu.get('size')) if mtu is not None else None
    view['dns_domain'] = domain.get('name') if domain is not None else None
    view['dns_nameservers'] = [f.get('addr') for f in root.findall('dns/forwarder') if f.get('addr')]
    ip = root.find('ip')
    hosts = []
    if ip is None:
        view.update(cidr=None, gateway=None, dhcp=False, ranges=[])
        return view, hosts
    prefix = ip.get('prefix') or str(_ipam.netaddr.IPAddress(ip.get('netmask')).netmask_bits())
    view['gateway'] = ip.get('address')
    view['cidr'] = str(_ipam.netaddr.IPNetwork('%s/%s' % (ip.get('address'), prefix)).cidr)
    dhcp = ip.find('dhcp')
    view['dhcp'] = dhcp is not None
    view['ranges'] = sorted(({'start': r.get('start'), 'end': r.get('end')} for r in ip.findall('dhcp/range')),
                            key=lambda r: _ipam.netaddr.IPAddress(r['start']))
    hosts = [{k: h.get(k) for k in ('mac', 'name', 'ip')} for h in ip.findall('dhcp/host')]
    return view, hosts


def desired_view(net):
    view = {'name': net['name'], 'mode': net['mode'], 'bridge': net['bridge'] if net['mode'] == 'bridge' else None,
            'cidr': net['cidr'], 'gateway': net['gateway'], 'dhcp': net['dhcp'],
            'ranges': list(net['allocation_pools']) if net['dhcp'] else [], 'mtu': net['mtu'],
            'dns_domain': net['dns_domain'], 'dns_nameservers': list(net['dns_nameservers'])}
    return view


def differences(current, desired):
    """(fields applied live, fields needing a restart); a restart applies every change."""
    changed = sorted(k for k in desired if current.get(k) != desired[k])
    if any(k not in LIVE_FIELDS for k in changed):
        return [], changed
    return changed, []


def range_xml(pool):
    return ET.tostring(ET.Element('range', {'start': pool['start'], 'end': pool['end']}), encoding='unicode')


def host_xml(host):
    return ET.tostring(ET.Element('host', {k: host[k] for k in ('mac', 'name', 'ip') if host.get(k)}), encoding='unicode')


def attached_domains(domain_xmls, network):
    """Names of the domains with an interface on `network`."""
    names = []
    for name, xml in sorted(domain_xmls.items()):
        root = ET.fromstring(xml)
        if any(i.get('type') == 'network' and i.find('source') is not None and i.find('source').get('network') == network
               for i in root.findall('devices/interface')):
            names.append(name)
    return names


def plan(net, state, current, ports, attached, force, autostart, wanted_state):
    """The ordered actions that bring the host's network to the catalog's, or an error that
    says why not. `state`: network_state() or None; `current`: describe() view; `ports`:
    its DHCP host entries; `attached`: domains using it."""
    name = net['name']
    if wanted_state == 'absent':
        if state is None:
            return []
        if (ports or attached) and not force:
            raise InvalidInput("network '%s' still has %s; release them first (or force: true)"
                               % (name, _users(ports, attached)))
        return (['stop'] if state['active'] else []) + ['undefine']
    desired = desired_view(net)
    if state is None:
        return [('define', to_xml(net)), 'start'] + (['autostart'] if autostart else [])
    actions = []
    live, restart = differences(current, desired)
    if restart or not state['persistent']:
        kept = [p for p in ports if _in_cidr(p.get('ip'), net.get('cidr'))]
        lost = [p for p in ports if p not in kept]
        if lost and not force:
            raise InvalidInput("network '%s': the change of %s would drop port(s) %s outside %s (force: true drops them)"
                               % (name, ', '.join(restart), ', '.join(p['name'] or p['mac'] for p in lost), net['cidr']))
        if state['active'] and attached and not force:
            raise InvalidInput("network '%s': changing %s needs a restart of the network, and %s use it; stop them "
                               "first or force: true (their interfaces lose the network until they are restarted)"
                               % (name, ', '.join(restart), ', '.join(attached)))
        actions.append(('define', to_xml(net, kept if net['dhcp'] else [])))
        if state['active']:
            actions.append('restart')
    elif live:
        old, new = current['ranges'], desired['ranges']
        actions.append(('ranges', [r for r in old if r not in new], [r for r in new if r not in old]))
    if not state['active'] and 'restart' not in actions:
        actions.append('start')
    if state['autostart'] != autostart:
        actions.append('autostart')
    return actions


def _in_cidr(ip, cidr):
    return bool(ip and cidr and _ipam.netaddr.IPAddress(ip) in _ipam.netaddr.IPNetwork(cidr))


def _users(ports, attached):
    parts = []
    if ports:
        parts.append('%d port(s): %s' % (len(ports), ', '.join(p.get('name') or p.get('mac') for p in ports)))
    if attached:
        parts.append('domain(s) %s attached' % ', '.join(attached))
    return ' and '.join(parts)


def normalized_xml(view, ports):
    """A view and its ports as XML in one fixed form (for diff)."""
    if view is None:
        return ''
    net = dict(view, allocation_pools=view['ranges'], prefix=view['cidr'].split('/')[1] if view['cidr'] else None,
               bridge=view['bridge'])
    return to_xml(net, ports).replace('><', '>\n<') + '\n'
