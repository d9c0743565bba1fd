import xml.etree.ElementTree as ET

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _instance_record as rec

FULL = {
    'uuid': '6f1b8c3e-0000-4000-8000-000000000001',
    'name': 'web-1',
    'display_name': 'web <1> & "friends"',
    'project_id': 'demo',
    'server_group': 'g1',
    'vm_state': 'active',
    'task_state': 'spawning',
    'created_at': '2026-11-21T03:00:00Z',
    'boot_from_volume': True,
    'flavor': {'name': 'm1.small', 'id': '2', 'vcpus': 1, 'memory_mb': 2048, 'root_gb': 20,
               'ephemeral_gb': 0, 'swap': 512, 'extra_specs': {'hw:cpu_cores': '2', 'quota:cpu_shares': '1024'}},
    'image': {'id': 'cirros', 'checksum': 'sha256:abc'},
    'ports': [{'network': 'net1', 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.5'}],
    'block_devices': [{'device_name': 'vda', 'source_type': 'image'}],
}


def test_round_trip_keeps_every_field():
    assert rec.from_element(ET.fromstring(rec.to_xml(FULL))) == FULL


def test_values_are_escaped_not_injected():
    xml = rec.to_xml({'uuid': 'u', 'name': '</novalite:name><evil/>'})
    root = ET.fromstring(xml)
    assert root.find('evil') is None and root.find('{%s}evil' % rec.NAMESPACE) is None
    assert rec.from_element(root)['name'] == '</novalite:name><evil/>'


def test_unset_fields_are_not_written():
    xml = rec.to_xml({'uuid': 'u'})
    assert 'vm_state' not in xml and 'flavor' not in xml


@pytest.mark.parametrize('domain_xml, expected', [
    ("<domain><name>x</name></domain>", None),
    ("<domain><metadata><other xmlns='urn:x'/></metadata></domain>", None),
    ("<domain><metadata><novalite:instance xmlns:novalite='%s'><uuid>u1</uuid>"
     "</novalite:instance></metadata></domain>" % rec.NAMESPACE, {'uuid': 'u1'}),
])
def test_from_domain_xml(domain_xml, expected):
    assert rec.from_domain_xml(domain_xml) == expected


@pytest.mark.parametrize('value', ['nul\x00', 'bell\x07', 'esc\x1b[0m'])
def test_values_xml_cannot_carry_are_refused(value):
    from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
    with pytest.raises(InvalidInput, match='^display_name .* contains control characters'):
        rec.to_xml({'uuid': 'u', 'display_name': value})


def test_reads_children_plain_or_namespaced():
    """defineXML keeps plain children; libvirt's setMetadata puts them in our namespace."""
    plain = rec.to_xml(FULL)
    namespaced = plain.replace('<', '<novalite:').replace('<novalite:/', '</novalite:').replace(
        '<novalite:novalite:', '<novalite:').replace('</novalite:novalite:', '</novalite:')
    assert rec.from_element(ET.fromstring(namespaced)) == FULL
