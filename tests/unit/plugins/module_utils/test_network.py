import xml.etree.ElementTree as ET

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _network
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

BASE = {'name': 'tenant', 'cidr': '10.20.0.0/24'}


def net(**fields):
    entry = dict(BASE)
    entry.update(fields)
    return _network.validate(entry, 0)


def test_neutron_defaults():
    n = net()
    assert (n['gateway'], n['prefix'], n['mode'], n['dhcp']) == ('10.20.0.1', 24, 'nat', True)
    assert n['allocation_pools'] == [{'start': '10.20.0.2', 'end': '10.20.0.254'}]


def test_default_pools_go_around_a_gateway_in_the_middle():
    assert net(gateway='10.20.0.100')['allocation_pools'] == [
        {'start': '10.20.0.1', 'end': '10.20.0.99'}, {'start': '10.20.0.101', 'end': '10.20.0.254'}]


@pytest.mark.parametrize('fields, message', [
    ({'name': 'a/b'}, "novalite_networks[0].name 'a/b' is not a valid network name"),
    ({'name': '..'}, "novalite_networks[0].name '..' is not a valid network name"),
    ({'name': 'x<y'}, "novalite_networks[0].name 'x<y' is not a valid network name"),
    ({'vlan': 5}, 'novalite_networks[0] has unknown field(s) vlan'),
    ({'cidr': '10.20.0.0/33'}, "network 'tenant': cidr '10.20.0.0/33' is not a network"),
    ({'cidr': 'banana'}, "network 'tenant': cidr 'banana' is not a network"),
    ({'cidr': '10.20.0.5/24'}, "network 'tenant': cidr 10.20.0.5/24 has host bits set; did you mean 10.20.0.0/24?"),
    ({'cidr': '10.20.0.0/30'}, "network 'tenant': cidr 10.20.0.0/30 is too small"),
    ({'cidr': 'fd00::/64'}, "network 'tenant': cidr fd00::/64 is IPv6"),
    ({'gateway': '10.21.0.1'}, "network 'tenant': gateway 10.21.0.1 is not a host address of 10.20.0.0/24"),
    ({'gateway': '10.20.0.255'}, "network 'tenant': gateway 10.20.0.255 is not a host address"),
    ({'gateway': 'x'}, "network 'tenant': gateway 'x' is not an IP address"),
    ({'allocation_pools': [{'start': '10.20.0.1', 'end': '10.20.0.9'}]},
     "network 'tenant': allocation_pools[0] 10.20.0.1-10.20.0.9 contains the gateway 10.20.0.1"),
    ({'allocation_pools': [{'start': '10.20.0.9', 'end': '10.20.0.5'}]}, 'allocation_pools[0]: start 10.20.0.9 is after'),
    ({'allocation_pools': [{'start': '10.20.0.5', 'end': '10.20.1.5'}]}, 'allocation_pools[0] 10.20.0.5-10.20.1.5 is not inside'),
    ({'allocation_pools': [{'start': '10.20.0.5', 'end': '10.20.0.9'}, {'start': '10.20.0.8', 'end': '10.20.0.20'}]},
     'allocation_pools[1] 10.20.0.8-10.20.0.20 overlaps allocation_pools[0]'),
    ({'allocation_pools': []}, 'allocation_pools must be a non-empty list'),
    ({'allocation_pools': [{'start': '10.20.0.5'}]}, 'allocation_pools[0] must be {start: IP, end: IP}'),
    ({'mode': 'vxlan'}, "network 'tenant': mode must be one of nat, route, isolated, bridge"),
    ({'mode': 'bridge'}, "network 'tenant': mode bridge needs bridge"),
    ({'mode': 'bridge', 'bridge': 'br0'}, 'a network bridged onto br0 gets its addresses from outside'),
    ({'bridge': 'a-very-long-bridge-name'}, "network 'tenant': bridge 'a-very-long-bridge-name' is not a bridge name"),
    ({'mtu': 10}, "network 'tenant': mtu must be an integer from 68 to 65535"),
    ({'dns_domain': 'bad domain'}, "network 'tenant': dns_domain 'bad domain' is not a DNS domain name"),
    ({'dns_nameservers': ['8.8.8.8', 'dns.example']}, "dns_nameservers entry 'dns.example' is not an IP address"),
    ({'dhcp': 'yes'}, "network 'tenant': dhcp must be true or false"),
])
def test_validation_errors_name_the_field(fields, message):
    with pytest.raises(InvalidInput) as err:
        net(**fields)
    assert message in str(err.value), str(err.value)


