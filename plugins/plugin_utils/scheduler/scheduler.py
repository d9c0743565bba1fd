# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""select_destinations: Nova's FilterScheduler with Placement (nova/scheduler/manager.py
_schedule, _get_sorted_hosts, _consume_selected_host, _get_alternate_hosts;
nova/scheduler/host_manager.py get_filtered_hosts), on host states from inventory facts.

1. Request filters: a requested availability zone narrows the hosts to the aggregates
   tagged with it (map_az_to_placement_aggregate), when any is.
2. Placement: a host takes part only if one instance fits its capacity,
   (total - reserved) * allocation_ratio - used >= requested and requested <= total.
3. For each instance in turn: force/ignore hosts, then the enabled filters in order (the
   once-per-request ones only for the first instance) over the hosts that survived the
   previous instance, then the weighers; the first host in weight order that Placement can
   still claim the instance on is selected, and its resources are consumed so the next
   instance sees them gone.
4. Fewer hosts than instances: the whole request fails, "No valid host was found".
5. Alternates for each instance: the next hosts in weight order that were not selected.
"""

from __future__ import annotations

import random

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import options as options_mod
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.filters import FILTERS, now_utc
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.host_state import HostState, _parse_time
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.request_spec import RequestSpec
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.weighers import WEIGHERS, weigh

# Policies and the filter or weigher each needs (nova/scheduler/utils.py _get_group_details).
_POLICY_NEEDS = {'affinity': ('ServerGroupAffinityFilter', FILTERS),
                 'anti-affinity': ('ServerGroupAntiAffinityFilter', FILTERS),
                 'soft-affinity': ('ServerGroupSoftAffinityWeigher', WEIGHERS),
                 'soft-anti-affinity': ('ServerGroupSoftAntiAffinityWeigher', WEIGHERS)}
TRACE_TOP_WEIGHED = 5


class Scheduler(object):

    def __init__(self, options):
        self.options = options_mod.parse(options)
        unknown = [n for n in self.options['enabled_filters'] if n not in FILTERS]
        if unknown:
            raise SchedulerError('select_hosts: options.enabled_filters has unknown filter(s) %s; known: %s'
                                 % (', '.join(unknown), ', '.join(sorted(FILTERS))))
        names = self.options['weighers']
        names = list(WEIGHERS) if names is None else names
        unknown = [n for n in names if n not in WEIGHERS]
        if unknown:
            raise SchedulerError('select_hosts: options.weighers has unknown weigher(s) %s; known: %s'
                                 % (', '.join(unknown), ', '.join(sorted(WEIGHERS))))
        now = self.options['now']
        try:
            self.options['_now'] = _parse_time(now) if now is not None else now_utc()
        except ValueError:
            raise SchedulerError('select_hosts: options.now must be an ISO 8601 time, got %r' % (now,))
        self.filters = [FILTERS[n](self.options) for n in self.options['enabled_filters']]
        # Weighers keep Nova's load order whatever order they were listed in.
        self.weighers = [cls(self.options) for name, cls in WEIGHERS.items() if name in names]
        self.random = random.Random(self.options['random_seed'])

    # -- the request ------------------------------------------------------------------------
    def select_destinations(self, request, hosts):
        spec = RequestSpec(request)
        if not isinstance(hosts, dict):
            raise SchedulerError('select_hosts: hosts must map host names to host states, got %s'
                                 % type(hosts).__name__)
        states = [HostState(str(name), facts, self.options) for name, facts in hosts.items()]
        for weigher in self.weighers:
            weigher.overridden = any(weigher.multiplier_name in agg.metadata for hs in states for agg in hs.aggregates)
        spec.setup_instance_group(states)
        self._check_group_policy(spec)
        self._check_availability_zone(spec, states)
        trace = {'hosts': len(states), 'request_filters': [], 'placement': None, 'instances': []}

        states = self._request_filters(spec, states, trace)
        candidates = self._placement_candidates(spec, states, trace)

        selected, num, sorted_hosts = [], 0, candidates
        for num, instance_uuid in enumerate(spec.instance_uuids):
            spec.instance_uuid = instance_uuid
            step = {'instance': num, 'instance_uuid': instance_uuid}
            trace['instances'].append(step)
            sorted_hosts = self._get_sorted_hosts(spec, sorted_hosts, num, step)
            if not sorted_hosts:
                break
            claimed = self._claim(spec, sorted_hosts, step)
            if claimed is None:
                break
            selected.append(claimed)
            step['selected'] = claimed.host
            self._consume_selected_host(claimed, spec, instance_uuid)

        if len(selected) < spec.min_count:
            raise NoValidHost('There are not enough hosts available. %s' % explain(trace, spec), trace)
        if len(selected) < spec.num_instances:
            trace['reduced'] = {'asked': spec.num_instances, 'placed': len(selected), 'min_count': spec.min_count,
                                'why': explain(trace, spec)}

        alternates = self._alternates(selected, spec, sorted_hosts, num)
        return {
            'selections': [{'instance': i, 'instance_uuid': spec.instance_uuids[i], 'host': h.host,
                            'nodename': h.nodename, 'alternates': alternates[i]}
                           for i, h in enumerate(selected)],
            'hosts': [h.host for h in selected],
            'trace': trace,
        }

    # -- checks before any work -----------------------------------------------------------
    def _check_group_policy(self, spec):
        group = spec.instance_group
        if group is None:
            return
        needed, table = _POLICY_NEEDS[group.policy]
        enabled = [f.name for f in self.filters] if table is FILTERS else [w.name for w in self.weighers]
        if needed not in enabled:
            raise SchedulerError("select_hosts: server group policy '%s' needs %s, which is not enabled in options.%s"
                                 % (group.policy, needed, 'enabled_filters' if table is FILTERS else 'weighers'))

    def _check_availability_zone(self, spec, states):
        """Nova's API refuses a zone no enabled host is in (nova/compute/api.py)."""
        az = spec.availability_zone
        if not az or spec.force_hosts or spec.force_nodes:
            return
        zones = set()
        for hs in states:
            if hs.service['disabled']:
                continue
            zones |= hs.aggregate_metadata('availability_zone').get('availability_zone') \
                or {self.options['default_availability_zone']}
        if az not in zones:
            raise SchedulerError("select_hosts: request.availability_zone '%s' is not available; zones: %s"
                                 % (az, ', '.join(sorted(zones)) or 'none'))

    # -- steps ----------------------------------------------------------------------------
    def _request_filters(self, spec, states, trace):
        """Nova's request filters (nova/scheduler/request_filter.py), in its order:
        map_az_to_placement_aggregate, then compute_status_filter."""
        return self._compute_status_filter(self._map_az_to_placement_aggregate(spec, states, trace), trace)

    @staticmethod
    def _compute_status_filter(states, trace):
        """A disabled host carries COMPUTE_STATUS_DISABLED, a trait every request forbids:
        Placement never returns it, so even a forced host (force_hosts, zone:host) that is
        disabled is no valid host (Nova 34; ComputeFilter alone would not see it)."""
        kept, dropped = [], {}
        for hs in states:
            if hs.service['disabled']:
                reason = hs.service.get('disabled_reason')
                dropped[hs.host] = 'disabled: %s' % reason if reason else 'disabled'
            else:
                kept.append(hs)
        if dropped:
            trace['request_filters'].append({'name': 'compute_status_filter', 'in': len(states), 'out': len(kept),
                                             'dropped': dropped})
        return kept

    def _map_az_to_placement_aggregate(self, spec, states, trace):
        """Only hosts of aggregates tagged with the zone, when any aggregate is."""
        az = spec.availability_zone
        if not az or not self.options['query_placement_for_availability_zone']:
            return states
        tagged = {agg.name for hs in states for agg in hs.aggregates if agg.metadata.get('availability_zone') == az}
        if not tagged:
            return states
        kept, dropped = [], {}
        for hs in states:
            if {agg.name for agg in hs.aggregates} & tagged:
                kept.append(hs)
            else:
                dropped[hs.host] = "not in an aggregate of availability zone '%s'" % az
        trace['request_filters'].append({'name': 'availability_zone', 'in': len(states), 'out': len(kept),
                                         'dropped': dropped})
        return kept

    def _placement_candidates(self, spec, states, trace):
        kept, dropped = [], {}
        for hs in states:
            refusal = hs.placement_refusal(spec.resources)
            if refusal is None:
                kept.append(hs)
            else:
                dropped[hs.host] = refusal
        trace['placement'] = {'requested': dict(spec.resources), 'in': len(states), 'out': len(kept),
                              'dropped': dropped}
        return kept

    def _get_filtered_hosts(self, spec, hosts, index, step):
        """host_manager.get_filtered_hosts: destination, ignore/force, then the filters."""
        if spec.requested_host:
            node = spec.requested_destination.get('node')
            hosts = [h for h in hosts if h.host == spec.requested_host and (not node or h.nodename == node)]
        if spec.ignore_hosts or spec.force_hosts or spec.force_nodes:
            if spec.ignore_hosts:
                ignored = {x.lower() for x in spec.ignore_hosts}
                hosts = [h for h in hosts if h.host.lower() not in ignored]
                if not hosts:
                    step['forced'] = 'every host is in ignore_hosts'
                    return []
            if spec.force_hosts:
                forced = {x.lower() for x in spec.force_hosts}
                hosts = [h for h in hosts if h.host.lower() in forced]
            if spec.force_nodes:
                hosts = [h for h in hosts if h.nodename in spec.force_nodes]
            if (spec.force_hosts or spec.force_nodes) and not spec.get_scheduler_hint('_nova_check_type'):
                # Forcing a host skips the filters (Placement still decides the claim).
                step['forced'] = [h.host for h in hosts] or 'no host matched force_hosts/force_nodes'
                return hosts
        results = []
        step['filters'] = results
        for flt in self.filters:
            if not flt.run_filter_for_index(index) or not flt.applies(spec):
                continue
            kept, dropped = [], {}
            for hs in hosts:
                if flt.host_passes(hs, spec):
                    kept.append(hs)
                else:
                    dropped[hs.host] = flt.reason(hs, spec)
            results.append({'name': flt.name, 'in': len(hosts), 'out': len(kept), 'dropped': dropped})
            hosts = kept
            if not hosts:
                break
        return hosts

    def _get_sorted_hosts(self, spec, hosts, index, step):
        """Filter, weigh, sort (stable, highest first), choose among the best host_subset_size."""
        filtered = self._get_filtered_hosts(spec, hosts, index, step)
        if not filtered:
            return []
        weights = weigh(self.weighers, filtered, spec)
        order = sorted(range(len(filtered)), key=weights.__getitem__, reverse=True)
        if self.options['shuffle_best_same_weighed_hosts']:
            best = [i for i in order if weights[i] == weights[order[0]]]
            self.random.shuffle(best)
            order = best + order[len(best):]
        step['weighed'] = [{'host': filtered[i].host, 'weight': weights[i]} for i in order[:TRACE_TOP_WEIGHED]]
        weighed = [filtered[i] for i in order]
        subset = weighed[:self.options['host_subset_size']]
        chosen = subset[0] if len(subset) == 1 else self.random.choice(subset)
        weighed.remove(chosen)
        return [chosen] + weighed

    def _claim(self, spec, sorted_hosts, step):
        """The first host, in order, on which Placement can still claim the instance."""
        failures = {}
        for hs in sorted_hosts:
            refusal = hs.placement_refusal(spec.resources)
            if refusal is None:
                hs.placement_claim(spec.resources)
                if failures:
                    step['claim_failures'] = failures
                return hs
            failures[hs.host] = refusal
        step['claim_failures'] = failures
        return None

    @staticmethod
    def _consume_selected_host(host, spec, instance_uuid):
        host.consume_from_request(spec)
        group = spec.instance_group
        if group is not None:
            group.hosts.append(host.host)
            if instance_uuid not in host.instances:
                host.instances[instance_uuid] = {'uuid': instance_uuid, 'server_group': group.uuid}

    def _alternates(self, selected, spec, hosts, index):
        num_alts = self.options['max_attempts'] - 1 if self.options['return_alternates'] else 0
        if index > 0 and num_alts > 0:
            hosts = self._get_sorted_hosts(spec, hosts, index, {})
        chosen_ids = {id(hs) for hs in selected}
        alts = []
        for hs in hosts:
            if len(alts) >= num_alts:
                break
            if id(hs) not in chosen_ids:
                alts.append(hs.host)
        # The same list for every instance: the next hosts in weight order not selected.
        return [list(alts) for dummy in selected]


