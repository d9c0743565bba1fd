# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The scheduler's settings: Nova's [filter_scheduler] / [scheduler] / [DEFAULT] options
with Nova's current defaults. Unknown names are an error (a typo must not be ignored)."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import SchedulerError

# nova/conf/scheduler.py enabled_filters, Train (20.0.0) to today.
DEFAULT_FILTERS = ('ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
                   'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter')

WEIGHT_MULTIPLIERS = {
    'ram_weight_multiplier': 1.0,
    'cpu_weight_multiplier': 1.0,
    'disk_weight_multiplier': 1.0,
    'io_ops_weight_multiplier': -1.0,
    'num_instances_weight_multiplier': 0.0,
    'soft_affinity_weight_multiplier': 1.0,
    'soft_anti_affinity_weight_multiplier': 1.0,
    'build_failure_weight_multiplier': 1000000.0,
    'hypervisor_version_weight_multiplier': 1.0,
}

DEFAULTS = dict(
    enabled_filters=list(DEFAULT_FILTERS),
    weighers=None,                       # None: every weigher (Nova's all_weighers)
    host_subset_size=1,
    shuffle_best_same_weighed_hosts=False,
    max_attempts=3,
    return_alternates=True,
    random_seed=None,
    # Capacity (Placement inventory of each host; per-host values in `hosts` win).
    cpu_allocation_ratio=4.0,
    ram_allocation_ratio=1.0,
    disk_allocation_ratio=1.0,
    reserved_host_memory_mb=512,
    reserved_host_disk_mb=0,
    reserved_host_cpus=0,
    # Filters' settings.
    max_instances_per_host=50,
    max_io_ops_per_host=8,
    isolated_hosts=[],
    isolated_images=[],
    restrict_isolated_hosts_to_isolated_images=True,
    default_availability_zone='nova',
    query_placement_for_availability_zone=True,
    image_properties_default_architecture=None,
    service_down_time=60,
    now=None,
)
DEFAULTS.update(WEIGHT_MULTIPLIERS)

_NULLABLE = ('weighers', 'random_seed', 'now', 'image_properties_default_architecture', 'service_down_time')
_NUMBERS = ('cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio') + tuple(WEIGHT_MULTIPLIERS)


def _check(cond, field, value, what):
    if not cond:
        raise SchedulerError('select_hosts: options.%s must be %s, got %r' % (field, what, value))


def parse(options):
    """Merge `options` over the defaults and validate every value."""
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise SchedulerError('select_hosts: options must be a dict, got %s' % type(options).__name__)
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise SchedulerError('select_hosts: unknown option(s) %s; known: %s' % (', '.join(unknown), ', '.join(sorted(DEFAULTS))))
    opts = dict(DEFAULTS)
    for key, value in options.items():
        # null means "the default", except where null is a setting of its own
        if value is not None or key in _NULLABLE:
            opts[key] = value
    for key in ('host_subset_size', 'max_attempts', 'max_instances_per_host'):
        _check(isinstance(opts[key], int) and not isinstance(opts[key], bool) and opts[key] >= 1, key, opts[key],
               'an integer of at least 1')
    for key in ('max_io_ops_per_host', 'reserved_host_memory_mb', 'reserved_host_disk_mb', 'reserved_host_cpus'):
        _check(isinstance(opts[key], int) and not isinstance(opts[key], bool) and opts[key] >= 0, key, opts[key],
               'an integer of at least 0')
    for key in _NUMBERS:
        _check(isinstance(opts[key], (int, float)) and not isinstance(opts[key], bool), key, opts[key], 'a number')
    for key in ('cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio'):
        _check(opts[key] > 0, key, opts[key], 'greater than 0')
    for key in ('soft_affinity_weight_multiplier', 'soft_anti_affinity_weight_multiplier'):
        _check(opts[key] >= 0, key, opts[key], 'at least 0 (Nova: min=0.0)')
    for key in ('shuffle_best_same_weighed_hosts', 'return_alternates', 'restrict_isolated_hosts_to_isolated_images',
                'query_placement_for_availability_zone'):
        _check(isinstance(opts[key], bool), key, opts[key], 'a boolean')
    for key in ('enabled_filters', 'isolated_hosts', 'isolated_images'):
        _check(isinstance(opts[key], (list, tuple)) and all(isinstance(x, str) for x in opts[key]), key, opts[key],
               'a list of strings')
    _check(opts['weighers'] is None or (isinstance(opts['weighers'], (list, tuple))
                                        and all(isinstance(x, str) for x in opts['weighers'])),
           'weighers', opts['weighers'], 'a list of strings')
    sdt = opts['service_down_time']
    _check(sdt is None or (isinstance(sdt, (int, float)) and not isinstance(sdt, bool) and sdt > 0),
           'service_down_time', sdt, 'a number of seconds greater than 0, or null')
    _check(isinstance(opts['default_availability_zone'], str) and opts['default_availability_zone'],
           'default_availability_zone', opts['default_availability_zone'], 'a non-empty string')
    return opts
