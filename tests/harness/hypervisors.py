"""A fleet of real libvirt hypervisors on one machine, for tests.

Each hypervisor is an independent libvirtd (with its own virtlogd, networks, dnsmasq,
storage pools and QEMU guests) and an sshd, in its own network, mount and UTS namespaces.
The hypervisors sit on a management network of their own: a bridge in a namespace of the
harness (the "switch"), one veth per hypervisor (eth0, 10.X.Y.N/24) and one for the
controller (this machine's side, 10.X.Y.254, gone with the switch). They are reached the way
a production fleet is, over SSH with a key of the harness:

    qemu+ssh://root@10.X.Y.N/system?keyfile=<dir>/ssh/id_ed25519&command=<dir>/ssh/ssh&no_tty=1

(`command` is ssh with the harness's client config: its key, its known_hosts, strict host
key checking; nothing is written to this machine's ~/.ssh). Each host's unix socket stays
available as `socket_uri` (qemu+unix:///system?socket=<dir>/hvN/run/libvirt-sock). The
hypervisors reach each other on that network (a migration's path).

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
    hypervisors.py stop hvN stop hvN's libvirtd and leave it down (a dead compute host: its
                            guests keep running); `restart hvN` starts it again
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
DIGEST = hashlib.sha1(HARNESS_DIR.encode()).hexdigest()
NETNS_PREFIX = 'novalite-%s-hv' % DIGEST[:6]
SWITCH = 'novalite-%s-net' % DIGEST[:6]          # the management network's bridge lives here
UPLINK = 'nvl%s' % DIGEST[:6]                    # the controller's leg, on this machine
# A private /24 per harness directory, inside 10.200.0.0/13 (`up` refuses it if a route of the
# machine's other than the default one covers it).
SUBNET = '10.%d.%d' % (200 + int(DIGEST[6:8], 16) % 8, int(DIGEST[8:10], 16))
CONTROLLER_ADDRESS = SUBNET + '.254'
GUEST_DIR = os.environ.get('NOVALITE_GUEST_DIR', '/var/cache/novalite/guest')
CLOUD_IMAGE_DIR = os.environ.get('NOVALITE_CLOUD_IMAGE_DIR', '/var/cache/novalite/cloud-image')

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
mkdir -p /run/sshd
/usr/sbin/sshd -f "$R/sshd_config" -E "$R/log/sshd.log"
virtlogd -d
exec libvirtd
'''

SSHD_CONFIG = """# sshd of harness hypervisor {name} (tests/harness/hypervisors.py)
ListenAddress {address}
HostKey {ssh}/host_ed25519
AuthorizedKeysFile {ssh}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile /run/sshd.pid
Subsystem sftp internal-sftp
"""

SSH_CONFIG = """# The harness's ssh client settings (the `command` of its qemu+ssh URIs, Ansible's -F)
Host *
  User root
  IdentityFile {ssh}/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile {ssh}/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  ServerAliveInterval 5
  ServerAliveCountMax 3
  LogLevel ERROR
  # One SSH session per hypervisor carries every libvirt connection (a handshake costs 0.4 s
  # on these machines, a multiplexed session 0.1 s), as ControlPersist does on an operator's.
  ControlMaster auto
  ControlPath {ssh}/cm-%C
  ControlPersist 60
"""


def uri_of(root):
    """The hypervisor's own socket (what its sshd's virt-ssh-helper connects to)."""
    return 'qemu+unix:///system?socket=%s/run/libvirt-sock' % root


def address_of(index):
    return '%s.%d' % (SUBNET, index)


def ssh_uri_of(base, index):
    ssh = os.path.join(base, 'ssh')
    return 'qemu+ssh://root@%s/system?keyfile=%s/id_ed25519&command=%s/ssh&no_tty=1' % (address_of(index), ssh, ssh)


def ensure_keys(base):
    """The harness's client key, the hypervisors' host key, and ssh set up to use only those."""
    ssh = os.path.join(base, 'ssh')
    os.makedirs(ssh, mode=0o700, exist_ok=True)
    for key in ('id_ed25519', 'host_ed25519'):
        if not os.path.exists(os.path.join(ssh, key)):
            run('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'novalite-harness', '-f', os.path.join(ssh, key))
    shutil.copyfile(os.path.join(ssh, 'id_ed25519.pub'), os.path.join(ssh, 'authorized_keys'))
    with open(os.path.join(ssh, 'config'), 'w') as f:
        f.write(SSH_CONFIG.format(ssh=ssh))
    wrapper = os.path.join(ssh, 'ssh')
    with open(wrapper, 'w') as f:
        f.write('#!/bin/sh\nexec ssh -F %s/config "$@"\n' % ssh)
    os.chmod(wrapper, 0o755)
    return ssh


def write_known_hosts(ssh, indexes):
    with open(os.path.join(ssh, 'host_ed25519.pub')) as f:
        key = ' '.join(f.read().split()[:2])
    with open(os.path.join(ssh, 'known_hosts'), 'w') as f:
        f.writelines('%s %s\n' % (address_of(i), key) for i in indexes)


def ensure_switch():
    """The management network: a bridge in the switch namespace, and the controller's leg."""
    if SWITCH in run('ip', 'netns', 'list', check=False).stdout.split():
        return
    routes = [r for r in run('ip', 'route', 'show', 'match', CONTROLLER_ADDRESS, check=False).stdout.splitlines()
              if not r.startswith('default')]
    if routes:
        raise SystemExit('the harness subnet %s.0/24 meets a route of this machine: %s' % (SUBNET, '; '.join(routes)))
    run('ip', 'netns', 'add', SWITCH)
    run('ip', '-n', SWITCH, 'link', 'add', 'br0', 'type', 'bridge')
    run('ip', '-n', SWITCH, 'link', 'set', 'br0', 'up')
    run('ip', 'link', 'add', UPLINK, 'type', 'veth', 'peer', 'name', UPLINK + 'p')
    plug(UPLINK + 'p', 'uplink')
    run('ip', 'addr', 'add', CONTROLLER_ADDRESS + '/24', 'dev', UPLINK)
    run('ip', 'link', 'set', UPLINK, 'up')


