# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flavors: the catalog entry validated, resolved by name or id, its extra specs turned into
what they mean for the guest, and checked against an image with Nova's wording
(nova/compute/flavors.py, nova/compute/api.py _check_requested_image, nova/exception.py).
Pure."""

from __future__ import annotations

import math
import re

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _catalog

GiB = 1024 ** 3
SIZES = (('vcpus', 1), ('memory_mb', 1), ('root_gb', 0), ('ephemeral_gb', 0), ('swap', 0))
MAX_INT = 2147483647    # nova.db.constants.MAX_INT: the largest size a flavor can have
FIELDS = ('name', 'id', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb', 'swap', 'rxtx_factor', 'is_public',
          'disabled', 'extra_specs', 'description')
NAME_PATTERN = re.compile(r'^[\w.\- ]{1,255}\Z', re.UNICODE)

_DISK_QUOTAS = ('disk_read_bytes_sec', 'disk_write_bytes_sec', 'disk_total_bytes_sec', 'disk_read_iops_sec',
                'disk_write_iops_sec', 'disk_total_iops_sec')
_VIF_QUOTAS = ('vif_inbound_average', 'vif_inbound_peak', 'vif_inbound_burst', 'vif_outbound_average',
               'vif_outbound_peak', 'vif_outbound_burst')
_WATCHDOG_ACTIONS = ('none', 'pause', 'poweroff', 'reset', 'disabled')
_CPU_POLICIES = ('shared', 'dedicated', 'mixed')
_TRAIT_VALUES = ('required', 'forbidden')
_PAGE_SIZE = re.compile(r'^(small|large|any|\d+(KB|K|MB|M|GB|G)?)\Z', re.IGNORECASE)


def _int(value, what, minimum=None, maximum=None):
    if isinstance(value, bool):
        raise InvalidInput('%s must be an integer, got %r' % (what, value))
    if isinstance(value, str) and re.match(r'^-?\d+\Z', value.strip()):
        value = int(value)
    if not isinstance(value, int) and not (isinstance(value, float) and value.is_integer()):
        raise InvalidInput('%s must be an integer, got %r' % (what, value))
    value = int(value)
    if minimum is not None and value < minimum:
        raise InvalidInput('%s must be at least %d, got %d' % (what, minimum, value))
    if maximum is not None and value > maximum:
        raise InvalidInput('%s must be at most %d, got %d' % (what, maximum, value))
    return value


def _bool(value, what):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ('true', 'false', 'yes', 'no', '1', '0'):
        return value.lower() in ('true', 'yes', '1')
    raise InvalidInput('%s must be a boolean, got %r' % (what, value))


def check_sizes(flavor, what='flavor'):
    """The sizes of a flavor handed to a step (a normalized flavor): integers within Nova's
    limits; a copy, with a size left out at its least (0 for the disks)."""
    if not isinstance(flavor, dict):
        raise InvalidInput('%s must be a dict, got %r' % (what, flavor))
    checked = dict(flavor)
    for key, minimum in SIZES:
        checked[key] = _int(flavor.get(key, minimum), '%s.%s' % (what, key), minimum, MAX_INT)
    return checked


def validate(entry, index=None):
    """A catalog entry, checked and normalized (sizes as integers, extra specs as strings)."""
    name, where = _catalog.entry_name(entry, index, 'novalite_flavors', 'flavor', FIELDS, NAME_PATTERN,
                                      "1-255 letters, digits, '.', '_', '-', ' '", dots=True)
    flavor = {'name': name, 'id': str(entry.get('id', name))}
    for key, minimum in SIZES:
        if key in ('vcpus', 'memory_mb') and key not in entry:
            raise InvalidInput('%s: %s is required' % (where, key))
        flavor[key] = _int(entry.get(key, 0), '%s: %s' % (where, key), minimum, MAX_INT)
    rxtx = entry.get('rxtx_factor', 1.0)
    if isinstance(rxtx, bool) or not isinstance(rxtx, (int, float)) or rxtx <= 0:
        raise InvalidInput('%s: rxtx_factor must be a number greater than 0, got %r' % (where, rxtx))
    flavor['rxtx_factor'] = float(rxtx)
    flavor['is_public'] = _bool(entry.get('is_public', True), '%s: is_public' % where)
    flavor['disabled'] = _bool(entry.get('disabled', False), '%s: disabled' % where)
    flavor['description'] = entry.get('description')
    specs = entry.get('extra_specs') or {}
    if not isinstance(specs, dict):
        raise InvalidInput('%s: extra_specs must be a dict, got %r' % (where, specs))
    flavor['extra_specs'] = {}
    for key, value in specs.items():
        if not isinstance(key, str) or not key or len(key) > 255:
            raise InvalidInput('%s: extra_specs key %r must be a string of 1-255 characters' % (where, key))
        if isinstance(value, (dict, list)) or value is None:
            raise InvalidInput("%s: extra_specs '%s' must be a string, got %r" % (where, key, value))
        value = ('true' if value else 'false') if isinstance(value, bool) else str(value)
        flavor['extra_specs'][key] = value
    flavor['guest'] = guest(flavor, where)
    return flavor


def guest(flavor, where):
    """What the extra specs mean for the guest: CPU topology, policies and tuning."""
    specs = flavor['extra_specs']
    result = {'cpu_topology': cpu_topology(flavor['vcpus'], specs, where), 'cputune': {}, 'disk_iotune': {},
              'vif_bandwidth': {}, 'traits': {}}

    def spec_int(key, minimum=0, maximum=None):
        return _int(specs[key], "%s: extra_specs '%s'" % (where, key), minimum, maximum)

    for key, value in specs.items():
        ns, _sep, name = key.partition(':')
        what = "%s: extra_specs '%s'" % (where, key)
        if key == 'hw:cpu_policy':
            if value not in _CPU_POLICIES:
                raise InvalidInput('%s must be one of %s, got %r' % (what, ', '.join(_CPU_POLICIES), value))
            result['cpu_policy'] = value
        elif key == 'hw:mem_page_size':
            if not _PAGE_SIZE.match(value):
                raise InvalidInput('%s must be small, large, any or a size such as 2048 or 1GB, got %r' % (what, value))
            result['mem_page_size'] = value.lower()
        elif key == 'hw:watchdog_action':
            if value not in _WATCHDOG_ACTIONS:
                raise InvalidInput('%s must be one of %s, got %r' % (what, ', '.join(_WATCHDOG_ACTIONS), value))
            result['watchdog_action'] = value
        elif key == 'hw_rng:allowed':
            result['rng_allowed'] = _bool(value, what)
        elif key in ('hw_rng:rate_bytes', 'hw_rng:rate_period'):
            result[name] = spec_int(key, 1)
        elif key == 'quota:cpu_shares':
            result['cputune']['shares'] = spec_int(key, 0, 262144)
        elif key == 'quota:cpu_period':
            result['cputune']['period'] = spec_int(key, 1000, 1000000)
        elif key == 'quota:cpu_quota':
            quota = _int(value, what)
            if quota != -1 and not 1000 <= quota <= 17592186044415:
                raise InvalidInput('%s must be -1 or between 1000 and 17592186044415, got %d' % (what, quota))
            result['cputune']['quota'] = quota
        elif ns == 'quota' and name in _DISK_QUOTAS:
            result['disk_iotune'][name] = spec_int(key)
        elif ns == 'quota' and name in _VIF_QUOTAS:
            result['vif_bandwidth'][name] = spec_int(key)
        elif ns == 'trait':
            if value not in _TRAIT_VALUES:
                raise InvalidInput('%s must be required or forbidden, got %r' % (what, value))
            result['traits'][name] = value
        elif ns == 'resources':
            spec_int(key)
        elif ns == 'quota' and name not in ('cpu_shares', 'cpu_period', 'cpu_quota'):
            raise InvalidInput('%s is not a quota novalite knows; known: cpu_shares, cpu_period, cpu_quota, %s'
                               % (what, ', '.join(_DISK_QUOTAS + _VIF_QUOTAS)))
        # capabilities:*, aggregate_instance_extra_specs:* and other namespaces pass through
    return result


def cpu_topology(vcpus, specs, where):
    """sockets * cores * threads == vcpus, from hw:cpu_sockets/cores/threads; what is not
    given is filled as Nova prefers it (as many sockets as possible, 1 thread)."""
    given = {}
    for part in ('sockets', 'cores', 'threads'):
        key = 'hw:cpu_%s' % part
        if key in specs:
            given[part] = _int(specs[key], "%s: extra_specs '%s'" % (where, key), 1)
    threads = given.get('threads', 1)
    if 'sockets' in given and 'cores' in given:
        sockets, cores = given['sockets'], given['cores']
        if 'threads' not in given and vcpus % (sockets * cores) == 0:
            threads = vcpus // (sockets * cores)
    elif 'cores' in given:
        cores = given['cores']
        sockets = vcpus // (cores * threads) if vcpus % (cores * threads) == 0 else 0
    elif 'sockets' in given:
        sockets = given['sockets']
        cores = vcpus // (sockets * threads) if vcpus % (sockets * threads) == 0 else 0
    else:
        sockets = vcpus // threads if vcpus % threads == 0 else 0
        cores = 1
    if sockets * cores * threads != vcpus:
        raise InvalidInput('%s: extra_specs hw:cpu_sockets/cores/threads %s cannot make %d vCPUs'
                           % (where, ', '.join('%s=%d' % kv for kv in sorted(given.items())), vcpus))
    return {'sockets': sockets, 'cores': cores, 'threads': threads}


def resolve(catalog, wanted):
    """The catalog flavor named `wanted` (by name, then by id), validated; a disabled one is refused."""
    flavor, _all = _catalog.find(catalog, wanted, 'flavor', 'novalite_flavors', validate)
    if flavor['disabled']:
        raise InvalidInput("flavor '%s' is disabled (Flavor %s could not be found.)" % (wanted, flavor['id']))
    return flavor


def disk_gb(flavor, boot_from_volume=False):
    """DISK_GB an instance of this flavor takes, as Placement counts it
    (nova/scheduler/utils.py ResourceRequest): ephemeral, swap rounded up to whole GiB, and
    root unless the root disk is a volume."""
    root = 0 if boot_from_volume else int(flavor.get('root_gb') or 0)
    return root + int(flavor.get('ephemeral_gb') or 0) + int(math.ceil(int(flavor.get('swap') or 0) / 1024.0))


def resources(flavor, boot_from_volume=False):
    """The Placement request of one instance of this flavor."""
    return {'VCPU': flavor['vcpus'], 'MEMORY_MB': flavor['memory_mb'], 'DISK_GB': disk_gb(flavor, boot_from_volume)}


def check_image(flavor, image, virtual_size=None, boot_from_volume=False):
    """Nova's _check_requested_image: min_ram, min_disk and the image's size against the root
    disk (a root_gb of 0 means "the image's size" and is not checked), with Nova's wording."""
    min_ram = int(image.get('min_ram') or 0)
    if flavor['memory_mb'] < min_ram:
        raise InvalidInput("Flavor's memory is too small for requested image. Flavor '%s' has %d MB, image '%s' "
                           "needs min_ram %d MB." % (flavor['name'], flavor['memory_mb'], image.get('name'), min_ram))
    if boot_from_volume or flavor['root_gb'] == 0:
        return
    root_bytes = flavor['root_gb'] * GiB
    min_disk = int(image.get('min_disk') or 0)
    if min_disk and min_disk * GiB > root_bytes:
        raise InvalidInput("Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk "
                           "is %d bytes, minimum size is %d bytes." % (root_bytes, min_disk * GiB))
    if virtual_size is not None and virtual_size > root_bytes:
        raise InvalidInput("Flavor's disk is too small for requested image. Flavor disk is %d bytes, image is %d "
                           "bytes." % (root_bytes, virtual_size))
