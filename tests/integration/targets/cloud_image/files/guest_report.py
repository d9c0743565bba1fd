"""Run inside a booted guest as root (ssh ... sudo python3 - < guest_report.py): what the
test asserts, as one JSON document - cloud-init's view and the system's own."""
import json
import os
import subprocess


def out(*argv):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          check=False).stdout


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def config_drive():
    """network_data.json as the config drive carries it (the drive labelled config-2)."""
    os.makedirs('/mnt/config-2', exist_ok=True)
    subprocess.run(['mount', '-o', 'ro', '-L', 'config-2', '/mnt/config-2'], check=False)
    try:
        return json.loads(read('/mnt/config-2/openstack/latest/network_data.json') or 'null')
    finally:
        subprocess.run(['umount', '/mnt/config-2'], check=False)


root = os.statvfs('/')
print(json.dumps({
    'hostname': out('hostname').strip(),
    'fqdn': out('hostname', '-f').strip(),
    'user_data_file': read('/etc/novalite-test'),
    'runcmd_file': read('/var/tmp/novalite-runcmd'),
    'addresses': json.loads(out('ip', '-j', 'addr')),
    'routes': json.loads(out('ip', '-j', 'route')),
    'resolv_conf': read('/etc/resolv.conf'),
    'cloud_init_status': out('cloud-init', 'status', '--long'),
    'cloud_init_result': json.loads(read('/run/cloud-init/result.json') or 'null'),
    'instance_id': (read('/var/lib/cloud/data/instance-id') or '').strip(),
    'instance_data': json.loads(read('/run/cloud-init/instance-data.json') or 'null'),
    'network_data': config_drive(),
    'root_fs_bytes': root.f_blocks * root.f_frsize,
    'root_disk_bytes': int(out('lsblk', '-bdno', 'SIZE', '/dev/vda').strip() or 0),
    'uptime': read('/proc/uptime'),
}))
