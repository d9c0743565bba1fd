# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt_instances inventory's decisions: which hypervisors, and what each instance becomes."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils import instances_inventory as inv

RACK1 = {'hosts': {'hv1': {'novalite_uri': 'qemu:///a'}, 'hv2': None}}
COMPUTE = {'children': {'rack1': RACK1}, 'hosts': {'hv3': {'novalite_uri': 'qemu:///c'}}}
FLEET = {'all': {'vars': {'novalite_uri': 'qemu+ssh://root@default/system'},
                 'children': {'compute_hosts': COMPUTE, 'others': {'hosts': {'db': {}}}}}}


def test_hypervisors_from_a_list_and_from_an_inventory_group_with_its_children():
    found = inv.hypervisors(['qemu+ssh://root@hv9.example.com/system', {'name': 'x', 'uri': 'qemu:///x'}], FLEET,
                            'compute_hosts')
    assert found == [{'name': 'hv9.example.com', 'uri': 'qemu+ssh://root@hv9.example.com/system'},
                     {'name': 'x', 'uri': 'qemu:///x'},
                     {'name': 'hv1', 'uri': 'qemu:///a'},
                     {'name': 'hv2', 'uri': 'qemu+ssh://root@default/system'},
                     {'name': 'hv3', 'uri': 'qemu:///c'}]


@pytest.mark.parametrize('listed, data, group, message', [
    ([3], None, 'compute_hosts', 'hypervisors[0]'),
    ([], FLEET, 'nope', "no group 'nope'"),
    (['qemu:///system', {'name': 'localhost', 'uri': 'qemu:///x'}], None, 'compute_hosts', 'more than once'),
])
def test_bad_hypervisor_lists_name_the_problem(listed, data, group, message):
    with pytest.raises(ValueError) as err:
        inv.hypervisors(listed, data, group)
    assert message in str(err.value)


def test_an_instance_becomes_a_host_with_its_address_and_groups():
    server = {'name': 'web-1', 'uuid': 'u1', 'flavor': 'm1.small', 'image': 'debian-12', 'vm_state': 'active',
              'task_state': None, 'power_state': 'running',
              'addresses': [{'network': 'n', 'mac': 'm', 'fixed_ip': '10.0.0.5', 'leased_ip': None},
                            {'network': 'o', 'mac': 'm2', 'fixed_ip': '10.1.0.5', 'leased_ip': '10.1.0.5'}],
              'record': {'server_group': 'web group', 'availability_zone': 'az-1', 'project_id': 'p'}}
    name, hostvars, groups = inv.instance_host({'name': 'hv-1.lab', 'uri': 'qemu:///system'}, server)
    assert name == 'web-1' and hostvars['ansible_host'] == '10.0.0.5'
    assert hostvars['novalite_hypervisor'] == 'hv-1.lab' and hostvars['novalite_server_group'] == 'web group'
    assert groups == ['novalite', 'hypervisor_hv_1_lab', 'flavor_m1_small', 'image_debian_12',
                      'server_group_web_group', 'az_az_1', 'state_active']


def test_an_instance_without_an_address_has_no_ansible_host():
    name, hostvars, groups = inv.instance_host({'name': 'hv1', 'uri': 'u'}, {'name': 'x', 'vm_state': 'building'})
    assert 'ansible_host' not in hostvars and groups == ['novalite', 'hypervisor_hv1', 'state_building']


def test_a_move_in_progress_is_listed_once_where_the_guest_runs_with_the_move():
    moving = {'migration_type': 'live-migration', 'status': 'running', 'source_compute': 'hv1',
              'dest_compute': 'hv2', 'uuid': 'm1'}
    source = {'name': 'web-1', 'vm_state': 'active', 'task_state': 'migrating', 'power_state': 'running',
              'migration': moving}
    claim = dict(source, power_state='shutoff')
    assert not inv.moving_copy(source, 'hv1') and inv.moving_copy(claim, 'hv2')
    assert not inv.moving_copy(dict(source, task_state=None, power_state='shutoff'), 'hv1')
    dummy, hostvars, dummy2 = inv.instance_host({'name': 'hv1', 'uri': 'u'}, source)
    assert hostvars['novalite_migration'] == {'migration_type': 'live-migration', 'status': 'running',
                                              'source_compute': 'hv1', 'dest_compute': 'hv2'}
    assert inv.instance_host({'name': 'hv1', 'uri': 'u'}, {'name': 'x'})[1]['novalite_migration'] is None


def test_a_resize_waiting_for_confirm_is_listed_on_its_destination_only():
    resize = {'migration_type': 'resize', 'status': 'finished', 'source_compute': 'hv1', 'dest_compute': 'hv2'}
    new = {'name': 'web-1', 'vm_state': 'resized', 'power_state': 'running', 'migration': resize}
    old = dict(new, vm_state='active', power_state='shutoff')
    assert not inv.moving_copy(new, 'hv2') and inv.moving_copy(old, 'hv1')
    before = dict(resize, status='migrating')
    assert inv.moving_copy(dict(new, migration=before, power_state='shutoff'), 'hv2')
    assert not inv.moving_copy(dict(old, migration=before), 'hv1')
