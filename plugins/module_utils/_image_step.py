# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An image of the catalog in a hypervisor's image cache (the step behind the image module) (a _step.Step)."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _image
from ansible_collections.novalite.compute.plugins.module_utils._image_cache import ImageCache
from ansible_collections.novalite.compute.plugins.module_utils._image_source import ImageSource


class CacheImage(Step):
    argument_spec = dict(
        name=dict(type='str'),
        catalog=dict(type='list', elements='dict'),
        image=dict(type='dict'),
        pool=dict(type='str', default='novalite-images'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        timeout=dict(type='int', default=600),
        validate_certs=dict(type='bool', default=True),
        stale_partial_age=dict(type='int', default=3600),
    )
    spec_kwargs = dict(mutually_exclusive=[('image', 'name'), ('image', 'catalog')],
                       required_one_of=[('image', 'name')], required_together=[('name', 'catalog')])

    def run(self):
        p = self.params
        image = _image.validate(p['image']) if p['image'] else _image.resolve(p['catalog'], p['name'])
        cache = ImageCache(self.hypervisor, p['pool'])
        cached = cache.lookup(image)
        leftovers = cache.partials(time.time(), p['stale_partial_age'])
        if cached is not None and cached['data'] is None:
            leftovers.append(image['volume'])        # a view whose bytes are gone: publish again
            cached = None
        removed, transferred = list(leftovers), 0
        if p['state'] == 'absent':
            if cached is not None:
                users = cache.users({cached['view']['path'], cached['data']['path']})
                if users:
                    raise InvalidInput("image '%s' (%s) is in use on %s by: %s"
                                       % (image['name'], image['volume'], self.hypervisor.uri, ', '.join(users)))
                removed += [image['volume'], _volume_name(cached['data'])]
            if not self.check_mode:
                cache.remove(removed)
            return self.result(image, None, 0, removed, before=cached)
        if not self.check_mode:
            cache.remove(leftovers)
        if cached is None and not self.check_mode:
            source = ImageSource(image, p['timeout'], p['validate_certs'])
            try:
                cache.upload(image, source)
            except NovaliteError:
                # Another run may have published the same image meanwhile: then it is cached.
                if ImageCache(self.hypervisor, p['pool']).lookup(image) is None:
                    raise
            transferred = source.count
            after = ImageCache(self.hypervisor, p['pool']).lookup(image)
            return self.result(image, after, transferred, removed, before=None)
        return self.result(image, cached, transferred, removed, before=cached, upload=cached is None)

    def result(self, image, cached, transferred, removed, before, upload=False):
        volume = _describe(image, cached, self.params['pool']) if cached else None
        if upload:   # check mode: what would be there
            volume = {'name': image['volume'], 'pool': self.params['pool'], 'checksum': image['checksum']}
        changed = bool(removed) or upload or (before is None and cached is not None)
        result = dict(changed=changed, volume=volume, bytes_transferred=transferred, removed=removed,
                      image={k: v for k, v in image.items() if k not in ('algo', 'digest')})
        if self.want_diff:
            result['diff'] = dict(before={'present': before is not None, 'volume': image['volume']},
                                  after={'present': volume is not None, 'volume': image['volume']})
        return result


def _volume_name(vol):
    return vol['handle'].name()


def _describe(image, cached, pool):
    view_root = ET.fromstring(cached['view']['xml'])
    data_root = ET.fromstring(cached['data']['xml'])
    fmt = view_root.find('backingStore/format')
    return {
        'name': image['volume'], 'pool': pool, 'path': cached['view']['path'], 'data_path': cached['data']['path'],
        'format': fmt.get('type') if fmt is not None else None,
        'virtual_size': int(view_root.findtext('capacity')),
        'size': int(data_root.findtext('physical') or data_root.findtext('allocation')),
        'checksum': image['checksum'],
    }
