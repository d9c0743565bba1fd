"""The compute manager's pure decisions (_compute_manager): what a rollback does with the
instance it finds, and the checks of a build's input."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _compute_manager as cm
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput


@pytest.mark.parametrize('record, takeover, keep, expected', [
    (None, False, False, 'remove'),                              # a claim cut short: nothing recorded
    ({'request_id': 'req-1'}, False, False, 'remove'),           # this request's
    ({'request_id': None}, False, False, 'remove'),              # no request recorded
    ({'request_id': 'req-2'}, False, False, 'leave'),            # another run building the same name
    ({'request_id': 'req-2'}, True, False, 'remove'),            # a leftover of an earlier run
    ({'request_id': 'req-1'}, False, True, 'keep'),              # keep_failed on the last attempt
    (None, True, True, 'keep'),
])
def test_rollback_decision(record, takeover, keep, expected):
    assert cm.rollback_decision(record, 'req-1', takeover, keep) == expected


def test_settings_are_checked():
    assert cm.check_settings({'cpu_allocation_ratio': '2', 'reserved_host_cpus': 1, 'virt_type': 'qemu',
                              'ram_allocation_ratio': None}) == {
        'cpu_allocation_ratio': 2.0, 'reserved_host_cpus': 1, 'virt_type': 'qemu'}
    for bad, words in [({'ratio': 1}, 'unknown ratio'), ({'virt_type': 'xen'}, 'settings.virt_type'),
                       ({'reserved_host_cpus': 'x'}, 'settings.reserved_host_cpus'),
                       ({'disk_allocation_ratio': -1}, 'must not be negative')]:
        with pytest.raises(InvalidInput, match=words):
            cm.check_settings(bad)


def test_instances_are_checked():
    assert cm.check_instance({'name': 'web-1', 'uuid': 'u', 'launch_index': '2', 'hosts': ['hv1']}, 'i') == {
        'name': 'web-1', 'uuid': 'u', 'launch_index': 2, 'hosts': ['hv1']}
    assert cm.check_instance({'name': 'web-1', 'junk': 1}, 'l', leftover=True) == {'name': 'web-1'}
    for bad, words in [({'name': 'a/b'}, r'shares\[0\].instances\[1\].name'), ('web', 'must be'),
                       ({'name': 'a', 'hosts': 'hv1'}, 'hosts must be a list'),
                       ({'name': 'a', 'launch_index': 'x'}, 'launch_index')]:
        with pytest.raises(InvalidInput, match=words):
            cm.check_instance(bad, 'shares[0].instances[1]')


def test_a_share_takes_the_default_uri():
    share = cm.check_share({'host': 'hv1', 'uri': None, 'settings': {}, 'instances': [{'name': 'a'}],
                            'leftovers': []}, 'shares[0]', 'qemu:///system')
    assert share['uri'] == 'qemu:///system' and share['instances'][0]['name'] == 'a'
