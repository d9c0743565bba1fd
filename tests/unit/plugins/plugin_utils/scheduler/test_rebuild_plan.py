"""The API side of a rebuild (plugin_utils/rebuild.py): the instance found, the image resolved
(the named one, or the one it was built from), bad requests and open moves refused."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils import migration, rebuild
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import SchedulerError

from scheduler_builders import host

FLEET = {'hv1': {'uri': 'qemu:///a', 'settings': {'virt_type': 'qemu'}}, 'hv2': {'uri': 'qemu:///b', 'settings': {}}}
IMAGES = [{'name': 'cirros', 'id': 'img-1'}, {'name': 'debian', 'id': 'img-2'}]


def states(migration_=None):
    hv2 = host()
    hv2['instances']['u-web'] = {'managed': True, 'name': 'web', 'uuid': 'u-web', 'active': True,
                                 'vm_state': 'active', 'image_id': 'img-1', 'migration': migration_}
    return {'hv1': host(), 'hv2': hv2}


def test_the_instance_s_host_and_the_named_or_current_image():
    result = rebuild.plan({'instance': 'web', 'image': 'debian', 'user_data': 'x'}, states(), FLEET, IMAGES)
    assert (result['host'], result['uri'], result['image']['id']) == ('hv2', 'qemu:///b', 'img-2')
    assert 'user_data' not in result and result['virt_type'] == 'kvm'
    assert rebuild.plan({'instance': 'web'}, states(), FLEET, IMAGES)['image']['name'] == 'cirros'


def test_refusals():
    with pytest.raises(migration.MigrationRefused, match='Instance nope could not be found'):
        rebuild.plan({'instance': 'nope'}, states(), FLEET, IMAGES)
    with pytest.raises(migration.MigrationRefused, match='Image ubuntu could not be found'):
        rebuild.plan({'instance': 'web', 'image': 'ubuntu'}, states(), FLEET, IMAGES)
    moving = {'migration_type': 'resize', 'status': 'finished', 'source_compute': 'hv1', 'dest_compute': 'hv2'}
    with pytest.raises(migration.MigrationRefused, match="Cannot 'rebuild'"):
        rebuild.plan({'instance': 'web'}, states(moving), FLEET, IMAGES)


@pytest.mark.parametrize('request_, words', [
    ({'instance': 'web', 'flavor': 'x'}, 'unknown field'),
    ({'instance': 'we<b'}, 'instance must be an instance name'),
    ({'instance': 'web', 'preserve_ephemeral': 'yes'}, 'preserve_ephemeral'),
    ({'instance': 'web', 'user_data': 42}, 'user_data must be a string'),
])
def test_bad_requests(request_, words):
    with pytest.raises(SchedulerError, match=words):
        rebuild.plan(request_, states(), FLEET, IMAGES)
