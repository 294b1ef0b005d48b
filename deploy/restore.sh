#!/bin/sh
# restore.sh [--database-url URL] [--media-dir DIR] BACKUP: restore one backup made by
# backup.sh (a folder sharon-YYYYMMDDTHHMMSSZ) into an EMPTY database and an empty (or
# absent) media folder. Installed as: install -m 0755 deploy/restore.sh
# /usr/local/sbin/sharon-restore
#
# Without options, the target is SHARON_DATABASE_URL and SHARON_MEDIA_DIR from
# SHARON_ENV_FILE (default /etc/sharon/sharon.env): stop the workers first, and create
# the fresh database before (sudo -u postgres createdb -O sharon sharon_restored, then
# point SHARON_DATABASE_URL at it). To test a backup without touching the live site,
# pass a scratch database and folder:
# (with no password in the URL: a command line is visible to every local user, so the
# password comes from ~/.pgpass or PGPASSWORD)
#   sharon-restore --database-url postgresql+psycopg2://sharon@127.0.0.1/sharon_check \
#              --media-dir /var/tmp/sharon-check-media /var/backups/sharon/sharon-…
#
# It checks the checksums, refuses a database that already has tables or a media folder
# that already has files, restores the database in one transaction (all or nothing,
# objects owned by the URL's user), unpacks the media, and prints what it restored.
set -eu

ENV_FILE=${SHARON_ENV_FILE:-/etc/sharon/sharon.env}
DB_URL=""
MEDIA_DIR=""
while [ $# -gt 1 ]; do
    case "$1" in
        --database-url) DB_URL=$2; shift 2 ;;
        --media-dir) MEDIA_DIR=$2; shift 2 ;;
        *) echo "restore.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
if [ $# -ne 1 ]; then
    echo "usage: restore.sh [--database-url URL] [--media-dir DIR] BACKUP_FOLDER" >&2
    exit 2
fi
BACKUP=$1
if [ -z "$DB_URL" ] || [ -z "$MEDIA_DIR" ]; then
    if [ ! -r "$ENV_FILE" ]; then
        echo "restore.sh: cannot read $ENV_FILE; pass --database-url and --media-dir" >&2
        exit 2
    fi
    set -a
    . "$ENV_FILE"
    set +a
    DB_URL=${DB_URL:-${SHARON_DATABASE_URL:-}}
    MEDIA_DIR=${MEDIA_DIR:-${SHARON_MEDIA_DIR:-}}
fi
: "${DB_URL:?no database URL}"
: "${MEDIA_DIR:?no media folder}"

for file in database.dump media.tar SHA256SUMS; do
    if [ ! -f "$BACKUP/$file" ]; then
        echo "restore.sh: $BACKUP/$file is missing: is this a backup made by backup.sh?" >&2
        exit 1
    fi
done
echo "Checking checksums"
(cd "$BACKUP" && sha256sum --check --strict SHA256SUMS)

eval "$(SHARON_PG_URL="$DB_URL" python3 - <<'PY'
import os, shlex
from urllib.parse import unquote, urlsplit
url = urlsplit(os.environ["SHARON_PG_URL"])  # not argv: ps shows arguments
values = {"PGHOST": url.hostname or "", "PGPORT": str(url.port or ""),
          "PGUSER": unquote(url.username or ""), "PGPASSWORD": unquote(url.password or ""),
          "PGDATABASE": unquote(url.path.lstrip("/"))}
for key, value in values.items():
    if value:
        print(f"export {key}={shlex.quote(value)}")
PY
)"

TABLES=$(psql -X -q -t -A -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'" "$PGDATABASE")
if [ "$TABLES" != "0" ]; then
    echo "restore.sh: database $PGDATABASE already has $TABLES tables; restore into a fresh, empty database" >&2
    exit 1
fi
if [ -d "$MEDIA_DIR" ] && [ -n "$(find "$MEDIA_DIR" -mindepth 1 -print -quit)" ]; then
    echo "restore.sh: $MEDIA_DIR is not empty; restore into an empty media folder" >&2
    exit 1
fi

echo "Restoring the database into $PGDATABASE"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$PGDATABASE" "$BACKUP/database.dump"
echo "Restoring the media into $MEDIA_DIR"
mkdir -p "$MEDIA_DIR"
tar -C "$MEDIA_DIR" -xf "$BACKUP/media.tar"

REVISION=$(psql -X -q -t -A -c "SELECT version_num FROM alembic_version" "$PGDATABASE")
USERS=$(psql -X -q -t -A -c "SELECT count(*) FROM users" "$PGDATABASE")
FILES=$(find "$MEDIA_DIR" -type f | wc -l)
echo "Restored: schema revision $REVISION, $USERS accounts, $FILES media files"
if [ -f "$BACKUP/backup.txt" ]; then
    grep -E '^(made at|schema revision)' "$BACKUP/backup.txt"
fi
