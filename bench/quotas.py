"""Benchmark of the quota check in the boot plan: conductor.build_plan for one request on a
synthetic fleet whose hosts carry many instance records of many projects, with quotas and
without, side by side (alternating, best of N each). Prints one JSON object:
{"hosts", "records", "instances", "without_s", "with_s", "ratio"}.

    .venv/bin/python bench/quotas.py
    .venv/bin/python bench/quotas.py --hosts 1000 --records 20 --instances 100 --repeat 5
"""
import argparse
import importlib
import json
import os
import random
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, subprocess.check_output([os.path.join(TOP, 'scripts', 'collection-path.sh')],
                                           universal_newlines=True).strip())

from ansible_collections.novalite.compute.plugins.plugin_utils import conductor  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
cluster = importlib.import_module('scheduler').cluster    # the scheduler benchmark's synthetic cluster


def fleet(num_hosts, records_per_host, seed=7):
    rng = random.Random(seed)
    hosts = cluster(num_hosts)
    for name, host in hosts.items():
        host['instances'] = {
            '%s-i%d' % (name, i): {'name': '%s-i%d' % (name, i), 'managed': True, 'vm_state': 'active',
                                   'project_id': 'p%d' % rng.randrange(50), 'vcpus': rng.choice([1, 2, 4]),
                                   'memory_mb': rng.choice([512, 2048, 4096]),
                                   'server_group': rng.choice([None, None, 'g%d' % rng.randrange(20)])}
            for i in range(records_per_host)}
    return hosts


def boot(num_instances):
    names = ['web-%d' % i for i in range(1, num_instances + 1)]
    flavor = {'name': 'm1', 'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}
    return {'instances': [{'name': n, 'uuid': n, 'launch_index': i} for i, n in enumerate(names)], 'min_count': 1,
            'scheduler_request': {'flavor': flavor, 'num_instances': num_instances, 'min_count': 1, 'project_id': 'p1',
                                  'image': {'id': 'img', 'properties': {}}, 'instance_uuids': names}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--hosts', type=int, default=1000)
    parser.add_argument('--records', type=int, default=20, help='instance records per host')
    parser.add_argument('--instances', type=int, default=100)
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()
    hosts = fleet(args.hosts, args.records)
    quotas = {'default': {'instances': -1, 'cores': -1, 'ram': -1}}
    options = {'service_down_time': None}
    best = {'without': None, 'with': None}
    for dummy in range(args.repeat):
        for label, q in (('without', None), ('with', quotas)):
            start = time.perf_counter()
            plan = conductor.build_plan(boot(args.instances), hosts, options, q)
            elapsed = time.perf_counter() - start
            assert len(plan['plan']) == args.instances
            best[label] = elapsed if best[label] is None else min(best[label], elapsed)
    print(json.dumps({'hosts': args.hosts, 'records': args.hosts * args.records, 'instances': args.instances,
                      'without_s': round(best['without'], 4), 'with_s': round(best['with'], 4),
                      'ratio': round(best['with'] / best['without'], 3)}))


if __name__ == '__main__':
    main()
