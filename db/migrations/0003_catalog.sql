CREATE TABLE "catalog_dataset_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"listing_id" uuid NOT NULL,
	"owner_party_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"media_type" text NOT NULL,
	"filename" text,
	"uploaded_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_evidence_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_party_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"media_type" text NOT NULL,
	"filename" text,
	"uploaded_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_listing_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"listing_id" uuid NOT NULL,
	"revision_id" uuid NOT NULL,
	"reviewer_user_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"checklist" jsonb NOT NULL,
	"notes" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_listing_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"listing_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"review_status" text DEFAULT 'draft' NOT NULL,
	"content" jsonb NOT NULL,
	"provenance_id" uuid,
	"ground_id" uuid,
	"dataset_version_id" uuid,
	"title" text NOT NULL,
	"category" text NOT NULL,
	"grade" text NOT NULL,
	"delivery_method" text NOT NULL,
	"government_derived" boolean NOT NULL,
	"personal_information" boolean NOT NULL,
	"min_price_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"search_vector" "tsvector" NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp (3) with time zone,
	"decided_at" timestamp (3) with time zone,
	CONSTRAINT "catalog_revisions_price_nonnegative" CHECK ("catalog_listing_revisions"."min_price_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "catalog_listings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_party_id" uuid NOT NULL,
	"status" text DEFAULT 'unlisted' NOT NULL,
	"working_revision_id" uuid NOT NULL,
	"live_revision_id" uuid,
	"listed_at" timestamp (3) with time zone,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_provenance_declarations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"listing_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"schema_version" integer NOT NULL,
	"declaration" jsonb NOT NULL,
	"declared_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_tradability_grounds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"listing_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"schema_version" integer NOT NULL,
	"ground" jsonb NOT NULL,
	"declared_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalog_dataset_versions" ADD CONSTRAINT "catalog_dataset_versions_listing_id_catalog_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."catalog_listings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_dataset_versions" ADD CONSTRAINT "catalog_dataset_versions_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_evidence_documents" ADD CONSTRAINT "catalog_evidence_documents_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_listing_reviews" ADD CONSTRAINT "catalog_listing_reviews_listing_id_catalog_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."catalog_listings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_listing_reviews" ADD CONSTRAINT "catalog_listing_reviews_revision_id_catalog_listing_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."catalog_listing_revisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_listing_revisions" ADD CONSTRAINT "catalog_listing_revisions_listing_id_catalog_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."catalog_listings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_listing_revisions" ADD CONSTRAINT "catalog_listing_revisions_provenance_id_catalog_provenance_declarations_id_fk" FOREIGN KEY ("provenance_id") REFERENCES "public"."catalog_provenance_declarations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_listing_revisions" ADD CONSTRAINT "catalog_listing_revisions_ground_id_catalog_tradability_grounds_id_fk" FOREIGN KEY ("ground_id") REFERENCES "public"."catalog_tradability_grounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_listing_revisions" ADD CONSTRAINT "catalog_listing_revisions_dataset_version_id_catalog_dataset_versions_id_fk" FOREIGN KEY ("dataset_version_id") REFERENCES "public"."catalog_dataset_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_listings" ADD CONSTRAINT "catalog_listings_owner_party_id_parties_id_fk" FOREIGN KEY ("owner_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_provenance_declarations" ADD CONSTRAINT "catalog_provenance_declarations_listing_id_catalog_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."catalog_listings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_tradability_grounds" ADD CONSTRAINT "catalog_tradability_grounds_listing_id_catalog_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."catalog_listings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_dataset_versions_number_idx" ON "catalog_dataset_versions" USING btree ("listing_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_evidence_party_hash_idx" ON "catalog_evidence_documents" USING btree ("owner_party_id","sha256");--> statement-breakpoint
CREATE INDEX "catalog_reviews_listing_idx" ON "catalog_listing_reviews" USING btree ("listing_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_revisions_number_idx" ON "catalog_listing_revisions" USING btree ("listing_id","number");--> statement-breakpoint
CREATE INDEX "catalog_revisions_queue_idx" ON "catalog_listing_revisions" USING btree ("review_status","submitted_at");--> statement-breakpoint
CREATE INDEX "catalog_revisions_search_idx" ON "catalog_listing_revisions" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "catalog_listings_owner_idx" ON "catalog_listings" USING btree ("owner_party_id","created_at");--> statement-breakpoint
CREATE INDEX "catalog_listings_listed_idx" ON "catalog_listings" USING btree ("status","listed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_provenance_version_idx" ON "catalog_provenance_declarations" USING btree ("listing_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_ground_version_idx" ON "catalog_tradability_grounds" USING btree ("listing_id","version");