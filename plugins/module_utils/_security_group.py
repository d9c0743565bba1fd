# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security groups as libvirt nwfilters (what Nova's libvirt firewall driver did with its
nova-base, nova-instance-* and nova-secgroup-* filters). Pure: validation and XML.

Three kinds of filter:
- `novalite-base`: what every instance may do whatever its groups (DHCP with its network).
- `novalite-sg-<project>-<group>`: one group's rules, each an accept rule; a rule whose remote
  is a group becomes one rule per member address; the instance's own address is the filter
  parameter IP (egress from it only, ingress to it only: no spoofed source leaves).
- `novalite-instance-<name>`: references the base and the instance's groups, then drops
  everything else. Each interface of the instance carries it with its IP as parameter.

Redefining a group's filter makes libvirt re-instantiate it for every running interface that
references it: updating a group updates the running instances.
"""

from __future__ import annotations

import ipaddress
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._domain_xml import check_name
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _names

BASE_FILTER = 'novalite-base'
DIRECTIONS = {'ingress': 'in', 'egress': 'out'}
ETHERTYPES = ('IPv4', 'IPv6')
PROTOCOLS = ('tcp', 'udp', 'icmp', 'any')
_ELEMENT = {('tcp', 'IPv4'): 'tcp', ('udp', 'IPv4'): 'udp', ('icmp', 'IPv4'): 'icmp', ('any', 'IPv4'): 'all',
            ('tcp', 'IPv6'): 'tcp-ipv6', ('udp', 'IPv6'): 'udp-ipv6', ('icmp', 'IPv6'): 'icmpv6', ('any', 'IPv6'): 'all-ipv6'}
RULE_KEYS = ('direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix',
             'remote_group', 'description')
ACCEPT_PRIORITY = 500
DROP_PRIORITY = 1000

# Nova's default group: egress anywhere, ingress from the members of the group itself.
DEFAULT_RULES = [
    {'direction': 'egress', 'ethertype': 'IPv4'},
    {'direction': 'egress', 'ethertype': 'IPv6'},
    {'direction': 'ingress', 'ethertype': 'IPv4', 'remote_group': 'default'},
    {'direction': 'ingress', 'ethertype': 'IPv6', 'remote_group': 'default'},
]


def filter_name(project_id, group):
    return 'novalite-sg-%s-%s' % (check_name(project_id or 'none', 'project_id'), check_name(group, 'security group name'))


def instance_filter_name(instance):
    return _names.instance_filter(check_name(instance, 'instance name'))


def _port(rule, where, key, low, high):
    value = rule.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) and not (isinstance(value, str) and value.isdigit()):
        raise InvalidInput('%s.%s must be a whole number, got %r' % (where, key, value))
    if not low <= int(value) <= high:
        raise InvalidInput('%s.%s must be %d-%d, got %r' % (where, key, low, high, value))
    return int(value)


def validate_rule(rule, where, groups):
    """A rule as Neutron takes it; `groups`, the names a remote_group may name."""
    if not isinstance(rule, dict):
        raise InvalidInput('%s must be a dict, got %r' % (where, rule))
    unknown = sorted(set(rule) - set(RULE_KEYS))
    if unknown:
        raise InvalidInput('%s: unknown key %s; known: %s' % (where, ', '.join(map(repr, unknown)), ', '.join(RULE_KEYS)))
    direction = rule.get('direction')
    if direction not in DIRECTIONS:
        raise InvalidInput('%s.direction must be ingress or egress, got %r' % (where, direction))
    ethertype = rule.get('ethertype') or 'IPv4'
    if ethertype not in ETHERTYPES:
        raise InvalidInput('%s.ethertype must be IPv4 or IPv6, got %r' % (where, ethertype))
    protocol = rule.get('protocol') or 'any'
    protocol = {'icmpv6': 'icmp', 'ipv6-icmp': 'icmp'}.get(protocol, protocol)
    if protocol not in PROTOCOLS:
        raise InvalidInput('%s.protocol must be one of %s, got %r' % (where, ', '.join(PROTOCOLS), rule.get('protocol')))
    if protocol == 'icmp':
        low = _port(rule, where, 'port_range_min', 0, 255)      # ICMP type, as Neutron takes it
        high = _port(rule, where, 'port_range_max', 0, 255)     # ICMP code
        if high is not None and low is None:
            raise InvalidInput('%s: an ICMP code (port_range_max) needs a type (port_range_min)' % where)
    else:
        low = _port(rule, where, 'port_range_min', 1, 65535)
        high = _port(rule, where, 'port_range_max', 1, 65535)
        if (low is not None or high is not None) and protocol == 'any':
            raise InvalidInput('%s: a port range needs protocol tcp or udp' % where)
        if low is not None and high is not None and low > high:
            raise InvalidInput('%s: port_range_min %d is above port_range_max %d' % (where, low, high))
        if high is not None and low is None:
            low = high
        if low is not None and high is None:
            high = low
    prefix = rule.get('remote_ip_prefix')
    remote_group = rule.get('remote_group')
    if prefix is not None and remote_group is not None:
        raise InvalidInput('%s: remote_ip_prefix and remote_group exclude each other' % where)
    if prefix is not None:
        try:
            net = ipaddress.ip_network(str(prefix), strict=False)
        except ValueError:
            raise InvalidInput('%s.remote_ip_prefix %r is not a CIDR' % (where, prefix))
        if net.version != (4 if ethertype == 'IPv4' else 6):
            raise InvalidInput('%s.remote_ip_prefix %r is not an %s prefix' % (where, prefix, ethertype))
        prefix = str(net)
    if remote_group is not None and remote_group not in groups:
        raise InvalidInput('%s.remote_group %r is not a security group of the project; known: %s'
                           % (where, remote_group, ', '.join(sorted(groups))))
    return {'direction': direction, 'ethertype': ethertype, 'protocol': protocol, 'port_range_min': low,
            'port_range_max': high, 'remote_ip_prefix': prefix, 'remote_group': remote_group}


def catalog(groups, project_id):
    """The security groups a project has: those of `novalite_security_groups` for the project
    (or for every project, without project_id), and `default` (Nova's rules unless the catalog
    gives its own). {name: {'name', 'project_id', 'description', 'rules'}}, rules validated."""
    if groups is None:
        groups = []
    if not isinstance(groups, list):
        raise InvalidInput('novalite_security_groups must be a list of {name, rules}, got %r' % (groups,))
    mine = {}
    for index, group in enumerate(groups):
        where = 'novalite_security_groups[%d]' % index
        if not isinstance(group, dict) or not isinstance(group.get('name'), str):
            raise InvalidInput('%s must be {name, project_id, description, rules}, got %r' % (where, group))
        check_name(group['name'], '%s.name' % where)
        if group.get('project_id') not in (None, project_id):
            continue
        if group['name'] in mine and mine[group['name']].get('project_id') == group.get('project_id'):
            raise InvalidInput('%s: security group %r is defined twice' % (where, group['name']))
        if group['name'] in mine and group.get('project_id') is None:
            continue                        # the project's own definition wins
        mine[group['name']] = dict(group, where=where)
    mine.setdefault('default', {'name': 'default', 'description': 'Default security group', 'rules': DEFAULT_RULES,
                                'where': 'the default security group'})
    result = {}
    for name, group in mine.items():
        rules = group.get('rules')
        rules = [] if rules is None else rules
        if not isinstance(rules, list):
            raise InvalidInput('%s.rules must be a list, got %r' % (group['where'], rules))
        result[name] = {'name': name, 'project_id': project_id, 'description': group.get('description') or '',
                        'rules': [validate_rule(r, '%s.rules[%d]' % (group['where'], i), set(mine))
                                  for i, r in enumerate(rules)]}
    return result


def requested(names, groups):
    """The request's security_groups (Nova's default: ['default']) checked against the project's."""
    names = ['default'] if names is None else names
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidInput('security_groups must be a list of names, got %r' % (names,))
    if len(set(names)) != len(names):
        raise InvalidInput('security_groups %r names a group twice' % (names,))
    for name in names:
        if name not in groups:
            raise InvalidInput("security_groups: %r is not a security group of the project; known: %s"
                               % (name, ', '.join(sorted(groups))))
    return list(names)


