# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every novalite.compute module: the only Ansible-aware module_util.

It merges the connection options into the module's argument spec, opens the hypervisor
connection lazily, catches the one error family once and maps it to fail_json (a traceback
only shows at -vvv), and closes the connection. A module declares `argument_spec` and writes
`run()`, which returns the result dict; or it names a `step` (_step.Step), whose argument
spec and run() it takes, so that the compute manager can call the same step in process.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.novalite.compute.plugins.module_utils._errors import NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _libvirt

DEFAULT_URI = 'qemu:///system'

# Mirrored by the doc fragment novalite.compute.connection.
CONNECTION_ARGUMENT_SPEC = dict(
    uri=dict(type='str', default=DEFAULT_URI, fallback=(env_fallback, ['LIBVIRT_DEFAULT_URI'])),
)


class NovaliteModule(object):
    argument_spec = {}
    module_kwargs = {}
    step = None
    supports_check_mode = True
    readonly = False
    uses_hypervisor = True   # False: a module of pure logic, with no uri option and no libvirt

    def __init__(self):
        spec = dict(CONNECTION_ARGUMENT_SPEC) if self.uses_hypervisor else {}
        spec.update(self.step.argument_spec if self.step else self.argument_spec)
        kwargs = self.step.spec_kwargs if self.step else self.module_kwargs
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=self.supports_check_mode, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.want_diff = self.module._diff
        self._hypervisor = None

    @property
    def hypervisor(self):
        if self._hypervisor is None:
            self._hypervisor = _libvirt.Hypervisor(self.params['uri'], readonly=self.readonly)
        return self._hypervisor

    def run(self):
        if self.step is None:
            raise NotImplementedError
        # A step that opens its own connections (from its own options) gets none here.
        hypervisor = self.hypervisor if self.step.opens_hypervisor else None
        return self.step(hypervisor, self.params, check_mode=self.check_mode, want_diff=self.want_diff,
                         warn=self.module.warn).run()

    @classmethod
    def execute(cls):
        self = cls()
        if self.uses_hypervisor and _libvirt.libvirt is None:
            self.module.fail_json(msg=missing_required_lib('libvirt-python'),
                                  exception=_libvirt.LIBVIRT_IMPORT_ERROR)
        try:
            result = self.run()
        except NovaliteError as err:
            self._close()
            # An error the user can act on: the message says it all; the traceback is for -vvv.
            trace = traceback.format_exc() if self.module._verbosity >= 3 else None
            self.module.fail_json(msg=err.msg, exception=trace, **err.details)
        self._close()
        self.module.exit_json(**result)

    def _close(self):
        if self._hypervisor is not None:
            self._hypervisor.close()
            self._hypervisor = None
