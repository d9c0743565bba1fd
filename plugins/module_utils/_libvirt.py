# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one thin adapter over libvirt-python.

Every call into libvirt goes through here: a lookup that misses returns None, every other
libvirtError becomes a NovaliteError that names what was being done. libvirt's default error
handler (which prints every error on stderr) is silenced once, at import.
"""

from __future__ import annotations

import re
import time
import traceback

from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput, NovaliteError

try:
    import libvirt
except ImportError:
    libvirt = None
    LIBVIRT_IMPORT_ERROR = traceback.format_exc()
else:
    LIBVIRT_IMPORT_ERROR = None
    libvirt.registerErrorHandler(lambda ctx, err: None, None)

# Error codes that mean "no such object": a lookup answers None instead of raising.
_NOT_FOUND_CODES = (
    'VIR_ERR_NO_DOMAIN',
    'VIR_ERR_NO_NETWORK',
    'VIR_ERR_NO_NWFILTER',
    'VIR_ERR_NO_STORAGE_POOL',
    'VIR_ERR_NO_STORAGE_VOL',
    'VIR_ERR_NO_DOMAIN_METADATA',
)


# driver[+transport]://[user@][host][:port]/[path][?query], as libvirt's own URIs are.
# How many times (0.1 s apart) a pool refresh waits for another caller's volume build.
REFRESH_TRIES = 50
_URI_PATTERN = re.compile(r'^[A-Za-z][A-Za-z0-9]*(\+[A-Za-z0-9]+)?://[^\s]*\Z')


def validate_uri(uri):
    if not uri or not _URI_PATTERN.match(uri):
        raise NovaliteError("Failed to connect to hypervisor '%s': not a libvirt URI "
                            "(expected driver[+transport]://[host]/path, such as qemu:///system "
                            "or qemu+ssh://root@hv1/system)" % uri, uri=uri)


def _is_not_found(err):
    code = err.get_error_code()
    return any(getattr(libvirt, name, None) == code for name in _NOT_FOUND_CODES)


def _cause(err):
    return err.get_error_message() or str(err)


class Hypervisor(object):
    """A connection to one libvirtd, local or remote, by URI."""

    def __init__(self, uri, readonly=False):
        validate_uri(uri)
        self.uri = uri
        try:
            self.conn = libvirt.openReadOnly(uri) if readonly else libvirt.open(uri)
        except libvirt.libvirtError as err:
            raise NovaliteError("Failed to connect to hypervisor '%s': %s" % (uri, _cause(err)), uri=uri)
        if self.conn is None:  # pragma: no cover - old bindings returned None
            raise NovaliteError("Failed to connect to hypervisor '%s'" % uri, uri=uri)

    def close(self):
        try:
            self.conn.close()
        except libvirt.libvirtError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, what, func, *args):
        """Run one libvirt call; `what` completes 'Failed to ...' in the error message."""
        try:
            return func(*args)
        except libvirt.libvirtError as err:
            raise NovaliteError('Failed to %s on %s: %s' % (what, self.uri, _cause(err)))
        except (TypeError, ValueError) as err:    # a value the binding cannot pass on (a NUL in a name)
            raise InvalidInput('Failed to %s on %s: %s' % (what, self.uri, err))

    def lookup(self, what, func, *args):
        """Like call(), but a missing object is None."""
        try:
            return func(*args)
        except libvirt.libvirtError as err:
            if _is_not_found(err):
                return None
            raise NovaliteError('Failed to %s on %s: %s' % (what, self.uri, _cause(err)))
        except (TypeError, ValueError) as err:
            raise InvalidInput('Failed to %s on %s: %s' % (what, self.uri, err))

    # -- the node -------------------------------------------------------------------------
    def node(self):
        """What the resource tracker needs to know about the node itself."""
        info = self.call('read node info', self.conn.getInfo)
        return {
            'hostname': self.call('read hostname', self.conn.getHostname),
            'uri': self.call('read URI', self.conn.getURI),
            'hypervisor_type': self.call('read hypervisor type', self.conn.getType),
            'hypervisor_version': self.call('read hypervisor version', self.conn.getVersion),
            'libvirt_version': self.call('read libvirt version', self.conn.getLibVersion),
            'memory_mb': info[1],
            'vcpus': info[2],
            'capabilities_xml': self.call('read capabilities', self.conn.getCapabilities),
        }

    # -- storage pools ----------------------------------------------------------------------
    def pool(self, name):
        return self.lookup("look up storage pool '%s'" % name, self.conn.storagePoolLookupByName, name)

    def pool_state(self, name):
        """The pool's definition and run state, or None when it is not defined."""
        pool = self.pool(name)
        if pool is None:
            return None
        what = "read storage pool '%s'" % name
        state, capacity, allocation, available = self.call(what, pool.info)
        return {
            'xml': self.call(what, pool.XMLDesc, libvirt.VIR_STORAGE_XML_INACTIVE),
            'active': bool(self.call(what, pool.isActive)),
            'autostart': bool(self.call(what, pool.autostart)),
            'capacity': capacity,
            'allocation': allocation,
            'available': available,
        }

    def define_pool(self, xml, name):
        pool = self.call("define storage pool '%s'" % name, self.conn.storagePoolDefineXML, xml, 0)
        # Builds the target directory; on an existing directory this is harmless.
        self.call("build storage pool '%s'" % name, pool.build, 0)
        return pool

    def start_pool(self, name):
        pool = self.pool(name)
        self.call("start storage pool '%s'" % name, pool.create, 0)

    def set_pool_autostart(self, name, autostart):
        pool = self.pool(name)
        self.call("set autostart of storage pool '%s'" % name, pool.setAutostart, int(autostart))

    def remove_pool(self, name):
        pool = self.pool(name)
        if pool is None:
            return
        if self.call("read storage pool '%s'" % name, pool.isActive):
            self.call("stop storage pool '%s'" % name, pool.destroy)
        self.call("undefine storage pool '%s'" % name, pool.undefine)

    # -- storage volumes --------------------------------------------------------------------
    def volumes(self, pool_name, refresh=True):
        """Every volume of a pool, refreshed first unless asked not to (a read-only connection
        cannot): {name: {'path', 'xml', 'handle'}}."""
        pool = self.pool(pool_name)
        if pool is None:
            return None
        what = "list volumes of storage pool '%s'" % pool_name
        if refresh:
            self.refresh_pool(pool, pool_name)
        result = {}
        for vol in self.call(what, pool.listAllVolumes, 0):
            name = vol.name()
            vol_xml = self.lookup("read volume '%s'" % name, vol.XMLDesc, 0)
            if vol_xml is not None:   # gone while listing
                result[name] = {'path': vol.path(), 'xml': vol_xml, 'handle': vol}
        return result

    def refresh_pool(self, pool, pool_name):
        """Refresh a pool (what QEMU made itself, such as console logs, shows after it). libvirt
        refuses while another caller's volume is being built in the pool ('has asynchronous
        jobs running'): wait for it a while, then list without the refresh - every volume made
        through libvirt is listed anyway."""
        for dummy in range(REFRESH_TRIES):
            try:
                pool.refresh(0)
                return
            except libvirt.libvirtError as err:
                if 'asynchronous jobs' not in _cause(err):
                    raise NovaliteError("Failed to refresh storage pool '%s' on %s: %s"
                                        % (pool_name, self.uri, _cause(err)))
                time.sleep(0.1)

    def create_volume(self, pool_name, xml, name):
        pool = self.pool(pool_name)
        return self.call("create volume '%s' in storage pool '%s'" % (name, pool_name), pool.createXML, xml, 0)

    def create_volume_if_new(self, pool_name, xml, name):
        """Create the volume unless one of that name exists: the volume, or None. libvirt
        decides under the pool's lock, so of several callers at once exactly one gets it."""
        pool = self.pool(pool_name)
        try:
            return pool.createXML(xml, 0)
        except libvirt.libvirtError as err:
            if err.get_error_code() == getattr(libvirt, 'VIR_ERR_STORAGE_VOL_EXIST', 90):
                return None
            raise NovaliteError("Failed to create volume '%s' in storage pool '%s' on %s: %s"
                                % (name, pool_name, self.uri, _cause(err)))

    def create_volume_from(self, pool_name, xml, name, source, capacity):
        """A new volume with the content of `source` (virStorageVolCreateXMLFrom: a copy),
        grown to `capacity` bytes (the copy keeps the source's size)."""
        pool = self.pool(pool_name)
        vol = self.call("create volume '%s' from '%s' in storage pool '%s'" % (name, source.name(), pool_name),
                        pool.createXMLFrom, xml, source, 0)
        if self.call("read volume '%s'" % name, vol.info)[1] < capacity:
            self.call("resize volume '%s'" % name, vol.resize, capacity, 0)
        return vol

    def upload(self, vol, chunks, length):
        """Stream `chunks` into a volume (virStorageVolUpload); on any error the stream is aborted."""
        stream = self.call('open a stream', self.conn.newStream, 0)
        name = vol.name()
        self.call("start uploading to volume '%s'" % name, vol.upload, stream, 0, length, 0)
        try:
            for chunk in chunks:
                offset = 0
                while offset < len(chunk):
                    sent = self.call("upload to volume '%s'" % name, stream.send, chunk if offset == 0 else chunk[offset:])
                    if sent <= 0:
                        raise NovaliteError("Failed to upload to volume '%s' on %s" % (name, self.uri))
                    offset += sent
            self.call("finish uploading to volume '%s'" % name, stream.finish)
        except BaseException:
            try:
                stream.abort()
            except libvirt.libvirtError:
                pass
            raise

    def volume_file_size(self, vol):
        """The bytes of the volume's file as virStorageVolDownload streams them (a qcow2 file's
        physical size, not its virtual capacity)."""
        return self.call("read volume '%s'" % vol.name(), vol.infoFlags, libvirt.VIR_STORAGE_VOL_GET_PHYSICAL)[2]

    def resize_volume(self, vol, capacity):
        self.call("resize volume '%s'" % vol.name(), vol.resize, capacity, 0)

    def delete_volume(self, vol):
        try:
            vol.delete(0)
        except libvirt.libvirtError as err:
            if not _is_not_found(err):
                raise NovaliteError("Failed to delete volume '%s' on %s: %s" % (vol.name(), self.uri, _cause(err)))

    def active_pools(self):
        return [p.name() for p in self.call('list storage pools', self.conn.listAllStoragePools,
                                            libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE)]

    # -- networks ---------------------------------------------------------------------------
    def network(self, name):
        return self.lookup("look up network '%s'" % name, self.conn.networkLookupByName, name)

    def network_state(self, name):
        """The network's persistent definition and run state, or None when it does not exist."""
        net = self.network(name)
        if net is None:
            return None
        what = "read network '%s'" % name
        return {
            'xml': self.call(what, net.XMLDesc, libvirt.VIR_NETWORK_XML_INACTIVE),
            'active': bool(self.call(what, net.isActive)),
            'persistent': bool(self.call(what, net.isPersistent)),
            'autostart': bool(self.call(what, net.autostart)),
        }

    def network_xmls(self):
        """{name: persistent XML} of every network on the host."""
        return {n.name(): self.call("read network '%s'" % n.name(), n.XMLDesc, libvirt.VIR_NETWORK_XML_INACTIVE)
                for n in self.call('list networks', self.conn.listAllNetworks, 0)}

    def define_network(self, xml, name):
        return self.call("define network '%s'" % name, self.conn.networkDefineXML, xml)

    def start_network(self, name):
        self.call("start network '%s'" % name, self.network(name).create)

    def stop_network(self, name):
        self.call("stop network '%s'" % name, self.network(name).destroy)

    def undefine_network(self, name):
        self.call("undefine network '%s'" % name, self.network(name).undefine)

    def set_network_autostart(self, name, autostart):
        self.call("set autostart of network '%s'" % name, self.network(name).setAutostart, int(autostart))

    def update_network(self, name, command, section, xml):
        """virNetworkUpdate on the running network and its persistent definition at once.
        libvirt applies it atomically and refuses a DHCP host that clashes with another."""
        net = self.network(name)
        flags = libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG
        if self.call("read network '%s'" % name, net.isActive):
            flags |= libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE
        commands = {'add': libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, 'delete': libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE}
        sections = {'host': libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, 'range': libvirt.VIR_NETWORK_SECTION_IP_DHCP_RANGE}
        try:
            net.update(commands[command], sections[section], -1, xml, flags)
        except libvirt.libvirtError as err:
            raise NovaliteError("Failed to %s %s %s in network '%s' on %s: %s"
                                % (command, 'DHCP host' if section == 'host' else 'DHCP range', xml, name, self.uri,
                                   _cause(err)), conflict='existing dhcp host entry' in _cause(err))

    # -- domains ----------------------------------------------------------------------------
    # -- network filters (security groups) ------------------------------------------------------
    def nwfilter_xml(self, name):
        """The filter's XML, or None when it does not exist."""
        nwf = self.lookup("look up network filter '%s'" % name, self.conn.nwfilterLookupByName, name)
        return None if nwf is None else self.call("read network filter '%s'" % name, nwf.XMLDesc, 0)

    def nwfilter_names(self):
        return [f.name() for f in self.call('list network filters', self.conn.listAllNWFilters, 0)]

    def define_nwfilter(self, xml, name):
        """Define or redefine; libvirt re-instantiates a redefined filter on running interfaces."""
        return self.call("define network filter '%s'" % name, self.conn.nwfilterDefineXML, xml)

    def undefine_nwfilter(self, name):
        nwf = self.lookup("look up network filter '%s'" % name, self.conn.nwfilterLookupByName, name)
        if nwf is not None:
            self.call("undefine network filter '%s'" % name, nwf.undefine)

    def domains(self):
        """Every domain on the host, active or not, as plain dicts with its live XML."""
        result = []
        for dom in self.call('list domains', self.conn.listAllDomains, 0):
            name = self.call('read domain name', dom.name)
            what = "read domain '%s'" % name
            result.append({
                'name': name,
                'uuid': self.call(what, dom.UUIDString),
                'active': bool(self.call(what, dom.isActive)),
                'xml': self.call(what, dom.XMLDesc, 0),
                'handle': dom,
            })
        return result

    def domain(self, name):
        return self.lookup("look up domain '%s'" % name, self.conn.lookupByName, name)

    def domain_state(self, name):
        """{'xml': persistent XML, 'active': bool, 'state': libvirt state name} or None."""
        dom = self.domain(name)
        if dom is None:
            return None
        what = "read domain '%s'" % name
        state = self.call(what, dom.state)[0]
        names = {libvirt.VIR_DOMAIN_RUNNING: 'running', libvirt.VIR_DOMAIN_PAUSED: 'paused',
                 libvirt.VIR_DOMAIN_SHUTOFF: 'shutoff', libvirt.VIR_DOMAIN_CRASHED: 'crashed',
                 libvirt.VIR_DOMAIN_SHUTDOWN: 'shutdown', libvirt.VIR_DOMAIN_BLOCKED: 'running'}
        return {'xml': self.call(what, dom.XMLDesc, libvirt.VIR_DOMAIN_XML_INACTIVE),
                'active': bool(self.call(what, dom.isActive)), 'state': names.get(state, 'unknown')}

    def define_domain(self, xml, name):
        return self.call("define domain '%s'" % name, self.conn.defineXML, xml)

    def start_domain(self, name):
        self.call("start domain '%s'" % name, self.domain(name).create)

    def stop_domain(self, name):
        """Power off (Nova's hard stop); a domain that is already off is left alone."""
        dom = self.domain(name)
        if dom is not None and self.call("read domain '%s'" % name, dom.isActive):
            self.call("stop domain '%s'" % name, dom.destroy)

    def shutdown_domain(self, name, timeout):
        """Power off cleanly (Nova's clean shutdown): ask the guest (ACPI), wait up to `timeout`
        seconds for it to stop, then pull the plug. 'clean', 'forced', or None (it was off)."""
        dom = self.domain(name)
        what = "stop domain '%s'" % name
        if dom is None or not self.call(what, dom.isActive):
            return None
        if timeout > 0:
            try:
                dom.shutdown()
            except libvirt.libvirtError:
                pass                 # the guest cannot be asked (no ACPI): the plug is pulled
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if not self.call(what, dom.isActive):
                    return 'clean'
                time.sleep(0.25)
        self.stop_domain(name)
        return 'forced'

    def resume_domain(self, name):
        """Let a paused domain run again (virDomainResume)."""
        self.call("resume domain '%s'" % name, self.domain(name).resume)

    def reboot_domain(self, name):
        self.call("reboot domain '%s'" % name, self.domain(name).reset, 0)

    def undefine_domain(self, name):
        dom = self.domain(name)
        if dom is not None:
            flags = libvirt.VIR_DOMAIN_UNDEFINE_NVRAM | libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
            self.call("undefine domain '%s'" % name, dom.undefineFlags, flags)

    def set_domain_metadata(self, name, xml, key, uri):
        """Replace our <metadata> element in the persistent definition (and live when running)."""
        dom = self.domain(name)
        flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        if self.call("read domain '%s'" % name, dom.isActive):
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        self.call("save the instance record of '%s'" % name, dom.setMetadata, libvirt.VIR_DOMAIN_METADATA_ELEMENT,
                  xml, key, uri, flags)

    def download(self, vol, offset=0, length=0):
        """The bytes of a volume (virStorageVolDownload), from `offset`, `length` 0 = to the end."""
        return b''.join(self.download_chunks(vol, offset, length))

    def download_chunks(self, vol, offset=0, length=0, chunk_size=4 * 1024 * 1024):
        """The bytes of a volume as a generator of chunks (virStorageVolDownload), for piping
        into another hypervisor's upload without holding the whole volume."""
        stream = self.call('open a stream', self.conn.newStream, 0)
        self.call("start downloading volume '%s'" % vol.name(), vol.download, stream, offset, length, 0)
        try:
            while True:
                data = self.call("download volume '%s'" % vol.name(), stream.recv, chunk_size)
                if not data:
                    break
                yield data
            self.call("finish downloading volume '%s'" % vol.name(), stream.finish)
        except BaseException:
            try:
                stream.abort()
            except libvirt.libvirtError:
                pass
            raise

    def volume_by_path(self, path):
        return self.lookup("look up volume '%s'" % path, self.conn.storageVolLookupByPath, path)

    # -- migration --------------------------------------------------------------------------
    def migrate(self, name, dest, params, flags):
        """Migrate the domain to the hypervisor `dest` (virDomainMigrate3, driven by this client:
        the data goes straight from this host's QEMU to the destination's, at params' URIs)."""
        dom = self.domain(name)
        typed = {getattr(libvirt, 'VIR_MIGRATE_PARAM_' + key.upper()): value for key, value in params.items()}
        bits = 0
        for flag in flags:
            bits |= getattr(libvirt, 'VIR_MIGRATE_' + flag.upper())
        self.call("migrate domain '%s' to %s" % (name, dest.uri), dom.migrate3, dest.conn, typed, bits)

    def job_stats(self, name, completed=False):
        """The domain's current job (virDomainGetJobStats), or with `completed` its last
        completed one: {type, time_elapsed, memory_total, memory_remaining, disk_total,
        disk_remaining, ...}; type 'none' when there is none."""
        dom = self.domain(name)
        if dom is None:
            return {'type': 'none'}
        flags = libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED if completed else 0
        stats = self.lookup("read the job of domain '%s'" % name, dom.jobStats, flags) or {}
        types = {libvirt.VIR_DOMAIN_JOB_NONE: 'none', libvirt.VIR_DOMAIN_JOB_BOUNDED: 'bounded',
                 libvirt.VIR_DOMAIN_JOB_UNBOUNDED: 'unbounded', libvirt.VIR_DOMAIN_JOB_COMPLETED: 'completed',
                 libvirt.VIR_DOMAIN_JOB_FAILED: 'failed', libvirt.VIR_DOMAIN_JOB_CANCELLED: 'cancelled'}
        result = {k: v for k, v in stats.items() if k != 'type'}
        result['type'] = types.get(stats.get('type', libvirt.VIR_DOMAIN_JOB_NONE), 'none')
        return result

    def abort_job(self, name):
        dom = self.domain(name)
        if dom is not None:
            self.call("abort the job of domain '%s'" % name, dom.abortJob)

    def dhcp_leases(self, network):
        net = self.network(network)
        if net is None:
            return []
        return self.call("read the DHCP leases of network '%s'" % network, net.DHCPLeases)

    def disk_capacity(self, domain, target):
        """Virtual size in bytes of one disk of a domain, or None when libvirt cannot tell."""
        try:
            return domain['handle'].blockInfo(target, 0)[0]
        except libvirt.libvirtError:
            return None
