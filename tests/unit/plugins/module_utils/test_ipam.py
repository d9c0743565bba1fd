import random

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _ipam
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput


def subnet(pools=(('10.0.0.2', '10.0.0.254'),), gateway='10.0.0.1', cidr='10.0.0.0/24'):
    return _ipam.Subnet(cidr, gateway, pools)


def test_lowest_free_skips_used_addresses_and_the_gateway():
    s = _ipam.Subnet('10.0.0.0/29', '10.0.0.3', [('10.0.0.1', '10.0.0.6')])
    assert s.size == 5
    assert s.lowest_free({}, 'n') == '10.0.0.1'
    assert s.lowest_free({'10.0.0.1': 'a', '10.0.0.2': 'b'}, 'n') == '10.0.0.4'      # .3 is the gateway
    assert list(s.candidates({'10.0.0.4': 'x'})) == ['10.0.0.1', '10.0.0.2', '10.0.0.5', '10.0.0.6']


def test_pools_in_order_and_exhaustion_names_the_network_and_its_size():
    s = _ipam.Subnet('10.0.0.0/24', '10.0.0.1', [('10.0.0.100', '10.0.0.101'), ('10.0.0.10', '10.0.0.10')])
    assert list(s.candidates({})) == ['10.0.0.10', '10.0.0.100', '10.0.0.101']
    used = {'10.0.0.10': 'a', '10.0.0.100': 'b', '10.0.0.101': 'c'}
    with pytest.raises(InvalidInput, match=r"network 'web' \(10.0.0.0/24\) has no free address: all 3 addresses"):
        s.lowest_free(used, 'web')


@pytest.mark.parametrize('address, used, message', [
    ('10.0.0.50', {}, None),
    ('10.1.0.5', {}, 'fixed_ip 10.1.0.5 is not in network'),
    ('10.0.0.0', {}, 'fixed_ip 10.0.0.0 is the network address of'),
    ('10.0.0.255', {}, 'fixed_ip 10.0.0.255 is the broadcast address of'),
    ('10.0.0.1', {}, 'fixed_ip 10.0.0.1 is the gateway of'),
    ('10.0.0.200', {}, 'fixed_ip 10.0.0.200 is outside the allocation pools of'),
    ('10.0.0.50', {'10.0.0.50': 'web-1/eth0'}, 'fixed_ip 10.0.0.50 is already in use on network .* \\(by web-1/eth0\\)'),
    ('not-an-ip', {}, "fixed_ip 'not-an-ip' is not an IP address"),
    ('10.0.0.256', {}, 'is not an IP address'),
])
def test_requested_fixed_ip(address, used, message):
    s = subnet(pools=(('10.0.0.2', '10.0.0.150'),))
    if message is None:
        assert s.check_requested(address, used, 'n') == address
    else:
        with pytest.raises(InvalidInput, match=message):
            s.check_requested(address, used, 'n')


def test_generated_macs_are_novas_and_unicast():
    rng = random.Random(3)
    macs = {_ipam.generate_mac(rng) for dummy in range(200)}
    assert len(macs) > 190
    for mac in macs:
        assert mac.startswith('fa:16:3e:') and _ipam.normalize_mac(mac) == mac


@pytest.mark.parametrize('mac, expected', [
    ('FA:16:3E:00:11:22', 'fa:16:3e:00:11:22'), ('52-54-00-aa-bb-cc', '52:54:00:aa:bb:cc'),
    ('fa:16:3e:00:11', None), ('zz:16:3e:00:11:22', None), ('01:00:5e:00:00:01', None),
])
def test_normalize_mac(mac, expected):
    if expected:
        assert _ipam.normalize_mac(mac) == expected
    else:
        with pytest.raises(InvalidInput, match='mac_address'):
            _ipam.normalize_mac(mac)