def plug(device, port):
    """Move one end of a veth pair into the switch as `port`, on its bridge."""
    run('ip', 'link', 'set', device, 'netns', SWITCH)
    run('ip', '-n', SWITCH, 'link', 'set', device, 'name', port)
    run('ip', '-n', SWITCH, 'link', 'set', port, 'master', 'br0', 'up')


def cable(ns, index):
    """The hypervisor's eth0 on the management network."""
    end, peer = '%sh%d' % (UPLINK, index), '%sp%d' % (UPLINK, index)
    run('ip', 'link', 'add', end, 'type', 'veth', 'peer', 'name', peer)
    plug(peer, 'hv%d' % index)
    run('ip', 'link', 'set', end, 'netns', ns)
    run('ip', '-n', ns, 'link', 'set', end, 'name', 'eth0')
    run('ip', '-n', ns, 'addr', 'add', address_of(index) + '/24', 'dev', 'eth0')
    run('ip', '-n', ns, 'link', 'set', 'eth0', 'up')


def hang_up(base, index):
    """End the multiplexed SSH session to the hypervisor, if one is open."""
    wrapper = os.path.join(base, 'ssh', 'ssh')
    if os.path.exists(wrapper):
        run(wrapper, '-O', 'exit', address_of(index), check=False)


def ssh_answers(base, index):
    return run(os.path.join(base, 'ssh', 'ssh'), address_of(index), 'true', check=False).returncode == 0


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


def describe(index, base):
    root = os.path.join(base, 'hv%d' % index)
    return {'name': 'hv%d' % index, 'uri': ssh_uri_of(base, index), 'socket_uri': uri_of(root),
            'address': address_of(index), 'root': root, 'netns': '%s%d' % (NETNS_PREFIX, index)}


