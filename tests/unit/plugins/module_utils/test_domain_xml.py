import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml as dx
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

FLAVOR = {'vcpus': 4, 'memory_mb': 2048}
DISKS = [{'path': '/var/lib/libvirt/novalite/instances/web-1_disk', 'dev': 'vda', 'disk_bus': 'virtio'},
         {'path': '/var/lib/libvirt/novalite/instances/web-1_disk.eph0', 'dev': 'vdb', 'disk_bus': 'virtio'}]
PORTS = [{'mac_address': 'fa:16:3e:00:00:01', 'network': 'tenant',
          'fixed_ips': [{'ip_address': '10.0.0.5'}]}]
SETTINGS = {'virt_type': 'qemu', 'serial_log': '/var/lib/libvirt/novalite/instances/web-1.console.log',
            'nvram': '/var/lib/libvirt/qemu/nvram/web-1_VARS.fd'}
INSTANCE = {'name': 'web-1', 'uuid': '6f1b8c3e-0000-4000-8000-000000000001',
            'record': {'uuid': '6f1b8c3e-0000-4000-8000-000000000001', 'name': 'web-1', 'vm_state': 'building',
                       'task_state': 'spawning', 'flavor': {'name': 'm1', 'vcpus': 4, 'memory_mb': 2048}}}


def build(instance=None, flavor=None, guest=None, image=None, disks=None, ports=None, **settings):
    merged = dict(SETTINGS)
    merged.update(settings)
    return dx.build(instance or INSTANCE, flavor or FLAVOR, guest or {}, image or {},
                    DISKS if disks is None else disks, PORTS if ports is None else ports, merged)


def validate(xml, tmp_path):
    """libvirt's own schema (virt-xml-validate, from libvirt-clients)."""
    if not shutil.which('virt-xml-validate'):
        pytest.fail('virt-xml-validate is missing: install libvirt-clients and libxml2-utils (make setup does)')
    path = os.path.join(str(tmp_path), 'domain.xml')
    with open(path, 'w') as f:
        f.write(xml)
    proc = subprocess.run(['virt-xml-validate', path, 'domain'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stdout + xml


CASES = {
    'plain': {},
    'kvm': dict(virt_type='kvm'),
    'topology and tuning': dict(guest={'cpu_topology': {'sockets': 2, 'cores': 2, 'threads': 1},
                                       'cputune': {'shares': 1024, 'period': 100000, 'quota': 50000},
                                       'disk_iotune': {'disk_read_bytes_sec': 1048576, 'disk_write_iops_sec': 100},
                                       'vif_bandwidth': {'vif_inbound_average': 1000, 'vif_outbound_peak': 2000},
                                       'watchdog_action': 'reset', 'rate_bytes': 1024, 'rate_period': 2000}),
    'hugepages': dict(guest={'mem_page_size': '2048'}),
    'large pages': dict(guest={'mem_page_size': 'large'}),
    'no rng, no graphics': dict(guest={'rng_allowed': False}, graphics='none'),
    'spice': dict(graphics='spice'),
    'uefi q35 scsi e1000': dict(image={'properties': {'hw_firmware_type': 'uefi', 'hw_machine_type': 'q35',
                                                      'hw_vif_model': 'e1000'}},
                                disks=[{'path': '/p/d', 'dev': 'sda', 'disk_bus': 'scsi'}]),
    'direct kernel boot': dict(image={'kernel': '/p/vmlinuz', 'ramdisk': '/p/initrd.gz',
                                      'properties': {'os_command_line': 'console=ttyS0 quiet'}}),
    'config drive': dict(config_drive='/p/web-1_disk.config'),
    'filtered port': dict(ports=[dict(PORTS[0], filterref='novalite-sg-default')]),
    'no disks no ports': dict(disks=[], ports=[]),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_every_variant_passes_libvirts_schema(case, tmp_path):
    validate(build(**CASES[case]), tmp_path)


def test_fragments():
    root = ET.fromstring(build(**CASES['topology and tuning']))
    assert root.get('type') == 'qemu' and root.findtext('vcpu') == '4' and root.findtext('memory') == '2048'
    assert root.find('cpu/topology').attrib == {'sockets': '2', 'dies': '1', 'cores': '2', 'threads': '1'}
    assert root.findtext('cputune/shares') == '1024' and root.findtext('cputune/quota') == '50000'
    assert root.findtext('devices/disk/iotune/read_bytes_sec') == '1048576'
    assert root.find('devices/interface/bandwidth/inbound').get('average') == '1000'
    assert root.find('devices/watchdog').get('action') == 'reset'
    assert root.find('devices/graphics').get('listen') == '127.0.0.1'      # VNC on localhost only
    assert [d.find('target').get('dev') for d in root.findall('devices/disk')] == ['vda', 'vdb']
    assert root.find('devices/interface/mac').get('address') == 'fa:16:3e:00:00:01'
    assert root.find('devices/serial/source').get('path') == SETTINGS['serial_log']
    record = _instance_record.from_domain_xml(ET.tostring(root, encoding='unicode'))
    assert record['vm_state'] == 'building' and record['task_state'] == 'spawning'


def test_uefi_has_its_own_nvram_and_direct_boot_its_kernel():
    uefi = ET.fromstring(build(**CASES['uefi q35 scsi e1000']))
    assert uefi.find('os').get('firmware') == 'efi' and uefi.findtext('os/nvram') == SETTINGS['nvram']
    assert uefi.find('os/type').get('machine') == 'q35' and uefi.find('devices/interface/model').get('type') == 'e1000'
    direct = ET.fromstring(build(**CASES['direct kernel boot']))
    assert direct.findtext('os/kernel') == '/p/vmlinuz' and direct.findtext('os/initrd') == '/p/initrd.gz'
    assert direct.findtext('os/cmdline') == 'console=ttyS0 quiet' and direct.find('os/boot') is None


def test_config_drive_is_a_readonly_ide_cdrom():
    cdrom = [d for d in ET.fromstring(build(**CASES['config drive'])).findall('devices/disk') if d.get('device') == 'cdrom']
    assert len(cdrom) == 1 and cdrom[0].find('target').attrib == {'dev': 'hda', 'bus': 'ide'}
    assert cdrom[0].find('readonly') is not None and cdrom[0].find('driver').get('type') == 'raw'


@pytest.mark.parametrize('display_name', ['web <1> & "friends"', "it's", '</name><devices/>', 'x' * 300,
                                          'tab\there', 'ünïcødé'])
def test_values_are_escaped_never_injected(display_name, tmp_path):
    instance = dict(INSTANCE, record=dict(INSTANCE['record'], display_name=display_name,
                                          fault=display_name, key_name=display_name))
    xml = build(instance=instance)
    validate(xml, tmp_path)
    root = ET.fromstring(xml)
    assert len(root.findall('devices')) == 1
    assert _instance_record.from_domain_xml(xml)['display_name'] == display_name


@pytest.mark.parametrize('name', ['', 'a/b', '..', 'x..y', 'bad\x00name', 'new\nline', 'x' * 256])
def test_bad_names_are_refused(name):
    with pytest.raises(InvalidInput, match='^name '):
        build(instance=dict(INSTANCE, name=name))


def test_virt_type_must_be_known():
    with pytest.raises(InvalidInput, match="virt_type must be one of kvm, qemu, got 'xen'"):
        build(virt_type='xen')
