"""Benchmark of select_hosts: a reproducible synthetic cluster, one request for many
instances, Nova's default filters and every weigher. Prints one JSON object per point:
{"hosts", "instances", "seconds", "per_instance_us", "placed"}; then the growth ratios.

    .venv/bin/python bench/scheduler.py                 # the three points of bench/README.md
    .venv/bin/python bench/scheduler.py --hosts 500 --instances 2000 --repeat 5
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, subprocess.check_output([os.path.join(TOP, 'scripts', 'collection-path.sh')],
                                           universal_newlines=True).strip())

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts  # noqa: E402


def cluster(num_hosts, seed=42):
    rng = random.Random(seed)
    hosts = {}
    for i in range(num_hosts):
        vcpus = rng.choice([16, 32, 48, 64])
        memory_mb = rng.choice([65536, 131072, 262144])
        local_gb = rng.choice([500, 1000, 2000])
        used_vcpus = rng.randint(0, vcpus)
        used_mem = rng.randint(0, memory_mb // 2)
        used_disk = rng.randint(0, local_gb // 2)
        hosts['hv%05d' % i] = {
            'vcpus': vcpus, 'memory_mb': memory_mb, 'local_gb': local_gb,
            'vcpus_used': used_vcpus, 'memory_mb_used': 512 + used_mem, 'local_gb_used': used_disk,
            'reserved_host_memory_mb': 512, 'hypervisor_type': 'QEMU',
            'hypervisor_version': rng.choice([7002022, 8002002]),
            'supported_instances': [['x86_64', 'kvm', 'hvm'], ['x86_64', 'qemu', 'hvm']],
            'num_instances': rng.randint(0, 20), 'num_io_ops': rng.randint(0, 3),
            'failed_builds': rng.choice([0, 0, 0, 1]), 'instances': {},
        }
    return hosts


def point(num_hosts, num_instances, repeat):
    request = {'flavor': {'vcpus': 1, 'memory_mb': 512, 'root_gb': 1}, 'num_instances': num_instances,
               'image': {'id': 'img', 'properties': {'hw_architecture': 'x86_64'}}}
    best = None
    for dummy in range(repeat):
        hosts = cluster(num_hosts)
        start = time.perf_counter()
        result = select_hosts(request, hosts, {'service_down_time': None})
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return {'hosts': num_hosts, 'instances': num_instances, 'seconds': round(best, 4),
            'per_instance_us': round(best / num_instances * 1e6, 1), 'placed': len(result['hosts'])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--hosts', type=int)
    parser.add_argument('--instances', type=int)
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()
    if args.hosts and args.instances:
        print(json.dumps(point(args.hosts, args.instances, args.repeat)))
        return
    points = [point(100, 1000, args.repeat), point(1000, 1000, args.repeat), point(1000, 10000, 1)]
    for p in points:
        print(json.dumps(p))
    print(json.dumps({'growth': {
        'hosts_x10': round(points[1]['seconds'] / points[0]['seconds'], 2),
        'instances_x10': round(points[2]['seconds'] / points[1]['seconds'], 2),
        'target_1000x1000_under_2s': points[1]['seconds'] < 2.0}}))


if __name__ == '__main__':
    main()
