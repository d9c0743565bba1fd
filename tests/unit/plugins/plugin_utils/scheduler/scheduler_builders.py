"""Builders shared by the scheduler tests: host states as host_facts reports them."""

NOW = '2026-11-21T12:00:00Z'


def host(vcpus=8, memory_mb=16384, local_gb=100, vcpus_used=0, memory_mb_used=512, local_gb_used=0, **extra):
    state = {
        'vcpus': vcpus, 'memory_mb': memory_mb, 'local_gb': local_gb, 'vcpus_used': vcpus_used,
        'memory_mb_used': memory_mb_used, 'local_gb_used': local_gb_used,
        'free_ram_mb': memory_mb - memory_mb_used, 'free_disk_gb': local_gb - local_gb_used,
        'reserved_host_memory_mb': 512, 'reserved_host_cpus': 0, 'reserved_host_disk_mb': 0,
        'hypervisor_type': 'QEMU', 'hypervisor_version': 7002022, 'num_instances': 0, 'num_io_ops': 0,
        'supported_instances': [['x86_64', 'qemu', 'hvm'], ['x86_64', 'kvm', 'hvm']],
        'cpu_info': {'arch': 'x86_64', 'model': 'EPYC', 'vendor': 'AMD', 'features': ['avx', 'avx2'],
                     'maxphysaddr': {'mode': 'emulate', 'bits': 48}},
        'instances': {}, 'failed_builds': 0, 'updated': NOW,
    }
    state.update(extra)
    return state


FLAVOR = {'name': 'm1.small', 'vcpus': 1, 'memory_mb': 1024, 'root_gb': 10, 'ephemeral_gb': 0, 'swap': 0}


def request(**fields):
    req = {'flavor': dict(FLAVOR)}
    req.update(fields)
    return req


def options(**extra):
    opts = {'now': NOW}
    opts.update(extra)
    return opts
