# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_report: the capacity and placement report's data (playbooks/report.yml)."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.filter.select_hosts import _plain
from ansible_collections.novalite.compute.plugins.plugin_utils import fleet_report as report


def fleet_report(states, servers, options=None):
    return report.build(_plain(states), _plain(servers), _plain(options))


class FilterModule(object):
    def filters(self):
        return {'fleet_report': fleet_report}
