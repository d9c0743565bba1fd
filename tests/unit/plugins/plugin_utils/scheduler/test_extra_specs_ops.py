import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.extra_specs_ops import match


@pytest.mark.parametrize('value, req, expected', [
    # '=' means "at least" on numbers (Nova's corner case)
    ('123', '= 123', True), ('124', '= 123', True), ('122', '= 123', False), ('12.5', '= 12', True),
    ('123', '== 123', True), ('123.0', '== 123', True), ('124', '== 123', False),
    ('123', '!= 124', True), ('123', '!= 123', False),
    ('123', '>= 123', True), ('122', '>= 123', False),
    ('123', '<= 123', True), ('124', '<= 123', False),
    ('abc', '== 123', False),                       # not a number: no match
    ('abc', 's== abc', True), ('abd', 's== abc', False),
    ('abc', 's!= abd', True), ('abc', 's!= abc', False),
    ('abc', 's< abd', True), ('abd', 's< abc', False),
    ('abc', 's<= abc', True), ('abd', 's<= abc', False),
    ('abd', 's> abc', True), ('abc', 's> abd', False),
    ('abc', 's>= abc', True), ('abb', 's>= abc', False),
    ('12311321', '<in> 11', True), ('12311321', '<in> 1111', False),
    ('avx sse avx2', '<all-in> avx avx2', True), ('avx sse', '<all-in> avx avx2', False),
    ('b', '<or> a <or> b <or> c', True), ('d', '<or> a <or> b <or> c', False),
    ('a', '<or> a', True), ('12', '<or> 11 <or> 12', True),
    ('12', '=', False),                             # operator without argument
    ('12', '>=', False),
    ('qemu', 'qemu', True), ('QEMU', 'qemu', False),  # no operator: plain equality
    ('true', 'true', True), ('a b', 'a b', True),
    ('', '', True),
    (None, '= 1', False),
])
def test_match(value, req, expected):
    assert match(value, req) is expected
