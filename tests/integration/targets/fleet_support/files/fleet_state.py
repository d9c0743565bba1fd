"""fleet_state.py PREFIX NAME=URI...: what libvirt itself holds of the instances named
PREFIX* on each hypervisor, read with libvirt-python directly (not with novalite's own code),
one connection per hypervisor, the hypervisors at once, as JSON:
{host: {domains: {name: state}, volumes: [names], ports: [{name, mac, ip}], records: {name: vm_state}}}.
Domain states are virsh's words (running, shut off, paused, ...); a hypervisor that cannot be
reached shows nothing. (It ran dozens of virsh processes over ssh per call before: 5-20 s a call.)"""
import json
import re
import sys
import threading
import xml.etree.ElementTree as ET

import libvirt

# virsh domstate's words for libvirt's domain states
STATES = {libvirt.VIR_DOMAIN_NOSTATE: 'no state', libvirt.VIR_DOMAIN_RUNNING: 'running',
          libvirt.VIR_DOMAIN_BLOCKED: 'idle', libvirt.VIR_DOMAIN_PAUSED: 'paused',
          libvirt.VIR_DOMAIN_SHUTDOWN: 'in shutdown', libvirt.VIR_DOMAIN_SHUTOFF: 'shut off',
          libvirt.VIR_DOMAIN_CRASHED: 'crashed', libvirt.VIR_DOMAIN_PMSUSPENDED: 'pmsuspended'}


def host_state(prefix, uri):
    state = {'domains': {}, 'volumes': [], 'ports': [], 'records': {}}
    try:
        conn = libvirt.open(uri)
    except libvirt.libvirtError:
        return state
    try:
        for dom in sorted(conn.listAllDomains(0), key=lambda d: d.name()):
            name = dom.name()
            if not name.startswith(prefix):
                continue
            try:
                state['domains'][name] = STATES.get(dom.state()[0], 'unknown')
                xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
            except libvirt.libvirtError:
                continue                     # gone while listing
            match = re.search(r'<(?:\w+:)?vm_state>([^<]*)<', xml)
            state['records'][name] = match.group(1) if match else None
        for pool_name in ('novalite-instances', 'novalite-volumes'):
            try:
                pool = conn.storagePoolLookupByName(pool_name)
            except libvirt.libvirtError:
                continue
            try:
                pool.refresh(0)              # files QEMU made itself (console logs) show after a refresh
            except libvirt.libvirtError:
                pass
            names = sorted(vol.name() for vol in pool.listAllVolumes(0))
            state['volumes'] += ['%s/%s' % (pool_name, n) for n in names if n.startswith(prefix)]
        for net in sorted(conn.listAllNetworks(0), key=lambda n: n.name()):
            try:
                xml = net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)
            except libvirt.libvirtError:
                continue
            for host in ET.fromstring(xml).iter('host'):
                if (host.get('name') or '').startswith(prefix):
                    state['ports'].append({'network': net.name(), 'name': host.get('name'), 'mac': host.get('mac'),
                                           'ip': host.get('ip')})
    except libvirt.libvirtError:
        pass
    finally:
        conn.close()
    return state


def main():
    libvirt.registerErrorHandler(lambda *a: None, None)
    prefix = sys.argv[1]
    hosts = dict(arg.split('=', 1) for arg in sys.argv[2:])
    result = {}

    def read(name, uri):
        result[name] = host_state(prefix, uri)

    threads = [threading.Thread(target=read, args=item) for item in hosts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(result, sort_keys=True))


if __name__ == '__main__':
    main()
