# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compute manager's build (nova/compute/manager.py build_and_run_instance ->
_build_and_run_instance with its _build_resources context): one host's share of a boot
round, in one Python frame.

For the host: remove what earlier, unfinished attempts left here (leftovers), then prepare
the networks and the image cache once; then for each instance, at the same time: claim,
ports, security groups, disks, spawn and wait. Any failure of an instance removes exactly
what this attempt made here - ports, disks, config drive, then the domain, the record of the
attempt, last, so that a rollback cut short is finished by the next run - unless the
request keeps its last failed attempt in error (keep_failed). Every result is structured:
built or failed, the reason, what was made, and the time each step took.

The steps are the same classes the step modules (claim, port, block_device, server, ...)
are shells over, called in process.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _instance_record
from ansible_collections.novalite.compute.plugins.module_utils import _libvirt
from ansible_collections.novalite.compute.plugins.module_utils._step import Step
from ansible_collections.novalite.compute.plugins.module_utils import _quota_recheck
from ansible_collections.novalite.compute.plugins.module_utils import _claim
from ansible_collections.novalite.compute.plugins.module_utils._claim import Claim
from ansible_collections.novalite.compute.plugins.module_utils._disks import Disks
from ansible_collections.novalite.compute.plugins.module_utils._image_step import CacheImage
from ansible_collections.novalite.compute.plugins.module_utils._network_setup import NetworkSetup
from ansible_collections.novalite.compute.plugins.module_utils._port_allocation import PortAllocation
from ansible_collections.novalite.compute.plugins.module_utils._security_group_filter import SecurityGroupFilter
from ansible_collections.novalite.compute.plugins.module_utils._spawn import Server

# Nova's task_state names for the steps of a build, in order (the record shows the claim as
# 'claimed'); the timings of a build use them.
STEPS = ('claim', 'networking', 'block_device_mapping', 'spawning')

STEP_DELAY = float(os.environ.get('NOVALITE_BUILD_STEP_DELAY') or 0)

# The host settings a build reads (inventory novalite_<setting>, defaults in
# plugin_utils/scheduler/options.py and the steps' argument specs).
CLAIM_SETTINGS = ('cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio', 'reserved_host_memory_mb',
                  'reserved_host_disk_mb', 'reserved_host_cpus')
SETTINGS = CLAIM_SETTINGS + ('virt_type',)


def check_settings(settings):
    """The host settings of a build, checked: known keys, numbers where numbers belong."""
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise InvalidInput('settings: unknown %s (known: %s)' % (', '.join(unknown), ', '.join(SETTINGS)))
    checked = {}
    for key, value in settings.items():
        if value is None:
            continue
        if key == 'virt_type':
            if value not in _domain_xml.VIRT_TYPES:
                raise InvalidInput('settings.virt_type %r must be one of %s' % (value, ', '.join(_domain_xml.VIRT_TYPES)))
            checked[key] = value
            continue
        try:
            checked[key] = float(value) if key.endswith('_ratio') else int(value)
        except (TypeError, ValueError):
            raise InvalidInput('settings.%s %r is not a number' % (key, value))
        if checked[key] < 0:
            raise InvalidInput('settings.%s %r must not be negative' % (key, value))
    return checked


def check_limits(limits):
    """Quota limits for the recheck: whole numbers, -1 unlimited."""
    checked = {}
    for res in _quota_recheck.RESOURCES:
        value = limits.get(res, -1)
        if isinstance(value, bool) or not isinstance(value, int) or value < -1:
            raise InvalidInput('quota_limits.%s must be a whole number of at least -1, got %r' % (res, value))
        checked[res] = value
    return checked


def check_share(share, where, default_uri):
    """One host's share of a round, checked: {host, uri, settings, instances, leftovers}."""
    return {'host': share['host'], 'uri': share.get('uri') or default_uri,
            'settings': check_settings(share.get('settings') or {}),
            'instances': [check_instance(i, '%s.instances[%d]' % (where, n)) for n, i in enumerate(share['instances'])],
            'leftovers': [check_instance(i, '%s.leftovers[%d]' % (where, n), leftover=True)
                          for n, i in enumerate(share['leftovers'])]}


