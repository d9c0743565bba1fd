"""The hypervisor's compute service status (module_utils/_compute_service.py): its marker's content."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _compute_service
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput


def test_the_marker_round_trips_and_a_broken_one_still_means_disabled():
    data = _compute_service.content('disk swap, ticket 4711', '2026-12-07T10:00:00Z')
    assert _compute_service.parse(data) == {'status': 'disabled', 'disabled_reason': 'disk swap, ticket 4711',
                                            'updated_at': '2026-12-07T10:00:00Z'}
    assert _compute_service.parse(b'\xff not json') == {'status': 'disabled', 'disabled_reason': None,
                                                        'updated_at': None}
    assert _compute_service.parse(b'[1, 2]')['status'] == 'disabled'


@pytest.mark.parametrize('reason', ['x' * 256, 'two\nlines', 'tab\there'])
def test_a_reason_is_nova_s_size_without_control_characters(reason):
    with pytest.raises(InvalidInput, match='disabled_reason'):
        _compute_service.check_reason(reason)


def test_a_plain_reason_passes():
    assert _compute_service.check_reason('x' * 255) == 'x' * 255 and _compute_service.check_reason(None) is None