def explain(trace, spec):
    """One line: where the hosts went, for the instance that could not be placed."""
    parts = []
    for step in trace['request_filters']:
        parts.append(_stage(step['name'], step))
    placement = trace['placement']
    if placement and placement['dropped']:
        parts.append(_stage('Placement', placement))
    if trace['instances']:
        last = trace['instances'][-1]
        prefix = 'instance %d of %d: ' % (last['instance'] + 1, spec.num_instances) if spec.num_instances > 1 else ''
        if isinstance(last.get('forced'), str):
            parts.append(prefix + last['forced'])
        for step in last.get('filters', []):
            if step['dropped']:
                parts.append(prefix + _stage(step['name'], step))
        if 'claim_failures' in last and 'selected' not in last:
            parts.append(prefix + 'no host left with room: ' + _reasons(last['claim_failures']))
    if not parts:
        parts.append('no hosts to choose from (%d given)' % trace['hosts'])
    return '; '.join(parts)


def _stage(name, step):
    return '%s kept %d of %d hosts (%s)' % (name, step['out'], step['in'], _reasons(step['dropped']))


def _reasons(dropped, limit=10):
    items = ['%s: %s' % (h, r) for h, r in list(dropped.items())[:limit]]
    if len(dropped) > limit:
        items.append('and %d more' % (len(dropped) - limit))
    return '; '.join(items)


def select_hosts(request, hosts, options=None):
    """The whole scheduler in one call: see the module docstring."""
    return Scheduler(options).select_destinations(request, hosts)
