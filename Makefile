# The two commands of README.md. Both install what is missing first (idempotently).
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: demo demo-clean test setup guest-image cloud-image test-packages docs harness-up harness-down clean

## make demo: prepare this machine as a hypervisor, boot two instances of the test guest,
## show what they reported and the instance table
demo: setup guest-image
	ansible-playbook -i inventory/local.yml playbooks/demo.yml

## make demo-clean: delete the demo's instances
demo-clean:
	ansible-playbook -i inventory/local.yml playbooks/delete.yml -e delete_prefix=demo-

## make test: every suite (sanity, docs, unit, harness, integration, molecule)
test: setup guest-image test-packages cloud-image
	bash tests/run-all.sh $(SUITES)

## make setup: packages, venv, libvirtd, kvm device, storage pools (role compute_host)
setup:
	bash scripts/bootstrap.sh

## make docs: the docs site (antsibull-docs + Sphinx) in build/docs/html
docs: setup
	bash scripts/build-docs.sh

## make guest-image: the test guest (cached; rebuilt when its recipe changes)
guest-image: setup
	bash tests/guest/build.sh

## make cloud-image: the Debian 12 cloud image of the tests (cached; rebuilt when its recipe changes)
cloud-image: test-packages
	bash tests/cloud-image/build.sh

## make test-packages: the system packages only the tests need (sshd for the harness, the image's tools)
test-packages: setup
	bash scripts/test-packages.sh

harness-up: setup test-packages
	python3 tests/harness/hypervisors.py up $${N:-3}

harness-down:
	python3 tests/harness/hypervisors.py down

clean: harness-down
	rm -rf build .venv
