#!/bin/sh
# CI step for the proxy tests: tests/shipper_rsyslog.rs needs rsyslogd (it fails when CI=true and
# rsyslogd is missing). Debian's rsyslog and syslog-ng packages conflict: install only rsyslog.
# benches/proxy-vs-socat.sh needs socat (it installs it itself when missing).
set -eu
command -v rsyslogd >/dev/null 2>&1 || [ -x /usr/sbin/rsyslogd ] || (apt-get update && apt-get install -y rsyslog)
