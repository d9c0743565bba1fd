"""Nova's quota recheck after the claims (_quota_recheck): racing runs of one project end
with exactly the quota, whatever the order their rechecks run in."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _quota_recheck

LIMITS = {'instances': 3, 'cores': -1, 'ram': -1}


def rec(name, claimed_at, vcpus=1, memory_mb=128, **extra):
    return dict({'name': name, 'uuid': 'u-' + name, 'claimed_at': claimed_at,
                 'flavor': {'vcpus': vcpus, 'memory_mb': memory_mb}}, **extra)


def test_the_first_claims_take_the_quota_and_the_later_ones_withdraw():
    # two runs of two instances each, claims interleaved in time; the project had none
    records = [rec('a-1', '2026-12-01T10:00:00.000100Z'), rec('b-1', '2026-12-01T10:00:00.000200Z'),
               rec('a-2', '2026-12-01T10:00:00.000300Z'), rec('b-2', '2026-12-01T10:00:00.000400Z')]
    verdicts = {r['name']: _quota_recheck.recheck(LIMITS, records, r['name']) for r in records}
    assert [n for n, v in verdicts.items() if v is None] == ['a-1', 'b-1', 'a-2']
    assert verdicts['b-2'].startswith('Quota exceeded for instances: Requested 1, but already used 3 of 3 instances')


@pytest.mark.parametrize('seen', list(itertools.permutations(range(4))))
def test_the_verdicts_do_not_depend_on_the_order_the_records_are_read(seen):
    records = [rec('x-%d' % i, '2026-12-01T10:00:0%d.000000Z' % i) for i in range(4)]
    shuffled = [records[i] for i in seen]
    kept = [r['name'] for r in records if _quota_recheck.recheck(LIMITS, shuffled, r['name']) is None]
    assert kept == ['x-0', 'x-1', 'x-2']


def test_cores_and_ram_count_and_unlimited_is_unlimited():
    records = [rec('old', '2026-11-30T00:00:00Z', vcpus=4, created_at='2026-11-30T00:00:00Z'),
               rec('new', '2026-12-01T10:00:00.000001Z', vcpus=2, memory_mb=2048)]
    assert _quota_recheck.recheck({'instances': -1, 'cores': 6, 'ram': -1}, records, 'new') is None
    why = _quota_recheck.recheck({'instances': -1, 'cores': 5, 'ram': 2000}, records, 'new')
    assert why.startswith('Quota exceeded for cores, ram: Requested 2, 2048, but already used 4, 128 of 5, 2000')
    assert _quota_recheck.recheck({'instances': 1, 'cores': -1, 'ram': -1}, records, 'old') is None


def test_an_older_record_without_claimed_at_counts_by_created_at_and_ties_by_uuid():
    records = [rec('b', None, created_at='2026-12-01T10:00:00Z'), rec('a', None, created_at='2026-12-01T10:00:00Z')]
    limits = {'instances': 1, 'cores': -1, 'ram': -1}
    assert _quota_recheck.recheck(limits, records, 'a') is None          # 'u-a' < 'u-b'
    assert _quota_recheck.recheck(limits, records, 'b') is not None
    assert _quota_recheck.recheck(limits, records, 'gone') is None