def build_round(hypervisor, shares, boot, secrets, round_=1, quota=None):
    """Every share of a round at the same time, a thread per host: (builds, events).
    `hypervisor` is the adapter's class (_libvirt.Hypervisor), opened per thread; `quota`,
    {limits, fleet: [URI]} to recheck the project's quotas after each claim, or None."""
    if quota:
        quota = {'limits': quota['limits'], 'fleet': [functools.partial(hypervisor, uri) for uri in quota['fleet']]}
    builds = [HostBuild(functools.partial(hypervisor, s['uri']), s['host'], boot, s['settings'], secrets, round_,
                        quota) for s in shares]
    outcome = [None] * len(shares)

    def run(index):
        try:
            outcome[index] = builds[index].run(shares[index]['instances'], shares[index]['leftovers'])
        except Exception as err:     # the host failed as a whole (unreachable, leftovers not removable)
            outcome[index] = [builds[index].failed(i, 'on %s: %s' % (shares[index]['host'], err), {}, [])
                              for i in shares[index]['instances']]

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(shares))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [b for results in outcome for b in results], [e for b in builds for e in b.events]


class OverQuota(NovaliteError):
    """The project is over a quota: no other host would do better, so no reschedule."""


def check_instance(instance, where, leftover=False):
    """One instance of a build ({name, uuid, launch_index, hosts}; a leftover needs only its name)."""
    if not isinstance(instance, dict) or not isinstance(instance.get('name'), str):
        raise InvalidInput('%s must be {name, uuid, launch_index, hosts}, got %r' % (where, instance))
    _domain_xml.check_name(instance['name'], '%s.name' % where)
    if leftover:
        return {'name': instance['name']}
    hosts = instance.get('hosts') or []
    if not isinstance(hosts, list):
        raise InvalidInput('%s.hosts must be a list of host names, got %r' % (where, hosts))
    try:
        index = int(instance.get('launch_index') or 0)
    except (TypeError, ValueError):
        raise InvalidInput('%s.launch_index %r is not a number' % (where, instance.get('launch_index')))
    return {'name': instance['name'], 'uuid': instance.get('uuid'), 'launch_index': index, 'hosts': list(hosts)}


def rollback_decision(record, request_id, takeover=False, keep=False):
    """What a rollback does with the instance of that name on the host: 'keep' it (the
    request keeps its last failed attempt in error), 'remove' it (made by this request, by
    none - a claim cut short - or a leftover to take over), or 'leave' it (another request's:
    two runs building the same name)."""
    if keep:
        return 'keep'
    if takeover or record is None or record.get('request_id') in (None, request_id):
        return 'remove'
    return 'leave'


class Clock(object):
    """The time each step of one build took, in seconds."""

    def __init__(self):
        self.timings = {}

    @contextlib.contextmanager
    def step(self, name):
        start = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0) + time.monotonic() - start, 3)


