"""Offline stand-in for get-pip.py, placed in ansible-test's cache by scripts/bootstrap.sh.

ansible-test --venv runs get-pip.py as __main__ with pip-install arguments; the real script
embeds pip and needs a download. This one bootstraps pip from the interpreter's own
ensurepip, then installs the same arguments with it (packages come from PyPI as usual).
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
