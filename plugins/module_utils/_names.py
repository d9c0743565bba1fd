# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The names of an instance's objects on a hypervisor, made and parsed in one place.

  root disk        <instance>_disk             instances pool (qcow2 overlay on the image)
  ephemeral N      <instance>_disk.eph<N>      instances pool
  swap             <instance>_disk.swap        instances pool
  config drive     <instance>_disk.config      instances pool
  console log      <instance>.console.log      instances pool
  failed build     failed-build.<time>.<instance>   instances pool (the host's failed_builds stat)
  NVRAM            <instance>_VARS.fd          the NVRAM directory
  port             <instance>-<device>         DHCP host entry of the network (device eth<N>)
  instance filter  novalite-instance-<instance>   nwfilter

Every maker has its parser; a build killed before its record lists an object is still found
by these names (the audit, the leftover sweep of a delete). Pure.
"""

from __future__ import annotations

import re

FAILED_BUILD_PREFIX = 'failed-build.'
INSTANCE_FILTER_PREFIX = 'novalite-instance-'
# The host's own volumes in its instances pool, not an instance's: the claim lock, the
# compute service's disabled marker (_compute_service).
SERVICE_DISABLED = 'novalite-service.disabled'

_DISK = re.compile(r'^(?P<instance>.+?)_disk(?P<suffix>\.(?:eph\d+|swap|config))?\Z')
_LOG = re.compile(r'^(?P<instance>.+)\.console\.log\Z')
_PORT = re.compile(r'^(?P<instance>.+)-(?P<device>eth\d+)\Z')
_NVRAM = re.compile(r'^(?P<instance>.+)_VARS\.fd\Z')
_MARKER = re.compile(r'^failed-build\.(?P<time>\d{8}T\d{6}Z)\.(?P<instance>.+)\Z')


def root_disk(instance):
    return '%s_disk' % instance


def ephemeral_disk(instance, num):
    return '%s_disk.eph%d' % (instance, num)


def swap_disk(instance):
    return '%s_disk.swap' % instance


def config_drive(instance):
    return '%s_disk.config' % instance


def console_log(instance):
    return '%s.console.log' % instance


def nvram(instance):
    return '%s_VARS.fd' % instance


def port(instance, device):
    return '%s-%s' % (instance, device)


def instance_filter(instance):
    return INSTANCE_FILTER_PREFIX + instance


def failed_build_marker(instance, when):
    """The marker of a failed build of `instance` at `when` (UTC ISO, seconds)."""
    return '%s%s.%s' % (FAILED_BUILD_PREFIX, when.replace('-', '').replace(':', ''), instance)


def parse_local_volume(volume):
    """(kind, instance) of a volume of the instances pool by its name - kind 'disk',
    'config_drive', 'console_log' or 'marker' - or (None, None)."""
    if volume.startswith(FAILED_BUILD_PREFIX):
        rest = volume[len(FAILED_BUILD_PREFIX):]
        return 'marker', rest.split('.', 1)[1] if '.' in rest else None
    log = _LOG.match(volume)
    if log:
        return 'console_log', log.group('instance')
    disk = _DISK.match(volume)
    if not disk:
        return None, None
    return ('config_drive' if disk.group('suffix') == '.config' else 'disk'), disk.group('instance')


def parse_marker_time(volume):
    """The time (UTC ISO) of a failed-build marker, or None."""
    match = _MARKER.match(volume)
    if not match:
        return None
    t = match.group('time')
    return '%s-%s-%sT%s:%s:%sZ' % (t[0:4], t[4:6], t[6:8], t[9:11], t[11:13], t[13:15])


def parse_port(name):
    """The instance of a port name (<instance>-eth<N>), or None."""
    match = _PORT.match(name or '')
    return match.group('instance') if match else None


def port_device(instance, name):
    """The device of `instance`'s port `name` (what port(instance, device) made), or None."""
    match = _PORT.match(name or '')
    return match.group('device') if match and match.group('instance') == instance else None


def parse_nvram(filename):
    match = _NVRAM.match(filename or '')
    return match.group('instance') if match else None


def parse_instance_filter(name):
    return name[len(INSTANCE_FILTER_PREFIX):] if (name or '').startswith(INSTANCE_FILTER_PREFIX) else None
