import xml.etree.ElementTree as ET

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool as sp
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput

EXISTING = {'name': 'p', 'type': 'dir', 'path': '/srv/p', 'active': True, 'autostart': True}


@pytest.mark.parametrize('current, path, autostart, state, actions', [
    (None, '/srv/p', True, 'present', ['define', 'start', 'autostart']),
    (None, '/srv/p', False, 'present', ['define', 'start']),
    (EXISTING, '/srv/p', True, 'present', []),
    (dict(EXISTING, active=False), '/srv/p', True, 'present', ['start']),
    (dict(EXISTING, autostart=False), '/srv/p', True, 'present', ['autostart']),
    (EXISTING, '/srv/p', False, 'present', ['autostart']),
    (EXISTING, None, True, 'absent', ['remove']),
    (None, None, True, 'absent', []),
])
def test_plan(current, path, autostart, state, actions):
    assert sp.plan(current, 'p', path, autostart, state) == actions


def test_plan_refuses_to_move_a_pool():
    with pytest.raises(InvalidInput, match="exists as a dir pool at '/srv/p'"):
        sp.plan(EXISTING, 'p', '/srv/other', True, 'present')


def test_after_predicts_the_described_state():
    assert sp.after(None, 'p', '/srv/p', True, ['define', 'start', 'autostart']) == EXISTING
    assert sp.after(EXISTING, 'p', None, True, ['remove']) is None


@pytest.mark.parametrize('name, path, mode, error', [
    ('ok-pool', '/srv/p', '0711', None),
    ('a<b', '/srv/p', '0711', 'name'),
    ('a&b', '/srv/p', '0711', 'name'),
    ('a/b', '/srv/p', '0711', 'name'),
    ('a..b', '/srv/p', '0711', 'name'),
    ('', '/srv/p', '0711', 'name'),
    ('x' * 65, '/srv/p', '0711', 'name'),
    ('p', 'relative/p', '0711', 'path'),
    ('p', '/srv/../etc', '0711', 'path'),
    ('p', '/srv//p', '0711', 'path'),
    ('p', '/srv/p', '999', 'mode'),
    ('p', '/srv/p', 'rwx', 'mode'),
])
def test_validate(name, path, mode, error):
    if error is None:
        sp.validate(name, path, mode)
    else:
        with pytest.raises(InvalidInput, match='^%s ' % error):
            sp.validate(name, path, mode)


def test_desired_xml_escapes_and_describes_back():
    xml = sp.desired_xml('p', '/srv/a&b', '711')
    root = ET.fromstring(xml)
    assert root.findtext('target/path') == '/srv/a&b'
    assert root.findtext('target/permissions/mode') == '0711'
    assert sp.describe({'xml': xml, 'active': False, 'autostart': False}, 'p')['path'] == '/srv/a&b'
