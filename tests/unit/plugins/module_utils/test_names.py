"""The names of an instance's objects (_names): each one made is parsed back to its instance."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _names

INSTANCES = ['web-1', 'a', 'db_disk', 'x.console', 'n-eth0', 'UP.per_9']


@pytest.mark.parametrize('instance', INSTANCES)
@pytest.mark.parametrize('make, kind', [
    (_names.root_disk, 'disk'), (_names.swap_disk, 'disk'), (lambda i: _names.ephemeral_disk(i, 3), 'disk'),
    (_names.config_drive, 'config_drive'), (_names.console_log, 'console_log'),
    (lambda i: _names.failed_build_marker(i, '2026-12-01T10:20:30Z'), 'marker'),
])
def test_local_volumes_round_trip(instance, make, kind):
    assert _names.parse_local_volume(make(instance)) == (kind, instance)


@pytest.mark.parametrize('instance', INSTANCES)
def test_ports_nvram_filters_round_trip(instance):
    assert _names.parse_port(_names.port(instance, 'eth0')) == instance
    assert _names.parse_port(_names.port(instance, 'eth12')) == instance
    assert _names.parse_nvram(_names.nvram(instance)) == instance
    assert _names.parse_instance_filter(_names.instance_filter(instance)) == instance


def test_the_marker_keeps_its_time():
    marker = _names.failed_build_marker('web-1', '2026-12-01T10:20:30Z')
    assert marker == 'failed-build.20261201T102030Z.web-1'
    assert _names.parse_marker_time(marker) == '2026-12-01T10:20:30Z'


@pytest.mark.parametrize('other', ['guest.qcow2', 'novalite-claim.lock', 'sha256-abc', 'volume-1234'])
def test_what_is_not_an_instance_object_is_none(other):
    assert _names.parse_local_volume(other) == (None, None)
    assert _names.parse_port(other) is None and _names.parse_nvram(other) is None
    assert _names.parse_instance_filter(other) is None and _names.parse_marker_time(other) is None
