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
        raise InvalidInput("%s '%s' not found; known: %s" % (kind, wanted, ', '.join(names) or 'none'))
    return match[0], entries
