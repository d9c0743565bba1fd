"""A fleet of real libvirt hypervisors on one machine, for tests.

Each hypervisor is an independent libvirtd (with its own virtlogd, networks, dnsmasq,
storage pools and QEMU guests) in its own network namespace and mount namespace, reached
through its own socket exactly as a remote hypervisor is reached by URI:

    qemu+unix:///system?socket=<dir>/hvN/run/libvirt-sock

    hypervisors.py up N     bring up hv1..hvN (those already up are kept); write
                            <dir>/inventory.yml and <dir>/integration_config.yml
    hypervisors.py down     stop every harness hypervisor, leaving no daemon, qemu process,
                            mount, network namespace (and so no bridge) or file behind
    hypervisors.py status   print the harness as JSON; exit 1 if anything is left over
                            while no hypervisor is up
    hypervisors.py restart hvN [--down S]
                            stop hvN's libvirtd (SIGTERM), leave it down S seconds, start it
                            again in the same namespaces (its guests, dnsmasq and virtlogd
                            keep running, as on a host whose libvirtd is restarted)
    hypervisors.py exec hvN -- COMMAND...
                            run COMMAND in hvN's namespaces (network, mount, host name)
The directory is $NOVALITE_HARNESS_DIR (default /var/tmp/novalite-harness).
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HARNESS_DIR = os.path.abspath(os.environ.get('NOVALITE_HARNESS_DIR', '/var/tmp/novalite-harness'))
# Network namespace names are machine-wide: tie them to the harness directory so that two
# harnesses (a test of the harness itself, the integration one) never touch each other.
NETNS_PREFIX = 'novalite-%s-hv' % hashlib.sha1(HARNESS_DIR.encode()).hexdigest()[:6]
GUEST_DIR = os.environ.get('NOVALITE_GUEST_DIR', '/var/cache/novalite/guest')

# Runs inside the host's own network namespace (ip netns exec) and private mount and UTS
# namespaces (so each hypervisor has its own host name):
# libvirt's directories are replaced by the host's own, then libvirtd runs in the foreground.
INNER = r'''
set -e
hostname "$H"
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mkdir -p /run/libvirt /run/lock
mount --bind "$R/run" /run/libvirt
mount --bind "$R/lib" /var/lib/libvirt
mount --bind "$R/log" /var/log/libvirt
mount --bind "$R/cache" /var/cache/libvirt
mount --bind "$R/etc" /etc/libvirt
ip link set lo up
virtlogd -d
exec libvirtd
'''


def uri_of(root):
    return 'qemu+unix:///system?socket=%s/run/libvirt-sock' % root


def run(*argv, check=True):
    return subprocess.run(argv, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def netns_list():
    out = run('ip', 'netns', 'list', check=False).stdout
    return sorted((line.split()[0] for line in out.splitlines() if line.startswith(NETNS_PREFIX)),
                  key=lambda n: int(n[len(NETNS_PREFIX):]))


def netns_pids(ns):
    out = run('ip', 'netns', 'pids', ns, check=False).stdout
    return [int(p) for p in out.split()]


def answers(uri):
    return run('virsh', '-c', uri, 'version', check=False).returncode == 0


def packaged(name):
    """Whether the nwfilter file is one libvirt ships (its package installs them from here)."""
    return os.path.exists(os.path.join('/usr/share/libvirt/nwfilter', name))


def prepare_root(root):
    """A fresh hypervisor's directories: the system's libvirt config without its objects."""
    for sub in ('run', 'log/qemu', 'cache', 'lib/images', 'lib/qemu', 'lib/network', 'lib/dnsmasq'):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    etc = os.path.join(root, 'etc')
    if not os.path.isdir(etc):
        # Not the host's pools, domains, secrets or autostart links: a new hypervisor has none.
        shutil.copytree('/etc/libvirt', etc, symlinks=True, ignore=shutil.ignore_patterns(
            'storage', 'secrets', 'autostart', '*.xml.bak'))
        # Nor the machine's domains, networks (the demo's, molecule's) or nwfilters: only the
        # filters libvirt's packages ship, as on a freshly installed hypervisor.
        qemu = os.path.join(etc, 'qemu')
        for name in os.listdir(qemu):
            if name.endswith('.xml'):
                os.unlink(os.path.join(qemu, name))
        shutil.rmtree(os.path.join(qemu, 'networks'), ignore_errors=True)
        os.makedirs(os.path.join(qemu, 'networks', 'autostart'))
        nwfilter = os.path.join(etc, 'nwfilter')
        for name in os.listdir(nwfilter) if os.path.isdir(nwfilter) else []:
            if not packaged(name):
                os.unlink(os.path.join(nwfilter, name))
    # QEMU's capabilities cache: saves each new libvirtd probing the same binary again.
    src = '/var/cache/libvirt/qemu/capabilities'
    dst = os.path.join(root, 'cache', 'qemu', 'capabilities')
    if os.path.isdir(src) and not os.path.isdir(dst):
        shutil.copytree(src, dst)


def start(index, base):
    ns = '%s%d' % (NETNS_PREFIX, index)
    root = os.path.join(base, 'hv%d' % index)
    uri = uri_of(root)
    if ns in netns_list() and answers(uri):
        return {'name': 'hv%d' % index, 'uri': uri, 'root': root, 'netns': ns}
    stop(ns, root)
    prepare_root(root)
    run('ip', 'netns', 'add', ns)
    with open(os.path.join(root, 'log', 'libvirtd.out'), 'ab') as out:
        subprocess.Popen(['ip', 'netns', 'exec', ns, 'unshare', '--mount', '--uts', '--fork', 'sh', '-c', INNER],
                         env=dict(os.environ, R=root, H='hv%d' % index), stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.monotonic() + 60
    while not answers(uri):
        if time.monotonic() > deadline:
            raise SystemExit('hv%d did not answer on %s within 60 s; see %s/log/libvirtd.out' % (index, uri, root))
        time.sleep(0.2)
    return {'name': 'hv%d' % index, 'uri': uri, 'root': root, 'netns': ns}


def stop(ns, root):
    """Kill everything in the namespace (libvirtd, virtlogd, dnsmasq, qemu), then drop it."""
    if ns in netns_list():
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            pids = netns_pids(ns)
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while netns_pids(ns) and time.monotonic() < deadline:
                time.sleep(0.1)
            if not netns_pids(ns):
                break
        if netns_pids(ns):
            raise SystemExit('processes of %s survived SIGKILL: %s' % (ns, netns_pids(ns)))
        run('ip', 'netns', 'del', ns)
    shutil.rmtree(root, ignore_errors=True)


def comm(pid):
    try:
        with open('/proc/%d/comm' % pid) as f:
            return f.read().strip()
    except OSError:
        return None


def anchor(ns):
    """A process that stays in the host's namespaces while libvirtd is down: its virtlogd."""
    pids = [p for p in netns_pids(ns) if comm(p) == 'virtlogd']
    if not pids:
        raise SystemExit('no virtlogd in %s' % ns)
    return pids[0]


