# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory catalogs (novalite_flavors, novalite_images, ...): every entry validated,
names unique, an entry found by name and then by id, as Nova's API looks them up. Pure."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput


def find(catalog, wanted, kind, variable, validate):
    """(the entry `wanted`, every entry), each entry passed through `validate(entry, index)`."""
    if not isinstance(catalog, list):
        raise InvalidInput('catalog must be a list of %ss (%s), got %r' % (kind, variable, catalog))
    entries = [validate(entry, i) for i, entry in enumerate(catalog)]
    names = [e['name'] for e in entries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidInput('%s has the name(s) %s more than once' % (variable, ', '.join(dupes)))
    match = [e for e in entries if e['name'] == wanted] or [e for e in entries if e['id'] == str(wanted)]
    if not match:
        raise InvalidInput("%s %r not found; known: %s" % (kind, wanted, ', '.join(names) or 'none'))
    return match[0], entries


def entry_name(entry, index, variable, kind, fields, name_pattern, name_rule, dots=False):
    """The first checks of a catalog entry: a dict, no unknown field, a valid name (and, unless
    `dots`, no '..' in it). Returns (name, where) with `where` naming the entry for messages."""
    where = '%s[%s]' % (variable, index) if index is not None else kind
    if not isinstance(entry, dict):
        raise InvalidInput('%s must be a dict, got %r' % (where, entry))
    unknown = sorted(set(entry) - set(fields))
    if unknown:
        raise InvalidInput('%s has unknown field(s) %s; known: %s' % (where, ', '.join(unknown), ', '.join(fields)))
    name = entry.get('name')
    if not isinstance(name, str) or not name_pattern.match(name) or (not dots and '..' in name):
        raise InvalidInput('%s.name %r is not a valid %s name (%s)' % (where, name, kind, name_rule))
    return name, "%s '%s'" % (kind, name)
