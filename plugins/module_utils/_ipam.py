# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IP address management for novalite networks, with netaddr (what Neutron's IPAM does for a
port's fixed IP): the allocation pools of a subnet, the lowest free address, a requested
address checked, and Nova-style MAC addresses. Pure."""

from __future__ import annotations

import random
import re
import traceback

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

try:
    import netaddr
except ImportError:
    netaddr = None
    NETADDR_IMPORT_ERROR = traceback.format_exc()
else:
    NETADDR_IMPORT_ERROR = None

# OpenStack's base MAC (Neutron's base_mac fa:16:3e:00:00:00): the first three octets stay.
MAC_PREFIX = 'fa:16:3e'
_MAC = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}\Z')


def require_netaddr():
    if netaddr is None:
        raise InvalidInput('the Python library netaddr is required (pip install netaddr, or the python3-netaddr package)')


def generate_mac(rng=random):
    return '%s:%02x:%02x:%02x' % (MAC_PREFIX, rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))


def normalize_mac(mac, what='mac_address'):
    text = str(mac).strip().lower().replace('-', ':')
    if not _MAC.match(text):
        raise InvalidInput('%s %r is not a MAC address such as fa:16:3e:12:34:56' % (what, mac))
    if int(text[:2], 16) & 1:
        raise InvalidInput('%s %r is a multicast address; a port needs a unicast one' % (what, mac))
    return text


class Subnet(object):
    """The addresses of one network's subnet: the CIDR, its gateway, its allocation pools."""

    def __init__(self, cidr, gateway, pools):
        require_netaddr()
        self.cidr = netaddr.IPNetwork(cidr)
        self.gateway = netaddr.IPAddress(gateway) if gateway else None
        self.pools = [netaddr.IPRange(start, end) for start, end in pools]
        self._free = netaddr.IPSet()
        for pool in self.pools:
            self._free.add(pool)
        if self.gateway is not None:
            self._free.remove(self.gateway)

    @property
    def size(self):
        return self._free.size

    def check_requested(self, address, used, network_name):
        """A requested fixed IP: in the subnet, not its network or broadcast address, not the
        gateway, in an allocation pool, and not taken."""
        try:
            ip = netaddr.IPAddress(address)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise InvalidInput("fixed_ip %r is not an IP address" % (address,))
        where = "network '%s' (%s)" % (network_name, self.cidr)
        if ip not in self.cidr:
            raise InvalidInput('fixed_ip %s is not in %s' % (ip, where))
        if self.cidr.version == 4 and self.cidr.prefixlen < 31 and ip in (self.cidr.network, self.cidr.broadcast):
            raise InvalidInput('fixed_ip %s is the %s address of %s' % (
                ip, 'network' if ip == self.cidr.network else 'broadcast', where))
        if ip == self.gateway:
            raise InvalidInput('fixed_ip %s is the gateway of %s' % (ip, where))
        if ip not in self._free:
            raise InvalidInput('fixed_ip %s is outside the allocation pools of %s (%s)'
                               % (ip, where, ', '.join('%s-%s' % (p[0], p[-1]) for p in self.pools)))
        if str(ip) in used:
            raise InvalidInput('fixed_ip %s is already in use on %s (by %s)' % (ip, where, used[str(ip)]))
        return str(ip)

    def candidates(self, used):
        """Free addresses, lowest first (a generator: an exhausted /8 is not listed)."""
        for ip in self._free:
            if str(ip) not in used:
                yield str(ip)

    def lowest_free(self, used, network_name):
        for ip in self.candidates(used):
            return ip
        raise InvalidInput("network '%s' (%s) has no free address: all %d addresses of its allocation pools are "
                           "in use" % (network_name, self.cidr, self.size))
