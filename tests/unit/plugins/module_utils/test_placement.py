"""Placement's capacity rule (_placement) - one table that the scheduler (before it places)
and the claim on the host (after its claim is counted) must both follow."""

from __future__ import annotations

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _claim
from ansible_collections.novalite.compute.plugins.module_utils import _placement
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import options as scheduler_options
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.host_state import HostState

# (inventory of MEMORY_MB without the request, amount asked, Placement's answer)
TABLE = [
    ({'total': 4096, 'reserved': 512, 'allocation_ratio': 1.0, 'used': 0}, 3584, None),         # exactly fits
    ({'total': 4096, 'reserved': 512, 'allocation_ratio': 1.0, 'used': 0}, 3585, 'capacity'),
    ({'total': 4096, 'reserved': 512, 'allocation_ratio': 1.0, 'used': 2048}, 1536, None),
    ({'total': 4096, 'reserved': 512, 'allocation_ratio': 1.0, 'used': 2048}, 1537, 'capacity'),
    ({'total': 4096, 'reserved': 0, 'allocation_ratio': 1.5, 'used': 4096}, 2048, None),        # overcommit
    ({'total': 4096, 'reserved': 0, 'allocation_ratio': 1.5, 'used': 4097}, 2048, 'capacity'),
    # the ratio would leave room, but no single consumer may take more than the host's total
    ({'total': 4096, 'reserved': 0, 'allocation_ratio': 4.0, 'used': 0}, 4097, 'max_unit'),
    ({'total': 4096, 'reserved': 0, 'allocation_ratio': 4.0, 'used': 0}, 4096, None),
    ({'total': 4096, 'reserved': 1024, 'allocation_ratio': 1.0, 'used': 3000}, 0, None),       # asks nothing
]


@pytest.mark.parametrize('inventory, amount, expected', TABLE)
def test_the_rule(inventory, amount, expected):
    assert _placement.refusal(inventory, amount) == expected


@pytest.mark.parametrize('inventory, amount, expected', TABLE)
def test_the_scheduler_follows_it(inventory, amount, expected):
    facts = {'vcpus': 8, 'memory_mb': inventory['total'], 'local_gb': 100, 'vcpus_used': 0, 'local_gb_used': 0,
             'memory_mb_used': inventory['used'] + inventory['reserved'], 'free_disk_gb': 100,
             'free_ram_mb': inventory['total'] - inventory['used'] - inventory['reserved'],
             'reserved_host_memory_mb': inventory['reserved'], 'ram_allocation_ratio': inventory['allocation_ratio'],
             'updated': '2026-11-21T12:00:00Z'}
    hs = HostState('hv1', facts, scheduler_options.parse({'now': '2026-11-21T12:00:00Z'}))
    refusal = hs.placement_refusal({'MEMORY_MB': amount})
    if expected is None:
        assert refusal is None
    else:
        assert refusal is not None and ('(max_unit)' in refusal) == (expected == 'max_unit')


@pytest.mark.parametrize('inventory, amount, expected', TABLE)
def test_the_claim_follows_it(inventory, amount, expected):
    def counted(inv, used):
        inv = dict(inv, used=used)
        return dict(inv, capacity=_placement.capacity(inv))
    free = {'total': 8, 'reserved': 0, 'allocation_ratio': 1.0}
    usage = {'MEMORY_MB': counted(inventory, inventory['used'] + amount),   # the claim is counted in used
             'VCPU': counted(free, 1), 'DISK_GB': counted(dict(free, total=100), 0)}
    problem = _claim.over_capacity(usage, {'VCPU': 1, 'MEMORY_MB': amount, 'DISK_GB': 0})
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and ('(max_unit)' in problem) == (expected == 'max_unit')
