"""plain_json.py < ansible-inventory --list: the same JSON with Ansible's legacy markers of
untrusted strings ({"__ansible_unsafe": "text"}) replaced by the strings themselves."""
import json
import sys


def plain(value):
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


print(json.dumps(plain(json.load(sys.stdin))))
