# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resize_plan filter: a thin Jinja wrapper over plugins/plugin_utils/resize.py.
Documentation: resize_plan.yml beside this file, and docs/migration.md."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.novalite.compute.plugins.filter.select_hosts import _plain
from ansible_collections.novalite.compute.plugins.plugin_utils import migration, resize
from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.errors import NoValidHost, SchedulerError


def resize_plan(request, kind, hosts, fleet, options=None, images=None, networks=None, flavors=None):
    try:
        return resize.plan(_plain(request), kind, _plain(hosts), _plain(fleet), _plain(options), _plain(images),
                           _plain(networks), _plain(flavors))
    except (SchedulerError, NoValidHost, migration.MigrationRefused) as err:
        raise AnsibleFilterError(str(err))


class FilterModule(object):
    def filters(self):
        return {'resize_plan': resize_plan}
