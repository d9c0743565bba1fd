import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _bdm

IMG = '11111111-1111-4111-8111-111111111111'
VOL = '33333333-3333-4333-8333-333333333333'
SNAP = '44444444-4444-4444-8444-444444444444'
FLAVOR = {'root_gb': 10, 'ephemeral_gb': 2, 'swap': 512}
EXISTING = dict(images={IMG: {}}, volumes={VOL: {'size': 8}}, snapshots={SNAP: {'size': 4}})


def build(v2=None, legacy=None, image_ref=IMG, flavor=None, count=1, **kw):
    flavor = FLAVOR if flavor is None else flavor
    args = dict(EXISTING)
    args.update(kw)
    return _bdm.build(flavor, v2, legacy, image_ref, count, count, **args)


def summary(bdms):
    return [(b['source_type'], b['destination_type'], b['boot_index'], b['volume_size'], b.get('guest_format'))
            for b in bdms]


def test_image_only_adds_the_root_and_the_flavors_ephemeral_and_swap():
    assert summary(build()) == [('image', 'local', 0, None, None), ('blank', 'local', -1, 2, None),
                                ('blank', 'local', -1, 512, 'swap')]


def test_boot_from_volume_v2():
    bdms = build([{'source_type': 'volume', 'destination_type': 'volume', 'uuid': VOL, 'boot_index': '0'}],
                 image_ref=None, flavor={'root_gb': 0, 'ephemeral_gb': 0, 'swap': 0})
    assert summary(bdms) == [('volume', 'volume', 0, 8, None)]      # size taken from the volume


def test_explicit_ephemeral_and_swap_replace_the_flavors():
    v2 = _bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'volume_size': 1},
                               {'source_type': 'blank', 'destination_type': 'local', 'guest_format': 'swap',
                                'volume_size': 256}], IMG)
    assert summary(build(v2)) == [('image', 'local', 0, None, None), ('blank', 'local', None, 1, None),
                                  ('blank', 'local', None, 256, 'swap')]


@pytest.mark.parametrize('legacy, image_ref, expected', [
    ([{'virtual_name': 'swap', 'volume_size': 256}], IMG,
     [('image', 'local', 0, None, None), ('blank', 'local', -1, 256, 'swap'), ('blank', 'local', -1, 2, None)]),
    # no size: the flavor's (Nova's _volume_size, as _bdm_validate_set_size_and_instance keeps it)
    ([{'virtual_name': 'ephemeral0'}], IMG,
     [('image', 'local', 0, None, None), ('blank', 'local', -1, 2, None), ('blank', 'local', -1, 512, 'swap')]),
    ([{'volume_id': VOL, 'device_name': 'vda'}], None,
     [('volume', 'volume', 0, 8, None), ('blank', 'local', -1, 2, None), ('blank', 'local', -1, 512, 'swap')]),
    ([{'snapshot_id': SNAP, 'device_name': '/dev/vdb'}], IMG,
     [('image', 'local', 0, None, None), ('snapshot', 'volume', -1, 4, None), ('blank', 'local', -1, 2, None),
      ('blank', 'local', -1, 512, 'swap')]),
])
def test_legacy_conversion(legacy, image_ref, expected):
    assert summary(build(legacy=legacy, image_ref=image_ref)) == expected


def test_legacy_volume_named_like_the_root_boots():
    bdms = build(legacy=[{'volume_id': VOL, 'device_name': '/dev/vda'}], image_ref=IMG)
    assert bdms[0]['volume_id'] == VOL and bdms[0]['boot_index'] == 0
    assert not [b for b in bdms if b['source_type'] == 'image']   # volume-backed: no image root added


