"""Draining a hypervisor (plugin_utils/drain.py): what is on it, the order it moves in, the report."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.plugin_utils import drain


def entry(name, group=None, policy=None, active=True, task_state=None, managed=True, migration=None):
    return {'name': name, 'uuid': 'u-' + name, 'managed': managed, 'active': active, 'task_state': task_state,
            'server_group': group, 'server_group_policy': policy, 'migration': migration}


def move_in(mtype, status):
    return {'migration_type': mtype, 'status': status, 'source_compute': 'hv2', 'dest_compute': 'hv1'}


def states(*entries):
    return {'hv1': {'instances': {e['uuid'] + str(n): e for n, e in enumerate(entries)}}, 'hv2': {'instances': {}}}


def test_anti_affinity_members_move_first_the_largest_group_first():
    found = [entry('zeta'), entry('a-1', 'a', 'anti-affinity'), entry('b-2', 'b', 'anti-affinity'),
             entry('b-1', 'b', 'anti-affinity'), entry('s-1', 's', 'soft-anti-affinity'), entry('f-1', 'f', 'affinity'),
             entry('alpha')]
    assert drain.order(found) == ['b-1', 'b-2', 'a-1', 's-1', 'alpha', 'f-1', 'zeta']


def test_what_lives_on_the_host_not_the_claims_of_moves_onto_it_nor_foreign_domains():
    s = states(entry('web'), entry('moving-in', active=False, task_state='migrating',
                                   migration=move_in('live-migration', 'preparing')),
               entry('resizing-in', active=False, task_state='resize_prep', migration=move_in('resize', 'migrating')),
               entry('other', managed=False), entry('stopped', active=False))
    assert sorted(e['name'] for e in drain.instances_on(s, 'hv1')) == ['stopped', 'web']
    assert drain.instances_on(s, 'hv9') == []


def test_the_next_move_skips_what_could_not_move():
    s = states(entry('b'), entry('a'))
    assert drain.next_move(s, 'hv1', {}) == 'a'
    assert drain.next_move(s, 'hv1', {'a': 'No valid host was found.'}) == 'b'
    assert drain.next_move(s, 'hv1', {'a': 'x', 'b': 'y'}) is None


def test_the_report_lists_each_move_and_each_refusal():
    service = {'status': 'disabled', 'disabled_reason': 'disk swap'}
    done = drain.report('hv1', [{'instance': 'a', 'dest': 'hv2', 'seconds': 3.21}], {}, service)
    assert done['ok'] and done['empty']
    assert done['lines'] == ['hv1: disabled (disk swap)', 'moved a to hv2 (3.2 s)', 'hv1 is empty']
    left = drain.report('hv1', [], {'b': "Cannot 'live_migrate' instance u-b while it is in vm_state stopped"}, service)
    assert not left['ok'] and left['not_moved'] == [{'instance': 'b', 'reason': left['not_moved'][0]['reason']}]
    assert left['lines'][-1] == '1 instance(s) left on hv1'