def test_bridged_network():
    n = _network.validate({'name': 'lan', 'mode': 'bridge', 'bridge': 'br0'})
    assert n['cidr'] is None and n['dhcp'] is False
    root = ET.fromstring(_network.to_xml(n))
    assert root.find('forward').get('mode') == 'bridge' and root.find('bridge').get('name') == 'br0'
    assert root.find('ip') is None


def test_overlap_with_another_network_of_the_catalog():
    catalog = [BASE, {'name': 'wide', 'cidr': '10.20.0.0/16'}, {'name': 'other', 'cidr': '10.30.0.0/24'}]
    with pytest.raises(InvalidInput, match=r"network 'tenant': cidr 10.20.0.0/24 overlaps network 'wide' \(10.20.0.0/16\)"):
        _network.resolve(catalog, 'tenant')
    assert _network.resolve(catalog[1:], 'other')['cidr'] == '10.30.0.0/24'


def test_xml_round_trip_and_ports_carried_over():
    n = net(gateway='10.20.0.1', mtu=1450, dns_domain='cloud.example', dns_nameservers=['10.0.0.53'],
            allocation_pools=[{'start': '10.20.0.100', 'end': '10.20.0.200'}, {'start': '10.20.0.10', 'end': '10.20.0.20'}])
    hosts = [{'mac': 'fa:16:3e:00:00:01', 'name': 'web-1', 'ip': '10.20.0.100'}]
    view, ports = _network.describe(_network.to_xml(n, hosts))
    assert view == _network.desired_view(n)
    assert ports == hosts
    assert _network.differences(view, _network.desired_view(n)) == ([], [])


def test_describe_reads_what_libvirt_writes():
    live = """<network connections='1'><name>tenant</name><uuid>u</uuid><forward mode='nat'><nat><port start='1024'
      end='65535'/></nat></forward><bridge name='virbr3' stp='on' delay='0'/><mac address='52:54:00:1:2:3'/>
      <ip address='10.20.0.1' netmask='255.255.255.0'><dhcp><range start='10.20.0.2' end='10.20.0.254'/>
      <host mac='fa:16:3e:00:00:01' name='web-1' ip='10.20.0.7'/></dhcp></ip></network>"""
    view, ports = _network.describe(live)
    assert view == _network.desired_view(net())      # libvirt's bridge name and netmask form don't matter
    assert ports == [{'mac': 'fa:16:3e:00:00:01', 'name': 'web-1', 'ip': '10.20.0.7'}]


@pytest.mark.parametrize('change, live, restart', [
    ({'allocation_pools': [{'start': '10.20.0.50', 'end': '10.20.0.60'}]}, ['ranges'], []),
    ({'mtu': 1400}, [], ['mtu']),
    ({'mode': 'route'}, [], ['mode']),
    ({'cidr': '10.21.0.0/24'}, [], ['cidr', 'gateway', 'ranges']),
    ({'dhcp': False}, [], ['dhcp', 'ranges']),
])
def test_differences(change, live, restart):
    current, _hosts = _network.describe(_network.to_xml(net()))
    assert _network.differences(current, _network.desired_view(net(**change))) == (live, restart)


def test_values_are_escaped():
    xml = _network.to_xml(net(), [{'mac': 'fa:16:3e:00:00:01', 'name': 'a"b<c>&', 'ip': '10.20.0.9'}])
    assert ET.fromstring(xml).find('ip/dhcp/host').get('name') == 'a"b<c>&'