@pytest.mark.parametrize('kwargs, nova_exception, message', [
    (dict(v2=[{'source_type': 'blank', 'destination_type': 'volume', 'volume_size': 1}], legacy=[{'virtual_name': 'swap'}]),
     'HTTPBadRequest', 'Using different block_device_mapping syntaxes'),
    (dict(image_ref=None), 'HTTPBadRequest', 'Missing imageRef attribute'),
    (dict(v2=[{'source_type': 'tape', 'uuid': VOL}]), 'ValidationError', 'source_type'),
    (dict(v2=[{'source_type': 'blank', 'colour': 'red'}]), 'ValidationError', 'Additional properties'),
    (dict(v2=[{'source_type': 'blank', 'volume_size': 0}]), 'ValidationError', 'volume_size'),
    (dict(v2=[{'source_type': 'blank', 'volume_size': '0'}]), 'ValidationError', 'volume_size'),
    (dict(v2=[{'source_type': 'blank', 'device_name': 'vd b'}]), 'ValidationError', 'device_name'),
    (dict(v2=[{'source_type': 'blank', 'boot_index': 'first'}]), 'ValidationError', 'boot_index'),
    (dict(v2=[{'source_type': 'blank', 'uuid': VOL}]), 'InvalidBDMFormat', 'Invalid device UUID.'),
    (dict(v2=[{'source_type': 'volume', 'destination_type': 'volume'}]), 'InvalidBDMFormat', 'Missing device UUID.'),
    (dict(v2=[{'source_type': 'image', 'destination_type': 'local', 'uuid': IMG, 'boot_index': 1}]),
     'InvalidBDMFormat', 'Mapping image to local is not supported.'),
    (dict(v2=[{'source_type': 'image', 'destination_type': 'local', 'uuid': IMG, 'boot_index': 0}], image_ref=None),
     'InvalidBDMFormat', 'Mapping image to local is not supported.'),
    (dict(v2=[{'source_type': 'blank', 'destination_type': 'local', 'volume_type': 'fast'}]), 'InvalidBDMFormat',
     'Specifying a volume_type with destination_type=local is not supported.'),
    (dict(v2=[{'source_type': 'volume', 'uuid': VOL, 'volume_type': 'fast'}]), 'InvalidBDMFormat',
     'Specifying volume type to existing volume is not supported.'),
    # no source_type: from_api asks for the UUID a non-blank source needs before anything else
    (dict(v2=[{'destination_type': 'local'}]), 'InvalidBDMFormat', 'Missing device UUID.'),
    (dict(legacy=[{'device_name': 'vdb'}]), 'InvalidBDMFormat', 'Unrecognized legacy format.'),
    (dict(v2=[{'source_type': 'blank', 'destination_type': 'volume', 'volume_size': 1, 'boot_index': 1}]),
     'InvalidBDMBootSequence', 'Boot sequence'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'volume', 'destination_type': 'volume', 'uuid': VOL,
                                    'boot_index': 2}], IMG)), 'InvalidBDMBootSequence', 'Boot sequence'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'volume', 'destination_type': 'volume', 'uuid': VOL,
                                    'device_name': 'vda'}], IMG)), 'InvalidRequest',
     'The volume cannot be assigned the same device name as the root device vda'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'volume', 'destination_type': 'volume', 'uuid': VOL}], IMG),
          count=2), 'InvalidRequest', 'Cannot attach one or more volumes to multiple instances'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'image', 'destination_type': 'volume',
                                    'uuid': '22222222-2222-4222-8222-222222222222', 'volume_size': 1}], IMG)),
     'InvalidBDMImage', 'failed to get image'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'image', 'destination_type': 'volume', 'uuid': IMG}], IMG)),
     'InvalidBDM', "Images with destination_type 'volume' need to have a non-zero size"),
    (dict(v2=_bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'volume'}], IMG)),
     'InvalidBDM', 'Blank volumes'),
    # issue 17 (3): Cinder's answer, looked up before _validate_bdm (_get_volumes_for_bdms)
    (dict(v2=_bdm.with_image_root([{'source_type': 'volume', 'destination_type': 'volume',
                                    'uuid': '55555555-5555-4555-8555-555555555555'}], IMG)),
     'VolumeNotFound', 'Volume 55555555-5555-4555-8555-555555555555 could not be found'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'snapshot', 'destination_type': 'volume',
                                    'uuid': '55555555-5555-4555-8555-555555555555'}], IMG)),
     'InvalidBDMSnapshot', 'failed to get snapshot'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'disk_bus': 'nvme'}], IMG)),
     'InvalidBDMDiskBus', 'Device bus nvme'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'volume_size': 3}], IMG)),
     'InvalidBDMEphemeralSize', 'Ephemeral disks requested are larger'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'volume_size': 1},
                                   {'source_type': 'blank', 'destination_type': 'local'}], IMG)),
     'InvalidBDMEphemeralSize', 'Ephemeral disks'),        # an unsized one counts as the flavor's whole size
    (dict(v2=_bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'guest_format': 'swap'}] * 2,
                                  IMG)), 'InvalidBDMFormat', 'More than one swap drive requested.'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'guest_format': 'swap',
                                    'volume_size': 1024}], IMG)), 'InvalidBDMSwapSize', 'Swap drive requested is larger'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'volume_size': 1}] * 3, IMG),
          flavor={'root_gb': 10, 'ephemeral_gb': 5, 'swap': 0}), 'InvalidBDMLocalsLimit', 'more local devices than'),
    (dict(v2=_bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'volume', 'volume_size': 1,
                                    'volume_type': 'gold'}], IMG)), 'VolumeTypeNotFound', 'Volume type gold'),
])
def test_every_rule_and_its_error(kwargs, nova_exception, message):
    with pytest.raises(_bdm.BDMError) as err:
        build(**kwargs)
    assert err.value.details['nova_exception'] == nova_exception
    assert message in str(err.value)


