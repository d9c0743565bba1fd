import struct

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _image
from ansible_collections.novalite.compute.plugins.module_utils import _image_cache
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

SHA = 'a' * 64
ENTRY = {'name': 'debian-12', 'source': 'https://images.example/debian.qcow2', 'checksum': 'sha256:' + SHA}


def entry(**fields):
    e = dict(ENTRY)
    e.update(fields)
    return e


@pytest.mark.parametrize('value, expected', [
    ('sha256:' + SHA, ('sha256', SHA)),
    (SHA.upper(), ('sha256', SHA)),                      # bare hex is sha256
    ('MD5:' + 'b' * 32, ('md5', 'b' * 32)),
    ('sha512:' + 'c' * 128, ('sha512', 'c' * 128)),
])
def test_parse_checksum(value, expected):
    assert _image.parse_checksum(value, 'image') == expected


@pytest.mark.parametrize('value', ['sha256:abc', 'sha1:' + 'a' * 40, 'md5:' + 'z' * 32, 12, None, 'sha256:' + 'a' * 63])
def test_bad_checksums(value):
    with pytest.raises(InvalidInput, match='checksum'):
        _image.parse_checksum(value, 'image')


def test_validate_and_names():
    image = _image.validate(entry(properties={'hw_disk_bus': 'virtio', 'custom': 1}))
    assert image['volume'] == 'sha256-' + SHA
    assert image['disk_format'] == 'qcow2' and image['checksum'] == 'sha256:' + SHA
    assert image['properties']['custom'] == 1                     # unknown properties pass through
    assert _image.data_volume_name('sha256', SHA, 'x1') == 'data-sha256-%s-x1' % SHA
    assert _image.data_volume_of('data-sha256-%s-x1' % SHA, 'sha256', SHA)
    assert not _image.data_volume_of('data-sha256-%s-x1' % ('b' * 64), 'sha256', SHA)
    assert _image.validate(entry(source='file:///srv/img.raw'))['source'] == '/srv/img.raw'


@pytest.mark.parametrize('fields, message', [
    ({'name': '../etc'}, "novalite_images[0].name '../etc' is not a valid image name"),
    ({'name': 'a/b'}, "novalite_images[0].name 'a/b' is not a valid image name"),
    ({'name': 'a<b&c'}, "novalite_images[0].name 'a<b&c' is not a valid image name"),
    ({'format': 'qcow2'}, 'novalite_images[0] has unknown field(s) format'),
    ({'source': 'relative/path.img'}, "image 'debian-12': source 'relative/path.img' must be an http(s) URL"),
    ({'source': '/srv/../etc/shadow'}, "image 'debian-12': source '/srv/../etc/shadow' must be"),
    ({'source': 'ftp://host/x'}, "image 'debian-12': source 'ftp://host/x' must be"),
    ({'source': None}, "image 'debian-12': source must be"),
    ({'checksum': 'nope'}, "image 'debian-12': checksum 'nope' is not"),
    ({'disk_format': 'vmdk'}, "image 'debian-12': disk_format must be one of qcow2, raw, aki, ari, got 'vmdk'"),
    ({'min_ram': -1}, "image 'debian-12': min_ram must be an integer of at least 0"),
    ({'min_disk': '5'}, "image 'debian-12': min_disk must be an integer of at least 0"),
    ({'properties': {'hw_disk_bus': 'nvme0'}}, "image 'debian-12': properties.hw_disk_bus must be one of"),
    ({'properties': {'hw_firmware_type': 'coreboot'}}, "image 'debian-12': properties.hw_firmware_type must be one of bios, uefi"),
    ({'properties': {'img_config_drive': 'always'}}, "image 'debian-12': properties.img_config_drive must be one of optional, mandatory"),
    ({'properties': {'img_hv_requested_version': 'latest'}}, "image 'debian-12': properties.img_hv_requested_version must be a version"),
    ({'properties': {'kernel_id': ''}}, "image 'debian-12': properties.kernel_id must be a non-empty string"),
    ({'properties': {'hw_maxphysaddr_bits': 500}}, "image 'debian-12': properties.hw_maxphysaddr_bits must be an integer from 1 to 128"),
    ({'properties': 'x'}, "image 'debian-12': properties must be a dict"),
])
def test_validation_errors_name_the_field(fields, message):
    with pytest.raises(InvalidInput) as err:
        _image.validate(entry(**fields), 0)
    assert str(err.value).startswith(message)


