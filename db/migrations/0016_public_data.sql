CREATE TABLE "public_data_downloads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entry_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"party_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"range_start" bigint NOT NULL,
	"range_end" bigint NOT NULL,
	"counted" boolean NOT NULL,
	"audit_event_id" uuid NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_data_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entry_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"change_note" text NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"media_type" text NOT NULL,
	"filename" text,
	"uploaded_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_data_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"department_party_id" uuid NOT NULL,
	"working_revision_id" uuid NOT NULL,
	"live_revision_id" uuid,
	"published_at" timestamp (3) with time zone,
	"download_count" bigint DEFAULT 0 NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_data_entry_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entry_id" uuid NOT NULL,
	"revision_id" uuid NOT NULL,
	"reviewer_user_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"reasons" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_data_entry_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entry_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"review_status" text DEFAULT 'draft' NOT NULL,
	"content" jsonb NOT NULL,
	"title" text NOT NULL,
	"open_class" text NOT NULL,
	"sharing_class" text NOT NULL,
	"search_vector" "tsvector" NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp (3) with time zone,
	"decided_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "public_data_downloads" ADD CONSTRAINT "public_data_downloads_entry_id_public_data_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."public_data_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_downloads" ADD CONSTRAINT "public_data_downloads_version_id_public_data_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."public_data_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_downloads" ADD CONSTRAINT "public_data_downloads_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_versions" ADD CONSTRAINT "public_data_versions_entry_id_public_data_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."public_data_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_entries" ADD CONSTRAINT "public_data_entries_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_entry_reviews" ADD CONSTRAINT "public_data_entry_reviews_entry_id_public_data_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."public_data_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_entry_reviews" ADD CONSTRAINT "public_data_entry_reviews_revision_id_public_data_entry_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."public_data_entry_revisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_entry_revisions" ADD CONSTRAINT "public_data_entry_revisions_entry_id_public_data_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."public_data_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "public_data_downloads_entry_idx" ON "public_data_downloads" USING btree ("entry_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "public_data_versions_number_idx" ON "public_data_versions" USING btree ("entry_id","number");--> statement-breakpoint
CREATE INDEX "public_data_entries_department_idx" ON "public_data_entries" USING btree ("department_party_id","updated_at");--> statement-breakpoint
CREATE INDEX "public_data_entries_published_idx" ON "public_data_entries" USING btree ("published_at","id");--> statement-breakpoint
CREATE INDEX "public_data_reviews_entry_idx" ON "public_data_entry_reviews" USING btree ("entry_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "public_data_revisions_number_idx" ON "public_data_entry_revisions" USING btree ("entry_id","number");--> statement-breakpoint
CREATE INDEX "public_data_revisions_queue_idx" ON "public_data_entry_revisions" USING btree ("review_status","submitted_at");--> statement-breakpoint
CREATE INDEX "public_data_revisions_search_idx" ON "public_data_entry_revisions" USING gin ("search_vector");