def start(index, base):
    host = describe(index, base)
    ns, root, uri = host['netns'], host['root'], host['socket_uri']
    if ns in netns_list() and answers(uri) and ssh_answers(base, index):
        return host
    hang_up(base, index)
    stop(ns, root)
    prepare_root(root)
    with open(os.path.join(root, 'sshd_config'), 'w') as f:
        f.write(SSHD_CONFIG.format(name=host['name'], address=host['address'], ssh=os.path.join(base, 'ssh')))
    run('ip', 'netns', 'add', ns)
    cable(ns, index)
    with open(os.path.join(root, 'log', 'libvirtd.out'), 'ab') as out:
        subprocess.Popen(['ip', 'netns', 'exec', ns, 'unshare', '--mount', '--uts', '--fork', 'sh', '-c', INNER],
                         env=dict(os.environ, R=root, H='hv%d' % index), stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.monotonic() + 60
    while not answers(uri):
        if time.monotonic() > deadline:
            raise SystemExit('hv%d did not answer on %s within 60 s; see %s/log/libvirtd.out' % (index, uri, root))
        time.sleep(0.2)
    if not ssh_answers(base, index):
        raise SystemExit('hv%d: no ssh login on %s; see %s/log/sshd.log' % (index, host['address'], root))
    return host


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


def stop_libvirtd(index):
    """Stop hvN's libvirtd (SIGTERM, SIGKILL after 15 s); its guests, dnsmasq, virtlogd and sshd
    keep running. The namespaces' holder, for starting it again."""
    ns = '%s%d' % (NETNS_PREFIX, index)
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
    return holder


def restart(index, base, down):
    uri = uri_of(os.path.join(base, 'hv%d' % index))
    holder = stop_libvirtd(index)
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
    """Anything of the harness still on the machine (paths under `base`: another harness whose
    directory merely starts with the same name, such as /var/tmp/novalite-harness-b, is not ours)."""
    found = []
    under = base.rstrip('/') + '/'
    for ns in netns_list():
        found.append('network namespace %s' % ns)
    if SWITCH in run('ip', 'netns', 'list', check=False).stdout.split():
        found.append('network namespace %s' % SWITCH)
    if run('ip', 'link', 'show', UPLINK, check=False).returncode == 0:
        found.append('network device %s' % UPLINK)
    with open('/proc/self/mountinfo') as f:
        for line in f:
            if under in line:
                found.append('mount %s' % line.split()[4])
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmdline = f.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if under in cmdline and int(pid) != os.getpid():
            found.append('process %s: %s' % (pid, cmdline[:120]))
    hosts = os.listdir(base) if os.path.isdir(base) else []
    found.extend('directory %s' % os.path.join(base, d) for d in hosts if d.startswith('hv'))
    return found


def write_outputs(base, hosts):
    ssh = os.path.join(base, 'ssh')
    for h in hosts:
        h['nvram_dir'] = os.path.join(h['root'], 'lib', 'qemu', 'nvram')
        # How Ansible itself reaches the hypervisor (a play run on it, compute_host); the
        # novalite modules run on the controller and reach libvirt through the URI.
        h['ansible'] = {'ansible_host': h['address'], 'ansible_user': 'root',
                        'ansible_ssh_private_key_file': os.path.join(ssh, 'id_ed25519'),
                        'ansible_ssh_common_args': '-F %s/config' % ssh,
                        'ansible_python_interpreter': '/usr/bin/python3'}
    config = {
        'novalite_harness': {'dir': base, 'hosts': hosts, 'script': os.path.abspath(__file__)},
        'novalite_guest': {
            'dir': GUEST_DIR,
            'qcow2': os.path.join(GUEST_DIR, 'guest.qcow2'),
            'kernel': os.path.join(GUEST_DIR, 'vmlinuz'),
            'ramdisk': os.path.join(GUEST_DIR, 'initrd.gz'),
        },
        # tests/cloud-image/build.sh: Debian 12 with cloud-init, as users' cloud images are
        'novalite_cloud_image': {'dir': CLOUD_IMAGE_DIR, 'qcow2': os.path.join(CLOUD_IMAGE_DIR, 'debian-12.qcow2')},
    }
    # JSON is YAML: no YAML library needed in this script.
    with open(os.path.join(base, 'integration_config.yml'), 'w') as f:
        json.dump(config, f, indent=2)
    inventory = {'all': {'children': {'compute_hosts': {'hosts': {
        h['name']: dict(h['ansible'], novalite_uri=h['uri'], novalite_virt_type='qemu',
                        novalite_harness_root=h['root'], novalite_nvram_dir=h['nvram_dir']) for h in hosts}}}}}
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
    halt = sub.add_parser('stop')
    halt.add_argument('host')
    inside = sub.add_parser('exec')
    inside.add_argument('host')
    inside.add_argument('argv', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    base = HARNESS_DIR
    os.makedirs(base, exist_ok=True)

    if args.command == 'up':
        if not os.path.exists('/usr/sbin/sshd'):
            raise SystemExit('hypervisors.py: no /usr/sbin/sshd (scripts/test-packages.sh installs openssh-server)')
        ssh = ensure_keys(base)
        write_known_hosts(ssh, range(1, args.count + 1))
        ensure_switch()
        hosts = [start(i, base) for i in range(1, args.count + 1)]
        for ns in netns_list():  # hosts beyond the requested count
            if int(ns[len(NETNS_PREFIX):]) > args.count:
                hang_up(base, int(ns[len(NETNS_PREFIX):]))
                stop(ns, os.path.join(base, 'hv' + ns[len(NETNS_PREFIX):]))
        write_outputs(base, hosts)
        print(json.dumps({'hosts': hosts}, indent=2))
    elif args.command == 'down':
        for ns in netns_list():
            hang_up(base, int(ns[len(NETNS_PREFIX):]))
            stop(ns, os.path.join(base, 'hv' + ns[len(NETNS_PREFIX):]))
        run('ip', 'link', 'del', UPLINK, check=False)   # (a namespace's devices go asynchronously)
        if SWITCH in run('ip', 'netns', 'list', check=False).stdout.split():
            run('ip', 'netns', 'del', SWITCH)
        for name in os.listdir(base):
            path = os.path.join(base, name)
            if name.startswith('hv') or name == 'ssh':
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
    elif args.command == 'stop':
        stop_libvirtd(int(args.host[len('hv'):]))
        print('%s: libvirtd stopped (its guests run on)' % args.host)
    elif args.command == 'exec':
        argv = args.argv[1:] if args.argv[:1] == ['--'] else args.argv
        return subprocess.run(in_host('%s%d' % (NETNS_PREFIX, int(args.host[len('hv'):])), argv),
                              check=False).returncode
    else:
        hosts = [dict(describe(int(ns[len(NETNS_PREFIX):]), base), answers=answers(ssh_uri_of(base, int(ns[len(NETNS_PREFIX):]))))
                 for ns in netns_list()]
        left = [] if hosts else leftovers(base)
        print(json.dumps({'hosts': hosts, 'left_behind': left}, indent=2))
        return 1 if left else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
