import pytest

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler import versions


@pytest.mark.parametrize('number, text', [(7002022, '7.2.22'), (6000000, '6.0.0'), (2001000, '2.1.0'), (1000, '1.0')])
def test_convert_version_to_str(number, text):
    assert versions.convert_version_to_str(number) == text


@pytest.mark.parametrize('predicate, version, expected', [
    ('>=6.0', '7.2.22', True), ('>=8.0', '7.2.22', False), ('==7.2.22', '7.2.22', True),
    ('== 6.0', '6.0.0', True), ('<7.0', '6.9.9', True),
    ('>= 2.1, < 3.0', '2.5.0', True), ('>= 2.1, < 3.0', '3.0.0', False), ('!=6.0', '6.0.0', False),
])
def test_satisfied_by(predicate, version, expected):
    assert versions.satisfied_by(predicate, version) is expected


@pytest.mark.parametrize('predicate', ['', 'abc', '>= x.y', '~> 1.0', None, '<7'])
def test_bad_predicates(predicate):
    with pytest.raises(ValueError):
        versions.parse_predicate(predicate)
