#!/bin/bash
# Backs up the PostgreSQL mapping store: one pg_dump in custom format (compressed; pg_restore can
# restore it whole or in part), mode 0600, checked to be readable before it is kept.
#
#   deploy/postgres/backup.sh BACKUP_DIR            # the database of DICOM_MAPPING_URL
#   deploy/postgres/backup.sh BACKUP_DIR DATABASE   # or a database name / connection URL for pg_dump
#
# Credentials as for dicom-tools: ~/.pgpass or PG* variables (a password in a URL argument shows in
# the process list). Run it from cron or a systemd timer as a user that may read the tables. The
# dump holds the mapping, which re-identifies every anonymized file: keep BACKUP_DIR as private as
# the database, and restore it with pg_restore as deploy/README.md shows.
set -euo pipefail
umask 077

usage() { echo "usage: $0 BACKUP_DIR [DATABASE|URL]   (default: \$DICOM_MAPPING_URL)" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
backup_dir=$1
database=${2:-${DICOM_MAPPING_URL:-}}
[[ -n $database ]] || usage

mkdir -p -m 0700 "$backup_dir"
name="dicom-mapping-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$backup_dir/.$name.partial"
trap 'rm -f "$partial"' EXIT

# pg_dump takes one consistent snapshot: a dump made while shards or users record is whole as of
# its start.
pg_dump --format=custom --no-owner --no-privileges --file="$partial" --dbname="$database"
# An unreadable dump is worse than none: it looks like a backup.
pg_restore --list "$partial" > /dev/null
sync "$partial"
mv "$partial" "$backup_dir/$name"
trap - EXIT
echo "$backup_dir/$name"
