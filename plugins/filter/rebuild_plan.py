# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rebuild_plan filter: a thin Jinja wrapper over plugins/plugin_utils/rebuild.py.
Documentation: rebuild_plan.yml beside this file, and docs/migration.md."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.novalite.compute.plugins.filter.select_hosts import _plain
from ansible_collections.novalite.compute.plugins.plugin_utils import migration, rebuild
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import SchedulerError


def rebuild_plan(request, hosts, fleet, images=None):
    try:
        return rebuild.plan(_plain(request), _plain(hosts), _plain(fleet), _plain(images))
    except (SchedulerError, migration.MigrationRefused) as err:
        raise AnsibleFilterError(str(err))


class FilterModule(object):
    def filters(self):
        return {'rebuild_plan': rebuild_plan}