def _sub(parent, tag, attrs=None):
    return ET.SubElement(parent, tag, {k: str(v) for k, v in (attrs or {}).items() if v is not None})


def _net(prefix):
    net = ipaddress.ip_network(prefix)
    return str(net.network_address), str(net.prefixlen)


def group_xml(project_id, group, members):
    """The group's filter. `members`: {group name: [addresses]} for rules with a remote group."""
    root = ET.Element('filter', {'name': filter_name(project_id, group['name']), 'chain': 'root'})
    for rule in group['rules']:
        direction = DIRECTIONS[rule['direction']]
        ingress = direction == 'in'
        remote = 'srcip' if ingress else 'dstip'
        if rule['remote_group'] is not None:
            remotes = [(ip, '32' if ipaddress.ip_address(ip).version == 4 else '128')
                       for ip in sorted(set(members.get(rule['remote_group']) or []))
                       if ipaddress.ip_address(ip).version == (4 if rule['ethertype'] == 'IPv4' else 6)]
        elif rule['remote_ip_prefix'] is not None and _net(rule['remote_ip_prefix'])[1] != '0':
            remotes = [_net(rule['remote_ip_prefix'])]
        else:
            remotes = [None]
        for remote_net in remotes:
            attrs = {}
            if remote_net is not None:
                attrs.update({remote + 'addr': remote_net[0], remote + 'mask': remote_net[1]})
            if rule['ethertype'] == 'IPv4':
                # The instance's own address, the parameter IP of its interface.
                attrs['dstipaddr' if ingress else 'srcipaddr'] = '$IP'
            if rule['protocol'] == 'icmp':
                attrs.update({'type': rule['port_range_min'], 'code': rule['port_range_max']})
            elif rule['port_range_min'] is not None:
                attrs.update({'dstportstart': rule['port_range_min'], 'dstportend': rule['port_range_max']})
            el = _sub(root, 'rule', {'action': 'accept', 'direction': direction, 'priority': ACCEPT_PRIORITY})
            _sub(el, _ELEMENT[(rule['protocol'], rule['ethertype'])], attrs)
    return ET.tostring(root, encoding='unicode')


