# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nova's extra specs operators (nova/scheduler/filters/extra_specs_ops.py), exactly.

`=` means "at least" on numbers (float(value) >= float(arg)), a first word that is not an
operator means plain string equality with the whole requirement.
"""

from __future__ import annotations

import operator


def _float_op(op):
    def compare(value, arg):
        try:
            return op(float(value), float(arg))
        except ValueError:
            # Nova raises here and the request fails; a value that is not a number
            # simply does not match in ours.
            return False
    return compare


OPERATORS = {
    '=': _float_op(operator.ge),
    '<in>': lambda value, arg: arg in value,
    '<all-in>': lambda value, args: all(arg in value for arg in args),
    '==': _float_op(operator.eq),
    '!=': _float_op(operator.ne),
    '>=': _float_op(operator.ge),
    '<=': _float_op(operator.le),
    's==': operator.eq,
    's!=': operator.ne,
    's<': operator.lt,
    's<=': operator.le,
    's>': operator.gt,
    's>=': operator.ge,
}


def match(value, req):
    """Whether `value` (a string) satisfies the requirement `req` (a string)."""
    words = req.split()
    op = method = None
    if words:
        op = words.pop(0)
        method = OPERATORS.get(op)

    if op != '<or>' and not method:
        return value == req

    if value is None:
        return False

    if op == '<or>':  # <or> v1 <or> v2 <or> v3
        while words:
            if words.pop(0) == value:
                return True
            if not words:
                break
            words.pop(0)  # the next '<or>'
        return False

    if words:
        if op == '<all-in>':
            return method(value, words)
        return method(value, words[0])
    return False
