"""Benchmark of the image cache (the image module's upload path): a 1 GiB image uploaded to
the local hypervisor's pool through libvirt streams (read once, sha256 on the way, verified,
published), against `cp` of the same file to the same disk, run side by side; `cp` is timed
both to its return (data still in the page cache) and to its data being on disk (`sync`),
which is where libvirt's upload ends. Then the cache hit. Prints one JSON object.

    .venv/bin/python bench/image_cache.py [--size-mib 1024] [--repeat 3]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size-mib', type=int, default=1024)
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()
    hv = Hypervisor('qemu:///system')
    target_dir = ET.fromstring(hv.pool_state(POOL)['xml']).findtext('target/path')
    with tempfile.TemporaryDirectory(dir='/var/tmp') as work:
        src = os.path.join(work, 'bench.raw')
        digest = make_image(src, args.size_mib)
        size = os.path.getsize(src)
        image = _image.validate({'name': 'bench', 'source': src, 'checksum': 'sha256:' + digest, 'disk_format': 'raw'})
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
    print(json.dumps({
        'size_bytes': size, 'runs': args.repeat,
        'upload_seconds': round(upload, 3), 'upload_mb_per_s': round(size / upload / 1e6, 1),
        'cp_seconds': round(copy, 3), 'cp_mb_per_s': round(size / copy / 1e6, 1),
        'cp_sync_seconds': round(copy_synced, 3), 'cp_sync_mb_per_s': round(size / copy_synced / 1e6, 1),
        'throughput_ratio_upload_vs_cp': round(copy / upload, 2),
        'throughput_ratio_upload_vs_cp_sync': round(copy_synced / upload, 2),
        'cache_hit': hit, 'cache_hit_seconds': round(hit_seconds, 4),
        'targets_met': {'ratio_vs_cp_sync_at_least_0.5': copy_synced / upload >= 0.5,
                        'cache_hit_under_1s': hit_seconds < 1.0},
    }))


if __name__ == '__main__':
    main()
