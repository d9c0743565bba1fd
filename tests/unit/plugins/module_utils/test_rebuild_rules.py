"""The pure parts of a rebuild (module_utils/_rebuild.py): Nova's state rule, what novalite does
not rebuild, and what the old config drive gave the guest (read back from the ISO)."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _config_drive
from ansible_collections.novalite.compute.plugins.module_utils import _rebuild

pytest.importorskip('pycdlib')


@pytest.mark.parametrize('rec, words', [
    ({'vm_state': 'active'}, None),
    ({'vm_state': 'stopped'}, None),
    ({'vm_state': 'error'}, None),
    ({'vm_state': 'active', 'task_state': 'rebuild_spawning'}, None),
    ({'vm_state': 'building', 'task_state': 'spawning', 'actions': [{'action': 'rebuild'}]}, None),
    ({'vm_state': 'building', 'task_state': 'spawning', 'actions': [{'action': 'create'}]}, 'vm_state building'),
    ({'vm_state': 'resized'}, "Cannot 'rebuild' instance u while it is in vm_state resized"),
    ({'vm_state': 'active', 'task_state': 'migrating'}, "Cannot 'rebuild' instance u while it is in task_state migrating"),
    ({'vm_state': 'active', 'boot_from_volume': True}, 'volume-backed'),
    ({'vm_state': 'active', 'block_devices': [{'kind': 'volume'}]}, 'volumes attached'),
])
def test_nova_s_state_rule_and_what_is_not_built(rec, words):
    problem = _rebuild.rebuild_refusal(dict(rec, uuid='u'))
    assert (problem is None) if words is None else (words in problem)


def test_what_the_old_drive_gave_is_read_back():
    instance = {'uuid': 'u1', 'name': 'web', 'hostname': 'web', 'project_id': None, 'availability_zone': None,
                'meta': {'role': 'db'}, 'launch_index': 0, 'image_id': 'img', 'reservation_id': 'r-1',
                'flavor_name': 'm1'}
    tree = _config_drive.files(instance, [], user_data='#cloud-config\nhello', admin_password='s3cret',
                               public_keys={'k1': 'ssh-ed25519 AAAA k1'})
    given = _rebuild.drive_contents(_config_drive.iso(tree))
    assert given == {'user_data': '#cloud-config\nhello', 'admin_password': 's3cret', 'meta': {'role': 'db'},
                     'public_keys': {'k1': 'ssh-ed25519 AAAA k1'}}
    bare = _rebuild.drive_contents(_config_drive.iso(_config_drive.files(instance, [])))
    assert bare['user_data'] is None and bare['admin_password'] is None