def in_host(ns, argv):
    return ['nsenter', '-t', str(anchor(ns)), '-m', '-u', '-n', '--'] + list(argv)


def restart(index, base, down):
    ns, uri = '%s%d' % (NETNS_PREFIX, index), uri_of(os.path.join(base, 'hv%d' % index))
    daemons = [p for p in netns_pids(ns) if comm(p) == 'libvirtd']
    holder = anchor(ns)
    for pid in daemons:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while any(comm(p) == 'libvirtd' for p in daemons):
        if time.monotonic() > deadline:
            for pid in daemons:
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    time.sleep(down)
    with open(os.path.join(base, 'hv%d' % index, 'log', 'libvirtd.out'), 'ab') as out:
        subprocess.run(['nsenter', '-t', str(holder), '-m', '-u', '-n', '--', 'libvirtd', '-d'], check=True,
                       stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while not answers(uri):
        if time.monotonic() > deadline:
            raise SystemExit('hv%d did not answer again within 60 s' % index)
        time.sleep(0.2)


def leftovers(base):
    """Anything of the harness still on the machine."""
    found = []
    for ns in netns_list():
        found.append('network namespace %s' % ns)
    with open('/proc/self/mountinfo') as f:
        for line in f:
            if base in line:
                found.append('mount %s' % line.split()[4])
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmdline = f.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if base in cmdline and int(pid) != os.getpid():
            found.append('process %s: %s' % (pid, cmdline[:120]))
    hosts = os.listdir(base) if os.path.isdir(base) else []
    found.extend('directory %s' % os.path.join(base, d) for d in hosts if d.startswith('hv'))
    return found


def write_outputs(base, hosts):
    for h in hosts:
        h['nvram_dir'] = os.path.join(h['root'], 'lib', 'qemu', 'nvram')
    config = {
        'novalite_harness': {'dir': base, 'hosts': hosts, 'script': os.path.abspath(__file__)},
        'novalite_guest': {
            'dir': GUEST_DIR,
            'qcow2': os.path.join(GUEST_DIR, 'guest.qcow2'),
            'kernel': os.path.join(GUEST_DIR, 'vmlinuz'),
            'ramdisk': os.path.join(GUEST_DIR, 'initrd.gz'),
        },
    }
    # JSON is YAML: no YAML library needed in this script.
    with open(os.path.join(base, 'integration_config.yml'), 'w') as f:
        json.dump(config, f, indent=2)
    inventory = {'all': {'children': {'compute_hosts': {'hosts': {
        h['name']: {'ansible_connection': 'local', 'novalite_uri': h['uri'], 'novalite_virt_type': 'qemu',
                    'novalite_harness_root': h['root'], 'novalite_nvram_dir': h['nvram_dir']} for h in hosts}}}}}
    with open(os.path.join(base, 'inventory.yml'), 'w') as f:
        json.dump(inventory, f, indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    up = sub.add_parser('up')
    up.add_argument('count', type=int)
    sub.add_parser('down')
    sub.add_parser('status')
    again = sub.add_parser('restart')
    again.add_argument('host')
    again.add_argument('--down', type=float, default=0)
    inside = sub.add_parser('exec')
    inside.add_argument('host')
    inside.add_argument('argv', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    base = HARNESS_DIR
    os.makedirs(base, exist_ok=True)

    if args.command == 'up':
        hosts = [start(i, base) for i in range(1, args.count + 1)]
        for ns in netns_list():  # hosts beyond the requested count
            if int(ns[len(NETNS_PREFIX):]) > args.count:
                stop(ns, os.path.join(base, 'hv' + ns[len(NETNS_PREFIX):]))
        write_outputs(base, hosts)
        print(json.dumps({'hosts': hosts}, indent=2))
    elif args.command == 'down':
        for ns in netns_list():
            stop(ns, os.path.join(base, 'hv' + ns[len(NETNS_PREFIX):]))
        for name in os.listdir(base):
            path = os.path.join(base, name)
            if name.startswith('hv'):
                shutil.rmtree(path, ignore_errors=True)
            elif name in ('inventory.yml', 'integration_config.yml'):
                os.unlink(path)
        left = leftovers(base)
        if left:
            print('\n'.join(['left behind:'] + left), file=sys.stderr)
            return 1
        print('harness down, nothing left behind')
    elif args.command == 'restart':
        restart(int(args.host[len('hv'):]), base, args.down)
        print('%s: libvirtd restarted' % args.host)
    elif args.command == 'exec':
        argv = args.argv[1:] if args.argv[:1] == ['--'] else args.argv
        return subprocess.run(in_host('%s%d' % (NETNS_PREFIX, int(args.host[len('hv'):])), argv),
                              check=False).returncode
    else:
        hosts = [{'netns': ns, 'uri': uri_of(os.path.join(base, 'hv' + ns[len(NETNS_PREFIX):])),
                  'answers': answers(uri_of(os.path.join(base, 'hv' + ns[len(NETNS_PREFIX):])))}
                 for ns in netns_list()]
        left = [] if hosts else leftovers(base)
        print(json.dumps({'hosts': hosts, 'left_behind': left}, indent=2))
        return 1 if left else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
