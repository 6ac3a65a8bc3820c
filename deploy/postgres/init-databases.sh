#!/usr/bin/env bash
# Creates the roles and databases of the GenAI Stack and of Temporal.
#
# The postgres image runs this from /docker-entrypoint-initdb.d on the first
# start of an empty data volume. It is idempotent, so it can also be run by hand
# (as a superuser, with the PG* variables pointing at the server) to prepare an
# existing or managed PostgreSQL.
#
#   app role     owns the app database (DATABASE_URL); nothing of Temporal's
#   temporal role owns `temporal` and `temporal_visibility` (auto-setup or the
#                 Temporal Helm chart's schema jobs create the tables)
set -euo pipefail

: "${APP_DB_NAME:=genai_stack}"
: "${APP_DB_USER:=genai}"
: "${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set}"
: "${TEMPORAL_DB_USER:=temporal}"
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD must be set}"
: "${TEMPORAL_DB_NAME:=temporal}"
: "${TEMPORAL_VISIBILITY_DB_NAME:=temporal_visibility}"

# Values travel as psql variables and are quoted by format(%I, %L), never
# spliced into SQL text. CREATE DATABASE cannot run in a DO block, hence \gexec.
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  --set=app_db="$APP_DB_NAME" \
  --set=app_user="$APP_DB_USER" \
  --set=app_password="$APP_DB_PASSWORD" \
  --set=temporal_user="$TEMPORAL_DB_USER" \
  --set=temporal_password="$TEMPORAL_DB_PASSWORD" \
  --set=temporal_db="$TEMPORAL_DB_NAME" \
  --set=visibility_db="$TEMPORAL_VISIBILITY_DB_NAME" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'app_user')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app_user', :'app_password') \gexec

SELECT format('CREATE ROLE %I LOGIN', :'temporal_user')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'temporal_user') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'temporal_user', :'temporal_password') \gexec

SELECT format('CREATE DATABASE %I OWNER %I', db, owner)
FROM (VALUES (:'app_db', :'app_user'),
             (:'temporal_db', :'temporal_user'),
             (:'visibility_db', :'temporal_user')) AS wanted(db, owner)
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = db) \gexec

-- Only the owner may connect: the app cannot read Temporal's data and vice versa.
SELECT format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', db)
FROM (VALUES (:'app_db'), (:'temporal_db'), (:'visibility_db')) AS created(db) \gexec
SQL
