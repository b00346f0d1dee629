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
CREATE TABLE "settlement_bank_receipts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"payment_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"bank_reference" text NOT NULL,
	"recorded_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_bank_receipts_bank_reference_unique" UNIQUE("bank_reference")
);
--> statement-breakpoint
CREATE TABLE "settlement_connected_accounts" (
	"party_id" uuid PRIMARY KEY NOT NULL,
	"stripe_account_id" text NOT NULL,
	"charges_enabled" boolean DEFAULT false NOT NULL,
	"payouts_enabled" boolean DEFAULT false NOT NULL,
	"stripe_updated_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_connected_accounts_stripe_account_id_unique" UNIQUE("stripe_account_id")
);
--> statement-breakpoint
CREATE TABLE "settlement_ledger_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"currency" text NOT NULL,
	"party_id" uuid,
	"order_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_ledger_accounts_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "settlement_ledger_postings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"transfer_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement_ledger_transfers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"pending_id" uuid,
	"order_id" uuid,
	"rail" text,
	"description" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_ledger_transfers_key_unique" UNIQUE("key"),
	CONSTRAINT "settlement_ledger_transfers_pending_ref" CHECK (("settlement_ledger_transfers"."kind" in ('post_pending', 'void_pending')) = ("settlement_ledger_transfers"."pending_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "settlement_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"order_number" text NOT NULL,
	"buyer_party_id" uuid NOT NULL,
	"provider_party_id" uuid NOT NULL,
	"rail" text NOT NULL,
	"status" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"fee_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"received_minor" bigint DEFAULT 0 NOT NULL,
	"reference" text,
	"stripe_payment_intent_id" text,
	"stripe_charge_id" text,
	"stripe_client_secret" text,
	"escrow_transfer_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_payments_order_id_unique" UNIQUE("order_id"),
	CONSTRAINT "settlement_payments_reference_unique" UNIQUE("reference"),
	CONSTRAINT "settlement_payments_stripe_payment_intent_id_unique" UNIQUE("stripe_payment_intent_id"),
	CONSTRAINT "settlement_payments_amounts" CHECK ("settlement_payments"."amount_minor" > 0 and "settlement_payments"."fee_minor" >= 0 and "settlement_payments"."fee_minor" <= "settlement_payments"."amount_minor" and "settlement_payments"."received_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "settlement_payouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"provider_party_id" uuid NOT NULL,
	"rail" text NOT NULL,
	"status" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"fee_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"stripe_transfer_id" text,
	"bank_reference" text,
	"paid_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_payouts_order_id_unique" UNIQUE("order_id"),
	CONSTRAINT "settlement_payouts_stripe_transfer_id_unique" UNIQUE("stripe_transfer_id"),
	CONSTRAINT "settlement_payouts_bank_reference_unique" UNIQUE("bank_reference")
);
--> statement-breakpoint
CREATE TABLE "settlement_refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"rail" text NOT NULL,
	"status" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"stripe_refund_id" text,
	"bank_reference" text,
	"refunded_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_refunds_stripe_refund_id_unique" UNIQUE("stripe_refund_id"),
	CONSTRAINT "settlement_refunds_bank_reference_unique" UNIQUE("bank_reference")
);
--> statement-breakpoint
CREATE TABLE "settlement_stripe_disputes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stripe_dispute_id" text NOT NULL,
	"payment_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_stripe_disputes_stripe_dispute_id_unique" UNIQUE("stripe_dispute_id")
);
--> statement-breakpoint
CREATE TABLE "settlement_stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"outcome" text NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"operation" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"result" jsonb,
	"available_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp (3) with time zone,
	CONSTRAINT "outbox_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "agreement_bureau_copies" ADD CONSTRAINT "agreement_bureau_copies_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_disposals" ADD CONSTRAINT "agreement_disposals_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_signatures" ADD CONSTRAINT "agreement_signatures_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_model_text_id_agreement_model_texts_id_fk" FOREIGN KEY ("model_text_id") REFERENCES "public"."agreement_model_texts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_bank_receipts" ADD CONSTRAINT "settlement_bank_receipts_payment_id_settlement_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."settlement_payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_connected_accounts" ADD CONSTRAINT "settlement_connected_accounts_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_ledger_accounts" ADD CONSTRAINT "settlement_ledger_accounts_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_ledger_postings" ADD CONSTRAINT "settlement_ledger_postings_transfer_id_settlement_ledger_transfers_id_fk" FOREIGN KEY ("transfer_id") REFERENCES "public"."settlement_ledger_transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_ledger_postings" ADD CONSTRAINT "settlement_ledger_postings_account_id_settlement_ledger_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."settlement_ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_payments" ADD CONSTRAINT "settlement_payments_buyer_party_id_parties_id_fk" FOREIGN KEY ("buyer_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_payments" ADD CONSTRAINT "settlement_payments_provider_party_id_parties_id_fk" FOREIGN KEY ("provider_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_payouts" ADD CONSTRAINT "settlement_payouts_payment_id_settlement_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."settlement_payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_payouts" ADD CONSTRAINT "settlement_payouts_provider_party_id_parties_id_fk" FOREIGN KEY ("provider_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_refunds" ADD CONSTRAINT "settlement_refunds_payment_id_settlement_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."settlement_payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_stripe_disputes" ADD CONSTRAINT "settlement_stripe_disputes_payment_id_settlement_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."settlement_payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_bureau_copies_agreement_idx" ON "agreement_bureau_copies" USING btree ("agreement_id");--> statement-breakpoint
CREATE INDEX "agreement_bureau_copies_notified_idx" ON "agreement_bureau_copies" USING btree ("notified_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_model_texts_kind_version_idx" ON "agreement_model_texts" USING btree ("kind","version");--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_signatures_party_idx" ON "agreement_signatures" USING btree ("agreement_id","party_id");--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_number_idx" ON "agreements" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_order_idx" ON "agreements" USING btree ("order_id") WHERE "agreements"."order_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_sealed_sha256_idx" ON "agreements" USING btree ("sealed_sha256") WHERE "agreements"."sealed_sha256" is not null;--> statement-breakpoint
CREATE INDEX "agreements_content_sha256_idx" ON "agreements" USING btree ("content_sha256");--> statement-breakpoint
CREATE INDEX "agreements_party_ids_idx" ON "agreements" USING gin ("party_ids");--> statement-breakpoint
CREATE INDEX "agreements_status_term_idx" ON "agreements" USING btree ("status","term_end");--> statement-breakpoint
CREATE INDEX "settlement_ledger_accounts_party_idx" ON "settlement_ledger_accounts" USING btree ("kind","party_id");--> statement-breakpoint
CREATE INDEX "settlement_ledger_postings_transfer_idx" ON "settlement_ledger_postings" USING btree ("transfer_id");--> statement-breakpoint
CREATE INDEX "settlement_ledger_postings_account_idx" ON "settlement_ledger_postings" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "settlement_ledger_transfers_pending_idx" ON "settlement_ledger_transfers" USING btree ("pending_id");--> statement-breakpoint
CREATE INDEX "settlement_ledger_transfers_order_idx" ON "settlement_ledger_transfers" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE INDEX "settlement_payments_status_idx" ON "settlement_payments" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "settlement_payouts_status_idx" ON "settlement_payouts" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "settlement_refunds_status_idx" ON "settlement_refunds" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "settlement_refunds_dispute_idx" ON "settlement_refunds" USING btree ("order_id") WHERE "settlement_refunds"."kind" = 'dispute';--> statement-breakpoint
CREATE INDEX "settlement_stripe_disputes_status_idx" ON "settlement_stripe_disputes" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("seq") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_subject_idx" ON "outbox" USING btree ("subject_id","seq");--> statement-breakpoint
--> statement-breakpoint
-- Art. 28(4): money moves only by balanced ledger entries. At commit, every transfer that received
-- postings must sum to zero in each currency, and each posting must be in its account's currency,
-- whatever the application does.
CREATE FUNCTION settlement_ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced record;
BEGIN
  IF EXISTS (SELECT 1 FROM settlement_ledger_accounts a WHERE a.id = NEW.account_id AND a.currency <> NEW.currency) THEN
    RAISE EXCEPTION 'ledger posting % is not in its account''s currency', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  SELECT currency, sum(amount_minor) AS total INTO unbalanced
    FROM settlement_ledger_postings WHERE transfer_id = NEW.transfer_id
    GROUP BY currency HAVING sum(amount_minor) <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transfer % does not balance: % %', NEW.transfer_id, unbalanced.total, unbalanced.currency USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER settlement_ledger_postings_balanced AFTER INSERT ON "settlement_ledger_postings"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settlement_ledger_check_balanced();
--> statement-breakpoint
-- The ledger and the bank's records are append-only: a correction is a new transfer.
CREATE FUNCTION settlement_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER settlement_ledger_accounts_append_only BEFORE UPDATE OR DELETE ON "settlement_ledger_accounts" FOR EACH ROW EXECUTE FUNCTION settlement_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER settlement_ledger_accounts_no_truncate BEFORE TRUNCATE ON "settlement_ledger_accounts" FOR EACH STATEMENT EXECUTE FUNCTION settlement_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER settlement_ledger_transfers_append_only BEFORE UPDATE OR DELETE ON "settlement_ledger_transfers" FOR EACH ROW EXECUTE FUNCTION settlement_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER settlement_ledger_transfers_no_truncate BEFORE TRUNCATE ON "settlement_ledger_transfers" FOR EACH STATEMENT EXECUTE FUNCTION settlement_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER settlement_ledger_postings_append_only BEFORE UPDATE OR DELETE ON "settlement_ledger_postings" FOR EACH ROW EXECUTE FUNCTION settlement_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER settlement_ledger_postings_no_truncate BEFORE TRUNCATE ON "settlement_ledger_postings" FOR EACH STATEMENT EXECUTE FUNCTION settlement_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER settlement_bank_receipts_append_only BEFORE UPDATE OR DELETE ON "settlement_bank_receipts" FOR EACH ROW EXECUTE FUNCTION settlement_ledger_refuse_change();
