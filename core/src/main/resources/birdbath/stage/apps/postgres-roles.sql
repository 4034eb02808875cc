-- written by birdbath (apps stage): one service's role and database, run by postgres-roles.sh as the superuser
-- with the psql variables role, database and password, which psql quotes itself (:'x' a literal, :"x" a name).
-- Safe to run again: it creates what is missing and sets the rest to what it should be.
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
-- the role may log in and do no more than its database lets it
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
ALTER DATABASE :"database" OWNER TO :"role";
-- only its owner (and the superuser) may connect
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
\connect :"database"
-- what earlier versions made there as the superuser (owntracks2db's tables) becomes the role's
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'role') FROM pg_tables
    WHERE schemaname = 'public' AND tableowner <> :'role' \gexec
