"""Make the checkout importable as ansible_collections.novalite.compute for plain pytest."""
import os
import subprocess
import sys

_TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
_COLLECTIONS = subprocess.check_output([os.path.join(_TOP, 'scripts', 'collection-path.sh')],
                                       universal_newlines=True).strip()
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
