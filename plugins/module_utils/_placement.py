# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Placement's capacity rule (placement/objects/allocation.py), in one place: the scheduler
checks it against the hosts' facts before it places, the claim on the host against what
libvirt holds once its claim is counted. Pure."""

from __future__ import annotations

RESOURCE_CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')
UNITS = {'VCPU': ('vCPU', 'vCPUs'), 'MEMORY_MB': ('MB RAM', 'MB'), 'DISK_GB': ('GB disk', 'GB')}


def capacity(inventory):
    """What the resource class can hold: (total - reserved) * allocation_ratio."""
    return (inventory['total'] - inventory['reserved']) * inventory['allocation_ratio']


def refusal(inventory, amount):
    """Why Placement refuses `amount` more of a resource class whose inventory is
    {total, reserved, allocation_ratio, used}: 'max_unit' (more than the host's total: no one
    consumer may take more than max_unit, which the libvirt driver reports as the total),
    'capacity' (used + amount over the capacity), or None when it fits."""
    if amount > inventory['total']:
        return 'max_unit'
    if capacity(inventory) < inventory['used'] + amount:
        return 'capacity'
    return None
