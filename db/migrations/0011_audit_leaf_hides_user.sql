-- The events already written keep the leaf shape they were integrated with (1: the user named in
-- the clear), or their receipts would no longer prove them; every event written from now on gets
-- shape 2, whose leaf commits to the user through the context digest (src/modules/audit/leaf.ts).
-- A column added with a constant default rewrites no row, so the append-only triggers do not fire.
ALTER TABLE "audit_events" ADD COLUMN "leaf_version" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "leaf_version" SET DEFAULT 2;
