CREATE TABLE "agreement_bureau_copies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" uuid NOT NULL,
	"notified_at" timestamp (3) with time zone NOT NULL,
	"read_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "agreement_disposals" (
	"agreement_id" uuid PRIMARY KEY NOT NULL,
	"method" text NOT NULL,
	"statement" text NOT NULL,
	"new_agreement_number" text,
	"party_id" uuid NOT NULL,
	"certified_by" uuid NOT NULL,
	"certified_at" timestamp (3) with time zone NOT NULL,
	"audit_event_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agreement_model_texts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"version" integer NOT NULL,
	"sha256" text NOT NULL,
	"source" text NOT NULL,
	"published_by" uuid,
	"published_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agreement_number_counters" (
	"prefix" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "agreement_number_counters_prefix_year_pk" PRIMARY KEY("prefix","year")
);
--> statement-breakpoint
CREATE TABLE "agreement_signatures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" uuid NOT NULL,
	"party_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"user_name" text NOT NULL,
	"signed_at" timestamp (3) with time zone NOT NULL,
	"ip" text,
	"content_sha256" text NOT NULL,
	"revision" integer NOT NULL,
	"audit_event_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agreements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"kind" text NOT NULL,
	"order_id" uuid,
	"source_reference" text,
	"status" text NOT NULL,
	"model_text_id" uuid NOT NULL,
	"model_version" integer NOT NULL,
	"model_sha256" text NOT NULL,
	"title" jsonb NOT NULL,
	"basis" jsonb NOT NULL,
	"parties" jsonb NOT NULL,
	"party_ids" uuid[] NOT NULL,
	"recipient_party_id" uuid NOT NULL,
	"values" jsonb NOT NULL,
	"clauses" jsonb NOT NULL,
	"data_list" jsonb NOT NULL,
	"term_start" timestamp (3) with time zone NOT NULL,
	"term_end" timestamp (3) with time zone NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"content_sha256" text NOT NULL,
	"content_bytes" integer NOT NULL,
	"sealed_sha256" text,
	"sealed_bytes" integer,
	"sealed_at" timestamp (3) with time zone,
	"seal_audit_event_id" uuid,
	"expired_at" timestamp (3) with time zone,
	"terminated_at" timestamp (3) with time zone,
	"termination_reason" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agreement_bureau_copies" ADD CONSTRAINT "agreement_bureau_copies_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_disposals" ADD CONSTRAINT "agreement_disposals_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_signatures" ADD CONSTRAINT "agreement_signatures_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_model_text_id_agreement_model_texts_id_fk" FOREIGN KEY ("model_text_id") REFERENCES "public"."agreement_model_texts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_bureau_copies_agreement_idx" ON "agreement_bureau_copies" USING btree ("agreement_id");--> statement-breakpoint
CREATE INDEX "agreement_bureau_copies_notified_idx" ON "agreement_bureau_copies" USING btree ("notified_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_model_texts_kind_version_idx" ON "agreement_model_texts" USING btree ("kind","version");--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_signatures_party_idx" ON "agreement_signatures" USING btree ("agreement_id","party_id");--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_number_idx" ON "agreements" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_order_idx" ON "agreements" USING btree ("order_id") WHERE "agreements"."order_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_sealed_sha256_idx" ON "agreements" USING btree ("sealed_sha256") WHERE "agreements"."sealed_sha256" is not null;--> statement-breakpoint
CREATE INDEX "agreements_content_sha256_idx" ON "agreements" USING btree ("content_sha256");--> statement-breakpoint
CREATE INDEX "agreements_party_ids_idx" ON "agreements" USING gin ("party_ids");--> statement-breakpoint
CREATE INDEX "agreements_status_term_idx" ON "agreements" USING btree ("status","term_end");