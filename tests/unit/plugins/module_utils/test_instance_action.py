# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The instance action log and the notification events."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.novalite.compute.plugins.module_utils import _instance_action
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record


def _record():
    return {'uuid': 'u-1', 'name': 'web-1', 'vm_state': 'building', 'task_state': 'spawning', 'project_id': 'p1',
            'reservation_id': 'r-abcdefgh', 'request_id': 'req-1',
            'flavor': {'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 64, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0,
                       'extra_specs': {}},
            'image': {'id': 'cirros'}, 'ports': [{'network': 'n', 'ip': '10.0.0.5', 'mac': '52:54:00:00:00:01',
                                                 'name': 'web-1-eth0', 'id': 'x'}]}


def test_success_and_error_entries_survive_the_record_round_trip():
    rec = _record()
    ok = _instance_action.start(rec, 'create', 'req-1')
    _instance_action.finish(ok)
    bad = _instance_action.start(rec, 'reboot', 'req-2')
    _instance_action.finish(bad, RuntimeError('Failed to reboot domain: <&> "quoted"'))
    back = _instance_record.from_element(ET.fromstring(_instance_record.to_xml(rec)))
    assert [a['action'] for a in back['actions']] == ['create', 'reboot']
    assert back['actions'][0]['result'] == 'Success' and 'message' not in back['actions'][0]
    assert back['actions'][1]['result'] == 'Error'
    assert back['actions'][1]['message'] == 'Failed to reboot domain: <&> "quoted"'
    assert back['actions'][1]['request_id'] == 'req-2'
    assert back['actions'][0]['start_time'] <= back['actions'][0]['finish_time']


def test_an_unfinished_entry_has_no_finish_time():
    rec = _record()
    _instance_action.start(rec, 'delete', 'req-3')
    back = _instance_record.from_element(ET.fromstring(_instance_record.to_xml(rec)))
    assert back['actions'] == [{'action': 'delete', 'request_id': 'req-3', 'start_time': rec['actions'][0]['start_time']}]


def test_the_log_keeps_the_newest_entries():
    rec = _record()
    for i in range(_instance_action.MAX_ENTRIES + 7):
        _instance_action.finish(_instance_action.start(rec, 'reboot', 'req-%d' % i))
    assert len(rec['actions']) == _instance_action.MAX_ENTRIES
    assert rec['actions'][-1]['request_id'] == 'req-%d' % (_instance_action.MAX_ENTRIES + 6)
    assert rec['actions'][0]['request_id'] == 'req-7'


def test_unknown_action_refused():
    with pytest.raises(ValueError):
        _instance_action.start(_record(), 'shelve', 'req-1')


def test_messages_carry_no_control_characters():
    rec = _record()
    _instance_action.finish(_instance_action.start(rec, 'start', 'r'), RuntimeError('line 1\nline 2\x1b[0m\x00'))
    back = _instance_record.from_element(ET.fromstring(_instance_record.to_xml(rec)))
    assert back['actions'][0]['message'] == 'line 1 line 2[0m'


def test_messages_are_bounded():
    entry = _instance_action.finish(_instance_action.start(_record(), 'start', 'r'), RuntimeError('x' * 5000))
    assert len(entry['message']) == _instance_action.MAX_MESSAGE


def test_events_are_nova_shaped_and_json():
    rec = _record()
    start = _instance_action.event(rec, 'create', 'start', 'hv1', 'req-1')
    error = _instance_action.event(rec, 'create', 'error', 'hv1', 'req-1', RuntimeError('no room'))
    assert start['event_type'] == 'compute.instance.create.start' and start['priority'] == 'INFO'
    assert error['event_type'] == 'compute.instance.create.error' and error['priority'] == 'ERROR'
    assert error['payload']['fault'] == {'message': 'no room'}
    assert start['publisher_id'] == 'novalite.compute:hv1'
    payload = start['payload']
    assert payload['instance_id'] == 'u-1' and payload['reservation_id'] == 'r-abcdefgh'
    assert payload['ip_addresses'] == [{'network': 'n', 'address': '10.0.0.5', 'mac': '52:54:00:00:00:01'}]
    json.dumps(start)
    assert 'fault' not in payload


def test_request_ids():
    assert _instance_action.request_id('req-given') == 'req-given'
    made = _instance_action.request_id()
    assert made.startswith('req-') and len(made) == 40
