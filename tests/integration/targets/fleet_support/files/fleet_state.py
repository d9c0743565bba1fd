"""fleet_state.py PREFIX NAME=URI...: what libvirt itself holds of the instances named
PREFIX* on each hypervisor, read with virsh (not with novalite's own code), as JSON:
{host: {domains: {name: state}, volumes: [names], ports: [{name, mac, ip}], records: {name: vm_state}}}."""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET


def virsh(uri, *args):
    out = subprocess.run(['virsh', '-q', '-c', uri] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, check=False)
    return out.stdout if out.returncode == 0 else ''


def host_state(prefix, uri):
    state = {'domains': {}, 'volumes': [], 'ports': [], 'records': {}}
    for name in virsh(uri, 'list', '--all', '--name').split():
        if not name.startswith(prefix):
            continue
        state['domains'][name] = virsh(uri, 'domstate', name).strip()
        xml = virsh(uri, 'dumpxml', '--inactive', name)
        match = re.search(r'<(?:\w+:)?vm_state>([^<]*)<', xml)
        state['records'][name] = match.group(1) if match else None
    for pool in ('novalite-instances', 'novalite-volumes'):
        virsh(uri, 'pool-refresh', pool)    # files QEMU made itself (console logs) show after a refresh
        for line in virsh(uri, 'vol-list', pool).splitlines():
            if line.split() and line.split()[0].startswith(prefix):
                state['volumes'].append('%s/%s' % (pool, line.split()[0]))
    for net in virsh(uri, 'net-list', '--all', '--name').split():
        xml = virsh(uri, 'net-dumpxml', '--inactive', net)
        if not xml:
            continue
        for host in ET.fromstring(xml).iter('host'):
            if (host.get('name') or '').startswith(prefix):
                state['ports'].append({'network': net, 'name': host.get('name'), 'mac': host.get('mac'),
                                       'ip': host.get('ip')})
    return state


def main():
    prefix = sys.argv[1]
    hosts = dict(arg.split('=', 1) for arg in sys.argv[2:])
    print(json.dumps({name: host_state(prefix, uri) for name, uri in hosts.items()}, sort_keys=True))


if __name__ == '__main__':
    main()
