"""Runs Nova's own scheduler (nova 34, installed in its own venv) on cases read as JSON
lines from stdin, and writes one JSON line per case: the hosts Nova selected (with
alternates), or the failure. Used by test_nova_parity.py; never imported by the collection.

Nova's code runs as it is: HostManager's filters and weighers from its configuration,
SchedulerManager._schedule (multi-instance loop, consume_from_request, server group
updates, alternates). Only what needs a database or a Placement service is stood in for:
the host states are built from the case (as _get_host_states would from compute nodes),
and Placement answers allocation candidates and claims with its capacity formula.
"""
import copy
import json
import math
import sys
import uuid
from unittest import mock

import nova.conf
from nova import context as nova_context
from nova import exception
from nova import objects
from nova.scheduler import filters as nova_filters
from nova.scheduler import host_manager
from nova.scheduler import manager as nova_manager
from nova.scheduler import weights as nova_weights
from oslo_utils import timeutils

CONF = nova.conf.CONF
CONF([], project='nova', default_config_files=[])
objects.register_all()

FS = 'filter_scheduler'
CELL = '00000000-0000-0000-0000-0000000000c1'
OPTION_GROUPS = {
    'enabled_filters': FS, 'host_subset_size': FS, 'max_instances_per_host': FS, 'max_io_ops_per_host': FS,
    'isolated_hosts': FS, 'isolated_images': FS, 'restrict_isolated_hosts_to_isolated_images': FS,
    'ram_weight_multiplier': FS, 'cpu_weight_multiplier': FS, 'disk_weight_multiplier': FS,
    'io_ops_weight_multiplier': FS, 'num_instances_weight_multiplier': FS, 'soft_affinity_weight_multiplier': FS,
    'soft_anti_affinity_weight_multiplier': FS, 'build_failure_weight_multiplier': FS,
    'hypervisor_version_weight_multiplier': FS, 'max_attempts': 'scheduler',
}


def configure(options):
    for key, group in OPTION_GROUPS.items():   # each case starts from Nova's defaults
        CONF.clear_override(key, group=group)
    for key, value in options.items():
        if key in OPTION_GROUPS:
            CONF.set_override(key, value, group=OPTION_GROUPS[key])
    hm = host_manager.HostManager.__new__(host_manager.HostManager)
    hm.filter_handler = nova_filters.HostFilterHandler()
    classes = hm.filter_handler.get_matching_classes(CONF.filter_scheduler.available_filters)
    hm.filter_cls_map = {cls.__name__: cls for cls in classes}
    hm.filter_obj_map = {}
    hm.enabled_filters = hm._choose_host_filters(hm._load_filters())
    hm.weight_handler = nova_weights.HostWeightHandler()
    classes = hm.weight_handler.get_matching_classes(CONF.filter_scheduler.weight_classes)
    hm.weighers = [cls() for cls in classes]
    mgr = nova_manager.SchedulerManager.__new__(nova_manager.SchedulerManager)
    mgr.host_manager = hm
    return mgr


def host_states(case, now):
    states = []
    opts = case['options']
    for name, h in case['hosts'].items():
        hs = host_manager.HostState(name, name, CELL)   # one cell: alternates come from the same cell
        hs.uuid = str(uuid.uuid5(uuid.NAMESPACE_DNS, name))
        reserved_mem = h.get('reserved_host_memory_mb', opts.get('reserved_host_memory_mb', 512))
        hs.total_usable_ram_mb = h['memory_mb']
        hs.total_usable_disk_gb = h['local_gb']
        hs.disk_mb_used = h['local_gb_used'] * 1024
        hs.free_ram_mb = h['memory_mb'] - h['memory_mb_used']
        free_gb = h['local_gb'] - h['local_gb_used']
        if h.get('disk_available_least') is not None:
            free_gb = min(h['disk_available_least'], free_gb)
        hs.free_disk_mb = free_gb * 1024
        hs.vcpus_total = h['vcpus']
        hs.vcpus_used = h['vcpus_used']
        hs.num_instances = h['num_instances']
        hs.num_io_ops = h['num_io_ops']
        hs.failed_builds = h['failed_builds']
        hs.hypervisor_type = h['hypervisor_type']
        hs.hypervisor_version = h['hypervisor_version']
        hs.hypervisor_hostname = name
        hs.cpu_info = json.dumps(h['cpu_info'])
        hs.supported_instances = h['supported_instances']
        hs.stats = {'num_instances': h['num_instances'], 'io_workload': h['num_io_ops'],
                    'failed_builds': h['failed_builds']}
        hs.instances = {u: objects.Instance(uuid=u) for u in h['instances']}
        hs.aggregates = [objects.Aggregate(id=i, name=a['name'], hosts=[name], metadata=a['metadata'])
                         for i, a in enumerate(h.get('aggregates', []))]
        hs.service = host_manager.ReadOnlyDict({
            'disabled': not h.get('enabled', True), 'forced_down': h.get('forced_down', False),
            'host': name, 'binary': 'nova-compute', 'topic': 'compute', 'report_count': 1,
            'last_seen_up': now, 'updated_at': now, 'created_at': now, 'uuid': hs.uuid, 'id': 1})
        hs.cpu_allocation_ratio = h.get('cpu_allocation_ratio', opts.get('cpu_allocation_ratio', 4.0))
        hs.ram_allocation_ratio = h.get('ram_allocation_ratio', opts.get('ram_allocation_ratio', 1.0))
        hs.disk_allocation_ratio = h.get('disk_allocation_ratio', opts.get('disk_allocation_ratio', 1.0))
        hs.updated = now
        reserved_cpus = h.get('reserved_host_cpus', 0)
        # Placement's view of the same host, as the libvirt driver reports its inventory.
        hs._placement = {
            'VCPU': [h['vcpus'], reserved_cpus, hs.cpu_allocation_ratio, h['vcpus_used'] - reserved_cpus],
            'MEMORY_MB': [h['memory_mb'], reserved_mem, hs.ram_allocation_ratio, h['memory_mb_used'] - reserved_mem],
            'DISK_GB': [h['local_gb'], 0, hs.disk_allocation_ratio, h['local_gb_used']],
        }
        states.append(hs)
    return states


