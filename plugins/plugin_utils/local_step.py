# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An action plugin that runs its module's step (module_utils/_step.Step) in the playbook's own
process when the task runs on the controller - delegated to localhost, or on a host whose
connection is local - which is how boot.yml runs host_facts and build_instances: the libvirt
URI is reached from the controller either way, and a module's start costs about a second on
a small machine. Anywhere else (a task that runs on the hypervisor over SSH), for an async
task, and where libvirt-python cannot be imported here, the module runs on its target as
usual.

The same argument spec, check mode, diff mode, warnings, error family and no_log masking as
the module's (plugins/module_utils/_base.py)."""

from __future__ import annotations

from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.novalite.compute.plugins.module_utils import _libvirt
from ansible_collections.novalite.compute.plugins.module_utils._base import CONNECTION_ARGUMENT_SPEC
from ansible_collections.novalite.compute.plugins.module_utils._errors import NovaliteError


class LocalStepAction(ActionBase):
    TRANSFERS_FILES = False
    _supports_async = True      # an async task runs the module, in Ansible's async wrapper
    step = None                 # the module's Step class

    def run(self, tmp=None, task_vars=None):
        result = super(LocalStepAction, self).run(tmp, task_vars)
        if self._connection.transport != 'local' or self._task.async_val or _libvirt.libvirt is None:
            return self.module_on_target(result, task_vars)
        spec = dict(CONNECTION_ARGUMENT_SPEC, **self.step.argument_spec)
        kwargs = self.step.spec_kwargs
        validation, params = self.validate_argument_spec(
            argument_spec=spec, mutually_exclusive=kwargs.get('mutually_exclusive'),
            required_together=kwargs.get('required_together'), required_one_of=kwargs.get('required_one_of'),
            required_if=kwargs.get('required_if'), required_by=kwargs.get('required_by'))
        warnings = []
        hypervisor = None
        try:
            if self.step.opens_hypervisor:
                hypervisor = _libvirt.Hypervisor(params['uri'], readonly=self.step.readonly)
            step = self.step(hypervisor, params, check_mode=bool(self._task.check_mode),
                             want_diff=bool(self._task.diff), warn=warnings.append)
            result.update(step.run())
        except NovaliteError as err:
            result.update(err.details, failed=True, msg=err.msg)
        finally:
            if hypervisor is not None:
                hypervisor.close()
        if warnings:
            result['warnings'] = warnings
        return remove_values(result, validation._no_log_values)

    def module_on_target(self, result, task_vars):
        """The module, run on the task's target as the normal action plugin runs it."""
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
