# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors of the scheduler. Pure: no Ansible import; the filter plugin maps them."""

from __future__ import annotations


class SchedulerError(Exception):
    """Bad input to the scheduler: the message names the field at fault."""


class NoValidHost(Exception):
    """Nothing fits. The message starts with Nova's wording; `trace` says why."""

    def __init__(self, reason, trace=None):
        super().__init__('No valid host was found. %s' % reason)
        self.reason = reason
        self.trace = trace or {}
