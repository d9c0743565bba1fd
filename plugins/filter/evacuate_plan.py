# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The evacuate_plan filter: a thin Jinja wrapper over plugins/plugin_utils/evacuate.py.
Documentation: evacuate_plan.yml beside this file, and docs/migration.md."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.novalite.compute.plugins.filter.select_hosts import _plain
from ansible_collections.novalite.compute.plugins.plugin_utils import evacuate, migration
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError


def evacuate_plan(request, hosts, fleet, records=None, options=None, images=None):
    try:
        return evacuate.plan(_plain(request), _plain(hosts), _plain(fleet), _plain(records), _plain(options),
                             _plain(images))
    except (SchedulerError, NoValidHost, migration.MigrationRefused) as err:
        raise AnsibleFilterError(str(err))


class FilterModule(object):
    def filters(self):
        return {'evacuate_plan': evacuate_plan}
