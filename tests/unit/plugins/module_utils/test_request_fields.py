"""The boot request's fields live in one place (_boot_request.REQUEST_SPEC, the boot_request
module's `request`); the role server's argument spec for `server_request` must say the same."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.novalite.compute.plugins.module_utils import _boot_request

SPECS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'server', 'meta', 'argument_specs.yml')


def role_request_options():
    with open(SPECS) as f:
        specs = yaml.safe_load(f)['argument_specs']
    return specs['main']['options']['server_request']['options']


def test_the_role_lists_exactly_the_request_fields():
    assert sorted(role_request_options()) == sorted(_boot_request.REQUEST_SPEC)


@pytest.mark.parametrize('field', sorted(_boot_request.REQUEST_SPEC))
def test_each_field_is_declared_alike(field):
    module, role = _boot_request.REQUEST_SPEC[field], role_request_options()[field]
    for key in ('type', 'elements', 'choices', 'required'):
        assert module.get(key, False if key == 'required' else None) == role.get(key, False if key == 'required' else None), key
    assert bool(module.get('no_log')) == bool(role.get('no_log')), 'no_log'
    if 'default' in module and 'default' in role:
        assert module['default'] == role['default'], 'default'
