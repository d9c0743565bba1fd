"""Differential test of block device mapping validation: random mappings go to Nova's own
checks (nova_bdm_driver.py, nova 34 in its own venv) and to _bdm.build(); both must refuse
(with the same Nova exception), or both accept with the same mappings.
Cases: NOVALITE_BDM_CASES (default 1000), seed NOVALITE_PARITY_SEED (default 1)."""
import json
import os
import random
import subprocess
import sys

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _bdm

HERE = os.path.dirname(os.path.abspath(__file__))
NOVA_PYTHON = os.environ.get('NOVALITE_NOVA_PYTHON', '/var/tmp/novalite-nova-venv/bin/python')
CASES = int(os.environ.get('NOVALITE_BDM_CASES', '1000'))
SEED = int(os.environ.get('NOVALITE_PARITY_SEED', '1'))

IMAGE = '11111111-1111-4111-8111-111111111111'
OTHER_IMAGE = '22222222-2222-4222-8222-222222222222'
VOLUME = '33333333-3333-4333-8333-333333333333'
SNAPSHOT = '44444444-4444-4444-8444-444444444444'
UNKNOWN = '55555555-5555-4555-8555-555555555555'
NOVA_INTERNAL_ERRORS = ('TypeError', 'ValueError', 'KeyError', 'AttributeError')
KEEP = ('source_type', 'destination_type', 'boot_index', 'volume_size', 'guest_format', 'device_name',
        'delete_on_termination', 'disk_bus', 'device_type', 'image_id', 'volume_id', 'snapshot_id', 'no_device',
        'volume_type')


def pick(rng, *choices):
    return rng.choice(choices)


def random_v2(rng):
    entry = {}
    if rng.random() < 0.95:
        entry['source_type'] = pick(rng, 'image', 'blank', 'blank', 'volume', 'snapshot', 'disk')
    if rng.random() < 0.9:
        entry['destination_type'] = pick(rng, 'local', 'local', 'volume', 'remote')
    source = entry.get('source_type')
    if source != 'blank' and rng.random() < 0.9 or rng.random() < 0.05:
        entry['uuid'] = {'image': pick(rng, IMAGE, OTHER_IMAGE, UNKNOWN), 'volume': pick(rng, VOLUME, UNKNOWN),
                         'snapshot': pick(rng, SNAPSHOT, UNKNOWN)}.get(source, pick(rng, IMAGE, 'bad id!'))
    for key, choices, p in (('boot_index', (None, -1, 0, 0, 1, 2, '0', '-1', 'x'), 0.8),
                            ('volume_size', (1, 2, 5, 10, '3', 0, '0', -1, 'big'), 0.5),
                            ('guest_format', ('swap', 'ext4', None), 0.3), ('disk_bus', ('virtio', 'ide', 'nvme'), 0.2),
                            ('device_type', ('disk', 'cdrom'), 0.2),
                            ('device_name', ('vdb', '/dev/vdc', 'vda', 'vd b', ''), 0.3),
                            ('delete_on_termination', (True, False, 'yes', 'maybe'), 0.3),
                            ('no_device', (True,), 0.03), ('volume_type', ('fast', 'slow', 'fast-id'), 0.05), ('colour', ('red',), 0.02),
                            ('virtual_name', ('swap', 'ephemeral0'), 0.03)):
        if rng.random() < p:
            entry[key] = rng.choice(choices)
            if entry[key] is None and key == 'guest_format':
                del entry[key]
    return entry


def random_legacy(rng):
    entry = {}
    kind = rng.random()
    if kind < 0.35:
        entry['virtual_name'] = pick(rng, 'swap', 'ephemeral0', 'ephemeral1', 'ephemeralX')
    elif kind < 0.6:
        entry['volume_id'] = pick(rng, VOLUME, UNKNOWN)
    elif kind < 0.75:
        entry['snapshot_id'] = pick(rng, SNAPSHOT, UNKNOWN)
    if rng.random() < 0.5:
        entry['device_name'] = pick(rng, 'vda', 'vdb', '/dev/vdc')
    if rng.random() < 0.3:
        entry['volume_size'] = pick(rng, 1, 2, '4')
    if rng.random() < 0.2:
        entry['delete_on_termination'] = pick(rng, True, 'no')
    return entry


