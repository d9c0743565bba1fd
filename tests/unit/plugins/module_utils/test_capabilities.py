import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _capabilities as caps

CAPS = """<capabilities>
  <host>
    <cpu>
      <arch>x86_64</arch><model>EPYC</model><vendor>AMD</vendor>
      <topology sockets='1' dies='1' cores='4' threads='2'/>
      <maxphysaddr mode='emulate' bits='48'/>
      <feature name='vmx'/><feature name='avx2'/><feature name='avx2'/>
    </cpu>
  </host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='i686'><domain type='qemu'/></arch>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'><domain type='qemu'/><domain type='kvm'/></arch>
  </guest>
</capabilities>"""


def test_cpu_info():
    assert caps.cpu_info(CAPS) == {
        'arch': 'x86_64', 'model': 'EPYC', 'vendor': 'AMD',
        'topology': {'sockets': 1, 'dies': 1, 'cores': 4, 'threads': 2},
        'features': ['avx2', 'vmx'],
        'maxphysaddr': {'mode': 'emulate', 'bits': 48},
    }


def test_cpu_info_without_host_cpu():
    assert caps.cpu_info('<capabilities><host/></capabilities>') == {}


def test_supported_instances_in_order_without_duplicates():
    assert caps.supported_instances(CAPS) == [['i686', 'qemu', 'hvm'], ['x86_64', 'qemu', 'hvm'],
                                              ['x86_64', 'kvm', 'hvm']]


def test_virt_types_only_for_the_host_arch():
    assert caps.virt_types(CAPS) == ['qemu', 'kvm']


@pytest.mark.parametrize('func, value, expected', [
    (caps.canonical_arch, 'AMD64', 'x86_64'),
    (caps.canonical_arch, 'i386', 'i686'),
    (caps.canonical_arch, 'x86_32p', 'i686'),
    (caps.canonical_arch, 'aarch64', 'aarch64'),
    (caps.canonical_arch, None, None),
    (caps.canonical_hv_type, 'xapi', 'xen'),
    (caps.canonical_hv_type, 'QEMU', 'qemu'),
    (caps.canonical_vm_mode, 'pv', 'xen'),
    (caps.canonical_vm_mode, 'hv', 'hvm'),
    (caps.canonical_vm_mode, 'baremetal', 'hvm'),
    (caps.canonical_vm_mode, 'exe', 'exe'),
])
def test_canonical_names(func, value, expected):
    assert func(value) == expected
