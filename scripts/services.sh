#!/usr/bin/env bash
# Makes sure the services the integration tests use are up on this machine:
# Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (database "test").
# Idempotent: it starts only what is not answering, installs only what is
# missing, and never touches data it did not create.
set -euo pipefail

log() { printf 'services: %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.2; done
  return 1
}

apt_install() {
  command -v apt-get >/dev/null || { log "cannot install $*: no apt-get"; return 1; }
  log "installing $*"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

if ! port_open 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  wait_port 6379 || { log "Redis did not start"; exit 1; }
fi

if ! port_open 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
  fi
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
  wait_port 5432 || { log "PostgreSQL did not start"; exit 1; }
fi

# The tests connect as postgres to database "test" with trust auth on loopback.
if ! psql -h 127.0.0.1 -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1; then
  if psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    log "creating database test"
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test' >/dev/null
  else
    log "PostgreSQL on 127.0.0.1:5432 does not accept user postgres without a password"
    exit 1
  fi
fi
log "Redis and PostgreSQL are up"