def test_resolve():
    kernel = {'name': 'k', 'source': '/k', 'checksum': SHA, 'disk_format': 'aki'}
    catalog = [entry(properties={'kernel_id': 'k'}), kernel]
    assert _image.resolve(catalog, 'debian-12')['properties']['kernel_id'] == 'k'
    with pytest.raises(InvalidInput, match="image 'nope' not found; known: debian-12, k"):
        _image.resolve(catalog, 'nope')
    with pytest.raises(InvalidInput, match="properties.kernel_id 'zz' is not in the catalog"):
        _image.resolve([entry(properties={'kernel_id': 'zz'})], 'debian-12')
    with pytest.raises(InvalidInput, match='more than once'):
        _image.resolve([entry(), entry()], 'debian-12')


def qcow2_header(size, backing=b''):
    offset = 512 if backing else 0
    head = struct.pack('>4sIQIIQ', b'QFI\xfb', 3, offset, len(backing), 16, size)
    return (head + b'\0' * (512 - len(head)) + backing).ljust(65536, b'\0')


@pytest.mark.parametrize('header, size, expected', [
    (qcow2_header(10 * 1024 ** 3), 200000, {'format': 'qcow2', 'virtual_size': 10 * 1024 ** 3, 'backing_file': None}),
    (qcow2_header(1024, b'/base.img'), 9000, {'format': 'qcow2', 'virtual_size': 1024, 'backing_file': '/base.img'}),
    (b'\0' * 65536, 123456, {'format': 'raw', 'virtual_size': 123456, 'backing_file': None}),
    (b'KDMV' + b'\0' * 100, 5, {'format': 'vmdk'}),
    (b'conectix' + b'\0' * 100, 5, {'format': 'vpc'}),
    (b'\0' * 0x8001 + b'CD001' + b'\0' * 10, 5, {'format': 'iso'}),
    (b'QED\0' + b'\0' * 100, 5, {'format': 'qed'}),
])
def test_inspect(header, size, expected):
    info = _image.inspect(header, size)
    assert {k: info[k] for k in expected} == expected


@pytest.mark.parametrize('disk_format, header, message', [
    ('qcow2', b'\0' * 65536, "the file is raw, but disk_format says qcow2"),
    ('raw', qcow2_header(1024), "the file is qcow2, but disk_format says raw"),
    ('qcow2', qcow2_header(1024, b'/base.img'), 'the qcow2 file has a backing file (/base.img)'),
    ('aki', b'\0' * 65536, None),
    ('qcow2', qcow2_header(1024), None),
])
def test_check_file(disk_format, header, message):
    image = _image.validate(entry(disk_format=disk_format))
    info = _image.inspect(header, len(header))
    if message is None:
        _image.check_file(image, info)
    else:
        with pytest.raises(InvalidInput) as err:
            _image.check_file(image, info)
        assert message in str(err.value)


def vol(path, backing=None, mtime=None):
    xml = '<volume><target><path>%s</path>%s</target>%s</volume>' % (
        path, '<timestamps><mtime>%s</mtime></timestamps>' % mtime if mtime is not None else '',
        '<backingStore><path>%s</path></backingStore>' % backing if backing else '')
    return {'path': path, 'xml': xml}


def test_partials_are_unused_data_volumes_past_their_age():
    cache = _image_cache.ImageCache.__new__(_image_cache.ImageCache)
    cache.volumes = {
        'sha256-a': vol('/p/sha256-a', backing='/p/data-sha256-a-1'),
        'data-sha256-a-1': vol('/p/data-sha256-a-1', mtime=0),          # published: kept
        'data-sha256-b-2': vol('/p/data-sha256-b-2', mtime=100),        # dead upload
        'data-sha256-c-3': vol('/p/data-sha256-c-3', mtime=990),        # still being written
        'other': vol('/p/other', mtime=0),
    }
    assert cache.partials(now=1000, max_age=60) == ['data-sha256-b-2']
    assert cache.partials(now=1000, max_age=0) == ['data-sha256-b-2', 'data-sha256-c-3']


def test_volume_xml_is_built_escaped():
    xml = _image_cache.view_volume_xml('sha256-a', 1024, '/p/data & <x>', 'qcow2')
    assert _image_cache.backing_path(xml) == '/p/data & <x>'
    assert '<format type="qcow2" />' in xml or "<format type='qcow2'" in xml or 'type="qcow2"' in xml


def test_domain_paths():
    xml = """<domain><os><kernel>/p/k</kernel><initrd>/p/i</initrd></os><devices>
      <disk><source file='/p/disk'/><backingStore><source file='/p/sha256-a'/></backingStore></disk>
      <disk type='block'><source dev='/dev/sdb'/></disk><interface><source network='default'/></interface>
    </devices></domain>"""
    assert _image_cache.domain_paths(xml) == {'/p/k', '/p/i', '/p/disk', '/p/sha256-a', '/dev/sdb'}
