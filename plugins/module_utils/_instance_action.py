# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instance actions and notifications (Nova's instance_actions table and its
compute.instance.<action>.start/.end/.error notifications).

Each instance record keeps its action log: one entry per create, delete, stop, start and
reboot, with the request that asked for it, start and finish times, the result (Nova's
'Success' or 'Error') and the error message on failure. The server module adds the entries;
the same steps give the notification events a module returns under `novalite_events`, which
the callback plugin novalite.compute.notifications writes as JSON lines. Pure."""

from __future__ import annotations

import datetime
import re
import uuid

ACTIONS = ('create', 'delete', 'stop', 'start', 'reboot', 'live-migration', 'resize', 'migrate', 'confirmResize',
           'revertResize', 'rebuild', 'evacuate')
# A record keeps the newest entries only (its domain's metadata is not a database).
MAX_ENTRIES = 50
MAX_MESSAGE = 500
# A message goes into an XML attribute: no control characters (a newline becomes a space).
_CONTROL = re.compile(u'[\x00-\x1f\x7f\ufffe\uffff]+')


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def request_id(given=None):
    return given or 'req-%s' % uuid.uuid4()


def _message(error):
    return _CONTROL.sub(lambda m: ' ' if '\n' in m.group(0) else '', str(error)).strip()[:MAX_MESSAGE]


def start(rec, action, request):
    """Open an entry for `action` in the record's log; returns the entry."""
    if action not in ACTIONS:
        raise ValueError('unknown instance action %r' % (action,))
    entry = {'action': action, 'request_id': request, 'start_time': now()}
    log = list(rec.get('actions') or []) + [entry]
    rec['actions'] = log[-MAX_ENTRIES:]
    return entry


def finish(entry, error=None):
    """Close an entry: 'Success', or 'Error' with the message."""
    entry['finish_time'] = now()
    entry['result'] = 'Error' if error is not None else 'Success'
    if error is not None:
        entry['message'] = _message(error)
    return entry


def event(rec, action, phase, host, request, error=None):
    """One notification: compute.instance.<action>.<start|end|error>, with the instance's
    payload as Nova's versioned InstanceActionPayload carries it (the fields novalite has)."""
    flavor = rec.get('flavor') or {}
    payload = {
        'instance_id': rec.get('uuid'), 'display_name': rec.get('display_name') or rec.get('name'),
        'host': host, 'state': rec.get('vm_state'), 'task_state': rec.get('task_state') or None,
        'power_state': None, 'flavor': {'name': flavor.get('name'), 'vcpus': flavor.get('vcpus'),
                                        'memory_mb': flavor.get('memory_mb'), 'root_gb': flavor.get('root_gb')},
        'image_uuid': (rec.get('image') or {}).get('id'), 'project_id': rec.get('project_id'),
        'reservation_id': rec.get('reservation_id'), 'request_id': request,
        'ip_addresses': [{'network': p.get('network'), 'address': p.get('ip'), 'mac': p.get('mac')}
                         for p in rec.get('ports') or []],
    }
    if error is not None:
        payload['fault'] = {'message': _message(error)}
    return {'event_type': 'compute.instance.%s.%s' % (action, phase), 'priority': 'ERROR' if phase == 'error' else 'INFO',
            'publisher_id': 'novalite.compute:%s' % host, 'timestamp': now(), 'payload': payload}
