"""The conductor's build rounds (plugin_utils/conductor.py): which host builds what in each
round, what a round's result means, the reschedule to the next alternate, keep-in-error, when
to stop, and the report."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils import conductor

FLEET = {h: {'uri': 'qemu+ssh://root@%s/system' % h, 'settings': {'virt_type': 'qemu'}}
         for h in ('hv1', 'hv2', 'hv3', 'hv4', 'hv5', 'hv6')}


def planned(name, hosts, cleanup=()):
    return {'name': name, 'uuid': 'u-' + name, 'launch_index': 0, 'hosts': list(hosts), 'cleanup': list(cleanup)}


def plan(*entries, stale=()):
    return {'done': [], 'plan': list(entries), 'stale': list(stale), 'unplaced': [], 'over_quota': [], 'quota': None}


def result(*builds):
    return {'builds': [dict({'kept': False, 'timings': {'claim': 0.1}, 'reason': None}, **b) for b in builds]}


def built(name, host):
    return {'name': name, 'host': host, 'status': 'built'}


def failed(name, host, reason='no room', kept=False):
    return {'name': name, 'host': host, 'status': 'failed', 'reason': reason, 'kept': kept}


def test_round_one_is_each_instance_on_its_selected_host_with_leftovers_first():
    p = plan(planned('a', ['hv1', 'hv2'], cleanup=['hv3']), planned('b', ['hv1', 'hv3']),
             stale=[planned('c', ['hv2'], cleanup=['hv2'])])
    work = conductor.round_work(p, conductor.new_progress(), FLEET)
    assert [(w['host'], [i['name'] for i in w['instances']], [i['name'] for i in w['leftovers']]) for w in work] == [
        ('hv1', ['a', 'b'], []), ('hv2', [], ['c']), ('hv3', [], ['a'])]
    assert work[0]['uri'] == FLEET['hv1']['uri'] and work[0]['settings'] == {'virt_type': 'qemu'}
    assert work[0]['instances'][0] == {'name': 'a', 'uuid': 'u-a', 'launch_index': 0, 'hosts': ['hv1', 'hv2']}


def test_a_failed_build_moves_to_its_next_alternate_and_a_built_one_stays():
    p = plan(planned('a', ['hv1', 'hv2', 'hv3']), planned('b', ['hv1', 'hv3']))
    progress = conductor.new_progress()
    work = conductor.round_work(p, progress, FLEET)
    progress = conductor.collect(progress, work, result(failed('a', 'hv1', 'full'), built('b', 'hv1')))
    assert progress['round'] == 2 and progress['done'] == ['b'] and progress['built_on'] == {'b': 'hv1'}
    assert progress['attempts'] == [{'name': 'a', 'host': 'hv1', 'round': 1, 'reason': 'full'}]
    work = conductor.round_work(p, progress, FLEET)
    assert [(w['host'], [i['name'] for i in w['instances']], w['leftovers']) for w in work] == [('hv2', ['a'], [])]


def test_no_round_once_every_instance_is_built_or_out_of_hosts():
    p = plan(planned('a', ['hv1', 'hv2']), planned('b', ['hv2']))
    progress = conductor.new_progress()
    progress = conductor.collect(progress, conductor.round_work(p, progress, FLEET),
                                 result(failed('a', 'hv1'), failed('b', 'hv2')))
    progress = conductor.collect(progress, conductor.round_work(p, progress, FLEET), result(failed('a', 'hv2')))
    assert conductor.round_work(p, progress, FLEET) == []
    assert not conductor.pending(p, progress)
    assert conductor.report(p, progress, {'keep_failed': False})['failed'] == ['a', 'b']


def test_max_attempts_six_reschedules_through_five_failing_hosts():
    hosts = ['hv1', 'hv2', 'hv3', 'hv4', 'hv5', 'hv6']
    p = plan(planned('a', hosts))
    progress = conductor.new_progress()
    for host in hosts[:5]:
        work = conductor.round_work(p, progress, FLEET)
        assert [w['host'] for w in work] == [host]
        progress = conductor.collect(progress, work, result(failed('a', host, 'broken %s' % host)))
    work = conductor.round_work(p, progress, FLEET)
    assert [w['host'] for w in work] == ['hv6']
    progress = conductor.collect(progress, work, result(built('a', 'hv6')))
    assert conductor.round_work(p, progress, FLEET) == []
    rep = conductor.report(p, progress, {'reservation_id': 'r-1'})
    assert rep['ok'] and rep['lines'] == ['a: built on hv6'] and len(rep['attempts']) == 5
    assert rep['attempts'][0] == 'a: attempt 1 on hv1: broken hv1'


def test_an_instance_kept_in_error_is_not_tried_again():
    p = plan(planned('a', ['hv1', 'hv2']))
    progress = conductor.new_progress()
    progress = conductor.collect(progress, conductor.round_work(p, progress, FLEET),
                                 result(failed('a', 'hv1', 'no marker', kept=True)))
    assert progress['kept'] == ['a'] and conductor.round_work(p, progress, FLEET) == []
    rep = conductor.report(p, progress, {'keep_failed': True})
    assert rep['lines'] == ['a: error (kept in error on its last host)']
    assert 'the last attempt kept in error' in rep['msg'] and 'attempt 1 on hv1: no marker' in rep['msg']


def test_an_invocation_that_failed_without_builds_fails_its_whole_round():
    p = plan(planned('a', ['hv1', 'hv2']), planned('b', ['hv2', 'hv1']))
    progress = conductor.new_progress()
    work = conductor.round_work(p, progress, FLEET)
    progress = conductor.collect(progress, work, {'failed': True, 'msg': 'MODULE FAILURE'})
    assert sorted((a['name'], a['host'], a['reason']) for a in progress['attempts']) == [
        ('a', 'hv1', 'MODULE FAILURE'), ('b', 'hv2', 'MODULE FAILURE')]
    assert [(w['host'], [i['name'] for i in w['instances']]) for w in conductor.round_work(p, progress, FLEET)] == [
        ('hv1', ['b']), ('hv2', ['a'])]


def test_collect_does_not_change_the_progress_it_is_given():
    p = plan(planned('a', ['hv1']))
    progress = conductor.new_progress()
    conductor.collect(progress, conductor.round_work(p, progress, FLEET), result(built('a', 'hv1')))
    assert progress == conductor.new_progress()


def test_report_lines_timings_and_plan():
    p = plan(planned('a', ['hv1', 'hv2']))
    p['done'] = ['z']
    progress = conductor.new_progress()
    progress = conductor.collect(progress, conductor.round_work(p, progress, FLEET),
                                 {'builds': [{'name': 'a', 'host': 'hv1', 'status': 'built', 'kept': False,
                                              'timings': {'prepare': 0.5, 'claim': 0.25, 'spawning': 1.0}}]})
    rep = conductor.report(p, progress, {'reservation_id': 'r-x', 'request_id': 'req-1'})
    assert rep['lines'] == ['z: already there', 'a: built on hv1']
    assert rep['timings'] == ['a: prepare 0.50 s, claim 0.25 s, spawning 1.00 s']
    assert rep['msg'] == '1 built, 1 already there (reservation r-x)'
    assert rep['plan'][:3] == ['reservation r-x, request req-1', 'already there: z', 'a: hv1 then hv2']


@pytest.mark.parametrize('host_vars, expected', [
    ({}, {'cpu_allocation_ratio': 4.0, 'ram_allocation_ratio': 1.0, 'disk_allocation_ratio': 1.0,
          'reserved_host_memory_mb': 512, 'reserved_host_disk_mb': 0, 'reserved_host_cpus': 0, 'virt_type': 'kvm'}),
    ({'novalite_cpu_allocation_ratio': 16.0, 'novalite_reserved_host_memory_mb': 0, 'novalite_virt_type': 'qemu'},
     {'cpu_allocation_ratio': 16.0, 'ram_allocation_ratio': 1.5, 'disk_allocation_ratio': 1.0,
      'reserved_host_memory_mb': 0, 'reserved_host_disk_mb': 0, 'reserved_host_cpus': 0, 'virt_type': 'qemu'}),
])
def test_build_hosts_settings_host_over_options_over_nova_defaults(host_vars, expected):
    options = {'ram_allocation_ratio': 1.5} if host_vars else None
    fleet = conductor.build_hosts({'hv1': host_vars}, ['hv1'], options)
    assert fleet['hv1']['settings'] == dict(expected, ram_allocation_ratio=1.5 if options else 1.0)
    assert fleet['hv1']['uri'] == 'qemu:///system'
