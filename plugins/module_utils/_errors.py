# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception family of novalite.compute.

Everything that decides or touches libvirt raises NovaliteError with a message a user can
act on (`Failed to <verb> <kind> '<name>': <cause>`, or the option and value at fault);
the base module class catches it once and turns it into fail_json.
"""

from __future__ import annotations


class NovaliteError(Exception):
    """An error the user can act on. `details` go into the module result as extra keys."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def __str__(self):
        return self.msg


class InvalidInput(NovaliteError):
    """Bad input, detected before anything was changed."""
