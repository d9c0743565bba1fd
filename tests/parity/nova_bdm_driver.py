"""Runs Nova's own block device mapping checks (nova 34, in its own venv) on cases read as
JSON lines from stdin; writes one JSON line per case: the mappings Nova keeps, or the name
of the exception it raised. Used by test_bdm_parity.py; never imported by the collection.

Nova's code runs as it is: the API's JSON schema for server create (2.94), the API layer's
handling of block_device_mapping / block_device_mapping_v2, BlockDeviceDict.from_api and
from_legacy, compute API _check_and_transform_bdm and _validate_bdm. Only Glance and Cinder
are stood in for, answering from the case's images, volumes and snapshots.
"""
import json
import sys
from unittest import mock

import nova.conf
from nova import block_device
from nova import context as nova_context
from nova import exception
from nova import objects
from nova.api.openstack.compute.schemas import servers as schemas
from nova.api.validation import validators
from nova.compute import api as compute_api

CONF = nova.conf.CONF
CONF([], project='nova', default_config_files=[])
objects.register_all()
VALIDATOR = validators._SchemaValidator(schemas.create_v294)
KEEP = ('source_type', 'destination_type', 'boot_index', 'volume_size', 'guest_format', 'device_name',
        'delete_on_termination', 'disk_bus', 'device_type', 'image_id', 'volume_id', 'snapshot_id', 'no_device',
        'volume_type')


def run(case):
    server = {'name': 'x', 'flavorRef': '1', 'networks': 'none'}   # networks: required since 2.37
    if case.get('image_ref'):
        server['imageRef'] = case['image_ref']
    for key in ('block_device_mapping_v2', 'block_device_mapping'):
        if key in case:
            server[key] = case[key]
    if case.get('min_count'):
        server['min_count'] = case['min_count']
    try:
        VALIDATOR.validate({'server': server})
    except exception.ValidationError:
        return {'error': 'ValidationError'}
    legacy_list, v2_list = server.get('block_device_mapping', []), server.get('block_device_mapping_v2', [])
    if legacy_list and v2_list:
        return {'error': 'HTTPBadRequest'}
    image_ref = server.get('imageRef')
    try:
        if v2_list:
            bdms = [block_device.BlockDeviceDict.from_api(dict(b), image_uuid_specified=image_ref not in {None, ''})
                    for b in v2_list]
            legacy = False
        else:
            for b in legacy_list:
                if 'delete_on_termination' in b:
                    from oslo_utils import strutils
                    b['delete_on_termination'] = strutils.bool_from_string(b['delete_on_termination'])
            bdms, legacy = legacy_list, True
        if not bdms and not image_ref:
            return {'error': 'HTTPBadRequest'}
        api = compute_api.API.__new__(compute_api.API)
        ctx = nova_context.RequestContext('u', 'p')
        volumes = {vid: {'id': vid, 'size': size, 'bootable': True} for vid, size in case['volumes'].items()}
        volume_api = mock.Mock()

        def get_volume(context, volume_id):
            if volume_id not in volumes:
                raise exception.VolumeNotFound(volume_id=volume_id)
            return volumes[volume_id]

        def get_snapshot(context, snapshot_id):
            if snapshot_id not in case['snapshots']:
                raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
            return {'size': case['snapshots'][snapshot_id], 'volume_id': sorted(case['volumes'])[0]}

        def get_image(context, image_id):
            if image_id not in case['images']:
                raise exception.ImageNotFound(image_id=image_id)
            return image_id, {'id': image_id}

        volume_api.get.side_effect = get_volume
        volume_api.get_snapshot.side_effect = get_snapshot
        volume_api.get_all_volume_types.return_value = case['volume_types']
        image_api = mock.Mock()
        image_api.get.side_effect = lambda context, image_id: get_image(context, image_id)[1]
        if not image_ref:
            # compute API _create_instance: the boot device's image metadata first
            block_device.get_bdm_image_metadata(ctx, image_api, volume_api, bdms, legacy)
        flavor = objects.Flavor(ephemeral_gb=case['flavor']['ephemeral_gb'], swap=case['flavor']['swap'],
                                root_gb=case['flavor'].get('root_gb', 10), memory_mb=512, vcpus=1, extra_specs={})
        count = case.get('min_count', 1)
        with mock.patch.object(api, '_get_image_defined_bdms', return_value=[]):
            bdm_list = api._check_and_transform_bdm(ctx, {'image_ref': image_ref or ''}, flavor, {}, count, count,
                                                    bdms, legacy)
        api.volume_api = volume_api
        # _provision_instances: the volumes asked for, from Cinder, before _validate_bdm
        volumes = api._get_volumes_for_bdms(ctx, bdm_list)
        with mock.patch.object(api, '_get_image', side_effect=get_image), \
                mock.patch('nova.compute.utils.check_attach_and_reserve_volume'):
            api._validate_bdm(ctx, {'image_ref': image_ref}, flavor, bdm_list, {}, volumes)
        # _bdm_validate_set_size_and_instance: what Nova keeps has the flavor's sizes filled in
        for b in bdm_list:
            b.volume_size = compute_api.API._volume_size(flavor, b)
    except Exception as err:   # every refusal is an exception of Nova's; its class is what we compare
        return {'error': type(err).__name__}
    return {'bdms': [{k: getattr(b, k, None) if b.obj_attr_is_set(k) else None for k in KEEP} for b in bdm_list]}


def main():
    for line in sys.stdin:
        try:
            out = run(json.loads(line))
        except Exception as err:
            out = {'crash': '%s: %s' % (type(err).__name__, err)}
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
