#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: drain
short_description: Empty a hypervisor by live migration, for maintenance (nova host-evacuate-live)
version_added: 0.3.0
description:
  - Disables the host's compute service with O(disabled_reason) (M(novalite.compute.compute_service),
    Nova's C(openstack compute service set --disable)) so that nothing new is placed there,
    then live-migrates its instances away one at a time (M(novalite.compute.live_migration)) -
    for each, every compute host's facts are read again and the conductor chooses the
    destination with the instance's flavor, image, zone and server group policy
    (P(novalite.compute.live_migration_plan#filter)), so members of an anti-affinity group end
    on different hosts. Members of anti-affinity groups move first, the largest group first.
  - What cannot move stays, with the reason - a stopped instance (Nova live-migrates only
    running or paused ones), no valid host, a failed migration (rolled back, still running on
    the host) - and the task fails, listing them. Run again, it moves what it can (the host
    stays disabled).
  - With O(enable), it only enables the host's service again.
  - Runs on the controller (an action plugin) and reaches every hypervisor by its C(novalite_uri).
    Reads C(novalite_scheduler_options), C(novalite_aggregates), C(novalite_images) and
    C(novalite_networks) and each compute host's C(novalite_*) settings, as the playbooks do.
author:
  - novalite.compute developers (@novalite)
options:
  host:
    description: The hypervisor to empty (its inventory name, in O(compute_group)).
    type: str
    required: true
  disabled_reason:
    description: Why it is disabled (Nova's C(--disable-reason)); by default "drained by novalite.compute.drain".
    type: str
  enable:
    description: Enable the host's service again, and do nothing else.
    type: bool
    default: false
  compute_group:
    description: The inventory group of the compute hosts.
    type: str
    default: compute_hosts
  completion_timeout:
    description: Each migration's completion timeout, seconds per GiB (M(novalite.compute.live_migration)).
    type: int
    default: 800
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Says whether the host would be disabled and which instances it would try to move; changes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''

EXAMPLES = r'''
- name: Empty hv3 for a disk swap
  novalite.compute.drain:
    host: hv3
    disabled_reason: disk swap, ticket 4711

- name: Put it back into service
  novalite.compute.drain:
    host: hv3
    enable: true
'''

RETURN = r'''
host:
  description: The host drained.
  returned: when draining
  type: str
service:
  description: The host's compute service (C(status), C(disabled_reason), C(updated_at)).
  returned: always
  type: dict
moved:
  description: The instances moved, in order - C(instance), C(dest), C(seconds).
  returned: always
  type: list
  elements: dict
not_moved:
  description: The instances left on the host - C(instance), C(reason).
  returned: always
  type: list
  elements: dict
empty:
  description: Whether the host holds no instance any more.
  returned: always
  type: bool
lines:
  description: The report, a line each.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        host=dict(type='str', required=True),
        disabled_reason=dict(type='str'),
        enable=dict(type='bool', default=False),
        compute_group=dict(type='str', default='compute_hosts'),
        completion_timeout=dict(type='int', default=800),
    ), supports_check_mode=True)
    module.fail_json(msg='novalite.compute.drain runs on the controller (its action plugin); it has no work to do '
                         'on a managed host')


if __name__ == '__main__':
    main()
