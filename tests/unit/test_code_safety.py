# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's code never does, read from its syntax tree: run anything through a
shell (or run a command at all - libvirt's API is the only way to a host), build XML from
strings, or declare a secret option without no_log."""

from __future__ import annotations

import ast
import os
import re

import pytest

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', 'plugins')
SOURCES = sorted(os.path.join(d, f) for d, dummy, files in os.walk(ROOT) for f in files if f.endswith('.py'))
# Nova's extra spec operators ('<in>', '<or>', ...) look like tags and are not XML.
EXTRA_SPEC_OPERATORS = {'<in>', '<all-in>', '<or>', '<is>'}
TAG = re.compile(r'(?<!\?P)<\s*/?\s*[A-Za-z][\w:.-]*(\s[^<>]*)?/?>')
SECRETS = ('admin_password', 'user_data', 'password', 'private_key')


def tree(path):
    with open(path) as f:
        return ast.parse(f.read(), path)


def code_strings(module):
    """String constants of the code: not docstrings, not DOCUMENTATION/EXAMPLES/RETURN."""
    skip = set()
    for node in ast.walk(module):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ('DOCUMENTATION', 'EXAMPLES', 'RETURN')
                                                for t in node.targets):
            skip.add(id(node.value))
    return [n for n in ast.walk(module) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip]


def test_the_sources_are_found():
    assert len(SOURCES) > 30


@pytest.mark.parametrize('path', SOURCES, ids=lambda p: os.path.relpath(p, ROOT))
def test_no_shell_and_no_commands(path):
    module = tree(path)
    for node in ast.walk(module):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, 'module', None) or '']
            assert not {'subprocess', 'pty', 'commands'} & set(names), '%s imports %s' % (path, names)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, 'id', '')
            assert name not in ('system', 'popen', 'run_command', 'spawnl', 'execv', 'execvp'), \
                '%s:%d calls %s' % (path, node.lineno, name)
            for kw in node.keywords:
                assert kw.arg != 'shell', '%s:%d passes shell=' % (path, node.lineno)


@pytest.mark.parametrize('path', SOURCES, ids=lambda p: os.path.relpath(p, ROOT))
def test_xml_is_built_with_an_xml_library(path):
    for node in code_strings(tree(path)):
        for match in TAG.finditer(node.value):
            assert match.group(0) in EXTRA_SPEC_OPERATORS, \
                '%s:%d writes XML as a string: %r' % (path, node.lineno, node.value[:80])


@pytest.mark.parametrize('path', [p for p in SOURCES if os.sep + 'modules' + os.sep in p],
                         ids=os.path.basename)
def test_secret_options_are_no_log(path):
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.keyword) and node.arg in SECRETS and isinstance(node.value, ast.Call):
            options = {kw.arg: kw.value for kw in node.value.keywords}
            assert 'no_log' in options and getattr(options['no_log'], 'value', None) is True, \
                '%s: option %s is not no_log' % (path, node.arg)