def base_xml():
    """DHCP between the instance and its network, whatever its groups."""
    root = ET.Element('filter', {'name': BASE_FILTER, 'chain': 'root'})
    for direction, src, dst in (('out', 68, 67), ('in', 67, 68)):
        el = _sub(root, 'rule', {'action': 'accept', 'direction': direction, 'priority': 100})
        _sub(el, 'udp', {'srcportstart': src, 'dstportstart': dst})
    return ET.tostring(root, encoding='unicode')


def instance_xml(instance, project_id, groups):
    """The filter of an instance's interfaces: the base, its groups, and a drop of the rest."""
    root = ET.Element('filter', {'name': instance_filter_name(instance), 'chain': 'root'})
    _sub(root, 'filterref', {'filter': BASE_FILTER})
    for group in groups:
        _sub(root, 'filterref', {'filter': filter_name(project_id, group)})
    for element in ('all', 'all-ipv6'):
        el = _sub(root, 'rule', {'action': 'drop', 'direction': 'inout', 'priority': DROP_PRIORITY})
        _sub(el, element)
    return ET.tostring(root, encoding='unicode')


def members(records, project_id):
    """{group: [addresses]} of the instances of `project_id` among instance records (a host's)."""
    found = {}
    for rec in records:
        if (rec.get('project_id') or None) != (project_id or None):
            continue
        for group in (rec.get('security_groups') or '').split(','):
            if group:
                found.setdefault(group, []).extend(p['ip'] for p in rec.get('ports') or [] if p.get('ip'))
    return found


def redefinition(xml, current):
    """`xml` to redefine the filter `current` is: libvirt wants the same uuid for the same name."""
    if not current:
        return xml
    uuid = ET.fromstring(current).findtext('uuid')
    if not uuid:
        return xml
    root = ET.fromstring(xml)
    el = ET.Element('uuid')
    el.text = uuid
    root.insert(0, el)
    return ET.tostring(root, encoding='unicode')


def without_uuid(xml):
    """A filter's XML as shown in a diff: without the uuid libvirt adds."""
    if not xml:
        return ''
    root = ET.fromstring(xml)
    for el in root.findall('uuid'):
        root.remove(el)
    return ET.tostring(root, encoding='unicode').replace('><', '>\n<')


def canonical(xml):
    """A filter's XML as compared for idempotency: without the uuid libvirt adds, attributes
    sorted, defaults libvirt fills in made explicit."""
    root = ET.fromstring(xml)
    for el in root.findall('uuid'):
        root.remove(el)
    root.attrib.pop('priority', None)
    parts = [('filter', tuple(sorted(root.attrib.items())))]
    for child in root:
        attrs = dict(child.attrib)
        inner = tuple((c.tag, tuple(sorted((k, v) for k, v in c.attrib.items()))) for c in child)
        parts.append((child.tag, tuple(sorted(attrs.items())), inner))
    return parts
