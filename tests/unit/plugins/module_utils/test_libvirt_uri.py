import pytest

from ansible_collections.novalite.compute.plugins.module_utils._errors import NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils._libvirt import validate_uri


@pytest.mark.parametrize('uri', [
    'qemu:///system', 'qemu+ssh://root@hv1/system', 'qemu+unix:///system?socket=/run/x.sock',
    'qemu+tls://hv1.example.com:16514/system', 'test:///default',
])
def test_valid_uris(uri):
    validate_uri(uri)


@pytest.mark.parametrize('uri', ['', 'bogus:::', 'not a uri', 'qemu:/system', '/var/run/libvirt-sock',
                                 'qemu:///system extra'])
def test_invalid_uris_name_the_uri(uri):
    with pytest.raises(NovaliteError) as err:
        validate_uri(uri)
    assert "'%s'" % uri in str(err.value) and 'not a libvirt URI' in str(err.value)