def random_case(rng):
    case = {'flavor': {'ephemeral_gb': pick(rng, 0, 0, 1, 5), 'swap': pick(rng, 0, 0, 512, 1024), 'root_gb': 10},
            'images': [IMAGE, OTHER_IMAGE], 'volumes': {VOLUME: 8}, 'snapshots': {SNAPSHOT: 4},
            'volume_types': [{'id': 'fast-id', 'name': 'fast'}]}
    if rng.random() < 0.75:
        case['image_ref'] = IMAGE
    if rng.random() < 0.1:
        case['min_count'] = 2
    kind = rng.random()
    if kind < 0.75:
        entries = [random_v2(rng) for dummy in range(rng.randint(0, 4))]
        if case.get('image_ref') and rng.random() < 0.6:
            entries = _bdm.with_image_root(entries, case['image_ref'])
        if entries:
            case['block_device_mapping_v2'] = entries
    elif kind < 0.95:
        case['block_device_mapping'] = [random_legacy(rng) for dummy in range(rng.randint(1, 3))]
    return case


def ours(case):
    try:
        bdms = _bdm.build(case['flavor'], case.get('block_device_mapping_v2'), case.get('block_device_mapping'),
                          case.get('image_ref'), case.get('min_count', 1), case.get('min_count', 1),
                          images={i: {} for i in case['images']}, volumes={v: {'size': s} for v, s in case['volumes'].items()},
                          snapshots={s: {'size': z} for s, z in case['snapshots'].items()},
                          volume_types=case['volume_types'])
    except _bdm.BDMError as err:
        return {'error': err.details['nova_exception']}
    return {'bdms': [{k: b.get(k) for k in KEEP} for b in bdms]}


@pytest.fixture(scope='module')
def nova_results():
    if not os.path.exists(NOVA_PYTHON):
        pytest.fail('the Nova venv is missing (%s): run scripts/nova-venv.sh' % NOVA_PYTHON)
    rng = random.Random(SEED)
    cases = [random_case(rng) for dummy in range(CASES)]
    proc = subprocess.run([NOVA_PYTHON, '-W', 'ignore', os.path.join(HERE, 'nova_bdm_driver.py')],
                          input='\n'.join(json.dumps(c) for c in cases) + '\n', stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False, timeout=600)
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{')]
    assert len(results) == len(cases), proc.stderr[-3000:]
    return cases, results


def test_bdm_validation_agrees_with_nova(nova_results):
    cases, results = nova_results
    crashes = [(i, r['crash']) for i, r in enumerate(results) if 'crash' in r]
    assert not crashes, 'the Nova driver crashed on %d cases, first: %s' % (len(crashes), crashes[0])
    mismatches, accepted = [], 0
    for i, (case, nova) in enumerate(zip(cases, results)):
        mine = ours(json.loads(json.dumps(case)))
        if nova.get('error') in NOVA_INTERNAL_ERRORS:
            # Nova fails with a Python error (an HTTP 500, a bug of Nova's): we must refuse too.
            if 'error' not in mine:
                mismatches.append((i, nova, mine))
        elif mine != nova:
            mismatches.append((i, nova, mine))
        accepted += 'bdms' in nova
    errors = sorted({r['error'] for r in results if 'error' in r})
    sys.stdout.write('bdm parity: %d cases, %d accepted by both, refusals seen: %s, %d mismatches\n'
                     % (len(cases), accepted, ', '.join(errors), len(mismatches)))
    assert not mismatches, 'first mismatches (case, nova, ours): %s\ncase: %s' % (
        mismatches[:3], json.dumps(cases[mismatches[0][0]]))
    # The generator must exercise acceptance and many kinds of refusal, or the test proves little.
    assert accepted > len(cases) // 10 and len(errors) >= 8
