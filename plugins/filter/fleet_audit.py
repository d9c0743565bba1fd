# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_audit: the leak checker's verdict over the fleet, from each host's audit."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils import _audit
from ansible_collections.novalite.compute.plugins.filter.select_hosts import _plain


def fleet_audit(audits):
    return _audit.fleet(_plain(audits))


class FilterModule(object):
    def filters(self):
        return {'fleet_audit': fleet_audit}
