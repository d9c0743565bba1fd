# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security groups: rule validation and the nwfilter XML they render to."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _security_group as sg
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput


def _rules(xml):
    root = ET.fromstring(xml)
    return [(r.get('action'), r.get('direction'), r.get('priority'), r[0].tag, dict(r[0].attrib)) for r in root.findall('rule')]


def _group(rules, name='web', project='p1', catalog=()):
    return sg.catalog([{'name': name, 'rules': rules}] + list(catalog), project)[name]


def test_tcp_port_from_anywhere_to_the_instance_address():
    xml = sg.group_xml('p1', _group([{'direction': 'ingress', 'protocol': 'tcp', 'port_range_min': 8080,
                                      'remote_ip_prefix': '0.0.0.0/0'}]), {})
    assert ET.fromstring(xml).get('name') == 'novalite-sg-p1-web'
    assert _rules(xml) == [('accept', 'in', '500', 'tcp', {'dstipaddr': '$IP', 'dstportstart': '8080', 'dstportend': '8080'})]


def test_egress_udp_range_to_a_prefix_from_the_instance_address_only():
    xml = sg.group_xml('p1', _group([{'direction': 'egress', 'protocol': 'udp', 'port_range_min': 53,
                                      'port_range_max': 54, 'remote_ip_prefix': '10.1.2.3/16'}]), {})
    expected = {'srcipaddr': '$IP', 'dstipaddr': '10.1.0.0', 'dstipmask': '16', 'dstportstart': '53', 'dstportend': '54'}
    assert _rules(xml) == [('accept', 'out', '500', 'udp', expected)]


def test_icmp_type_and_code_and_ipv6():
    xml = sg.group_xml('p1', _group([
        {'direction': 'ingress', 'protocol': 'icmp', 'port_range_min': 8, 'port_range_max': 0},
        {'direction': 'ingress', 'ethertype': 'IPv6', 'protocol': 'tcp', 'port_range_min': 22,
         'remote_ip_prefix': '2001:db8::/32'},
        {'direction': 'egress', 'ethertype': 'IPv6'}]), {})
    assert _rules(xml) == [
        ('accept', 'in', '500', 'icmp', {'dstipaddr': '$IP', 'type': '8', 'code': '0'}),
        ('accept', 'in', '500', 'tcp-ipv6', {'srcipaddr': '2001:db8::', 'srcipmask': '32', 'dstportstart': '22',
                                             'dstportend': '22'}),
        ('accept', 'out', '500', 'all-ipv6', {})]


def test_remote_group_becomes_one_rule_per_member():
    group = _group([{'direction': 'ingress', 'remote_group': 'default'}])
    xml = sg.group_xml('p1', group, {'default': ['10.0.0.7', '10.0.0.5', '10.0.0.7', 'fd00::1']})
    assert _rules(xml) == [
        ('accept', 'in', '500', 'all', {'srcipaddr': '10.0.0.5', 'srcipmask': '32', 'dstipaddr': '$IP'}),
        ('accept', 'in', '500', 'all', {'srcipaddr': '10.0.0.7', 'srcipmask': '32', 'dstipaddr': '$IP'})]
    assert _rules(sg.group_xml('p1', group, {})) == []         # no members: nothing allowed


def test_the_default_group_of_every_project():
    groups = sg.catalog([], 'p9')
    assert list(groups) == ['default']
    xml = sg.group_xml('p9', groups['default'], {'default': ['10.0.0.5']})
    assert ET.fromstring(xml).get('name') == 'novalite-sg-p9-default'
    assert _rules(xml) == [
        ('accept', 'out', '500', 'all', {'srcipaddr': '$IP'}),
        ('accept', 'out', '500', 'all-ipv6', {}),
        ('accept', 'in', '500', 'all', {'srcipaddr': '10.0.0.5', 'srcipmask': '32', 'dstipaddr': '$IP'})]
    # a catalog's own default wins; a project's own group wins over an every-project one
    own = sg.catalog([{'name': 'default', 'rules': []}, {'name': 'web', 'rules': []},
                      {'name': 'web', 'project_id': 'p9', 'rules': [{'direction': 'egress'}]},
                      {'name': 'db', 'project_id': 'other', 'rules': []}], 'p9')
    assert own['default']['rules'] == [] and len(own['web']['rules']) == 1 and 'db' not in own


def test_instance_filter_references_base_and_groups_then_drops_the_rest():
    root = ET.fromstring(sg.instance_xml('web-1', 'p1', ['default', 'web']))
    assert root.get('name') == 'novalite-instance-web-1'
    refs = [f.get('filter') for f in root.findall('filterref')]
    assert refs == ['novalite-base', 'novalite-sg-p1-default', 'novalite-sg-p1-web']
    drops = [('drop', 'inout', '1000', 'all', {}), ('drop', 'inout', '1000', 'all-ipv6', {})]
    assert _rules(ET.tostring(root, encoding='unicode')) == drops


def test_base_allows_dhcp_only():
    assert _rules(sg.base_xml()) == [('accept', 'out', '100', 'udp', {'srcportstart': '68', 'dstportstart': '67'}),
                                     ('accept', 'in', '100', 'udp', {'srcportstart': '67', 'dstportstart': '68'})]


