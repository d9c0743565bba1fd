"""Differential test: the same random clusters and requests go to Nova's own scheduler
(nova 34, driven by nova_driver.py in its own venv) and to select_hosts; with
host_subset_size 1 both must select the same host for every instance (and the same
alternates), or both must fail.

The Nova venv is made by scripts/nova-venv.sh (make test does it). Cases:
NOVALITE_PARITY_CASES (default 500), seed NOVALITE_PARITY_SEED (default 1).
"""
import json
import os
import random
import subprocess
import sys

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts

HERE = os.path.dirname(os.path.abspath(__file__))
NOVA_PYTHON = os.environ.get('NOVALITE_NOVA_PYTHON', '/var/tmp/novalite-nova-venv/bin/python')
CASES = int(os.environ.get('NOVALITE_PARITY_CASES', '500'))
SEED = int(os.environ.get('NOVALITE_PARITY_SEED', '1'))

NOVA_FILTERS = ['ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
                'ServerGroupAffinityFilter', 'AggregateInstanceExtraSpecsFilter', 'SameHostFilter',
                'DifferentHostFilter', 'JsonFilter', 'NumInstancesFilter', 'AggregateNumInstancesFilter', 'IoOpsFilter',
                'AggregateIoOpsFilter', 'IsolatedHostsFilter']
AGGREGATES = [
    {'name': 'ssd', 'metadata': {'ssd': 'true'}},
    {'name': 'hdd', 'metadata': {'ssd': 'false', 'gen': '3'}},
    {'name': 'fastram', 'metadata': {'ram_weight_multiplier': '2.0'}},
    {'name': 'cpuheavy', 'metadata': {'cpu_weight_multiplier': '0.5', 'gen': '5'}},
    {'name': 'small', 'metadata': {'max_instances_per_host': '3', 'max_io_ops_per_host': '2'}},
    {'name': 'spread', 'metadata': {'io_ops_weight_multiplier': '-3.0'}},
]