class HostBuild(object):
    """One host's share of a boot round. `boot` is what boot_request returned; `settings`
    the host's (SETTINGS); `secrets` the request's user_data and admin_password."""

    def __init__(self, connect, host, boot, settings, secrets, round_=1, quota=None):
        self.connect = connect          # () -> a new _libvirt.Hypervisor on this host
        self.quota = quota              # {limits, fleet: [connect]} for the recheck, or None
        self.host = host
        self.boot = boot
        self.settings = settings
        self.secrets = secrets
        self.round = round_
        self.events = []
        self._lock = threading.Lock()

    # -- the round ------------------------------------------------------------------------
    def run(self, instances, leftovers):
        """Build `instances` here (each {name, uuid, launch_index, hosts}); first remove
        `leftovers` (instances whose unfinished copy is here). A list of results."""
        results = []
        hv = self.connect()
        try:
            for instance in leftovers:
                self.remove(hv, instance, takeover=True)
            if not instances:
                return results
            clock = Clock()
            try:
                with clock.step('prepare'):
                    self.prepare(hv)
            except NovaliteError as err:
                return [self.failed(i, 'preparing the host: %s' % err, clock.timings, []) for i in instances]
        finally:
            hv.close()
        threads = [threading.Thread(target=self._build_into, args=(i, results, clock.timings)) for i in instances]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        order = [i['name'] for i in instances]
        return sorted(results, key=lambda r: order.index(r['name']))

    def prepare(self, hv):
        """The request's networks and images on this host (once per round, not per instance)."""
        for net in {n['name']: n for n in self.boot['network_catalog']}.values():
            NetworkSetup.call(hv, network=net)
        self.images = {}
        for entry in self.boot['image_catalog']:
            cached = CacheImage.call(hv, image=entry)
            self.images[cached['image']['id']] = cached['volume']

    def _build_into(self, instance, results, prepare_timings):
        hv = self.connect()
        try:
            result = self.build_and_run_instance(hv, instance)
        except Exception as err:        # a thread must report, whatever happened
            result = self.failed(instance, 'unexpected error: %s' % err, {}, [])
        finally:
            hv.close()
        result['timings'] = dict(prepare_timings, **result['timings'])
        with self._lock:
            results.append(result)

    # -- one instance (Nova's _build_and_run_instance) ----------------------------------------
    def build_and_run_instance(self, hv, instance):
        clock, made = Clock(), []
        try:
            with clock.step('claim'):
                self.claim(hv, instance)
                made.append('claim')
                self.recheck_quota(hv, instance)
            self.step_done(hv, instance, 'networking')
            with clock.step('networking'):
                ports = self.allocate_ports(hv, instance, made)
                self.security_groups(hv, ports)
            self.step_done(hv, instance, 'block_device_mapping')
            with clock.step('block_device_mapping'):
                disks = self.disks(hv, instance)
                made.append('disks')
            self.step_done(hv, instance, None)
            with clock.step('spawning'):
                spawned = self.spawn(hv, instance, ports, disks)
        except NovaliteError as err:
            self.collect_events(err.details.get('novalite_events'))
            reason = str(err)
            over_quota = isinstance(err, OverQuota)
            # Over quota is the project's doing, not the host's: not a failed build of the host,
            # never kept (it would hold the quota), never rescheduled.
            outcome = self.rollback(hv, instance, host_failed=not over_quota)
            result = self.failed(instance, reason + outcome['note'], clock.timings, made, kept=outcome['kept'])
            if over_quota:
                result['reschedule'] = False
            return result
        self.collect_events(spawned.get('novalite_events'))
        return {'name': instance['name'], 'host': self.host, 'round': self.round, 'status': 'built',
                'reason': None, 'made': made + ['domain'], 'timings': clock.timings,
                'uuid': (spawned.get('server') or {}).get('uuid')}

    def step_done(self, hv, instance, next_task_state):
        """Between two steps: the record shows the next one (Nova's task_state), so that a
        build interrupted here is seen for what it is. NOVALITE_BUILD_STEP_DELAY (seconds)
        holds each step back that long once shown, for the tests that interrupt a build at
        each step."""
        if next_task_state is not None:
            _claim.mark(hv, instance['name'], next_task_state)
        if STEP_DELAY:
            time.sleep(STEP_DELAY)

    def claim(self, hv, instance):
        boot, s = self.boot, self.settings
        group = (boot['scheduler_request'].get('server_group') or {})
        Claim.call(hv, name=instance['name'], uuid=instance['uuid'], flavor=boot['flavor'],
                   boot_from_volume=boot['boot_from_volume'], server_group=boot.get('server_group'),
                   group_policy=group.get('policy'),
                   max_server_per_host=(group.get('rules') or {}).get('max_server_per_host', 1),
                   project_id=boot.get('project_id'), request_id=boot['request_id'],
                   **{k: s.get(k) for k in CLAIM_SETTINGS})

    def recheck_quota(self, hv, instance):
        """Nova's quota recheck once the claim exists: the project's records on every host of
        the fleet, counted in the order they were claimed (_quota_recheck)."""
        if not self.quota:
            return
        project = self.boot.get('project_id')
        names = {i['name'] for i in self.boot['instances']}
        records = []
        for connect in self.quota['fleet']:
            other = connect()
            try:
                for domain in other.domains():
                    rec = _instance_record.from_domain_xml(domain['xml'])
                    if rec is None or (rec.get('project_id') or None) != (project or None):
                        continue
                    if rec.get('name') in names and rec.get('request_id') != self.boot['request_id']:
                        continue        # an unfinished copy this request replaces
                    records.append(rec)
            except NovaliteError:
                continue                # a host that cannot be read is not counted, as before scheduling
            finally:
                other.close()
        problem = _quota_recheck.recheck(self.quota['limits'], records, instance['name'])
        if problem:
            raise OverQuota('%s (project %s)' % (problem, "'%s'" % project if project else 'none'))

    def allocate_ports(self, hv, instance, made):
        ports = []
        for net in self.boot['networks']:
            result = PortAllocation.call(hv, network=net['network'], instance=instance['name'], device=net['device'],
                                         fixed_ip=net.get('fixed_ip'))
            made.append('port %s/%s' % (net['network'], result['port']['name']))
            ports.append(result['port'])
        return ports

    def security_groups(self, hv, ports):
        addresses = [ip['ip_address'] for port in ports for ip in port['fixed_ips']]
        for name in self.boot.get('security_groups') or []:
            SecurityGroupFilter.call(hv, name=name, project_id=self.boot.get('project_id'),
                                     catalog=self.boot['security_group_catalog'], members={name: addresses})

    def disks(self, hv, instance):
        boot = self.boot
        image = boot['image']
        props = boot.get('image_properties') or (image['properties'] if image else {})
        result = Disks.call(hv, instance=instance['name'], instance_uuid=instance['uuid'], flavor=boot['flavor'],
                            image_id=image['id'] if image else None,
                            image=self.images.get(image['id']) if image else None, image_properties=props,
                            images=self.images, machine_type=props.get('hw_machine_type') or 'pc',
                            block_device_mapping=boot['block_device_mapping'], config_drive=boot['config_drive'])
        return result['block_device_info']

    def spawn(self, hv, instance, ports, disks):
        boot = self.boot
        kernel, ramdisk = boot.get('kernel'), boot.get('ramdisk')
        group = boot['scheduler_request'].get('server_group') or {}
        return Server.call(
            hv, name=instance['name'], uuid=instance['uuid'], flavor=boot['flavor'],
            image=boot['image'] or {'properties': boot.get('image_properties') or {}},
            kernel=self.images[kernel['id']]['data_path'] if kernel else None,
            ramdisk=self.images[ramdisk['id']]['data_path'] if ramdisk else None,
            block_device_info=disks, ports=ports, config_drive=boot['config_drive'],
            user_data=self.secrets.get('user_data'), admin_password=self.secrets.get('admin_password'),
            key_name=boot.get('key_name'), public_key=boot.get('public_key'), metadata=boot.get('metadata') or {},
            availability_zone=boot.get('availability_zone'), project_id=boot.get('project_id'),
            server_group=boot.get('server_group'), request_id=boot['request_id'],
            server_group_policy=group.get('policy'),
            server_group_max_per_host=(group.get('rules') or {}).get('max_server_per_host'),
            reservation_id=boot['reservation_id'], host=self.host, security_groups=boot.get('security_groups'),
            launch_index=instance['launch_index'], virt_type=self.settings.get('virt_type'),
            wait_for=boot.get('wait_for'), boot_marker=boot.get('boot_marker'), timeout=boot.get('timeout'))

    # -- rollback (the exception path of Nova's _build_resources) ---------------------------------
    def rollback(self, hv, instance, host_failed=True):
        last_attempt = len(instance.get('hosts') or [self.host]) <= self.round
        keep = bool(self.boot.get('keep_failed')) and last_attempt and host_failed
        try:
            decision = self.remove(hv, instance, failed_build=host_failed, keep=keep)
        except NovaliteError as err:
            return {'kept': False, 'note': '; rolling back failed too: %s' % err}
        return {'kept': decision == 'keep', 'note': ''}

    def remove(self, hv, instance, takeover=False, failed_build=False, keep=False):
        """Ports, disks, then the instance (config drive, console log, domain) - if ours."""
        state = hv.domain_state(instance['name'])
        record = _instance_record.from_domain_xml(state['xml']) if state else None
        decision = rollback_decision(record, self.boot['request_id'], takeover, keep)
        if decision != 'remove':
            return decision
        for net in self.boot['networks']:
            PortAllocation.call(hv, network=net['network'], instance=instance['name'], device=net['device'],
                                state='absent')
        image = self.boot['image']
        # The volumes a build made derive from the UUID of the instance as the host recorded it
        # (a leftover of an earlier run has its own).
        instance_uuid = (record or {}).get('uuid') or instance.get('uuid')
        # The volumes it created go too, whatever delete_on_termination says, if the instance
        # never launched: nobody used them, and the instance that replaces it has a new UUID.
        never_launched = not (record or {}).get('launched_at')
        Disks.call(hv, instance=instance['name'], instance_uuid=instance_uuid, flavor=self.boot['flavor'],
                   image_id=image['id'] if image else None, delete_created=never_launched,
                   block_device_mapping=self.boot['block_device_mapping'], config_drive=self.boot['config_drive'],
                   state='absent')
        deleted = Server.call(hv, name=instance['name'], state='absent', failed_build=failed_build,
                              request_id=self.boot['request_id'], host=self.host)
        self.collect_events(deleted.get('novalite_events'))
        return decision

    # -- results ----------------------------------------------------------------------------
    def failed(self, instance, reason, timings, made, kept=False):
        return {'name': instance['name'], 'host': self.host, 'round': self.round, 'status': 'failed',
                'reason': reason, 'kept': kept, 'made': made, 'timings': dict(timings)}

    def collect_events(self, events):
        with self._lock:
            self.events.extend(events or [])


