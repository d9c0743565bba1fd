# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: notifications
type: notification
short_description: Write novalite's instance notifications as JSON lines
version_added: 0.1.0
description:
  - Nova's versioned notifications for novalite - C(compute.instance.create.start),
    C(compute.instance.create.end), C(compute.instance.create.error), and the same for
    C(delete), C(stop), C(start) and C(reboot) - appended to a file, one JSON object per line,
    as the instances' builds and deletes happen in any playbook.
  - The events come from M(novalite.compute.server) (its C(novalite_events) result, also when
    it fails or runs as an async job); each carries C(event_type), C(priority) (C(INFO) or
    C(ERROR)), C(publisher_id) (C(novalite.compute:<host>)), C(timestamp) and C(payload) (the
    instance's uuid, name, host, state, flavor, image, project, reservation and request ids, its
    addresses, and C(fault) on error). No user data or password is ever in them.
  - Enable it with C(callbacks_enabled = novalite.compute.notifications) in C(ansible.cfg) (or
    E(ANSIBLE_CALLBACKS_ENABLED)); in AWX, set that environment variable on the job template.
options:
  path:
    description: The file the events are appended to (created with mode 0600 if missing).
    type: path
    default: ~/.ansible/novalite-notifications.jsonl
    env:
      - name: NOVALITE_NOTIFICATIONS_FILE
    ini:
      - section: novalite
        key: notifications_file
requirements:
  - enabled in callbacks_enabled
'''

EXAMPLES = r'''
# ansible.cfg
# [defaults]
# callbacks_enabled = novalite.compute.notifications
# [novalite]
# notifications_file = /var/log/novalite/notifications.jsonl
#
# $ tail -1 /var/log/novalite/notifications.jsonl | jq .event_type
# "compute.instance.create.end"
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'novalite.compute.notifications'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._seen = set()

    def _write(self, result):
        events = result._result.get('novalite_events')
        if not isinstance(events, list) or not events:
            return
        path = os.path.expanduser(self.get_option('path'))
        os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, 'a') as out:
            for event in events:
                # An async job's result is read by every poll that sees it finished: once each.
                key = json.dumps(event, sort_keys=True, default=str)
                if key in self._seen:
                    continue
                self._seen.add(key)
                out.write(key + '\n')

    def v2_runner_on_ok(self, result):
        self._write(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result)

    def v2_runner_item_on_ok(self, result):
        self._write(result)

    def v2_runner_item_on_failed(self, result):
        self._write(result)
