#!/bin/sh
# backup.sh [DEST]: back up SHaRON's database and media folder together, as one folder
#   DEST/sharon-YYYYMMDDTHHMMSSZ/
#     database.dump   pg_dump custom format (restore with restore.sh, or pg_restore)
#     media.tar       the whole SHARON_MEDIA_DIR (videos are compressed already)
#     backup.txt      when, from where, the schema revision, what is inside
#     SHA256SUMS      checksums of the two files, checked by restore.sh
# The folder appears only when complete (it is written as .sharon-…partial, then renamed);
# the last line printed is its path. Backups older than BACKUP_KEEP_DAYS days (default
# 14; 0 keeps everything) are then deleted from DEST.
#
# Settings come from SHARON_ENV_FILE (default /etc/sharon/sharon.env):
# SHARON_DATABASE_URL and SHARON_MEDIA_DIR. Run it as the sharon user (it can read both):
#   sudo -u sharon sharon-backup /var/backups/sharon
# (installed as: install -m 0755 deploy/backup.sh /usr/local/sbin/sharon-backup)
#
# The database is dumped first (one consistent snapshot), then the media folder is read.
# Media files are never changed once written (each upload gets a new random name), so
# the two agree unless a file is replaced or deleted in the seconds between; for a backup
# with no such window, stop the workers first (as an upgrade does).
set -eu

ENV_FILE=${SHARON_ENV_FILE:-/etc/sharon/sharon.env}
DEST=${1:-/var/backups/sharon}
KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}

if [ -r "$ENV_FILE" ]; then
    set -a
    . "$ENV_FILE"
    set +a
else
    echo "backup.sh: cannot read $ENV_FILE" >&2
    exit 2
fi
: "${SHARON_DATABASE_URL:?SHARON_DATABASE_URL is not set in $ENV_FILE}"
: "${SHARON_MEDIA_DIR:?SHARON_MEDIA_DIR is not set in $ENV_FILE}"
case "$SHARON_DATABASE_URL" in
    postgresql*) ;;
    *) echo "backup.sh: SHARON_DATABASE_URL is not a PostgreSQL database" >&2; exit 2 ;;
esac

# The URL becomes libpq's PG* variables, so that the password never appears in the
# process list (as an argument of pg_dump would).
eval "$(SHARON_PG_URL="$SHARON_DATABASE_URL" python3 - <<'PY'
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
unset SHARON_SECRET_KEY SHARON_DATABASE_URL

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME="sharon-$STAMP"
umask 077
mkdir -p "$DEST"
WORK="$DEST/.$NAME.partial"
mkdir "$WORK"
trap 'rm -rf "$WORK"' EXIT INT TERM

pg_dump --format=custom --file="$WORK/database.dump" "$PGDATABASE"
REVISION=$(psql -X -q -t -A -c "SELECT version_num FROM alembic_version" "$PGDATABASE")

mkdir -p "$SHARON_MEDIA_DIR"
tar -C "$SHARON_MEDIA_DIR" -cf "$WORK/media.tar" .
MEDIA_FILES=$(find "$SHARON_MEDIA_DIR" -type f | wc -l)

(cd "$WORK" && sha256sum database.dump media.tar > SHA256SUMS)
cat > "$WORK/backup.txt" <<INFO
backup:          $NAME
made at (UTC):   $STAMP
host:            $(hostname)
database:        $PGDATABASE on ${PGHOST:-local socket}
schema revision: $REVISION
media folder:    $SHARON_MEDIA_DIR ($MEDIA_FILES files)
pg_dump:         $(pg_dump --version)
database.dump:   $(wc -c < "$WORK/database.dump") bytes
media.tar:       $(wc -c < "$WORK/media.tar") bytes
INFO

mv "$WORK" "$DEST/$NAME"
trap - EXIT INT TERM

if [ "$KEEP_DAYS" -gt 0 ]; then
    find "$DEST" -mindepth 1 -maxdepth 1 -type d -name 'sharon-*' -mtime +"$KEEP_DAYS" \
        -exec rm -rf {} +
fi
echo "$DEST/$NAME"