class BuildRound(Step):
    """The build_instances module's step: a round, every share at once (it opens its own
    connections, one per host and per instance)."""
    opens_hypervisor = False
    argument_spec = dict(
        boot=dict(type='dict', required=True),
        shares=dict(type='list', elements='dict', required=True, options=dict(
            host=dict(type='str', required=True),
            uri=dict(type='str'),
            instances=dict(type='list', elements='dict', default=[]),
            leftovers=dict(type='list', elements='dict', default=[]),
            settings=dict(type='dict', default={}),
        )),
        round=dict(type='int', default=1),
        quota_limits=dict(type='dict'),
        fleet=dict(type='list', elements='str'),
        user_data=dict(type='str', no_log=True),
        admin_password=dict(type='str', no_log=True),
    )

    def run(self):
        p = self.params
        shares = [check_share(share, 'shares[%d]' % n, p['uri']) for n, share in enumerate(p['shares'])]
        removed = ['%s/%s' % (s['host'], i['name']) for s in shares for i in s['leftovers']]
        if self.check_mode:
            return dict(changed=bool(removed or any(s['instances'] for s in shares)), removed=removed,
                        builds=[{'name': i['name'], 'host': s['host'], 'round': p['round'], 'status': 'would build',
                                 'reason': None, 'kept': False, 'made': [], 'timings': {}}
                                for s in shares for i in s['instances']])
        secrets = {'user_data': p['user_data'], 'admin_password': p['admin_password']}
        quota = None
        if p['quota_limits']:
            quota = {'limits': check_limits(p['quota_limits']),
                     'fleet': p['fleet'] or sorted({s['uri'] for s in shares})}
        builds, events = build_round(_libvirt.Hypervisor, shares, p['boot'], secrets, p['round'], quota)
        result = dict(changed=bool(builds or removed), builds=builds, removed=removed)
        if events:
            result['novalite_events'] = events
        failed = [b for b in builds if b['status'] != 'built']
        if failed:
            raise NovaliteError('Failed to build %s: %s' % (
                ', '.join(b['name'] for b in failed), ' | '.join('%s on %s: %s' % (b['name'], b['host'], b['reason'])
                                                                 for b in failed)), **result)
        return result