def test_errors_name_the_entry():
    with pytest.raises(_bdm.BDMError, match=r'^block_device_mapping_v2\[1\]: Block Device Mapping is Invalid: '
                                            r'Missing device UUID.'):
        build(_bdm.with_image_root([{'source_type': 'volume', 'destination_type': 'volume'}], IMG))


@pytest.mark.parametrize('index, name', [(0, 'vda'), (1, 'vdb'), (25, 'vdz'), (26, 'vdaa'), (27, 'vdab'), (701, 'vdzz'),
                                         (702, 'vdaaa')])
def test_generate_device_name(index, name):
    assert _bdm.generate_device_name('vd', index) == name


def naming(v2, props=None, machine='pc', config_drive=False, flavor=None):
    info = _bdm.block_device_info(build(v2, flavor=flavor), props, machine, config_drive)
    return [(m['kind'], m['dev'], m['disk_bus']) for m in info['mapping']]


def test_default_names_in_libvirts_order():
    v2 = _bdm.with_image_root([{'source_type': 'volume', 'destination_type': 'volume', 'uuid': VOL}], IMG)
    assert naming(v2, config_drive=True) == [('root', 'vda', 'virtio'), ('ephemeral', 'vdb', 'virtio'),
                                             ('swap', 'vdc', 'virtio'), ('volume', 'vdd', 'virtio'),
                                             ('config_drive', 'hda', 'ide')]


def test_image_disk_bus_and_q35_cdrom():
    assert naming(None, {'hw_disk_bus': 'scsi'}, 'q35', True) == [
        ('root', 'sda', 'scsi'), ('ephemeral', 'sdb', 'scsi'), ('swap', 'sdc', 'scsi'), ('config_drive', 'sdd', 'sata')]


def test_given_names_are_kept_and_skipped_by_defaults():
    v2 = _bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'device_name': '/dev/vdb',
                                'volume_size': 1},
                               {'source_type': 'volume', 'destination_type': 'volume', 'uuid': VOL}], IMG)
    assert naming(v2) == [('root', 'vda', 'virtio'), ('ephemeral', 'vdb', 'virtio'), ('swap', 'vdc', 'virtio'),
                          ('volume', 'vdd', 'virtio')]


def test_duplicate_device_names_are_refused():
    v2 = _bdm.with_image_root([{'source_type': 'blank', 'destination_type': 'local', 'device_name': 'vdb',
                                'volume_size': 1},
                               {'source_type': 'blank', 'destination_type': 'local', 'device_name': '/dev/vdb',
                                'guest_format': 'swap', 'volume_size': 256}], IMG)
    with pytest.raises(_bdm.BDMError, match=r'device name vdb is used by mapping 1 too'):
        _bdm.block_device_info(build(v2))


def test_ephemeral_labels():
    info = _bdm.block_device_info(build())
    assert [e['label'] for e in info['ephemerals']] == ['ephemeral0'] and info['swap']['size'] == 512
    assert info['root_device_name'] == '/dev/vda'


@pytest.mark.parametrize('entry, size', [
    ({'source_type': 'blank', 'destination_type': 'local', 'guest_format': 'swap', 'boot_index': -1}, 512),
    ({'source_type': 'blank', 'destination_type': 'local', 'boot_index': -1}, 2),
    ({'source_type': 'blank', 'destination_type': 'local', 'boot_index': -1, 'volume_size': 1}, 1),
])
def test_ephemeral_and_swap_without_a_size_take_the_flavors(entry, size):
    """Issue 17 (1): the size was left None, and the block_device step then died in its arithmetic."""
    flavor = {'root_gb': 1, 'ephemeral_gb': 2, 'swap': 512}
    root = {'source_type': 'image', 'uuid': 'img', 'destination_type': 'local', 'boot_index': 0}
    bdms = _bdm.build(flavor, [root, entry], None, 'img', images={'img': {}})
    mine = [b for b in bdms if b['source_type'] == 'blank' and b['guest_format'] == entry.get('guest_format')]
    assert len(mine) == 1 and mine[0]['volume_size'] == size


@pytest.mark.parametrize('device_type', ['usb', '', 'DISK', 'virtio'])
def test_a_device_type_nova_has_not_is_refused_naming_it(device_type):
    """Issue 17 (2): Nova's API takes any string and its driver fails the build later."""
    entry = {'source_type': 'blank', 'destination_type': 'local', 'boot_index': -1, 'volume_size': 1,
             'device_type': device_type}
    root = {'source_type': 'image', 'uuid': 'img', 'destination_type': 'local', 'boot_index': 0}
    with pytest.raises(_bdm.BDMError, match="device_type '%s' is not one of cdrom, disk, floppy, fs, lun" % device_type):
        _bdm.build({'root_gb': 1, 'ephemeral_gb': 2, 'swap': 0}, [root, entry], None, 'img', images={'img': {}})


