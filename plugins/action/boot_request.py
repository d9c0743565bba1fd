# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""boot_request on the controller: the request's validation is pure logic that touches no
host, so it runs in the playbook's own process instead of as a module on a target (the
module plugins/modules/boot_request.py documents it and stays runnable on its own). Same
argument spec, same checks, same result - without a module start (about a second here)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.novalite.compute.plugins.module_utils import _boot_request
from ansible_collections.novalite.compute.plugins.module_utils._errors import NovaliteError


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validation, params = self.validate_argument_spec(argument_spec=_boot_request.ARGUMENT_SPEC)
        try:
            result.update(_boot_request.from_request(params['request'], params['catalog']))
        except NovaliteError as err:
            result.update(failed=True, msg=err.msg, **err.details)
            return result
        result['changed'] = False
        return result