def random_case(rng, index):
    hosts = {}
    for i in range(rng.randint(1, 10)):
        name = 'hv%d' % i
        vcpus = rng.choice([2, 4, 8, 16])
        memory_mb = rng.choice([2048, 4096, 8192, 16384, 32768])
        local_gb = rng.choice([20, 40, 80, 160])
        reserved = rng.choice([0, 512, 1024])
        instances = ['%s-e%d' % (name, j) for j in range(rng.randint(0, 4))]
        host = {
            'vcpus': vcpus, 'memory_mb': memory_mb, 'local_gb': local_gb,
            'vcpus_used': rng.randint(0, vcpus * 2), 'memory_mb_used': reserved + rng.randint(0, memory_mb // 2),
            'local_gb_used': rng.randint(0, local_gb // 2), 'reserved_host_memory_mb': reserved,
            'num_instances': rng.randint(0, 8), 'num_io_ops': rng.randint(0, 4),
            'failed_builds': rng.choice([0, 0, 0, 0, 1, 2]),
            'hypervisor_type': 'QEMU', 'hypervisor_version': rng.choice([6002000, 7002022, 8002002]),
            'cpu_info': {'arch': 'x86_64', 'vendor': rng.choice(['AMD', 'Intel']),
                         'maxphysaddr': {'mode': 'emulate', 'bits': rng.choice([40, 46, 48])}},
            'supported_instances': rng.choice([[['x86_64', 'qemu', 'hvm'], ['x86_64', 'kvm', 'hvm']]] * 3
                                              + [[['x86_64', 'qemu', 'hvm']], [['aarch64', 'qemu', 'hvm']]]),
            'instances': instances,
            'enabled': rng.random() > 0.05, 'forced_down': rng.random() < 0.03,
            'aggregates': rng.sample(AGGREGATES, rng.randint(0, 2)),
        }
        if rng.random() < 0.3:
            host['disk_available_least'] = rng.randint(0, local_gb)
        if rng.random() < 0.3:
            host['cpu_allocation_ratio'] = rng.choice([1.0, 2.0, 16.0])
        if rng.random() < 0.2:
            host['ram_allocation_ratio'] = rng.choice([1.5, 2.0])
        hosts[name] = host
    existing = [u for h in hosts.values() for u in h['instances']]
    members = [u for u in existing if rng.random() < 0.4]
    num = rng.randint(1, 5)
    request = {
        'flavor': {'vcpus': rng.randint(1, 4), 'memory_mb': rng.choice([512, 1024, 2048, 4096]),
                   'root_gb': rng.choice([0, 1, 10, 20]), 'ephemeral_gb': rng.choice([0, 0, 5]),
                   'swap': rng.choice([0, 0, 512, 1024, 2048]), 'extra_specs': {}},
        'num_instances': num, 'instance_uuids': ['new-%d-%d' % (index, i) for i in range(num)],
    }
    specs = request['flavor']['extra_specs']
    for key, value in (('capabilities:hypervisor_type', 'QEMU'), ('capabilities:cpu_info:vendor', '<or> AMD <or> Arm'),
                       ('aggregate_instance_extra_specs:ssd', 'true'), ('hw:maxphysaddr_bits', '44'),
                       ('aggregate_instance_extra_specs:gen', '>= 4'), ('hypervisor_version', '>= 7000000')):
        if rng.random() < 0.06:
            specs[key] = value
    if rng.random() < 0.3:
        props = {}
        if rng.random() < 0.7:
            props['hw_architecture'] = rng.choice(['x86_64', 'amd64', 'x86_64', 'aarch64'])
        if rng.random() < 0.5:
            props['img_hv_type'] = rng.choice(['qemu', 'kvm'])
        if rng.random() < 0.3:
            props['img_hv_requested_version'] = rng.choice(['>=7.0', '>=8.0', '<7.0'])
        request['image'] = {'id': rng.choice(['img-a', 'img-iso']), 'properties': props}
    policy = rng.choice([None, None, 'affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'])
    if policy:
        request['server_group'] = {'name': 'g', 'policy': policy, '_existing_members': members}
        if policy == 'anti-affinity' and rng.random() < 0.3:
            request['server_group']['rules'] = {'max_server_per_host': 2}
    hints = {}
    if existing and rng.random() < 0.15:
        hints['same_host'] = rng.sample(existing, 1)
    if existing and rng.random() < 0.15:
        hints['different_host'] = rng.sample(existing, min(2, len(existing)))
    if rng.random() < 0.15:
        hints['query'] = json.dumps(rng.choice([['>=', '$free_ram_mb', 4096], ['<', '$num_instances', 5],
                                                ['and', ['>=', '$vcpus_total', 8], ['not', ['=', '$num_io_ops', 0]]],
                                                ['or', ['>', '$free_disk_mb', 50000], ['in', '$host', 'hv0', 'hv1']]]))
    if hints:
        request['scheduler_hints'] = hints
    if rng.random() < 0.08:
        request['force_hosts'] = rng.sample(sorted(hosts), 1)
    if rng.random() < 0.1:
        request['ignore_hosts'] = rng.sample(sorted(hosts), 1)

    filters = rng.sample(NOVA_FILTERS, rng.randint(0, 7))
    needed = {'affinity': 'ServerGroupAffinityFilter', 'anti-affinity': 'ServerGroupAntiAffinityFilter'}.get(policy)
    if needed and needed not in filters:
        filters.append(needed)
    options = {'enabled_filters': filters, 'max_attempts': rng.randint(1, 4)}
    for key, choices in (('ram_weight_multiplier', [0.0, 1.0, 2.0, -1.0]), ('cpu_weight_multiplier', [0.0, 1.0, 3.0]),
                         ('disk_weight_multiplier', [0.0, 1.0, 0.5]), ('io_ops_weight_multiplier', [-1.0, 0.0, 2.0]),
                         ('num_instances_weight_multiplier', [0.0, 1.0, -1.0]),
                         ('soft_affinity_weight_multiplier', [1.0, 5.0]),
                         ('build_failure_weight_multiplier', [1000000.0, 0.0, 2.0]),
                         ('hypervisor_version_weight_multiplier', [1.0, 0.0, -1.0]),
                         ('max_instances_per_host', [50, 5]), ('max_io_ops_per_host', [8, 2])):
        if rng.random() < 0.3:
            options[key] = rng.choice(choices)
    if rng.random() < 0.2:
        options.update(isolated_hosts=['hv0'], isolated_images=['img-iso'],
                       restrict_isolated_hosts_to_isolated_images=rng.random() < 0.5)
    return {'hosts': hosts, 'request': request, 'options': options}


def ours(case):
    """The same case in novalite's own format."""
    members = set((case['request'].get('server_group') or {}).get('_existing_members', []))
    hosts = {}
    for name, h in case['hosts'].items():
        state = {k: v for k, v in h.items() if k != 'instances'}
        state['instances'] = {u: {'server_group': 'g' if u in members else None} for u in h['instances']}
        hosts[name] = state
    request = {k: v for k, v in case['request'].items() if k != 'server_group'}
    if 'server_group' in case['request']:
        request['server_group'] = {k: v for k, v in case['request']['server_group'].items() if k != '_existing_members'}
    options = dict(case['options'], service_down_time=None)
    try:
        result = select_hosts(request, hosts, options)
    except NoValidHost as err:
        return {'error': str(err)}
    return {'hosts': result['hosts'], 'alternates': [s['alternates'] for s in result['selections']]}


@pytest.fixture(scope='module')
def nova_results():
    if not os.path.exists(NOVA_PYTHON):
        pytest.fail('the Nova venv is missing (%s): run scripts/nova-venv.sh' % NOVA_PYTHON)
    rng = random.Random(SEED)
    cases = [random_case(rng, i) for i in range(CASES)]
    proc = subprocess.run([NOVA_PYTHON, '-W', 'ignore', os.path.join(HERE, 'nova_driver.py')],
                          input='\n'.join(json.dumps(c) for c in cases) + '\n', stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False, timeout=600)
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{')]
    assert len(results) == len(cases), proc.stderr[-3000:]
    return cases, results


def test_select_hosts_agrees_with_nova(nova_results):
    cases, results = nova_results
    crashes = [(i, r['crash']) for i, r in enumerate(results) if 'crash' in r]
    assert not crashes, 'the Nova driver crashed on %d cases, first: %s' % (len(crashes), crashes[0])
    mismatches = []
    placed = failed = 0
    for i, (case, nova) in enumerate(zip(cases, results)):
        mine = ours(case)
        if 'error' in nova or 'error' in mine:
            failed += 'error' in nova
            if ('error' in nova) != ('error' in mine):
                mismatches.append((i, nova, mine))
            continue
        placed += 1
        if nova != mine:
            mismatches.append((i, nova, mine))
    sys.stdout.write('parity: %d cases, %d placed by both, %d failed in both, %d mismatches\n'
                     % (len(cases), placed, failed, len(mismatches)))
    assert not mismatches, 'first mismatches (case, nova, ours): %s\ncase %d: %s' % (
        mismatches[:3], mismatches[0][0], json.dumps(cases[mismatches[0][0]]))
    # The generator must exercise both outcomes, or the test proves little.
    assert placed > len(cases) * 2 // 5 and failed > len(cases) // 10
