# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils import _audit
from ansible_collections.novalite.compute.plugins.module_utils import _block_device
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record

POOL, VOLS, IMGS = 'novalite-instances', 'novalite-volumes', 'novalite-images'


def domain(name, vm_state='active', task_state=None, volumes=(), config=True, port=True, nvram=None):
    rec = {'name': name, 'uuid': '00000000-0000-0000-0000-000000000001', 'vm_state': vm_state,
           'task_state': task_state, 'console_log': '/pools/i/%s.console.log' % name,
           'launched_at': '2026-01-01T00:00:00Z' if vm_state == 'active' else None,
           'block_devices': [{'kind': 'disk', 'pool': POOL, 'volume': '%s_disk' % name, 'dev': 'vda',
                              'delete_on_termination': 'true'}]
           + [{'kind': 'disk', 'pool': VOLS, 'volume': v, 'dev': 'vdb', 'delete_on_termination': 'true'}
              for v in volumes]
           + ([{'kind': 'config_drive', 'pool': POOL, 'volume': '%s_disk.config' % name, 'dev': 'config',
                'delete_on_termination': 'true'}] if config else []),
           'ports': [{'network': 'net', 'name': '%s-eth0' % name, 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.5',
                      'id': 'p'}] if port else []}
    os_el = '<os><nvram>%s</nvram></os>' % nvram if nvram else ''
    return {'name': name, 'xml': '<domain><name>%s</name>%s<metadata>%s</metadata></domain>'
                                 % (name, os_el, _instance_record.to_xml(rec))}


def files(name):
    return ['%s_disk' % name, '%s_disk.config' % name, '%s.console.log' % name]


def run(domains, instances, networks=None, volumes=(), images=(), nvram=None):
    return _audit.audit('qemu:///test', domains, POOL, instances, VOLS, list(volumes), IMGS, list(images),
                        networks if networks is not None else {}, '/nv', nvram)


def test_a_finished_instance_accounts_for_everything():
    port = {'name': 'a-eth0', 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.5'}
    result = run([domain('a')], files('a') + ['failed-build.20260101T000000Z.x'], {'net': [port]},
                 images=['guest'])
    assert result['clean'] and not result['orphans'] and not result['missing']
    kinds = sorted(o['kind'] for o in result['objects'])
    assert kinds == ['config_drive', 'console_log', 'dhcp_host', 'disk', 'domain', 'image', 'marker']


def test_leftovers_of_a_gone_instance_are_orphans():
    port = {'name': 'b-eth0', 'mac': 'fa:16:3e:00:00:02', 'ip': '10.0.0.6'}
    result = run([], files('b') + ['b_disk.eph0', 'someone-elses-file.img'], {'net': [port]})
    assert sorted(o['name'] for o in result['orphans']) == sorted(files('b') + ['b_disk.eph0', 'b-eth0'])
    assert all("no instance 'b'" in o['reason'] for o in result['orphans'])
    assert not result['clean']


def test_a_volume_a_boot_made_that_its_record_does_not_list_is_an_orphan_but_a_kept_one_is_available():
    uuid_ = '00000000-0000-0000-0000-000000000001'          # domain()'s instance
    made = _block_device.volume_name(_block_device.created_volume_id(uuid_, 'vdb'))
    kept = _block_device.volume_name(_block_device.created_volume_id('11111111-0000-4000-8000-000000000000', 'vdb'))
    user = 'volume-11111111-2222-3333-4444-555555555555'
    result = run([domain('c')], files('c'), volumes=[made, kept, user])
    assert [(o['name'], o['reason']) for o in result['orphans']] == [
        (made, "made by a boot of 'c' and not listed by any instance")]
    # kept: a volume of an instance that is gone (delete_on_termination false): attachable by its id
    assert result['available_volumes'] == sorted([kept, user])


def test_an_object_the_record_does_not_list_is_an_orphan():
    result = run([domain('d', port=False)], files('d') + ['d_disk.swap'])
    assert [(o['name'], o['reason']) for o in result['orphans']] == [('d_disk.swap', "instance 'd' does not list it")]


def test_a_listed_object_that_is_gone_is_missing():
    made = _block_device.volume_name(_block_device.created_volume_id('00000000-0000-0000-0000-000000000001', 'vdb'))
    result = run([domain('e', volumes=[made])], ['e_disk'], {'net': []})
    assert sorted((m['kind'], m['name']) for m in result['missing']) == [
        ('config_drive', 'e_disk.config'), ('console_log', 'e.console.log'), ('dhcp_host', 'e-eth0'),
        ('disk', made)]


def test_an_unfinished_build_is_reported_with_what_it_made_not_as_orphans():
    result = run([domain('f', vm_state='building', task_state='claimed', config=False)], ['f_disk'])
    assert not result['orphans'] and not result['missing']
    assert result['unfinished'][0]['instance'] == 'f'
    assert result['unfinished'][0]['objects'] == ['domain domain/f', 'disk novalite-instances/f_disk']
    assert not result['clean']


def test_an_instance_in_error_is_accounted_for():
    result = run([domain('g', vm_state='error')], files('g'), {'net': [{'name': 'g-eth0', 'mac': 'fa:16:3e:00:00:01',
                                                                        'ip': '10.0.0.5'}]})
    assert result['clean']


def test_one_address_reserved_twice_is_a_conflict():
    hosts = [{'name': 'h-eth0', 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.5'},
             {'name': 'i-eth0', 'mac': 'fa:16:3e:00:00:02', 'ip': '10.0.0.5'}]
    result = run([], [], {'net': hosts})
    assert result['conflicts'][0]['name'] == '10.0.0.5'


def test_nvram_files_are_checked_only_when_the_directory_was_read():
    result = run([domain('j', nvram='/nv/j_VARS.fd')], files('j'),
                 {'net': [{'name': 'j-eth0', 'mac': 'fa:16:3e:00:00:01', 'ip': '10.0.0.5'}]},
                 nvram=['j_VARS.fd', 'k_VARS.fd', 'other.fd'])
    assert result['nvram_checked']
    assert [o['name'] for o in result['orphans']] == ['k_VARS.fd']
    assert not run([], [], nvram=None)['nvram_checked']


def test_foreign_domains_and_names_are_left_alone():
    foreign = {'name': 'theirs', 'xml': '<domain><name>theirs</name></domain>'}
    result = run([foreign], ['theirs.qcow2'], {'default': [{'name': 'printer', 'mac': 'x', 'ip': '10.0.0.9'}]})
    assert result['clean'] and result['foreign_domains'] == ['theirs'] and not result['objects']


def test_names_with_underscores_and_dots_resolve_to_their_instance():
    assert _audit.local_kind('web_1.prod_disk.eph0') == ('disk', 'web_1.prod')
    assert _audit.local_kind('web_1.prod_disk.config') == ('config_drive', 'web_1.prod')
    assert _audit.local_kind('web_1.prod.console.log') == ('console_log', 'web_1.prod')
    assert _audit.local_kind('failed-build.20260101T000000Z.web.1') == ('marker', 'web.1')
    assert _audit.local_kind('guest.qcow2') == (None, None)


def test_downloaded_bytes_never_published_are_an_orphan_of_the_image_cache():
    digest = 'ab' * 32
    published = ['data-sha256-%s-1a2b3c4d' % digest, 'sha256-%s' % digest]
    assert run([], [], images=published)['clean']
    partial = run([], [], images=['data-sha256-%s-99999999' % ('cd' * 32)])
    assert [o['kind'] for o in partial['orphans']] == ['image'] and 'never published' in partial['orphans'][0]['reason']
