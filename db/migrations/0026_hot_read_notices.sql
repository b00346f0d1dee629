-- Hot reads answered from memory (issue 20): a listing, the caller's own account, a public-data
-- entry with its revisions and data versions are kept per process (src/lib/cache.ts) and dropped
-- the moment one of these notices arrives (src/lib/changes.ts). Each names the one thing that
-- changed, so a change drops only what it made stale. Delivered on commit only.

-- A row's change announced as '<topic>:<key column>'; the topic and the column are the trigger's
-- arguments, so one function serves every table below.
CREATE FUNCTION dx_notify_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('dx_changes', TG_ARGV[0] || ':' || (to_jsonb(OLD) ->> TG_ARGV[1])); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('dx_changes', TG_ARGV[0] || ':' || (to_jsonb(NEW) ->> TG_ARGV[1])); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- `/me` shows the account from memory: every column it shows, not only roles and status, drops it.
DROP TRIGGER users_access_changed ON users;
--> statement-breakpoint
CREATE TRIGGER users_account_changed AFTER UPDATE OF email, display_name, roles, status ON users
  FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.display_name IS DISTINCT FROM NEW.display_name
    OR OLD.roles IS DISTINCT FROM NEW.roles OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION dx_notify_user_access();
--> statement-breakpoint
-- A party's standing (verification and suspension) decides whether its listings are on sale, so
-- the party notice now covers its verification too.
DROP TRIGGER parties_suspension_changed ON parties;
--> statement-breakpoint
CREATE TRIGGER parties_standing_row_changed AFTER UPDATE OF suspended_at, suspension_reason, verification_status, verified_until ON parties
  FOR EACH ROW WHEN (OLD.suspended_at IS DISTINCT FROM NEW.suspended_at OR OLD.suspension_reason IS DISTINCT FROM NEW.suspension_reason
    OR OLD.verification_status IS DISTINCT FROM NEW.verification_status OR OLD.verified_until IS DISTINCT FROM NEW.verified_until)
  EXECUTE FUNCTION dx_notify_party_suspension();
--> statement-breakpoint
CREATE TRIGGER catalog_listing_row_changed AFTER INSERT OR UPDATE OR DELETE ON catalog_listings
  FOR EACH ROW EXECUTE FUNCTION dx_notify_row('listing', 'id');
--> statement-breakpoint
CREATE TRIGGER catalog_revision_row_changed AFTER INSERT OR UPDATE OR DELETE ON catalog_listing_revisions
  FOR EACH ROW EXECUTE FUNCTION dx_notify_row('listing', 'listing_id');
--> statement-breakpoint
CREATE TRIGGER catalog_dataset_version_row_changed AFTER INSERT OR UPDATE OR DELETE ON catalog_dataset_versions
  FOR EACH ROW EXECUTE FUNCTION dx_notify_row('listing', 'listing_id');
--> statement-breakpoint
CREATE TRIGGER public_data_entry_row_changed AFTER INSERT OR UPDATE OR DELETE ON public_data_entries
  FOR EACH ROW EXECUTE FUNCTION dx_notify_row('public-data-entry', 'id');
--> statement-breakpoint
CREATE TRIGGER public_data_revision_row_changed AFTER INSERT OR UPDATE OR DELETE ON public_data_entry_revisions
  FOR EACH ROW EXECUTE FUNCTION dx_notify_row('public-data-entry', 'entry_id');
--> statement-breakpoint
CREATE TRIGGER public_data_version_row_changed AFTER INSERT OR UPDATE OR DELETE ON public_data_versions
  FOR EACH ROW EXECUTE FUNCTION dx_notify_row('public-data-entry', 'entry_id');
