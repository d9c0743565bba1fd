# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading an image's source once, as a stream: the checksum is computed on the way and the
first bytes are kept to tell the file's real format, so a multi-GB file is never read twice
and a wrong file is refused as soon as its header is in."""

from __future__ import annotations

import hashlib
import os

from ansible.module_utils.urls import open_url

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _image

CHUNK = 4 * 1024 * 1024


class ImageSource(object):

    def __init__(self, image, timeout=600, validate_certs=True):
        self.image = image
        self.location = image['source']
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.size = None
        self.count = 0
        self.header = b''
        self.info = None
        self._hash = hashlib.new(image['algo'])
        self._fh = None

    def open(self):
        """Open the source and learn its size (bytes)."""
        try:
            if self.location.startswith(('http://', 'https://')):
                self._fh = open_url(self.location, timeout=self.timeout, validate_certs=self.validate_certs)
                length = self._fh.headers.get('Content-Length')
                if length is None or not length.isdigit():
                    raise NovaliteError("Failed to read image '%s' from %s: the server sends no Content-Length"
                                        % (self.image['name'], self.location))
                self.size = int(length)
            else:
                self._fh = open(self.location, 'rb')
                self.size = os.fstat(self._fh.fileno()).st_size
        except NovaliteError:
            raise
        except Exception as err:  # urllib/ssl/OS errors all mean the same to the user
            raise NovaliteError("Failed to read image '%s' from %s: %s" % (self.image['name'], self.location, err))
        return self.size

    def chunks(self):
        """The bytes, in chunks; the header is checked against disk_format as soon as it is in."""
        try:
            while True:
                chunk = self._fh.read(CHUNK)
                if not chunk:
                    break
                self.count += len(chunk)
                self._hash.update(chunk)
                if self.info is None:
                    self.header += chunk[:_image.HEADER_BYTES - len(self.header)]
                    if len(self.header) >= _image.HEADER_BYTES or self.count >= self.size:
                        self.info = _image.inspect(self.header, self.size)
                        _image.check_file(self.image, self.info)
                yield chunk
        except (InvalidInput, NovaliteError):
            raise
        except Exception as err:
            raise NovaliteError("Failed to read image '%s' from %s after %d of %d bytes: %s"
                                % (self.image['name'], self.location, self.count, self.size, err))
        finally:
            self.close()

    def verify(self):
        """All the bytes, and the right ones."""
        if self.count != self.size:
            raise NovaliteError("Failed to read image '%s' from %s: the source ended after %d of %d bytes"
                                % (self.image['name'], self.location, self.count, self.size))
        if self.info is None:
            self.info = _image.inspect(self.header, self.size)
            _image.check_file(self.image, self.info)
        actual = self._hash.hexdigest()
        if actual != self.image['digest']:
            raise InvalidInput("image '%s': checksum mismatch: the catalog says %s:%s, the source's bytes are %s:%s"
                               % (self.image['name'], self.image['algo'], self.image['digest'], self.image['algo'],
                                  actual))

    def close(self):
        if self._fh is not None:
            try:
                self._fh.close()
            except Exception:
                pass
            self._fh = None