@pytest.mark.parametrize('given', ['fast-id', 'fast'])
def test_a_volume_type_given_by_id_or_name_is_kept_by_its_name(given):
    """Issue 17 (6): Nova's _check_requested_volume_type stores the name."""
    entry = {'source_type': 'blank', 'destination_type': 'volume', 'boot_index': -1, 'volume_size': 1,
             'volume_type': given}
    root = {'source_type': 'image', 'uuid': 'img', 'destination_type': 'local', 'boot_index': 0}
    bdms = _bdm.build({'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}, [root, entry], None, 'img', images={'img': {}},
                      volume_types=[{'id': 'fast-id', 'name': 'fast'}])
    assert [b['volume_type'] for b in bdms if b['destination_type'] == 'volume'] == ['fast']


@pytest.mark.parametrize('root, nova_exception, words', [
    ({'source_type': 'volume', 'uuid': '55555555-5555-4555-8555-555555555555', 'destination_type': 'volume'},
     'InvalidBDMVolume', 'failed to get volume'),
    ({'source_type': 'image', 'uuid': 'nope', 'destination_type': 'volume', 'volume_size': 1},
     'InvalidBDMImage', 'failed to get image nope'),
    ({'source_type': 'snapshot', 'uuid': '66666666-6666-4666-8666-666666666666', 'destination_type': 'volume'},
     'SnapshotNotFound', 'Snapshot 66666666-6666-4666-8666-666666666666 could not be found'),
])
def test_without_an_image_the_boot_device_is_looked_up_first(root, nova_exception, words):
    """Issue 17 (3): get_bdm_image_metadata runs before every other BDM check - here a boot
    sequence that _validate_bdm would refuse comes second."""
    bad_second = {'source_type': 'blank', 'destination_type': 'local', 'boot_index': 2, 'volume_size': 1}
    with pytest.raises(_bdm.BDMError, match=words) as err:
        _bdm.build({'root_gb': 1, 'ephemeral_gb': 1, 'swap': 0}, [dict(root, boot_index=0), bad_second], None, None)
    assert err.value.details['nova_exception'] == nova_exception


def test_virtual_name_in_a_v2_mapping_passes_the_schema_and_is_refused_by_block_device_dict():
    """Issue 17 (5): Nova's v2 schema is the legacy one plus the new fields."""
    entry = {'source_type': 'blank', 'destination_type': 'local', 'boot_index': -1, 'virtual_name': 'swap'}
    with pytest.raises(_bdm.BDMError) as err:
        _bdm.build({'root_gb': 1, 'ephemeral_gb': 1, 'swap': 0}, _bdm.with_image_root([entry], 'img'), None, 'img')
    assert err.value.details['nova_exception'] == 'InvalidBDMFormat'


def test_the_schema_of_both_lists_comes_before_refusing_to_mix_them():
    """Issue 17 (5): a schema error in either list is Nova's ValidationError, not the mixing refusal."""
    v2 = [{'source_type': 'blank', 'destination_type': 'local', 'boot_index': 'first'}]
    legacy = [{'device_name': 'vdb', 'volume_size': 1}]
    with pytest.raises(_bdm.BDMError) as err:
        _bdm.build({'root_gb': 1, 'ephemeral_gb': 1, 'swap': 0}, v2, legacy, 'img')
    assert err.value.details['nova_exception'] == 'ValidationError'
    with pytest.raises(_bdm.BDMError) as err:
        _bdm.build({'root_gb': 1, 'ephemeral_gb': 1, 'swap': 0}, [dict(v2[0], boot_index=-1)], legacy, 'img')
    assert err.value.details['nova_exception'] == 'HTTPBadRequest'


@pytest.mark.parametrize('entry, words', [
    ({'source_type': 'blank', 'destination_type': 'local', 'boot_index': -1}, 'the ephemeral disk has no size'),
    ({'source_type': 'blank', 'destination_type': 'local', 'boot_index': -1, 'guest_format': 'swap',
      'device_name': 'vdc'}, 'the swap disk /dev/vdc has no size'),
])
def test_a_swap_or_ephemeral_disk_that_cannot_be_sized_is_refused(entry, words):
    """Issue 17 (1): Nova takes it as a disk of 0 bytes; novalite refuses it."""
    root = {'source_type': 'image', 'uuid': 'img', 'destination_type': 'local', 'boot_index': 0}
    bdms = _bdm.build({'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}, [root, entry], None, 'img', images={'img': {}})
    with pytest.raises(_bdm.BDMError, match=words):
        _bdm.check_sized(bdms)
