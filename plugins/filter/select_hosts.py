# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The select_hosts filter: a thin Jinja wrapper over plugins/plugin_utils/scheduler.
Documentation: select_hosts.yml beside this file, and docs/scheduler.md."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.scheduler import select_hosts as _select_hosts


def _plain(value):
    """Jinja hands over Ansible's own containers; the scheduler wants plain ones."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def select_hosts(request, hosts, options=None):
    try:
        return _select_hosts(_plain(request), _plain(hosts), _plain(options))
    except (SchedulerError, NoValidHost) as err:
        raise AnsibleFilterError(str(err))


class FilterModule(object):
    def filters(self):
        return {'select_hosts': select_hosts}