def test_canonical_ignores_uuid_and_layout():
    ours = sg.base_xml()
    libvirts = ("<filter name='novalite-base' chain='root'>\n  <uuid>a537ad2d-12f3-4602-a4ba-df274ba6c2bf</uuid>\n"
                "  <rule action='accept' direction='out' priority='100'>\n    <udp srcportstart='68' dstportstart='67'/>\n"
                "  </rule>\n  <rule action='accept' direction='in' priority='100'>\n"
                "    <udp dstportstart='68' srcportstart='67'/>\n  </rule>\n</filter>\n")
    assert sg.canonical(ours) == sg.canonical(libvirts)
    assert sg.canonical(ours) != sg.canonical(libvirts.replace("'68' dstportstart='67'", "'68' dstportstart='69'"))
    assert '<uuid>' not in sg.without_uuid(libvirts)


@pytest.mark.parametrize('rule,match', [
    ({'direction': 'sideways'}, r'rules\[0\].direction must be ingress or egress'),
    ({'direction': 'ingress', 'protocol': 'gre'}, 'protocol must be one of tcp, udp, icmp, any'),
    ({'direction': 'ingress', 'ethertype': 'IPv5'}, 'ethertype must be IPv4 or IPv6'),
    ({'direction': 'ingress', 'protocol': 'tcp', 'port_range_min': 0}, 'port_range_min must be 1-65535'),
    ({'direction': 'ingress', 'protocol': 'tcp', 'port_range_min': 'http'}, 'port_range_min must be a whole number'),
    ({'direction': 'ingress', 'protocol': 'tcp', 'port_range_min': 90, 'port_range_max': 80}, 'port_range_min 90 is above'),
    ({'direction': 'ingress', 'port_range_min': 80}, 'a port range needs protocol tcp or udp'),
    ({'direction': 'ingress', 'protocol': 'icmp', 'port_range_max': 0}, 'needs a type'),
    ({'direction': 'ingress', 'remote_ip_prefix': '10.0.0.0/33'}, "remote_ip_prefix '10.0.0.0/33' is not a CIDR"),
    ({'direction': 'ingress', 'remote_ip_prefix': '2001:db8::/32'}, 'is not an IPv4 prefix'),
    ({'direction': 'ingress', 'remote_group': 'nosuch'}, "remote_group 'nosuch' is not a security group"),
    ({'direction': 'ingress', 'remote_group': 'default', 'remote_ip_prefix': '10.0.0.0/8'}, 'exclude each other'),
    ({'direction': 'ingress', 'port': 80}, "unknown key 'port'"),
    ('ingress', 'must be a dict'),
])
def test_bad_rules_name_the_rule_and_key(rule, match):
    with pytest.raises(InvalidInput, match=match):
        sg.catalog([{'name': 'web', 'rules': [rule]}], 'p1')


@pytest.mark.parametrize('groups,match', [
    ([{'name': 'a<b', 'rules': []}], r"novalite_security_groups\[0\].name 'a<b' must be letters"),
    ([{'name': '../x', 'rules': []}], 'must be letters'),
    ([{'name': 'web', 'rules': []}, {'name': 'web', 'rules': []}], "security group 'web' is defined twice"),
    ([{'name': 'web', 'rules': {}}], 'rules must be a list'),
    ('web', 'must be a list'),
])
def test_bad_catalogs(groups, match):
    with pytest.raises(InvalidInput, match=match):
        sg.catalog(groups, 'p1')


def test_requested_groups():
    groups = sg.catalog([{'name': 'web', 'rules': []}], 'p1')
    assert sg.requested(None, groups) == ['default']
    assert sg.requested(['web'], groups) == ['web']
    with pytest.raises(InvalidInput, match="'db' is not a security group of the project; known: default, web"):
        sg.requested(['db'], groups)
    with pytest.raises(InvalidInput, match='names a group twice'):
        sg.requested(['web', 'web'], groups)


def test_members_from_records():
    records = [{'project_id': 'p1', 'security_groups': 'default,web', 'ports': [{'ip': '10.0.0.5'}]},
               {'project_id': 'p1', 'security_groups': 'default', 'ports': [{'ip': '10.0.0.6'}, {'ip': '10.1.0.6'}]},
               {'project_id': 'p2', 'security_groups': 'default', 'ports': [{'ip': '10.0.0.9'}]},
               {'project_id': 'p1', 'ports': [{'ip': '10.0.0.10'}]}]
    assert sg.members(records, 'p1') == {'default': ['10.0.0.5', '10.0.0.6', '10.1.0.6'], 'web': ['10.0.0.5']}


def test_names_are_checked():
    with pytest.raises(InvalidInput, match='project_id'):
        sg.filter_name('p/1', 'web')
    assert sg.filter_name(None, 'web') == 'novalite-sg-none-web'


def test_a_redefinition_keeps_the_uuid():
    current = "<filter name='novalite-base' chain='root'><uuid>a537ad2d-12f3-4602-a4ba-df274ba6c2bf</uuid></filter>"
    again = ET.fromstring(sg.redefinition(sg.base_xml(), current))
    assert again.findtext('uuid') == 'a537ad2d-12f3-4602-a4ba-df274ba6c2bf'
    assert sg.canonical(ET.tostring(again, encoding='unicode')) == sg.canonical(sg.base_xml())
    assert sg.redefinition(sg.base_xml(), None) == sg.base_xml()
