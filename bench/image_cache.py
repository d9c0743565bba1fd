"""Benchmark of the image cache (the image module's upload path): a 1 GiB image uploaded to
the local hypervisor's pool through libvirt streams (read once, sha256 on the way, verified,
published), against `cp` of the same file to the same disk, run side by side; `cp` is timed
both to its return (data still in the page cache) and to its data being on disk (`sync`),
which is where libvirt's upload ends. Then the cache hit. Prints one JSON object.

With --ssh, the same over the transport users have: a harness hypervisor (its own libvirtd
and sshd in namespaces, tests/harness/hypervisors.py, in a harness directory of the bench's)
reached by a qemu+ssh URI, the upload against `ssh HOST 'cat > FILE && sync FILE'` of the same
file into the same pool directory, side by side, then the cache hit over ssh.

    .venv/bin/python bench/image_cache.py [--size-mib 1024] [--repeat 3] [--ssh]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, subprocess.check_output([os.path.join(TOP, 'scripts', 'collection-path.sh')],
                                           universal_newlines=True).strip())

from ansible_collections.novalite.compute.plugins.module_utils import _image  # noqa: E402
from ansible_collections.novalite.compute.plugins.module_utils._image_cache import ImageCache  # noqa: E402
from ansible_collections.novalite.compute.plugins.module_utils._image_source import ImageSource  # noqa: E402
from ansible_collections.novalite.compute.plugins.module_utils._libvirt import Hypervisor  # noqa: E402

POOL = 'novalite-images'


def make_image(path, mib):
    digest = hashlib.sha256()
    block = os.urandom(1 << 20)
    with open(path, 'wb') as f:
        for i in range(mib):
            chunk = block[i % 256:] + block[:i % 256]   # different bytes per MiB, cheap
            f.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def drop(hv, image):
    cache = ImageCache(hv, POOL)
    found = cache.lookup(image)
    if found:
        cache.remove([image['volume'], found['data']['handle'].name()])


HARNESS = os.path.join(TOP, 'tests', 'harness', 'hypervisors.py')
BENCH_HARNESS_DIR = '/var/tmp/novalite-bench-harness'


def over_ssh(src, image, size, repeat):
    """The upload over qemu+ssh against ssh cat, to one harness hypervisor."""
    environ = dict(os.environ, NOVALITE_HARNESS_DIR=BENCH_HARNESS_DIR)
    try:
        host = json.loads(subprocess.check_output([sys.executable, HARNESS, 'up', '1'], env=environ))['hosts'][0]
        ssh = [os.path.join(BENCH_HARNESS_DIR, 'ssh', 'ssh'), host['address']]
        path = '/var/lib/libvirt/novalite/images'       # inside the hypervisor's namespaces
        subprocess.check_call(['virsh', '-q', '-c', host['uri'], 'pool-define-as', POOL, 'dir', '--target', path],
                              stdout=subprocess.DEVNULL)
        subprocess.check_call(['virsh', '-q', '-c', host['uri'], 'pool-build', POOL], stdout=subprocess.DEVNULL)
        subprocess.check_call(['virsh', '-q', '-c', host['uri'], 'pool-start', POOL], stdout=subprocess.DEVNULL)
        hv = Hypervisor(host['uri'])
        uploads, cats = [], []
        for dummy in range(repeat):
            drop(hv, image)
            start = time.perf_counter()
            ImageCache(hv, POOL).upload(image, ImageSource(image))
            uploads.append(time.perf_counter() - start)
            with open(src, 'rb') as f:
                start = time.perf_counter()
                subprocess.check_call(ssh + ['cat > %s/bench-cat.raw && sync %s/bench-cat.raw' % (path, path)], stdin=f)
                cats.append(time.perf_counter() - start)
            subprocess.check_call(ssh + ['rm -f %s/bench-cat.raw' % path])
        start = time.perf_counter()
        hit = ImageCache(Hypervisor(host['uri']), POOL).lookup(image) is not None
        hit_seconds = time.perf_counter() - start
        drop(hv, image)
    finally:
        subprocess.run([sys.executable, HARNESS, 'down'], env=environ, stdout=subprocess.DEVNULL, check=False)
    upload, cat = min(uploads), min(cats)
    return {'uri': host['uri'], 'runs': repeat,
            'upload_seconds': round(upload, 3), 'upload_mb_per_s': round(size / upload / 1e6, 1),
            'ssh_cat_seconds': round(cat, 3), 'ssh_cat_mb_per_s': round(size / cat / 1e6, 1),
            'throughput_ratio_upload_vs_ssh_cat': round(cat / upload, 2),
            'cache_hit': hit, 'cache_hit_seconds_with_connect': round(hit_seconds, 4),
            'targets_met': {'ratio_vs_ssh_cat_at_least_0.5': cat / upload >= 0.5}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size-mib', type=int, default=1024)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--ssh', action='store_true', help='also over qemu+ssh to a harness hypervisor')
    args = parser.parse_args()
    hv = Hypervisor('qemu:///system')
    target_dir = ET.fromstring(hv.pool_state(POOL)['xml']).findtext('target/path')
    with tempfile.TemporaryDirectory(dir='/var/tmp') as work:
        src = os.path.join(work, 'bench.raw')
        digest = make_image(src, args.size_mib)
        size = os.path.getsize(src)
        image = _image.validate({'name': 'bench', 'source': src, 'checksum': 'sha256:' + digest, 'disk_format': 'raw'})
        ssh = over_ssh(src, image, size, args.repeat) if args.ssh else None
        uploads, copies, copies_synced = [], [], []
        for dummy in range(args.repeat):
            drop(hv, image)
            subprocess.check_call(['sync'])
            start = time.perf_counter()
            ImageCache(hv, POOL).upload(image, ImageSource(image))
            uploads.append(time.perf_counter() - start)
            dest = os.path.join(target_dir, 'bench-cp.raw')
            subprocess.check_call(['sync'])
            start = time.perf_counter()
            subprocess.check_call(['cp', src, dest])
            copies.append(time.perf_counter() - start)
            subprocess.check_call(['sync', dest])        # libvirt's upload ends with its data on disk
            copies_synced.append(time.perf_counter() - start)
            os.unlink(dest)
        start = time.perf_counter()
        cache = ImageCache(hv, POOL)
        hit = cache.lookup(image) is not None
        hit_seconds = time.perf_counter() - start
        drop(hv, image)
    upload, copy, copy_synced = min(uploads), min(copies), min(copies_synced)
    result = {
        'size_bytes': size, 'runs': args.repeat,
        'upload_seconds': round(upload, 3), 'upload_mb_per_s': round(size / upload / 1e6, 1),
        'cp_seconds': round(copy, 3), 'cp_mb_per_s': round(size / copy / 1e6, 1),
        'cp_sync_seconds': round(copy_synced, 3), 'cp_sync_mb_per_s': round(size / copy_synced / 1e6, 1),
        'throughput_ratio_upload_vs_cp': round(copy / upload, 2),
        'throughput_ratio_upload_vs_cp_sync': round(copy_synced / upload, 2),
        'cache_hit': hit, 'cache_hit_seconds': round(hit_seconds, 4),
        'targets_met': {'ratio_vs_cp_sync_at_least_0.5': copy_synced / upload >= 0.5,
                        'cache_hit_under_1s': hit_seconds < 1.0},
    }
    if ssh:
        result['ssh'] = ssh
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
