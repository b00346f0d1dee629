CREATE TABLE "audit_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" "bytea" NOT NULL,
	"note" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log_nodes" (
	"level" smallint NOT NULL,
	"index" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "audit_log_nodes_level_index_pk" PRIMARY KEY("level","index")
);
--> statement-breakpoint
-- The audit record becomes a transparency log (src/modules/audit/sequencer.ts). Appends no longer
-- take a table lock: `seq` comes from a sequence, and the Merkle tree, not a hash chain, makes the
-- record tamper-evident. The events already stored keep their chain and become the first leaves,
-- in their current order, when the sequencer first runs.
CREATE SEQUENCE "audit_events_seq_seq" OWNED BY "audit_events"."seq";--> statement-breakpoint
SELECT setval('audit_events_seq_seq', coalesce((SELECT max("seq") FROM "audit_events"), 0) + 1, false);--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "seq" SET DEFAULT nextval('audit_events_seq_seq');--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "prev_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "id" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "party_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "leaf_index" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_id_idx" ON "audit_events" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_leaf_idx" ON "audit_events" USING btree ("leaf_index");--> statement-breakpoint
CREATE INDEX "audit_events_pending_idx" ON "audit_events" USING btree ("seq") WHERE "audit_events"."leaf_index" is null;--> statement-breakpoint
DROP TRIGGER "audit_events_no_update_delete" ON "audit_events";--> statement-breakpoint
-- The parties each earlier event concerns: the acting party, the party it is about, the owner of the listing it is about.
UPDATE "audit_events" e SET "party_ids" = ARRAY(SELECT DISTINCT p FROM unnest(ARRAY[
  e."actor_party_id",
  CASE WHEN e."subject_type" = 'party' THEN e."subject_id"::uuid END,
  (SELECT l."owner_party_id" FROM "catalog_listings" l WHERE e."subject_type" = 'listing' AND l."id"::text = e."subject_id")
]) AS p WHERE p IS NOT NULL);--> statement-breakpoint
CREATE INDEX "audit_events_parties_idx" ON "audit_events" USING gin ("party_ids");--> statement-breakpoint
-- Append-only, but for one write: the sequencer gives an event without a leaf index its index, once.
CREATE FUNCTION audit_events_refuse_change_but_sequencing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.leaf_index IS NULL AND NEW.leaf_index IS NOT NULL
     AND (to_jsonb(NEW) - 'leaf_index') = (to_jsonb(OLD) - 'leaf_index') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change_but_sequencing();--> statement-breakpoint
-- The tree's nodes and the published checkpoints are never changed either.
CREATE FUNCTION refuse_change_of_append_only_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_nodes_append_only" BEFORE UPDATE OR DELETE ON "audit_log_nodes"
  FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only_table();--> statement-breakpoint
CREATE TRIGGER "audit_log_nodes_no_truncate" BEFORE TRUNCATE ON "audit_log_nodes"
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_of_append_only_table();--> statement-breakpoint
CREATE TRIGGER "audit_checkpoints_append_only" BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only_table();--> statement-breakpoint
CREATE TRIGGER "audit_checkpoints_no_truncate" BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_of_append_only_table();