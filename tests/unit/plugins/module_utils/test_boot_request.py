"""The whole boot request validated before any work (_boot_request.validate)."""

from __future__ import annotations

import uuid

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _block_device
from ansible_collections.novalite.compute.plugins.module_utils import _boot_request
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

FLAVORS = [{'name': 'm1.nano', 'id': '0', 'vcpus': 1, 'memory_mb': 128, 'root_gb': 1}]
IMAGES = [{'name': 'guest', 'id': 'guest', 'source': '/srv/guest.qcow2', 'checksum': 'a' * 64, 'min_ram': 64}]
NETWORKS = [{'name': 'tenant', 'cidr': '10.0.0.0/24'}]
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB test@novalite'


def validate(**p):
    params = {'name': 'web', 'flavor': 'm1.nano', 'image': 'guest', 'networks': [{'network': 'tenant'}]}
    params.update(p)
    return _boot_request.validate(params, FLAVORS, IMAGES, NETWORKS)


def test_several_instances_are_named_as_nova_does():
    result = validate(max_count=3, min_count=2)
    assert [i['name'] for i in result['instances']] == ['web-1', 'web-2', 'web-3']
    assert [i['launch_index'] for i in result['instances']] == [0, 1, 2]
    assert result['scheduler_request']['num_instances'] == 3 and result['scheduler_request']['min_count'] == 2
    assert validate()['instances'][0]['name'] == 'web'


def test_what_later_steps_take_is_the_catalog_entries_and_nova_flavor_fields():
    result = validate()
    assert result['image_catalog'] == IMAGES
    assert result['network_catalog'] == NETWORKS
    assert 'guest' not in result['flavor'] and result['flavor']['memory_mb'] == 128
    assert result['networks'] == [{'network': 'tenant', 'fixed_ip': None, 'device': 'eth0'}]
    assert result['reservation_id'].startswith('r-') and len(result['reservation_id']) == 10
    assert result['request_id'].startswith('req-')


def test_every_new_instance_gets_a_new_random_uuid_as_nova_does():
    first, again = validate(max_count=2), validate(max_count=2)
    uuids = [i['uuid'] for i in first['instances'] + again['instances']]
    assert len(set(uuids)) == 4 and all(uuid.UUID(u).version == 4 for u in uuids)
    assert first['scheduler_request']['instance_uuids'] == [i['uuid'] for i in first['instances']]
    # ... so the volumes a boot creates for a name are new too, never those an earlier one kept
    assert _block_device.created_volume_id(uuids[0], 'vdb') != _block_device.created_volume_id(uuids[2], 'vdb')
    assert _block_device.created_volume_id(uuids[0], 'vdb') == _block_device.created_volume_id(uuids[0], 'vdb')


@pytest.mark.parametrize('fields, message', [
    ({'min_count': 3, 'max_count': 2}, 'max_count'),
    ({'flavor': 'm9.huge'}, 'm9.huge'),
    ({'image': 'nope'}, 'nope'),
    ({'networks': [{'network': 'other'}]}, 'other'),
    ({'networks': [{'network': 'tenant', 'fixed_ip': '10.0.0.9'}], 'max_count': 2}, 'fixed_ip'),
    ({'networks': [{'network': 'tenant', 'fixed_ip': '10.1.0.9'}]}, '10.1.0.9'),
    ({'name': 'a/b'}, 'a/b'),
    ({'name': '..'}, '..'),
    ({'name': 'x<y'}, 'x<y'),
    ({'metadata': {'k': 'v' * 256}}, 'metadata'),
    ({'key_name': 'ops'}, "key_name 'ops' is not in the keypair catalog"),
    ({'key_name': 'ops', 'public_key': 'not a key'}, 'public_key'),
    ({'server_group': {'name': 'g', 'policy': 'sometimes'}}, 'server_group'),
])
def test_bad_requests_fail_before_any_work_naming_the_field(fields, message):
    with pytest.raises(InvalidInput) as err:
        validate(**fields)
    assert message in str(err.value)


def test_key_pairs_from_the_catalog_or_given():
    result = validate(key_name='ops', keypairs=[{'name': 'ops', 'public_key': KEY + '\n'}])
    assert (result['key_name'], result['public_key']) == ('ops', KEY)
    result = validate(public_key=KEY)
    assert (result['key_name'], result['public_key']) == (None, KEY)


def test_a_boot_from_a_new_volume_without_an_image_caches_the_mappings_image():
    """Issue 17 (4) / 18: only the top-level image reached the host's image cache, so the build
    failed after its claim and ports ("failed to get image ...")."""
    bdm = [{'source_type': 'image', 'uuid': 'guest', 'destination_type': 'volume', 'boot_index': 0,
            'volume_size': 1}]
    result = validate(image=None, block_device_mapping=bdm)
    assert result['image'] is None and result['boot_from_volume'] is True
    assert result['image_catalog'] == IMAGES
    assert validate(block_device_mapping=bdm)['image_catalog'] == IMAGES        # named once


def test_without_an_image_the_boot_devices_image_places_and_builds_it():
    """Issue 17 (4): Nova's get_bdm_image_metadata - the boot volume's image metadata."""
    images = [dict(IMAGES[0], properties={'hw_machine_type': 'q35', 'hw_architecture': 'x86_64'})]
    bdm = [{'source_type': 'image', 'uuid': 'guest', 'destination_type': 'volume', 'boot_index': 0,
            'volume_size': 1}]
    params = {'name': 'web', 'flavor': 'm1.nano', 'networks': [], 'block_device_mapping': bdm}
    result = _boot_request.validate(params, FLAVORS, images, NETWORKS)
    assert result['image'] is None
    assert result['image_properties'] == {'hw_machine_type': 'q35', 'hw_architecture': 'x86_64'}
    assert result['scheduler_request']['image'] == {'id': None, 'properties': result['image_properties']}
    big = [dict(images[0], min_ram=4096)]
    with pytest.raises(InvalidInput, match="Flavor's memory is too small"):
        _boot_request.validate(params, FLAVORS, big, NETWORKS)


def test_a_forms_blank_answers_count_as_not_given():
    """An AWX survey sends a question left blank as '' (docs/awx.md's job template)."""
    request = {'name': 'web', 'flavor': 'm1.nano', 'image': 'guest', 'networks': [{'network': 'tenant'}],
               'key_name': '', 'user_data': '', 'availability_zone': '', 'public_key': '', 'boot_marker': ''}
    catalog = {'flavors': FLAVORS, 'images': IMAGES, 'networks': NETWORKS}
    result = _boot_request.from_request(request, catalog)
    assert (result['key_name'], result['public_key'], result['availability_zone']) == (None, None, None)
    with pytest.raises(InvalidInput) as err:         # a required field left blank is still refused
        _boot_request.from_request(dict(request, flavor=''), catalog)
    assert 'flavor' in str(err.value)
