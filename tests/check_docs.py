"""Every module and plugin renders with ansible-doc, with DOCUMENTATION, EXAMPLES and RETURN.

ansible-doc exits 0 even for a plugin it cannot find, so this reads its JSON output.
"""
import json
import os
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
PLUGIN_TYPES = {'modules': 'module', 'filter': 'filter', 'inventory': 'inventory', 'callback': 'callback'}


def main():
    failures, checked = [], 0
    for folder, plugin_type in PLUGIN_TYPES.items():
        path = os.path.join(TOP, 'plugins', folder)
        if not os.path.isdir(path):
            continue
        # A file of filters documents each one in a NAME.yml beside it.
        names = sorted({os.path.splitext(n)[0] for n in os.listdir(path) if not n.startswith('_')
                        and (n.endswith('.py') or (plugin_type == 'filter' and n.endswith('.yml')))})
        for name in names:
            fqcn = 'novalite.compute.' + name
            out = subprocess.run(['ansible-doc', '-t', plugin_type, '-j', fqcn], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, universal_newlines=True, check=False)
            checked += 1
            try:
                entry = json.loads(out.stdout or '{}').get(fqcn) or {}
            except ValueError:
                entry = {}
            doc = entry.get('doc') or {}
            missing = [k for k, v in (('DOCUMENTATION', doc.get('description')), ('EXAMPLES', entry.get('examples')),
                                      ('RETURN', entry.get('return') if plugin_type not in ('inventory', 'callback') else True)) if not v]
            if missing:
                failures.append('%s %s: missing %s %s' % (plugin_type, fqcn, ', '.join(missing), out.stderr.strip()))
            else:
                print('ok   %s %s' % (plugin_type, fqcn))
    for failure in failures:
        print('FAIL ' + failure)
    print('ansible-doc: %d passed, %d failed' % (checked - len(failures), len(failures)))
    return 1 if failures or not checked else 0


if __name__ == '__main__':
    sys.exit(main())
