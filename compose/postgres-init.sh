#!/bin/sh
# The two roles of ops/lib/stack.sh (setup_database): the owner runs migrations, the services'
# role reads and writes rows only.
set -e
psql -v ON_ERROR_STOP=1 -U postgres <<SQL
CREATE ROLE exam_owner LOGIN PASSWORD '$POSTGRES_OWNER_PASSWORD';
CREATE ROLE exam_app LOGIN PASSWORD '$POSTGRES_APP_PASSWORD';
CREATE DATABASE exam OWNER exam_owner;
SQL
psql -v ON_ERROR_STOP=1 -U postgres -d exam <<SQL
CREATE EXTENSION IF NOT EXISTS ltree;
ALTER SCHEMA public OWNER TO exam_owner;
GRANT USAGE ON SCHEMA public TO exam_app;
ALTER DEFAULT PRIVILEGES FOR ROLE exam_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO exam_app;
ALTER DEFAULT PRIVILEGES FOR ROLE exam_owner IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO exam_app;
SQL