def amounts(req):
    fl = req['flavor']
    disk = fl.get('ephemeral_gb', 0) + int(math.ceil(fl.get('swap', 0) / 1024.0)) + fl.get('root_gb', 0)
    return {rc: a for rc, a in (('VCPU', fl['vcpus']), ('MEMORY_MB', fl['memory_mb']), ('DISK_GB', disk)) if a > 0}


def fits(hs, want):
    for rc, amount in want.items():
        total, reserved, ratio, used = hs._placement[rc]
        if amount > total or (total - reserved) * ratio < used + amount:
            return False
    return True


def request_spec(req, states):
    fl = req['flavor']
    flavor = objects.Flavor(name='f', flavorid='f', vcpus=fl['vcpus'], memory_mb=fl['memory_mb'],
                            root_gb=fl.get('root_gb', 0), ephemeral_gb=fl.get('ephemeral_gb', 0), swap=fl.get('swap', 0),
                            extra_specs=fl.get('extra_specs', {}))
    image = objects.ImageMeta.from_dict({'id': (req.get('image') or {}).get('id') or str(uuid.uuid4()),
                                         'properties': (req.get('image') or {}).get('properties', {})})
    group = None
    sg = req.get('server_group')
    if sg:
        members = [u for hs in states for u in hs.instances if u in sg.get('_existing_members', [])]
        hosts = sorted({hs.host for hs in states for u in hs.instances if u in sg.get('_existing_members', [])})
        group = objects.InstanceGroup(uuid=str(uuid.uuid4()), name=sg['name'], policy=sg['policy'],
                                      rules=sg.get('rules', {}), members=members + list(req['instance_uuids']),
                                      hosts=hosts, policies=[sg['policy']])
    return objects.RequestSpec(
        flavor=flavor, image=image, num_instances=req['num_instances'], instance_group=group,
        scheduler_hints={k: (v if isinstance(v, list) else [v]) for k, v in (req.get('scheduler_hints') or {}).items()},
        ignore_hosts=req.get('ignore_hosts'), force_hosts=req.get('force_hosts'), force_nodes=None,
        requested_destination=None, availability_zone=None, pci_requests=None, numa_topology=None,
        is_bfv=False, instance_uuid=req['instance_uuids'][0], requested_resources=[], project_id='p',
        user_id='u', security_groups=objects.SecurityGroupList(), request_level_params=objects.RequestLevelParams())


def run(case):
    now = timeutils.utcnow(with_timezone=True)
    mgr = configure(case['options'])
    states = host_states(case, now)
    req = case['request']
    spec = request_spec(req, states)
    want = amounts(req)
    # Placement's answer: the hosts the request fits, without the disabled ones (every request
    # forbids COMPUTE_STATUS_DISABLED: request_filter.compute_status_filter).
    candidates = [hs for hs in states if fits(hs, want) and not hs.service['disabled']]
    alloc_reqs = {hs.uuid: [{'allocations': {hs.uuid: {'resources': want}}, 'mappings': {}}] for hs in candidates}

    def claim(ctx, client, spec_obj, instance_uuid, alloc_req, allocation_request_version=None):
        hs = next(h for h in states if h.uuid in alloc_req['allocations'])
        if not fits(hs, want):
            return False
        for rc, amount in want.items():
            hs._placement[rc][3] += amount
        return True

    ctx = nova_context.RequestContext('u', 'p')
    with mock.patch.object(nova_manager.SchedulerManager, 'placement_client', new_callable=mock.PropertyMock,
                           return_value=None), \
            mock.patch.object(mgr, '_get_all_host_states', return_value=iter(candidates)), \
            mock.patch('nova.scheduler.utils.claim_resources', side_effect=claim), \
            mock.patch.object(mgr, '_cleanup_allocations'):
        try:
            selections = mgr._schedule(ctx, spec, list(req['instance_uuids']), copy.deepcopy(alloc_reqs),
                                       {hs.uuid: {} for hs in candidates}, '1.36', return_alternates=True)
        except exception.NoValidHost as err:
            return {'error': str(err)}
    return {'hosts': [s[0].service_host for s in selections],
            'alternates': [[a.service_host for a in s[1:]] for s in selections]}


def main():
    for line in sys.stdin:
        case = json.loads(line)
        try:
            out = run(case)
        except Exception as err:  # report, do not stop the batch
            out = {'crash': '%s: %s' % (type(err).__name__, err)}
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
