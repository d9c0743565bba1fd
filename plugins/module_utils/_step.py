# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A step of the compute manager: claim, port, disks, spawn, ... over the hypervisor adapter.

Each step declares its `argument_spec` and writes `run()`, which returns the result dict or
raises NovaliteError. Its module is a thin shell (NovaliteModule with `step = ...`); the
compute manager (_compute_manager) calls the same step in process, with the same spec
checking, so a build of one instance is one Python frame and not one module per step.
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput


class Step(object):
    argument_spec = {}
    spec_kwargs = {}
    readonly = False             # the hypervisor connection it needs is read-only
    opens_hypervisor = True      # False: it opens its own connections (from the uri option)

    def __init__(self, hypervisor, params, check_mode=False, want_diff=False, warn=None):
        self.hypervisor = hypervisor
        self.params = params
        self.check_mode = check_mode
        self.want_diff = want_diff
        self.warnings = []
        self._warn = warn

    def run(self):
        raise NotImplementedError

    def warn(self, msg):
        self.warnings.append(msg)
        if self._warn is not None:
            self._warn(msg)

    @classmethod
    def validated(cls, params):
        """`params` checked against the step's argument spec, defaults filled in, as
        AnsibleModule would; bad ones raise InvalidInput naming them."""
        result = ArgumentSpecValidator(cls.argument_spec, **cls.spec_kwargs).validate(params)
        if result.error_messages:
            raise InvalidInput('; '.join(result.error_messages))
        return result.validated_parameters

    @classmethod
    def call(cls, hypervisor, check_mode=False, warn=None, **params):
        """Run the step in process, as its module would run it; a None option is left out
        (as a playbook's omit), so that its default applies."""
        given = {k: v for k, v in params.items() if v is not None}
        return cls(hypervisor, cls.validated(given), check_mode=check_mode, warn=warn).run()
