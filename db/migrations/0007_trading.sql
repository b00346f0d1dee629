CREATE TABLE "trading_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"description" text NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"audit_event_id" uuid NOT NULL,
	"confirmed_by" uuid,
	"confirmed_at" timestamp (3) with time zone,
	"confirm_audit_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "trading_download_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"buyer_party_id" uuid NOT NULL,
	"dataset_version_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"media_type" text NOT NULL,
	"filename" text,
	"max_downloads" integer NOT NULL,
	"downloads_used" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	"revoked_by" uuid,
	"revoke_reason" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trading_grants_count" CHECK ("trading_download_grants"."downloads_used" <= "trading_download_grants"."max_downloads")
);
--> statement-breakpoint
CREATE TABLE "trading_downloads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"grant_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"party_id" uuid NOT NULL,
	"range_start" bigint NOT NULL,
	"range_end" bigint NOT NULL,
	"sha256" text NOT NULL,
	"audit_event_id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trading_order_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "trading_order_steps_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"order_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_user_id" uuid,
	"actor_role" text,
	"audit_event_id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trading_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"listing_id" uuid NOT NULL,
	"revision_id" uuid NOT NULL,
	"buyer_party_id" uuid NOT NULL,
	"provider_party_id" uuid NOT NULL,
	"placed_by" uuid NOT NULL,
	"status" text NOT NULL,
	"price_plan" jsonb NOT NULL,
	"quantity" integer NOT NULL,
	"term_start" date NOT NULL,
	"term_end" date NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"fee_minor" bigint NOT NULL,
	"purpose" text NOT NULL,
	"scenario" text NOT NULL,
	"safeguards" text NOT NULL,
	"onward_transfer" text NOT NULL,
	"delivery_method" text NOT NULL,
	"dataset_version_id" uuid,
	"proposed_terms" jsonb,
	"response_due_at" timestamp (3) with time zone,
	"agreement_id" uuid,
	"agreement_number" text,
	"payment_rail" text,
	"payment_id" text,
	"acceptance_due_at" timestamp (3) with time zone,
	"dispute_reason" text,
	"decision" jsonb,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trading_orders_fee_within_amount" CHECK ("trading_orders"."fee_minor" >= 0 and "trading_orders"."fee_minor" <= "trading_orders"."amount_minor"),
	CONSTRAINT "trading_orders_parties_differ" CHECK ("trading_orders"."buyer_party_id" <> "trading_orders"."provider_party_id")
);
--> statement-breakpoint
CREATE TABLE "trading_security_assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"buyer_party_id" uuid NOT NULL,
	"listing_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"assessed_on" date NOT NULL,
	"scope" text NOT NULL,
	"expires_on" date NOT NULL,
	"recorded_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"state" text NOT NULL,
	"response_status" integer,
	"response_type" text,
	"response_body" text,
	"response_location" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
ALTER TABLE "trading_deliveries" ADD CONSTRAINT "trading_deliveries_order_id_trading_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."trading_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trading_download_grants" ADD CONSTRAINT "trading_download_grants_order_id_trading_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."trading_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trading_downloads" ADD CONSTRAINT "trading_downloads_grant_id_trading_download_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."trading_download_grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trading_order_steps" ADD CONSTRAINT "trading_order_steps_order_id_trading_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."trading_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trading_orders" ADD CONSTRAINT "trading_orders_buyer_party_id_parties_id_fk" FOREIGN KEY ("buyer_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trading_orders" ADD CONSTRAINT "trading_orders_provider_party_id_parties_id_fk" FOREIGN KEY ("provider_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trading_security_assessments" ADD CONSTRAINT "trading_security_assessments_buyer_party_id_parties_id_fk" FOREIGN KEY ("buyer_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "trading_deliveries_order_idx" ON "trading_deliveries" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "trading_grants_order_idx" ON "trading_download_grants" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "trading_downloads_order_idx" ON "trading_downloads" USING btree ("order_id","at");--> statement-breakpoint
CREATE INDEX "trading_order_steps_order_idx" ON "trading_order_steps" USING btree ("order_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "trading_orders_number_idx" ON "trading_orders" USING btree ("number");--> statement-breakpoint
CREATE INDEX "trading_orders_buyer_idx" ON "trading_orders" USING btree ("buyer_party_id","created_at");--> statement-breakpoint
CREATE INDEX "trading_orders_provider_idx" ON "trading_orders" USING btree ("provider_party_id","created_at");--> statement-breakpoint
CREATE INDEX "trading_orders_status_idx" ON "trading_orders" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "trading_orders_response_due_idx" ON "trading_orders" USING btree ("response_due_at");--> statement-breakpoint
CREATE INDEX "trading_orders_acceptance_due_idx" ON "trading_orders" USING btree ("acceptance_due_at");--> statement-breakpoint
CREATE INDEX "trading_assessments_lookup_idx" ON "trading_security_assessments" USING btree ("buyer_party_id","listing_id","expires_on");--> statement-breakpoint
CREATE INDEX "idempotency_keys_expiry_idx" ON "idempotency_keys" USING btree ("expires_at");