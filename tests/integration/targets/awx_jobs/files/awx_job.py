"""Lay out a job's private data directory as AWX does, then run it with ansible-runner.

    awx_job.py DOC PDD PROJECT INVENTORY TEMPLATE ANSWERS.json ENV.json

DOC is docs/awx.md: the job template's extra variables (its ```yaml block under the
template's heading) and survey (the ```json block) are read from there, so what the docs tell
an operator to paste is what runs. AWX then:
- merges the survey's answers into the extra variables, typed as the survey types them
  (integer -> int, float -> float, the rest strings), into env/extravars;
- writes the inventory as an executable script printing JSON (inventory/hosts);
- uses the project's checkout as project/;
and runs the playbook with ansible-runner. Prints the job's status, rc and events as JSON.
"""
import json
import os
import re
import shutil
import stat
import sys

import ansible_runner
import yaml

TEMPLATES = {'boot': ('## 3. Job template "novalite boot"', 'playbooks/boot.yml'),
             'delete': ('## 4. Job template "novalite delete"', 'playbooks/delete.yml')}


def blocks(doc, heading):
    """The fenced blocks of one section of the doc: {language: [text, ...]}."""
    section = doc.split(heading, 1)[1].split('\n## ', 1)[0]
    found = {}
    for lang, text in re.findall(r'```(\w+)\n(.*?)```', section, re.S):
        found.setdefault(lang, []).append(text)
    return found


def typed(question, answer):
    kind = question['type']
    if kind == 'integer':
        value = int(answer)
        if not question.get('min', value) <= value <= question.get('max', value):
            raise SystemExit('AWX refuses %s=%d: outside %s..%s' % (question['variable'], value, question['min'], question['max']))
        return value
    if kind == 'float':
        return float(answer)
    return '' if answer is None else str(answer)


def main():
    doc_path, pdd, project, inventory_path, template, answers_path, env_path = sys.argv[1:8]
    heading, playbook = TEMPLATES[template]
    with open(doc_path) as f:
        section = blocks(f.read(), heading)
    extra_vars = yaml.safe_load(section['yaml'][0]) if 'yaml' in section else {}
    survey = json.loads(section['json'][0])
    with open(answers_path) as f:
        given = json.load(f)
    answers, choices = given['answers'], given.get('choices', {})
    for question in survey['spec']:
        name = question['variable']
        # The operator's own choices (their flavors, images) replace the doc's examples.
        question['choices'] = choices.get(name, question.get('choices'))
        if name in answers and question['type'] == 'multiplechoice' and answers[name] not in question['choices']:
            raise SystemExit('AWX refuses %s=%r: not one of %s' % (name, answers[name], question['choices']))
        if name in answers:
            extra_vars[name] = typed(question, answers[name])
        elif question.get('required'):
            raise SystemExit('the survey requires %s' % name)
        elif 'default' in question:
            extra_vars[name] = typed(question, question['default'])

    shutil.rmtree(pdd, ignore_errors=True)
    os.makedirs(os.path.join(pdd, 'env'))
    os.makedirs(os.path.join(pdd, 'inventory'))
    shutil.copytree(project, os.path.join(pdd, 'project'), symlinks=True,
                    ignore=shutil.ignore_patterns('.git', 'tests', 'build', '.venv'))
    with open(os.path.join(pdd, 'env', 'extravars'), 'w') as f:
        yaml.safe_dump(extra_vars, f)
    with open(inventory_path) as f:
        inventory = yaml.safe_load(f)
    script = os.path.join(pdd, 'inventory', 'hosts')
    with open(script, 'w') as f:
        f.write('#!%s\nimport json\nprint(json.dumps(%r))\n' % (sys.executable, to_script_json(inventory)))
    os.chmod(script, os.stat(script).st_mode | stat.S_IXUSR)
    with open(env_path) as f:
        envvars = json.load(f)

    result = ansible_runner.run(private_data_dir=pdd, playbook=playbook, inventory=script, envvars=envvars,
                                ident='%s-job' % template, quiet=True, forks=10)
    events = [{'event': e.get('event'), 'task': e.get('event_data', {}).get('task'),
               'failed': e.get('event') == 'runner_on_failed' and not e.get('event_data', {}).get('ignore_errors'),
               'msg': (e.get('event_data', {}).get('res') or {}).get('msg')}
              for e in result.events]
    print(json.dumps({'status': result.status, 'rc': result.rc, 'events': events,
                      'stdout': result.stdout.read()[-20000:],
                      'artifacts': os.path.join(pdd, 'artifacts', '%s-job' % template)}))


def to_script_json(inventory):
    """A YAML inventory ({all: {vars, children: {g: {hosts: {h: vars}}}}}) as the JSON an
    inventory script prints: groups with hosts and vars, and _meta.hostvars."""
    out = {'_meta': {'hostvars': {}}, 'all': {'children': [], 'vars': {}}}

    def walk(name, group):
        group = group or {}
        entry = out.setdefault(name, {})
        entry.setdefault('hosts', [])
        entry['vars'] = dict(entry.get('vars', {}), **(group.get('vars') or {}))
        for host, hostvars in (group.get('hosts') or {}).items():
            entry['hosts'].append(host)
            out['_meta']['hostvars'].setdefault(host, {}).update(hostvars or {})
        children = group.get('children') or {}
        entry['children'] = list(children)
        for child, sub in children.items():
            walk(child, sub)

    walk('all', inventory.get('all'))
    return out


if __name__ == '__main__':
    main()
