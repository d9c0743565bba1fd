# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypervisor versions as Nova handles them for img_hv_requested_version: an integer
(major * 1000000 + minor * 1000 + release, nova.utils / oslo versionutils) turned into a
string, checked against a predicate such as ">=6.0" or ">= 2.1, < 3"
(nova/virt/versionpredicate, distutils' StrictVersion semantics)."""

from __future__ import annotations

import operator
import re

_COMPARISONS = {'<': operator.lt, '<=': operator.le, '==': operator.eq, '>': operator.gt, '>=': operator.ge,
                '!=': operator.ne}
_PREDICATE = re.compile(r'^\s*(<=|>=|==|!=|<|>)\s*(\S+?)\s*\Z')
_VERSION = re.compile(r'^(\d+)\.(\d+)(?:\.(\d+))?\Z')


def convert_version_to_str(version_int):
    numbers = []
    factor = 1000
    while version_int != 0:
        numbers.insert(0, str(version_int - (version_int // factor * factor)))
        version_int = version_int // factor
    return '.'.join(numbers)


def _strict_version(text):
    m = _VERSION.match(text)
    if not m:
        raise ValueError('invalid version number %r' % text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def parse_predicate(text):
    """'>=6.0, <7' -> [(operator, (6, 0, 0)), ...]; ValueError when malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError('empty version predicate')
    result = []
    for part in text.split(','):
        m = _PREDICATE.match(part)
        if not m:
            raise ValueError('bad version predicate %r' % part.strip())
        result.append((_COMPARISONS[m.group(1)], _strict_version(m.group(2))))
    return result


def satisfied_by(predicate, version_str):
    version = _strict_version(version_str)
    return all(op(version, wanted) for op, wanted in parse_predicate(predicate))
