-- Per-process caches (src/lib/cache.ts) hold what authorisation and the catalog read on every
-- request. These triggers announce every change those caches depend on, on the channel every
-- process listens to (src/lib/changes.ts), so that no code path can forget to. A NOTIFY is
-- delivered when its transaction commits, and never when it rolls back.

CREATE FUNCTION dx_notify_user_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('dx_changes', 'user:' || NEW.id::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER users_access_changed AFTER UPDATE OF roles, status ON users
  FOR EACH ROW WHEN (OLD.roles IS DISTINCT FROM NEW.roles OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION dx_notify_user_access();
--> statement-breakpoint
CREATE FUNCTION dx_notify_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('dx_changes', 'membership:' || OLD.user_id::text); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('dx_changes', 'membership:' || NEW.user_id::text); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER party_members_changed AFTER INSERT OR UPDATE OR DELETE ON party_members
  FOR EACH ROW EXECUTE FUNCTION dx_notify_membership();
--> statement-breakpoint
-- What buyers see of the catalog: listings, and the standing of the parties that sell them.
CREATE FUNCTION dx_notify_catalog() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('dx_changes', 'catalog:' || TG_TABLE_NAME);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER catalog_listings_changed AFTER INSERT OR UPDATE OR DELETE ON catalog_listings
  FOR EACH STATEMENT EXECUTE FUNCTION dx_notify_catalog();
--> statement-breakpoint
CREATE TRIGGER parties_standing_changed AFTER UPDATE OF verification_status, verified_until, suspended_at ON parties
  FOR EACH STATEMENT EXECUTE FUNCTION dx_notify_catalog();
