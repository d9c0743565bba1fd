# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # Mirrors CONNECTION_ARGUMENT_SPEC in plugins/module_utils/_base.py.
    DOCUMENTATION = r'''
options:
  uri:
    description:
      - libvirt connection URI of the hypervisor.
      - The module talks to the hypervisor over the libvirt API only, so it works the same
        on the hypervisor itself (V(qemu:///system)) and on a controller reaching a remote
        hypervisor (for example V(qemu+ssh://root@hv1/system)).
      - If not set, the environment variable E(LIBVIRT_DEFAULT_URI) is used, and then
        V(qemu:///system).
      - Set it once for every novalite module with
        C(module_defaults) and the action group C(group/novalite.compute.libvirt).
    type: str
    default: qemu:///system
requirements:
  - libvirt-python on the host that runs the module
'''
