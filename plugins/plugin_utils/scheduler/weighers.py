# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host weighers and their combination, as nova/weights.py and nova/scheduler/weights/*.py.

Each weigher gives one raw number per host; raw numbers are clamped to the weigher's
[minval, maxval], normalised to 0..1 over the hosts being weighed (with minval 0 that is
x / max), multiplied by the weigher's multiplier (the option, or the minimum of the host's
aggregates' metadata of the same name), and summed. With one host or none, nothing is
weighed. Hosts are then sorted by weight, highest first; ties keep their order (stable).
"""

from __future__ import annotations


class BaseHostWeigher(object):
    minval = None
    maxval = None
    multiplier_name = None
    negate = False

    def __init__(self, options):
        self.options = options
        self.overridden = True   # the scheduler says whether any aggregate sets our multiplier

    @property
    def name(self):
        return type(self).__name__

    def multipliers(self, hosts):
        """One multiplier per host, or a single number when no aggregate overrides it."""
        default = self.options[self.multiplier_name]
        if not self.overridden:
            return -default if self.negate else default
        values = [h.multiplier(self.multiplier_name, default) for h in hosts]
        if self.negate:
            values = [-v for v in values]
        first = values[0]
        return first if all(v == first for v in values) else values

    def raw(self, host, spec):
        raise NotImplementedError

    def raws(self, hosts, spec):
        """raw() of every host (weighers override this with a tighter loop)."""
        return [self.raw(h, spec) for h in hosts]


class ServerGroupSoftAffinityWeigher(BaseHostWeigher):
    multiplier_name = 'soft_affinity_weight_multiplier'
    policy = 'soft-affinity'

    def raw(self, host, spec):
        group = spec.instance_group
        if group is None or group.policy != self.policy:
            return 0
        return len(set(host.instances).intersection(group.members))

    def raws(self, hosts, spec):
        group = spec.instance_group
        if group is None or group.policy != self.policy:
            return [0] * len(hosts)
        return [self.raw(h, spec) for h in hosts]


class ServerGroupSoftAntiAffinityWeigher(ServerGroupSoftAffinityWeigher):
    multiplier_name = 'soft_anti_affinity_weight_multiplier'
    policy = 'soft-anti-affinity'

    def raw(self, host, spec):
        return -1 * super().raw(host, spec)


class BuildFailureWeigher(BaseHostWeigher):
    multiplier_name = 'build_failure_weight_multiplier'
    negate = True   # fewer failed builds win

    def raw(self, host, spec):
        return host.failed_builds

    def raws(self, hosts, spec):
        return [h.failed_builds for h in hosts]


class CPUWeigher(BaseHostWeigher):
    minval = 0
    multiplier_name = 'cpu_weight_multiplier'

    def raw(self, host, spec):
        return host.vcpus_total * host.cpu_allocation_ratio - host.vcpus_used

    def raws(self, hosts, spec):
        return [h.vcpus_total * h.cpu_allocation_ratio - h.vcpus_used for h in hosts]


class DiskWeigher(BaseHostWeigher):
    minval = 0
    multiplier_name = 'disk_weight_multiplier'

    def raw(self, host, spec):
        return host.free_disk_mb

    def raws(self, hosts, spec):
        return [h.free_disk_mb for h in hosts]


class HypervisorVersionWeigher(BaseHostWeigher):
    multiplier_name = 'hypervisor_version_weight_multiplier'

    def raw(self, host, spec):
        return host.hypervisor_version or 0

    def raws(self, hosts, spec):
        return [h.hypervisor_version or 0 for h in hosts]


class IoOpsWeigher(BaseHostWeigher):
    minval = 0
    multiplier_name = 'io_ops_weight_multiplier'

    def raw(self, host, spec):
        return host.num_io_ops

    def raws(self, hosts, spec):
        return [h.num_io_ops for h in hosts]


class NumInstancesWeigher(BaseHostWeigher):
    multiplier_name = 'num_instances_weight_multiplier'

    def raw(self, host, spec):
        return host.num_instances


class RAMWeigher(BaseHostWeigher):
    minval = 0
    multiplier_name = 'ram_weight_multiplier'

    def raw(self, host, spec):
        return host.free_ram_mb

    def raws(self, hosts, spec):
        return [h.free_ram_mb for h in hosts]


# In the order Nova loads them (module, then class name); the order of the sum matters
# only in the last bit of a float, but it is kept.
WEIGHERS = {cls.__name__: cls for cls in (
    ServerGroupSoftAffinityWeigher, ServerGroupSoftAntiAffinityWeigher, BuildFailureWeigher, CPUWeigher,
    DiskWeigher, HypervisorVersionWeigher, IoOpsWeigher, NumInstancesWeigher, RAMWeigher)}


def normalize(weight_list, minval=None, maxval=None):
    """nova/weights.py normalize: to 0..1 by the given or observed bounds; all equal -> 0."""
    if not weight_list:
        return ()
    if maxval is None:
        maxval = max(weight_list)
    if minval is None:
        minval = min(weight_list)
    maxval = float(maxval)
    minval = float(minval)
    if minval == maxval:
        return [0] * len(weight_list)
    range_ = maxval - minval
    return [(i - minval) / range_ for i in weight_list]


def weigh(weighers, hosts, spec):
    """The weight of each host (a list parallel to `hosts`)."""
    weights = [0.0] * len(hosts)
    if len(hosts) <= 1:
        return weights
    for weigher in weighers:
        multipliers = weigher.multipliers(hosts)
        if not isinstance(multipliers, list) and multipliers == 0:
            continue   # adds 0.0 to every weight: nothing to compute
        raw = weigher.raws(hosts, spec)
        if weigher.minval is not None and min(raw) < weigher.minval:
            raw = [max(x, weigher.minval) for x in raw]
        if weigher.maxval is not None and max(raw) > weigher.maxval:
            raw = [min(x, weigher.maxval) for x in raw]
        lo = float(weigher.minval if weigher.minval is not None else min(raw))
        hi = float(weigher.maxval if weigher.maxval is not None else max(raw))
        if lo == hi:
            continue   # every normalised weight is 0: adds 0.0 (or -0.0) to every weight
        span = hi - lo
        if isinstance(multipliers, list):
            weights = [w + m * ((x - lo) / span) for w, m, x in zip(weights, multipliers, raw)]
        else:
            weights = [w + multipliers * ((x - lo) / span) for w, x in zip(weights, raw)]
    return weights
