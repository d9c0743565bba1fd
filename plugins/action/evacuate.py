# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""evacuate in the playbook's process when the task runs on the controller (plugin_utils/local_step.py)."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils._evacuate import Evacuate
from ansible_collections.novalite.compute.plugins.plugin_utils.local_step import LocalStepAction


class ActionModule(LocalStepAction):
    step = Evacuate
