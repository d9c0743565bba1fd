# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The capacity and placement report's arithmetic (Placement's capacity) and grouping."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.plugin_utils import fleet_report


def state(vcpus=8, mem=16384, disk=100, used=(2, 1024, 10), reserved=(0, 512, 0), **settings):
    facts = {'resources': {'VCPU': {'total': vcpus, 'reserved': reserved[0], 'used': used[0]},
                           'MEMORY_MB': {'total': mem, 'reserved': reserved[1], 'used': used[1]},
                           'DISK_GB': {'total': disk, 'reserved': reserved[2], 'used': used[2]}},
             'hypervisor_hostname': 'x', 'failed_builds': 0}
    facts.update(settings)
    return facts


def server(name, group=None):
    return {'name': name, 'flavor': 'm1', 'vm_state': 'active', 'power_state': 'running',
            'addresses': [{'fixed_ip': '10.0.0.5', 'leased_ip': None}],
            'record': {'server_group': group, 'flavor': {'vcpus': 1, 'memory_mb': 512}}}


def test_capacity_is_total_less_reserved_times_the_ratio():
    report = fleet_report.build({'hv1': state(cpu_allocation_ratio=2.0)}, {'hv1': []})
    vcpu, ram, disk = report['hosts'][0]['resources']
    assert (vcpu['capacity'], vcpu['used'], vcpu['percent']) == (16.0, 2, 12.5)
    assert (ram['capacity'], ram['ratio']) == (15872.0, 1.0)            # default ram ratio 1.0, 512 reserved
    assert disk['capacity'] == 100.0
    assert fleet_report.build({'hv1': state()}, {'hv1': []}, {'cpu_allocation_ratio': 1.0})['hosts'][0][
        'resources'][0]['capacity'] == 8.0


def test_server_groups_across_hosts_and_unreadable_hosts():
    report = fleet_report.build({'hv1': state(), 'hv2': state(), 'hv3': {'unreachable': 'no route'}},
                                {'hv1': [server('a', 'g')], 'hv2': [server('b', 'g')], 'hv3': None})
    assert report['server_groups'] == [{'name': 'g', 'members': [{'name': 'a', 'host': 'hv1'},
                                                                 {'name': 'b', 'host': 'hv2'}], 'hosts': ['hv1', 'hv2']}]
    assert report['hosts'][2]['error'] == 'no route' and report['hosts'][2]['resources'] == []
    assert report['totals']['VCPU']['capacity'] == 64.0
    assert report['lines'][3].startswith('hv3') and 'no route' in report['lines'][3]
    assert report['lines'][1].split()[1] == '2/32'


def test_a_move_in_progress_shows_its_source_destination_and_status():
    moving = dict(server('a'), task_state='migrating',
                  migration={'migration_type': 'live-migration', 'source_compute': 'hv1', 'dest_compute': 'hv2',
                             'status': 'running'})
    report = fleet_report.build({'hv1': state()}, {'hv1': [moving, server('b')]})
    a, b = report['hosts'][0]['instances']
    assert (a['task_state'], a['move']) == ('migrating', 'live-migration hv1 -> hv2 (running)')
    assert (b['task_state'], b['move']) == (None, None)
